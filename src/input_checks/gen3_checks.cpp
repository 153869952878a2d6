// The functions behind the gen3 tables' CHECK constraints. Each returns true for a good value and
// raises an error naming the column, the offending value and a hint otherwise (a plain CHECK would
// only say "violates check constraint"). The statement fails; earlier statements of the
// transaction, and savepoints, keep their rows.
#include "geom_sql/region_value.hpp"
#include "input_checks/value_text.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/input_limits.hpp"
#include "pg/relation.hpp"
#include "replication/apply_worker.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace {

using obsmeta::input_checks::number_text;

std::string timestamp_text(Datum ts) {
    char* s = obsmeta::pg::call([=] { return DatumGetCString(DirectFunctionCall1(timestamptz_out, ts)); });
    return s;
}

std::string name_arg(FunctionCallInfo fcinfo) { return obsmeta::input_checks::text_arg(fcinfo, 0, "value"); }

}  // namespace

using obsmeta::pg::Error;

// A CHECK function: returns true or throws Error. Under the logical-replication apply worker the
// rejection is counted instead and the row stored; the capture trigger re-checks it strictly and
// quarantines it (src/replication/apply_worker.hpp): an ERROR there would stall the subscription.
#define OBSMETA_CHECK_FUNCTION(name)                                    \
    static Datum name##_check(FunctionCallInfo fcinfo);                 \
    OBSMETA_FUNCTION(name) {                                            \
        try {                                                           \
            return name##_check(fcinfo);                                \
        } catch (const Error&) {                                        \
            if (!obsmeta::replication::lenient_checks()) throw;         \
        }                                                               \
        obsmeta::replication::note_lenient_acceptance();                \
        return BoolGetDatum(true);                                      \
    }                                                                   \
    static Datum name##_check(FunctionCallInfo fcinfo)

// obsmeta.check_timespan(begin timestamptz, end timestamptz)
OBSMETA_CHECK_FUNCTION(obsmeta_check_timespan) {
    for (int i = 0; i < 2; ++i) {
        if (PG_ARGISNULL(i) || TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(i))) continue;
        obsmeta::pg::limits::check_time(PG_GETARG_TIMESTAMPTZ(i), i == 0 ? "timespan_begin" : "timespan_end");
    }
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) return BoolGetDatum(true);
    TimestampTz begin = PG_GETARG_TIMESTAMPTZ(0), end = PG_GETARG_TIMESTAMPTZ(1);
    if (TIMESTAMP_NOT_FINITE(begin) || TIMESTAMP_NOT_FINITE(end))
        throw Error(ERRCODE_INVALID_DATETIME_FORMAT,
                    "timespan must be finite: timespan_begin " + timestamp_text(PG_GETARG_DATUM(0)) + ", timespan_end " +
                        timestamp_text(PG_GETARG_DATUM(1)),
                    {}, "Use NULL for an unknown time.");
    if (end < begin)
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    "timespan_end " + timestamp_text(PG_GETARG_DATUM(1)) + " is before timespan_begin " +
                        timestamp_text(PG_GETARG_DATUM(0)),
                    {}, "Butler timespans are [begin, end); convert TAI to UTC before writing to gen3.");
    return BoolGetDatum(true);
}

// obsmeta.check_nonnegative(name text, value float8)
OBSMETA_CHECK_FUNCTION(obsmeta_check_nonnegative) {
    if (PG_ARGISNULL(1)) return BoolGetDatum(true);
    double v = PG_GETARG_FLOAT8(1);
    if (!std::isfinite(v) || v < 0)
        throw Error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, name_arg(fcinfo) + " must be a finite number >= 0, got " + number_text(v),
                    {}, "Use NULL for an unknown value.");
    return BoolGetDatum(true);
}

