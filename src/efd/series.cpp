#include "efd/series.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd {

std::size_t SeriesView::lower(int64_t at) const {
    return static_cast<std::size_t>(std::lower_bound(t, t + n, at) - t);
}

std::size_t SeriesView::upper(int64_t at) const {
    return static_cast<std::size_t>(std::upper_bound(t, t + n, at) - t);
}

void SampleBuffer::reserve(std::size_t capacity) {
    if (capacity <= capacity_) return;
    std::unique_ptr<int64_t[]> t(new int64_t[capacity]);  // default-initialized: no zero fill
    std::unique_ptr<double[]> v(new double[capacity]);
    if (n_ > 0) {
        std::memcpy(t.get(), t_.get(), n_ * sizeof(int64_t));
        std::memcpy(v.get(), v_.get(), n_ * sizeof(double));
    }
    t_ = std::move(t);
    v_ = std::move(v);
    capacity_ = capacity;
}

std::size_t SampleBuffer::extend(std::size_t count) {
    if (n_ + count > capacity_) reserve(std::max(n_ + count, capacity_ + capacity_ / 2));
    std::size_t at = n_;
    n_ += count;
    return at;
}

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
}  // namespace

void sort_unique_last_wins(Series& s) {
    const std::size_t n = s.size();
    if (n == 0) return;
    bool sorted_unique = true;
    for (std::size_t i = 1; i < n && sorted_unique; ++i) sorted_unique = s.t[i - 1] < s.t[i];
    if (sorted_unique) return;  // the common case: a loader writing in time order
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.t[a] < s.t[b]; });
    Series out;
    out.t.reserve(n);
    out.v.reserve(n);
    for (std::size_t i : order) {
        if (!out.t.empty() && out.t.back() == s.t[i]) {
            out.v.back() = s.v[i];  // later write of the same timestamp wins
        } else {
            out.push(s.t[i], s.v[i]);
        }
    }
    s = std::move(out);
}

bool merge_into(Series& stored, const Series& incoming) {
    if (incoming.size() == 0) return false;
    if (stored.size() == 0) {
        stored = incoming;
        return true;
    }
    // Fast path: appending strictly after the stored samples.
    if (incoming.t.front() > stored.t.back()) {
        stored.t.insert(stored.t.end(), incoming.t.begin(), incoming.t.end());
        stored.v.insert(stored.v.end(), incoming.v.begin(), incoming.v.end());
        return true;
    }
    Series out;
    out.t.reserve(stored.size() + incoming.size());
    out.v.reserve(stored.size() + incoming.size());
    bool changed = false;
    std::size_t i = 0, j = 0;
    while (i < stored.size() || j < incoming.size()) {
        if (j == incoming.size() || (i < stored.size() && stored.t[i] < incoming.t[j])) {
            out.push(stored.t[i], stored.v[i]);
            ++i;
        } else if (i == stored.size() || incoming.t[j] < stored.t[i]) {
            out.push(incoming.t[j], incoming.v[j]);
            ++j;
            changed = true;
        } else {  // same timestamp: stored once, the incoming value wins
            if (!same_bits(stored.v[i], incoming.v[j])) changed = true;
            out.push(incoming.t[j], incoming.v[j]);
            ++i;
            ++j;
        }
    }
    stored = std::move(out);
    return changed;
}

}  // namespace obsmeta::efd
