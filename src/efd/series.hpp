// A telemetry time series in memory: timestamps (int64 microseconds, any fixed epoch; obsmeta uses
// PostgreSQL's, 2000-01-01 UTC) and float8 values, in two parallel arrays. A SeriesView is a
// borrowed, time-sorted, duplicate-free slice that the reduction kernels read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace obsmeta::efd {

struct SeriesView {
    const int64_t* t = nullptr;
    const double* v = nullptr;
    std::size_t n = 0;

    SeriesView slice(std::size_t from, std::size_t to) const { return {t + from, v + from, to - from}; }
    // Index of the first sample with time >= at / > at.
    std::size_t lower(int64_t at) const;
    std::size_t upper(int64_t at) const;
};

struct Series {
    std::vector<int64_t> t;
    std::vector<double> v;

    std::size_t size() const { return t.size(); }
    void push(int64_t time, double value) { t.push_back(time); v.push_back(value); }
    void clear() { t.clear(); v.clear(); }
    SeriesView view() const { return {t.data(), v.data(), t.size()}; }
};

// Growable (time, value) arrays that are not zero-filled when they grow: the buffer that stored
// chunks are decoded into (tens of millions of samples per recomputation). Reuse one across
// channels to keep its memory.
class SampleBuffer {
public:
    std::size_t size() const { return n_; }
    std::size_t capacity() const { return capacity_; }
    void clear() { n_ = 0; }
    void reserve(std::size_t capacity);
    // Grows by `count` uninitialized samples; returns the index of the first one.
    std::size_t extend(std::size_t count);
    void truncate(std::size_t n) { n_ = n < n_ ? n : n_; }
    int64_t* times() { return t_.get(); }
    double* values() { return v_.get(); }
    SeriesView view() const { return {t_.get(), v_.get(), n_}; }

private:
    std::unique_ptr<int64_t[]> t_;
    std::unique_ptr<double[]> v_;
    std::size_t n_ = 0, capacity_ = 0;
};

// Sorts by time (stable) and keeps one sample per timestamp: the one appended last, so a repeated
// or corrected sample replaces the earlier one.
void sort_unique_last_wins(Series& s);

// Merges `incoming` (sorted, unique) into `stored` (sorted, unique); on equal timestamps the
// incoming value wins. Returns true when the stored series changed.
bool merge_into(Series& stored, const Series& incoming);

}  // namespace obsmeta::efd
