// Rows inserted into one table without the SQL executor: heap tuples written with
// table_multi_insert (WAL-logged as multi-inserts, which logical decoding reads like any insert),
// then the table's index entries (unique ones checked) and its CHECK / NOT NULL constraints, as an
// INSERT does. Triggers, privileges and row-level security are NOT applied: the caller checks
// which triggers an INSERT would fire (insert_trigger_functions) and does their work itself.
#pragma once

#include "pg/postgres.hpp"

#include <string>
#include <vector>

namespace obsmeta::pg {

class BulkInsert {
public:
    BulkInsert(const char* schema, const char* table);  // opens it with RowExclusiveLock, as an INSERT would
    ~BulkInsert();                                       // closes it (the lock stays until the end of the transaction)
    BulkInsert(const BulkInsert&) = delete;
    BulkInsert& operator=(const BulkInsert&) = delete;

    TupleDesc desc() const;
    int column(const char* name) const;  // 0-based attribute index; -1 when the table has no such column
    // schema.function of every trigger an INSERT into the table would fire now (row and statement
    // level, with the session's replication role), in the table's trigger order.
    std::vector<std::string> insert_trigger_functions() const;

    // Forms a row from values/nulls (one per attribute, copied) in the insert's memory; add() it.
    HeapTuple form(const std::vector<Datum>& values, const std::vector<bool>& nulls);
    void add(HeapTuple tuple);
    std::size_t size() const { return tuples_.size(); }
    // Checks the constraints of every row added, writes them in one multi-insert, then their index
    // entries. Called once.
    void finish();

private:
    Relation rel_ = nullptr;
    MemoryContext memory_ = nullptr;
    std::vector<HeapTuple> tuples_;
    int uncaught_at_entry_;
};

}  // namespace obsmeta::pg
