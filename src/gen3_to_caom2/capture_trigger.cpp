// The capture triggers on every gen3 table: the statement-level one reads the statement's
// transition tables, the row-level one (logical replication) one row; both record which mirror
// keys changed. Rows that can never convert (an instrument or dataset
// type obsmeta is not configured for) are rejected here, so the writer hears of it at once.
#include "gen3_to_caom2/config_cache.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "gen3_to_caom2/dirty_set.hpp"
#include "gen3_to_caom2/settings.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "pg/set_returning.hpp"
#include "pg/transaction.hpp"
#include "replication/apply_worker.hpp"
#include "replication/quarantine.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace obsmeta::gen3_to_caom2 {

namespace {

enum class MirrorTable { Exposure, Visit, PhysicalFilter, VisitDefinition, VisitDetectorRegion, Dataset, DatastoreRecord, Patch };

MirrorTable mirror_table(const char* name) {
    if (std::strcmp(name, "exposure") == 0) return MirrorTable::Exposure;
    if (std::strcmp(name, "visit") == 0) return MirrorTable::Visit;
    if (std::strcmp(name, "physical_filter") == 0) return MirrorTable::PhysicalFilter;
    if (std::strcmp(name, "visit_definition") == 0) return MirrorTable::VisitDefinition;
    if (std::strcmp(name, "visit_detector_region") == 0) return MirrorTable::VisitDetectorRegion;
    if (std::strcmp(name, "dataset") == 0) return MirrorTable::Dataset;
    if (std::strcmp(name, "file_datastore_record") == 0) return MirrorTable::DatastoreRecord;
    if (std::strcmp(name, "patch") == 0) return MirrorTable::Patch;
    throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("obsmeta capture trigger attached to unexpected table ") + name);
}

// One transition-table row, read through a slot; attributes looked up by name once per statement.
class RowReader {
public:
    RowReader(TupleTableSlot* slot, TupleDesc desc) : slot_(slot), desc_(desc) {}

    int attnum(const char* column) const {
        TupleDesc desc = desc_;
        int n = SPI_fnumber(desc, column);
        if (n <= 0) throw pg::Error(ERRCODE_INTERNAL_ERROR, std::string("obsmeta: gen3 column missing: ") + column);
        return n;
    }
    Datum value(int column, bool* isnull) const {
        TupleTableSlot* slot = slot_;
        return pg::call([slot, column, isnull] { return slot_getattr(slot, column, isnull); });
    }
    std::string as_text(int attnum) const {
        bool isnull = false;
        Datum d = value(attnum, &isnull);
        return isnull ? std::string() : pg::text_value(d);
    }
    int64_t as_int64(int attnum) const {
        bool isnull = false;
        Datum d = value(attnum, &isnull);
        return isnull ? 0 : DatumGetInt64(d);
    }
    int32_t as_int32(int attnum) const {
        bool isnull = false;
        Datum d = value(attnum, &isnull);
        return isnull ? 0 : DatumGetInt32(d);
    }
    bool is_null(int attnum) const {
        bool isnull = false;
        value(attnum, &isnull);
        return isnull;
    }

private:
    TupleTableSlot* slot_;
    TupleDesc desc_;
};

void require_instrument(const std::string& instrument, const char* table) {
    if (instrument.empty() || configuration().instruments.count(instrument)) return;
    throw pg::Error(ERRCODE_FOREIGN_KEY_VIOLATION,
                    "unknown instrument \"" + instrument + "\" in gen3." + table,
                    "obsmeta converts only the instruments listed in obsmeta.instrument_config.",
                    "Add the instrument first: INSERT INTO obsmeta.instrument_config (instrument, collection, "
                    "facility_name, telescope_name) VALUES ('" + instrument + "', ...).");
}

// A published dataset type must carry the data ID of its observation: otherwise the dataset
// could never convert, and would wait in obsmeta.pending for a parent that cannot exist.
void require_dataset_type(const RowReader& row, const std::string& dataset_type) {
    auto rule = configuration().dataset_types.find(dataset_type);
    if (rule == configuration().dataset_types.end())
        throw pg::Error(ERRCODE_FOREIGN_KEY_VIOLATION, "unknown dataset type \"" + dataset_type + "\" in gen3.dataset",
                        "obsmeta converts or ignores only the dataset types listed in obsmeta.dataset_type_config.",
                        "Add it to obsmeta.dataset_type_config, with publish = false to mirror it without converting.");
    if (!rule->second.publish) return;
    const std::string& level = rule->second.observation_level;
    std::vector<const char*> needed;
    if (level == "exposure") needed = {"instrument", "exposure"};
    else if (level == "visit") needed = {"instrument", "visit"};
    else if (level == "coadd") needed = {"skymap", "tract", "patch", "band"};
    for (const char* column : needed) {
        if (row.is_null(row.attnum(column)))
            throw pg::Error(ERRCODE_NOT_NULL_VIOLATION,
                            "dataset of type \"" + dataset_type + "\" has no " + column + " in its data ID",
                            "Datasets of this type become planes of " + level + " observations, named by " + column + ".",
                            "Fill the data ID columns of gen3.dataset, or set publish = false for this type.");
    }
}

