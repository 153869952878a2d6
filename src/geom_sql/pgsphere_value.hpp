// pg_sphere values seen from C++: reading spoly/spoint Datums, and making them through pg_sphere's
// own input functions (so pg_sphere validates what we hand it).
#pragma once

#include "geom/sphgeom.hpp"
#include "pg/postgres.hpp"

#include <string>
#include <vector>

namespace obsmeta::geom_sql {

// Vertices of a pg_sphere spoly Datum, in degrees. pg_sphere stores an spoly as a varlena
// {int32 npts; SPoint p[npts]} with SPoint {float8 lng, lat} in radians. Each coordinate is read as
// the value pg_sphere's text form gives back (dump_exact): everything obsmeta computes from a stored
// polygon (plane bounds, area, center, samples, checksums, STC-S) is then the same after pg_dump,
// which writes spolys as text with 15 significant digits, and a restore.
std::vector<geom::LonLat> spoly_vertices(Datum spoly);

// The double that pg_sphere's text output of x (radians, "%.15g") reads back as; x itself when x
// already is such a value, so applying it again changes nothing.
double dump_exact(double x);

// A pg_sphere spoly Datum with these vertices (degrees), in pg_sphere's own layout and normal form
// (longitudes in [0, 2π) radians), built directly: the vertices come from a validated convex
// polygon, and building is ~20x cheaper than formatting and re-parsing text with spoly_in.
Datum make_spoly(const std::vector<geom::LonLat>& vertices);

// A pg_sphere spoint Datum ({float8 lng, lat} in radians, lng in [0, 2π)), built directly.
Datum make_spoint(geom::LonLat point);

// Calls the input function of type `type` on `text` (e.g. pg_sphere's spoly_in).
Datum parse_value(Oid type, const std::string& text);

}  // namespace obsmeta::geom_sql
