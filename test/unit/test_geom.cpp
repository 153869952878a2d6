// Unit tests for src/geom: sphgeom codec, spherical polygons and their text forms, plus an oracle
// check against real LSSTCam regions from a daf_butler export.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "geom/spherical.hpp"
#include "geom/sphgeom.hpp"

#ifndef OBSMETA_SHARED_DIR
#define OBSMETA_SHARED_DIR ""
#endif

using namespace obsmeta::geom;
using Bytes = std::vector<std::uint8_t>;
using Polygon = std::vector<LonLat>;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

void put_f64(Bytes& b, double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, 8);
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

void put_u64(Bytes& b, std::uint64_t u) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

Bytes raw_polygon(const std::vector<Vec3>& vs) {
    Bytes b{'p'};
    for (const Vec3& v : vs) {
        put_f64(b, v.x);
        put_f64(b, v.y);
        put_f64(b, v.z);
    }
    return b;
}

std::vector<Vec3> vecs(const Polygon& p) {
    std::vector<Vec3> out;
    for (const LonLat& q : p) out.push_back(unit_vector(q));
    return out;
}

// A 1x1 deg square around (lon, lat), counter-clockwise seen from outside (west->east along the bottom).
Polygon square(double lon, double lat, double half = 0.5) {
    return {{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half}, {lon - half, lat + half}};
}

Bytes circle_bytes(LonLat c, double r_rad) {
    Bytes b{'c'};
    const Vec3 v = unit_vector(c);
    put_f64(b, v.x);
    put_f64(b, v.y);
    put_f64(b, v.z);
    put_f64(b, 4 * std::sin(r_rad / 2) * std::sin(r_rad / 2));
    put_f64(b, r_rad);
    return b;
}

Bytes box_bytes(double lon_a, double lon_b, double lat_a, double lat_b) {
    Bytes b{'b'};
    for (double d : {lon_a, lon_b, lat_a, lat_b}) put_f64(b, d * kDeg);
    return b;
}

Bytes compound(char tc, const std::vector<Bytes>& ops) {
    Bytes b{static_cast<std::uint8_t>(tc)};
    for (const Bytes& op : ops) {
        put_u64(b, op.size());
        b.insert(b.end(), op.begin(), op.end());
    }
    return b;
}

// gmock's HasSubstr without linking gmock.
::testing::AssertionResult has_substr(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

Region decode(const Bytes& b) { return decode_sphgeom(b.data(), b.size()); }

std::string decode_error(const Bytes& b) {
    try {
        decode(b);
    } catch (const RegionError& e) {
        return e.what();
    }
    return "(no error)";
}

void expect_valid_polygon(const Polygon& p) {
    EXPECT_NO_THROW(encode_convex_polygon(vecs(p))) << to_stcs_polygon(p);
}

}  // namespace

// --- sphgeom codec ------------------------------------------------------------------------------

TEST(Sphgeom, UnitVectorAndLonLatRoundTrip) {
    for (LonLat p : {LonLat{0, 0}, LonLat{359.5, -89.9}, LonLat{123.456, 45.6}, LonLat{200, 89.99}}) {
        const LonLat q = lon_lat(unit_vector(p));
        EXPECT_NEAR(q.lon_deg, p.lon_deg, 1e-10);
        EXPECT_NEAR(q.lat_deg, p.lat_deg, 1e-10);
    }
    EXPECT_DOUBLE_EQ(lon_lat(Vec3{1, -1e-300, 0}).lon_deg, 0.0);  // never 360
}

TEST(Sphgeom, ConvexPolygonRoundTripIsByteExact) {
    const std::vector<Vec3> vs = vecs(square(150, -30));
    const Bytes enc = encode_convex_polygon(vs);
    ASSERT_EQ(enc.size(), 1u + 24 * 4);
    EXPECT_EQ(enc[0], 'p');
    EXPECT_EQ(enc, raw_polygon(vs));
    const Region r = decode(enc);
    ASSERT_EQ(r.kind, RegionKind::ConvexPolygon);
    ASSERT_EQ(r.vertices.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r.vertices[i].x, vs[i].x);
        EXPECT_EQ(r.vertices[i].y, vs[i].y);
        EXPECT_EQ(r.vertices[i].z, vs[i].z);
    }
    EXPECT_EQ(encode_convex_polygon(r.vertices), enc);
}

