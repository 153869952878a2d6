// Which column of caom2.<table> holds which CAOM-2.4 attribute (schema/30_caom2/30_caom2_model.sql: column =
// snake_case of the attribute path, embedded objects flattened with their role as prefix; value
// lists of objects as jsonb arrays of number arrays). Generated once from the model description, so
// it covers every attribute; columns that map to nothing (ids, CaomEntity bookkeeping, obsmeta
// extension and DERIVED columns) are never read for checksums or XML.
#pragma once

#include "caom2/schema.hpp"

#include <string>
#include <vector>

namespace obsmeta::caom2 {

struct ColumnMap {
    enum class Shape { Scalar, Array, JsonList };
    std::string column;
    std::vector<std::string> path;      // element names from the entity down to the value / list
    Kind kind = Kind::None;             // Scalar: the value kind; Array: the item kind
    Shape shape = Shape::Scalar;
    std::string variant;                // type of the polymorphic object on the path ("Polygon", "Circle")
    std::size_t variant_depth = 0;      // index in `path` of the polymorphic element
    const FieldSpec* field = nullptr;   // the field the column fills (its list spec for JsonList/Array)
    // JsonList: one inner array per list item holding these leaves of the item, in this order.
    std::vector<std::vector<std::string>> item_leaves;
    std::vector<Kind> item_kinds;
    std::string item_type;
};

// The columns of the table of entity type `type` ("SimpleObservation"/"DerivedObservation" share
// caom2.observation: pass "DerivedObservation" to include members' siblings; members and provenance
// inputs live in their own tables and are not listed).
const std::vector<ColumnMap>& column_maps(const std::string& entity_type);

std::string snake_case(const std::string& camel);

}  // namespace obsmeta::caom2
