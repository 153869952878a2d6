#include "efd/reduction.hpp"

#include <cmath>
#include <limits>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd {

namespace {

struct MethodName {
    Method method;
    const char* name;
};

constexpr MethodName kMethods[] = {
    {Method::Mean, "mean"},
    {Method::Min, "min"},
    {Method::Max, "max"},
    {Method::Stddev, "stddev"},
    {Method::Count, "count"},
    {Method::First, "first"},
    {Method::Last, "last"},
    {Method::MostRecentValue, "most_recent_value"},
    {Method::TwMeanLocf, "twmean_locf"},
    {Method::TwMeanLinear, "twmean_linear"},
    {Method::Interpolate, "interpolate"},
    {Method::Locf, "locf"},
    {Method::RmsFromPolynomialFit, "rms_from_polynomial_fit"},
};

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t anchor_time(Anchor a, Window w) {
    switch (a) {
        case Anchor::Begin: return w.begin;
        case Anchor::End: return w.end;
        case Anchor::Middle: break;
    }
    return w.begin + (w.end - w.begin) / 2;
}

std::optional<double> mean_of_present(const std::vector<std::optional<double>>& xs) {
    double sum = 0;
    int n = 0;
    for (const auto& x : xs)
        if (x && !std::isnan(*x)) sum += *x, ++n;
    if (n == 0) return std::nullopt;
    return sum / n;
}

}  // namespace

std::optional<Method> method_from_name(std::string_view name) {
    for (const auto& m : kMethods)
        if (name == m.name) return m.method;
    return std::nullopt;
}

const char* method_name(Method method) {
    for (const auto& m : kMethods)
        if (m.method == method) return m.name;
    return "?";
}

std::string method_names() {
    std::string out;
    for (const auto& m : kMethods) {
        if (!out.empty()) out += ", ";
        out += m.name;
    }
    return out;
}

std::optional<Anchor> anchor_from_name(std::string_view name) {
    if (name == "begin") return Anchor::Begin;
    if (name == "middle") return Anchor::Middle;
    if (name == "end") return Anchor::End;
    return std::nullopt;
}

Window spec_window(const ReductionSpec& spec, int64_t begin, int64_t end) {
    return {begin + spec.begin_offset, end + spec.end_offset};
}

int64_t spec_reach(const ReductionSpec& spec) {
    switch (spec.method) {
        case Method::TwMeanLocf:
        case Method::TwMeanLinear:
        case Method::Interpolate:
        case Method::Locf:
            return spec.reach;
        default:
            return 0;
    }
}

Series pre_aggregate(SeriesView s, Window w, int64_t bin, Method method) {
    Series out;
    std::size_t i = s.lower(w.begin), end = s.upper(w.end);
    while (i < end) {
        int64_t b = floor_div(s.t[i], bin);
        Moments m;
        std::size_t j = i;
        for (; j < end && floor_div(s.t[j], bin) == b; ++j) m.add(s.v[j]);
        std::optional<double> v = method == Method::Min ? m.minimum() : method == Method::Max ? m.maximum() : m.mean();
        if (v) out.push(b * bin, *v);  // InfluxDB labels a GROUP BY time() bin by its start
        i = j;
    }
    return out;
}

std::optional<double> evaluate(const ReductionSpec& spec, const std::vector<SeriesView>& channels, int64_t begin,
                               int64_t end) {
    Window w = spec_window(spec, begin, end);
    std::vector<Series> binned;
    std::vector<SeriesView> views = channels;
    if (spec.pre_aggregate > 0 &&
        (spec.method == Method::Mean || spec.method == Method::Min || spec.method == Method::Max)) {
        binned.reserve(channels.size());
        views.clear();
        for (const auto& c : channels) {
            binned.push_back(pre_aggregate(c, w, spec.pre_aggregate, spec.method));
            views.push_back(binned.back().view());
        }
        // Bins are labelled by their start, which may precede the window's begin.
        w.begin = floor_div(w.begin, spec.pre_aggregate) * spec.pre_aggregate;
    }
    switch (spec.method) {
        case Method::Mean:
        case Method::Min:
        case Method::Max:
        case Method::Stddev:
        case Method::Count: {
            Moments m;
            for (const auto& c : views) m.merge(moments(c, w));
            if (spec.method == Method::Mean) return m.mean();
            if (spec.method == Method::Min) return m.minimum();
            if (spec.method == Method::Max) return m.maximum();
            if (spec.method == Method::Stddev) return m.stddev(spec.ddof);
            return static_cast<double>(m.count);
        }
        case Method::First:
        case Method::Last:
        case Method::MostRecentValue: {
            // The earliest (first) or latest (last) non-NaN sample over all channels.
            std::optional<double> best;
            int64_t best_t = 0;
            bool want_first = spec.method == Method::First;
            for (const auto& c : views) {
                Window cw = w;
                std::size_t from = c.lower(cw.begin), to = c.upper(cw.end);
                if (want_first) {
                    for (std::size_t i = from; i < to; ++i)
                        if (!std::isnan(c.v[i])) {
                            if (!best || c.t[i] < best_t) best = c.v[i], best_t = c.t[i];
                            break;
                        }
                } else {
                    for (std::size_t i = to; i > from; --i)
                        if (!std::isnan(c.v[i - 1])) {
                            if (!best || c.t[i - 1] > best_t) best = c.v[i - 1], best_t = c.t[i - 1];
                            break;
                        }
                }
            }
            return best;
        }
        case Method::TwMeanLocf:
        case Method::TwMeanLinear:
        case Method::Interpolate:
        case Method::Locf: {
            std::vector<std::optional<double>> per_channel;
            for (const auto& c : views) {
                switch (spec.method) {
                    case Method::TwMeanLocf: per_channel.push_back(twmean_locf(c, w, spec.reach)); break;
                    case Method::TwMeanLinear: per_channel.push_back(twmean_linear(c, w, spec.reach)); break;
                    case Method::Interpolate:
                        per_channel.push_back(interpolate(c, anchor_time(spec.anchor, w), spec.reach));
                        break;
                    default: per_channel.push_back(locf(c, anchor_time(spec.anchor, w), spec.reach)); break;
                }
            }
            return mean_of_present(per_channel);
        }
        case Method::RmsFromPolynomialFit: {
            int64_t n = 0;
            double ss = 0;
            bool any = false;
            for (const auto& c : views) {
                auto fit = polynomial_fit_residuals(c, w, spec.degree, spec.fit_basis);
                if (!fit) continue;
                any = true;
                if (std::isnan(fit->sum_sq)) continue;
                n += fit->n;
                ss += fit->sum_sq;
            }
            if (!any) return std::nullopt;
            if (n == 0) return std::numeric_limits<double>::quiet_NaN();
            return std::sqrt(ss / static_cast<double>(n));
        }
    }
    return std::nullopt;
}

}  // namespace obsmeta::efd
