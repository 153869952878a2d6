// The registry tables obsmeta reads, what identifies a changed row of each (captured by the row
// trigger), and the gen3 table each dimension table is translated into.
#pragma once

#include <string>
#include <vector>

namespace obsmeta::registry_sql {

struct Column {
    std::string name;  // the same in the registry table and in gen3
    std::string type;  // SQL type of the gen3 column (keys travel as text and are cast back)
};

struct DimensionTable {
    std::string registry_table;
    std::string gen3_table;
    std::vector<Column> key;
    // gen3 column and the expression over the registry row `r` that fills it
    std::vector<std::pair<std::string, std::string>> values;
};

// In translation order: parents before children (gen3 has no foreign keys, but converting a child
// in the same batch as its parent avoids a round through obsmeta.pending).
const std::vector<DimensionTable>& dimension_tables();
const DimensionTable* dimension_table(const std::string& kind);

// Trigger kinds that are not dimension tables: their rows name datasets or change the selection.
constexpr const char* kDataset = "dataset";                 // dataset(id)
constexpr const char* kDatasetTags = "dataset_tags";        // dataset_tags_NNNNNNNN(dataset_id)
constexpr const char* kDatastoreRecords = "datastore_records";  // file_datastore_records(dataset_id)
constexpr const char* kDatasetType = "dataset_type";        // a type renamed/removed, or a new tags table
constexpr const char* kCollection = "collection";           // collection, collection_chain: the selection

}  // namespace obsmeta::registry_sql
