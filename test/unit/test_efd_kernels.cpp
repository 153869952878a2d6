// Unit tests for the EFD reduction kernels (src/efd/kernels, src/efd/reduction): every method and
// the edge cases of the issue — empty window, one sample, samples only before or after, NaN values,
// unsorted input, gaps — plus numpy-equivalent results for Rubin's functions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "efd/kernels.hpp"
#include "efd/reduction.hpp"
#include "efd/series.hpp"

using namespace obsmeta::efd;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kSec = 1'000'000;

Series make(std::vector<std::pair<double, double>> points) {  // (seconds, value)
    Series s;
    for (auto [t, v] : points) s.push(static_cast<int64_t>(t * kSec), v);
    sort_unique_last_wins(s);
    return s;
}

Window win(double a, double b) { return {static_cast<int64_t>(a * kSec), static_cast<int64_t>(b * kSec)}; }

}  // namespace

TEST(EfdSeries, SortsUnsortedInputAndKeepsLastDuplicate) {
    Series s;
    s.push(30, 3.0);
    s.push(10, 1.0);
    s.push(20, 2.0);
    s.push(10, 1.5);  // repeated timestamp: the later write wins
    sort_unique_last_wins(s);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s.t, (std::vector<int64_t>{10, 20, 30}));
    EXPECT_EQ(s.v, (std::vector<double>{1.5, 2.0, 3.0}));
}

TEST(EfdSeries, MergeDeduplicatesAndReportsChange) {
    Series stored = make({{1, 1}, {2, 2}, {3, 3}});
    Series same = make({{2, 2}});
    EXPECT_FALSE(merge_into(stored, same));  // a repeated identical sample changes nothing
    EXPECT_EQ(stored.size(), 3u);
    Series late = make({{1.5, 9}, {3, 4}, {5, 5}});
    EXPECT_TRUE(merge_into(stored, late));
    EXPECT_EQ(stored.size(), 5u);
    EXPECT_EQ(stored.v, (std::vector<double>{1, 9, 2, 4, 5}));
    Series appended = make({{6, 6}});
    EXPECT_TRUE(merge_into(stored, appended));
    EXPECT_EQ(stored.t.back(), 6 * kSec);
}

TEST(EfdKernels, StatisticsMatchNumpy) {
    Series s = make({{0, 1}, {1, 2}, {2, 4}, {3, 8}, {10, 100}});
    Window w = win(0, 3);
    EXPECT_DOUBLE_EQ(*mean(s.view(), w), 3.75);
    EXPECT_DOUBLE_EQ(*minimum(s.view(), w), 1);
    EXPECT_DOUBLE_EQ(*maximum(s.view(), w), 8);
    // numpy.std([1,2,4,8], ddof=1) = 3.095695936834452
    EXPECT_NEAR(*stddev(s.view(), w, 1), 3.095695936834452, 1e-12);
    EXPECT_NEAR(*stddev(s.view(), w, 0), 2.680951323690902, 1e-12);
    EXPECT_EQ(count(s.view(), w), 4);
    EXPECT_DOUBLE_EQ(*first(s.view(), w), 1);
    EXPECT_DOUBLE_EQ(*last(s.view(), w), 8);
}

TEST(EfdKernels, WindowIncludesBothEnds) {
    Series s = make({{1, 1}, {2, 2}, {3, 3}});
    EXPECT_EQ(count(s.view(), win(1, 3)), 3);
    EXPECT_EQ(count(s.view(), win(1.5, 2.5)), 1);
    EXPECT_EQ(count(s.view(), win(3, 1)), 0);  // reversed window is empty
}

TEST(EfdKernels, EmptyWindowGivesNull) {
    Series s = make({{0, 1}, {10, 2}});
    Window w = win(2, 8);
    EXPECT_FALSE(mean(s.view(), w));
    EXPECT_FALSE(minimum(s.view(), w));
    EXPECT_FALSE(maximum(s.view(), w));
    EXPECT_FALSE(stddev(s.view(), w));
    EXPECT_EQ(count(s.view(), w), 0);
    EXPECT_FALSE(first(s.view(), w));
    EXPECT_FALSE(last(s.view(), w));
    EXPECT_FALSE(rms_from_polynomial_fit(s.view(), w, 1, FitBasis::Index));
    Series none;
    EXPECT_FALSE(mean(none.view(), w));
    EXPECT_FALSE(twmean_locf(none.view(), w, 100 * kSec));
    EXPECT_FALSE(interpolate(none.view(), 0, kSec));
}

