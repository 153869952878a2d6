// Spherical polygons on the unit sphere: outlines of sphgeom regions, convex hulls, areas, containment
// and the text forms used by pg_sphere and ADQL. Pure C++17 (no PostgreSQL headers).
//
// Polygons are vectors of LonLat vertices (degrees) in counter-clockwise order as seen from outside the
// sphere (sphgeom's convention), with edges along great circles; vertices are not repeated at the end.
#pragma once

#include <string>
#include <vector>

#include "sphgeom.hpp"

namespace obsmeta::geom {

// Convex polygons that together contain the region; empty for an empty region.
//   ConvexPolygon  its vertices.
//   Circle/Ellipse a circumscribing regular 16-gon (of the ellipse's bounding circle).
//   Box            corners, with the equator-side edge subdivided and pushed out so that the
//                  great-circle edges still contain the box's constant-latitude edge.
//   Union          the outlines of all operands.
//   Intersection   APPROXIMATION: the outline of the first ConvexPolygon operand (else of the first
//                  operand), which contains the intersection but may be larger than it.
// Throws RegionError for regions without a convex outline (circles of radius >= 89 deg, boxes
// 180 deg or more wide, intersections with no operands).
std::vector<std::vector<LonLat>> outline(const Region& region);

// Convex hull, counter-clockwise, of points lying within an open hemisphere (their mean direction
// is used as the projection center, so the points should span well under 180 deg). Duplicate and
// collinear points are dropped; the returned vertices are copies of input points. Throws RegionError
// for points not in such a hemisphere, non-finite points or fewer than 3 non-collinear points.
std::vector<LonLat> convex_hull(const std::vector<LonLat>& points);

// True if p is inside or on the boundary (within 1e-10 rad) of a convex counter-clockwise polygon.
bool contains(const std::vector<LonLat>& convex_ccw, LonLat p);
bool contains(const std::vector<Vec3>& convex_ccw, const Vec3& p);

// Area of a convex polygon in square degrees (spherical excess; orientation-independent; 0 if < 3 vertices).
double polygon_area_deg2(const std::vector<LonLat>& convex);

// Normalised mean of the vertex vectors: a good center for small convex polygons.
// Throws std::invalid_argument for no vertices.
LonLat centroid(const std::vector<LonLat>& polygon);

struct Circle {
    LonLat center;
    double radius_deg = 0;
};

// Circle around centroid(polygon) with radius = the largest angular distance to a vertex.
Circle bounding_circle(const std::vector<LonLat>& polygon);

// lsst.sphgeom's ConvexPolygon::getBoundingCircle(), which dax_obscore's s_ra, s_dec and s_fov
// (= 2 × radius) come from: center = the polygon's area centroid (Brock's formula, as sphgeom sums
// it), radius = the opening angle of the largest squared chord to a vertex plus sphgeom's margin
// (2 × 2.5e-15). Either orientation of the vertices gives the same circle. Throws
// std::invalid_argument for fewer than 3 vertices.
Circle sphgeom_bounding_circle(const std::vector<LonLat>& polygon);

// Angle between two points in degrees, accurate at all separations (haversine, from the antipode
// beyond 90 deg).
double angular_distance_deg(LonLat a, LonLat b);

// pg_sphere input text in radians, shortest text that round-trips each double exactly,
// e.g. "{(0.1,-0.5),(0.2,-0.5),(0.2,-0.4)}" and "(0.1,-0.5)". Longitudes are in [0, 2π).
std::string to_pgsphere_spoly(const std::vector<LonLat>& polygon);
std::string to_pgsphere_spoint(LonLat p);

// ADQL / STC-S polygon in degrees, 10 significant digits, longitudes in [0, 360),
// e.g. "POLYGON ICRS 10.5 -30.25 11 -30.25 11 -29.75".
std::string to_stcs_polygon(const std::vector<LonLat>& polygon);

}  // namespace obsmeta::geom