TEST(Sphgeom, UnknownTypeByte) {
    EXPECT_EQ(decode_error(Bytes{0x71, 0, 0}),
              "sphgeom region byte 0 is 0x71: not a known region type (p, c, b, e, u, i)");
    EXPECT_EQ(decode_error(Bytes{}), "sphgeom region is empty (0 bytes)");
    EXPECT_THROW(decode_sphgeom(nullptr, 3), std::invalid_argument);
}

TEST(Sphgeom, PolygonSizeErrors) {
    Bytes b = raw_polygon(vecs(square(10, 10)));
    b.pop_back();
    EXPECT_EQ(decode_error(b), "ConvexPolygon region of 96 bytes is truncated: expected 1 + 24*N bytes");
    EXPECT_EQ(decode_error(raw_polygon(vecs({{0, 0}, {1, 0}}))), "ConvexPolygon needs 3 or more vertices, got 2");
    EXPECT_EQ(decode_error(Bytes{'p'}), "ConvexPolygon needs 3 or more vertices, got 0");
    EXPECT_THROW(encode_convex_polygon(vecs({{0, 0}, {1, 0}})), RegionError);
}

TEST(Sphgeom, PolygonVertexErrors) {
    std::vector<Vec3> vs = vecs(square(10, 10));
    vs[2] = {1, 1, 1};
    EXPECT_EQ(decode_error(raw_polygon(vs)), "ConvexPolygon vertex 2 is not a unit vector (|v| = 1.732050808)");
    vs[2] = {0, 1, 0};
    vs[1].y = std::nan("");
    EXPECT_EQ(decode_error(raw_polygon(vs)), "ConvexPolygon vertex 1 has a non-finite coordinate (NaN)");
    vs[1].y = HUGE_VAL;
    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vs)), "vertex 1 has a non-finite coordinate (Infinity)"));
    try {
        encode_convex_polygon(vs);
        FAIL();
    } catch (const RegionError& e) {
        EXPECT_TRUE(has_substr(e.what(), "vertex 1 has a non-finite coordinate"));
    }
}

TEST(Sphgeom, PolygonShapeErrors) {
    Polygon cw = square(10, 10);
    std::reverse(cw.begin(), cw.end());
    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vecs(cw))), "clockwise"));
    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vecs(cw))), "counter-clockwise"));

    Polygon dented = {{0, 0}, {2, 0}, {2, 2}, {1.5, 1}, {0, 2}};  // vertex 3 pushed inwards
    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vecs(dented))), "not convex: vertex"));

    Polygon star;  // a pentagram winds twice: every edge has vertices on both sides
    for (int k = 0; k < 5; ++k) star.push_back({2 * std::cos(4 * kPi * k / 5), 2 * std::sin(4 * kPi * k / 5)});
    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vecs(star))), "not convex"));

    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vecs({{0, 0}, {1, 0}, {2, 0}}))), "degenerate"));
    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vecs({{0, 0}, {1, 0}, {1, 0}, {0, 1}}))),
                           "vertices 1 and 2 are identical"));
    // Counter-clockwise around the north pole but below the equator: that is the clockwise
    // outline of a small polygon around the south pole.
    EXPECT_TRUE(has_substr(decode_error(raw_polygon(vecs({{0, -1}, {120, -1}, {240, -1}}))), "clockwise"));
    EXPECT_NO_THROW(decode(raw_polygon(vecs({{0, 1}, {120, 1}, {240, 1}}))));
}