// obsmeta.check_nonnegative(name text, value int8)
OBSMETA_CHECK_FUNCTION(obsmeta_check_nonnegative_int8) {
    if (PG_ARGISNULL(1)) return BoolGetDatum(true);
    int64 v = PG_GETARG_INT64(1);
    if (v < 0)
        throw Error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, name_arg(fcinfo) + " must be >= 0, got " + std::to_string(v),
                    {}, "Use NULL for an unknown size.");
    return BoolGetDatum(true);
}

// obsmeta.check_angle(name text, value float8, low float8, high float8)
OBSMETA_CHECK_FUNCTION(obsmeta_check_angle) {
    if (PG_ARGISNULL(1)) return BoolGetDatum(true);
    double v = PG_GETARG_FLOAT8(1);
    double low = PG_ARGISNULL(2) ? -INFINITY : PG_GETARG_FLOAT8(2), high = PG_ARGISNULL(3) ? INFINITY : PG_GETARG_FLOAT8(3);
    if (!std::isfinite(v) || v < low || v > high)
        throw Error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
                    name_arg(fcinfo) + " " + number_text(v) + " is outside [" + number_text(low) + ", " + number_text(high) + "] degrees",
                    {}, "Angles in gen3 are in degrees; use NULL for an unknown value.");
    return BoolGetDatum(true);
}

// obsmeta.check_sky_position(ra float8, dec float8)
OBSMETA_CHECK_FUNCTION(obsmeta_check_sky_position) {
    if (!PG_ARGISNULL(0)) {
        double ra = PG_GETARG_FLOAT8(0);
        if (!std::isfinite(ra) || ra < 0 || ra > 360)
            throw Error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, "tracking_ra " + number_text(ra) + " is outside [0, 360] degrees",
                        {}, "ICRS right ascension in degrees; use NULL when the telescope was not tracking.");
    }
    if (!PG_ARGISNULL(1)) {
        double dec = PG_GETARG_FLOAT8(1);
        if (!std::isfinite(dec) || dec < -90 || dec > 90)
            throw Error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, "tracking_dec " + number_text(dec) + " is outside [-90, 90] degrees",
                        {}, "ICRS declination in degrees; use NULL when the telescope was not tracking.");
    }
    return BoolGetDatum(true);
}

// obsmeta.check_region(region bytea): a region (or NULL) that the conversion can use: decodable
// within the limits and with a polygon outline, checked by the very functions the conversion
// uses (before, IntersectionRegions with no operands and the like passed here and then failed
// the whole transaction at COMMIT).
OBSMETA_CHECK_FUNCTION(obsmeta_check_region) {
    if (PG_ARGISNULL(0)) return BoolGetDatum(true);
    Datum arg = PG_GETARG_DATUM(0);
    bytea* bytes = obsmeta::pg::call([=] { return DatumGetByteaPP(arg); });
    const auto polygon = obsmeta::geom_sql::polygon_of(obsmeta::geom_sql::decode_region(bytes, true));
    obsmeta::geom_sql::footprint_hull(polygon);
    return BoolGetDatum(true);
}

// obsmeta.check_identifier(column text, value text): at most 1024 bytes (see schema/00_foundation/05_functions.rerunnable.sql).
OBSMETA_CHECK_FUNCTION(obsmeta_check_identifier) {
    if (PG_ARGISNULL(1)) return BoolGetDatum(true);
    constexpr std::size_t kMaxIdentifierBytes = 1024;
    const Datum value = PG_GETARG_DATUM(1);
    const std::size_t bytes = obsmeta::pg::call([=] { return toast_raw_datum_size(value) - VARHDRSZ; });
    if (bytes > kMaxIdentifierBytes)
        throw Error(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                    name_arg(fcinfo) + " is " + std::to_string(bytes) + " bytes, more than the " +
                        std::to_string(kMaxIdentifierBytes) + " an identifier may have",
                    {}, "Identifiers are indexed; a longer one is a mistake (e.g. a file's contents written as its name).");
    return BoolGetDatum(true);
}
