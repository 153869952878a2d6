// SQL functions over Butler regions and detector footprints:
//   obsmeta.sphgeom_to_spoly(bytea) → spoly          a region as a pg_sphere polygon
//   obsmeta.sphgeom_to_stcs(bytea) → text            a region as an ADQL/STC-S POLYGON
//   obsmeta.spoly_to_stcs(spoly) → text
//   obsmeta.footprint_summary(spoly[]) → (bounds spoly, points jsonb, center spoint, area_deg2, size_deg)
//   obsmeta.footprint_center_size(spoly) → (center spoint, size_deg)   the same two, for one footprint
//   obsmeta.sphgeom_bounding_circle(spoly) → (center spoint, size_deg)  lsst.sphgeom's bounding circle
#include "geom/spherical.hpp"
#include "geom/sphgeom.hpp"
#include "geom_sql/pgsphere_value.hpp"
#include "geom_sql/region_value.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

namespace obsmeta::geom_sql {

namespace {

bytea* bytea_arg(FunctionCallInfo fcinfo, int n) {
    Datum d = PG_GETARG_DATUM(n);
    return pg::call([=] { return DatumGetByteaPP(d); });
}

// A coordinate as printf's "%.17g" writes it (std::to_chars with a precision is specified to),
// without printf's cost: a plane's samples are thousands of them.
void append_coordinate(std::string& out, double value) {
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 17);
    out.append(buf, result.ptr);
}

// CAOM-2.4 MultiPolygon samples, [[cval1, cval2, segment type], ...]: each footprint is one loop,
// MOVE (2) to its first vertex, LINE (1) to the others, CLOSE (0) back (repeating the first vertex).
void append_json_loop(std::string& out, const std::vector<geom::LonLat>& polygon) {
    for (size_t i = 0; i <= polygon.size(); ++i) {
        const geom::LonLat& v = polygon[i % polygon.size()];
        const char* type = i == 0 ? ",2]" : i == polygon.size() ? ",0]" : ",1]";
        out += out.size() > 1 ? ",[" : "[";
        append_coordinate(out, v.lon_deg);
        out += ',';
        append_coordinate(out, v.lat_deg);
        out += type;
    }
}

std::string json_points(const std::vector<geom::LonLat>& polygon) {
    std::string out = "[";
    for (size_t i = 0; i < polygon.size(); ++i) {
        out += i ? ",[" : "[";
        append_coordinate(out, polygon[i].lon_deg);
        out += ',';
        append_coordinate(out, polygon[i].lat_deg);
        out += ']';
    }
    return out + "]";
}

// The position of a set of footprints (see footprint_summary below): one computation for both
// SQL functions, so that a detector's center and size agree with its plane's to the last bit.
struct Position {
    std::vector<geom::LonLat> hull;
    geom::LonLat center;
    double area = 0, size_deg = 0;
};

// The footprints are taken in an order of their own (by their vertices), not the caller's: floating-
// point sums depend on the order of their terms, and a plane's position must not depend on the
// order its chunks were read in.
Position position_of(const std::vector<std::vector<geom::LonLat>>& footprints) {
    Position pos;
    std::vector<const std::vector<geom::LonLat>*> ordered;
    ordered.reserve(footprints.size());
    for (const auto& footprint : footprints) ordered.push_back(&footprint);
    std::sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
        return std::lexicographical_compare(a->begin(), a->end(), b->begin(), b->end(), [](const geom::LonLat& x, const geom::LonLat& y) {
            return x.lon_deg < y.lon_deg || (x.lon_deg == y.lon_deg && x.lat_deg < y.lat_deg);
        });
    });
    std::vector<geom::LonLat> vertices;
    geom::Vec3 weighted;  // Σ area × center direction
    for (const auto* footprint_ptr : ordered) {
        const auto& footprint = *footprint_ptr;
        const double a = geom::polygon_area_deg2(footprint);
        const geom::Vec3 c = geom::unit_vector(geom::centroid(footprint));
        pos.area += a;
        weighted.x += a * c.x;
        weighted.y += a * c.y;
        weighted.z += a * c.z;
        vertices.insert(vertices.end(), footprint.begin(), footprint.end());
    }
    if (vertices.size() < 3) return pos;
    pos.hull = footprint_hull(vertices);
    pos.center = pos.area > 0 ? geom::lon_lat(weighted) : geom::centroid(pos.hull);
    double radius = 0;
    for (const auto& v : pos.hull) radius = std::max(radius, geom::angular_distance_deg(pos.center, v));
    pos.size_deg = 2.0 * radius;
    return pos;
}

TupleDesc result_desc(FunctionCallInfo fcinfo, const char* name) {
    TupleDesc desc = nullptr;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        throw pg::Error(ERRCODE_FEATURE_NOT_SUPPORTED, std::string(name) + " must return a composite type");
    return BlessTupleDesc(desc);
}

}  // namespace

}  // namespace obsmeta::geom_sql

using namespace obsmeta;

OBSMETA_FUNCTION(obsmeta_sphgeom_to_spoly) {
    auto polygon = geom_sql::polygon_of(geom_sql::decode_region(geom_sql::bytea_arg(fcinfo, 0)));
    return geom_sql::make_spoly(polygon);
}

OBSMETA_FUNCTION(obsmeta_sphgeom_to_stcs) {
    auto polygon = geom_sql::polygon_of(geom_sql::decode_region(geom_sql::bytea_arg(fcinfo, 0)));
    std::string text = geom::to_stcs_polygon(polygon);
    return PointerGetDatum(pg::call([&] { return cstring_to_text_with_len(text.data(), static_cast<int>(text.size())); }));
}