TEST(Sphgeom, CircleBoxEllipse) {
    const Region c = decode(circle_bytes({30, 40}, 0.1));
    EXPECT_EQ(c.kind, RegionKind::Circle);
    EXPECT_NEAR(lon_lat(c.center).lon_deg, 30, 1e-12);
    EXPECT_DOUBLE_EQ(c.opening_angle_rad, 0.1);
    Bytes short_circle = circle_bytes({30, 40}, 0.1);
    short_circle.pop_back();
    EXPECT_EQ(decode_error(short_circle), "Circle region is 40 bytes: expected 41");

    const Region b = decode(box_bytes(350, 10, -5, 5));
    EXPECT_EQ(b.kind, RegionKind::Box);
    EXPECT_DOUBLE_EQ(b.lon_min_rad, 350 * kDeg);
    EXPECT_DOUBLE_EQ(b.lat_max_rad, 5 * kDeg);
    EXPECT_EQ(decode_error(Bytes{'b', 1}), "Box region is 2 bytes: expected 33");
    Bytes empty_box{'b'};
    for (double d : {std::nan(""), std::nan(""), 1.0, 0.0}) put_f64(empty_box, d);
    EXPECT_TRUE(outline(decode(empty_box)).empty());
    Bytes nan_box = box_bytes(0, 1, 0, 1);
    std::memset(&nan_box[17], 0xff, 8);  // NaN latitude
    EXPECT_EQ(decode_error(nan_box), "Box latitude a is not finite (NaN)");

    // Ellipse centered on (0, 0) with its alpha axis pointing north: S rows b0 = north, b1 = b0×c, c.
    Bytes e{'e'};
    for (double d : {0.0, 0.0, 1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 0.0}) put_f64(e, d);
    const double a = 0.02, bb = 0.01;
    for (double d : {a - kPi / 2, bb - kPi / 2, std::acos(std::cos(a) / std::cos(bb)), std::fabs(std::tan(a - kPi / 2)),
                     std::fabs(std::tan(bb - kPi / 2))})
        put_f64(e, d);
    ASSERT_EQ(e.size(), 113u);
    const Region el = decode(e);
    EXPECT_EQ(el.kind, RegionKind::Ellipse);
    EXPECT_NEAR(el.alpha_rad, a, 1e-15);
    EXPECT_NEAR(el.beta_rad, bb, 1e-15);
    EXPECT_NEAR(el.gamma_rad, 0.0, 1e-15);  // position angle of the alpha axis
    EXPECT_EQ(decode_error(Bytes{'e'}), "Ellipse region is 1 bytes: expected 113");
}

TEST(Sphgeom, CompoundRegions) {
    const Bytes p1 = encode_convex_polygon(vecs(square(10, 10)));
    const Bytes c1 = circle_bytes({20, 10}, 0.01);
    const Region u = decode(compound('u', {p1, c1}));
    ASSERT_EQ(u.kind, RegionKind::Union);
    ASSERT_EQ(u.operands.size(), 2u);
    EXPECT_EQ(u.operands[0].kind, RegionKind::ConvexPolygon);
    EXPECT_EQ(u.operands[1].kind, RegionKind::Circle);
    const Region i = decode(compound('i', {compound('u', {p1}), c1}));
    ASSERT_EQ(i.kind, RegionKind::Intersection);
    EXPECT_EQ(i.operands[0].kind, RegionKind::Union);
    EXPECT_TRUE(decode(Bytes{'u'}).operands.empty());

    Bytes truncated = compound('u', {p1});
    truncated.pop_back();
    EXPECT_EQ(decode_error(truncated), "UnionRegion operand 0 at byte 9 is truncated: length says 97 bytes, 96 remain");
    EXPECT_EQ(decode_error(Bytes{'i', 1, 0, 0}), "IntersectionRegion operand 0 at byte 1: length is truncated (3 of 8 bytes)");
    Bytes huge{'u'};
    put_u64(huge, ~std::uint64_t{0});
    EXPECT_TRUE(has_substr(decode_error(huge), "is truncated: length says 18446744073709551615 bytes"));
    Bytes bad_inner = p1;
    bad_inner[0] = 'x';
    EXPECT_EQ(decode_error(compound('u', {c1, bad_inner})),
              "UnionRegion operand 1 at byte 58: sphgeom region byte 58 is 0x78: not a known region type (p, c, b, e, u, i)");
    Bytes deep = p1;
    for (int k = 0; k < 40; ++k) deep = compound('u', {deep});
    EXPECT_TRUE(has_substr(decode_error(deep), "nested more than 32 levels"));
}

// --- spherical polygons -------------------------------------------------------------------------

