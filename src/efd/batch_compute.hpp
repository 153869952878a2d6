// The computation of a recomputation batch, without the database: the outputs (efd.reduction rows
// resolved to channels) of a batch of images, read channel by channel from a ChunkSource (efd.chunk
// in the extension, memory in the unit tests), into a table of cells that the SQL side turns into
// jsonb objects. Set-based and channel-major: each channel's chunks are read once per batch for
// every image and output that needs them.
//  - Outputs whose statistics the chunks' summaries and ends answer (mean, min, max, stddev, count,
//    first, last, most_recent_value; no pre-aggregation, not unpivoted) go through WindowMerge:
//    chunks inside a window are not decoded unless they hold its first or last sample.
//  - The others (and every output of a channel set whose chunks overlap) decode the windows ± reach
//    into buffers and evaluate the kernels; mean/min/max/stddev/count of one window share one pass.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "efd/reduction.hpp"
#include "efd/series.hpp"
#include "efd/window_merge.hpp"

namespace obsmeta::efd {

// One enabled efd.reduction row, resolved.
struct OutputSpec {
    int32_t id = 0;
    std::string output_name;
    ReductionSpec spec;
    std::vector<int32_t> channels;  // the channel, then pooled channels
    bool unpivot = false, for_exposure = false, for_visit = false;
    std::vector<std::string> fields;  // per channel: the key of an unpivoted output's value
    uint32_t rank = 0;                // position of output_name in the objects' key order
    bool applies_to(const std::string& kind) const { return kind == "exposure" ? for_exposure : for_visit; }
};

// jsonb's order of an object's keys: by length, then bytes.
bool object_key_less(const std::string& a, const std::string& b);
// Sets each spec's rank (its output_name's position in object key order).
void rank_outputs(std::vector<OutputSpec>& specs);

// mean/min/max/stddev/count without pre-aggregation: one pass of moments serves them all.
bool moments_shareable(const ReductionSpec& spec);
// Answered by WindowMerge (moments, or the first / last non-NaN sample of the window).
bool window_mergeable(const ReductionSpec& spec);
std::optional<double> from_moments(const ReductionSpec& spec, const Moments& m);

// A double as the shortest decimal that reads back exactly: value = digits × 10^-scale.
struct Decimal {
    int64_t digits;
    int scale;
};
Decimal shortest_decimal(double v);  // v finite

// An image of the batch: its kind, span, and which outputs to recompute.
struct BatchImage {
    const std::string* kind;
    int64_t begin, end;
    bool all;                               // every output
    const std::set<int32_t>* reductions;    // otherwise these efd.reduction ids
};

// The output of one spec for one image of the batch.
struct Cell {
    double value = 0;
    uint32_t nested = 0;  // Nested: index into Outputs::nested_ranges
    enum Kind : uint8_t { Absent, None, Number, Nested } kind = Absent;  // Absent: not recomputed
};

struct NestedEntry {
    uint32_t field;  // index into the spec's fields
    double value;
};

struct Outputs {
    std::size_t n_specs = 0;
    std::vector<Cell> cells;  // [image * n_specs + spec]
    std::vector<NestedEntry> nested;
    std::vector<std::vector<uint32_t>> nested_ranges;  // per unpivoted value: its entries, in key order
    Cell& at(std::size_t image, std::size_t spec) { return cells[image * n_specs + spec]; }
    const Cell& at(std::size_t image, std::size_t spec) const { return cells[image * n_specs + spec]; }
};

// Where the chunks come from.
class ChunkSource {
public:
    virtual ~ChunkSource() = default;
    // The channel's chunk width in µs (ranges closer than two widths are read as one).
    virtual int64_t chunk_width(int32_t channel) = 0;
    // Summaries of the channel's chunks that may hold samples in [from, to], in chunk_start order.
    virtual std::vector<ChunkSummary> summaries(int32_t channel, int64_t from, int64_t to) = 0;
    // Hands the channel's chunks that may hold samples in [from, to] (read_range), or whose
    // chunk_start is in `starts` (read_at), to merge.encoded_chunk.
    virtual void read_range(int32_t channel, int64_t from, int64_t to, WindowMerge& merge) = 0;
    virtual void read_at(int32_t channel, const std::vector<int64_t>& starts, WindowMerge& merge) = 0;
    // Appends the channel's samples of the chunks overlapping [from, to] to `out` (time order, unique).
    virtual void load_series(int32_t channel, int64_t from, int64_t to, SampleBuffer& out) = 0;
};

// Buffers to decode channels into, reused across channels and batches (their memory stays).
class BufferPool {
public:
    std::unique_ptr<SampleBuffer> take();
    void give(std::unique_ptr<SampleBuffer> b) { free_.push_back(std::move(b)); }
    // Drops the buffers that hold room for more than `max_samples` samples.
    void trim(std::size_t max_samples);

private:
    std::vector<std::unique_ptr<SampleBuffer>> free_;
};

// Computes the cells of `images` (ascending begin) for `specs` (ordered by their channels; spec_index:
// efd.reduction id → index). Returns the number of (image, output) values computed.
int64_t compute_batch(const std::vector<OutputSpec>& specs, const std::map<int32_t, std::size_t>& spec_index,
                      const std::vector<BatchImage>& images, ChunkSource& source, BufferPool& pool, Outputs& outs);

// Batches of images (ascending begin): [from, to) pairs of consecutive images within `span` µs of
// the first, at most `max_images` each.
std::vector<std::pair<std::size_t, std::size_t>> batch_bounds(const std::vector<int64_t>& begins, std::size_t max_images,
                                                              int64_t span);

}  // namespace obsmeta::efd
