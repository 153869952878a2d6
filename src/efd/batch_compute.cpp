#include "efd/batch_compute.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd {

bool object_key_less(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

void rank_outputs(std::vector<OutputSpec>& specs) {
    std::vector<std::size_t> order(specs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return object_key_less(specs[a].output_name, specs[b].output_name); });
    for (std::size_t r = 0; r < order.size(); ++r) specs[order[r]].rank = static_cast<uint32_t>(r);
}

bool moments_shareable(const ReductionSpec& spec) {
    return spec.pre_aggregate == 0 && (spec.method == Method::Mean || spec.method == Method::Min ||
                                       spec.method == Method::Max || spec.method == Method::Stddev ||
                                       spec.method == Method::Count);
}

bool window_mergeable(const ReductionSpec& spec) {
    // first/last ignore pre_aggregate (evaluate bins only mean, min and max).
    return moments_shareable(spec) || spec.method == Method::First || spec.method == Method::Last ||
           spec.method == Method::MostRecentValue;
}

std::optional<double> from_moments(const ReductionSpec& spec, const Moments& m) {
    switch (spec.method) {
        case Method::Mean: return m.mean();
        case Method::Min: return m.minimum();
        case Method::Max: return m.maximum();
        case Method::Stddev: return m.stddev(spec.ddof);
        default: return static_cast<double>(m.count);
    }
}

Decimal shortest_decimal(double v) {
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);  // d.ddde±XX
    int64_t digits = 0;
    int ndigits = 0;
    bool negative = false;
    const char* p = buf;
    if (*p == '-') negative = true, ++p;
    for (; p < r.ptr && *p != 'e'; ++p)
        if (*p >= '0' && *p <= '9') digits = digits * 10 + (*p - '0'), ++ndigits;
    int exponent = 0;
    if (p < r.ptr) std::from_chars(p + 1 + (p[1] == '+'), r.ptr, exponent);
    // value = digits × 10^(exponent − (ndigits − 1))
    return {negative ? -digits : digits, (ndigits - 1) - exponent};
}

std::unique_ptr<SampleBuffer> BufferPool::take() {
    if (free_.empty()) return std::make_unique<SampleBuffer>();
    auto b = std::move(free_.back());
    free_.pop_back();
    b->clear();
    return b;
}

void BufferPool::trim(std::size_t max_samples) {
    free_.erase(std::remove_if(free_.begin(), free_.end(), [&](const auto& b) { return b->capacity() > max_samples; }), free_.end());
}

std::vector<std::pair<std::size_t, std::size_t>> batch_bounds(const std::vector<int64_t>& begins, std::size_t max_images,
                                                              int64_t span) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    max_images = std::max<std::size_t>(1, max_images);
    for (std::size_t from = 0; from < begins.size();) {
        std::size_t to = from + 1;
        while (to < begins.size() && to - from < max_images && begins[to] - begins[from] <= span) ++to;
        out.push_back({from, to});
        from = to;
    }
    return out;
}

namespace {

// An unpivoted value's entries [from, to) of outs.nested in key order; a field name given twice
// keeps its last value, as jsonb_in would.
std::vector<uint32_t> nested_in_key_order(const OutputSpec& spec, const Outputs& outs, uint32_t from, uint32_t to) {
    std::vector<uint32_t> order;
    for (uint32_t j = from; j < to; ++j) order.push_back(j);
    auto field = [&](uint32_t j) -> const std::string& { return spec.fields[outs.nested[j].field]; };
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return object_key_less(field(x), field(y)); });
    std::vector<uint32_t> unique;
    for (std::size_t j = 0; j < order.size(); ++j)
        if (j + 1 == order.size() || field(order[j]) != field(order[j + 1])) unique.push_back(order[j]);
    return unique;
}

struct Group {
    std::size_t g0, g1;  // specs [g0, g1) over the same channels
};

