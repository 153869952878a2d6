// See bulk_insert.hpp. Follows what COPY FROM does for a plain table (commands/copyfrom.c).
#include "pg/bulk_insert.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

#include <cstring>
#include <exception>

namespace obsmeta::pg {

BulkInsert::BulkInsert(const char* schema, const char* table) : uncaught_at_entry_(std::uncaught_exceptions()) {
    rel_ = call([=] {
        Oid nsp = get_namespace_oid(schema, false);
        Oid relid = get_relname_relid(table, nsp);
        if (!OidIsValid(relid))
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation \"%s.%s\" does not exist", schema, table)));
        return table_open(relid, RowExclusiveLock);
    });
    memory_ = call([] { return AllocSetContextCreate(CurrentMemoryContext, "obsmeta bulk insert", ALLOCSET_DEFAULT_SIZES); });
}

BulkInsert::~BulkInsert() {
    if (std::uncaught_exceptions() > uncaught_at_entry_) return;  // abort processing releases both
    if (memory_ != nullptr) MemoryContextDelete(memory_);
    if (rel_ != nullptr) table_close(rel_, NoLock);
}

TupleDesc BulkInsert::desc() const { return RelationGetDescr(rel_); }

int BulkInsert::column(const char* name) const {
    TupleDesc d = desc();
    for (int i = 0; i < d->natts; ++i) {
        Form_pg_attribute a = TupleDescAttr(d, i);
        if (!a->attisdropped && std::strcmp(NameStr(a->attname), name) == 0) return i;
    }
    return -1;
}

std::vector<std::string> BulkInsert::insert_trigger_functions() const {
    std::vector<std::string> out;
    TriggerDesc* td = rel_->trigdesc;
    if (td == nullptr) return out;
    const bool replica = SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA;
    for (int i = 0; i < td->numtriggers; ++i) {
        const Trigger& t = td->triggers[i];
        if (!TRIGGER_FOR_INSERT(t.tgtype) || t.tgenabled == TRIGGER_DISABLED) continue;
        // (trigger.c's rule: origin triggers skip under the replica role, replica ones otherwise)
        if (replica ? t.tgenabled == TRIGGER_FIRES_ON_ORIGIN : t.tgenabled == TRIGGER_FIRES_ON_REPLICA) continue;
        const Oid fn = t.tgfoid;
        out.push_back(call([fn] {
            char* nsp = get_namespace_name(get_func_namespace(fn));
            char* name = get_func_name(fn);
            return psprintf("%s.%s", nsp ? nsp : "?", name ? name : "?");
        }));
    }
    return out;
}

HeapTuple BulkInsert::form(const std::vector<Datum>& values, const std::vector<bool>& nulls) {
    TupleDesc d = desc();
    if (static_cast<int>(values.size()) != d->natts || values.size() != nulls.size())
        throw Error(ERRCODE_INTERNAL_ERROR, "obsmeta: a bulk-inserted row has the wrong number of columns");
    std::vector<char> isnull(nulls.begin(), nulls.end());  // (bool vectors are packed)
    const Datum* v = values.data();
    const bool* n = reinterpret_cast<const bool*>(isnull.data());
    MemoryContext m = memory_;
    return call([=] {
        MemoryContext old = MemoryContextSwitchTo(m);
        HeapTuple t = heap_form_tuple(d, const_cast<Datum*>(v), const_cast<bool*>(n));
        MemoryContextSwitchTo(old);
        return t;
    });
}

void BulkInsert::add(HeapTuple tuple) {
    HeapTuple copy = call([=] {
        MemoryContext old = MemoryContextSwitchTo(memory_);
        HeapTuple t = heap_copytuple(tuple);
        MemoryContextSwitchTo(old);
        return t;
    });
    tuples_.push_back(copy);
}

void BulkInsert::finish() {
    if (tuples_.empty()) return;
    Relation rel = rel_;
    HeapTuple* tuples = tuples_.data();
    const int n = static_cast<int>(tuples_.size());
    MemoryContext m = memory_;
    call([=] {
        MemoryContext old = MemoryContextSwitchTo(m);
        EState* estate = CreateExecutorState();
        // A range table entry as an INSERT's: constraint errors describe the row with it.
        RangeTblEntry* rte = makeNode(RangeTblEntry);
        rte->rtekind = RTE_RELATION;
        rte->relid = RelationGetRelid(rel);
        rte->relkind = rel->rd_rel->relkind;
        rte->rellockmode = RowExclusiveLock;
        rte->requiredPerms = ACL_INSERT;
        for (int i = 0; i < RelationGetDescr(rel)->natts; ++i)
            rte->insertedCols = bms_add_member(rte->insertedCols, i + 1 - FirstLowInvalidHeapAttributeNumber);
        ExecInitRangeTable(estate, list_make1(rte));
        ResultRelInfo* rri = makeNode(ResultRelInfo);
        ExecInitResultRelation(estate, rri, 1);
        ExecOpenIndices(rri, false);
        const CommandId cid = GetCurrentCommandId(true);
        estate->es_output_cid = cid;

        TupleTableSlot** slots = static_cast<TupleTableSlot**>(palloc(sizeof(TupleTableSlot*) * n));
        for (int i = 0; i < n; ++i) {
            slots[i] = table_slot_create(rel, nullptr);
            ExecForceStoreHeapTuple(tuples[i], slots[i], false);
            if (rel->rd_att->constr != nullptr) ExecConstraints(rri, slots[i], estate);
        }
        BulkInsertState bistate = GetBulkInsertState();
        table_multi_insert(rel, slots, n, cid, 0, bistate);
        FreeBulkInsertState(bistate);
        if (rri->ri_NumIndices > 0) {
            for (int i = 0; i < n; ++i) {
                ResetPerTupleExprContext(estate);
                List* recheck = ExecInsertIndexTuples(rri, slots[i], estate, false, false, nullptr, NIL);
                // (a deferrable unique index would need the AFTER ROW recheck an INSERT queues)
                if (recheck != NIL) elog(ERROR, "obsmeta: bulk insert into a table with a deferrable unique index");
            }
        }
        for (int i = 0; i < n; ++i) ExecDropSingleTupleTableSlot(slots[i]);
        ExecCloseResultRelations(estate);
        ExecCloseRangeTableRelations(estate);
        FreeExecutorState(estate);
        MemoryContextSwitchTo(old);
    });
    tuples_.clear();
}

}  // namespace obsmeta::pg
