// Internal inline vector helpers for the geom library (Vec3 is a plain aggregate without operators).
#pragma once

#include <cmath>

#include "sphgeom.hpp"

namespace obsmeta::geom::detail {

constexpr double kPi = 3.14159265358979323846;
constexpr double kRadPerDeg = kPi / 180.0;
constexpr double kDegPerRad = 180.0 / kPi;

inline double dot(const Vec3& a, const Vec3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline Vec3 add(const Vec3& a, const Vec3& b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline Vec3 sub(const Vec3& a, const Vec3& b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
inline Vec3 scale(const Vec3& a, double s) { return {a.x * s, a.y * s, a.z * s}; }
inline Vec3 cross(const Vec3& a, const Vec3& b) {
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
inline Vec3 normalized(const Vec3& a) { return scale(a, 1.0 / norm(a)); }

// Normal of the great circle through a then b (= 2 a×b), computed as (b+a)×(b-a) because that
// stays accurate when a and b are very close, which is the usual case for detector corners.
inline Vec3 edge_normal(const Vec3& a, const Vec3& b) { return cross(add(b, a), sub(b, a)); }

}  // namespace obsmeta::geom::detail
