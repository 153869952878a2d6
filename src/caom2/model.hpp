// A CAOM-2.4 observation as a tree of typed values, shaped by schema.hpp. The XML reader and the
// database side build it; the checksum engine and the XML writer read it.
#pragma once

#include "caom2/schema.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace obsmeta::caom2 {

using Uuid = std::array<unsigned char, 16>;

struct Object;

struct Value {
    Kind kind = Kind::None;
    std::string text;            // String, Uri
    std::int64_t integer = 0;    // Int32, Int64, Bool (0/1), Date (ms since 1970-01-01 UTC)
    double number = 0;           // Double
    std::unique_ptr<Object> object;  // Object
    std::vector<Value> items;    // List

    bool present() const { return kind != Kind::None; }
    static Value of_string(std::string s, Kind k = Kind::String) {
        Value v;
        v.kind = k;
        v.text = std::move(s);
        return v;
    }
    static Value of_int(std::int64_t i, Kind k) {
        Value v;
        v.kind = k;
        v.integer = i;
        return v;
    }
    static Value of_double(double d) {
        Value v;
        v.kind = Kind::Double;
        v.number = d;
        return v;
    }
};

struct Object {
    const TypeSpec* type;
    std::vector<Value> slots;  // parallel to type->fields

    explicit Object(const TypeSpec& t) : type(&t), slots(t.fields.size()) {}
    explicit Object(std::string_view type_name) : Object(type_spec(type_name)) {}

    // The slot of element `xml_name`; throws std::out_of_range for an element the type lacks.
    Value& slot(std::string_view xml_name);
    const Value* get(std::string_view xml_name) const;  // nullptr when absent
    // The object in slot `xml_name`, created (of the field's type, or `actual_type`) when absent.
    Object& object(std::string_view xml_name, std::string_view actual_type = {});
    bool empty() const;
};

struct Entity {
    Uuid id{};
    std::string meta_producer;       // empty: absent
    std::string meta_checksum;       // as read or computed ("md5:..."); empty: absent
    std::string acc_meta_checksum;
    std::optional<std::int64_t> last_modified;      // ms since epoch
    std::optional<std::int64_t> max_last_modified;
    Object state;
    std::vector<Entity> children;    // planes / artifacts / parts / chunks

    explicit Entity(std::string_view type_name) : state(type_name) {}
};

// Text forms shared by XML and SQL.
std::string uuid_text(const Uuid& u);
bool parse_uuid(std::string_view s, Uuid& out);  // canonical 8-4-4-4-12, either case
std::string date_text(std::int64_t ms);          // yyyy-MM-ddTHH:mm:ss.SSS (UTC)
bool parse_date(std::string_view s, std::int64_t& ms);
std::string double_text(double d);               // shortest round-trip, Java Double.toString style
bool parse_double(std::string_view s, double& out);
bool parse_integer(std::string_view s, std::int64_t& out);

}  // namespace obsmeta::caom2
