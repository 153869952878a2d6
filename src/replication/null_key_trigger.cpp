// obsmeta.quarantine_null_key(): BEFORE INSERT OR UPDATE … FOR EACH ROW on every gen3 table,
// ENABLE REPLICA (fires only under a logical-replication apply worker).
//
// A publisher whose table is keyed differently (another primary key, REPLICA IDENTITY FULL) can
// send a row with NULL in a column of obsmeta's primary key. PostgreSQL refuses it before any
// AFTER trigger runs (the key's NOT NULL), and that ERROR would stop the subscription, which would
// retry the same transaction forever. Such a row cannot be kept in its table, so it is skipped and
// listed in obsmeta.quarantine (stage 'check', 23502, PostgreSQL's own message) with the whole row
// as replication delivered it in `detail`: nothing is lost, and the rest of the transaction
// applies. Every other writer keeps PostgreSQL's error (the trigger does not fire for them).
#include "pg/guard.hpp"
#include "pg/relation.hpp"
#include "replication/apply_worker.hpp"
#include "replication/quarantine.hpp"

#include <string>

namespace obsmeta::replication {

namespace {

// The first key column of the row that is NULL, or "" if none.
std::string null_key_column(Relation rel, TupleTableSlot* slot) {
    Bitmapset* columns = key_columns(rel);
    int member = -1;
    while ((member = bms_next_member(columns, member)) >= 0) {
        AttrNumber attnum = member + FirstLowInvalidHeapAttributeNumber;
        bool isnull = false;
        pg::call([=, &isnull] { slot_getattr(slot, attnum, &isnull); });
        if (isnull) return NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname);
    }
    return {};
}

}  // namespace

}  // namespace obsmeta::replication

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_quarantine_null_key) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "obsmeta.quarantine_null_key: not called as a trigger");
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event) || !TRIGGER_FIRED_BEFORE(trigger->tg_event) ||
        TRIGGER_FIRED_BY_DELETE(trigger->tg_event))
        throw pg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                        "obsmeta.quarantine_null_key must be a BEFORE INSERT OR UPDATE … FOR EACH ROW trigger");
    const bool updating = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event);
    HeapTuple tuple = updating ? trigger->tg_newtuple : trigger->tg_trigtuple;
    if (!replication::under_apply_worker()) return PointerGetDatum(tuple);
    Relation rel = trigger->tg_relation;
    TupleTableSlot* slot = updating ? trigger->tg_newslot : trigger->tg_trigslot;
    const std::string column = replication::null_key_column(rel, slot);
    if (column.empty()) return PointerGetDatum(tuple);

    replication::Failure failure;
    failure.sqlstate = "23502";
    failure.message = "null value in column \"" + column + "\" of relation \"" + RelationGetRelationName(rel) +
                      "\" violates not-null constraint";
    failure.detail = "Not stored (a key column is NULL); the row as replication delivered it: " +
                     replication::row_json(rel, slot);
    failure.hint = std::string("obsmeta's primary key of ") + RelationGetRelationName(rel) +
                   " must be the publisher's. Write the row again on the publisher with its key (a DELETE and an "
                   "INSERT: an UPDATE finds no row here), then delete this entry.";
    replication::quarantine(RelationGetRelid(rel), replication::row_key(rel, slot), "check", failure);
    // Skipped: an update leaves the row's last good version in place.
    return PointerGetDatum(nullptr);
}
