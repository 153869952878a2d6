// Registry rows changed in the current transaction and not yet translated into gen3, per
// attached schema. Filled by the row trigger, emptied by the translation (before commit).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace obsmeta::registry_sql {

using Key = std::vector<std::string>;  // key column values as text, in DimensionTable::key order

struct SchemaKeys {
    std::map<std::string, std::set<Key>> dimensions;  // by registry table
    std::set<std::string> datasets;                   // dataset ids (text)
    std::set<std::string> dataset_types;              // dataset_type ids updated or deleted
    bool collections_changed = false;                 // collection / collection_chain rows
    bool dataset_types_added = false;                 // a new dataset type: maybe a new tags table
    // the rows behind the two flags (collection ids, chains by parent; new dataset_type ids), so
    // that a failure can be listed, and retried, under a registry row's primary key
    std::set<std::string> changed_collections;
    std::set<std::string> added_dataset_types;
    bool empty() const {
        return dimensions.empty() && datasets.empty() && dataset_types.empty() && !collections_changed &&
               !dataset_types_added;
    }
};

// By schema name; cleared at commit and abort.
std::map<std::string, SchemaKeys>& pending_keys();

// Translates every pending key into gen3 rows (which the gen3 triggers then record for the
// conversion). Returns the number of gen3 rows written.
long translate_pending();

}  // namespace obsmeta::registry_sql
