// The CAOM-2.4 model as data: every complex type of CAOM-2.4.xsd with its elements in document
// (XSD sequence) order, the Java field each one is (opencadc's checksums visit fields sorted by Java
// field name), its kind, and for lists the item element and the order the Java model keeps them in.
// One description drives the XML reader, the XML writer and the checksum engine.
#pragma once

#include <string_view>
#include <vector>

namespace obsmeta::caom2 {

enum class Kind : unsigned char {
    None,      // absent value
    String,    // java.lang.String (also the string-valued CAOM enums and vocabularies)
    Uri,       // java.net.URI (and ObservationURI / PlaneURI, which hash as their URI)
    Int32,     // Integer (also CalibrationLevel and SegmentType, whose values are Integers)
    Int64,     // Long
    Double,    // Double
    Bool,      // Boolean
    Date,      // java.util.Date, kept as milliseconds since 1970-01-01 UTC
    Object,    // a CAOM value object (recursed into)
    List,      // a List/Set of values
    Children,  // the child entities (planes, artifacts, parts, chunks): not part of metaChecksum
};

// How a Java collection orders its items (the order they are hashed and written in).
enum class Order : unsigned char {
    Document,    // java.util.List: as given
    Sorted,      // TreeSet<String/URI>: sorted by code point
    EnumOrdinal, // TreeSet<enum>: by the order of `values`
};

struct FieldSpec {
    const char* xml = nullptr;      // element name in CAOM-2.4 XML
    const char* java = nullptr;     // Java field name (sort key of the checksum)
    Kind kind = Kind::None;
    const char* type = nullptr;     // Object / List-of-Object / Children: the type name
    Kind item = Kind::None;         // List: kind of the items
    const char* item_xml = nullptr; // List / Children: element name of one item
    Order order = Order::Document;
    bool required = false;
    std::vector<const char*> values;  // enumeration (String or Int32 as text), empty = open
};

struct TypeSpec {
    const char* name = nullptr;
    const char* base = nullptr;        // "Shape" for the xsi:type-selected bounds shapes
    bool entity = false;               // CaomEntity: id, metaProducer, checksums as XML attributes
    bool choice = false;               // exactly one of the fields (CoordBounds2D)
    std::vector<FieldSpec> fields;     // XSD sequence order
    std::vector<int> checksum_order;   // indices into fields, sorted by Java field name

    int index_of(std::string_view xml_name) const;  // -1 when unknown
};

// The type named `name` (e.g. "Chunk", "SpatialWCS"); throws std::out_of_range when unknown.
const TypeSpec& type_spec(std::string_view name);
bool has_type(std::string_view name);

inline constexpr const char* kNamespace = "http://www.opencadc.org/caom2/xml/v2.4";
inline constexpr const char* kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

}  // namespace obsmeta::caom2
