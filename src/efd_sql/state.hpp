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

struct EfdState {
    std::unordered_map<int32_t, efd::Series> pending;  // channel → buffered samples
    std::size_t pending_samples = 0;
    std::map<ImageKey, DirtyImage> dirty;
};

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
