// The registry decoders: Butler TAI nanoseconds → UTC (leap seconds from ERFA), base64 regions;
// sphgeom's bounding circle (dax_obscore's s_ra, s_dec, s_fov).
#include "geom/spherical.hpp"
#include "geom/sphgeom.hpp"
#include "registry/base64_region.hpp"
#include "registry/tai_time.hpp"

#include <erfa.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

using namespace obsmeta::registry;

namespace {
constexpr std::int64_t kNsPerS = 1000000000LL, kUsPerS = 1000000LL;
// 2017-01-01T00:00:00 as a calendar count of seconds since 1970-01-01 (86400 s a day).
constexpr std::int64_t k2017 = 1483228800LL;
}  // namespace

TEST(TaiTime, OffsetsAroundTheEnd2016LeapSecond) {
    // 2017-01-01T00:00:37 TAI is 2017-01-01T00:00:00 UTC (TAI−UTC = 37 s since then)
    EXPECT_EQ(tai_ns_to_utc_us((k2017 + 37) * kNsPerS), k2017 * kUsPerS);
    // 2016-12-31T23:59:59 UTC was 2017-01-01T00:00:35 TAI (36 s before the leap)
    EXPECT_EQ(tai_ns_to_utc_us((k2017 + 35) * kNsPerS), (k2017 - 1) * kUsPerS);
    // inside the leap second (23:59:60.5 UTC): POSIX time repeats 00:00:00.5
    EXPECT_EQ(tai_ns_to_utc_us((k2017 + 36) * kNsPerS + 500000000), k2017 * kUsPerS + 500000);
    EXPECT_DOUBLE_EQ(tai_minus_utc_seconds(k2017 * kUsPerS), 37.0);
    EXPECT_DOUBLE_EQ(tai_minus_utc_seconds((k2017 - 1) * kUsPerS), 36.0);
}

TEST(TaiTime, HscNightOf2013) {
    // the registry fixture's day_obs 20130617 begins at 1371427200 s TAI: 35 s earlier in UTC
    EXPECT_EQ(tai_ns_to_utc_us(1371427200LL * kNsPerS), (1371427200LL - 35) * kUsPerS);
}

TEST(TaiTime, RoundsNanosecondsToTheNearestMicrosecond) {
    const std::int64_t base = (k2017 + 100) * kNsPerS;
    EXPECT_EQ(tai_ns_to_utc_us(base + 499), (k2017 + 63) * kUsPerS);
    EXPECT_EQ(tai_ns_to_utc_us(base + 500), (k2017 + 63) * kUsPerS + 1);
    EXPECT_EQ(tai_ns_to_utc_us(base + 1999), (k2017 + 63) * kUsPerS + 2);
}

TEST(TaiTime, AgreesWithErfaTaiUtcOverTheLeapSecondEra) {
    // eraTaiutc on two-part Julian dates (accurate to a few µs here) for one instant a month,
    // 1972..2030: our integer arithmetic must agree within its precision (~10 µs at these dates).
    for (std::int64_t s = 63072000LL; s < 1893456000LL; s += 2629743LL) {
        const std::int64_t tai_ns = s * kNsPerS + 123456789;
        // TAI as a Julian date: the 1970 TAI epoch is JD 2440587.5 on the TAI scale
        const double day = std::floor(static_cast<double>(tai_ns) / 86400e9);
        const double frac = (static_cast<double>(tai_ns) - day * 86400e9) / 86400e9;
        double utc1 = 0, utc2 = 0;
        ASSERT_GE(eraTaiutc(2440587.5 + day, frac, &utc1, &utc2), 0);  // 1: a year past ERFA's table
        // ERFA's UTC quasi-JD → seconds since 1970 UTC; on a day that ends with a leap second its
        // fraction counts 86401 s, so such days (where the two cannot be compared this way) are skipped
        const double utc_day = std::floor((utc1 - 2440587.5) + utc2);
        const auto day_us = static_cast<std::int64_t>(utc_day) * 86400 * kUsPerS;
        if (tai_minus_utc_seconds(day_us) != tai_minus_utc_seconds(day_us + 86400 * kUsPerS)) continue;
        const double erfa_us = ((utc1 - 2440587.5) + utc2) * 86400e6;
        EXPECT_NEAR(static_cast<double>(tai_ns_to_utc_us(tai_ns)), erfa_us, 20.0) << "TAI s " << s;
    }
}

