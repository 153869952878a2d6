// lsst.sphgeom byte encodings (see lsst/sphgeom src/*.cc encode/decode). All numbers are little-endian:
//   ConvexPolygon 'p' + N x (x, y, z) float64                          1 + 24*N bytes, N >= 3
//   Circle        'c' + center (x, y, z), squared chord length, opening angle      41 bytes
//   Box           'b' + lon a, lon b, lat a, lat b (radians)                       33 bytes
//   Ellipse       'e' + S (3x3, row major), a, b, gamma, |tan a|, |tan b|          113 bytes
//   UnionRegion 'u' / IntersectionRegion 'i' + per operand: u64 byte length, operand bytes
#include "sphgeom.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "interrupt.hpp"
#include "message.hpp"
#include "vec3_math.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::geom {

using detail::kPi;
using detail::strprintf;

namespace {

constexpr std::size_t kCircleSize = 41, kBoxSize = 33, kEllipseSize = 113;
constexpr double kUnitTolerance = 1e-6;     // | |v| - 1 | allowed for stored unit vectors
constexpr double kConvexTolerance = 1e-10;  // radians a vertex may sit right of an edge (rounding)

std::uint64_t read_u64(const std::uint8_t* p) {
    std::uint64_t u = 0;
    for (int i = 7; i >= 0; --i) u = (u << 8) | p[i];
    return u;
}

double read_f64(const std::uint8_t* p) {
    std::uint64_t u = read_u64(p);
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
}

void put_f64(std::vector<std::uint8_t>& out, double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

void check_finite(double v, const char* what) {
    if (!std::isfinite(v)) throw RegionError(strprintf("%s is not finite (%s)", what, detail::non_finite_name(v)));
}

void check_vertex(const Vec3& v, std::size_t i, const char* kind, const char* noun) {
    for (double c : {v.x, v.y, v.z}) {
        if (!std::isfinite(c)) {
            throw RegionError(strprintf("%s %s %zu has a non-finite coordinate (%s)", kind, noun, i,
                                        detail::non_finite_name(c)));
        }
    }
    double n = detail::norm(v);
    if (!(std::fabs(n - 1.0) < kUnitTolerance)) {
        throw RegionError(strprintf("%s %s %zu is not a unit vector (|v| = %.10g)", kind, noun, i, n));
    }
}

// First problem found when checking that v is convex and counter-clockwise as seen from outside;
// distance is the signed distance (radians) of the offending vertex from the edge's great circle.
struct ConvexityFault {
    enum Kind { None, Coincident, RightOfEdge, Degenerate, CenterOutside, Winding } kind = None;
    std::size_t edge = 0, vertex = 0;
    double distance = 0;
    long windings = 0;
};

// O(N) (it was O(N^2), every vertex against every edge: 32 s for 10^5 vertices, issue 13). A
// closed polygon is convex and counter-clockwise exactly when
//   1. every vertex is left of (or, within rounding, on) the edge before it (it turns left),
//   2. the mean direction m of its vertices is strictly left of every edge (m lies inside, and
//      the polygon is not degenerate: all vertices on one great circle put m on it too), and
//   3. seen from m its vertices go round once (a pentagram turns left everywhere but winds twice).
ConvexityFault find_convexity_fault(const std::vector<Vec3>& v, bool reversed) {
    const std::size_t n = v.size();
    auto at = [&](std::size_t i) -> const Vec3& { return reversed ? v[n - 1 - i % n] : v[i % n]; };
    Vec3 sum;
    for (std::size_t i = 0; i < n; ++i) {
        poll_interrupt_every(i);
        const Vec3 normal = detail::edge_normal(at(i), at(i + 1));
        const double len = detail::norm(normal);
        if (len == 0) return {ConvexityFault::Coincident, i, (i + 1) % n, 0};
        const double d = detail::dot(normal, at(i + 2)) / len;
        if (d < -kConvexTolerance) return {ConvexityFault::RightOfEdge, i, (i + 2) % n, d};
        sum = detail::add(sum, at(i));
    }
    const double sum_norm = detail::norm(sum);
    const Vec3 m = sum_norm > 0 ? detail::scale(sum, 1.0 / sum_norm) : Vec3{};
    for (std::size_t i = 0; i < n; ++i) {
        poll_interrupt_every(i);
        const Vec3 normal = detail::edge_normal(at(i), at(i + 1));
        if (detail::dot(normal, m) / detail::norm(normal) > kConvexTolerance) continue;
        // m on or right of edge i: degenerate when every vertex lies on that edge's great circle
        double best = -1;
        for (std::size_t j = 0; j < n; ++j) best = std::max(best, detail::dot(normal, at(j)) / detail::norm(normal));
        if (best <= kConvexTolerance) return {ConvexityFault::Degenerate, i, (i + 1) % n, best};
        return {ConvexityFault::CenterOutside, i, (i + 1) % n, 0};
    }
    // Azimuths of the vertices around m, in a tangent basis (u, w) at m; their increments add up
    // to 2π times the number of windings.
    const Vec3 u = detail::normalized(std::fabs(m.x) < 0.9 ? detail::cross(Vec3{1, 0, 0}, m)
                                                          : detail::cross(Vec3{0, 1, 0}, m));
    const Vec3 w = detail::cross(m, u);
    auto azimuth = [&](const Vec3& p) { return std::atan2(detail::dot(p, w), detail::dot(p, u)); };
    double turned = 0, previous = azimuth(at(0));
    for (std::size_t i = 1; i <= n; ++i) {
        poll_interrupt_every(i);
        const double a = azimuth(at(i));
        double step = a - previous;
        if (step <= -kPi) step += 2 * kPi;
        if (step > kPi) step -= 2 * kPi;
        turned += step;
        previous = a;
    }
    const long windings = std::lround(turned / (2 * kPi));
    if (windings != 1) return {ConvexityFault::Winding, 0, 0, 0, windings};
    return {};
}

void check_convex_ccw(const std::vector<Vec3>& v) {
    const ConvexityFault f = find_convexity_fault(v, false);
    const std::size_t n = v.size();
    switch (f.kind) {
        case ConvexityFault::None:
            return;
        case ConvexityFault::Coincident:
            throw RegionError(strprintf("ConvexPolygon vertices %zu and %zu are identical or antipodal", f.edge,
                                        f.vertex));
        case ConvexityFault::Degenerate:
            throw RegionError(strprintf(
                "ConvexPolygon is degenerate: all vertices lie on the great circle through vertices %zu and %zu",
                f.edge, f.vertex));
        case ConvexityFault::RightOfEdge:
        case ConvexityFault::CenterOutside:
        case ConvexityFault::Winding:
            if (find_convexity_fault(v, true).kind == ConvexityFault::None) {
                throw RegionError(
                    "ConvexPolygon vertices are clockwise; sphgeom needs counter-clockwise order as seen from "
                    "outside the sphere");
            }
            if (f.kind == ConvexityFault::CenterOutside) {
                throw RegionError(strprintf(
                    "ConvexPolygon is not convex: the mean direction of its vertices is not left of edge %zu->%zu",
                    f.edge, f.vertex));
            }
            if (f.kind == ConvexityFault::Winding) {
                throw RegionError(strprintf(
                    "ConvexPolygon is not convex: its vertices wind %ld times around their mean direction", f.windings));
            }
            throw RegionError(strprintf(
                "ConvexPolygon is not convex: vertex %zu is %.3g arcsec right of edge %zu->%zu", f.vertex,
                -f.distance * detail::kDegPerRad * 3600.0, f.edge, (f.edge + 1) % n));
    }
}

// What a decode has used of its limits so far.
struct Budget {
    const DecodeLimits& limits;
    std::size_t vertices = 0;
    void spend(std::size_t n) {
        vertices += n;
        if (vertices > limits.max_vertices) {
            throw RegionLimitError(strprintf("sphgeom region has more than %zu vertices", limits.max_vertices),
                                   "vertices", vertices, limits.max_vertices);
        }
    }
};

Region decode_polygon(const std::uint8_t* d, std::size_t size, Budget& budget) {
    if ((size - 1) % 24 != 0) {
        throw RegionError(strprintf("ConvexPolygon region of %zu bytes is truncated: expected 1 + 24*N bytes", size));
    }
    const std::size_t n = (size - 1) / 24;
    if (n < 3) throw RegionError(strprintf("ConvexPolygon needs 3 or more vertices, got %zu", n));
    budget.spend(n);
    Region r;
    r.kind = RegionKind::ConvexPolygon;
    r.vertices.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        poll_interrupt_every(i);
        const std::uint8_t* p = d + 1 + 24 * i;
        r.vertices.push_back({read_f64(p), read_f64(p + 8), read_f64(p + 16)});
        check_vertex(r.vertices.back(), i, "ConvexPolygon", "vertex");
    }
    check_convex_ccw(r.vertices);
    return r;
}

void check_size(std::size_t size, std::size_t expected, const char* kind) {
    if (size != expected) {
        throw RegionError(strprintf("%s region is %zu bytes: expected %zu", kind, size, expected));
    }
}

Region decode_circle(const std::uint8_t* d, std::size_t size) {
    check_size(size, kCircleSize, "Circle");
    Region r;
    r.kind = RegionKind::Circle;
    r.center = {read_f64(d + 1), read_f64(d + 9), read_f64(d + 17)};
    check_vertex(r.center, 0, "Circle", "center");
    check_finite(read_f64(d + 25), "Circle squared chord length");
    r.opening_angle_rad = read_f64(d + 33);
    check_finite(r.opening_angle_rad, "Circle opening angle");
    return r;
}

Region decode_box(const std::uint8_t* d, std::size_t size) {
    check_size(size, kBoxSize, "Box");
    Region r;
    r.kind = RegionKind::Box;
    r.lon_min_rad = read_f64(d + 1);
    r.lon_max_rad = read_f64(d + 9);
    r.lat_min_rad = read_f64(d + 17);
    r.lat_max_rad = read_f64(d + 25);
    check_finite(r.lat_min_rad, "Box latitude a");
    check_finite(r.lat_max_rad, "Box latitude b");
    // An empty sphgeom Box has NaN longitudes; anything else must be finite.
    if (!(std::isnan(r.lon_min_rad) && std::isnan(r.lon_max_rad))) {
        check_finite(r.lon_min_rad, "Box longitude a");
        check_finite(r.lon_max_rad, "Box longitude b");
    }
    return r;
}

// Position angle (east of north) of direction `axis` at point `c`, as in sphgeom's Ellipse constructor.
double position_angle(const Vec3& c, const Vec3& axis) {
    Vec3 north{-c.x * c.z, -c.y * c.z, c.x * c.x + c.y * c.y};
    north = detail::norm(north) == 0 ? Vec3{-std::copysign(1.0, c.z), 0, 0} : detail::normalized(north);
    const Vec3 east = detail::cross(north, c);
    return std::atan2(detail::dot(axis, east), detail::dot(axis, north));
}

Region decode_ellipse(const std::uint8_t* d, std::size_t size) {
    check_size(size, kEllipseSize, "Ellipse");
    double v[14];
    for (int i = 0; i < 14; ++i) v[i] = read_f64(d + 1 + 8 * i);
    static const char* const names[12] = {"S00", "S01", "S02", "S10", "S11", "S12",
                                          "S20", "S21", "S22", "a",   "b",   "gamma"};
    for (int i = 0; i < 12; ++i) check_finite(v[i], (std::string("Ellipse ") + names[i]).c_str());
    // |tan a| and |tan b| are +inf for an empty ellipse, so only NaN is rejected there.
    if (std::isnan(v[12]) || std::isnan(v[13])) throw RegionError("Ellipse |tan a| or |tan b| is not a number (NaN)");
    Region r;
    r.kind = RegionKind::Ellipse;
    r.center = {v[6], v[7], v[8]};
    check_vertex(r.center, 0, "Ellipse", "center");
    r.alpha_rad = v[9] + 0.5 * kPi;
    r.beta_rad = v[10] + 0.5 * kPi;
    r.gamma_rad = position_angle(r.center, Vec3{v[0], v[1], v[2]});
    return r;
}

Region decode_at(const std::uint8_t* d, std::size_t size, std::size_t offset, int depth, Budget& budget);

Region decode_compound(const std::uint8_t* d, std::size_t size, std::size_t offset, int depth, Budget& budget) {
    Region r;
    const bool is_union = d[0] == 'u';
    r.kind = is_union ? RegionKind::Union : RegionKind::Intersection;
    const char* kind = is_union ? "UnionRegion" : "IntersectionRegion";
    if (static_cast<std::size_t>(depth) >= budget.limits.max_nesting) {
        throw RegionLimitError(strprintf("%s at byte %zu is nested more than %zu levels deep", kind, offset,
                                         budget.limits.max_nesting),
                               "nesting levels", static_cast<std::size_t>(depth) + 1, budget.limits.max_nesting);
    }
    std::size_t pos = 1;
    for (std::size_t i = 0; pos != size; ++i) {
        if (size - pos < 8) {
            throw RegionError(strprintf("%s operand %zu at byte %zu: length is truncated (%zu of 8 bytes)", kind, i,
                                        offset + pos, size - pos));
        }
        const std::uint64_t len = read_u64(d + pos);
        pos += 8;
        if (len > size - pos) {
            throw RegionError(strprintf("%s operand %zu at byte %zu is truncated: length says %llu bytes, %zu remain",
                                        kind, i, offset + pos, static_cast<unsigned long long>(len), size - pos));
        }
        try {
            r.operands.push_back(decode_at(d + pos, static_cast<std::size_t>(len), offset + pos, depth + 1, budget));
        } catch (const RegionLimitError&) {
            throw;
        } catch (const RegionError& e) {
            throw RegionError(strprintf("%s operand %zu at byte %zu: ", kind, i, offset + pos) + e.what());
        }
        pos += static_cast<std::size_t>(len);
    }
    return r;
}

Region decode_at(const std::uint8_t* d, std::size_t size, std::size_t offset, int depth, Budget& budget) {
    if (size == 0) throw RegionError(strprintf("sphgeom region at byte %zu is empty (0 bytes)", offset));
    switch (d[0]) {
        case 'p': return decode_polygon(d, size, budget);
        // a circle, ellipse or box counts as the 16 vertices of its outline
        case 'c': return budget.spend(16), decode_circle(d, size);
        case 'b': return budget.spend(16), decode_box(d, size);
        case 'e': return budget.spend(16), decode_ellipse(d, size);
        case 'u':
        case 'i': return budget.spend(1), decode_compound(d, size, offset, depth, budget);
        default:
            throw RegionError(strprintf("sphgeom region byte %zu is 0x%02x: not a known region type (p, c, b, e, u, i)",
                                        offset, static_cast<unsigned>(d[0])));
    }
}

}  // namespace