// The window-merge path for one group; false when the channels' chunks overlap (then nothing is set).
bool merge_group(const std::vector<OutputSpec>& specs, const Group& g, const std::vector<std::vector<uint32_t>>& tasks_of_spec,
                 const std::vector<BatchImage>& images, ChunkSource& source, Outputs& outs, int64_t& computed) {
    const std::size_t n_images = images.size();
    const std::vector<int32_t>& chans = specs[g.g0].channels;
    // One window set per (begin offset, end offset): the windows of the images that need it.
    struct SetKey {
        int64_t begin_offset, end_offset;
        std::vector<int32_t> position;  // per batch image: index into the set's windows, or -1
    };
    std::vector<WindowSet> sets;
    std::vector<SetKey> keys;
    std::vector<std::size_t> set_of(g.g1 - g.g0);
    for (std::size_t s = g.g0; s < g.g1; ++s) {
        if (tasks_of_spec[s].empty()) continue;
        const ReductionSpec& rs = specs[s].spec;
        std::size_t k = 0;
        while (k < keys.size() && (keys[k].begin_offset != rs.begin_offset || keys[k].end_offset != rs.end_offset)) ++k;
        if (k == keys.size()) {
            keys.push_back({rs.begin_offset, rs.end_offset, std::vector<int32_t>(n_images, -1)});
            sets.emplace_back();
        }
        set_of[s - g.g0] = k;
        WindowSet& ws = sets[k];
        if (moments_shareable(rs)) ws.want_moments = true;
        else if (rs.method == Method::First) ws.want_first = true;
        else ws.want_last = true;  // last, most_recent_value
        for (uint32_t i : tasks_of_spec[s]) keys[k].position[i] = 0;  // needed; numbered below
    }
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (std::size_t k = 0; k < sets.size(); ++k) {
        for (std::size_t i = 0; i < n_images; ++i) {
            if (keys[k].position[i] < 0) continue;
            keys[k].position[i] = static_cast<int32_t>(sets[k].windows.size());
            Window w{images[i].begin + keys[k].begin_offset, images[i].end + keys[k].end_offset};
            sets[k].windows.push_back(w);
            ranges.push_back({w.begin, w.end});
        }
    }
    WindowMerge merge(sets);
    for (int32_t c : chans) {
        merge.begin_channel();
        const std::vector<std::pair<int64_t, int64_t>> channel_ranges = merged_ranges(ranges, 2 * source.chunk_width(c));
        for (const auto& [from, to] : channel_ranges)
            if (!merge.plan(source.summaries(c, from, to))) return false;
        do {
            const std::vector<int64_t>& read = merge.to_read();
            if (read.empty()) continue;
            // The chunks to read by key (one index descent each), or, when they are most of the
            // channel's chunks (a slow channel: every chunk holds a window bound), by range.
            if (read.size() * 4 >= merge.planned_chunks() * 3) {
                for (const auto& [from, to] : channel_ranges) source.read_range(c, from, to, merge);
            } else {
                source.read_at(c, read, merge);
            }
        } while (merge.next_round());
    }
    for (std::size_t s = g.g0; s < g.g1; ++s) {
        const std::size_t k = set_of[s - g.g0];
        const ReductionSpec& rs = specs[s].spec;
        for (uint32_t i : tasks_of_spec[s]) {
            const std::size_t j = static_cast<std::size_t>(keys[k].position[i]);
            std::optional<double> v;
            if (moments_shareable(rs)) {
                v = from_moments(rs, sets[k].moments[j]);
            } else {
                const Found& f = rs.method == Method::First ? sets[k].first[j] : sets[k].last[j];
                if (f.have) v = f.v;
            }
            Cell& cell = outs.at(i, s);
            ++computed;
            cell.kind = v ? Cell::Number : Cell::None;
            if (v) cell.value = *v;
        }
    }
    return true;
}

