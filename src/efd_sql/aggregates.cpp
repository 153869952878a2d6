// The reduction kernels as SQL aggregates over rows of (time, value), e.g. over a plain table or
// efd.samples(...):  efd.nanmean(value), efd.nanmin, efd.nanmax, efd.nanstddev (ddof = 1),
// efd.twmean_locf(time, value, window_begin, window_end), efd.twmean_linear(...),
// efd.interpolate(time, value, at), efd.locf(time, value, at), efd.most_recent_value(time, value),
// efd.rms_from_polynomial_fit(time, value, degree, fit_basis).
// The state is a palloc'd array pair in the aggregate's memory context (no C++ heap objects, so
// an aborted query leaks nothing); rows may come in any order, duplicates of a time count once.
#include <cmath>
#include <limits>
#include <string>

#include "efd/reduction.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"

namespace obsmeta::efd_sql {

namespace {

struct SampleAggState {
    int64_t* t;
    double* v;
    int64_t n, cap;
    int64_t begin, end;  // window, or point (begin = end)
    int32_t degree;
    bool fit_time;
    bool have_params;
};

SampleAggState* state_of(FunctionCallInfo fcinfo) {
    MemoryContext agg = nullptr;
    if (!AggCheckCallContext(fcinfo, &agg))
        throw pg::Error(ERRCODE_FEATURE_NOT_SUPPORTED, "EFD aggregate transition function called outside an aggregate");
    if (!PG_ARGISNULL(0)) return reinterpret_cast<SampleAggState*>(PG_GETARG_POINTER(0));
    auto* s = static_cast<SampleAggState*>(pg::call([=] { return MemoryContextAllocZero(agg, sizeof(SampleAggState)); }));
    s->cap = 256;
    s->t = static_cast<int64_t*>(pg::call([=] { return MemoryContextAllocHuge(agg, sizeof(int64_t) * 256); }));
    s->v = static_cast<double*>(pg::call([=] { return MemoryContextAllocHuge(agg, sizeof(double) * 256); }));
    return s;
}

void append(SampleAggState* s, int64_t t, double v) {
    if (s->n == s->cap) {
        int64_t cap = s->cap * 2;
        s->t = static_cast<int64_t*>(pg::call([=] { return repalloc_huge(s->t, sizeof(int64_t) * cap); }));
        s->v = static_cast<double*>(pg::call([=] { return repalloc_huge(s->v, sizeof(double) * cap); }));
        s->cap = cap;
    }
    s->t[s->n] = t;
    s->v[s->n] = v;
    ++s->n;
}

// Adds the row (time in argument 1, value in 2); false when the time is NULL.
bool add_timed(FunctionCallInfo fcinfo, SampleAggState* s) {
    if (PG_ARGISNULL(1)) return false;
    int64_t t = PG_GETARG_TIMESTAMPTZ(1);
    if (TIMESTAMP_NOT_FINITE(t))
        throw pg::Error(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE, "EFD aggregate: sample time must be finite");
    append(s, t, PG_ARGISNULL(2) ? std::nan("") : PG_GETARG_FLOAT8(2));
    return true;
}

efd::Series series_of(const SampleAggState* s) {
    efd::Series out;
    out.t.assign(s->t, s->t + s->n);
    out.v.assign(s->v, s->v + s->n);
    efd::sort_unique_last_wins(out);
    return out;
}

constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max() / 4;

Datum result(FunctionCallInfo fcinfo, std::optional<double> r) {
    if (!r) {
        fcinfo->isnull = true;
        return Datum(0);
    }
    return Float8GetDatum(*r);
}

Datum finish(FunctionCallInfo fcinfo, efd::Method method) {
    if (PG_ARGISNULL(0)) return result(fcinfo, std::nullopt);
    const SampleAggState* s = reinterpret_cast<SampleAggState*>(PG_GETARG_POINTER(0));
    efd::Series series = series_of(s);
    if (series.size() == 0) return result(fcinfo, std::nullopt);
    efd::ReductionSpec spec;
    spec.method = method;
    spec.reach = kUnlimited;
    spec.anchor = efd::Anchor::Begin;
    spec.degree = s->degree;
    spec.fit_basis = s->fit_time ? efd::FitBasis::Time : efd::FitBasis::Index;
    int64_t begin = series.t.front(), end = series.t.back();
    if (s->have_params) begin = s->begin, end = s->end;
    return result(fcinfo, efd::evaluate(spec, {series.view()}, begin, end));
}

}  // namespace

}  // namespace obsmeta::efd_sql