Vec3 unit_vector(const LonLat& p) {
    const double lon = p.lon_deg * detail::kRadPerDeg, lat = p.lat_deg * detail::kRadPerDeg;
    const double cos_lat = std::cos(lat);
    return {std::cos(lon) * cos_lat, std::sin(lon) * cos_lat, std::sin(lat)};
}

LonLat lon_lat(const Vec3& v) {
    double lon = std::atan2(v.y, v.x) * detail::kDegPerRad;
    if (lon < 0) lon += 360.0;
    if (lon >= 360.0) lon = 0.0;  // -tiny + 360 rounds to 360
    return {lon, std::atan2(v.z, std::hypot(v.x, v.y)) * detail::kDegPerRad};
}

Region decode_sphgeom(const std::uint8_t* data, std::size_t size, const DecodeLimits& limits) {
    if (data == nullptr && size != 0) throw std::invalid_argument("decode_sphgeom: null data with non-zero size");
    if (size == 0) throw RegionError("sphgeom region is empty (0 bytes)");
    Budget budget{limits};
    return decode_at(data, size, 0, 0, budget);
}

std::vector<std::uint8_t> encode_convex_polygon(const std::vector<Vec3>& vertices) {
    if (vertices.size() < 3) {
        throw RegionError(strprintf("ConvexPolygon needs 3 or more vertices, got %zu", vertices.size()));
    }
    for (std::size_t i = 0; i < vertices.size(); ++i) check_vertex(vertices[i], i, "ConvexPolygon", "vertex");
    check_convex_ccw(vertices);
    std::vector<std::uint8_t> out;
    out.reserve(1 + 24 * vertices.size());
    out.push_back('p');
    for (const Vec3& v : vertices) {
        put_f64(out, v.x);
        put_f64(out, v.y);
        put_f64(out, v.z);
    }
    return out;
}

}  // namespace obsmeta::geom