TEST(Spherical, HullOfGridOfSquares) {
    // 4x3 grid of squares drawn in the tangent plane at (150, -30), so that their edges are great
    // circles: shared corners are duplicates and points along the outer edges are collinear.
    const Vec3 c = unit_vector({150, -30}), u = unit_vector({240, 0}), w = unit_vector({330, 60});
    auto at = [&](double x, double y) {
        return lon_lat(Vec3{c.x + x * u.x + y * w.x, c.y + x * u.y + y * w.y, c.z + x * u.z + y * w.z});
    };
    const double s = 0.004;  // ~0.23 deg
    Polygon pts;
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 3; ++j)
            for (auto [dx, dy] : {std::pair{0, 0}, {1, 0}, {1, 1}, {0, 1}}) pts.push_back(at(s * (i + dx), s * (j + dy)));
    const Polygon hull = convex_hull(pts);
    ASSERT_EQ(hull.size(), 4u) << to_stcs_polygon(hull);
    expect_valid_polygon(hull);
    for (const LonLat& p : pts) EXPECT_TRUE(contains(hull, p));
    for (const LonLat& corner : {at(0, 0), at(4 * s, 0), at(4 * s, 3 * s), at(0, 3 * s)}) {
        int found = 0;
        for (const LonLat& h : hull) found += angular_distance_deg(h, corner) < 1e-9;
        EXPECT_EQ(found, 1);
    }
    // A lon/lat grid is different: its constant-latitude edges are small circles, whose points
    // stick out of the great-circle chord on the equator side and so are hull vertices.
    Polygon lonlat_grid;
    for (int i = 0; i < 3; ++i) {
        const Polygon sq = square(150 + 0.2 * i, -30, 0.1);
        lonlat_grid.insert(lonlat_grid.end(), sq.begin(), sq.end());
    }
    EXPECT_EQ(convex_hull(lonlat_grid).size(), 6u);
}

TEST(Spherical, HullOfManyDetectorCornersAcrossLongitudeZero) {
    // ~760 corners of 189 small squares in a disk straddling lon 0, plus exact duplicates.
    Polygon pts;
    for (int i = -7; i <= 7; ++i)
        for (int j = -7; j <= 7; ++j) {
            if (i * i + j * j > 49 || pts.size() >= 756) continue;
            const Polygon s = square(0.22 * i + (i < 0 ? 360 : 0), -60 + 0.22 * j, 0.1);
            pts.insert(pts.end(), s.begin(), s.end());
        }
    pts.insert(pts.end(), pts.begin(), pts.begin() + 8);
    const Polygon hull = convex_hull(pts);
    EXPECT_GE(hull.size(), 8u);
    expect_valid_polygon(hull);
    for (const LonLat& p : pts) EXPECT_TRUE(contains(hull, p)) << p.lon_deg << " " << p.lat_deg;
}

TEST(Spherical, HullOfNearlyCollinearPoints) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> t(0, 1), jitter(-1e-13, 1e-13);
    Polygon pts = {{10, 10}, {11, 10.5}, {10.5, 11}};
    for (int k = 0; k < 200; ++k) {  // points on (or within rounding of) the edge from vertex 0 to 1
        const double s = t(rng);
        const Vec3 a = unit_vector(pts[0]), b = unit_vector(pts[1]);
        Vec3 v{a.x + s * (b.x - a.x), a.y + s * (b.y - a.y), a.z + s * (b.z - a.z)};
        LonLat q = lon_lat(v);
        q.lat_deg += jitter(rng);
        pts.push_back(q);
    }
    const Polygon hull = convex_hull(pts);
    expect_valid_polygon(hull);
    EXPECT_NEAR(polygon_area_deg2(hull), polygon_area_deg2({pts[0], pts[1], pts[2]}), 1e-9);
}

// Found by test/fuzz (convex_hull): near the pole, points 0 and 2 project to x values that tie
// within rounding; the collinearity tolerance popped point 0, the extreme of that run, and the hull
// missed it by 1.5e-10 rad.
TEST(Spherical, HullKeepsTheExtremeOfANearlyVerticalRun) {
    const Polygon pts = {{4.2183669279438618e-05, -89.771075569455249}, {6.1409744546381262e-05, -89.775624636745249},
                         {4.2183670359463576e-05, -89.771075617138962}, {4.2183670359463576e-05, -89.771075617138962},
                         {359.99549317637934, -89.77097803030118},      {359.99627654699367, -89.774840323021323},
                         {359.9955108642589, -89.771056452145515},      {359.99549316406251, -89.775624636746812}};
    const Polygon hull = convex_hull(pts);
    expect_valid_polygon(hull);
    for (const LonLat& p : pts) EXPECT_TRUE(contains(hull, p)) << p.lon_deg << " " << p.lat_deg;
}

