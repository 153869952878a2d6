// efd.chunk: merging buffered samples into the stored chunks, and reading a channel's samples
// over a time range. All set-based: one statement per batch of chunks, plans kept per backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "efd/kernels.hpp"
#include "efd/series.hpp"
#include "efd/window_merge.hpp"

namespace obsmeta::efd_sql {

// The time range of a channel's samples that changed stored data (for late-sample recomputation).
struct ChangedRange {
    int32_t channel;
    int64_t from, to;
};

// Merges the samples (any order, duplicates allowed) into efd.chunk; empties `pending`.
std::vector<ChangedRange> write_samples(std::unordered_map<int32_t, efd::Series>& pending);

// Receives a channel's stored chunks in time order, still encoded: it decodes what it needs.
class ChunkSink {
public:
    virtual ~ChunkSink() = default;
    // `data` is valid during the call only; first_time / last_time: the chunk's first and last sample.
    virtual void chunk(const uint8_t* data, std::size_t size, int64_t first_time, int64_t last_time) = 0;
};

struct ChunkScan {
    std::size_t chunks = 0;
    bool overlapping = false;  // a chunk started at or before the previous one's end (chunk_seconds changed)
};

// Hands the channel's chunks that may hold samples in [from, to] to `sink`, in chunk_start order,
// straight from the executor's tuples (a custom DestReceiver): no copy of the data unless a chunk is
// toasted, no result set. Exceptions thrown by the sink stop the scan and are rethrown.
ChunkScan scan_chunks(int32_t channel, int64_t from, int64_t to, ChunkSink& sink);

// A stored chunk's span and the moments of its values, without its data.
using ChunkStats = efd::ChunkSummary;

// The channel's chunks that may hold samples in [from, to], in chunk_start order, read from the
// primary key's index (which includes the spans and moments: an index-only scan once the
// partition is vacuumed, no data pages read).
std::vector<ChunkStats> chunk_stats(int32_t channel, int64_t from, int64_t to);

// Hands the channel's chunks whose chunk_start is in `starts` to `sink` (in no particular order).
ChunkScan scan_chunks_at(int32_t channel, const std::vector<int64_t>& starts, ChunkSink& sink);

// Appends the channel's stored samples of the chunks overlapping [from, to] to `out` (time order,
// one sample per time even when chunks overlap).
void load_series(int32_t channel, int64_t from, int64_t to, efd::SampleBuffer& out);

// Forgets per-transaction state (partitions known to exist).
void reset_chunk_store();

}  // namespace obsmeta::efd_sql
