#include "geom_sql/region_value.hpp"

#include <cstdio>

#include "pg/error.hpp"
#include "pg/input_limits.hpp"

namespace obsmeta::geom_sql {

namespace {

const char* const kRegionHint =
    "Regions are lsst.sphgeom encodings (Region.encode()); decode the Butler's base64 text first.";

std::string head_of(const std::uint8_t* data, std::size_t size) {
    std::string head;
    char buf[4];
    for (std::size_t i = 0; i < size && i < 16; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", data[i]);
        head += buf;
    }
    return "The region is " + std::to_string(size) + " bytes, starting \\x" + head + (size > 16 ? "..." : "") + ".";
}

}  // namespace

geom::Region decode_region(bytea* bytes, bool detail) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(VARDATA_ANY(bytes));
    const std::size_t size = VARSIZE_ANY_EXHDR(bytes);
    geom::DecodeLimits limits;
    limits.max_vertices = static_cast<std::size_t>(pg::limits::max_region_vertices);
    limits.max_nesting = static_cast<std::size_t>(pg::limits::max_region_nesting);
    try {
        return geom::decode_sphgeom(data, size, limits);
    } catch (const geom::RegionLimitError& e) {
        const bool nesting = e.quantity() == "nesting levels";
        pg::limits::exceeded(std::string("invalid sphgeom region: ") + e.what(),
                             nesting ? "obsmeta.max_region_nesting" : "obsmeta.max_region_vertices",
                             nesting ? pg::limits::max_region_nesting : pg::limits::max_region_vertices);
    } catch (const geom::RegionError& e) {
        throw pg::Error(ERRCODE_INVALID_BINARY_REPRESENTATION, std::string("invalid sphgeom region: ") + e.what(),
                        detail ? head_of(data, size) : std::string(), kRegionHint);
    }
}

std::vector<geom::LonLat> polygon_of(const geom::Region& region) {
    try {
        auto parts = geom::outline(region);
        if (parts.size() == 1) return parts.front();
        std::vector<geom::LonLat> all;
        for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
        return geom::convex_hull(all);
    } catch (const geom::RegionError& e) {
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, std::string("region has no polygon outline: ") + e.what(), {},
                        "obsmeta needs a region it can outline with one convex polygon of less than a hemisphere "
                        "(a detector or visit footprint).");
    }
}

std::vector<geom::LonLat> footprint_hull(const std::vector<geom::LonLat>& vertices) {
    try {
        return geom::convex_hull(vertices);
    } catch (const geom::RegionError& e) {
        throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, std::string("plane footprints have no convex hull: ") + e.what(),
                        {}, "Footprints must lie within a hemisphere.");
    }
}

}  // namespace obsmeta::geom_sql