// Found by test/fuzz (convex_hull): the south pole given with many longitudes (unit vectors that
// differ by rounding) made a hull that visited the pole twice, a bow tie that excluded its own vertex.
TEST(Spherical, HullOfAPoleWrittenWithManyLongitudes) {
    Polygon pts = {{49.901123046875, -39.765624636746807}, {235.05737385805094, -39.763794996427876}};
    for (double lon : {267.23445406649262, 189.90112307322022, 266.98425292975776, 49.901123046875, 189.98933906666934,
                       329.901123046875, 350.90633138020837})
        pts.push_back({lon, -90});
    const Polygon hull = convex_hull(pts);
    EXPECT_EQ(hull.size(), 3u);
    expect_valid_polygon(hull);
    for (const LonLat& p : pts) EXPECT_TRUE(contains(hull, p)) << p.lon_deg << " " << p.lat_deg;
}

TEST(Spherical, HullErrors) {
    try {
        convex_hull({{0, 0}, {90, 0}, {180, 0}, {270, 0}, {0, 90}, {0, -90}});
        ADD_FAILURE() << "points all over the sky accepted";
    } catch (const RegionError& e) {
        EXPECT_TRUE(has_substr(e.what(), "open hemisphere"));
    }
    EXPECT_THROW(convex_hull({{0, 0}, {1, 0}, {2, 0}}), RegionError);  // collinear
    EXPECT_THROW(convex_hull({{0, 0}, {0, 0}, {1, 1}}), RegionError);
    EXPECT_THROW(convex_hull({}), RegionError);
    EXPECT_THROW(convex_hull({{0, 0}, {std::nan(""), 0}, {1, 1}}), RegionError);
    const Polygon near_pole = convex_hull({{0, 89}, {90, 89}, {180, 89}, {270, 89}, {45, 89.5}});
    EXPECT_EQ(near_pole.size(), 4u);
    expect_valid_polygon(near_pole);
}

TEST(Spherical, AreaCentroidDistance) {
    const Polygon octant = {{0, 0}, {90, 0}, {0, 90}};
    EXPECT_NEAR(polygon_area_deg2(octant), 4 * kPi / 8 / (kDeg * kDeg), 1e-9);
    EXPECT_NEAR(polygon_area_deg2(octant), 5156.62, 0.01);
    const Polygon rev = {octant[2], octant[1], octant[0]};
    EXPECT_NEAR(polygon_area_deg2(rev), polygon_area_deg2(octant), 1e-9);
    EXPECT_EQ(polygon_area_deg2({{0, 0}, {1, 1}}), 0.0);

    const LonLat c = centroid(square(359.9, 0, 0.5));  // wraps through lon 0
    EXPECT_NEAR(c.lon_deg, 359.9, 1e-9);
    EXPECT_NEAR(c.lat_deg, 0, 1e-9);
    EXPECT_THROW(centroid({}), std::invalid_argument);

    EXPECT_NEAR(angular_distance_deg({0, 0}, {90, 0}), 90, 1e-12);
    EXPECT_NEAR(angular_distance_deg({0, 0}, {180, 0}), 180, 1e-12);
    EXPECT_NEAR(angular_distance_deg({10, 20}, {10, 20 + 1e-9}), 1e-9, 4e-15);  // stable when tiny (20 + 1e-9 is only good to 2e-15)
    EXPECT_NEAR(angular_distance_deg({10, 20}, {190, -20 + 1e-9}), 180 - 1e-9, 1e-13);
    EXPECT_NEAR(angular_distance_deg({359.5, 0}, {0.5, 0}), 1, 1e-12);
}

TEST(Spherical, BoundingCircle) {
    const Polygon sq = square(40, 20, 0.5);
    const Circle bc = bounding_circle(sq);
    EXPECT_NEAR(bc.center.lon_deg, 40, 1e-9);
    EXPECT_NEAR(bc.center.lat_deg, 20, 1e-3);
    double farthest = 0;
    for (const LonLat& p : sq) farthest = std::max(farthest, angular_distance_deg(bc.center, p));
    EXPECT_NEAR(bc.radius_deg, farthest, 1e-12);
    // Half the diagonal of a 0.94 x 1 deg box (longitude degrees shrink by cos 20).
    EXPECT_NEAR(bc.radius_deg, 0.5 * std::hypot(std::cos(20 * kDeg), 1.0), 2e-3);
}

