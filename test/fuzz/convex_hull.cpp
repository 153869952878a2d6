// Spherical convex hull of arbitrary points (the union of a plane's footprints): RegionError or a
// hull whose vertices are input points and which contains every input point.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <vector>

#include "check.hpp"
#include "geom/spherical.hpp"

using namespace obsmeta::geom;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    // Mode 0: any doubles (NaN, huge, negative); otherwise points in a patch of the given size,
    // the realistic case, where the containment property must hold.
    const int mode = in.ConsumeIntegralInRange(0, 3);
    const double patch = mode == 3 ? 170.0 : mode == 2 ? 10.0 : 0.01;
    const double lon0 = in.ConsumeFloatingPointInRange(0.0, 360.0);
    const double lat0 = in.ConsumeFloatingPointInRange(-90.0, 90.0);
    std::vector<LonLat> points;
    while (in.remaining_bytes() > 0 && points.size() < 512) {
        if (mode == 0) {
            points.push_back({in.ConsumeFloatingPoint<double>(), in.ConsumeFloatingPoint<double>()});
        } else {
            const double lat = std::max(-90.0, std::min(90.0, lat0 + in.ConsumeFloatingPointInRange(-patch, patch)));
            points.push_back({std::fmod(lon0 + in.ConsumeFloatingPointInRange(-patch, patch) + 360.0, 360.0), lat});
        }
    }
    std::vector<LonLat> hull;
    try {
        hull = convex_hull(points);
    } catch (const RegionError&) {
        return 0;
    }
    FUZZ_CHECK(hull.size() >= 3 && hull.size() <= points.size(), "hull of %zu points has %zu vertices",
               points.size(), hull.size());
    for (const LonLat& h : hull) {
        bool found = false;
        for (const LonLat& p : points) found = found || (p.lon_deg == h.lon_deg && p.lat_deg == h.lat_deg);
        FUZZ_CHECK(found, "hull vertex (%.17g, %.17g) is not an input point", h.lon_deg, h.lat_deg);
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        FUZZ_CHECK(contains(hull, points[i]), "point %zu (%.17g, %.17g) is outside the hull of %zu points", i,
                   points[i].lon_deg, points[i].lat_deg, points.size());
    }
    return 0;
}
