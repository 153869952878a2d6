// Convex polygons containing each kind of sphgeom region (see outline() in spherical.hpp).
#include <algorithm>
#include <cmath>

#include "message.hpp"
#include "spherical.hpp"
#include "vec3_math.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::geom {

using namespace detail;

namespace {

constexpr int kCircleVertices = 16;
constexpr double kMaxCircleRadius = 89.0 * kRadPerDeg;  // keeps the circumscribed polygon in a hemisphere
constexpr double kMargin = 1e-11;                       // radians added outward against rounding
constexpr double kBoxStep = 5.0 * kRadPerDeg;           // longitude step along a subdivided box edge
constexpr double kPoleLat = 0.5 * kPi - 1e-12;

using Polygon = std::vector<LonLat>;

LonLat from_radians(double lon, double lat) {
    double lon_deg = std::fmod(lon * kDegPerRad, 360.0);
    if (lon_deg < 0) lon_deg += 360.0;
    if (lon_deg >= 360.0) lon_deg = 0.0;
    return {lon_deg, lat * kDegPerRad};
}

// Regular polygon whose edges are tangent to (or outside) the circle of the given radius:
// a vertex at distance R from the center has its edge midpoints at r with tan r = tan R cos(π/n).
Polygon circumscribe(const Vec3& center, double radius, const char* kind) {
    if (radius < 0) return {};
    if (radius >= kMaxCircleRadius) {
        throw RegionError(strprintf("%s of radius %.6g deg has no convex outline (needs < 89 deg)", kind,
                                    radius * kDegPerRad));
    }
    const double vertex_radius = std::atan(std::tan(radius) / std::cos(kPi / kCircleVertices)) + kMargin;
    const Vec3 c = normalized(center);
    const Vec3 u = normalized(std::fabs(c.x) < 0.9 ? cross(Vec3{1, 0, 0}, c) : cross(Vec3{0, 1, 0}, c));
    const Vec3 w = cross(c, u);  // u×w = c: increasing angle is counter-clockwise seen from outside
    const double cr = std::cos(vertex_radius), sr = std::sin(vertex_radius);
    Polygon out;
    out.reserve(kCircleVertices);
    for (int k = 0; k < kCircleVertices; ++k) {
        const double t = 2 * kPi * k / kCircleVertices;
        const Vec3 dir = add(scale(u, std::cos(t)), scale(w, std::sin(t)));
        out.push_back(lon_lat(add(scale(c, cr), scale(dir, sr))));
    }
    return out;
}

// Latitude for the ends of a great-circle chord spanning `step` of longitude whose midpoint (its
// extreme latitude) touches latitude `lat`: tan(lat') = tan(lat) cos(step/2).
double chord_latitude(double lat, double step) {
    return std::atan(std::tan(lat) * std::cos(0.5 * step)) - std::copysign(kMargin, lat);
}

// A great-circle chord between two points of a parallel bulges toward the nearer pole, so only the
// box edge on the equator side of the box would be cut; that edge is subdivided and pushed out.
Polygon box_outline(const Region& b) {
    if (std::isnan(b.lon_min_rad) || b.lat_min_rad > b.lat_max_rad) return {};  // empty Box
    double width = b.lon_max_rad - b.lon_min_rad;
    if (width < 0) width += 2 * kPi;  // the interval wraps through longitude 0
    if (width >= kPi - 1e-9) {
        throw RegionError(strprintf("Box %.6g deg wide has no convex outline (needs < 180 deg)", width * kDegPerRad));
    }
    // Inflate points and lines a little so that the outline is a proper polygon.
    double lon1 = b.lon_min_rad, lat1 = std::max(b.lat_min_rad, -0.5 * kPi), lat2 = std::min(b.lat_max_rad, 0.5 * kPi);
    if (width < 2e-9) {
        lon1 -= 1e-9;
        width += 2e-9;
    }
    if (lat2 - lat1 < 2e-9) {
        lat1 = std::max(lat1 - 1e-9, -0.5 * kPi);
        lat2 = std::min(lat2 + 1e-9, 0.5 * kPi);
    }
    const double lon2 = lon1 + width;
    const int steps = std::max(1, static_cast<int>(std::ceil(width / kBoxStep)));
    const double step = width / steps;
    Polygon out;
    // Bottom edge, west to east (counter-clockwise seen from outside, north up).
    if (lat1 <= -kPoleLat) {
        out.push_back(from_radians(lon1, -0.5 * kPi));
    } else if (lat1 > 0) {
        const double lat = chord_latitude(lat1, step);
        for (int i = 0; i <= steps; ++i) out.push_back(from_radians(lon1 + step * i, lat));
    } else {
        out.push_back(from_radians(lon1, lat1));
        out.push_back(from_radians(lon2, lat1));
    }
    // Top edge, east to west.
    if (lat2 >= kPoleLat) {
        out.push_back(from_radians(lon2, 0.5 * kPi));
    } else if (lat2 < 0) {
        const double lat = chord_latitude(lat2, step);
        for (int i = 0; i <= steps; ++i) out.push_back(from_radians(lon2 - step * i, lat));
    } else {
        out.push_back(from_radians(lon2, lat2));
        out.push_back(from_radians(lon1, lat2));
    }
    return out;
}

Polygon vertices_outline(const Region& p) {
    Polygon out;
    out.reserve(p.vertices.size());
    for (const Vec3& v : p.vertices) out.push_back(lon_lat(v));
    return out;
}

void append_outline(const Region& r, std::vector<Polygon>& out) {
    switch (r.kind) {
        case RegionKind::ConvexPolygon:
            out.push_back(vertices_outline(r));
            return;
        case RegionKind::Circle:
            if (r.opening_angle_rad >= 0) out.push_back(circumscribe(r.center, r.opening_angle_rad, "Circle"));
            return;
        case RegionKind::Ellipse:
            // Its sphgeom bounding circle: center and the larger semi-axis.
            if (r.alpha_rad >= 0 && r.beta_rad >= 0) {
                out.push_back(circumscribe(r.center, std::max(r.alpha_rad, r.beta_rad), "Ellipse"));
            }
            return;
        case RegionKind::Box: {
            Polygon p = box_outline(r);
            if (!p.empty()) out.push_back(std::move(p));
            return;
        }
        case RegionKind::Union:
            for (const Region& op : r.operands) append_outline(op, out);
            return;
        case RegionKind::Intersection: {
            if (r.operands.empty()) throw RegionError("IntersectionRegion with no operands (the whole sky) has no outline");
            auto it = std::find_if(r.operands.begin(), r.operands.end(),
                                   [](const Region& op) { return op.kind == RegionKind::ConvexPolygon; });
            append_outline(it != r.operands.end() ? *it : r.operands.front(), out);
            return;
        }
    }
}

}  // namespace

std::vector<std::vector<LonLat>> outline(const Region& region) {
    std::vector<Polygon> out;
    append_outline(region, out);
    return out;
}

}  // namespace obsmeta::geom
