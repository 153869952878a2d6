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
#include <iterator>

namespace obsmeta::efd_sql {

namespace {

EfdState the_state;
bool hooks_registered = false;

void forget_all() {
    the_state.pending.clear();
    the_state.pending_samples = 0;
    the_state.marks.clear();
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

// Back to what was buffered when the subtransaction began: its own samples must not reach a later
// flush, what the transaction buffered before it must.
void drop_samples_since(const SubtransactionMark& mark) {
    for (auto it = the_state.pending.begin(); it != the_state.pending.end();) {
        auto before = mark.sizes.find(it->first);
        if (before == mark.sizes.end() || before->second == 0) {
            it = the_state.pending.erase(it);
            continue;
        }
        if (it->second.size() > before->second) {
            it->second.t.resize(before->second);
            it->second.v.resize(before->second);
        }
        ++it;
    }
    the_state.pending_samples = mark.samples;
}

void on_subtransaction_event(SubXactEvent event, SubTransactionId subtransaction, SubTransactionId, void*) {
    auto& marks = the_state.marks;
    switch (event) {
        case SUBXACT_EVENT_START_SUB: {
            SubtransactionMark mark{subtransaction, {}, the_state.pending_samples};
            for (const auto& [channel, series] : the_state.pending) mark.sizes.emplace(channel, series.size());
            marks.push_back(std::move(mark));
            break;
        }
        case SUBXACT_EVENT_COMMIT_SUB:
            // its samples now belong to the parent
            while (!marks.empty() && marks.back().subtransaction >= subtransaction) marks.pop_back();
            break;
        case SUBXACT_EVENT_ABORT_SUB: {
            auto it = marks.begin();
            while (it != marks.end() && it->subtransaction != subtransaction) ++it;
            if (it == marks.end()) {
                // began before these hooks were registered: everything buffered is its own
                the_state.pending.clear();
                the_state.pending_samples = 0;
            } else {
                drop_samples_since(*it);
            }
            while (!marks.empty() && marks.back().subtransaction >= subtransaction) marks.pop_back();
            break;
        }
        default:
            break;
    }
}

}  // namespace

EfdState& state() { return the_state; }

std::unordered_map<int32_t, efd::Series> take_flushable_samples() {
    std::unordered_map<int32_t, efd::Series> out;
    if (the_state.marks.empty()) {
        out.swap(the_state.pending);
        the_state.pending_samples = 0;
        return out;
    }
    const SubtransactionMark& mark = the_state.marks.back();
    for (auto& [channel, series] : the_state.pending) {
        auto before = mark.sizes.find(channel);
        std::size_t keep = before == mark.sizes.end() ? 0 : before->second;
        if (series.size() <= keep) continue;
        efd::Series& taken = out[channel];
        taken.t.assign(series.t.begin() + static_cast<long>(keep), series.t.end());
        taken.v.assign(series.v.begin() + static_cast<long>(keep), series.v.end());
        series.t.resize(keep);
        series.v.resize(keep);
    }
    for (auto it = the_state.pending.begin(); it != the_state.pending.end();)
        it = it->second.size() == 0 ? the_state.pending.erase(it) : std::next(it);
    the_state.pending_samples = mark.samples;
    return out;
}

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
