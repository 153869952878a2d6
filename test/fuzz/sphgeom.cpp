// The lsst.sphgeom region decoder and what conversion does with a decoded region: its convex
// outlines, their area, centre, bounding circle and text forms, and the convex hull of all their
// vertices (a plane's position bounds). Bad bytes must end in RegionError, nothing else; a decoded
// ConvexPolygon re-encodes to the same bytes.
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "geom/spherical.hpp"
#include "geom/sphgeom.hpp"

using namespace obsmeta::geom;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Region region;
    try {
        region = decode_sphgeom(data, size);
    } catch (const RegionError&) {
        return 0;
    }
    if (region.kind == RegionKind::ConvexPolygon) {
        const std::vector<std::uint8_t> again = encode_convex_polygon(region.vertices);
        FUZZ_CHECK(again.size() == size && std::memcmp(again.data(), data, size) == 0,
                   "ConvexPolygon of %zu vertices does not re-encode to its bytes", region.vertices.size());
    }
    std::vector<std::vector<LonLat>> outlines;
    try {
        outlines = outline(region);
    } catch (const RegionError&) {
        return 0;
    }
    std::vector<LonLat> all;
    for (const auto& polygon : outlines) {
        FUZZ_CHECK(polygon.size() >= 3, "an outline has %zu vertices", polygon.size());
        const double area = polygon_area_deg2(polygon);
        FUZZ_CHECK(area >= 0 && area <= 41253.0, "outline area %g deg2", area);
        const Circle c = bounding_circle(polygon);
        FUZZ_CHECK(c.radius_deg >= 0 && c.radius_deg <= 180, "bounding circle radius %g", c.radius_deg);
        (void)to_pgsphere_spoly(polygon);
        (void)to_stcs_polygon(polygon);
        all.insert(all.end(), polygon.begin(), polygon.end());
    }
    if (region.kind == RegionKind::Circle && !outlines.empty()) {
        FUZZ_CHECK(contains(outlines[0], lon_lat(region.center)), "circle outline misses the circle's centre");
    }
    try {
        const std::vector<LonLat> hull = convex_hull(all);
        FUZZ_CHECK(hull.size() >= 3 && hull.size() <= all.size(), "hull of %zu points has %zu", all.size(), hull.size());
    } catch (const RegionError&) {
    }
    return 0;
}
