// A reduction spec (one row of efd.reduction, resolved to channels) and its evaluation over an
// image's time span: the window, pooling of several channels into one output, Rubin's
// pre-aggregation, and one output per channel for unpivoted specs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "efd/kernels.hpp"
#include "efd/series.hpp"

namespace obsmeta::efd {

enum class Method {
    Mean, Min, Max, Stddev, Count, First, Last, MostRecentValue,
    TwMeanLocf, TwMeanLinear, Interpolate, Locf, RmsFromPolynomialFit
};

// "mean", "min", …, as spelled in efd.reduction.method; nullopt for an unknown name.
std::optional<Method> method_from_name(std::string_view name);
const char* method_name(Method m);
// Every method name, comma separated (for error hints).
std::string method_names();

// Where a point method (interpolate, locf) is evaluated within the window.
enum class Anchor { Begin, Middle, End };
std::optional<Anchor> anchor_from_name(std::string_view name);

struct ReductionSpec {
    Method method = Method::Mean;
    int ddof = 1;                      // stddev
    int degree = 1;                    // rms_from_polynomial_fit
    FitBasis fit_basis = FitBasis::Index;
    Anchor anchor = Anchor::Middle;    // interpolate, locf
    int64_t begin_offset = 0;          // µs added to the image's begin (negative = look back / pad)
    int64_t end_offset = 0;            // µs added to the image's end
    int64_t reach = 600'000'000;       // µs: how far outside the window time-based methods look
    int64_t pre_aggregate = 0;         // µs bins (Rubin's pre_aggregate_interval); 0 = none
};

// The window of a spec for an image spanning [begin, end].
Window spec_window(const ReductionSpec& spec, int64_t begin, int64_t end);
// How far beyond [window.begin, window.end] the spec reads samples (for late-sample invalidation).
int64_t spec_reach(const ReductionSpec& spec);

// Evaluates one spec over one or more channels pooled together (e.g. several sensors, or all
// instances listed in Rubin's subset_value). Statistics pool the samples; time-based methods
// (twmean, interpolate, locf, first, last, most_recent_value) take the per-channel results' mean
// for first/twmean/interpolate/locf and the latest sample for last/most_recent_value; rms pools
// the residuals of per-channel fits.
std::optional<double> evaluate(const ReductionSpec& spec, const std::vector<SeriesView>& channels, int64_t begin,
                               int64_t end);

// Rubin's pre_aggregate_interval: each channel's samples binned into `bin` µs intervals aligned to
// the epoch, each bin reduced by `method` (mean, min or max; others pass through unchanged).
Series pre_aggregate(SeriesView s, Window w, int64_t bin, Method method);

}  // namespace obsmeta::efd
