// A writer that adds coverage appends a piece to each bucket it grows (obsmeta.coverage_buckets_apply)
// and notes the bucket here; the last step before commit merges the pieces of the noted buckets
// that have enough of them (obsmeta.coverage_compact). There, and not where the pieces are
// written, because a merge rewrites rows that a bucket's recomputation (a hold) must wait for:
// taken at the end, they are held only until the commit, and the writer waits for nothing after
// them, so no wait cycle can pass through them. A subtransaction that aborts leaves its notes:
// merging a bucket's pieces never changes its union.
#include "coverage_sql/compaction.hpp"

#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/transaction_steps.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace obsmeta::coverage_sql {

namespace {

using BucketKey = std::tuple<std::string, std::string, std::string, int64_t>;  // collection, band, span, start (UTC µs)
std::set<BucketKey> grown;

bool has_work() { return !grown.empty(); }

void compact_before_commit() {
    std::vector<std::string> collections, bands, spans;
    std::vector<int64_t> starts;
    for (const auto& [collection, band, span, start] : grown) {
        collections.push_back(collection);
        bands.push_back(band);
        spans.push_back(span);
        starts.push_back(start);
    }
    // Left to a later writer (merging changes no union; a failure here would fail the commit): by
    // a role that may not merge, and under REPEATABLE READ or SERIALIZABLE, where deleting pieces
    // that a recomputation rewrote since the transaction's snapshot is a serialization failure.
    static pg::KeptPlan plan("SELECT obsmeta.coverage_compact($1, $2, $3, $4) "
                             "WHERE current_setting('transaction_isolation') = 'read committed' AND has_function_privilege("
                             "'obsmeta.coverage_compact(text[], text[], text[], timestamptz[])', 'EXECUTE')",
                             {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID});
    pg::SpiConnection spi;
    plan.execute({pg::text_array(collections), pg::text_array(bands), pg::text_array(spans),
                  pg::timestamptz_array(starts)});
    grown.clear();
}

void forget() { grown.clear(); }

}  // namespace

void initialize() {
    pg::register_transaction_step(pg::PreCommitStep::kCoverageCompaction,
                                  {has_work, compact_before_commit, forget, nullptr, nullptr, nullptr, nullptr, nullptr});
}

}  // namespace obsmeta::coverage_sql

using namespace obsmeta;

// obsmeta.coverage_compact_at_commit(collection, band, span, starts timestamp): notes a bucket
// that got a piece in this transaction. A timestamp's value is its UTC wall clock in µs; it goes
// back to SQL as the timestamptz with the same value (SQL takes it AT TIME ZONE 'UTC').
OBSMETA_FUNCTION(obsmeta_coverage_compact_at_commit) {
    coverage_sql::grown.emplace(pg::text_value(PG_GETARG_DATUM(0)), pg::text_value(PG_GETARG_DATUM(1)),
                                pg::text_value(PG_GETARG_DATUM(2)), static_cast<int64_t>(PG_GETARG_INT64(3)));
    PG_RETURN_VOID();
}
