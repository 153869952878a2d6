// Quarantine: rows that cannot be converted under the logical-replication apply worker.
//
// There an ERROR would stop the subscription and retry the same transaction forever. Instead the
// row stays where replication put it, and obsmeta.quarantine lists it (relation, primary key as
// jsonb, stage, SQLSTATE, message, detail, hint, first/last failure, attempts). It leaves the list
// when it converts: in any later transaction that touches it (its key converts without error), or
// through obsmeta.retry_quarantined(). Plain-SQL writers are never quarantined: they get the error.
//
// For any row trigger (the gen3 capture, or a registry's translation triggers):
//   if (auto failure = replication::attempt([&] { ...work that may fail... }))
//       replication::quarantine(rel_oid, replication::row_key(rel, slot), "translate", *failure);
#pragma once

#include "pg/postgres.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace obsmeta::replication {

struct Failure {
    std::string sqlstate;  // five characters, e.g. "22P03"
    std::string message, detail, hint;
};

// Runs `body` in an internal subtransaction. On success the subtransaction is released and the
// result is empty; on any error (C++ or PostgreSQL) it is rolled back, with everything `body`
// wrote, and the error is returned. Memory context and resource owner are the caller's again.
std::optional<Failure> attempt(const std::function<void()>& body);

// What a caught C++ exception says (call inside a catch block).
Failure failure_of_current_exception();

// The row's primary key (replica identity if none) as a jsonb object's text: numbers and booleans
// as JSON values, everything else as JSON strings (the values' output functions).
std::string row_key(Relation rel, TupleTableSlot* slot);
// The columns of that key (primary key, else replica identity; offset by
// FirstLowInvalidHeapAttributeNumber); throws if the relation has neither.
Bitmapset* key_columns(Relation rel);
// The whole row, every column, in the same form (for a row that cannot be kept in its table).
std::string row_json(Relation rel, TupleTableSlot* slot);

// JSON text helpers to build the same keys without a tuple.
std::string json_string(const std::string& s);

// Lists (or, if listed, updates: attempts + 1, last failure) a row that could not be converted.
void quarantine(Oid relation, const std::string& key_json, const char* stage, const Failure& failure);
void quarantine(const char* relation, const std::string& key_json, const char* stage, const Failure& failure);

// Removes the listed rows among these (relation name or oid as text, key) pairs, of any stage or
// only of the comma-separated stages named: they converted, were captured cleanly, or are gone.
void release(const std::vector<std::string>& relations, const std::vector<std::string>& keys,
             const char* only_stage = nullptr);

// Failures that say nothing about the row (deadlock, serialization, resources, cancel, internal
// errors): the transaction must fail and be retried, never quarantine the row.
bool is_transient(const Failure& failure);
// Raises a transient failure again (as pg::Error with its SQLSTATE); returns otherwise.
void rethrow_if_transient(const Failure& failure);

// obsmeta.quarantine_retry_interval (seconds): under the apply worker, after a commit's conversion,
// rows listed at least this long ago (except 'check' ones, which only a new version of the row can
// fix) are tried again. Defined before the "obsmeta" prefix is reserved.
void define_settings();
int retry_interval_seconds();

// Whether anything is listed (one cheap probe; lets conversions skip building keys).
bool anything_quarantined();

}  // namespace obsmeta::replication
