#include "efd/consdb_config.hpp"

#include <cstdlib>

#include "efd/yaml_tree.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd {

namespace {

using yaml::Node;

[[noreturn]] void fail(const ConsdbColumn& c, const std::string& what, int line) {
    throw ConfigError("column \"" + c.name + "\": " + what, line ? line : c.line);
}

std::string scalar(const ConsdbColumn& c, const Node& n, const char* key) {
    if (!n.is_scalar()) fail(c, std::string(key) + " must be a single value", n.line);
    return n.scalar;
}

bool boolean(const ConsdbColumn& c, const Node& n, const char* key) {
    std::string s = scalar(c, n, key);
    if (s == "True" || s == "true" || s == "yes") return true;
    if (s == "False" || s == "false" || s == "no") return false;
    fail(c, std::string(key) + " must be True or False, not \"" + s + "\"", n.line);
}

double number(const ConsdbColumn& c, const Node& n, const char* key) {
    std::string s = scalar(c, n, key);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') fail(c, std::string(key) + " must be a number, not \"" + s + "\"", n.line);
    return d;
}

long integer(const ConsdbColumn& c, const Node& n, const char* key) {
    std::string s = scalar(c, n, key);
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0') fail(c, std::string(key) + " must be an integer, not \"" + s + "\"", n.line);
    return v;
}

// Rubin writes units as astropy strings, some of them quoted inside the YAML string ("\"%\"").
std::string unquote_unit(std::string u) {
    if (u.size() >= 2 && u.front() == '"' && u.back() == '"') u = u.substr(1, u.size() - 2);
    return u;
}

ConsdbColumn read_column(const Node& n) {
    ConsdbColumn c;
    c.line = n.line;
    if (!n.is_mapping()) throw ConfigError("a column entry must be a mapping", n.line);
    const Node* name = n.find("name");
    if (!name || !name->is_scalar() || name->scalar.empty()) throw ConfigError("a column has no name", n.line);
    c.name = name->scalar;
    for (const auto& [key, value] : n.entries) {
        if (key == "name") continue;
        if (key == "tables") {
            if (!value.is_sequence()) fail(c, "tables must be a list", value.line);
            for (const auto& t : value.items) c.tables.push_back(scalar(c, t, "tables"));
        } else if (key == "function") {
            c.function = scalar(c, value, "function");
        } else if (key == "function_args") {
            if (value.is_null()) continue;
            if (!value.is_mapping()) fail(c, "function_args must be a mapping", value.line);
            for (const auto& [k, v] : value.entries) c.function_args[k] = scalar(c, v, "function_args");
        } else if (key == "start_offset") {
            c.start_offset_hours = number(c, value, "start_offset");
        } else if (key == "pre_aggregate_interval") {
            c.pre_aggregate_interval = scalar(c, value, "pre_aggregate_interval");
            c.pre_aggregate_seconds = parse_duration_seconds(c.pre_aggregate_interval);
            if (!c.pre_aggregate_seconds || *c.pre_aggregate_seconds <= 0)
                fail(c, "pre_aggregate_interval \"" + c.pre_aggregate_interval + "\" is not a duration", value.line);
        } else if (key == "store_unpivoted") {
            c.store_unpivoted = boolean(c, value, "store_unpivoted");
        } else if (key == "packed_series") {
            c.packed_series = boolean(c, value, "packed_series");
        } else if (key == "subset_field") {
            c.subset_field = scalar(c, value, "subset_field");
        } else if (key == "subset_value") {
            if (value.is_sequence()) {
                for (const auto& v : value.items) c.subset_values.push_back(integer(c, v, "subset_value"));
            } else {
                c.subset_values.push_back(integer(c, value, "subset_value"));
            }
        } else if (key == "datatype") {
            c.datatype = scalar(c, value, "datatype");
        } else if (key == "ivoa") {
            if (!value.is_mapping()) fail(c, "ivoa must be a mapping", value.line);
            if (const Node* u = value.find("unit")) c.unit = unquote_unit(scalar(c, *u, "unit"));
            if (const Node* u = value.find("ucd")) c.ucd = scalar(c, *u, "ucd");
        } else if (key == "description") {
            c.description = value.is_null() ? std::string() : scalar(c, value, "description");
        } else if (key == "topics") {
            if (!value.is_sequence() || value.items.empty()) fail(c, "topics must be a non-empty list", value.line);
            for (const auto& t : value.items) {
                const Node* tn = t.is_mapping() ? t.find("name") : nullptr;
                const Node* fs = t.is_mapping() ? t.find("fields") : nullptr;
                if (!tn || !fs || !fs->is_sequence()) fail(c, "each topic needs a name and a list of fields", t.line);
                ConsdbTopic topic{scalar(c, *tn, "topic name"), {}};
                for (const auto& f : fs->items) {
                    const Node* fname = f.is_mapping() ? f.find("name") : &f;
                    if (!fname) fail(c, "a field has no name", f.line);
                    topic.fields.push_back(scalar(c, *fname, "field name"));
                }
                c.topics.push_back(std::move(topic));
            }
        } else {
            fail(c, "unknown key \"" + key + "\"", value.line);
        }
    }
    if (c.function.empty()) fail(c, "no function", 0);
    if (c.topics.empty()) fail(c, "no topics", 0);
    if (c.tables.empty()) fail(c, "no tables", 0);
    if (!c.subset_field.empty() && c.subset_values.empty()) fail(c, "subset_field without subset_value", 0);
    return c;
}

}  // namespace

std::optional<double> parse_duration_seconds(const std::string& text) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return std::nullopt;
    std::string unit(end);
    if (unit == "s" || unit.empty()) return v;
    if (unit == "ms") return v / 1000;
    if (unit == "us") return v / 1e6;
    if (unit == "m" || unit == "min") return v * 60;
    if (unit == "h") return v * 3600;
    if (unit == "d") return v * 86400;
    return std::nullopt;
}

ConsdbConfig parse_consdb_config(const std::string& yaml_text, int max_depth) {
    Node doc;
    try {
        doc = yaml::parse(yaml_text, max_depth);
    } catch (const yaml::DepthError&) {
        throw;
    } catch (const yaml::YamlError& e) {
        throw ConfigError(std::string("not a valid configuration file: ") + e.what(), e.line());
    }
    if (!doc.is_mapping()) throw ConfigError("the configuration must be a mapping with a \"columns\" list", 1);
    ConsdbConfig config;
    if (const Node* v = doc.find("version"); v && v->is_scalar()) config.version = v->scalar;
    const Node* columns = doc.find("columns");
    if (!columns || !columns->is_sequence()) throw ConfigError("the configuration has no \"columns\" list", doc.line);
    for (const auto& c : columns->items) config.columns.push_back(read_column(c));
    return config;
}

}  // namespace obsmeta::efd