TEST(EfdKernels, OneSample) {
    Series s = make({{5, 7}});
    Window w = win(0, 10);
    EXPECT_DOUBLE_EQ(*mean(s.view(), w), 7);
    EXPECT_FALSE(stddev(s.view(), w, 1));  // ddof=1 needs two values (Rubin returns None)
    EXPECT_DOUBLE_EQ(*stddev(s.view(), w, 0), 0);
    EXPECT_DOUBLE_EQ(*twmean_locf(s.view(), w, kSec), 7);
    EXPECT_DOUBLE_EQ(*twmean_linear(s.view(), w, kSec), 7);
    EXPECT_DOUBLE_EQ(*interpolate(s.view(), 5 * kSec, kSec), 7);
    EXPECT_FALSE(interpolate(s.view(), 6 * kSec, 10 * kSec));  // nothing after 6 s
    EXPECT_DOUBLE_EQ(*locf(s.view(), 6 * kSec, 10 * kSec), 7);
}

TEST(EfdKernels, NaNValuesAreIgnored) {
    Series s = make({{0, kNaN}, {1, 2}, {2, kNaN}, {3, 4}, {4, kNaN}});
    Window w = win(0, 4);
    EXPECT_DOUBLE_EQ(*mean(s.view(), w), 3);
    EXPECT_DOUBLE_EQ(*minimum(s.view(), w), 2);
    EXPECT_DOUBLE_EQ(*maximum(s.view(), w), 4);
    EXPECT_EQ(count(s.view(), w), 2);
    EXPECT_DOUBLE_EQ(*first(s.view(), w), 2);
    EXPECT_DOUBLE_EQ(*last(s.view(), w), 4);
    EXPECT_DOUBLE_EQ(*most_recent_value(s.view(), w), 4);
    EXPECT_DOUBLE_EQ(*interpolate(s.view(), 2 * kSec, 10 * kSec), 3);
    EXPECT_DOUBLE_EQ(*locf(s.view(), 4 * kSec, 10 * kSec), 4);
    Series all_nan = make({{0, kNaN}, {1, kNaN}});
    EXPECT_FALSE(mean(all_nan.view(), w));
    EXPECT_FALSE(maximum(all_nan.view(), w));
    EXPECT_FALSE(twmean_locf(all_nan.view(), w, kSec));
}

TEST(EfdKernels, SamplesOnlyBeforeOrAfter) {
    Series before = make({{0, 1}, {1, 3}});
    Window w = win(10, 20);
    EXPECT_FALSE(mean(before.view(), w));
    // LOCF carries the last earlier value through the window when it is within reach ...
    EXPECT_DOUBLE_EQ(*twmean_locf(before.view(), w, 60 * kSec), 3);
    EXPECT_DOUBLE_EQ(*locf(before.view(), 15 * kSec, 60 * kSec), 3);
    // ... and not when it is older than reach.
    EXPECT_FALSE(twmean_locf(before.view(), w, 5 * kSec));
    EXPECT_FALSE(locf(before.view(), 15 * kSec, 5 * kSec));
    // Linear never extrapolates.
    EXPECT_FALSE(twmean_linear(before.view(), w, 60 * kSec));
    EXPECT_FALSE(interpolate(before.view(), 15 * kSec, 60 * kSec));

    Series after = make({{30, 5}, {31, 6}});
    EXPECT_FALSE(mean(after.view(), w));
    EXPECT_FALSE(twmean_locf(after.view(), w, 60 * kSec));
    EXPECT_FALSE(twmean_linear(after.view(), w, 60 * kSec));
    EXPECT_FALSE(locf(after.view(), 15 * kSec, 60 * kSec));
}

TEST(EfdKernels, TimeWeightedMeanLocfUsesValueCarriedIntoWindow) {
    // 0 from t=0, 10 from t=5, window [2, 12]: 3 s of 0 and 7 s of 10 → 7.
    Series s = make({{0, 0}, {5, 10}});
    EXPECT_DOUBLE_EQ(*twmean_locf(s.view(), win(2, 12), 60 * kSec), 7);
    // Without an earlier sample the average starts at the first sample inside: [5, 12] → 10.
    EXPECT_DOUBLE_EQ(*twmean_locf(s.view(), win(2, 12), 1 * kSec), 10);
}

TEST(EfdKernels, TimeWeightedMeanLinearInterpolatesBounds) {
    // Line v = t through samples at 0 and 10 (and 20), window [2, 8] → mean of the line = 5.
    Series s = make({{0, 0}, {10, 10}, {20, 20}});
    EXPECT_DOUBLE_EQ(*twmean_linear(s.view(), win(2, 8), 60 * kSec), 5);
    EXPECT_DOUBLE_EQ(*twmean_linear(s.view(), win(2, 18), 60 * kSec), 10);
    // A gap: 0 at t=0, 10 at t=10, nothing more; window [5, 30] is covered up to t=10 only.
    Series gap = make({{0, 0}, {10, 10}});
    EXPECT_DOUBLE_EQ(*twmean_linear(gap.view(), win(5, 30), 60 * kSec), 7.5);
    // Versus plain mean (samples only): 10.
    EXPECT_DOUBLE_EQ(*mean(gap.view(), win(5, 30)), 10);
}

