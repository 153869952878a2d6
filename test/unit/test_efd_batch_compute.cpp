// Unit tests for the recomputation's pure part (src/efd/window_merge, src/efd/batch_compute): a batch
// of images computed from encoded chunks held in memory must give what the kernels give over the
// whole decoded series — whichever chunks the window merge skips, decodes whole or slices, with NaN
// samples, all-NaN chunks, chunks without stored moments, pooled channels and overlapping chunks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "efd/batch_compute.hpp"
#include "efd/chunk_codec.hpp"
#include "efd/kernels.hpp"
#include "efd/reduction.hpp"
#include "efd/window_merge.hpp"

using namespace obsmeta::efd;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kSec = 1'000'000;

struct StoredChunk {
    ChunkSummary summary;
    std::vector<uint8_t> data;
};

// Chunks in memory, as efd.chunk holds them; counts what is read.
class MemoryChunks : public ChunkSource {
public:
    std::map<int32_t, Series> series;
    std::map<int32_t, std::vector<StoredChunk>> chunks;
    std::map<int32_t, int64_t> width;
    std::size_t decoded_reads = 0, summary_reads = 0;

    // Splits each channel's series into chunks aligned to its width; every `no_moments`-th chunk
    // has no stored moments (written before they were).
    void store(int32_t channel, const Series& s, int64_t w, int no_moments = 0) {
        series[channel] = s;
        width[channel] = w;
        auto& out = chunks[channel];
        out.clear();
        for (std::size_t i = 0; i < s.size();) {
            const int64_t start = floor_div(s.t[i], w) * w;
            std::size_t j = i;
            while (j < s.size() && s.t[j] < start + w) ++j;
            StoredChunk c;
            c.summary.start = start;
            c.summary.first_time = s.t[i];
            c.summary.last_time = s.t[j - 1];
            c.summary.has_moments = !(no_moments > 0 && out.size() % static_cast<std::size_t>(no_moments) == 0);
            if (c.summary.has_moments) c.summary.moments = moments_of(s.v.data() + i, j - i);
            encode_chunk(s.view().slice(i, j), c.data);
            out.push_back(std::move(c));
            i = j;
        }
    }
    static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }

    int64_t chunk_width(int32_t channel) override { return width[channel]; }
    std::vector<ChunkSummary> summaries(int32_t channel, int64_t from, int64_t to) override {
        ++summary_reads;
        std::vector<ChunkSummary> out;
        for (const auto& c : in_range(channel, from, to)) out.push_back(c->summary);
        return out;
    }
    void read_range(int32_t channel, int64_t from, int64_t to, WindowMerge& merge) override {
        for (const auto& c : in_range(channel, from, to)) hand(*c, merge);
    }
    void read_at(int32_t channel, const std::vector<int64_t>& starts, WindowMerge& merge) override {
        std::set<int64_t> wanted(starts.begin(), starts.end());
        // In reverse: the merge must not depend on the order.
        for (auto it = chunks[channel].rbegin(); it != chunks[channel].rend(); ++it)
            if (wanted.count(it->summary.start)) hand(*it, merge);
    }
    // As efd_sql::load_series: one sample per time even when chunks overlap.
    void load_series(int32_t channel, int64_t from, int64_t to, SampleBuffer& out) override {
        Series s;
        SeriesView had = out.view();
        s.t.assign(had.t, had.t + had.n);
        s.v.assign(had.v, had.v + had.n);
        for (const auto& c : in_range(channel, from, to)) decode_chunk(c->data.data(), c->data.size(), s);
        sort_unique_last_wins(s);
        out.clear();
        const std::size_t at = out.extend(s.size());
        std::copy(s.t.begin(), s.t.end(), out.times() + at);
        std::copy(s.v.begin(), s.v.end(), out.values() + at);
    }

private:
    std::vector<const StoredChunk*> in_range(int32_t channel, int64_t from, int64_t to) {
        std::vector<const StoredChunk*> out;
        for (const auto& c : chunks[channel])
            if (c.summary.start > from - width[channel] && c.summary.start <= to) out.push_back(&c);
        return out;
    }
    void hand(const StoredChunk& c, WindowMerge& merge) {
        ++decoded_reads;
        merge.encoded_chunk(c.summary.first_time, c.data.data(), c.data.size());
    }
};

OutputSpec output(int32_t id, Method method, std::vector<int32_t> channels, int64_t begin_offset = 0, int64_t end_offset = 0) {
    OutputSpec s;
    s.id = id;
    s.output_name = std::string(method_name(method)) + "_" + std::to_string(id);
    s.spec.method = method;
    s.spec.begin_offset = begin_offset;
    s.spec.end_offset = end_offset;
    s.channels = std::move(channels);
    s.for_exposure = s.for_visit = true;
    return s;
}