TEST(Spherical, ContainsBoundaryAndOutside) {
    const Polygon sq = square(100, -45, 0.5);
    EXPECT_TRUE(contains(sq, {100, -45}));
    EXPECT_TRUE(contains(sq, sq[2]));  // a vertex
    EXPECT_FALSE(contains(sq, {101, -45}));
    EXPECT_FALSE(contains(sq, {280, 45}));  // antipode
    EXPECT_FALSE(contains(Polygon{{0, 0}, {1, 0}}, {0.5, 0}));
    EXPECT_TRUE(contains(vecs(sq), unit_vector({100.2, -45.1})));
}

TEST(Spherical, OutlineOfCircleContainsIt) {
    for (double r_deg : {0.01, 1.75, 30.0, 88.0}) {
        const LonLat center{250, -70};
        const auto polys = outline(decode(circle_bytes(center, r_deg * kDeg)));
        ASSERT_EQ(polys.size(), 1u);
        ASSERT_EQ(polys[0].size(), 16u);
        expect_valid_polygon(polys[0]);
        // Points on the circle, in every direction.
        const Vec3 c = unit_vector(center), u = unit_vector({340, 0});
        const Vec3 w{c.y * u.z - c.z * u.y, c.z * u.x - c.x * u.z, c.x * u.y - c.y * u.x};
        for (int k = 0; k < 720; ++k) {
            const double t = 2 * kPi * k / 720, cr = std::cos(r_deg * kDeg), sr = std::sin(r_deg * kDeg);
            const Vec3 p{c.x * cr + sr * (u.x * std::cos(t) + w.x * std::sin(t)),
                         c.y * cr + sr * (u.y * std::cos(t) + w.y * std::sin(t)),
                         c.z * cr + sr * (u.z * std::cos(t) + w.z * std::sin(t))};
            ASSERT_TRUE(contains(vecs(polys[0]), p)) << r_deg << " deg, t=" << t;
        }
        // Not much bigger than the circle: the vertices are at r/cos(pi/16) ~ 1.02 r.
        for (const LonLat& v : polys[0]) EXPECT_LT(angular_distance_deg(center, v), r_deg * 1.03 + 1e-9);
    }
    EXPECT_THROW(outline(decode(circle_bytes({0, 0}, 95 * kDeg))), RegionError);
    EXPECT_TRUE(outline(decode(circle_bytes({0, 0}, -1))).empty());  // sphgeom's empty circle
}

TEST(Spherical, OutlineOfBoxContainsIt) {
    struct Case { double lon_a, lon_b, lat_a, lat_b; };
    for (Case bc : {Case{10, 20, 40, 60}, Case{10, 20, -60, -40}, Case{350, 15, -10, 30}, Case{100, 270, 60, 90},
                    Case{0, 120, -90, -80}, Case{5, 5, 10, 10}, Case{30, 200, 0, 20}}) {
        const auto polys = outline(decode(box_bytes(bc.lon_a, bc.lon_b, bc.lat_a, bc.lat_b)));
        ASSERT_EQ(polys.size(), 1u);
        expect_valid_polygon(polys[0]);
        double width = bc.lon_b - bc.lon_a;
        if (width < 0) width += 360;
        for (int i = 0; i <= 100; ++i)
            for (int j = 0; j <= 100; j += (i == 0 || i == 100) ? 1 : 100) {  // the box boundary
                const LonLat p{bc.lon_a + width * i / 100, bc.lat_a + (bc.lat_b - bc.lat_a) * j / 100};
                ASSERT_TRUE(contains(polys[0], p)) << bc.lon_a << ".." << bc.lon_b << " x " << bc.lat_a << ".."
                                                   << bc.lat_b << " at " << p.lon_deg << "," << p.lat_deg;
                const LonLat q{bc.lon_a + width * j / 100, bc.lat_a + (bc.lat_b - bc.lat_a) * i / 100};
                ASSERT_TRUE(contains(polys[0], q)) << q.lon_deg << "," << q.lat_deg;
            }
    }
    EXPECT_THROW(outline(decode(box_bytes(0, 180, 0, 10))), RegionError);
}

