// obsmeta.registry_capture(kind): the AFTER … FOR EACH ROW trigger on an attached registry's
// tables. Row-level (not statement-level) because a logical-replication apply worker fires only
// row triggers. It checks what the translation will decode (timespans, regions, ingest dates,
// required names), so a bad row is refused by the statement that wrote it, and records the row's
// key; translate.cpp turns the keys into gen3 rows before commit. Under the logical-replication
// apply worker a refused row is quarantined instead (stage 'translate'; an error there would stall
// the subscription): it stays in the registry table, gen3 keeps its last good version, and it is
// translated when a new version of it (or obsmeta.retry_quarantined, after a configuration fix)
// passes the checks.
#include "gen3_to_caom2/config_cache.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "registry_sql/decoders.hpp"
#include "registry_sql/pending_keys.hpp"
#include "registry_sql/tables.hpp"
#include "registry_sql/unfollowed_datasets.hpp"
#include "replication/apply_worker.hpp"
#include "replication/quarantine.hpp"

#include <cstring>
#include <optional>
#include <string>

namespace obsmeta::registry_sql {

namespace {

std::map<std::string, SchemaKeys> the_pending_keys;

struct RowView {
    Relation rel;
    HeapTuple tuple;
    std::string table;

    int attnum(const char* column) const {
        int n = SPI_fnumber(RelationGetDescr(rel), column);
        if (n <= 0)
            throw pg::Error(ERRCODE_UNDEFINED_COLUMN, "registry table " + table + " has no column " + column,
                            "obsmeta reads registries made by daf_butler's default managers.",
                            "Detach the registry (obsmeta.detach_registry) or attach a registry of the expected layout.");
        return n;
    }
    bool has(const char* column) const { return SPI_fnumber(RelationGetDescr(rel), column) > 0; }
    bool is_null(const char* column) const {
        bool isnull = false;
        int n = attnum(column);
        HeapTuple t = tuple;
        TupleDesc d = RelationGetDescr(rel);
        pg::call([&] { heap_getattr(t, n, d, &isnull); });
        return isnull;
    }
    Datum value(const char* column, bool* isnull) const {
        int n = attnum(column);
        HeapTuple t = tuple;
        TupleDesc d = RelationGetDescr(rel);
        return pg::call([=] { return heap_getattr(t, n, d, isnull); });
    }
    std::string text(const char* column) const {
        int n = attnum(column);
        HeapTuple t = tuple;
        TupleDesc d = RelationGetDescr(rel);
        char* s = pg::call([=] { return SPI_getvalue(t, d, n); });
        return s ? std::string(s) : std::string();
    }
    // a uuid column's value (nothing when NULL or when the registry's ids are not uuids)
    std::optional<pg::Uuid> uuid(const char* column) const {
        if (SPI_gettypeid(RelationGetDescr(rel), attnum(column)) != UUIDOID) return std::nullopt;
        bool isnull = false;
        Datum d = value(column, &isnull);
        if (isnull) return std::nullopt;
        return pg::uuid_value(d);
    }
    std::string where(const std::string& column) const { return table + "." + column + " of " + describe_key() + ""; }
    std::string describe_key() const { return "row " + key_text_; }
    std::string key_text_;
};

// Refuses values the translation could not decode, naming the row.
void check_row(const RowView& row, const std::string& kind) {
    if (row.has("timespan")) {
        bool isnull = false;
        Datum ts = row.value("timespan", &isnull);
        if (!isnull) {
            TaiBounds b = timespan_bounds(ts);
            if (b.begin) utc_of_tai_ns(*b.begin, row.where("timespan"));
            if (b.end) utc_of_tai_ns(*b.end, row.where("timespan"));
        }
    }
    if (row.has("region") && !row.is_null("region")) region_bytes(row.text("region"), row.where("region"));
    if (kind == "exposure" || kind == "visit") {
        const std::string instrument = row.text("instrument");
        if (!gen3_to_caom2::configuration().instruments.count(instrument))
            throw pg::Error(ERRCODE_FOREIGN_KEY_VIOLATION,
                            "unknown instrument \"" + instrument + "\" in registry table " + row.table,
                            "obsmeta converts only the instruments listed in obsmeta.instrument_config.",
                            "Add the instrument to obsmeta.instrument_config (see test/registry/hsc_config.sql).");
        const char* name = kind == "exposure" ? "obs_id" : "name";
        if (row.is_null(name))
            throw pg::Error(ERRCODE_NOT_NULL_VIOLATION,
                            "registry " + kind + " " + instrument + "/" + row.text("id") + " has no " + name,
                            "obsmeta names the CAOM2 observation of an " + kind + " by its " + name + ".",
                            std::string("Set ") + name + " in the registry row.");
    }
    if (kind == kDataset) {
        bool isnull = false;
        Datum ingest = row.value("ingest_date", &isnull);
        // datasets manager 2.x: bigint TAI ns (1.x: timestamp, nothing to decode)
        if (!isnull && SPI_gettypeid(RelationGetDescr(row.rel), row.attnum("ingest_date")) == INT8OID)
            utc_of_tai_ns(DatumGetInt64(ingest), row.where("ingest_date"));
    }
}

// A new dataset, tags or datastore row of a dataset obsmeta does not follow (unfollowed_datasets.hpp):
// the translation would drop it, so it is neither checked nor recorded.
bool unfollowed(const std::string& schema, const std::string& kind, const RowView& row) {
    auto type_followed = [&] {
        bool isnull = false;
        Datum type = row.value("dataset_type_id", &isnull);
        if (isnull) return true;
        Oid oid = SPI_gettypeid(RelationGetDescr(row.rel), row.attnum("dataset_type_id"));
        int64_t id = oid == INT8OID ? DatumGetInt64(type) : oid == INT4OID ? DatumGetInt32(type) : std::stoll(row.text("dataset_type_id"));
        return dataset_type_followed(schema, id);
    };
    if (kind == kDataset) {
        if (type_followed()) return false;
        if (auto id = row.uuid("id")) dataset_dropped(*id);
        return true;
    }
    if (kind != kDatasetTags && kind != kDatastoreRecords) return false;
    if (auto id = row.uuid("dataset_id"); id && was_dropped(*id)) return true;
    return kind == kDatasetTags && row.has("dataset_type_id") && !type_followed();
}

void record(SchemaKeys& keys, const std::string& kind, const RowView& row) {
    if (const DimensionTable* t = dimension_table(kind)) {
        Key key;
        for (const auto& c : t->key) key.push_back(row.text(c.name.c_str()));
        keys.dimensions[kind].insert(std::move(key));
    } else if (kind == kDataset) {
        keys.datasets.insert(row.text("id"));
        if (auto id = row.uuid("id")) dataset_recorded(*id);
    } else if (kind == kDatasetTags || kind == kDatastoreRecords) {
        keys.datasets.insert(row.text("dataset_id"));
    } else if (kind == kDatasetType) {
        keys.dataset_types.insert(row.text("id"));
    } else if (kind == kCollection) {
        keys.collections_changed = true;
        keys.changed_collections.insert(row.text(row.has("parent") ? "parent" : "collection_id"));
    } else {
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta.registry_capture: unknown kind " + kind);
    }
}

}  // namespace

std::map<std::string, SchemaKeys>& pending_keys() { return the_pending_keys; }

}  // namespace obsmeta::registry_sql

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_registry_capture) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta.registry_capture: not called as a trigger");
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event) || !TRIGGER_FIRED_AFTER(trigger->tg_event) ||
        trigger->tg_trigger->tgnargs != 1)
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                        "obsmeta.registry_capture must be an AFTER … FOR EACH ROW trigger with one argument (the kind)");
    const std::string kind = trigger->tg_trigger->tgargs[0];
    Relation rel = trigger->tg_relation;
    const std::string schema = pg::call([=] { return static_cast<const char*>(get_namespace_name(RelationGetNamespace(rel))); });
    registry_sql::SchemaKeys& keys = registry_sql::pending_keys()[schema];
    const std::string table = schema + "." + RelationGetRelationName(rel);

    if (kind == registry_sql::kDatasetType) registry_sql::dataset_types_changed(schema);
    if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event) && kind == registry_sql::kDatasetType) {
        keys.dataset_types_added = true;  // no dataset can have this type yet: only its tags table matters
        registry_sql::RowView row{rel, trigger->tg_trigtuple, table, {}};
        keys.added_dataset_types.insert(row.text("id"));
        return PointerGetDatum(nullptr);
    }
    if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event) &&
        registry_sql::unfollowed(schema, kind, registry_sql::RowView{rel, trigger->tg_trigtuple, table, {}}))
        return PointerGetDatum(nullptr);
    // the new row of an insert or update is checked first; then the old row of an update or
    // delete and the new row are recorded
    const bool deleting = TRIGGER_FIRED_BY_DELETE(trigger->tg_event);
    if (!deleting) {
        const bool updating = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event);
        HeapTuple tuple = updating ? trigger->tg_newtuple : trigger->tg_trigtuple;
        registry_sql::RowView new_row{rel, tuple, table, {}};
        new_row.key_text_ = kind == registry_sql::kDataset ? new_row.text("id") : std::string();
        if (auto* t = registry_sql::dimension_table(kind)) {
            for (const auto& c : t->key) new_row.key_text_ += (new_row.key_text_.empty() ? "" : "/") + new_row.text(c.name.c_str());
        }
        if (!replication::under_apply_worker()) {
            registry_sql::check_row(new_row, kind);
        } else if (auto failure = replication::attempt([&] { registry_sql::check_row(new_row, kind); })) {
            replication::rethrow_if_transient(*failure);
            TupleTableSlot* slot = updating ? trigger->tg_newslot : trigger->tg_trigslot;
            replication::quarantine(RelationGetRelid(rel), replication::row_key(rel, slot), "translate", *failure);
            return PointerGetDatum(nullptr);
        }
    }
    if (!TRIGGER_FIRED_BY_INSERT(trigger->tg_event)) {
        registry_sql::RowView old_row{rel, trigger->tg_trigtuple, table, {}};
        registry_sql::record(keys, kind, old_row);
    }
    if (!deleting) {
        HeapTuple tuple = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ? trigger->tg_newtuple : trigger->tg_trigtuple;
        registry_sql::RowView new_row{rel, tuple, table, {}};
        registry_sql::record(keys, kind, new_row);
    }
    return PointerGetDatum(nullptr);
}
