#include "efd/yaml_tree.hpp"

#include <yaml.h>

#include <memory>
#include <unordered_set>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd::yaml {

const Node* Node::find(const std::string& key) const {
    for (const auto& e : entries)
        if (e.first == key) return &e.second;
    return nullptr;
}

namespace {

int line_of(const yaml_mark_t& mark) { return static_cast<int>(mark.line) + 1; }

// A collection being filled: its node, and for a mapping the pending key and the keys seen.
struct Open {
    Node node;
    bool have_key = false;
    std::string key;
    std::unordered_set<std::string> keys;
};

class Parser {
public:
    explicit Parser(const std::string& text) {
        if (!yaml_parser_initialize(&parser_)) throw YamlError("libyaml could not be initialized", 1);
        yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    }
    ~Parser() { yaml_parser_delete(&parser_); }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;

    // Next event; the caller owns it (Event deletes it).
    struct Event {
        yaml_event_t e;
        ~Event() { yaml_event_delete(&e); }
    };
    std::unique_ptr<Event> next() {
        auto ev = std::make_unique<Event>();
        if (!yaml_parser_parse(&parser_, &ev->e)) {
            // libyaml zeroes the event before parsing (YAML_NO_EVENT): deleting it frees nothing,
            // and ev itself is freed as the exception unwinds (releasing it leaked it: the fuzzer).
            const yaml_mark_t& mark = parser_.context ? parser_.context_mark : parser_.problem_mark;
            std::string what = parser_.problem ? parser_.problem : "invalid YAML";
            if (parser_.context) what = std::string(parser_.context) + ": " + what;
            throw YamlError(what, line_of(mark));
        }
        return ev;
    }

private:
    yaml_parser_t parser_;
};

}  // namespace

Node parse(const std::string& text, int max_depth) {
    Parser parser(text);
    std::vector<Open> stack;
    Node root;
    bool have_root = false;
    // Adds a finished node to the collection on top of the stack, or makes it the root.
    auto add = [&](Node&& n, int line) {
        if (stack.empty()) {
            root = std::move(n);
            have_root = true;
            return;
        }
        Open& top = stack.back();
        if (top.node.is_sequence()) {
            top.node.items.push_back(std::move(n));
        } else if (!top.have_key) {
            if (!n.is_scalar() && !n.is_null()) throw YamlError("a mapping key must be a single value", line);
            if (!top.keys.insert(n.scalar).second) throw YamlError("duplicate key \"" + n.scalar + "\"", line);
            top.key = std::move(n.scalar);
            top.have_key = true;
        } else {
            top.node.entries.emplace_back(std::move(top.key), std::move(n));
            top.have_key = false;
        }
    };
    for (;;) {
        auto ev = parser.next();
        const yaml_event_t& e = ev->e;
        const int line = line_of(e.start_mark);
        switch (e.type) {
            case YAML_STREAM_START_EVENT:
            case YAML_NO_EVENT:
                break;
            case YAML_STREAM_END_EVENT:
                return root;
            case YAML_DOCUMENT_START_EVENT:
                if (have_root) throw YamlError("more than one document", line);
                break;
            case YAML_DOCUMENT_END_EVENT:
                break;
            case YAML_ALIAS_EVENT:
                throw YamlError("aliases (*name) are not supported", line);
            case YAML_SCALAR_EVENT: {
                if (e.data.scalar.anchor) throw YamlError("anchors (&name) are not supported", line);
                if (e.data.scalar.tag && !e.data.scalar.plain_implicit && !e.data.scalar.quoted_implicit)
                    throw YamlError("tags (!name) are not supported", line);
                Node n;
                n.line = line;
                n.scalar.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
                n.quoted = e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
                n.kind = (!n.quoted && n.scalar.empty()) ? Node::Kind::Null : Node::Kind::Scalar;
                add(std::move(n), line);
                break;
            }
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT: {
                const bool seq = e.type == YAML_SEQUENCE_START_EVENT;
                const auto* anchor = seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor;
                const auto* tag = seq ? e.data.sequence_start.tag : e.data.mapping_start.tag;
                const int implicit = seq ? e.data.sequence_start.implicit : e.data.mapping_start.implicit;
                if (anchor) throw YamlError("anchors (&name) are not supported", line);
                if (tag && !implicit) throw YamlError("tags (!name) are not supported", line);
                if (static_cast<int>(stack.size()) >= max_depth) throw DepthError(max_depth, line);
                Open o;
                o.node.kind = seq ? Node::Kind::Sequence : Node::Kind::Mapping;
                o.node.line = line;
                stack.push_back(std::move(o));
                break;
            }
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT: {
                Node n = std::move(stack.back().node);
                stack.pop_back();
                const int start = n.line;
                add(std::move(n), start);
                break;
            }
        }
    }
}

}  // namespace obsmeta::efd::yaml
