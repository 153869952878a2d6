// Conversion that never stalls logical replication, and the retry of quarantined rows.
//
// Under the apply worker the commit's conversion runs in a subtransaction; if it fails, the batch
// is split in halves, recursively, each half converted in its own subtransaction, down to the
// single mirror rows that fail: those are quarantined (obsmeta.quarantine, stage 'convert') and
// everything else converts. One bad row costs about 2·log2(batch) extra conversions of shrinking
// batches. Failures that say nothing about a row (deadlock, cancel, resources) still fail the
// transaction, which the apply worker retries.
#include "gen3_to_caom2/apply_conversion.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "gen3_to_caom2/mirror_rows.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "replication/quarantine.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

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

}  // namespace

void flush_under_apply_worker() {
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

}  // namespace obsmeta::gen3_to_caom2

using namespace obsmeta;

// obsmeta.retry_quarantined(relation regclass DEFAULT NULL): tries every listed row again (of one
// relation, or all): writes it again unchanged (so that its capture or translation triggers run
// as for a new write) and converts it, each in a subtransaction. A row that converts leaves the
// list; one that fails again stays, with attempts + 1 and the new error; a row no longer there
// leaves it. Returns the number of rows that left the list.
OBSMETA_FUNCTION(obsmeta_retry_quarantined) {
    static pg::KeptPlan listed(
        "SELECT relation::pg_catalog.oid, row_key::pg_catalog.text, stage FROM obsmeta.quarantine"
        " WHERE $1 IS NULL OR relation = $1 ORDER BY first_failed, relation, row_key",
        {OIDOID});
    static pg::KeptPlan touch("SELECT obsmeta.quarantine_touch($1, $2::pg_catalog.jsonb)", {OIDOID, TEXTOID});
    struct Entry {
        Oid relation;
        std::string key, stage;
    };
    std::vector<Entry> entries;
    {
        pg::SpiConnection spi;
        Datum only = PG_ARGISNULL(0) ? Datum(0) : PG_GETARG_DATUM(0);
        uint64 rows = listed.execute({only}, true, PG_ARGISNULL(0) ? "n" : " ");
        for (uint64 i = 0; i < rows; ++i) {
            bool isnull = false;
            Oid rel = DatumGetObjectId(pg::result_value(i, 1, &isnull));
            entries.push_back({rel, pg::result_text(i, 2), pg::result_text(i, 3)});
        }
    }
    // What the caller's transaction wrote before stays recorded, apart from the retries.
    gen3_to_caom2::DirtySet callers = std::move(gen3_to_caom2::dirty());
    gen3_to_caom2::dirty().clear();
    int64_t released = 0;
    for (const Entry& e : entries) {
        auto failure = replication::attempt([&e] {
            pg::SpiConnection spi;
            Datum key = pg::call([&e] { return CStringGetTextDatum(e.key.c_str()); });
            touch.execute({ObjectIdGetDatum(e.relation), key});
            gen3_to_caom2::flush();
        });
        gen3_to_caom2::dirty().clear();
        if (failure) {
            replication::rethrow_if_transient(*failure);
            replication::quarantine(e.relation, e.key, e.stage.c_str(), *failure);
        } else {
            replication::release({std::to_string(e.relation)}, {e.key});
            ++released;
        }
    }
    gen3_to_caom2::dirty().merge(std::move(callers));
    return Int64GetDatum(released);
}
