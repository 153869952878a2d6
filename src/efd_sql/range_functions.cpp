// Reductions over a channel (or several pooled channels) and a time range, and raw samples:
//   efd.reduce(channels int[], method, window_begin, window_end, reach, anchor, ddof, degree,
//              fit_basis, pre_aggregate) → float8
//   efd.samples(channel, from, to) → (time, value)            (caller needs SELECT on efd.chunk)
//   efd.image_samples(kind, instrument, id, channel, padding) → (time, value)
//       (runs as the efd owner after checking that the caller may see the image; a reader gets no
//        sample of a time when an image they may not see was taken: efd_sql/embargo.hpp)
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "efd/reduction.hpp"
#include "efd_sql/chunk_store.hpp"
#include "efd_sql/embargo.hpp"
#include "efd_sql/owner.hpp"
#include "efd_sql/pg_values.hpp"
#include "pg/datum.hpp"
#include "pg/input_limits.hpp"
#include "pg/set_returning.hpp"
#include "pg/spi.hpp"

namespace obsmeta::efd_sql {

namespace {

// The distinct channel ids of efd.reduce's array, in increasing order: a channel named twice is
// pooled once (each copy used to load and hold the whole series again: 10^6 copies of one channel
// took 23 GB), and the array's length is limited by obsmeta.max_efd_array_length.
std::vector<int32_t> channel_ids(ArrayType* arr) {
    const int length = pg::call([=] { return ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)); });
    pg::limits::check(static_cast<std::size_t>(length), pg::limits::max_efd_array_length,
                      "efd.reduce's channel array", "elements", "obsmeta.max_efd_array_length");
    Datum* values = nullptr;
    bool* nulls = nullptr;
    int n = 0;
    pg::call([&] { deconstruct_array(arr, INT4OID, 4, true, TYPALIGN_INT, &values, &nulls, &n); });
    std::vector<int32_t> out;
    for (int i = 0; i < n; ++i)
        if (!nulls[i]) out.push_back(DatumGetInt32(values[i]));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Returns rows (time, value) through a materialized tuplestore, leaving out hidden times.
void return_samples(FunctionCallInfo fcinfo, efd::SeriesView v, int64_t from, int64_t to,
                    const HiddenTimes& hidden = HiddenTimes()) {
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    pg::call([=] { InitMaterializedSRF(fcinfo, 0); });
    Tuplestorestate* store = rsinfo->setResult;
    TupleDesc desc = rsinfo->setDesc;
    for (std::size_t i = v.lower(from), end = v.upper(to); i < end; ++i) {
        if (hidden.size() > 0 && hidden.contains(v.t[i])) continue;
        Datum values[2] = {TimestampTzGetDatum(v.t[i]), Float8GetDatum(v.v[i])};
        bool nulls[2] = {false, false};
        Datum* vp = values;
        bool* np = nulls;
        pg::call([=] { tuplestore_putvalues(store, desc, vp, np); });
    }
}

void check_range(int64_t from, int64_t to) {
    if (TIMESTAMP_NOT_FINITE(from) || TIMESTAMP_NOT_FINITE(to))
        throw pg::Error(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE, "EFD time range bounds must be finite", {},
                        "Give the window's begin and end times.");
}

}  // namespace

}  // namespace obsmeta::efd_sql

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_efd_reduce) {
    for (int i = 0; i < 4; ++i)
        if (PG_ARGISNULL(i)) return (fcinfo->isnull = true, Datum(0));
    std::vector<int32_t> chans = efd_sql::channel_ids(PG_GETARG_ARRAYTYPE_P(0));
    std::string method_text = pg::text_value(PG_GETARG_DATUM(1));
    auto method = efd::method_from_name(method_text);
    if (!method)
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown EFD reduction method \"" + method_text + "\"", {},
                        "Methods: " + efd::method_names() + ".");
    int64_t begin = PG_GETARG_TIMESTAMPTZ(2), end = PG_GETARG_TIMESTAMPTZ(3);
    efd_sql::check_range(begin, end);
    efd::ReductionSpec spec;
    spec.method = *method;
    if (!PG_ARGISNULL(4)) spec.reach = efd_sql::interval_us(PG_GETARG_DATUM(4));
    if (!PG_ARGISNULL(5)) {
        std::string a = pg::text_value(PG_GETARG_DATUM(5));
        auto anchor = efd::anchor_from_name(a);
        if (!anchor)
            throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown anchor \"" + a + "\"", {}, "Use begin, middle or end.");
        spec.anchor = *anchor;
    }
    if (!PG_ARGISNULL(6)) spec.ddof = PG_GETARG_INT32(6);
    if (!PG_ARGISNULL(7)) spec.degree = PG_GETARG_INT32(7);
    if (!PG_ARGISNULL(8)) {
        std::string b = pg::text_value(PG_GETARG_DATUM(8));
        if (b != "index" && b != "time")
            throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown fit_basis \"" + b + "\"", {}, "Use index or time.");
        spec.fit_basis = b == "time" ? efd::FitBasis::Time : efd::FitBasis::Index;
    }
    if (!PG_ARGISNULL(9)) spec.pre_aggregate = efd_sql::interval_us(PG_GETARG_DATUM(9));
    if (spec.ddof < 0 || spec.degree < 0 || spec.reach < 0 || spec.pre_aggregate < 0)
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "ddof, degree, reach and pre_aggregate must not be negative");
    pg::limits::check(static_cast<std::size_t>(spec.reach / 1000000), pg::limits::max_efd_padding_s, "reach", "s",
                      "obsmeta.max_efd_padding");
    pg::limits::check(static_cast<std::size_t>(spec.pre_aggregate / 1000000), pg::limits::max_efd_padding_s,
                      "pre_aggregate", "s", "obsmeta.max_efd_padding");
    int64_t reach = efd::spec_reach(spec);
    std::vector<efd::SampleBuffer> series(chans.size());
    std::vector<efd::SeriesView> views;
    for (std::size_t i = 0; i < chans.size(); ++i) {
        pg::call([] { CHECK_FOR_INTERRUPTS(); });
        efd_sql::load_series(chans[i], begin - reach, end + reach, series[i]);
        views.push_back(series[i].view());
    }
    auto r = efd::evaluate(spec, views, begin, end);
    if (!r) return (fcinfo->isnull = true, Datum(0));
    return Float8GetDatum(*r);
}

