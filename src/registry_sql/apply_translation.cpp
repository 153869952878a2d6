// The registry translation under the logical-replication apply worker: never stalls replication
// (see apply_translation.hpp). The gen3 CHECK functions are strict here, so a registry value gen3
// refuses (an out-of-range dec) fails its registry row's translation and is listed under the
// registry table, not accepted into gen3. A failed part's gen3 rows are rolled back with its
// subtransaction, and so are the keys it recorded for the conversion.
#include "registry_sql/apply_translation.hpp"

#include "gen3_to_caom2/dirty_set.hpp"
#include "replication/apply_worker.hpp"

#include "registry_sql/pending_keys.hpp"
#include "registry_sql/tables.hpp"
#include "replication/quarantine.hpp"

#include <map>
#include <string>
#include <vector>

namespace obsmeta::registry_sql {

namespace {

// One pending registry row: a dimension record, a dataset, or a row that changes what other rows
// mean (a dataset_type row: its datasets, its new tags table; a collection or chain row: the
// collection selection), listed under its own primary key so that obsmeta.retry_quarantined()
// can write it again. Rows recorded without a key (obsmeta.registry_resync) share one entry.
constexpr const char* kDatasetTypeTable = "dataset_type";
constexpr const char* kCollectionTable = "collection";

struct PendingRow {
    std::string schema, table;  // a dimension table, "dataset", "dataset_type", "collection", or "" (no key)
    Key key;
    SchemaKeys flags;  // for dataset_type, collection and keyless rows: what they change

    bool changes_meaning() const { return !flags.empty(); }
    std::string relation() const { return schema + "." + (table.empty() ? std::string(kDatasetTypeTable) : table); }
    std::string key_json() const {
        if (table == kDataset) return "{\"id\": " + replication::json_string(key.at(0)) + "}";
        if (table == kDatasetTypeTable) return "{\"id\": " + key.at(0) + "}";
        if (table == kCollectionTable) return "{\"collection_id\": " + key.at(0) + "}";
        const DimensionTable* t = table.empty() ? nullptr : dimension_table(table);
        std::string json = "{";
        for (size_t i = 0; t && i < t->key.size() && i < key.size(); ++i) {
            bool number = t->key[i].type == "bigint" || t->key[i].type == "integer" || t->key[i].type == "smallint";
            json += (i ? ", " : "") + replication::json_string(t->key[i].name) + ": " +
                    (number ? key[i] : replication::json_string(key[i]));
        }
        return json + "}";
    }
    void add_to(std::map<std::string, SchemaKeys>& out) const {
        SchemaKeys& k = out[schema];
        if (changes_meaning()) {
            k.dataset_types.insert(flags.dataset_types.begin(), flags.dataset_types.end());
            k.collections_changed = k.collections_changed || flags.collections_changed;
            k.dataset_types_added = k.dataset_types_added || flags.dataset_types_added;
        } else if (table == kDataset) {
            k.datasets.insert(key.at(0));
        } else {
            k.dimensions[table].insert(key);
        }
    }
};

std::vector<PendingRow> pending_rows(const std::map<std::string, SchemaKeys>& all) {
    std::vector<PendingRow> rows;
    for (const auto& [schema, keys] : all) {
        for (const auto& id : keys.dataset_types) {
            PendingRow row{schema, kDatasetTypeTable, {id}, {}};
            row.flags.dataset_types.insert(id);
            rows.push_back(row);
        }
        for (const auto& id : keys.added_dataset_types) {
            PendingRow row{schema, kDatasetTypeTable, {id}, {}};
            row.flags.dataset_types_added = true;
            rows.push_back(row);
        }
        for (const auto& id : keys.changed_collections) {
            PendingRow row{schema, kCollectionTable, {id}, {}};
            row.flags.collections_changed = true;
            rows.push_back(row);
        }
        const bool keyless_collections = keys.collections_changed && keys.changed_collections.empty();
        const bool keyless_types = keys.dataset_types_added && keys.added_dataset_types.empty();
        if (keyless_collections || keyless_types) {
            PendingRow flags{schema, "", {}, {}};
            flags.flags.collections_changed = keyless_collections;
            flags.flags.dataset_types_added = keyless_types;
            rows.push_back(flags);
        }
        for (const auto& [table, set] : keys.dimensions)
            for (const auto& key : set) rows.push_back({schema, table, key, {}});
        for (const auto& id : keys.datasets) rows.push_back({schema, kDataset, {id}, {}});
    }
    return rows;
}

void release(const std::vector<PendingRow>& rows, size_t lo, size_t hi) {
    if (!replication::anything_quarantined()) return;
    std::vector<std::string> relations, keys;
    for (size_t i = lo; i < hi; ++i) {
        if (rows[i].table.empty()) continue;
        relations.push_back(rows[i].relation());
        keys.push_back(rows[i].key_json());
    }
    replication::release(relations, keys, "translate");
}

// translate_pending() in a subtransaction, gen3 strictly checked; on failure the conversion's
// recorded keys are those from before (the failed part's gen3 writes are gone).
std::optional<replication::Failure> attempt_translation() {
    gen3_to_caom2::DirtySet before = gen3_to_caom2::dirty();
    replication::StrictChecks strict;
    auto failure = replication::attempt([] { translate_pending(); });
    if (failure) gen3_to_caom2::dirty() = std::move(before);
    return failure;
}

void translate_or_quarantine(const std::vector<PendingRow>& rows, size_t lo, size_t hi) {
    std::map<std::string, SchemaKeys> part;
    for (size_t i = lo; i < hi; ++i) rows[i].add_to(part);
    pending_keys() = std::move(part);
    auto failure = attempt_translation();
    pending_keys().clear();
    if (!failure) {
        release(rows, lo, hi);
        return;
    }
    replication::rethrow_if_transient(*failure);
    if (hi - lo == 1) {
        replication::quarantine(rows[lo].relation().c_str(), rows[lo].key_json(), "translate", *failure);
        return;
    }
    size_t mid = lo + (hi - lo) / 2;
    translate_or_quarantine(rows, lo, mid);
    translate_or_quarantine(rows, mid, hi);
}

}  // namespace

void translate_under_apply_worker() {
    if (pending_keys().empty()) return;
    std::vector<PendingRow> rows = pending_rows(pending_keys());
    auto failure = attempt_translation();
    if (!failure) {
        pending_keys().clear();
        release(rows, 0, rows.size());
        return;
    }
    replication::rethrow_if_transient(*failure);
    pending_keys().clear();
    if (rows.size() == 1) {
        replication::quarantine(rows[0].relation().c_str(), rows[0].key_json(), "translate", *failure);
        return;
    }
    size_t mid = rows.size() / 2;
    translate_or_quarantine(rows, 0, mid);
    translate_or_quarantine(rows, mid, rows.size());
}

}  // namespace obsmeta::registry_sql
