// Statistics of many time windows over one or more channels' stored chunks, reading as few chunks
// as possible: a merge of time-sorted chunks with begin-sorted windows, in two phases.
//  1. The chunks' spans and stored moments (efd.chunk's index, no data): a chunk lying inside a
//     window adds its stored moments to the window's as they are, and for first/last only the
//     chunks at the window's ends are kept — up to the first (last) chunk known to hold a non-NaN
//     sample inside it.
//  2. The chunks that phase 1 could not answer from their summary are decoded (any order): sliced
//     at the windows' bounds, or whole (values only) when they lie inside every window that needs
//     their data.
// The results equal the kernels' over the decoded series (efd::moments, efd::evaluate for first /
// last / most_recent_value, channels pooled: earliest / latest sample, ties to the earlier channel);
// sums of moments may differ in the last bits (another summation order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "efd/kernels.hpp"

namespace obsmeta::efd {

// A stored chunk's span and the moments of its values, without its data.
struct ChunkSummary {
    int64_t start = 0, first_time = 0, last_time = 0;
    bool has_moments = false;  // false for chunks written before the moments were stored
    Moments moments;
};

// A sample found for first / last.
struct Found {
    bool have = false;
    int64_t t = 0;
    double v = 0;
};

// The windows of one (begin offset, end offset) pair and what is wanted of them. Windows must be
// in ascending begin order.
struct WindowSet {
    bool want_moments = false, want_first = false, want_last = false;
    std::vector<Window> windows;
    // Results, one per window (after WindowMerge).
    std::vector<Moments> moments;
    std::vector<Found> first, last;
};

// Time ranges to load: `ranges` sorted and merged where less than `gap` apart.
std::vector<std::pair<int64_t, int64_t>> merged_ranges(std::vector<std::pair<int64_t, int64_t>> ranges, int64_t gap);

class WindowMerge {
public:
    // Sizes the sets' results (empty moments, nothing found).
    explicit WindowMerge(std::vector<WindowSet>& sets);

    // Starts a channel (channels pooled into the same windows: one after the other).
    void begin_channel();
    // Phase 1 over consecutive chunks of the channel, in chunk_start order (may be called for
    // several ranges, in time order). Returns false when chunks overlap (chunk_seconds changed after
    // samples were stored): the results are then unusable.
    bool plan(const std::vector<ChunkSummary>& chunks);
    // Ends phase 1 of the channel (or starts the next round): the chunk_start of each chunk to
    // decode, in time order.
    const std::vector<int64_t>& to_read();
    // After the first round's chunks: true when a window's first (last) candidate chunk had no
    // non-NaN sample inside it; then to_read() lists the chunks of a second, last round.
    bool next_round();
    std::size_t planned_chunks() const { return chunks_.size(); }
    // Phase 2: one stored chunk (still encoded), identified by its first_time, in any order; chunks
    // that to_read() did not list are ignored. Throws ChunkFormatError on a corrupt chunk.
    void encoded_chunk(int64_t first_time, const uint8_t* data, std::size_t size);

private:
    // Per hit: kMoments, kFirst, kLast are read in the first round, kFirstLater / kLastLater in the second.
    enum : uint8_t { kInside = 1, kMoments = 2, kFirst = 4, kLast = 8, kFirstLater = 16, kLastLater = 32 };
    uint8_t round_mask() const { return round_ == 2 ? (kFirstLater | kLastLater) : (kMoments | kFirst | kLast); }
    struct Hit {
        uint32_t set, window, chunk;
        uint8_t flags;
    };
    struct Planned {
        int64_t start, first_time;
        uint32_t hits_from, hits_to;
        bool read = false, times = false;  // decoded; with its times
    };
    const Planned* find(int64_t first_time) const;
    void chunk(const Planned& p, SeriesView s);
    void merge_first(Found& f, int64_t t, double v) const;
    void merge_last(Found& f, int64_t t, double v) const;

    std::vector<WindowSet>& sets_;
    std::vector<std::size_t> lo_;  // per set: windows before it end before every later chunk
    std::vector<Hit> hits_;
    std::vector<Planned> chunks_;
    std::vector<int64_t> starts_;
    // Per set and window, this channel: the hits that may hold the first / last non-NaN sample (in
    // time order), whether a chunk known to hold one ends the first's list, and what was found.
    std::vector<std::vector<std::vector<uint32_t>>> first_cands_, last_cands_;
    std::vector<std::vector<bool>> first_done_, found_first_, found_last_;
    int round_ = 0;
    std::vector<int64_t> t_;  // the chunk being decoded
    std::vector<double> v_;
    bool any_chunk_ = false;
    int64_t last_time_ = 0;
};

}  // namespace obsmeta::efd
