#include "sample_night/focal_plane.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace obsmeta::sample {
namespace {

using geom::Vec3;

constexpr double kPi = 3.14159265358979323846;
constexpr double kRaftPitchMm = 127.0;    // rafts on a 5x5 grid
constexpr double kSensorPitchMm = 42.25;  // CCDs on a 3x3 grid inside a raft
constexpr double kCcdWidthMm = 40.72;     // 4072 px x 10 um (ITL-like)
constexpr double kCcdHeightMm = 40.00;    // 4000 px x 10 um
constexpr double kArcsecPerMm = 20.0;     // 0.2"/px over 10 um pixels
constexpr double kRadPerMm = kArcsecPerMm / 3600.0 * kPi / 180.0;

struct Xy {
    double x = 0, y = 0;
};

double dot(const Vec3& a, const Vec3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
Vec3 cross(const Vec3& a, const Vec3& b) {
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

std::vector<DetectorLayout> build_layout() {
    // Names are R{x}{y} and S{x}{y} (first digit along focal-plane x): with the sky mapping below
    // this puts R02_S01 and R02_S02 where the Butler's own regions for them are (anchor
    // lsstcam-subset.yaml, visits 2025120200439/440).
    std::vector<DetectorLayout> out;
    int id = 0;
    for (int rx = 0; rx < 5; ++rx) {
        for (int ry = 0; ry < 5; ++ry) {
            const bool corner = (rx == 0 || rx == 4) && (ry == 0 || ry == 4);
            if (corner) continue;
            for (int sx = 0; sx < 3; ++sx) {
                for (int sy = 0; sy < 3; ++sy) {
                    DetectorLayout d;
                    d.id = id++;
                    d.raft = "R" + std::to_string(rx) + std::to_string(ry);
                    d.sensor = "S" + std::to_string(sx) + std::to_string(sy);
                    d.x_mm = (rx - 2) * kRaftPitchMm + (sx - 1) * kSensorPitchMm;
                    d.y_mm = (ry - 2) * kRaftPitchMm + (sy - 1) * kSensorPitchMm;
                    out.push_back(d);
                }
            }
        }
    }
    return out;
}

// CCD corners in the focal plane, counter-clockwise.
std::array<Xy, 4> ccd_corners_mm(const DetectorLayout& d) {
    const double hw = kCcdWidthMm / 2, hh = kCcdHeightMm / 2;
    return {{{d.x_mm - hw, d.y_mm - hh}, {d.x_mm + hw, d.y_mm - hh}, {d.x_mm + hw, d.y_mm + hh},
             {d.x_mm - hw, d.y_mm + hh}}};
}

double turn(const Xy& o, const Xy& a, const Xy& b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

// Andrew's monotone chain: counter-clockwise hull without collinear points.
std::vector<Xy> hull_mm() {
    std::vector<Xy> pts;
    for (const auto& d : lsstcam_science_detectors()) {
        for (const auto& c : ccd_corners_mm(d)) pts.push_back(c);
    }
    std::sort(pts.begin(), pts.end(), [](const Xy& a, const Xy& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
    std::vector<Xy> h(2 * pts.size());
    std::size_t k = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        while (k >= 2 && turn(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
        h[k++] = pts[i];
    }
    for (std::size_t i = pts.size() - 1, t = k + 1; i-- > 0;) {
        while (k >= t && turn(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
        h[k++] = pts[i];
    }
    h.resize(k - 1);
    return h;
}

// Gnomonic (tangent-plane) deprojection. (e, n, c) = (east, north, boresight) is right-handed, so
// counter-clockwise in the (xi, eta) plane is counter-clockwise seen from outside the sphere, and
// the rotation by the sky angle keeps orientation; the orientation test in check_regions confirms it.
Vec3 to_sky(const Pointing& p, const Xy& mm) {
    const double t = p.sky_angle_deg * kPi / 180.0;
    const double xi = (mm.x * std::sin(t) - mm.y * std::cos(t)) * kRadPerMm;
    const double eta = (mm.x * std::cos(t) + mm.y * std::sin(t)) * kRadPerMm;
    const double a = p.ra_deg * kPi / 180.0, d = p.dec_deg * kPi / 180.0;
    const Vec3 c{std::cos(d) * std::cos(a), std::cos(d) * std::sin(a), std::sin(d)};
    const Vec3 e{-std::sin(a), std::cos(a), 0.0};
    const Vec3 n{-std::sin(d) * std::cos(a), -std::sin(d) * std::sin(a), std::cos(d)};
    Vec3 v{c.x + xi * e.x + eta * n.x, c.y + xi * e.y + eta * n.y, c.z + xi * e.z + eta * n.z};
    const double len = std::sqrt(dot(v, v));
    return {v.x / len, v.y / len, v.z / len};
}

}  // namespace

const std::vector<DetectorLayout>& lsstcam_science_detectors() {
    static const std::vector<DetectorLayout> layout = build_layout();
    return layout;
}

std::vector<geom::Vec3> detector_corners(const Pointing& pointing, const DetectorLayout& detector) {
    std::vector<Vec3> out;
    for (const auto& c : ccd_corners_mm(detector)) out.push_back(to_sky(pointing, c));
    return out;
}

std::vector<geom::Vec3> focal_plane_hull(const Pointing& pointing) {
    static const std::vector<Xy> hull = hull_mm();
    std::vector<Vec3> out;
    for (const auto& c : hull) out.push_back(to_sky(pointing, c));
    return out;
}

bool is_convex_ccw(const std::vector<geom::Vec3>& v) {
    const std::size_t n = v.size();
    if (n < 3) return false;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::fabs(dot(v[i], v[i]) - 1.0) > 1e-12) return false;
        if (dot(cross(v[i], v[(i + 1) % n]), v[(i + 2) % n]) <= 0) return false;
    }
    return true;
}

}  // namespace obsmeta::sample
