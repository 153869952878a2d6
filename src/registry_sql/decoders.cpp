// SQL functions over the registry's own encodings (used by the translation statements):
//   obsmeta.tai_ns_to_utc(bigint) → timestamptz           an instant, TAI ns since 1970 TAI
//   obsmeta.timespan_begin_utc(int8range) → timestamptz   [begin, … ) of a Butler timespan (NULL: empty/unbounded)
//   obsmeta.timespan_end_utc(int8range) → timestamptz     [ …, end) likewise
//   obsmeta.region_from_base64(text) → bytea              the sphgeom bytes of a registry region
#include "pg/catalog.hpp"
#include "pg/types.hpp"
#include "registry_sql/decoders.hpp"

#include "geom/sphgeom.hpp"
#include "pg/datum.hpp"
#include "registry/base64_region.hpp"
#include "registry/tai_time.hpp"

namespace obsmeta::registry_sql {

namespace {
constexpr std::int64_t kPostgresEpochOffsetUs = 946684800LL * 1000000LL;  // 1970 → 2000

std::string shortened(const std::string& s) { return s.size() <= 48 ? s : s.substr(0, 45) + "..."; }
}  // namespace

TimestampTz utc_of_tai_ns(std::int64_t tai_ns, const std::string& column) {
    try {
        return registry::tai_ns_to_utc_us(tai_ns) - kPostgresEpochOffsetUs;
    } catch (const registry::TimeError& e) {
        throw pg::Error(ERRCODE_DATETIME_FIELD_OVERFLOW,
                        column + " " + registry::describe_tai_ns(tai_ns) + " cannot be converted to UTC: " + e.what(),
                        {}, "Registry times are TAI nanoseconds since 1970-01-01T00:00:00 TAI; check the writer's clock or units.");
    }
}

TaiBounds timespan_bounds(Datum value) {
    RangeType* range = pg::call([=] { return DatumGetRangeTypeP(value); });
    TaiBounds out;
    RangeBound lower, upper;
    bool empty = false;
    pg::call([&] {
        TypeCacheEntry* type = lookup_type_cache(RangeTypeGetOid(range), TYPECACHE_RANGE_INFO);
        range_deserialize(type, range, &lower, &upper, &empty);
    });
    if (empty) return out;
    // int8range is canonical [lo, hi): exactly daf_butler's [begin, end)
    if (!lower.infinite) out.begin = DatumGetInt64(lower.val);
    if (!upper.infinite) out.end = DatumGetInt64(upper.val);
    return out;
}

bytea* region_bytes(const std::string& text, const std::string& column) {
    try {
        std::vector<std::uint8_t> bytes = registry::region_from_base64(text);
        return reinterpret_cast<bytea*>(DatumGetPointer(pg::bytea_value(bytes.data(), bytes.size())));
    } catch (const std::runtime_error& e) {  // Base64Error, geom::RegionError
        throw pg::Error(ERRCODE_INVALID_BINARY_REPRESENTATION,
                        "invalid registry region in " + column + ": " + e.what() + " (value '" + shortened(text) + "')",
                        {}, "Registry regions are base64 text of an lsst.sphgeom encoding (base64.b64encode(region.encode())).");
    }
}

}  // namespace obsmeta::registry_sql

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_tai_ns_to_utc) {
    return TimestampTzGetDatum(registry_sql::utc_of_tai_ns(PG_GETARG_INT64(0), "TAI time"));
}

OBSMETA_FUNCTION(obsmeta_timespan_begin_utc) {
    auto bounds = registry_sql::timespan_bounds(PG_GETARG_DATUM(0));
    if (!bounds.begin) PG_RETURN_NULL();
    return TimestampTzGetDatum(registry_sql::utc_of_tai_ns(*bounds.begin, "timespan begin"));
}

OBSMETA_FUNCTION(obsmeta_timespan_end_utc) {
    auto bounds = registry_sql::timespan_bounds(PG_GETARG_DATUM(0));
    if (!bounds.end) PG_RETURN_NULL();
    return TimestampTzGetDatum(registry_sql::utc_of_tai_ns(*bounds.end, "timespan end"));
}

OBSMETA_FUNCTION(obsmeta_region_from_base64) {
    return PointerGetDatum(registry_sql::region_bytes(pg::text_value(PG_GETARG_DATUM(0)), "region"));
}
