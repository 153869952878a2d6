// lsst.sphgeom region encodings, decoded to and encoded from plain C++ values.
// Pure C++ (no PostgreSQL headers): used by the extension, the unit tests and the tools.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace obsmeta::geom {

// A point on the unit sphere as a Cartesian unit vector (sphgeom's UnitVector3d).
struct Vec3 {
    double x = 0, y = 0, z = 0;
};

// Longitude/latitude in degrees (ICRS ra/dec); lon in [0, 360).
struct LonLat {
    double lon_deg = 0, lat_deg = 0;
};

Vec3 unit_vector(const LonLat& p);
LonLat lon_lat(const Vec3& v);

enum class RegionKind { ConvexPolygon, Circle, Box, Ellipse, Union, Intersection };

struct Region {
    RegionKind kind = RegionKind::ConvexPolygon;
    std::vector<Vec3> vertices;      // ConvexPolygon: counter-clockwise vertices
    Vec3 center;                     // Circle, Ellipse
    double opening_angle_rad = 0;    // Circle
    double lon_min_rad = 0, lon_max_rad = 0, lat_min_rad = 0, lat_max_rad = 0;  // Box
    double alpha_rad = 0, beta_rad = 0, gamma_rad = 0;  // Ellipse semi-axes and orientation
    std::vector<Region> operands;    // Union, Intersection
};

// Thrown for bytes that are not a valid sphgeom encoding; what() names the byte offset and the bad
// value, so that the SQL error can quote it.
class RegionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A region larger than the caller allows (see DecodeLimits): what, how many and the limit.
class RegionLimitError : public RegionError {
public:
    RegionLimitError(const std::string& message, const std::string& what, std::size_t value, std::size_t limit)
        : RegionError(message), what_(what), value_(value), limit_(limit) {}
    const std::string& quantity() const { return what_; }
    std::size_t value() const { return value_; }
    std::size_t limit() const { return limit_; }

private:
    std::string what_;
    std::size_t value_, limit_;
};

// Bounds on what one decode accepts: polygon vertices (a circle, ellipse or box counts 16, a
// compound region 1) and Union/Intersection nesting. Decoding is O(total vertices).
struct DecodeLimits {
    std::size_t max_vertices = 10000;
    std::size_t max_nesting = 32;
};

Region decode_sphgeom(const std::uint8_t* data, std::size_t size, const DecodeLimits& limits = {});
std::vector<std::uint8_t> encode_convex_polygon(const std::vector<Vec3>& vertices);

}  // namespace obsmeta::geom
