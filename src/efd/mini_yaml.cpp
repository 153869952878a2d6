#include "efd/mini_yaml.hpp"

#include <cctype>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd::yaml {

const Node* Node::find(const std::string& key) const {
    for (const auto& e : entries)
        if (e.first == key) return &e.second;
    return nullptr;
}

namespace {

struct Line {
    int number;
    int indent;
    std::string text;  // without indentation and comment, right-trimmed
};

std::string rtrim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

std::string trim(const std::string& s) {
    std::size_t a = 0;
    while (a < s.size() && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    return rtrim(s.substr(a));
}

// Removes a comment: '#' at the start or after whitespace, outside quotes.
std::string strip_comment(const std::string& s) {
    char quote = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == '\\' && quote == '"') ++i;
            else if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(s[i - 1])))) {
            return s.substr(0, i);
        }
    }
    return s;
}

std::vector<Line> split_lines(const std::string& text) {
    std::vector<Line> lines;
    std::size_t pos = 0;
    int number = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string raw = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        ++number;
        pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        int indent = 0;
        while (indent < static_cast<int>(raw.size()) && raw[indent] == ' ') ++indent;
        if (indent < static_cast<int>(raw.size()) && raw[indent] == '\t')
            throw YamlError("tab used for indentation", number);
        std::string body = rtrim(strip_comment(raw.substr(indent)));
        if (body.empty()) continue;
        if (body == "---" && lines.empty()) continue;
        if (body == "..." ) break;
        lines.push_back({number, indent, body});
    }
    return lines;
}

// Position of the ':' that separates a mapping key from its value (followed by space or end), or npos.
std::size_t key_colon(const std::string& s) {
    char quote = 0;
    int depth = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == '\\' && quote == '"') ++i;
            else if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        else if (c == '[' || c == '{') ++depth;
        else if (c == ']' || c == '}') --depth;
        else if (c == ':' && depth == 0 && (i + 1 == s.size() || s[i + 1] == ' ')) return i;
    }
    return std::string::npos;
}

bool is_seq_item(const std::string& s) { return s == "-" || (s.size() >= 2 && s[0] == '-' && s[1] == ' '); }

class FlowParser {
public:
    FlowParser(const std::string& s, int line) : s_(s), line_(line) {}

    Node parse_all() {
        Node n = value();
        skip_ws();
        if (i_ != s_.size()) fail("unexpected text after value");
        return n;
    }

private:
    const std::string& s_;
    std::size_t i_ = 0;
    int line_;

    [[noreturn]] void fail(const std::string& what) { throw YamlError(what + " in: " + s_, line_); }
    void skip_ws() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }

    Node value(bool in_flow = false) {
        skip_ws();
        if (i_ >= s_.size()) fail("missing value");
        char c = s_[i_];
        if (c == '[') return sequence();
        if (c == '{') return mapping();
        if (c == '"' || c == '\'') return quoted();
        if (c == '&' || c == '*' || c == '!' || c == '|' || c == '>')
            fail(std::string("unsupported YAML feature '") + c + "'");
        return plain(in_flow);
    }

    Node sequence() {
        Node n;
        n.kind = Node::Kind::Sequence;
        n.line = line_;
        ++i_;
        skip_ws();
        if (i_ < s_.size() && s_[i_] == ']') return ++i_, n;
        while (true) {
            n.items.push_back(value(true));
            skip_ws();
            if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
            if (i_ < s_.size() && s_[i_] == ']') { ++i_; return n; }
            fail("expected ',' or ']'");
        }
    }

    Node mapping() {
        Node n;
        n.kind = Node::Kind::Mapping;
        n.line = line_;
        ++i_;
        skip_ws();
        if (i_ < s_.size() && s_[i_] == '}') return ++i_, n;
        while (true) {
            Node key = value(true);
            if (!key.is_scalar()) fail("mapping key must be a scalar");
            skip_ws();
            if (i_ >= s_.size() || s_[i_] != ':') fail("expected ':' after key");
            ++i_;
            n.entries.emplace_back(key.scalar, value(true));
            skip_ws();
            if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
            if (i_ < s_.size() && s_[i_] == '}') { ++i_; return n; }
            fail("expected ',' or '}'");
        }
    }

    Node quoted() {
        char q = s_[i_++];
        Node n;
        n.kind = Node::Kind::Scalar;
        n.quoted = true;
        n.line = line_;
        while (true) {
            if (i_ >= s_.size()) fail("unterminated quoted string");
            char c = s_[i_++];
            if (q == '\'' && c == '\'') {
                if (i_ < s_.size() && s_[i_] == '\'') { n.scalar += '\''; ++i_; continue; }
                return n;
            }
            if (q == '"' && c == '"') return n;
            if (q == '"' && c == '\\') {
                if (i_ >= s_.size()) fail("unterminated escape");
                char e = s_[i_++];
                switch (e) {
                    case 'n': n.scalar += '\n'; break;
                    case 't': n.scalar += '\t'; break;
                    case '"': n.scalar += '"'; break;
                    case '\\': n.scalar += '\\'; break;
                    case '/': n.scalar += '/'; break;
                    default: fail(std::string("unsupported escape \\") + e);
                }
                continue;
            }
            n.scalar += c;
        }
    }

    Node plain(bool in_flow) {
        std::size_t start = i_;
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (in_flow && (c == ',' || c == ']' || c == '}')) break;
            if (in_flow && c == ':' && (i_ + 1 == s_.size() || s_[i_ + 1] == ' ')) break;
            ++i_;
        }
        Node n;
        n.line = line_;
        std::string text = trim(s_.substr(start, i_ - start));
        if (text == "~" || text == "null" || text == "Null" || text == "NULL") return n;
        n.kind = Node::Kind::Scalar;
        n.scalar = text;
        return n;
    }
};