// Records the mirror keys of one row; validates a new row (throws pg::Error if it can never convert).
void capture_row(const RowReader& row, MirrorTable table, const char* table_name, bool new_row, DirtySet& keys) {
    int instrument = table == MirrorTable::DatastoreRecord || table == MirrorTable::Patch ? 0 : row.attnum("instrument");
    switch (table) {
        case MirrorTable::Exposure:
        case MirrorTable::Visit: {
            InstrumentKey key{row.as_text(instrument), row.as_int64(row.attnum("id"))};
            if (new_row) require_instrument(key.instrument, table_name);
            (table == MirrorTable::Exposure ? keys.exposures : keys.visits).insert(std::move(key));
            break;
        }
        case MirrorTable::PhysicalFilter:
            keys.filters.insert({row.as_text(instrument), row.as_text(row.attnum("name"))});
            break;
        case MirrorTable::VisitDefinition: {
            std::string instr = row.as_text(instrument);
            keys.exposures.insert({instr, row.as_int64(row.attnum("exposure"))});
            keys.visits.insert({instr, row.as_int64(row.attnum("visit"))});
            break;
        }
        case MirrorTable::VisitDetectorRegion:
            keys.regions.insert({row.as_text(instrument), row.as_int64(row.attnum("visit")), row.as_int32(row.attnum("detector"))});
            break;
        case MirrorTable::Dataset: {
            bool isnull = false;
            Datum id = row.value(row.attnum("id"), &isnull);
            if (new_row) {
                require_dataset_type(row, row.as_text(row.attnum("dataset_type")));
                require_instrument(row.as_text(instrument), table_name);
            }
            keys.datasets.insert(pg::uuid_value(id));
            break;
        }
        case MirrorTable::Patch:
            keys.patches.insert({row.as_text(row.attnum("skymap")), row.as_int32(row.attnum("tract")),
                                 row.as_int32(row.attnum("id"))});
            break;
        case MirrorTable::DatastoreRecord: {
            bool isnull = false;
            Datum id = row.value(row.attnum("dataset_id"), &isnull);
            keys.datasets.insert(pg::uuid_value(id));
            break;
        }
    }
}

// Quarantined rows that were captured cleanly again (or deleted) leave obsmeta.quarantine:
// of a deleted row every entry, of a new row those of the row itself (check, capture).
struct ReleasedRows {
    std::vector<std::string> relations, keys;
    void add(Relation rel, TupleTableSlot* slot) {
        relations.push_back(std::to_string(RelationGetRelid(rel)));
        keys.push_back(replication::row_key(rel, slot));
    }
    void release(bool deleted) {
        if (!relations.empty()) replication::release(relations, keys, deleted ? nullptr : "check,capture");
    }
};

// Records the keys of every row of one transition table; validates new rows.
void capture(Tuplestorestate* rows, Relation rel, MirrorTable table, bool new_rows, bool deleted) {
    TupleDesc desc = RelationGetDescr(rel);
    const char* table_name = RelationGetRelationName(rel);
    TupleTableSlot* slot = pg::call([=] { return MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple); });
    RowReader row(slot, desc);
    DirtySet& keys = dirty();
    bool releasing = (new_rows || deleted) && replication::anything_quarantined();
    ReleasedRows released;

    pg::call([=] { tuplestore_rescan(rows); });
    while (pg::call([=] { return tuplestore_gettupleslot(rows, true, false, slot); })) {
        capture_row(row, table, table_name, new_rows, keys);
        if (releasing) released.add(rel, slot);
    }
    released.release(deleted);
    pg::call([=] { ExecDropSingleTupleTableSlot(slot); });
}

// Under the apply worker the CHECK functions accepted what they would reject (apply_worker.hpp):
// checks the row's constraints again, strictly, as any other writer's row is checked.
void recheck_constraints(Relation rel, TupleTableSlot* slot) {
    if (RelationGetDescr(rel)->constr == nullptr) return;
    replication::StrictChecks strict;
    pg::call([=] {
        EState* estate = CreateExecutorState();
        ResultRelInfo* info = makeNode(ResultRelInfo);
        InitResultRelInfo(info, rel, 0, nullptr, 0);
        ExecConstraints(info, slot, estate);
        FreeExecutorState(estate);
    });
}