// The general path for one group: the channels' samples (windows ± reach) decoded into buffers.
void evaluate_group(const std::vector<OutputSpec>& specs, const Group& g, const std::vector<std::vector<uint32_t>>& tasks_of_spec,
                    const std::vector<BatchImage>& images, ChunkSource& source, BufferPool& pool, Outputs& outs,
                    int64_t& computed) {
    const std::size_t n_images = images.size();
    const std::vector<int32_t>& chans = specs[g.g0].channels;
    std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> wanted;
    for (std::size_t s = g.g0; s < g.g1; ++s) {
        int64_t reach = spec_reach(specs[s].spec);
        for (uint32_t i : tasks_of_spec[s]) {
            Window w = spec_window(specs[s].spec, images[i].begin, images[i].end);
            for (int32_t c : chans) wanted[c].push_back({w.begin - reach, w.end + reach});
        }
    }
    std::vector<std::unique_ptr<SampleBuffer>> bufs;
    std::vector<SeriesView> views;
    for (int32_t c : chans) {
        bufs.push_back(pool.take());
        for (const auto& [from, to] : merged_ranges(wanted[c], 2 * source.chunk_width(c))) source.load_series(c, from, to, *bufs.back());
        views.push_back(bufs.back()->view());
    }
    // mean, min, max, stddev and count of the same window share one pass.
    std::map<std::pair<int64_t, int64_t>, std::vector<std::pair<bool, Moments>>> moment_cache;
    for (std::size_t s = g.g0; s < g.g1; ++s) {
        const OutputSpec& spec = specs[s];
        const bool shared = !spec.unpivot && moments_shareable(spec.spec);
        std::vector<std::pair<bool, Moments>>* cache = nullptr;
        if (shared) {
            cache = &moment_cache[{spec.spec.begin_offset, spec.spec.end_offset}];
            if (cache->empty()) cache->resize(n_images);
        }
        for (uint32_t i : tasks_of_spec[s]) {
            const BatchImage& im = images[i];
            Cell& cell = outs.at(i, s);
            cell.kind = Cell::None;
            if (spec.unpivot) {
                uint32_t from = static_cast<uint32_t>(outs.nested.size());
                for (std::size_t k = 0; k < views.size(); ++k) {
                    auto v = evaluate(spec.spec, {views[k]}, im.begin, im.end);
                    ++computed;
                    if (v) outs.nested.push_back({static_cast<uint32_t>(k), *v});
                }
                uint32_t to = static_cast<uint32_t>(outs.nested.size());
                if (to > from) {
                    cell.kind = Cell::Nested;
                    cell.nested = static_cast<uint32_t>(outs.nested_ranges.size());
                    outs.nested_ranges.push_back(nested_in_key_order(spec, outs, from, to));
                }
                continue;
            }
            std::optional<double> v;
            if (shared) {
                auto& [have, m] = (*cache)[i];
                if (!have) {
                    Window w = spec_window(spec.spec, im.begin, im.end);
                    for (const auto& view : views) m.merge(moments(view, w));
                    have = true;
                }
                v = from_moments(spec.spec, m);
            } else {
                v = evaluate(spec.spec, views, im.begin, im.end);
            }
            ++computed;
            if (v) cell.kind = Cell::Number, cell.value = *v;
        }
    }
    for (auto& b : bufs) pool.give(std::move(b));
}

}  // namespace

int64_t compute_batch(const std::vector<OutputSpec>& specs, const std::map<int32_t, std::size_t>& spec_index,
                      const std::vector<BatchImage>& images, ChunkSource& source, BufferPool& pool, Outputs& outs) {
    const std::size_t n_images = images.size();
    // Tasks: the batch's images of each spec.
    std::vector<std::vector<uint32_t>> tasks_of_spec(specs.size());
    for (std::size_t i = 0; i < n_images; ++i) {
        const BatchImage& im = images[i];
        auto add = [&](std::size_t s) {
            if (specs[s].applies_to(*im.kind)) tasks_of_spec[s].push_back(static_cast<uint32_t>(i));
        };
        if (im.all) {
            for (std::size_t s = 0; s < specs.size(); ++s) add(s);
        } else {
            for (int32_t rid : *im.reductions)
                if (auto it = spec_index.find(rid); it != spec_index.end()) add(it->second);
        }
    }
    outs.n_specs = specs.size();
    outs.cells.assign(n_images * specs.size(), Cell{});
    outs.nested.clear();
    outs.nested_ranges.clear();
    int64_t computed = 0;
    // Groups of specs over the same channels (specs are ordered by their channels).
    for (std::size_t g0 = 0; g0 < specs.size();) {
        std::size_t g1 = g0 + 1;
        while (g1 < specs.size() && specs[g1].channels == specs[g0].channels) ++g1;
        const Group g{g0, g1};
        bool any = false, mergeable = true;
        for (std::size_t s = g0; s < g1; ++s) {
            if (tasks_of_spec[s].empty()) continue;
            any = true;
            mergeable = mergeable && !specs[s].unpivot && window_mergeable(specs[s].spec);
        }
        // else (chunk_seconds changed after samples were stored): the general path
        if (any && !(mergeable && merge_group(specs, g, tasks_of_spec, images, source, outs, computed)))
            evaluate_group(specs, g, tasks_of_spec, images, source, pool, outs, computed);
        g0 = g1;
    }
    return computed;
}

}  // namespace obsmeta::efd
