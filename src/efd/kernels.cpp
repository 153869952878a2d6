#include "efd/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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

Moments moments(SeriesView s, Window w) {
    Range r = in_window(s, w);
    Moments m;
    std::size_t i = r.from;
    while (i < r.to && std::isnan(s.v[i])) ++i;
    if (i == r.to) return m;
    // Branch-light loop: the shift is the first value, NaNs are skipped.
    const double shift = s.v[i];
    double sum = 0, sum_sq = 0, lo = shift, hi = shift;
    int64_t n = 0;
    for (; i < r.to; ++i) {
        double x = s.v[i];
        if (std::isnan(x)) continue;
        double d = x - shift;
        sum += d;
        sum_sq += d * d;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        ++n;
    }
    m.count = n;
    m.shift = shift;
    m.sum = sum;
    m.sum_sq = sum_sq;
    m.min = lo;
    m.max = hi;
    return m;
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