OBSMETA_FUNCTION(obsmeta_spoly_to_stcs) {
    std::string text = geom::to_stcs_polygon(geom_sql::spoly_vertices(PG_GETARG_DATUM(0)));
    return PointerGetDatum(pg::call([&] { return cstring_to_text_with_len(text.data(), static_cast<int>(text.size())); }));
}

// The plane's position from its detectors' footprints: bounds = convex hull of all their vertices,
// area = sum of the footprints' areas (detectors do not overlap), center = the area-weighted mean
// of the footprints' centers (the hull's vertex mean would lean towards whichever edge keeps more
// nearly collinear vertices), size = diameter of the circle about that center through the
// farthest hull vertex, samples = every footprint as a loop of a CAOM-2.4 MultiPolygon. NULL or an
// empty array gives a row of NULLs.
OBSMETA_FUNCTION(obsmeta_footprint_summary) {
    TupleDesc desc = geom_sql::result_desc(fcinfo, "footprint_summary");
    Datum values[6] = {0, 0, 0, 0, 0, 0};
    bool nulls[6] = {true, true, true, true, true, true};

    std::vector<std::vector<geom::LonLat>> footprints;
    std::string samples = "[";
    if (!PG_ARGISNULL(0)) {
        Datum arg = PG_GETARG_DATUM(0);
        ArrayType* array = pg::call([=] { return DatumGetArrayTypeP(arg); });
        Datum* elems = nullptr;
        bool* elem_nulls = nullptr;
        int n = 0;
        Oid elemtype = ARR_ELEMTYPE(array);
        pg::call([&] {
            int16 len;
            bool byval;
            char align;
            get_typlenbyvalalign(elemtype, &len, &byval, &align);
            deconstruct_array(array, elemtype, len, byval, align, &elems, &elem_nulls, &n);
        });
        for (int i = 0; i < n; ++i) {
            if (elem_nulls[i]) continue;
            footprints.push_back(geom_sql::spoly_vertices(elems[i]));
            geom_sql::append_json_loop(samples, footprints.back());
        }
    }
    const geom_sql::Position pos = geom_sql::position_of(footprints);
    if (!pos.hull.empty()) {
        values[0] = geom_sql::make_spoly(pos.hull);
        values[1] = geom_sql::parse_value(TupleDescAttr(desc, 1)->atttypid, geom_sql::json_points(pos.hull));
        values[2] = geom_sql::make_spoint(pos.center);
        values[3] = Float8GetDatum(pos.area);
        values[4] = Float8GetDatum(pos.size_deg);
        values[5] = geom_sql::parse_value(TupleDescAttr(desc, 5)->atttypid, samples + "]");
        for (bool& null : nulls) null = false;
    }
    HeapTuple tuple = pg::call([&] { return heap_form_tuple(desc, values, nulls); });
    return HeapTupleGetDatum(tuple);
}

// One detector's center and size as footprint_summary computes them for a plane, without the hull
// polygon, its JSON and the samples (ObsCore's per-detector rows need only these two).
OBSMETA_FUNCTION(obsmeta_footprint_center_size) {
    TupleDesc desc = geom_sql::result_desc(fcinfo, "footprint_center_size");
    Datum values[2] = {0, 0};
    bool nulls[2] = {true, true};
    const geom_sql::Position pos = geom_sql::position_of({geom_sql::spoly_vertices(PG_GETARG_DATUM(0))});
    if (!pos.hull.empty()) {
        values[0] = geom_sql::make_spoint(pos.center);
        values[1] = Float8GetDatum(pos.size_deg);
        nulls[0] = nulls[1] = false;
    }
    HeapTuple tuple = pg::call([&] { return heap_form_tuple(desc, values, nulls); });
    return HeapTupleGetDatum(tuple);
}

// The circle dax_obscore's s_ra, s_dec and s_fov come from (sphgeom's getBoundingCircle), with its
// diameter as size: ObsCore rows agree with Rubin's own exporter.
OBSMETA_FUNCTION(obsmeta_sphgeom_bounding_circle) {
    TupleDesc desc = geom_sql::result_desc(fcinfo, "sphgeom_bounding_circle");
    Datum values[2] = {0, 0};
    bool nulls[2] = {true, true};
    const auto vertices = geom_sql::spoly_vertices(PG_GETARG_DATUM(0));
    if (vertices.size() >= 3) {
        const geom::Circle circle = geom::sphgeom_bounding_circle(vertices);
        values[0] = geom_sql::make_spoint(circle.center);
        values[1] = Float8GetDatum(2.0 * circle.radius_deg);
        nulls[0] = nulls[1] = false;
    }
    HeapTuple tuple = pg::call([&] { return heap_form_tuple(desc, values, nulls); });
    return HeapTupleGetDatum(tuple);
}

// obsmeta.spoly_to_sphgeom(spoly) → bytea: a pg_sphere polygon as an lsst.sphgeom ConvexPolygon
// (for writers that hold pg_sphere values, and for tests).
OBSMETA_FUNCTION(obsmeta_spoly_to_sphgeom) {
    auto vertices = geom_sql::spoly_vertices(PG_GETARG_DATUM(0));
    std::vector<geom::Vec3> ccw;
    for (const auto& v : vertices) ccw.push_back(geom::unit_vector(v));
    std::vector<std::uint8_t> bytes;
    try {
        bytes = geom::encode_convex_polygon(ccw);
    } catch (const geom::RegionError&) {
        std::vector<geom::Vec3> reversed(ccw.rbegin(), ccw.rend());  // pg_sphere keeps either orientation
        try {
            bytes = geom::encode_convex_polygon(reversed);
        } catch (const geom::RegionError& e) {
            throw pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, std::string("polygon is not convex: ") + e.what());
        }
    }
    return pg::bytea_value(bytes.data(), bytes.size());
}
