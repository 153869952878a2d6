// Conversion that never stalls logical replication, and the retry of quarantined rows.
//
// Under the apply worker the commit's conversion runs in a subtransaction; if it fails, the batch
// is split in halves, recursively, each half converted in its own subtransaction, down to the
// single mirror rows that fail: those are quarantined (obsmeta.quarantine, stage 'convert') and
// everything else converts. One bad row costs about 2·log2(batch) extra conversions of shrinking
// batches. Failures that say nothing about a row (deadlock, cancel, resources) still fail the
// transaction, which the apply worker retries. After the commit's conversion, listed rows that are
// due (obsmeta.quarantine_retry_interval) are tried again: a parent or configuration fixed since
// lets them convert without anyone writing them again.
#include "gen3_to_caom2/apply_conversion.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "gen3_to_caom2/mirror_rows.hpp"
#include "pg/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "registry_sql/pending_keys.hpp"
#include "replication/apply_worker.hpp"
#include "replication/quarantine.hpp"

namespace obsmeta::gen3_to_caom2 {

namespace {

// Converts rows[lo, hi) in a subtransaction; on failure halves the range until single rows fail.
void convert_or_quarantine(const std::vector<MirrorRow>& rows, size_t lo, size_t hi, bool removals) {
    DirtySet part;
    for (size_t i = lo; i < hi; ++i) rows[i].add_to(part);
    part.removals = removals;
    dirty() = std::move(part);
    auto failure = replication::attempt([] { flush(); });
    dirty().clear();
    if (!failure) return;
    replication::rethrow_if_transient(*failure);
    if (hi - lo == 1) {
        replication::quarantine(rows[lo].relation(), rows[lo].key_json(), "convert", *failure);
        return;
    }
    size_t mid = lo + (hi - lo) / 2;
    convert_or_quarantine(rows, lo, mid, removals);
    convert_or_quarantine(rows, mid, hi, removals);
}

// A listed row: tried again by writing it unchanged, so that its capture (or a registry's
// capture) trigger runs as for a new write, then translating (a registry row; gen3 strictly
// checked, as under the apply worker) and converting, in a subtransaction. Those paths
// release the row from the list when they succeed (or list it again, attempts + 1); a failure that
// reaches here updates the entry; a row that is gone leaves the list. Returns whether it left.
struct ListedRow {
    Oid relation;
    std::string key, stage;
};

bool retry(const ListedRow& row) {
    static pg::KeptPlan touch("SELECT obsmeta.quarantine_touch($1, $2::pg_catalog.jsonb)", {OIDOID, TEXTOID});
    static pg::KeptPlan still_listed(
        "SELECT EXISTS (SELECT FROM obsmeta.quarantine WHERE relation = $1 AND row_key = $2::pg_catalog.jsonb)",
        {OIDOID, TEXTOID});
    DirtySet others = std::move(dirty());
    dirty().clear();
    bool gone = false, translated = false;
    auto failure = replication::attempt([&row, &gone, &translated] {
        {
            pg::SpiConnection spi;
            Datum key = pg::call([&row] { return CStringGetTextDatum(row.key.c_str()); });
            touch.execute({ObjectIdGetDatum(row.relation), key});
            gone = pg::result_int64(0, 1) == 0;
        }
        if (!registry_sql::pending_keys().empty()) {  // its capture checks passed (else it is listed again)
            replication::StrictChecks strict;
            registry_sql::translate_pending();
            translated = true;
        }
        flush();
    });
    registry_sql::pending_keys().clear();
    dirty() = std::move(others);
    if (failure) {
        replication::rethrow_if_transient(*failure);
        replication::quarantine(row.relation, row.key, row.stage.c_str(), *failure);
        return false;
    }
    // a registry row that passed its capture checks and translated
    if (gone || translated) replication::release({std::to_string(row.relation)}, {row.key});
    pg::SpiConnection spi;
    Datum key = pg::call([&row] { return CStringGetTextDatum(row.key.c_str()); });
    still_listed.execute({ObjectIdGetDatum(row.relation), key});  // not read-only: sees this transaction's deletes
    return !pg::result_bool(0, 1);
}

// The listed rows of one relation (or all, InvalidOid), oldest first; `due_only`: only those whose
// last failure is at least obsmeta.quarantine_retry_interval old and that a retry can fix (not
// 'check': only a new version of the row can), at most 100.
std::vector<ListedRow> listed_rows(Oid relation, bool due_only) {
    static pg::KeptPlan plan(
        "SELECT relation::pg_catalog.oid, row_key::pg_catalog.text, stage FROM obsmeta.quarantine"
        " WHERE ($1 IS NULL OR relation = $1)"
        "   AND (NOT $2 OR (stage <> 'check' AND last_failed <= pg_catalog.now() - pg_catalog.make_interval(secs => $3)))"
        " ORDER BY last_failed, relation, row_key LIMIT CASE WHEN $2 THEN 100 END",
        {OIDOID, BOOLOID, FLOAT8OID});
    std::vector<ListedRow> rows;
    pg::SpiConnection spi;
    uint64 n = plan.execute({ObjectIdGetDatum(relation), BoolGetDatum(due_only),
                             Float8GetDatum(replication::retry_interval_seconds())},
                            true, OidIsValid(relation) ? "   " : "n  ");
    for (uint64 i = 0; i < n; ++i) {
        bool isnull = false;
        rows.push_back({DatumGetObjectId(pg::result_value(i, 1, &isnull)), pg::result_text(i, 2), pg::result_text(i, 3)});
    }
    return rows;
}

void convert_batch_or_quarantine() {
    if (dirty().empty()) return;
    auto failure = replication::attempt([] { flush(); });
    if (!failure) return;
    replication::rethrow_if_transient(*failure);
    // flush() put the (expanded) batch back into the dirty set when it failed.
    DirtySet batch = std::move(dirty());
    dirty().clear();
    std::vector<MirrorRow> rows = mirror_rows(batch);
    if (rows.size() == 1) {
        replication::quarantine(rows[0].relation(), rows[0].key_json(), "convert", *failure);
        return;
    }
    size_t mid = rows.size() / 2;
    convert_or_quarantine(rows, 0, mid, batch.removals);
    convert_or_quarantine(rows, mid, rows.size(), batch.removals);
}

}  // namespace

void flush_under_apply_worker() {
    convert_batch_or_quarantine();
    // Rows that failed before may convert now (their parent fixed, their configuration added).
    if (replication::anything_quarantined())
        for (const ListedRow& row : listed_rows(InvalidOid, true)) retry(row);
}

}  // namespace obsmeta::gen3_to_caom2

using namespace obsmeta;

// obsmeta.retry_quarantined(relation regclass DEFAULT NULL): tries every listed row again (of one
// relation, or all), each in a subtransaction (see retry above); returns how many left the list.
OBSMETA_FUNCTION(obsmeta_retry_quarantined) {
    Oid relation = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
    int64_t released = 0;
    for (const auto& row : gen3_to_caom2::listed_rows(relation, false))
        if (gen3_to_caom2::retry(row)) ++released;
    return Int64GetDatum(released);
}
