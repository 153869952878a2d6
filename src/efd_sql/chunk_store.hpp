// efd.chunk: merging buffered samples into the stored chunks, and reading a channel's samples
// over a time range. All set-based: one statement per batch of chunks, plans kept per backend.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "efd/series.hpp"

namespace obsmeta::efd_sql {

// The time range of a channel's samples that changed stored data (for late-sample recomputation).
struct ChangedRange {
    int32_t channel;
    int64_t from, to;
};

// Merges the samples (any order, duplicates allowed) into efd.chunk; empties `pending`.
std::vector<ChangedRange> write_samples(std::unordered_map<int32_t, efd::Series>& pending);

// Appends the channel's stored samples of the chunks overlapping [from, to] to `out` (time order).
void load_series(int32_t channel, int64_t from, int64_t to, efd::Series& out);

// Forgets per-transaction state (partitions known to exist).
void reset_chunk_store();

}  // namespace obsmeta::efd_sql