class BlockParser {
public:
    explicit BlockParser(std::vector<Line> lines) : lines_(std::move(lines)) {}

    Node document() {
        if (lines_.empty()) return Node{};
        Node n = block(lines_[0].indent);
        if (i_ < lines_.size()) throw YamlError("unexpected indentation", lines_[i_].number);
        return n;
    }

private:
    std::vector<Line> lines_;
    std::size_t i_ = 0;

    Node block(int indent) {
        const Line& l = lines_[i_];
        if (is_seq_item(l.text)) return sequence(indent);
        if (key_colon(l.text) != std::string::npos) return mapping(indent);
        // A lone scalar (possibly continued on more-indented lines).
        Node n = FlowParser(l.text, l.number).parse_all();
        ++i_;
        return n;
    }

    // The value of a key or item whose inline text is empty: a nested block or null.
    Node nested(int parent_indent, bool allow_same_indent_sequence) {
        if (i_ >= lines_.size()) return Node{};
        const Line& next = lines_[i_];
        if (next.indent > parent_indent) return block(next.indent);
        if (allow_same_indent_sequence && next.indent == parent_indent && is_seq_item(next.text))
            return sequence(parent_indent);
        return Node{};
    }

    // An inline value, with plain-scalar continuation lines.
    Node inline_value(const std::string& text, int indent, int number) {
        Node n = FlowParser(text, number).parse_all();
        if (n.is_scalar() && !n.quoted) {
            while (i_ < lines_.size() && lines_[i_].indent > indent && !is_seq_item(lines_[i_].text) &&
                   key_colon(lines_[i_].text) == std::string::npos) {
                n.scalar += " " + lines_[i_].text;
                ++i_;
            }
        }
        return n;
    }

    Node mapping(int indent) {
        Node n;
        n.kind = Node::Kind::Mapping;
        n.line = lines_[i_].number;
        while (i_ < lines_.size() && lines_[i_].indent == indent && !is_seq_item(lines_[i_].text)) {
            const Line l = lines_[i_];
            std::size_t colon = key_colon(l.text);
            if (colon == std::string::npos) throw YamlError("expected 'key: value'", l.number);
            Node key = FlowParser(l.text.substr(0, colon), l.number).parse_all();
            if (!key.is_scalar()) throw YamlError("mapping key must be a scalar", l.number);
            if (n.find(key.scalar)) throw YamlError("duplicate key \"" + key.scalar + "\"", l.number);
            std::string rest = trim(l.text.substr(colon + 1));
            ++i_;
            Node value = rest.empty() ? nested(indent, true) : inline_value(rest, indent, l.number);
            if (value.line == 0) value.line = l.number;
            n.entries.emplace_back(key.scalar, std::move(value));
        }
        if (i_ < lines_.size() && lines_[i_].indent > indent)
            throw YamlError("unexpected indentation", lines_[i_].number);
        return n;
    }

    Node sequence(int indent) {
        Node n;
        n.kind = Node::Kind::Sequence;
        n.line = lines_[i_].number;
        while (i_ < lines_.size() && lines_[i_].indent == indent && is_seq_item(lines_[i_].text)) {
            Line& l = lines_[i_];
            std::string rest = l.text == "-" ? std::string() : trim(l.text.substr(2));
            if (rest.empty()) {
                ++i_;
                Node item = nested(indent, false);
                if (item.line == 0) item.line = l.number;
                n.items.push_back(std::move(item));
                continue;
            }
            // "- key: value" opens a mapping whose keys sit at the column after "- ".
            int item_indent = indent + static_cast<int>(l.text.size() - rest.size());
            if (is_seq_item(rest) || key_colon(rest) != std::string::npos) {
                l.indent = item_indent;
                l.text = rest;
                n.items.push_back(block(item_indent));
            } else {
                ++i_;
                n.items.push_back(inline_value(rest, indent, l.number));
            }
        }
        return n;
    }
};

}  // namespace

Node parse(const std::string& text) {
    return BlockParser(split_lines(text)).document();
}

}  // namespace obsmeta::efd::yaml