using namespace obsmeta;
using efd_sql::SampleAggState;

// (state, value): row order does not matter, so rows are numbered.
OBSMETA_FUNCTION(obsmeta_efd_agg_add_value) {
    SampleAggState* s = efd_sql::state_of(fcinfo);
    efd_sql::append(s, s->n, PG_ARGISNULL(1) ? std::nan("") : PG_GETARG_FLOAT8(1));
    return PointerGetDatum(s);
}

OBSMETA_FUNCTION(obsmeta_efd_agg_add) {
    SampleAggState* s = efd_sql::state_of(fcinfo);
    efd_sql::add_timed(fcinfo, s);
    return PointerGetDatum(s);
}

// (state, time, value, window_begin, window_end)
OBSMETA_FUNCTION(obsmeta_efd_agg_add_window) {
    SampleAggState* s = efd_sql::state_of(fcinfo);
    if (!s->have_params && !PG_ARGISNULL(3) && !PG_ARGISNULL(4)) {
        s->begin = PG_GETARG_TIMESTAMPTZ(3);
        s->end = PG_GETARG_TIMESTAMPTZ(4);
        s->have_params = true;
    }
    efd_sql::add_timed(fcinfo, s);
    return PointerGetDatum(s);
}

// (state, time, value, at)
OBSMETA_FUNCTION(obsmeta_efd_agg_add_at) {
    SampleAggState* s = efd_sql::state_of(fcinfo);
    if (!s->have_params && !PG_ARGISNULL(3)) {
        s->begin = s->end = PG_GETARG_TIMESTAMPTZ(3);
        s->have_params = true;
    }
    efd_sql::add_timed(fcinfo, s);
    return PointerGetDatum(s);
}

// (state, time, value, degree, fit_basis)
OBSMETA_FUNCTION(obsmeta_efd_agg_add_fit) {
    SampleAggState* s = efd_sql::state_of(fcinfo);
    if (s->n == 0) {
        s->degree = PG_ARGISNULL(3) ? 1 : PG_GETARG_INT32(3);
        std::string basis = PG_ARGISNULL(4) ? "index" : pg::text_value(PG_GETARG_DATUM(4));
        if (basis != "index" && basis != "time")
            throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown fit_basis \"" + basis + "\"", {}, "Use index or time.");
        if (s->degree < 0 || s->degree > 20)
            throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "degree must be between 0 and 20, not " + std::to_string(s->degree));
        s->fit_time = basis == "time";
    }
    efd_sql::add_timed(fcinfo, s);
    return PointerGetDatum(s);
}

OBSMETA_FUNCTION(obsmeta_efd_agg_nanmean) { return efd_sql::finish(fcinfo, efd::Method::Mean); }
OBSMETA_FUNCTION(obsmeta_efd_agg_nanmin) { return efd_sql::finish(fcinfo, efd::Method::Min); }
OBSMETA_FUNCTION(obsmeta_efd_agg_nanmax) { return efd_sql::finish(fcinfo, efd::Method::Max); }
OBSMETA_FUNCTION(obsmeta_efd_agg_nanstddev) { return efd_sql::finish(fcinfo, efd::Method::Stddev); }
OBSMETA_FUNCTION(obsmeta_efd_agg_twmean_locf) { return efd_sql::finish(fcinfo, efd::Method::TwMeanLocf); }
OBSMETA_FUNCTION(obsmeta_efd_agg_twmean_linear) { return efd_sql::finish(fcinfo, efd::Method::TwMeanLinear); }
OBSMETA_FUNCTION(obsmeta_efd_agg_interpolate) { return efd_sql::finish(fcinfo, efd::Method::Interpolate); }
OBSMETA_FUNCTION(obsmeta_efd_agg_locf) { return efd_sql::finish(fcinfo, efd::Method::Locf); }
OBSMETA_FUNCTION(obsmeta_efd_agg_most_recent_value) { return efd_sql::finish(fcinfo, efd::Method::MostRecentValue); }
OBSMETA_FUNCTION(obsmeta_efd_agg_rms_from_polynomial_fit) {
    return efd_sql::finish(fcinfo, efd::Method::RmsFromPolynomialFit);
}
