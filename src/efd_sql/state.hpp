// Per-backend EFD state of the current transaction: samples buffered by the ingest trigger, and
// the images whose reduced values must be recomputed (new or changed images; late samples).
// Recomputation runs at the end of the writing statement when obsmeta.conversion = 'statement',
// otherwise before commit; an abort forgets everything.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "efd/series.hpp"

namespace obsmeta::efd_sql {

struct ImageKey {
    std::string kind;  // exposure | visit
    std::string instrument;
    int64_t id;
    bool operator<(const ImageKey& o) const {
        return std::tie(kind, instrument, id) < std::tie(o.kind, o.instrument, o.id);
    }
};

struct DirtyImage {
    bool all = false;           // every reduction (a new or changed image)
    std::set<int32_t> reductions;  // otherwise only these (late samples of their channels)
};

// What was buffered when a subtransaction began: its abort drops only what it buffered itself
// (a replicated transaction's samples survive the subtransaction of a quarantined row).
struct SubtransactionMark {
    uint32_t subtransaction;                            // SubTransactionId
    std::unordered_map<int32_t, std::size_t> sizes;     // channel → samples buffered before it
    std::size_t samples = 0;
};

struct EfdState {
    std::unordered_map<int32_t, efd::Series> pending;  // channel → buffered samples
    std::size_t pending_samples = 0;
    std::map<ImageKey, DirtyImage> dirty;
    std::vector<SubtransactionMark> marks;  // open subtransactions, innermost last
};

// The samples buffered since the innermost open subtransaction began (all when there is none),
// taken out of `pending`: what a flush may write there, since that subtransaction's abort rolls
// the writes back.
std::unordered_map<int32_t, efd::Series> take_flushable_samples();

EfdState& state();

// Registers the EFD step before commit (once, from _PG_init).
void initialize();
// obsmeta.conversion = 'statement'?
bool work_at_statement_end();

// Writes the buffered samples to efd.chunk and marks the images they affect.
void flush_samples();
// Recomputes the dirty images' values now; returns the number of (image, output) values computed.
int64_t recompute_dirty();

}  // namespace obsmeta::efd_sql
