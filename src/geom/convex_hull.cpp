// Spherical convex hull via the gnomonic projection: it maps great circles to straight lines, so the
// planar hull (Andrew's monotone chain) of the projected points is the spherical hull.
#include <algorithm>
#include <cmath>

#include "interrupt.hpp"
#include "message.hpp"
#include "spherical.hpp"
#include "vec3_math.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::geom {

using namespace detail;

namespace {

constexpr double kMinCosFromCenter = 1e-9;  // points must be strictly less than 90 deg from the center
// A point within this distance (tangent-plane units ~ radians) of the line through its neighbours
// counts as collinear: projection rounding is ~1e-16, so this only absorbs rounding noise.
constexpr double kCollinear = 1e-14;

struct Projected {
    double x, y;
    std::size_t index;  // into the input, so the output keeps the caller's exact values
};

// True unless o -> a -> b turns left by more than rounding noise.
bool not_left_turn(const Projected& o, const Projected& a, const Projected& b) {
    const double ax = a.x - o.x, ay = a.y - o.y, bx = b.x - o.x, by = b.y - o.y;
    return ax * by - ay * bx <= kCollinear * (std::hypot(ax, ay) + std::hypot(bx, by));
}

}  // namespace

std::vector<LonLat> convex_hull(const std::vector<LonLat>& points) {
    const std::size_t n = points.size();
    Vec3 sum;
    for (std::size_t i = 0; i < n; ++i) {
        poll_interrupt_every(i);
        const LonLat& p = points[i];
        if (!std::isfinite(p.lon_deg) || !std::isfinite(p.lat_deg)) {
            throw RegionError(strprintf("convex hull point %zu has a non-finite coordinate (%s)", i,
                                        non_finite_name(std::isfinite(p.lon_deg) ? p.lat_deg : p.lon_deg)));
        }
        sum = add(sum, unit_vector(p));
    }
    const double sum_norm = norm(sum);
    if (n == 0 || !(sum_norm > 1e-12 * static_cast<double>(n))) {
        throw RegionError(strprintf("convex hull of %zu points: the points do not lie within an open hemisphere", n));
    }
    // Tangent-plane basis (u, w, c) with u×w = c, so counter-clockwise in (x, y) is counter-clockwise
    // as seen from outside the sphere.
    const Vec3 c = scale(sum, 1.0 / sum_norm);
    const Vec3 u = normalized(std::fabs(c.x) < 0.9 ? cross(Vec3{1, 0, 0}, c) : cross(Vec3{0, 1, 0}, c));
    const Vec3 w = cross(c, u);

    std::vector<Projected> proj;
    proj.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        poll_interrupt_every(i);
        const Vec3 v = unit_vector(points[i]);
        const double cz = dot(v, c);
        if (!(cz > kMinCosFromCenter)) {
            throw RegionError(strprintf(
                "convex hull: point %zu (%.10g, %.10g) is %.6g deg from the points' mean direction; "
                "the points do not lie within an open hemisphere",
                i, points[i].lon_deg, points[i].lat_deg, std::acos(std::max(-1.0, std::min(1.0, cz))) * kDegPerRad));
        }
        proj.push_back({dot(v, u) / cz, dot(v, w) / cz, i});
    }
    std::sort(proj.begin(), proj.end(),
              [](const Projected& a, const Projected& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
    proj.erase(std::unique(proj.begin(), proj.end(),
                           [](const Projected& a, const Projected& b) { return a.x == b.x && a.y == b.y; }),
               proj.end());

    // Monotone chain; popping on non-left turns drops collinear points.
    std::vector<Projected> hull(2 * proj.size());
    std::size_t k = 0;
    for (const Projected& p : proj) {
        while (k >= 2 && not_left_turn(hull[k - 2], hull[k - 1], p)) --k;
        hull[k++] = p;
    }
    const std::size_t lower = k + 1;
    for (std::size_t i = proj.size() - 1; i-- > 0;) {
        while (k >= lower && not_left_turn(hull[k - 2], hull[k - 1], proj[i])) --k;
        hull[k++] = proj[i];
    }
    if (k > 0) --k;  // the last point repeats the first
    if (k < 3) {
        throw RegionError(strprintf("convex hull of %zu points is degenerate: %zu distinct non-collinear corner(s)", n, k));
    }
    std::vector<LonLat> out;
    out.reserve(k);
    for (std::size_t i = 0; i < k; ++i) out.push_back(points[hull[i].index]);
    return out;
}

}  // namespace obsmeta::geom
