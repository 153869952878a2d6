// When conversion runs: transaction callbacks (before commit / prepare; forget on abort), the
// obsmeta.conversion setting, and obsmeta.convert() for an explicit run.
#include "gen3_to_caom2/apply_conversion.hpp"
#include "gen3_to_caom2/config_cache.hpp"
#include "gen3_to_caom2/conversion.hpp"
#include "gen3_to_caom2/dirty_set.hpp"
#include "gen3_to_caom2/settings.hpp"
#include "pg/guard.hpp"
#include "registry_sql/apply_translation.hpp"
#include "registry_sql/pending_keys.hpp"
#include "replication/apply_worker.hpp"
#include "replication/quarantine.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

namespace obsmeta::gen3_to_caom2 {

namespace {

DirtySet the_dirty_set;

enum ConversionTiming { kAtCommit, kAtStatementEnd };
int conversion_timing = kAtCommit;
const struct config_enum_entry kTimingOptions[] = {
    {"commit", kAtCommit, false}, {"statement", kAtStatementEnd, false}, {nullptr, 0, false}};

// A subscription's initial sync runs several table-sync workers at once (and the apply worker
// beside them): each copies one table in its own transaction and cannot see the others' rows, so
// a child (a dataset) converted in one would miss its parent (an exposure) copied by another and
// wait in obsmeta.pending for a parent that the other transaction, blind to the child, converts
// alone. Logical-replication workers therefore translate and convert one commit at a time: the
// lock is held until commit, and the snapshot taken after it sees every commit before, so whichever
// of a parent and its child commits second converts both. The lock is an advisory lock of a class
// (field4 = 3) that SQL's pg_advisory_* functions (1 and 2) cannot take, so no reader can block it.
void serialize_replication_conversions() {
    pg::call([] {
        LOCKTAG tag;
        SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, 0x6f62736d /* "obsm" */, 0x636f6e76 /* "conv" */, 3);
        (void)LockAcquire(&tag, ExclusiveLock, false, false);
    });
}

// The steps before commit, in this order:
//   1. attached registries' changed rows → gen3 rows (src/registry_sql/translate.cpp); the gen3
//      triggers record those rows like any other gen3 write;
//   2. gen3 → CAOM2 (+ ivoa.obscore) for everything recorded (flush.cpp).
// Runs from a transaction callback: no SQL-callable guard is on the stack here, so this is the
// guard. A failure aborts the transaction, as a failing deferred constraint would.
void convert_before_commit() {
    if (the_dirty_set.empty() && registry_sql::pending_keys().empty()) return;
    pg::guard([]() -> Datum {
        if (replication::under_apply_worker()) serialize_replication_conversions();
        pg::call([] { PushActiveSnapshot(GetTransactionSnapshot()); });
        if (replication::under_apply_worker()) {
            registry_sql::translate_under_apply_worker();  // 1. registry → gen3, failing rows quarantined
            flush_under_apply_worker();                    // 2. gen3 → CAOM2, failing rows quarantined
        } else {
            convert_all();
        }
        pg::call([] { PopActiveSnapshot(); });
        return Datum(0);
    });
}

void on_transaction_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            convert_before_commit();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PREPARE:
            the_dirty_set.clear();
            registry_sql::pending_keys().clear();
            replication::reset_lenient_acceptances();
            break;
        default:
            break;
    }
}

}  // namespace

DirtySet& dirty() { return the_dirty_set; }

int64_t convert_all() {
    registry_sql::translate_pending();  // 1. registry → gen3
    return flush();                     // 2. gen3 → CAOM2
}

bool convert_at_statement_end() { return conversion_timing == kAtStatementEnd; }

void define_settings() {
    DefineCustomEnumVariable("obsmeta.conversion",
                             "When gen3 mirror rows are converted to CAOM2: at commit or at the end of each statement.",
                             nullptr, &conversion_timing, kAtCommit, kTimingOptions, PGC_USERSET, 0, nullptr,
                             nullptr, nullptr);
    replication::define_settings();
    MarkGUCPrefixReserved("obsmeta");
}

void initialize() {
    define_settings();
    register_configuration_invalidation();
    RegisterXactCallback(on_transaction_event, nullptr);
}

}  // namespace obsmeta::gen3_to_caom2

using namespace obsmeta;

// obsmeta.convert(): converts what this transaction has written so far (registry rows first);
// returns CAOM2 rows written.
OBSMETA_FUNCTION(obsmeta_convert) {
    return Int64GetDatum(gen3_to_caom2::convert_all());
}
