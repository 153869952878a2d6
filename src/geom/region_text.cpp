// Text forms of polygons and points: pg_sphere input (radians) and ADQL STC-S (degrees).
// std::to_chars is locale-independent, so a backend's LC_NUMERIC can never turn '.' into ','.
#include <charconv>
#include <cmath>
#include <string>

#include "spherical.hpp"
#include "vec3_math.hpp"
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::geom {

namespace {

double lon_in_range(double lon_deg) {
    double lon = std::fmod(lon_deg, 360.0);
    if (lon < 0) lon += 360.0;
    return lon >= 360.0 ? 0.0 : lon;
}

// Shortest text that reads back as exactly the same double.
void append_exact(std::string& out, double v) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

void append_digits(std::string& out, double v, int digits) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, digits);
    out.append(buf, res.ptr);
}

void append_spoint(std::string& out, const LonLat& p) {
    double lon = lon_in_range(p.lon_deg) * detail::kRadPerDeg;
    if (lon >= 2 * detail::kPi) lon = 0.0;
    out += '(';
    append_exact(out, lon);
    out += ',';
    append_exact(out, p.lat_deg * detail::kRadPerDeg);
    out += ')';
}

}  // namespace

std::string to_pgsphere_spoint(LonLat p) {
    std::string out;
    append_spoint(out, p);
    return out;
}

std::string to_pgsphere_spoly(const std::vector<LonLat>& polygon) {
    std::string out;
    out.reserve(2 + polygon.size() * 44);
    out += '{';
    for (std::size_t i = 0; i < polygon.size(); ++i) {
        if (i) out += ',';
        append_spoint(out, polygon[i]);
    }
    out += '}';
    return out;
}

std::string to_stcs_polygon(const std::vector<LonLat>& polygon) {
    std::string out = "POLYGON ICRS";
    out.reserve(12 + polygon.size() * 24);
    for (const LonLat& p : polygon) {
        const std::size_t start = out.size() + 1;
        out += ' ';
        append_digits(out, lon_in_range(p.lon_deg), 10);
        if (out.compare(start, std::string::npos, "360") == 0) out.replace(start, 3, "0");  // 359.99999999996
        out += ' ';
        append_digits(out, p.lat_deg, 10);
    }
    return out;
}

}  // namespace obsmeta::geom