TEST(EfdKernels, TimeWeightedMeansDifferFromSampleMeanOnIrregularSampling) {
    // Dense samples at value 0 for 1 s, then one sample of 10 held for 9 s.
    Series s;
    for (int i = 0; i < 10; ++i) s.push(i * kSec / 10, 0.0);
    s.push(1 * kSec, 10.0);
    EXPECT_NEAR(*mean(s.view(), win(0, 10)), 10.0 / 11, 1e-12);
    EXPECT_NEAR(*twmean_locf(s.view(), win(0, 10), kSec), 9.0, 1e-12);
}

TEST(EfdKernels, InterpolationAtTime) {
    Series s = make({{0, 0}, {10, 100}});
    EXPECT_DOUBLE_EQ(*interpolate(s.view(), 2500000, 60 * kSec), 25);
    EXPECT_DOUBLE_EQ(*interpolate(s.view(), 0, 60 * kSec), 0);
    EXPECT_DOUBLE_EQ(*interpolate(s.view(), 10 * kSec, 60 * kSec), 100);
    EXPECT_FALSE(interpolate(s.view(), 5 * kSec, 4 * kSec));  // neighbours farther than reach
    EXPECT_FALSE(interpolate(s.view(), -kSec, 60 * kSec));
}

TEST(EfdKernels, RmsFromPolynomialFitMatchesNumpy) {
    // y = 1 + 2x + 3x² exactly → residual 0 for degree ≥ 2.
    Series s;
    for (int i = 0; i < 20; ++i) s.push(i * kSec / 50, 1 + 2.0 * i + 3.0 * i * i);
    Window w{0, 20 * kSec};
    EXPECT_NEAR(*rms_from_polynomial_fit(s.view(), w, 2, FitBasis::Index), 0, 1e-8);
    EXPECT_NEAR(*rms_from_polynomial_fit(s.view(), w, 4, FitBasis::Time), 0, 1e-8);
    // Degree 1 on [0,1,0,1,...] (numpy.polyfit(range(8), y, 1)): RMS of residuals = 0.4879500364742666.
    Series zig;
    for (int i = 0; i < 8; ++i) zig.push(i, i % 2);
    EXPECT_NEAR(*rms_from_polynomial_fit(zig.view(), {0, 7}, 1, FitBasis::Index), 0.4879500364742666, 1e-12);
    // No more points than the degree: NaN (as Rubin's), not NULL.
    Series three = make({{0, 1}, {1, 2}, {2, 5}});
    auto r = rms_from_polynomial_fit(three.view(), win(0, 2), 4, FitBasis::Index);
    ASSERT_TRUE(r);
    EXPECT_TRUE(std::isnan(*r));
}

TEST(EfdKernels, RmsFromPolynomialFitTimeBasisUsesTimes) {
    // Irregular times: the fit against time is exact for a linear function of time, not of index.
    Series s = make({{0, 0}, {1, 1}, {3, 3}, {7, 7}, {8, 8}});
    EXPECT_NEAR(*rms_from_polynomial_fit(s.view(), win(0, 8), 1, FitBasis::Time), 0, 1e-12);
    EXPECT_GT(*rms_from_polynomial_fit(s.view(), win(0, 8), 1, FitBasis::Index), 0.1);
}

TEST(EfdKernels, MomentsAreAccurateForLargeOffsets) {
    // Elevation-like values: large mean, tiny spread.
    std::mt19937 rng(1);
    std::normal_distribution<double> noise(0, 1e-6);
    Series s;
    for (int i = 0; i < 10000; ++i) s.push(i, 1e6 + noise(rng));
    double sd = *stddev(s.view(), {0, 10000}, 1);
    EXPECT_NEAR(sd, 1e-6, 5e-8);
}

TEST(EfdReduction, MethodNamesRoundTrip) {
    for (const char* name : {"mean", "min", "max", "stddev", "count", "first", "last", "most_recent_value",
                             "twmean_locf", "twmean_linear", "interpolate", "locf", "rms_from_polynomial_fit"}) {
        auto m = method_from_name(name);
        ASSERT_TRUE(m) << name;
        EXPECT_STREQ(method_name(*m), name);
    }
    EXPECT_FALSE(method_from_name("median"));
}

TEST(EfdReduction, WindowOffsetsAndMostRecentValueLookBack) {
    // Rubin's most_recent_value with start_offset -1 h: a value set 30 min before the exposure.
    Series s = make({{-1800, 42}, {-7200, 1}});
    ReductionSpec spec;
    spec.method = Method::MostRecentValue;
    spec.begin_offset = -3600 * kSec;
    EXPECT_DOUBLE_EQ(*evaluate(spec, {s.view()}, 0, 30 * kSec), 42);
    spec.begin_offset = 0;
    EXPECT_FALSE(evaluate(spec, {s.view()}, 0, 30 * kSec));
}

