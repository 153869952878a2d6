// Checksum maintenance deferred to the end of a batch of writes (the conversion's).
//
// Normally every statement that writes caom2 rows recomputes, at its end, the accMetaChecksum of the
// rows' ancestors. A conversion batch writes artifacts, parts and chunks in one statement and then
// planes and observations in others, so statement by statement the same parts, artifacts, planes and
// observations would be rewritten several times. While a ChecksumBatch is open the statement triggers
// only record which rows need their accMetaChecksum (or, after member / input changes, their
// metaChecksum) recomputed; finish() then recomputes bottom-up once, each row at most once.
// metaChecksum of a written row is still set by the BEFORE ROW trigger, as always.
#pragma once

#include "pg/datum.hpp"
#include "pg/postgres.hpp"

#include <set>

namespace obsmeta::caom2 {

class ChecksumBatch {
public:
    ChecksumBatch();  // batches nest: only the outermost one recomputes
    ~ChecksumBatch();  // the outermost one forgets what was recorded (all of it if finish() was not reached)
    ChecksumBatch(const ChecksumBatch&) = delete;
    ChecksumBatch& operator=(const ChecksumBatch&) = delete;

    // Recomputes what the batch recorded (needs an SPI connection). Call once, before the
    // transaction can see the rows (the end of the conversion).
    void finish();
};

// For rows a batch inserts without the executor (pg/bulk_insert.hpp: the conversion's new files),
// what the checksum triggers would do. The rows of a table are passed bottom-up (chunks, then
// parts, then artifacts), as the conversion's INSERT statement wrote them.
bool batch_open();
// caom2.checksum_row on a row about to be inserted into caom2.<table>: the row with its checksums.
HeapTuple batch_inserted_row(HeapTuple tuple, TupleDesc desc, const char* table);
// caom2.checksum_propagate after the INSERT: `ids` of the rows inserted, `parents` their parents' ids.
void batch_inserted_statement(const char* table, const std::set<pg::Uuid>& ids, const std::set<pg::Uuid>& parents);

}  // namespace obsmeta::caom2
