// Measurements on spherical polygons: containment, area, centroid, bounding circle, distance.
#include "spherical.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "vec3_math.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::geom {

using namespace detail;

namespace {
constexpr double kContainsTolerance = 1e-10;  // radians; keeps boundary points (shared corners) inside
}

bool contains(const std::vector<Vec3>& convex_ccw, const Vec3& p) {
    const std::size_t n = convex_ccw.size();
    for (std::size_t i = 0; i < n; ++i) {
        const Vec3 normal = edge_normal(convex_ccw[i], convex_ccw[(i + 1) % n]);
        const double len = norm(normal);
        if (len != 0 && dot(normal, p) < -kContainsTolerance * len) return false;
    }
    return n >= 3;
}

bool contains(const std::vector<LonLat>& convex_ccw, LonLat p) {
    const std::size_t n = convex_ccw.size();
    if (n < 3) return false;
    const Vec3 q = unit_vector(p);
    Vec3 prev = unit_vector(convex_ccw[n - 1]);
    for (std::size_t i = 0; i < n; ++i) {
        const Vec3 cur = unit_vector(convex_ccw[i]);
        const Vec3 normal = edge_normal(prev, cur);
        const double len = norm(normal);
        if (len != 0 && dot(normal, q) < -kContainsTolerance * len) return false;
        prev = cur;
    }
    return true;
}

double polygon_area_deg2(const std::vector<LonLat>& convex) {
    const std::size_t n = convex.size();
    if (n < 3) return 0.0;
    // Fan of triangles from vertex 0; each excess by Van Oosterom & Strackee:
    // tan(E/2) = a·(b×c) / (1 + a·b + b·c + c·a). Differences from a keep small triangles accurate.
    const Vec3 a = unit_vector(convex[0]);
    Vec3 b = unit_vector(convex[1]);
    double excess = 0;
    for (std::size_t i = 2; i < n; ++i) {
        const Vec3 c = unit_vector(convex[i]);
        const double triple = dot(a, cross(sub(b, a), sub(c, a)));
        excess += 2.0 * std::atan2(triple, 1.0 + dot(a, b) + dot(b, c) + dot(c, a));
        b = c;
    }
    return std::fabs(excess) * kDegPerRad * kDegPerRad;
}

LonLat centroid(const std::vector<LonLat>& polygon) {
    if (polygon.empty()) throw std::invalid_argument("centroid of a polygon with no vertices");
    Vec3 sum;
    for (const LonLat& p : polygon) sum = add(sum, unit_vector(p));
    if (norm(sum) == 0) throw std::invalid_argument("centroid undefined: vertex vectors sum to zero");
    return lon_lat(sum);
}

namespace {
// Haversine: sin^2(d/2), computed from the angle differences so that tiny separations are exact.
double haversine(const LonLat& a, const LonLat& b) {
    const double lat1 = a.lat_deg * kRadPerDeg, lat2 = b.lat_deg * kRadPerDeg;
    const double s_lat = std::sin(0.5 * (lat2 - lat1)), s_lon = std::sin(0.5 * (b.lon_deg - a.lon_deg) * kRadPerDeg);
    return std::min(1.0, s_lat * s_lat + std::cos(lat1) * std::cos(lat2) * s_lon * s_lon);
}
}  // namespace

double angular_distance_deg(LonLat a, LonLat b) {
    const double h = haversine(a, b);
    if (h <= 0.5) return 2.0 * std::asin(std::sqrt(h)) * kDegPerRad;
    // Near 180 deg, 1 - h loses everything: measure from b's antipode instead.
    const double h_anti = haversine(a, LonLat{b.lon_deg + 180.0, -b.lat_deg});
    return 180.0 - 2.0 * std::asin(std::sqrt(h_anti)) * kDegPerRad;
}

Circle bounding_circle(const std::vector<LonLat>& polygon) {
    Circle c;
    c.center = centroid(polygon);
    const Vec3 center = unit_vector(c.center);
    double radius = 0;
    for (const LonLat& p : polygon) {
        const Vec3 v = unit_vector(p);
        radius = std::max(radius, std::atan2(norm(cross(center, v)), dot(center, v)));
    }
    c.radius_deg = radius * kDegPerRad;
    return c;
}

Circle sphgeom_bounding_circle(const std::vector<LonLat>& polygon) {
    if (polygon.size() < 3) throw std::invalid_argument("sphgeom_bounding_circle needs at least 3 vertices");
    std::vector<Vec3> v;
    v.reserve(polygon.size());
    for (const LonLat& p : polygon) v.push_back(unit_vector(p));
    Vec3 cm, mean;
    for (std::size_t k = 0, i = v.size() - 1; k < v.size(); i = k++) {
        const Vec3 n = edge_normal(v[i], v[k]);  // sphgeom's robustCross: 2 (a × b)
        const double length = norm(n);
        const double s = 0.5 * length;          // sin of the edge's angle
        const double c = dot(v[i], v[k]);
        const double a = (s == 0.0 && c == 0.0) ? 0.0 : std::atan2(s, c);
        if (length > 0) cm = add(cm, scale(n, a / length));
        mean = add(mean, v[k]);
    }
    // clockwise vertices sum to the antipode: sphgeom only holds counter-clockwise polygons
    if (dot(cm, mean) < 0) cm = scale(cm, -1.0);
    const Vec3 center = normalized(cm);
    double cl2 = 0.0;
    for (const Vec3& p : v) {
        const Vec3 d = sub(p, center);
        cl2 = std::max(cl2, dot(d, d));
    }
    cl2 += 2.0 * 2.5e-15;  // sphgeom's MAX_SQUARED_CHORD_LENGTH_ERROR, twice
    Circle c;
    c.center = lon_lat(center);
    c.radius_deg = (cl2 >= 4.0 ? kPi : 2.0 * std::asin(0.5 * std::sqrt(cl2))) * kDegPerRad;
    return c;
}

}  // namespace obsmeta::geom
