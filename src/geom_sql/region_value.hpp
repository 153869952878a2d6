// A gen3 region (lsst.sphgeom bytes) as the conversion uses it: decoded within the obsmeta.max_region_*
// limits, and reduced to one convex polygon. The gen3 CHECK constraint (obsmeta.check_region) and
// the conversion (obsmeta.sphgeom_to_spoly) both go through these two functions, so a region the
// CHECK accepts always converts.
#pragma once

#include <string>
#include <vector>

#include "geom/spherical.hpp"
#include "geom/sphgeom.hpp"
#include "pg/postgres.hpp"

namespace obsmeta::geom_sql {

// Throws pg::Error 22P03 for bytes that are not a region (`detail` adds the bytes' head to the
// message's detail), 54000 above obsmeta.max_region_vertices / obsmeta.max_region_nesting.
geom::Region decode_region(bytea* bytes, bool detail = false);

// One convex polygon for a region: itself for a ConvexPolygon, else the hull of its outline.
// Throws pg::Error 22023 for regions with none (an empty region, an IntersectionRegion with no
// operands, a circle of 89 deg or more, a box 180 deg wide, operands spanning a hemisphere).
std::vector<geom::LonLat> polygon_of(const geom::Region& region);

// The convex hull the conversion computes for a footprint (a plane's position, footprint_summary):
// a polygon of more than a hemisphere's span passes polygon_of but has none. Throws pg::Error 22023.
std::vector<geom::LonLat> footprint_hull(const std::vector<geom::LonLat>& vertices);

}  // namespace obsmeta::geom_sql