OBSMETA_FUNCTION(obsmeta_efd_samples) {
    int32_t channel = PG_GETARG_INT32(0);
    int64_t from = PG_GETARG_TIMESTAMPTZ(1), to = PG_GETARG_TIMESTAMPTZ(2);
    efd_sql::check_range(from, to);
    efd::SampleBuffer s;
    efd_sql::load_series(channel, from, to, s);
    efd_sql::return_samples(fcinfo, s.view(), from, to);
    return Datum(0);
}

// efd.samples_for / efd.samples_for_visit: one channel's samples over an image's span ± padding.
// Visibility is checked as the caller (embargo: an image the caller may not see, or that does not
// exist, gives no rows and no error, so nothing leaks); the samples are then read as the efd owner,
// so readers need no access to efd.chunk, without those taken while an image the caller may not see
// was being taken (whatever the padding).
OBSMETA_FUNCTION(obsmeta_efd_image_samples) {
    // A set-returning function must set up its result even when it has no rows: returning early
    // without one left the executor reading a null tuplestore (SIGSEGV, issue 13).
    for (int i = 0; i < 4; ++i)
        if (PG_ARGISNULL(i)) return (efd_sql::return_samples(fcinfo, efd::SeriesView{}, 0, -1), Datum(0));
    std::string kind = pg::text_value(PG_GETARG_DATUM(0));
    std::string instrument = pg::text_value(PG_GETARG_DATUM(1));
    int64_t id = PG_GETARG_INT64(2);
    int32_t channel = PG_GETARG_INT32(3);
    int64_t padding = PG_ARGISNULL(4) ? 0 : efd_sql::interval_us(PG_GETARG_DATUM(4));
    if (padding < 0)
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "padding must not be negative", {}, "Use e.g. interval '30 s'.");
    pg::limits::check(static_cast<std::size_t>(padding / 1000000), pg::limits::max_efd_padding_s, "padding", "s",
                      "obsmeta.max_efd_padding");
    static pg::KeptPlan visible(
        "SELECT obsmeta.observation_visible(CASE $1 WHEN 'exposure' THEN obsmeta.exposure_obs_id($2, $3) "
        "ELSE obsmeta.visit_obs_id($2, $3) END)",
        {TEXTOID, TEXTOID, INT8OID});
    static pg::KeptPlan span("SELECT lower(span), upper(span) FROM efd.image WHERE kind = $1 AND instrument = $2 AND id = $3",
                             {TEXTOID, TEXTOID, INT8OID});
    efd::SampleBuffer s;
    efd_sql::HiddenTimes hidden;
    int64_t from = 0, to = -1;
    {
        pg::SpiConnection spi;
        std::vector<Datum> args = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)};
        visible.execute(args, true);
        bool isnull = false;
        bool ok = SPI_processed == 1 && DatumGetBool(pg::result_value(0, 1, &isnull)) && !isnull;
        if (ok) {
            efd_sql::AsEfdOwner owner;
            if (span.execute(args, true) == 1) {
                from = DatumGetTimestampTz(pg::result_value(0, 1, &isnull)) - padding;
                to = DatumGetTimestampTz(pg::result_value(0, 2, &isnull)) + padding;
                efd_sql::load_series(channel, from, to, s);
            }
        }
        if (ok && to >= from) hidden = efd_sql::HiddenTimes::for_caller(from, to);
    }
    (void)kind;
    (void)instrument;
    (void)id;
    efd_sql::return_samples(fcinfo, s.view(), from, to, hidden);
    return Datum(0);
}