// Noisy samples at `hz` with jitter, a NaN now and then, and an all-NaN stretch.
Series noisy(std::mt19937_64& rng, int64_t from, int64_t to, double hz, double nan_rate) {
    Series s;
    std::uniform_real_distribution<double> u(0, 1);
    const int64_t step = static_cast<int64_t>(kSec / hz);
    for (int64_t t = from; t < to; t += step) {
        int64_t at = t + static_cast<int64_t>(u(rng) * step / 4);
        bool nan_stretch = (at - from) % (200 * kSec) < 15 * kSec;  // all-NaN chunks
        double v = (u(rng) < nan_rate || nan_stretch) ? kNaN : 20 + 5 * std::sin(at / 1e7) + u(rng);
        s.push(at, v);
    }
    return s;
}

void expect_same(const std::optional<double>& want, const Cell& got, Method m, const std::string& what) {
    if (!want) {
        EXPECT_EQ(got.kind, Cell::None) << what;
        return;
    }
    ASSERT_EQ(got.kind, Cell::Number) << what;
    if (m == Method::Mean || m == Method::Stddev) {
        EXPECT_NEAR(got.value, *want, 1e-9 * std::max(1.0, std::fabs(*want))) << what;
    } else {
        EXPECT_EQ(got.value, *want) << what;  // bit for bit
    }
}

struct Night {
    MemoryChunks source;
    std::vector<OutputSpec> specs;
    std::vector<int64_t> begins, ends;
};

// Every output of every image against efd::evaluate over the channels' whole series.
void check_batch(Night& n) {
    std::map<int32_t, std::size_t> index;
    for (std::size_t s = 0; s < n.specs.size(); ++s) index[n.specs[s].id] = s;
    static const std::string kind = "exposure";
    std::vector<BatchImage> images;
    for (std::size_t i = 0; i < n.begins.size(); ++i) images.push_back({&kind, n.begins[i], n.ends[i], true, nullptr});
    BufferPool pool;
    Outputs outs;
    const int64_t computed = compute_batch(n.specs, index, images, n.source, pool, outs);
    EXPECT_EQ(computed, static_cast<int64_t>(images.size() * n.specs.size()));
    for (std::size_t s = 0; s < n.specs.size(); ++s) {
        std::vector<SeriesView> views;
        for (int32_t c : n.specs[s].channels) views.push_back(n.source.series[c].view());
        for (std::size_t i = 0; i < images.size(); ++i)
            expect_same(evaluate(n.specs[s].spec, views, images[i].begin, images[i].end), outs.at(i, s), n.specs[s].spec.method,
                        n.specs[s].output_name + " image " + std::to_string(i));
    }
}

Night make_night(uint64_t seed, int no_moments) {
    std::mt19937_64 rng(seed);
    Night n;
    const int64_t t0 = 1'000'000 * kSec, t1 = t0 + 1800 * kSec;
    n.source.store(1, noisy(rng, t0, t1, 50, 0.02), 12 * kSec, no_moments);   // fast, 12 s chunks
    n.source.store(2, noisy(rng, t0, t1, 1, 0.05), 600 * kSec, no_moments);   // slow, 10 min chunks
    n.source.store(3, noisy(rng, t0, t1, 20, 0.0), 7 * kSec, no_moments);     // pooled with 1
    int32_t id = 1;
    for (std::vector<int32_t> chans : {std::vector<int32_t>{1}, {2}, {1, 3}}) {
        for (Method m : {Method::Mean, Method::Min, Method::Max, Method::Stddev, Method::Count, Method::First, Method::Last})
            n.specs.push_back(output(id++, m, chans));
        n.specs.push_back(output(id++, Method::MostRecentValue, chans, -3600 * kSec));
        n.specs.push_back(output(id++, Method::Mean, chans, -5 * kSec, 5 * kSec));  // padded window
        n.specs.push_back(output(id++, Method::First, chans, 10 * kSec, -10 * kSec));
    }
    // Specs are ordered by their channels, as load_specs orders them.
    std::stable_sort(n.specs.begin(), n.specs.end(), [](const OutputSpec& a, const OutputSpec& b) { return a.channels < b.channels; });
    // Exposures of 30 s every 36 s, some of 1 s, one before any sample and one after.
    for (int64_t b = t0 - 100 * kSec; b < t1 + 100 * kSec; b += 36 * kSec) {
        n.begins.push_back(b);
        n.ends.push_back(b + ((b / kSec) % 7 == 0 ? kSec : 30 * kSec));
    }
    return n;
}

}  // namespace

