// A small YAML reader for configuration files such as Rubin's transformed-EFD config: block
// mappings and sequences (a sequence may sit at its parent key's indentation), flow sequences and
// mappings ([a, "b"], {"k": v}), plain, single- and double-quoted scalars, plain scalars continued
// on more-indented lines, comments, and a leading "---". No anchors, tags or block scalars (| >):
// those raise YamlError, so an unsupported file fails loudly instead of being misread.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace obsmeta::efd::yaml {

class YamlError : public std::runtime_error {
public:
    YamlError(const std::string& message, int line)
        : std::runtime_error("line " + std::to_string(line) + ": " + message), line_(line) {}
    int line() const { return line_; }

private:
    int line_;
};

struct Node {
    enum class Kind { Null, Scalar, Sequence, Mapping } kind = Kind::Null;
    std::string scalar;                            // Scalar (quotes removed)
    bool quoted = false;                           // the scalar was quoted (so "1" stays a string)
    std::vector<Node> items;                       // Sequence
    std::vector<std::pair<std::string, Node>> entries;  // Mapping, in file order
    int line = 0;                                  // 1-based line where the node starts

    bool is_null() const { return kind == Kind::Null; }
    bool is_scalar() const { return kind == Kind::Scalar; }
    bool is_sequence() const { return kind == Kind::Sequence; }
    bool is_mapping() const { return kind == Kind::Mapping; }
    // Mapping lookup; nullptr when absent.
    const Node* find(const std::string& key) const;
};

Node parse(const std::string& text);

}  // namespace obsmeta::efd::yaml
