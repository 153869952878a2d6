#include "efd/window_merge.hpp"

#include <algorithm>
#include <cmath>

#include "efd/chunk_codec.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd {

std::vector<std::pair<int64_t, int64_t>> merged_ranges(std::vector<std::pair<int64_t, int64_t>> ranges, int64_t gap) {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const auto& r : ranges) {
        if (!out.empty() && r.first <= out.back().second + gap) {
            out.back().second = std::max(out.back().second, r.second);
        } else {
            out.push_back(r);
        }
    }
    return out;
}

WindowMerge::WindowMerge(std::vector<WindowSet>& sets) : sets_(sets) {
    for (WindowSet& ws : sets_) {
        ws.moments.assign(ws.windows.size(), Moments{});
        ws.first.assign(ws.want_first ? ws.windows.size() : 0, Found{});
        ws.last.assign(ws.want_last ? ws.windows.size() : 0, Found{});
    }
}

void WindowMerge::begin_channel() {
    lo_.assign(sets_.size(), 0);
    first_done_.clear();
    first_cands_.clear();
    last_cands_.clear();
    found_first_.clear();
    found_last_.clear();
    for (const WindowSet& ws : sets_) {
        const std::size_t nf = ws.want_first ? ws.windows.size() : 0, nl = ws.want_last ? ws.windows.size() : 0;
        first_done_.emplace_back(nf, false);
        first_cands_.emplace_back(nf);
        last_cands_.emplace_back(nl);
        found_first_.emplace_back(nf, false);
        found_last_.emplace_back(nl, false);
    }
    hits_.clear();
    chunks_.clear();
    starts_.clear();
    any_chunk_ = false;
    last_time_ = 0;
    round_ = 0;
}

bool WindowMerge::plan(const std::vector<ChunkSummary>& chunks) {
    for (const ChunkSummary& c : chunks) {
        if (any_chunk_ && c.first_time <= last_time_) return false;
        any_chunk_ = true;
        last_time_ = c.last_time;
        const uint32_t ci = static_cast<uint32_t>(chunks_.size());
        const uint32_t from = static_cast<uint32_t>(hits_.size());
        // Holds a non-NaN sample, known from its summary.
        const bool valid = c.has_moments && c.moments.count > 0;
        const bool all_nan = c.has_moments && c.moments.count == 0;
        for (std::size_t k = 0; k < sets_.size(); ++k) {
            WindowSet& ws = sets_[k];
            std::size_t& lo = lo_[k];
            while (lo < ws.windows.size() && ws.windows[lo].end < c.first_time) ++lo;
            for (std::size_t j = lo; j < ws.windows.size() && ws.windows[j].begin <= c.last_time; ++j) {
                const Window& w = ws.windows[j];
                if (w.end < c.first_time || w.end < w.begin) continue;
                const bool inside = w.begin <= c.first_time && c.last_time <= w.end;
                uint8_t flags = inside ? kInside : 0;
                if (ws.want_moments) {
                    if (inside && c.has_moments) {
                        ws.moments[j].merge(c.moments);
                    } else {
                        flags |= kMoments;
                    }
                }
                const bool may_hold = !(inside && all_nan);  // a non-NaN sample inside the window
                const uint32_t h = static_cast<uint32_t>(hits_.size());
                bool candidate = false;
                if (ws.want_first && may_hold && !first_done_[k][j]) {
                    first_cands_[k][j].push_back(h);
                    candidate = true;
                    if (inside && valid) first_done_[k][j] = true;  // later chunks cannot hold the first
                }
                if (ws.want_last && may_hold) {
                    std::vector<uint32_t>& cands = last_cands_[k][j];
                    if (inside && valid) cands.clear();  // earlier chunks cannot hold the last
                    cands.push_back(h);
                    candidate = true;
                }
                if (candidate || (flags & kMoments) != 0)
                    hits_.push_back({static_cast<uint32_t>(k), static_cast<uint32_t>(j), ci, flags});
            }
        }
        chunks_.push_back({c.start, c.first_time, from, static_cast<uint32_t>(hits_.size())});
    }
    return true;
}

const std::vector<int64_t>& WindowMerge::to_read() {
    if (round_ == 0) {
        // First round: each window's earliest and latest candidate for first / last (usually
        // chunks decoded anyway for their slice of the window).
        round_ = 1;
        for (std::size_t k = 0; k < sets_.size(); ++k) {
            for (const auto& cands : first_cands_[k])
                if (!cands.empty()) hits_[cands.front()].flags |= kFirst;
            for (const auto& cands : last_cands_[k])
                if (!cands.empty()) hits_[cands.back()].flags |= kLast;
        }
    }
    const uint8_t mask = round_mask();
    starts_.clear();
    for (Planned& p : chunks_) {
        p.read = p.times = false;
        for (uint32_t h = p.hits_from; h < p.hits_to; ++h) {
            const uint8_t f = hits_[h].flags & mask;
            if (f == 0) continue;
            p.read = true;
            if ((f & kMoments) == 0 || (hits_[h].flags & kInside) == 0) p.times = true;
        }
        if (p.read) starts_.push_back(p.start);
    }
    return starts_;
}

