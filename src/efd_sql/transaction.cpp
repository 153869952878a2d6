// When buffered samples and dirty images are processed: transaction callbacks (before commit),
// subtransaction aborts (a failed statement's half-buffered rows are dropped), and efd.refresh().
#include "efd_sql/chunk_store.hpp"
#include "efd_sql/channels.hpp"
#include "efd_sql/state.hpp"
#include "pg/guard.hpp"
#include "replication/apply_worker.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

#include <cstring>

namespace obsmeta::efd_sql {

namespace {

EfdState the_state;
bool hooks_registered = false;

void forget_all() {
    the_state.pending.clear();
    the_state.pending_samples = 0;
    the_state.dirty.clear();
    reset_chunk_store();
    channels().invalidate();
}

void process_before_commit() {
    if (the_state.pending.empty() && the_state.dirty.empty()) return;
    // No SQL-callable guard is on the stack in a transaction callback: this is the guard. A failure
    // aborts the transaction, like a failing deferred constraint.
    pg::guard([]() -> Datum {
        replication::OriginRole origin;  // CAOM2's triggers fire for the Environment it writes
        pg::call([] { PushActiveSnapshot(GetTransactionSnapshot()); });
        if (!the_state.pending.empty()) flush_samples();
        recompute_dirty();
        pg::call([] { PopActiveSnapshot(); });
        return Datum(0);
    });
}

void on_transaction_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            process_before_commit();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PREPARE:
            forget_all();
            break;
        default:
            break;
    }
}

void on_subtransaction_event(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    if (event == SUBXACT_EVENT_ABORT_SUB) {
        // The failed statement's buffered rows must not reach a later flush.
        the_state.pending.clear();
        the_state.pending_samples = 0;
    }
}

}  // namespace

EfdState& state() { return the_state; }

void ensure_transaction_hooks() {
    if (hooks_registered) return;
    RegisterXactCallback(on_transaction_event, nullptr);
    RegisterSubXactCallback(on_subtransaction_event, nullptr);
    hooks_registered = true;
}

bool work_at_statement_end() {
    const char* v = GetConfigOption("obsmeta.conversion", true, false);
    return v != nullptr && std::strcmp(v, "statement") == 0;
}

}  // namespace obsmeta::efd_sql

using namespace obsmeta;

// efd.refresh(): writes buffered samples and recomputes dirty images now (otherwise at commit).
OBSMETA_FUNCTION(obsmeta_efd_refresh) {
    efd_sql::ensure_transaction_hooks();
    if (!efd_sql::state().pending.empty()) efd_sql::flush_samples();
    return Int64GetDatum(efd_sql::recompute_dirty());
}
