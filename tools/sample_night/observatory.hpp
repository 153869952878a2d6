// Just enough positional astronomy to make pointings consistent: Rubin's site, sidereal time and
// the horizontal <-> equatorial conversion (no refraction, precession or nutation: this is test data).
#pragma once

#include <cstdint>

namespace obsmeta::sample {

struct Horizontal {
    double azimuth_deg = 0;       // from north through east
    double zenith_angle_deg = 0;  // 90 - altitude
};

struct Equatorial {
    double ra_deg = 0, dec_deg = 0;
};

// Cerro Pachon, the Simonyi Survey Telescope.
inline constexpr double kSiteLatitudeDeg = -30.244639;
inline constexpr double kSiteLongitudeDeg = -70.749417;

// Local mean sidereal time in degrees at a UTC instant (microseconds since the Unix epoch).
double local_sidereal_deg(std::int64_t utc_micros);

Equatorial to_equatorial(const Horizontal& h, std::int64_t utc_micros);
Horizontal to_horizontal(const Equatorial& e, std::int64_t utc_micros);

}  // namespace obsmeta::sample
