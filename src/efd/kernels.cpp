#include "efd/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above
#endif

namespace obsmeta::efd {

namespace {

struct Range {
    std::size_t from, to;  // [from, to) indices of the window's samples
};

Range in_window(SeriesView s, Window w) {
    if (w.end < w.begin) return {0, 0};
    return {s.lower(w.begin), s.upper(w.end)};
}

}  // namespace

void Moments::add(double x) {
    if (std::isnan(x)) return;
    if (count == 0) {
        shift = x;
        min = max = x;
    } else {
        min = std::min(min, x);
        max = std::max(max, x);
    }
    ++count;
    double d = x - shift;
    sum += d;
    sum_sq += d * d;
}

void Moments::merge(const Moments& o) {
    if (o.count == 0) return;
    if (count == 0) {
        *this = o;
        return;
    }
    // Re-express o's sums around our shift: sum(x - s) = sum(x - so) + n (so - s).
    double k = o.shift - shift;
    double n = static_cast<double>(o.count);
    sum_sq += o.sum_sq + 2 * k * o.sum + n * k * k;
    sum += o.sum + n * k;
    count += o.count;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
}

std::optional<double> Moments::mean() const {
    if (count == 0) return std::nullopt;
    return shift + sum / static_cast<double>(count);
}

std::optional<double> Moments::variance(int ddof) const {
    if (count <= ddof || count == 0) return std::nullopt;
    double n = static_cast<double>(count);
    double ss = sum_sq - sum * sum / n;
    return std::max(0.0, ss) / (n - ddof);
}

std::optional<double> Moments::stddev(int ddof) const {
    auto v = variance(ddof);
    if (!v) return std::nullopt;
    return std::sqrt(*v);
}

std::optional<double> Moments::minimum() const {
    if (count == 0) return std::nullopt;
    return min;
}

std::optional<double> Moments::maximum() const {
    if (count == 0) return std::nullopt;
    return max;
}

namespace {

// Moments of values that may hold NaNs (skipped, not counted). Branch-free per sample.
Moments moments_with_nans(const double* v, std::size_t n) {
    Moments m;
    std::size_t i = 0;
    while (i < n && std::isnan(v[i])) ++i;
    if (i == n) return m;
    const double shift = v[i];
    double sum = 0, sum_sq = 0, lo = shift, hi = shift;
    int64_t count = 0;
    for (; i < n; ++i) {
        const double x = v[i];
        const bool ok = x == x;
        const double d = ok ? x - shift : 0.0;
        sum += d;
        sum_sq += d * d;
        count += ok;
        lo = x < lo ? x : lo;  // a NaN never wins a comparison
        hi = x > hi ? x : hi;
    }
    m.count = count;
    m.shift = shift;
    m.sum = sum;
    m.sum_sq = sum_sq;
    m.min = lo;
    m.max = hi;
    return m;
}

}  // namespace

Moments moments_of(const double* v, std::size_t n) {
    // The common case has no NaN: sums of (x - first value) in independent accumulators (SSE2: two
    // values per instruction, four registers), min/max alongside. A NaN anywhere makes the sum NaN,
    // and the values are then summed again by the NaN-skipping loop.
    Moments m;
    if (n == 0) return m;
    const double shift = v[0];
    if (std::isnan(shift)) return moments_with_nans(v, n);
    double sum, sum_sq, lo, hi;
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128d sh = _mm_set1_pd(shift);
    __m128d s0 = _mm_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    __m128d l0 = sh, l1 = sh, h0 = sh, h1 = sh;
    for (; i + 8 <= n; i += 8) {
        const __m128d x0 = _mm_loadu_pd(v + i), x1 = _mm_loadu_pd(v + i + 2);
        const __m128d x2 = _mm_loadu_pd(v + i + 4), x3 = _mm_loadu_pd(v + i + 6);
        const __m128d d0 = _mm_sub_pd(x0, sh), d1 = _mm_sub_pd(x1, sh), d2 = _mm_sub_pd(x2, sh), d3 = _mm_sub_pd(x3, sh);
        s0 = _mm_add_pd(s0, d0);
        s1 = _mm_add_pd(s1, d1);
        s2 = _mm_add_pd(s2, d2);
        s3 = _mm_add_pd(s3, d3);
        q0 = _mm_add_pd(q0, _mm_mul_pd(d0, d0));
        q1 = _mm_add_pd(q1, _mm_mul_pd(d1, d1));
        q2 = _mm_add_pd(q2, _mm_mul_pd(d2, d2));
        q3 = _mm_add_pd(q3, _mm_mul_pd(d3, d3));
        l0 = _mm_min_pd(x0, _mm_min_pd(x2, l0));
        l1 = _mm_min_pd(x1, _mm_min_pd(x3, l1));
        h0 = _mm_max_pd(x0, _mm_max_pd(x2, h0));
        h1 = _mm_max_pd(x1, _mm_max_pd(x3, h1));
    }
    double s[2], q[2], l[2], h[2];
    _mm_storeu_pd(s, _mm_add_pd(_mm_add_pd(s0, s1), _mm_add_pd(s2, s3)));
    _mm_storeu_pd(q, _mm_add_pd(_mm_add_pd(q0, q1), _mm_add_pd(q2, q3)));
    _mm_storeu_pd(l, _mm_min_pd(l0, l1));
    _mm_storeu_pd(h, _mm_max_pd(h0, h1));
    sum = s[0] + s[1];
    sum_sq = q[0] + q[1];
    lo = std::min(l[0], l[1]);
    hi = std::max(h[0], h[1]);
#else
    double s[4] = {}, q[4] = {}, l[4] = {shift, shift, shift, shift}, h[4] = {shift, shift, shift, shift};
    for (; i + 4 <= n; i += 4) {
        for (int k = 0; k < 4; ++k) {
            const double x = v[i + k], d = x - shift;
            s[k] += d;
            q[k] += d * d;
            l[k] = x < l[k] ? x : l[k];
            h[k] = x > h[k] ? x : h[k];
        }
    }
    sum = (s[0] + s[1]) + (s[2] + s[3]);
    sum_sq = (q[0] + q[1]) + (q[2] + q[3]);
    lo = std::min(std::min(l[0], l[1]), std::min(l[2], l[3]));
    hi = std::max(std::max(h[0], h[1]), std::max(h[2], h[3]));
#endif
    for (; i < n; ++i) {
        const double x = v[i], d = x - shift;
        sum += d;
        sum_sq += d * d;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    if (std::isnan(sum) || std::isnan(sum_sq)) return moments_with_nans(v, n);
    m.count = static_cast<int64_t>(n);
    m.shift = shift;
    m.sum = sum;
    m.sum_sq = sum_sq;
    m.min = lo;
    m.max = hi;
    return m;
}

Moments moments(SeriesView s, Window w) {
    Range r = in_window(s, w);
    return moments_of(s.v + r.from, r.to - r.from);
}

std::optional<double> mean(SeriesView s, Window w) { return moments(s, w).mean(); }
std::optional<double> minimum(SeriesView s, Window w) { return moments(s, w).minimum(); }
std::optional<double> maximum(SeriesView s, Window w) { return moments(s, w).maximum(); }
std::optional<double> stddev(SeriesView s, Window w, int ddof) { return moments(s, w).stddev(ddof); }
int64_t count(SeriesView s, Window w) { return moments(s, w).count; }

std::optional<double> first(SeriesView s, Window w) {
    Range r = in_window(s, w);
    for (std::size_t i = r.from; i < r.to; ++i)
        if (!std::isnan(s.v[i])) return s.v[i];
    return std::nullopt;
}

std::optional<double> last(SeriesView s, Window w) {
    Range r = in_window(s, w);
    for (std::size_t i = r.to; i > r.from; --i)
        if (!std::isnan(s.v[i - 1])) return s.v[i - 1];
    return std::nullopt;
}

namespace {

// Index of the last non-NaN sample with time <= at and >= floor, or npos.
constexpr std::size_t npos = static_cast<std::size_t>(-1);

std::size_t last_at_or_before(SeriesView s, int64_t at, int64_t floor) {
    for (std::size_t i = s.upper(at); i > 0; --i) {
        if (s.t[i - 1] < floor) return npos;
        if (!std::isnan(s.v[i - 1])) return i - 1;
    }
    return npos;
}

std::size_t first_at_or_after(SeriesView s, int64_t at, int64_t ceiling) {
    for (std::size_t i = s.lower(at); i < s.n; ++i) {
        if (s.t[i] > ceiling) return npos;
        if (!std::isnan(s.v[i])) return i;
    }
    return npos;
}

double lerp(SeriesView s, std::size_t a, std::size_t b, int64_t at) {
    if (a == b || s.t[a] == s.t[b]) return s.v[a];
    double f = static_cast<double>(at - s.t[a]) / static_cast<double>(s.t[b] - s.t[a]);
    return s.v[a] + f * (s.v[b] - s.v[a]);
}

int64_t sat_sub(int64_t a, int64_t b) {
    if (b > 0 && a < std::numeric_limits<int64_t>::min() + b) return std::numeric_limits<int64_t>::min();
    return a - b;
}

int64_t sat_add(int64_t a, int64_t b) {
    if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) return std::numeric_limits<int64_t>::max();
    return a + b;
}

}  // namespace

std::optional<double> locf(SeriesView s, int64_t at, int64_t reach) {
    std::size_t i = last_at_or_before(s, at, sat_sub(at, reach));
    if (i == npos) return std::nullopt;
    return s.v[i];
}

std::optional<double> interpolate(SeriesView s, int64_t at, int64_t reach) {
    std::size_t a = last_at_or_before(s, at, sat_sub(at, reach));
    if (a != npos && s.t[a] == at) return s.v[a];
    std::size_t b = first_at_or_after(s, at, sat_add(at, reach));
    if (a == npos || b == npos) return std::nullopt;
    return lerp(s, a, b, at);
}

std::optional<double> twmean_locf(SeriesView s, Window w, int64_t reach) {
    if (w.end < w.begin) return std::nullopt;
    // Start: the value carried in from before the window, else the first sample inside it.
    std::size_t start = last_at_or_before(s, w.begin, sat_sub(w.begin, reach));
    int64_t t0 = w.begin;
    if (start == npos) {
        start = first_at_or_after(s, w.begin, w.end);
        if (start == npos) return std::nullopt;
        t0 = s.t[start];
    }
    if (t0 == w.end) return s.v[start];
    double integral = 0;
    double held = s.v[start];
    int64_t held_since = t0;
    for (std::size_t i = s.upper(t0); i < s.n && s.t[i] <= w.end; ++i) {
        if (std::isnan(s.v[i])) continue;
        integral += held * static_cast<double>(s.t[i] - held_since);
        held = s.v[i];
        held_since = s.t[i];
    }
    integral += held * static_cast<double>(w.end - held_since);
    return integral / static_cast<double>(w.end - t0);
}

std::optional<double> twmean_linear(SeriesView s, Window w, int64_t reach) {
    if (w.end < w.begin) return std::nullopt;
    // Covered span [t0, t1]: the window, shrunk to the samples when nothing lies beyond a bound.
    std::size_t before = last_at_or_before(s, w.begin, sat_sub(w.begin, reach));
    std::size_t inside = first_at_or_after(s, w.begin, w.end);
    std::size_t after = first_at_or_after(s, w.end, sat_add(w.end, reach));
    std::size_t last_in = last_at_or_before(s, w.end, w.begin);
    // Points of the piecewise-linear curve, in time order.
    int64_t t0, t1;
    double v0, v1;
    if (before != npos && s.t[before] == w.begin) {
        t0 = w.begin, v0 = s.v[before];
    } else if (before != npos && (inside != npos || after != npos)) {
        std::size_t next = inside != npos ? inside : after;
        t0 = w.begin, v0 = lerp(s, before, next, w.begin);
    } else if (inside != npos) {
        t0 = s.t[inside], v0 = s.v[inside];
    } else {
        return std::nullopt;
    }
    if (last_in != npos && s.t[last_in] == w.end) {
        t1 = w.end, v1 = s.v[last_in];
    } else if (after != npos) {
        std::size_t prev = last_in != npos ? last_in : before;
        t1 = w.end, v1 = lerp(s, prev, after, w.end);
    } else if (last_in != npos) {
        t1 = s.t[last_in], v1 = s.v[last_in];
    } else {
        return std::nullopt;
    }
    if (t1 <= t0) return v0;
    // Trapezoids from (t0, v0) through the inner samples to (t1, v1).
    double integral = 0;
    int64_t pt = t0;
    double pv = v0;
    for (std::size_t i = s.upper(t0); i < s.n && s.t[i] < t1; ++i) {
        if (std::isnan(s.v[i])) continue;
        integral += 0.5 * (pv + s.v[i]) * static_cast<double>(s.t[i] - pt);
        pt = s.t[i];
        pv = s.v[i];
    }
    integral += 0.5 * (pv + v1) * static_cast<double>(t1 - pt);
    return integral / static_cast<double>(t1 - t0);
}

namespace {

// Least squares by Householder QR of the (n × m) Vandermonde matrix A (column-major), overwriting
// y with Qᵀy; the residual sum of squares is the squared norm of its last n − m entries.
double qr_residual_sum_sq(std::vector<double>& a, std::vector<double>& y, std::size_t n, std::size_t m) {
    for (std::size_t k = 0; k < m; ++k) {
        double* col = a.data() + k * n;
        double norm = 0;
        for (std::size_t i = k; i < n; ++i) norm += col[i] * col[i];
        norm = std::sqrt(norm);
        if (norm == 0) continue;  // rank deficient column: leave it
        double alpha = col[k] > 0 ? -norm : norm;
        col[k] -= alpha;  // v = x - alpha e_k (stored in col[k..n))
        double vnorm2 = 0;
        for (std::size_t i = k; i < n; ++i) vnorm2 += col[i] * col[i];
        if (vnorm2 == 0) continue;
        auto reflect = [&](double* x) {
            double dot = 0;
            for (std::size_t i = k; i < n; ++i) dot += col[i] * x[i];
            double f = 2 * dot / vnorm2;
            for (std::size_t i = k; i < n; ++i) x[i] -= f * col[i];
        };
        for (std::size_t j = k + 1; j < m; ++j) reflect(a.data() + j * n);
        reflect(y.data());
    }
    double ss = 0;
    for (std::size_t i = m; i < n; ++i) ss += y[i] * y[i];
    return ss;
}

}  // namespace

std::optional<FitResult> polynomial_fit_residuals(SeriesView s, Window w, int degree, FitBasis basis) {
    Range r = in_window(s, w);
    std::vector<double> x, y;
    x.reserve(r.to - r.from);
    y.reserve(r.to - r.from);
    for (std::size_t i = r.from; i < r.to; ++i) {
        if (std::isnan(s.v[i])) continue;
        x.push_back(basis == FitBasis::Index ? static_cast<double>(x.size())
                                             : static_cast<double>(s.t[i] - s.t[r.from]) * 1e-6);
        y.push_back(s.v[i]);
    }
    if (y.empty()) return std::nullopt;
    FitResult result;
    result.n = static_cast<int64_t>(y.size());
    if (degree < 0 || y.size() <= static_cast<std::size_t>(degree)) {
        result.sum_sq = std::numeric_limits<double>::quiet_NaN();
        return result;
    }
    // Scale x to [-1, 1] for a well-conditioned Vandermonde matrix (the fit's residuals do not change).
    const std::size_t n = y.size(), m = static_cast<std::size_t>(degree) + 1;
    double lo = x.front(), hi = x.back();
    double mid = 0.5 * (lo + hi), half = hi > lo ? 0.5 * (hi - lo) : 1.0;
    std::vector<double> a(n * m);
    for (std::size_t i = 0; i < n; ++i) {
        double xs = (x[i] - mid) / half, p = 1;
        for (std::size_t j = 0; j < m; ++j, p *= xs) a[j * n + i] = p;
    }
    result.sum_sq = qr_residual_sum_sq(a, y, n, m);
    return result;
}

std::optional<double> rms_from_polynomial_fit(SeriesView s, Window w, int degree, FitBasis basis) {
    auto fit = polynomial_fit_residuals(s, w, degree, basis);
    if (!fit) return std::nullopt;
    return std::sqrt(fit->sum_sq / static_cast<double>(fit->n));
}

}  // namespace obsmeta::efd
