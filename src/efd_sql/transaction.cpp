// When buffered samples and dirty images are processed: the EFD step before commit, subtransaction
// aborts (a failed statement's half-buffered rows are dropped), and efd.refresh().
#include "efd_sql/channels.hpp"
#include "efd_sql/chunk_store.hpp"
#include "efd_sql/state.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/transaction_steps.hpp"
#include "replication/apply_worker.hpp"

#include <cstring>

namespace obsmeta::efd_sql {

namespace {

EfdState the_state;

void forget_all() {
    the_state.pending.clear();
    the_state.pending_samples = 0;
    the_state.dirty.clear();
    reset_chunk_store();
    channels().invalidate();
}

// This module's step before commit (pg::PreCommitStep::kEfdReductions, after the conversion, whose
// gen3 writes mark images; the order of all steps is in src/pg/transaction_steps.hpp).
bool has_work() { return !the_state.pending.empty() || !the_state.dirty.empty(); }

void process_before_commit() {
    replication::OriginRole origin;  // CAOM2's triggers fire for the Environment it writes
    if (!the_state.pending.empty()) flush_samples();
    recompute_dirty();
}

void forget_subtransaction() {
    // The failed statement's buffered rows must not reach a later flush.
    the_state.pending.clear();
    the_state.pending_samples = 0;
}

}  // namespace

EfdState& state() { return the_state; }

void initialize() {
    pg::register_transaction_step(pg::PreCommitStep::kEfdReductions,
                                  {has_work, process_before_commit, forget_all, forget_subtransaction});
}

bool work_at_statement_end() {
    const char* v = GetConfigOption("obsmeta.conversion", true, false);
    return v != nullptr && std::strcmp(v, "statement") == 0;
}

}  // namespace obsmeta::efd_sql

using namespace obsmeta;

// efd.refresh(): writes buffered samples and recomputes dirty images now (otherwise at commit).
OBSMETA_FUNCTION(obsmeta_efd_refresh) {
    if (!efd_sql::state().pending.empty()) efd_sql::flush_samples();
    return Int64GetDatum(efd_sql::recompute_dirty());
}