// Found by test/fuzz (sphgeom): longitudes outside [0, 360) made the box width negative (a wrong
// outline) or, far outside, overflowed the step count (undefined behaviour).
TEST(Spherical, OutlineOfBoxWithUnnormalizedLongitudes) {
    const auto polys = outline(decode(box_bytes(10, -700, 40, 60)));  // -700 is 20 (mod 360)
    ASSERT_EQ(polys.size(), 1u);
    expect_valid_polygon(polys[0]);
    for (double lon : {10.0, 15.0, 20.0})
        for (double lat : {40.0, 50.0, 60.0}) EXPECT_TRUE(contains(polys[0], LonLat{lon, lat})) << lon << "," << lat;
    // Found by test/fuzz (sphgeom): a box from pole to pole (or with latitudes beyond them) had an
    // outline of only its two poles.
    for (auto lats : {std::pair{-90.0, 90.0}, std::pair{-1e9, 1e9}}) {
        const auto lune = outline(decode(box_bytes(10, 20, lats.first, lats.second)));
        ASSERT_EQ(lune.size(), 1u);
        ASSERT_GE(lune[0].size(), 3u);
        expect_valid_polygon(lune[0]);
        for (LonLat p : {LonLat{15, 0}, LonLat{10, 45}, LonLat{20, -60}, LonLat{12, 89}})
            EXPECT_TRUE(contains(lune[0], p)) << p.lon_deg << "," << p.lat_deg;
        EXPECT_FALSE(contains(lune[0], LonLat{25, 0}));
    }
    const auto above_pole = outline(decode(box_bytes(10, 20, 100, 120)));  // the north pole, inflated
    ASSERT_EQ(above_pole.size(), 1u);
    ASSERT_GE(above_pole[0].size(), 3u);
    for (double far : {-1e70, 1e70, 3.6e5}) {
        try {
            for (const auto& p : outline(decode(box_bytes(far, far + 5, -10, 10)))) expect_valid_polygon(p);
        } catch (const RegionError&) {
        }
    }
}

TEST(Spherical, OutlineOfCompoundRegions) {
    const Bytes p1 = encode_convex_polygon(vecs(square(10, 10)));
    const Bytes p2 = encode_convex_polygon(vecs(square(20, 10)));
    const auto u = outline(decode(compound('u', {p1, compound('u', {p2, box_bytes(0, 1, 0, 1)})})));
    ASSERT_EQ(u.size(), 3u);
    EXPECT_NEAR(u[1][0].lon_deg, 19.5, 1e-9);
    const auto i = outline(decode(compound('i', {circle_bytes({10, 10}, 0.1), p2})));
    ASSERT_EQ(i.size(), 1u);
    EXPECT_EQ(i[0].size(), 4u);  // the polygon operand, not the circle
    EXPECT_THROW(outline(decode(Bytes{'i'})), RegionError);
    EXPECT_TRUE(outline(decode(Bytes{'u'})).empty());
}

TEST(Spherical, TextForms) {
    const double lon = 0.1 / kDeg, lat = -0.5 / kDeg;
    EXPECT_EQ(to_pgsphere_spoint({lon, lat}), "(0.1,-0.5)");
    EXPECT_EQ(to_pgsphere_spoint({-90, 0}), "(4.71238898038469,0)");
    const std::string poly = to_pgsphere_spoly({{lon, lat}, {0.2 / kDeg, lat}, {0.2 / kDeg, -0.4 / kDeg}});
    EXPECT_EQ(poly, "{(0.1,-0.5),(0.2,-0.5),(0.2,-0.4)}");
    const LonLat odd{123.456789012345678, -12.3456789012345678};
    const std::string sp = to_pgsphere_spoint(odd);
    double back_lon = 0, back_lat = 0;
    ASSERT_EQ(std::sscanf(sp.c_str(), "(%lf,%lf)", &back_lon, &back_lat), 2);
    EXPECT_EQ(back_lon, odd.lon_deg * kDeg);  // exact round trip of the radians
    EXPECT_EQ(back_lat, odd.lat_deg * kDeg);

    EXPECT_EQ(to_stcs_polygon({{10.5, -30.25}, {11, -30.25}, {-1, -29.75}}),
              "POLYGON ICRS 10.5 -30.25 11 -30.25 359 -29.75");
    EXPECT_EQ(to_stcs_polygon({{359.99999999999, 1.23456789012345}}), "POLYGON ICRS 0 1.23456789");
    EXPECT_EQ(to_stcs_polygon({{123.4567890123, 0}}), "POLYGON ICRS 123.456789 0");
}

