// When buffered samples and dirty images are processed: the EFD step before commit, subtransaction
// boundaries (an aborted one's buffered rows are dropped, its parent's kept), and efd.refresh().
#include "efd_sql/channels.hpp"
#include "efd_sql/chunk_store.hpp"
#include "efd_sql/state.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/transaction_steps.hpp"
#include "replication/apply_worker.hpp"

#include <cstring>
#include <iterator>
#include <new>

namespace obsmeta::efd_sql {

namespace {

EfdState the_state;

void forget_all() {
    the_state.pending.clear();
    the_state.pending_samples = 0;
    the_state.marks.clear();
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

// Cuts the buffer back to what the transaction had buffered when `mark`'s subtransaction began.
// What was buffered since goes to `since`, or is dropped when it is null (then nothing is allocated:
// the abort callback calls this, and no exception may escape into PostgreSQL's C frames).
void keep_only_before(const SubtransactionMark& mark, std::unordered_map<int32_t, efd::Series>* since) {
    for (auto& [channel, series] : the_state.pending) {
        auto before = mark.sizes.find(channel);
        std::size_t keep = before == mark.sizes.end() ? 0 : before->second;
        if (series.size() <= keep) continue;
        if (since != nullptr) {
            efd::Series& taken = (*since)[channel];
            taken.t.assign(series.t.begin() + static_cast<long>(keep), series.t.end());
            taken.v.assign(series.v.begin() + static_cast<long>(keep), series.v.end());
        }
        series.t.resize(keep);
        series.v.resize(keep);
    }
    for (auto it = the_state.pending.begin(); it != the_state.pending.end();)
        it = it->second.size() == 0 ? the_state.pending.erase(it) : std::next(it);
    the_state.pending_samples = mark.samples;
}

void subtransaction_started(unsigned id) {
    try {  // called from PostgreSQL's C callback: nothing may escape
        SubtransactionMark mark{id, {}, the_state.pending_samples};
        for (const auto& [channel, series] : the_state.pending) mark.sizes.emplace(channel, series.size());
        the_state.marks.push_back(std::move(mark));
    } catch (const std::bad_alloc&) {
        // no mark: if this subtransaction aborts, everything buffered is dropped (the old rule)
    }
}

void subtransaction_committed(unsigned id) {
    // its samples now belong to its parent
    auto& marks = the_state.marks;
    while (!marks.empty() && marks.back().subtransaction >= id) marks.pop_back();
}

void subtransaction_aborted(unsigned id) {
    auto& marks = the_state.marks;
    auto it = marks.begin();
    while (it != marks.end() && it->subtransaction != id) ++it;
    if (it == marks.end()) {  // no mark (started before the callbacks were installed): all its own
        the_state.pending.clear();
        the_state.pending_samples = 0;
    } else {
        // its own samples (a failed statement's, or a quarantined row's under the apply worker)
        // must not reach a later flush; what the transaction buffered before it must
        keep_only_before(*it, nullptr);
    }
    while (!marks.empty() && marks.back().subtransaction >= id) marks.pop_back();
}

}  // namespace

EfdState& state() { return the_state; }

std::unordered_map<int32_t, efd::Series> take_flushable_samples() {
    std::unordered_map<int32_t, efd::Series> out;
    if (!the_state.marks.empty()) {
        keep_only_before(the_state.marks.back(), &out);
        return out;
    }
    out.swap(the_state.pending);
    the_state.pending_samples = 0;
    return out;
}

void initialize() {
    pg::register_transaction_step(pg::PreCommitStep::kEfdReductions,
                                  {has_work, process_before_commit, forget_all, nullptr, subtransaction_started,
                                   subtransaction_committed, subtransaction_aborted, nullptr});
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