// A new row applied by the apply worker: kept and quarantined instead of failing the subscription
// if it breaks a constraint or can never convert (returns false); released from quarantine if it
// was listed.
bool capture_applied_row(Relation rel, TupleTableSlot* slot, MirrorTable table) {
    RowReader row(slot, RelationGetDescr(rel));
    if (replication::lenient_acceptances() > 0) {
        if (auto failure = replication::attempt([&] { recheck_constraints(rel, slot); })) {
            replication::rethrow_if_transient(*failure);
            replication::forget_lenient_acceptance();
            replication::quarantine(RelationGetRelid(rel), replication::row_key(rel, slot), "check", *failure);
            return false;
        }
    }
    DirtySet keys;
    try {
        capture_row(row, table, RelationGetRelationName(rel), true, keys);
    } catch (const pg::Error&) {
        // Our own validation (no PostgreSQL state to roll back): the row waits for its configuration.
        replication::quarantine(RelationGetRelid(rel), replication::row_key(rel, slot), "capture",
                                replication::failure_of_current_exception());
        return false;
    }
    dirty().merge(std::move(keys));
    if (replication::anything_quarantined()) {
        ReleasedRows released;
        released.add(rel, slot);
        released.release(false);
    }
    return true;
}

}  // namespace

}  // namespace obsmeta::gen3_to_caom2

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_gen3_capture) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta_gen3_capture: not called as a trigger");
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_FOR_STATEMENT(trigger->tg_event) || !TRIGGER_FIRED_AFTER(trigger->tg_event))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                        "obsmeta_gen3_capture must be an AFTER ... FOR EACH STATEMENT trigger with transition tables");
    Relation rel = trigger->tg_relation;
    auto table = gen3_to_caom2::mirror_table(RelationGetRelationName(rel));
    if (trigger->tg_oldtable) {
        gen3_to_caom2::capture(trigger->tg_oldtable, rel, table, false, trigger->tg_newtable == nullptr);
        gen3_to_caom2::dirty().removals = true;
    }
    if (trigger->tg_newtable) gen3_to_caom2::capture(trigger->tg_newtable, rel, table, true, false);
    if (gen3_to_caom2::convert_at_statement_end()) gen3_to_caom2::flush();
    return PointerGetDatum(nullptr);
}

// The row-level AFTER trigger on every gen3 table, ENABLE REPLICA: a logical-replication apply
// worker fires row triggers only (never statement triggers; its table sync's COPY fires row
// triggers too). The statement triggers above are ENABLE ORIGIN, so no row is captured twice.
// Under the apply worker a row that cannot convert is quarantined, never an ERROR that would stop
// the subscription; conversion waits for the commit as for any writer (transaction.cpp).
OBSMETA_FUNCTION(obsmeta_gen3_capture_row) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta_gen3_capture_row: not called as a trigger");
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event) || !TRIGGER_FIRED_AFTER(trigger->tg_event))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta_gen3_capture_row must be an AFTER ... FOR EACH ROW trigger");
    Relation rel = trigger->tg_relation;
    const char* name = RelationGetRelationName(rel);
    auto table = gen3_to_caom2::mirror_table(name);
    TupleDesc desc = RelationGetDescr(rel);
    bool inserted = TRIGGER_FIRED_BY_INSERT(trigger->tg_event), updated = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event);
    bool deleted = TRIGGER_FIRED_BY_DELETE(trigger->tg_event);
    auto& keys = gen3_to_caom2::dirty();
    TupleTableSlot* new_slot = updated ? trigger->tg_newslot : inserted ? trigger->tg_trigslot : nullptr;
    TupleTableSlot* old_slot = inserted ? nullptr : trigger->tg_trigslot;
    // Under the apply worker a new row version that is quarantined leaves CAOM2 as the last good
    // version made it: the old version's keys are then not recorded either.
    if (replication::under_apply_worker()) {
        if (new_slot && !gen3_to_caom2::capture_applied_row(rel, new_slot, table)) return PointerGetDatum(nullptr);
        if (old_slot) {
            gen3_to_caom2::capture_row(gen3_to_caom2::RowReader(old_slot, desc), table, name, false, keys);
            keys.removals = true;
        }
        if (deleted && replication::anything_quarantined()) {
            gen3_to_caom2::ReleasedRows released;
            released.add(rel, old_slot);
            released.release(true);
        }
        return PointerGetDatum(nullptr);  // converted at commit
    }
    if (old_slot) {
        gen3_to_caom2::capture_row(gen3_to_caom2::RowReader(old_slot, desc), table, name, false, keys);
        keys.removals = true;
    }
    if (new_slot) gen3_to_caom2::capture_row(gen3_to_caom2::RowReader(new_slot, desc), table, name, true, keys);
    if (gen3_to_caom2::convert_at_statement_end()) gen3_to_caom2::flush();
    return PointerGetDatum(nullptr);
}

// Statement trigger on the configuration tables: every backend drops its cached configuration.
OBSMETA_FUNCTION(obsmeta_config_changed) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta_config_changed: not called as a trigger");
    Relation rel = reinterpret_cast<TriggerData*>(fcinfo->context)->tg_relation;
    pg::call([=] { CacheInvalidateRelcache(rel); });
    return PointerGetDatum(nullptr);
}
