#include "sample_night/observatory.hpp"

#include <cmath>

namespace obsmeta::sample {
namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

double wrap360(double deg) {
    deg = std::fmod(deg, 360.0);
    return deg < 0 ? deg + 360.0 : deg;
}
}  // namespace

double local_sidereal_deg(std::int64_t utc_micros) {
    // GMST (IAU 1982, linear term only) from the Julian date; UT1 ~ UTC is plenty here.
    const double jd = 2440587.5 + static_cast<double>(utc_micros) / 86400e6;
    return wrap360(280.46061837 + 360.98564736629 * (jd - 2451545.0) + kSiteLongitudeDeg);
}

Equatorial to_equatorial(const Horizontal& h, std::int64_t utc_micros) {
    const double phi = kSiteLatitudeDeg * kDeg, alt = (90.0 - h.zenith_angle_deg) * kDeg, az = h.azimuth_deg * kDeg;
    const double sin_dec = std::sin(phi) * std::sin(alt) + std::cos(phi) * std::cos(alt) * std::cos(az);
    const double dec = std::asin(sin_dec);
    // Hour angle, positive west of the meridian.
    const double ha = std::atan2(-std::sin(az) * std::cos(alt),
                                 std::cos(phi) * std::sin(alt) - std::sin(phi) * std::cos(alt) * std::cos(az));
    return {wrap360(local_sidereal_deg(utc_micros) - ha / kDeg), dec / kDeg};
}

Horizontal to_horizontal(const Equatorial& e, std::int64_t utc_micros) {
    const double phi = kSiteLatitudeDeg * kDeg, dec = e.dec_deg * kDeg;
    const double ha = (local_sidereal_deg(utc_micros) - e.ra_deg) * kDeg;
    const double sin_alt = std::sin(phi) * std::sin(dec) + std::cos(phi) * std::cos(dec) * std::cos(ha);
    const double az = std::atan2(-std::cos(dec) * std::sin(ha),
                                 std::cos(phi) * std::sin(dec) - std::sin(phi) * std::cos(dec) * std::cos(ha));
    return {wrap360(az / kDeg), 90.0 - std::asin(sin_alt) / kDeg};
}

}  // namespace obsmeta::sample
