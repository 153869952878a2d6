// caom2 table rows <-> the CAOM-2.4 model (caom2/model.hpp), using column_map.hpp.
#pragma once

#include "caom2/model.hpp"
#include "caom2_sql/column_map.hpp"
#include "pg/postgres.hpp"

#include <string>
#include <vector>

namespace obsmeta::caom2 {

// The five entity tables, bottom-up.
enum class Level { Chunk = 0, Part = 1, Artifact = 2, Plane = 3, Observation = 4 };

struct TableInfo {
    Level level;
    const char* table;       // caom2.<table>
    const char* id;          // id column
    const char* parent;      // parent id column (nullptr for observation)
    const char* type;        // entity type name (observation: decided by obs_type)
};
const TableInfo& table_info(Level level);
const TableInfo* table_info_by_name(const char* table);

// Fills e.state (and id, metaProducer, timestamps, stored checksums) from one row of the entity's
// table. `entity_type` is the model type ("Chunk", ..., "SimpleObservation"/"DerivedObservation").
void read_row(Entity& e, HeapTuple tuple, TupleDesc desc, Level level);
// For caom2.observation rows: the model type named by obs_type.
std::string observation_type(HeapTuple tuple, TupleDesc desc);

// One value to bind: a column of the entity's table and the Datum for it (built in the current
// memory context). Only present values are listed.
struct ColumnValue {
    std::string column;
    Oid type;
    Datum value;
};
std::vector<ColumnValue> row_values(const Entity& e);

// Arrays of numbers as stored in the jsonb list columns: "[[1.0, 2.0], [3, 4]]".
std::vector<std::vector<double>> parse_number_arrays(const std::string& json);

}  // namespace obsmeta::caom2
