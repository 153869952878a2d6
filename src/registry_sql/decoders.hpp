// The registry's encodings decoded for SQL and for the capture trigger (pure parts: src/registry).
#pragma once

#include "pg/postgres.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace obsmeta::registry_sql {

// Butler TAI ns → TimestampTz (UTC); raises 22008 naming the value for instants ERFA has no UTC for.
TimestampTz utc_of_tai_ns(std::int64_t tai_ns, const std::string& column);

// The [begin, end) bounds of a timespan int8range; nullopt for an empty range or an unbounded side.
struct TaiBounds {
    std::optional<std::int64_t> begin, end;
};
TaiBounds timespan_bounds(Datum int8range);

// base64 region text → sphgeom bytes (palloc'd bytea), checked; raises 22P03 naming what is wrong.
bytea* region_bytes(const std::string& base64_text, const std::string& column);

}  // namespace obsmeta::registry_sql