// --- oracle: real LSSTCam regions ---------------------------------------------------------------

namespace {

Bytes from_hex(const std::string& hex) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// The `encoded:` hex of every `!<lsst.sphgeom.ConvexPolygon>` region, in file order.
std::vector<Bytes> convex_polygons_in(std::ifstream& in) {
    std::vector<Bytes> out;
    std::string line;
    bool after_tag = false;
    while (std::getline(in, line)) {
        const std::size_t enc = line.find("encoded:");
        if (after_tag && enc != std::string::npos) {
            std::string hex = line.substr(enc + 8);
            hex.erase(0, hex.find_first_not_of(" \t"));
            hex.erase(hex.find_last_not_of(" \t\r") + 1);
            out.push_back(from_hex(hex));
        }
        after_tag = line.find("!<lsst.sphgeom.ConvexPolygon>") != std::string::npos;
    }
    return out;
}

Polygon as_lonlat(const Region& r) {
    Polygon out;
    for (const Vec3& v : r.vertices) out.push_back(lon_lat(v));
    return out;
}

}  // namespace

TEST(Oracle, LsstCamSubsetRegions) {
    const std::string path = std::string(OBSMETA_SHARED_DIR) + "/anchors/rubin/lsstcam-subset.yaml";
    std::ifstream in(path);
    if (!in) GTEST_SKIP() << "oracle file not found: " << path << " (set OBSMETA_SHARED_DIR)";
    const std::vector<Bytes> regions = convex_polygons_in(in);
    ASSERT_EQ(regions.size(), 6u);  // 2 visits, then 4 visit_detector_region rows

    std::vector<Polygon> visits, detectors;
    for (const Bytes& b : regions) {
        Region r;
        ASSERT_NO_THROW(r = decode(b));
        ASSERT_EQ(r.kind, RegionKind::ConvexPolygon);
        EXPECT_EQ(encode_convex_polygon(r.vertices), b);  // byte-exact re-encode
        (r.vertices.size() == 4 ? detectors : visits).push_back(as_lonlat(r));
    }
    ASSERT_EQ(visits.size(), 2u);
    ASSERT_EQ(detectors.size(), 4u);
    // Regions are padded: obs_base's visit definition grows each detector by 250 px per side, so a
    // 4072x4000 px CCD at 0.2"/px covers (4572 x 4500) px = 0.254 x 0.250 deg = 0.0635 deg^2 rather
    // than the bare 0.050 deg^2, and the visit (hull of the 189+ padded detectors) ~11.6 deg^2.
    for (const Polygon& v : visits) {
        EXPECT_EQ(v.size(), 71u);
        const double area = polygon_area_deg2(v);
        EXPECT_GT(area, 11.0);
        EXPECT_LT(area, 12.5);
        const Circle bc = bounding_circle(v);
        EXPECT_GT(bc.radius_deg, 2.0);
        EXPECT_LT(bc.radius_deg, 2.5);
        // The hull of a convex polygon's vertices is the polygon itself.
        EXPECT_NEAR(polygon_area_deg2(convex_hull(v)), area, 1e-9);
    }
    for (const Polygon& d : detectors) {
        const double area = polygon_area_deg2(d);
        EXPECT_GT(area, 0.060);
        EXPECT_LT(area, 0.066);
        // Independent check: a near-rectangle's area is the product of adjacent side lengths.
        EXPECT_NEAR(area, angular_distance_deg(d[0], d[1]) * angular_distance_deg(d[1], d[2]), 1e-4);
        int inside = 0;
        for (const Polygon& v : visits) {
            bool all = true;
            for (const LonLat& p : d) all = all && contains(v, p);
            inside += all;
        }
        EXPECT_EQ(inside, 1) << "detector polygon " << to_stcs_polygon(d);
    }
    // The tracking position of exposure 439 lies in its visit polygon (first in the file).
    EXPECT_TRUE(contains(visits[0], {104.55395819494994, -42.69572623114717}));
    EXPECT_FALSE(contains(visits[1], {104.55395819494994, -42.69572623114717}));
}
