// LSSTCam focal-plane layout (189 science CCDs) and its projection onto the sky.
#pragma once

#include <string>
#include <vector>

#include "geom/sphgeom.hpp"

namespace obsmeta::sample {

struct DetectorLayout {
    int id = 0;              // 0..188, Butler detector id
    std::string raft;        // "R01" .. "R43" (corner rafts R00, R04, R40, R44 hold no science CCD)
    std::string sensor;      // "S00" .. "S22"
    double x_mm = 0, y_mm = 0;  // CCD centre in the focal plane
};

// The 189 science detectors in Butler id order (R01 S00..S22 = 0..8, R02 = 9..17, ...).
const std::vector<DetectorLayout>& lsstcam_science_detectors();

// Where the telescope points: boresight and the sky rotation angle (Butler's sky_angle).
struct Pointing {
    double ra_deg = 0, dec_deg = 0, sky_angle_deg = 0;
};

// The four corners of one CCD on the sky, counter-clockwise seen from outside the sphere.
std::vector<geom::Vec3> detector_corners(const Pointing& pointing, const DetectorLayout& detector);

// The convex hull of all 189 CCDs on the sky, counter-clockwise: 3.5 deg across the flats, 4.1 deg
// corner to corner (the Butler's own LSSTCam visit regions measure 4.13 deg).
std::vector<geom::Vec3> focal_plane_hull(const Pointing& pointing);

// True when every three consecutive vertices turn left seen from outside ((a×b)·c > 0, sphgeom's
// rule) and every vertex is a unit vector.
bool is_convex_ccw(const std::vector<geom::Vec3>& vertices);

}  // namespace obsmeta::sample