TEST(EfdReduction, PoolingSeveralChannels) {
    Series a = make({{0, 1}, {1, 3}});
    Series b = make({{0, 5}, {1, 7}, {2, kNaN}});
    ReductionSpec spec;
    spec.method = Method::Mean;
    EXPECT_DOUBLE_EQ(*evaluate(spec, {a.view(), b.view()}, 0, 2 * kSec), 4);
    spec.method = Method::Max;
    EXPECT_DOUBLE_EQ(*evaluate(spec, {a.view(), b.view()}, 0, 2 * kSec), 7);
    spec.method = Method::Stddev;  // numpy.std([1,3,5,7], ddof=1)
    EXPECT_NEAR(*evaluate(spec, {a.view(), b.view()}, 0, 2 * kSec), 2.581988897471611, 1e-12);
    spec.method = Method::Last;  // latest non-NaN over both channels: b at 1 s (equal time: first seen)
    EXPECT_DOUBLE_EQ(*evaluate(spec, {b.view(), a.view()}, 0, 2 * kSec), 7);
    spec.method = Method::Interpolate;
    spec.anchor = Anchor::Middle;  // at 1 s: a = 3, b = 7 → mean 5
    EXPECT_DOUBLE_EQ(*evaluate(spec, {a.view(), b.view()}, 0, 2 * kSec), 5);
}

TEST(EfdReduction, PreAggregateBinsLikeInfluxGroupByTime) {
    // 10 Hz for 2 s then a single sample: mean of the 1 s bins differs from the sample mean.
    Series s;
    for (int i = 0; i < 20; ++i) s.push(i * kSec / 10, i < 10 ? 0.0 : 2.0);
    s.push(2 * kSec, 10.0);
    ReductionSpec spec;
    spec.method = Method::Mean;
    EXPECT_NEAR(*evaluate(spec, {s.view()}, 0, 2 * kSec), 30.0 / 21, 1e-12);
    spec.pre_aggregate = kSec;
    EXPECT_NEAR(*evaluate(spec, {s.view()}, 0, 2 * kSec), 4.0, 1e-12);  // bins 0, 2, 10
    Series binned = pre_aggregate(s.view(), {0, 2 * kSec}, kSec, Method::Max);
    EXPECT_EQ(binned.size(), 3u);
}

TEST(EfdReduction, SpecReachOnlyForTimeBasedMethods) {
    ReductionSpec spec;
    spec.method = Method::Mean;
    EXPECT_EQ(spec_reach(spec), 0);
    spec.method = Method::Interpolate;
    EXPECT_EQ(spec_reach(spec), spec.reach);
}

TEST(EfdKernels, MomentsOfValuesMatchAPlainLoop) {
    // moments_of sums in several accumulators (SSE2) and falls back to a NaN-skipping loop when a
    // NaN is present: every length around its blocks of 8, with and without NaNs (also first).
    std::mt19937_64 rng(5);
    std::normal_distribution<double> noise(45, 3);
    for (std::size_t n = 0; n <= 40; ++n) {
        for (int nans : {0, 1, 2}) {
            std::vector<double> v(n);
            for (auto& x : v) x = noise(rng);
            if (n > 0 && nans >= 1) v[n / 2] = kNaN;
            if (n > 0 && nans == 2) v[0] = kNaN;
            double sum = 0, sum_sq = 0, lo = 0, hi = 0;
            int64_t count = 0;
            for (double x : v) {
                if (std::isnan(x)) continue;
                lo = count == 0 ? x : std::min(lo, x);
                hi = count == 0 ? x : std::max(hi, x);
                sum += x;
                ++count;
            }
            double mean = count ? sum / static_cast<double>(count) : 0;
            for (double x : v)
                if (!std::isnan(x)) sum_sq += (x - mean) * (x - mean);
            Moments m = moments_of(v.data(), v.size());
            SCOPED_TRACE("n " + std::to_string(n) + ", nans " + std::to_string(nans));
            ASSERT_EQ(m.count, count);
            if (count == 0) {
                EXPECT_FALSE(m.mean().has_value());
                continue;
            }
            EXPECT_NEAR(*m.mean(), mean, 1e-12);
            EXPECT_EQ(*m.minimum(), lo);
            EXPECT_EQ(*m.maximum(), hi);
            if (count > 1) {
                EXPECT_NEAR(*m.stddev(1), std::sqrt(sum_sq / static_cast<double>(count - 1)), 1e-10);
            }
        }
    }
}