TEST(TaiTime, RefusesInstantsBeforeUtcExists) {
    EXPECT_THROW(tai_ns_to_utc_us(-20LL * 365 * 86400 * kNsPerS), TimeError);  // 1950
    EXPECT_NO_THROW(tai_ns_to_utc_us(-5LL * 365 * 86400 * kNsPerS));           // 1965: rubber seconds
}

TEST(TaiTime, DescribesValuesForMessages) {
    EXPECT_EQ(describe_tai_ns((k2017 + 37) * kNsPerS + 5),
              "1483228837000000005 ns (2017-01-01T00:00:37.000000005 TAI)");
}

TEST(Base64Region, DecodesStandardBase64WithPadding) {
    EXPECT_EQ(decode_base64(""), std::vector<std::uint8_t>{});
    EXPECT_EQ(decode_base64("TWFu"), (std::vector<std::uint8_t>{'M', 'a', 'n'}));
    EXPECT_EQ(decode_base64("TWE="), (std::vector<std::uint8_t>{'M', 'a'}));
    EXPECT_EQ(decode_base64("TQ=="), (std::vector<std::uint8_t>{'M'}));
    EXPECT_EQ(decode_base64("+/+/"), (std::vector<std::uint8_t>{0xfb, 0xff, 0xbf}));
}

TEST(Base64Region, NamesTheBadCharacter) {
    try {
        decode_base64("TW!u");
        FAIL() << "accepted a bad character";
    } catch (const Base64Error& e) {
        EXPECT_EQ(std::string(e.what()), "character 2 of the base64 text is not base64 (byte 0x21)");
    }
    EXPECT_THROW(decode_base64("TWF"), Base64Error);    // truncated
    EXPECT_THROW(decode_base64("TW\nu"), Base64Error);  // whitespace
}

TEST(Base64Region, RegionRoundTripAndRejection) {
    // a real visit_detector_region of the HSC fixture (HSC visit 903344, detector 0), as the registry stores it
    const std::string region =
        "cO3tagHGwug/XaB7bgdF5L+DagqiXWx6v464+XiEwug/hQGFwyhF5L890P+Yah2Bv5hEiBpO1eg/YE9p8SIu5L+xUkMBW+aAv7/xh17D1eg/"
        "i4gAbsAt5L8jWdY3HRV6vw==";
    auto bytes = region_from_base64(region);
    auto decoded = obsmeta::geom::decode_sphgeom(bytes.data(), bytes.size());
    EXPECT_EQ(decoded.kind, obsmeta::geom::RegionKind::ConvexPolygon);
    EXPECT_EQ(decoded.vertices.size(), 4u);
    EXPECT_THROW(region_from_base64("cQ=="), obsmeta::geom::RegionError);  // byte 0x71: no such region type
}

TEST(SphgeomBoundingCircle, SymmetricSquareEitherOrientation) {
    using obsmeta::geom::LonLat;
    const std::vector<LonLat> ccw = {{9.9, 19.9}, {10.1, 19.9}, {10.1, 20.1}, {9.9, 20.1}};
    const std::vector<LonLat> cw(ccw.rbegin(), ccw.rend());
    const auto a = obsmeta::geom::sphgeom_bounding_circle(ccw);
    const auto b = obsmeta::geom::sphgeom_bounding_circle(cw);
    EXPECT_NEAR(a.center.lon_deg, 10.0, 1e-12);
    EXPECT_NEAR(a.center.lat_deg, 20.0, 1e-3);  // the area centroid of a lat/lon square lies a little poleward
    EXPECT_NEAR(a.center.lat_deg, b.center.lat_deg, 1e-12);  // (the sums run in the other order)
    EXPECT_NEAR(a.radius_deg, b.radius_deg, 1e-12);
    // the radius reaches the farthest corner (plus sphgeom's 5e-15 squared-chord margin)
    double farthest = 0;
    for (const auto& p : ccw) farthest = std::max(farthest, obsmeta::geom::angular_distance_deg(a.center, p));
    EXPECT_GT(a.radius_deg, farthest);
    EXPECT_NEAR(a.radius_deg, farthest, 1e-9);
}

TEST(SphgeomBoundingCircle, AreaCentroidIsNotTheVertexMean) {
    // a thin wedge: most vertices cluster at one end, the area does not
    using obsmeta::geom::LonLat;
    const std::vector<LonLat> wedge = {{0, 0}, {1, 0}, {1.0001, 0.0001}, {1.0002, 0.0002}, {1, 1}};
    const auto c = obsmeta::geom::sphgeom_bounding_circle(wedge);
    EXPECT_LT(c.center.lon_deg, 0.8);  // the vertex mean would be at lon ≈ 0.8
}
