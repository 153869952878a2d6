// Butler times: daf_butler stores an instant as int64 nanoseconds since 1970-01-01T00:00:00 TAI
// (timespans as int8range [begin, end), ingest_date in datasets manager 2.x). obsmeta stores UTC.
// The TAI−UTC offset comes from ERFA's leap-second table (eraDat), not from a table of our own.
// Pure C++ (no PostgreSQL headers).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace obsmeta::registry {

struct TimeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Microseconds since 1970-01-01T00:00:00 UTC (POSIX time: leap seconds not counted) of the
// instant `tai_ns` (nanoseconds since 1970-01-01T00:00:00 TAI), rounded to the nearest
// microsecond. An instant inside a positive leap second (23:59:60.x UTC), which POSIX time
// cannot name, maps to 00:00:00.x of the next day (POSIX time repeats that second).
// Throws TimeError before 1960 (ERFA has no UTC there).
std::int64_t tai_ns_to_utc_us(std::int64_t tai_ns);

// TAI−UTC in seconds at the UTC instant `utc_us` (microseconds since the POSIX epoch), from ERFA.
double tai_minus_utc_seconds(std::int64_t utc_us);

// "2013-06-17T13:35:32.837 TAI" style text of a TAI ns value, for error messages.
std::string describe_tai_ns(std::int64_t tai_ns);

}  // namespace obsmeta::registry
