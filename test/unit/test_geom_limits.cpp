// Issue 13 item 6: polygon checks are linear, bounded and interruptible.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "geom/interrupt.hpp"
#include "geom/spherical.hpp"
#include "geom/sphgeom.hpp"

using namespace obsmeta::geom;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A regular n-gon of radius r (radians) around (1, 0, 0), counter-clockwise seen from outside.
std::vector<Vec3> ngon(std::size_t n, double r, int windings = 1) {
    std::vector<Vec3> out;
    for (std::size_t k = 0; k < n; ++k) {
        const double t = 2 * kPi * windings * static_cast<double>(k) / static_cast<double>(n);
        out.push_back({std::cos(r), std::sin(r) * std::cos(t), std::sin(r) * std::sin(t)});
    }
    return out;
}

std::vector<std::uint8_t> bytes_of(const std::vector<Vec3>& vs) {
    std::vector<std::uint8_t> b{'p'};
    for (const Vec3& v : vs)
        for (double d : {v.x, v.y, v.z}) {
            std::uint8_t raw[8];
            std::memcpy(raw, &d, 8);
            b.insert(b.end(), raw, raw + 8);
        }
    return b;
}

}  // namespace

// 300,000 vertices: every vertex against every edge was 9·10^10 steps (hours; 10^5 took 32 s).
TEST(GeomLimits, LargeConvexPolygonIsCheckedInLinearTime) {
    const auto b = bytes_of(ngon(300000, 0.01));
    DecodeLimits limits;
    limits.max_vertices = 300000;
    EXPECT_EQ(decode_sphgeom(b.data(), b.size(), limits).vertices.size(), 300000u);
}

TEST(GeomLimits, VertexLimit) {
    const auto b = bytes_of(ngon(101, 0.01));
    DecodeLimits limits;
    limits.max_vertices = 100;
    try {
        decode_sphgeom(b.data(), b.size(), limits);
        FAIL() << "expected RegionLimitError";
    } catch (const RegionLimitError& e) {
        EXPECT_EQ(e.quantity(), "vertices");
        EXPECT_EQ(e.limit(), 100u);
    }
    EXPECT_THROW(decode_sphgeom(bytes_of(ngon(10001, 0.01)).data(), 1 + 24 * 10001), RegionLimitError);  // default
}

// What the old O(N^2) definition caught must still be caught: windings, dents, clockwise order.
TEST(GeomLimits, LinearCheckKeepsTheDefinition) {
    auto error_of = [](const std::vector<Vec3>& vs) -> std::string {
        const auto b = bytes_of(vs);
        try {
            decode_sphgeom(b.data(), b.size());
        } catch (const RegionError& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_NE(error_of(ngon(7, 0.1, 2)).find("wind 2 times"), std::string::npos);  // a heptagram
    EXPECT_NE(error_of(ngon(7, 0.1, 3)).find("not convex"), std::string::npos);
    auto cw = ngon(50, 0.1);
    std::reverse(cw.begin(), cw.end());
    EXPECT_NE(error_of(cw).find("clockwise"), std::string::npos);
    auto dented = ngon(50, 0.1);
    dented[10] = Vec3{std::cos(0.05), std::sin(0.05) * std::cos(2 * kPi * 10 / 50), std::sin(0.05) * std::sin(2 * kPi * 10 / 50)};
    EXPECT_NE(error_of(dented).find("not convex: vertex"), std::string::npos);
    EXPECT_EQ(error_of(ngon(1000, 1.5)), "");  // a large (86 deg) polygon is fine
}

TEST(GeomLimits, LongLoopsPollForInterrupts) {
    static int polls = 0;
    set_interrupt_poll([] { return ++polls > 3; });
    const auto b = bytes_of(ngon(100000, 0.01));
    DecodeLimits limits;
    limits.max_vertices = 100000;
    EXPECT_THROW(decode_sphgeom(b.data(), b.size(), limits), Interrupted);
    polls = 0;
    std::vector<LonLat> points;
    for (const Vec3& v : ngon(100000, 0.01)) points.push_back(lon_lat(v));
    EXPECT_THROW(convex_hull(points), Interrupted);
    set_interrupt_poll(nullptr);
    EXPECT_EQ(convex_hull(points).size(), 100000u);
}
