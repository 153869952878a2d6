// lsst.sphgeom byte encodings (see lsst/sphgeom src/*.cc encode/decode). All numbers are little-endian:
//   ConvexPolygon 'p' + N x (x, y, z) float64                          1 + 24*N bytes, N >= 3
//   Circle        'c' + center (x, y, z), squared chord length, opening angle      41 bytes
//   Box           'b' + lon a, lon b, lat a, lat b (radians)                       33 bytes
//   Ellipse       'e' + S (3x3, row major), a, b, gamma, |tan a|, |tan b|          113 bytes
//   UnionRegion 'u' / IntersectionRegion 'i' + per operand: u64 byte length, operand bytes
#include "sphgeom.hpp"

#include <cmath>
#include <cstring>

#include "message.hpp"
#include "vec3_math.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::geom {

using detail::kPi;
using detail::strprintf;

namespace {

constexpr std::size_t kCircleSize = 41, kBoxSize = 33, kEllipseSize = 113;
constexpr int kMaxNesting = 32;             // compound regions nest rarely; bounds recursion on bad input
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
    enum Kind { None, Coincident, RightOfEdge, Degenerate } kind = None;
    std::size_t edge = 0, vertex = 0;
    double distance = 0;
};

ConvexityFault find_convexity_fault(const std::vector<Vec3>& v, bool reversed) {
    const std::size_t n = v.size();
    auto at = [&](std::size_t i) -> const Vec3& { return reversed ? v[n - 1 - i] : v[i]; };
    ConvexityFault worst;
    double worst_dist = -kConvexTolerance;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t i1 = (i + 1) % n;
        const Vec3 normal = detail::edge_normal(at(i), at(i1));
        const double len = detail::norm(normal);
        if (len == 0) return {ConvexityFault::Coincident, i, i1, 0};
        double best = -1;
        for (std::size_t j = (i1 + 1) % n; j != i; j = (j + 1) % n) {
            const double d = detail::dot(normal, at(j)) / len;
            if (d < worst_dist) {
                worst_dist = d;
                worst = {ConvexityFault::RightOfEdge, i, j, d};
            }
            if (d > best) best = d;
        }
        if (worst.kind == ConvexityFault::None && best <= kConvexTolerance) {
            return {ConvexityFault::Degenerate, i, i1, best};
        }
    }
    return worst;
}

// O(N^2) exact definition (every vertex left of every edge): N is 4 or ~70 in practice.
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
            if (find_convexity_fault(v, true).kind == ConvexityFault::None) {
                throw RegionError(
                    "ConvexPolygon vertices are clockwise; sphgeom needs counter-clockwise order as seen from "
                    "outside the sphere");
            }
            throw RegionError(strprintf(
                "ConvexPolygon is not convex: vertex %zu is %.3g arcsec right of edge %zu->%zu", f.vertex,
                -f.distance * detail::kDegPerRad * 3600.0, f.edge, (f.edge + 1) % n));
    }
}

Region decode_polygon(const std::uint8_t* d, std::size_t size) {
    if ((size - 1) % 24 != 0) {
        throw RegionError(strprintf("ConvexPolygon region of %zu bytes is truncated: expected 1 + 24*N bytes", size));
    }
    const std::size_t n = (size - 1) / 24;
    if (n < 3) throw RegionError(strprintf("ConvexPolygon needs 3 or more vertices, got %zu", n));
    Region r;
    r.kind = RegionKind::ConvexPolygon;
    r.vertices.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
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

Region decode_at(const std::uint8_t* d, std::size_t size, std::size_t offset, int depth);

Region decode_compound(const std::uint8_t* d, std::size_t size, std::size_t offset, int depth) {
    Region r;
    const bool is_union = d[0] == 'u';
    r.kind = is_union ? RegionKind::Union : RegionKind::Intersection;
    const char* kind = is_union ? "UnionRegion" : "IntersectionRegion";
    if (depth >= kMaxNesting) {
        throw RegionError(strprintf("%s at byte %zu is nested more than %d levels deep", kind, offset, kMaxNesting));
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
            r.operands.push_back(decode_at(d + pos, static_cast<std::size_t>(len), offset + pos, depth + 1));
        } catch (const RegionError& e) {
            throw RegionError(strprintf("%s operand %zu at byte %zu: ", kind, i, offset + pos) + e.what());
        }
        pos += static_cast<std::size_t>(len);
    }
    return r;
}

Region decode_at(const std::uint8_t* d, std::size_t size, std::size_t offset, int depth) {
    if (size == 0) throw RegionError(strprintf("sphgeom region at byte %zu is empty (0 bytes)", offset));
    switch (d[0]) {
        case 'p': return decode_polygon(d, size);
        case 'c': return decode_circle(d, size);
        case 'b': return decode_box(d, size);
        case 'e': return decode_ellipse(d, size);
        case 'u':
        case 'i': return decode_compound(d, size, offset, depth);
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

Region decode_sphgeom(const std::uint8_t* data, std::size_t size) {
    if (data == nullptr && size != 0) throw std::invalid_argument("decode_sphgeom: null data with non-zero size");
    if (size == 0) throw RegionError("sphgeom region is empty (0 bytes)");
    return decode_at(data, size, 0, 0);
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
