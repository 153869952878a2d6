// Reduction kernels over a time window of one channel's samples (SeriesView: sorted, unique
// times). Pure functions; no allocation except the polynomial fit's small matrices.
//
// Conventions (documented in doc/efd.md):
//  - A window [begin, end] includes both ends (as Rubin's transformed EFD does).
//  - NaN values are missing samples: every kernel ignores them (numpy's nanmean/nanmax/... rules).
//  - "No result" is std::nullopt (SQL NULL): empty window, all-NaN window, stddev of < ddof+1 values,
//    interpolation without a sample on both sides, nothing within `reach`.
//  - Kernels that use samples outside the window (value at a time, time-weighted means) look at most
//    `reach` microseconds beyond the window's bounds.
#pragma once

#include <cstdint>
#include <optional>

#include "efd/series.hpp"

namespace obsmeta::efd {

struct Window {
    int64_t begin;
    int64_t end;
};

// Moments of the non-NaN values in a window, computed in one pass with shifted sums (exact enough
// for telemetry: the shift is the window's first value).
struct Moments {
    int64_t count = 0;
    double min = 0, max = 0;
    double shift = 0, sum = 0, sum_sq = 0;  // sums of (x - shift) and its square

    void add(double x);
    void merge(const Moments& other);
    std::optional<double> mean() const;
    std::optional<double> variance(int ddof) const;
    std::optional<double> stddev(int ddof) const;
    std::optional<double> minimum() const;
    std::optional<double> maximum() const;
};

Moments moments(SeriesView s, Window w);
// The same over n values (a window's slice, or a whole chunk lying inside a window).
Moments moments_of(const double* v, std::size_t n);

std::optional<double> mean(SeriesView s, Window w);
std::optional<double> minimum(SeriesView s, Window w);
std::optional<double> maximum(SeriesView s, Window w);
std::optional<double> stddev(SeriesView s, Window w, int ddof = 1);
int64_t count(SeriesView s, Window w);
// First / last non-NaN sample in the window.
std::optional<double> first(SeriesView s, Window w);
std::optional<double> last(SeriesView s, Window w);
// Rubin's most_recent_value: the last non-NaN value in [begin, end] (begin already moved back by
// the spec's start_offset). Same as last().
inline std::optional<double> most_recent_value(SeriesView s, Window w) { return last(s, w); }

// Last observation carried forward: the last non-NaN value at or before `at`, no older than reach.
std::optional<double> locf(SeriesView s, int64_t at, int64_t reach);
// Linear interpolation at `at` between the nearest non-NaN samples on each side (each within
// reach); a sample exactly at `at` is returned as is.
std::optional<double> interpolate(SeriesView s, int64_t at, int64_t reach);

// Time-weighted means over [begin, end]. The value at `begin` comes from the samples just outside
// the window (within reach): LOCF holds the last earlier value; linear interpolates between the
// samples on each side of begin (and of end). Without an earlier sample, the average starts at the
// first sample inside the window; linear also stops at the last sample when none follows end.
// A zero-length covered span returns the value there.
std::optional<double> twmean_locf(SeriesView s, Window w, int64_t reach);
std::optional<double> twmean_linear(SeriesView s, Window w, int64_t reach);

enum class FitBasis { Index, Time };

// Rubin's rms_from_polynomial_fit: least-squares polynomial of `degree` through the window's
// non-NaN values against their index (0, 1, …) or their time (seconds since the first), and the
// RMS of the residuals. NaN (not NULL) when there are no more values than `degree`, as Rubin's.
struct FitResult {
    int64_t n = 0;
    double sum_sq = 0;  // sum of squared residuals
};
std::optional<FitResult> polynomial_fit_residuals(SeriesView s, Window w, int degree, FitBasis basis);
std::optional<double> rms_from_polynomial_fit(SeriesView s, Window w, int degree, FitBasis basis);

}  // namespace obsmeta::efd