bool WindowMerge::next_round() {
    if (round_ != 1) return false;
    // Windows whose first (last) candidate had only NaN inside them: the other candidates, up to
    // the chunk known to hold a non-NaN sample.
    round_ = 2;
    bool any = false;
    for (std::size_t k = 0; k < sets_.size(); ++k) {
        for (std::size_t j = 0; j < first_cands_[k].size(); ++j) {
            const auto& cands = first_cands_[k][j];
            if (found_first_[k][j] || cands.size() < 2) continue;
            for (std::size_t c = 1; c < cands.size(); ++c) hits_[cands[c]].flags |= kFirstLater;
            any = true;
        }
        for (std::size_t j = 0; j < last_cands_[k].size(); ++j) {
            const auto& cands = last_cands_[k][j];
            if (found_last_[k][j] || cands.size() < 2) continue;
            for (std::size_t c = 0; c + 1 < cands.size(); ++c) hits_[cands[c]].flags |= kLastLater;
            any = true;
        }
    }
    return any;
}

const WindowMerge::Planned* WindowMerge::find(int64_t first_time) const {
    auto it = std::lower_bound(chunks_.begin(), chunks_.end(), first_time,
                               [](const Planned& p, int64_t t) { return p.first_time < t; });
    if (it == chunks_.end() || it->first_time != first_time || !it->read) return nullptr;
    return &*it;
}

void WindowMerge::merge_first(Found& f, int64_t t, double v) const {
    if (!f.have || t < f.t) f = {true, t, v};
}

void WindowMerge::merge_last(Found& f, int64_t t, double v) const {
    if (!f.have || t > f.t) f = {true, t, v};
}

void WindowMerge::encoded_chunk(int64_t first_time, const uint8_t* data, std::size_t size) {
    const Planned* p = find(first_time);
    if (p == nullptr) return;  // not one that needs its data
    const std::size_t n = chunk_sample_count(data, size);
    if (v_.size() < n) {
        v_.resize(n);
        t_.resize(n);
    }
    if (!p->times) {  // inside every window that needs it, for moments only (first round)
        decode_chunk_values(data, size, v_.data());
        const Moments m = moments_of(v_.data(), n);
        for (uint32_t h = p->hits_from; h < p->hits_to; ++h)
            if ((hits_[h].flags & kMoments) != 0) sets_[hits_[h].set].moments[hits_[h].window].merge(m);
        return;
    }
    decode_chunk_to(data, size, t_.data(), v_.data());
    chunk(*p, SeriesView{t_.data(), v_.data(), n});
}

void WindowMerge::chunk(const Planned& p, SeriesView s) {
    const uint8_t mask = round_mask();
    bool have_whole = false;
    Moments whole;
    for (uint32_t h = p.hits_from; h < p.hits_to; ++h) {
        const Hit& hit = hits_[h];
        const uint8_t f = hit.flags & mask;
        if (f == 0) continue;
        WindowSet& ws = sets_[hit.set];
        const Window& w = ws.windows[hit.window];
        if ((f & kMoments) != 0) {
            if ((hit.flags & kInside) != 0) {
                if (!have_whole) whole = moments_of(s.v, s.n), have_whole = true;
                ws.moments[hit.window].merge(whole);
            } else {
                ws.moments[hit.window].merge(moments(s, w));
            }
        }
        if ((f & (kFirst | kLast | kFirstLater | kLastLater)) == 0) continue;
        const std::size_t from = s.lower(w.begin), to = s.upper(w.end);
        if ((f & (kFirst | kFirstLater)) != 0) {
            for (std::size_t i = from; i < to; ++i)
                if (!std::isnan(s.v[i])) {
                    merge_first(ws.first[hit.window], s.t[i], s.v[i]);
                    found_first_[hit.set][hit.window] = true;
                    break;
                }
        }
        if ((f & (kLast | kLastLater)) != 0) {
            for (std::size_t i = to; i > from; --i)
                if (!std::isnan(s.v[i - 1])) {
                    merge_last(ws.last[hit.window], s.t[i - 1], s.v[i - 1]);
                    found_last_[hit.set][hit.window] = true;
                    break;
                }
        }
    }
}

}  // namespace obsmeta::efd