TEST(EfdBatchCompute, EqualsKernelsOverWholeSeries) {
    Night n = make_night(1, 0);
    check_batch(n);
}

TEST(EfdBatchCompute, EqualsKernelsWithChunksWithoutMoments) {
    Night n = make_night(2, 3);
    check_batch(n);
}

TEST(EfdBatchCompute, DecodesFewerChunksThanItPlans) {
    // Mean/min/max/stddev/count/first/last of a fast channel: chunks inside a window come from
    // their summaries, except the ones that hold the window's first or last sample.
    Night n = make_night(3, 0);
    n.specs.erase(std::remove_if(n.specs.begin(), n.specs.end(),
                                 [](const OutputSpec& s) { return s.channels != std::vector<int32_t>{1} || s.spec.begin_offset != 0 || s.spec.end_offset != 0; }),
                  n.specs.end());
    check_batch(n);
    std::size_t stored = n.source.chunks[1].size();
    EXPECT_LT(n.source.decoded_reads, stored * 3 / 4) << "decoded " << n.source.decoded_reads << " of " << stored;
}

TEST(EfdBatchCompute, OverlappingChunksTakeTheGeneralPath) {
    // chunk_seconds changed after samples were stored: a second set of chunks overlaps the first.
    Night n = make_night(4, 0);
    std::vector<StoredChunk> wide;
    {
        MemoryChunks other;
        Series part = n.source.series[1];
        other.store(1, part, 30 * kSec);
        wide = other.chunks[1];
    }
    auto& chunks = n.source.chunks[1];
    // Keep the 12 s chunks of the first half and the 30 s chunks of the second: they overlap once.
    const int64_t mid = chunks[chunks.size() / 2].summary.start;
    chunks.erase(std::remove_if(chunks.begin(), chunks.end(), [&](const StoredChunk& c) { return c.summary.start >= mid; }), chunks.end());
    for (auto& c : wide)
        if (c.summary.last_time >= mid - 12 * kSec) chunks.push_back(c);
    std::stable_sort(chunks.begin(), chunks.end(), [](const StoredChunk& a, const StoredChunk& b) { return a.summary.start < b.summary.start; });
    // The kernels' reference: the same samples (the chunks hold copies of one series).
    check_batch(n);
}

TEST(EfdWindowMerge, MergedRanges) {
    auto r = merged_ranges({{10, 20}, {0, 5}, {22, 30}, {100, 110}}, 2);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0], (std::pair<int64_t, int64_t>{0, 5}));
    EXPECT_EQ(r[1], (std::pair<int64_t, int64_t>{10, 30}));
    EXPECT_EQ(r[2], (std::pair<int64_t, int64_t>{100, 110}));
}

TEST(EfdBatchCompute, BatchBounds) {
    auto b = batch_bounds({0, 1, 2, 10, 11, 30}, 2, 5);
    ASSERT_EQ(b.size(), 4u);
    EXPECT_EQ(b[0], (std::pair<std::size_t, std::size_t>{0, 2}));
    EXPECT_EQ(b[1], (std::pair<std::size_t, std::size_t>{2, 3}));
    EXPECT_EQ(b[2], (std::pair<std::size_t, std::size_t>{3, 5}));
    EXPECT_EQ(b[3], (std::pair<std::size_t, std::size_t>{5, 6}));
}

TEST(EfdBatchCompute, ObjectKeyOrderAndRanks) {
    std::vector<OutputSpec> specs(3);
    specs[0].output_name = "bb";
    specs[1].output_name = "a";
    specs[2].output_name = "ab";
    rank_outputs(specs);
    EXPECT_EQ(specs[1].rank, 0u);
    EXPECT_EQ(specs[2].rank, 1u);
    EXPECT_EQ(specs[0].rank, 2u);
}

TEST(EfdBatchCompute, ShortestDecimal) {
    for (double v : {0.1, -2.5, 1e-300, 123456789.125, 5e-324, 1.7976931348623157e308, 0.0}) {
        Decimal d = shortest_decimal(v);
        const std::string text = std::to_string(d.digits) + "e" + std::to_string(-d.scale);
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << v;
    }
    EXPECT_EQ(shortest_decimal(0.1).digits, 1);
    EXPECT_EQ(shortest_decimal(0.1).scale, 1);
    EXPECT_EQ(shortest_decimal(-2.5).digits, -25);
}
