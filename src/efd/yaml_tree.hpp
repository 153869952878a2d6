// YAML documents as a tree of plain C++ values, read with libyaml (Debian libyaml-dev): block and
// flow collections, every scalar style, comments, a leading "---". Anchors, aliases and tags
// raise YamlError (configuration files do not need them, and aliases are how "billion laughs"
// documents grow). The tree is built from libyaml's events with an explicit stack, so no input
// recurses on the C++ stack, and collections nested deeper than max_depth raise DepthError.
#pragma once

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

// Collections nested deeper than the caller's limit.
class DepthError : public YamlError {
public:
    DepthError(int limit, int line)
        : YamlError("collections are nested more than " + std::to_string(limit) + " levels deep", line),
          limit_(limit) {}
    int limit() const { return limit_; }

private:
    int limit_;
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

constexpr int kDefaultMaxDepth = 64;

// The first document of `text`; a Null node for an empty text. Plain empty scalars ("key:") are
// Null. Duplicate mapping keys, non-scalar keys and more than one document raise YamlError.
Node parse(const std::string& text, int max_depth = kDefaultMaxDepth);

}  // namespace obsmeta::efd::yaml
