// The GiST key of a pg_sphere polygon, for obsmeta's spoly operator class (schema/00_foundation/06_spoly_gist*.sql).
//
// pg_sphere 1.2 indexes an spoly by a 3-D box (six int32 coordinates scaled by MAXCVALUE): the
// union of its edges' boxes, widened to the unit sphere's extreme in each axis direction that the
// polygon contains. Its spherepoly_gen_key runs those six point-in-polygon tests once per *edge*
// (inside the edge loop), 24 tests for a detector footprint, each an O(edges) Euler-transform
// computation: ~95% of the time an ivoa.obscore row spends in the s_region index. The tests
// depend only on the polygon, and each only raises a coordinate to ±MAXCVALUE, which no later
// edge's union can lower: doing them once, after the edges, gives the same key bit for bit.
//
// The key is built from pg_sphere's own exported routines (sline_from_points, sphereline_gen_key,
// spoly_contains_point), looked up in pg_sphere's library, so every coordinate is computed by the
// same code as pg_sphere's and the index is the one pg_sphere would build. One shortcut: a polygon
// whose vertices all lie within a cap of radius r < 60 degrees lies inside that cap (its edges are
// minor arcs), so an axis point farther than r (plus a margin far above pg_sphere's 1e-9 tolerance)
// from the cap's center is not in it, and pg_sphere's test is not asked; for a detector footprint
// that is every axis point. obsmeta.spoly_gist_key() exposes both keys so the tests compare them.
#include "geom/vec3_math.hpp"
#include "pg/gist.hpp"
#include "pg/guard.hpp"
#include "pg/postgres.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace obsmeta::geom_sql {
namespace {

// pg_sphere's layouts (pg_sphere 1.2: point.h, line.h, polygon.h, key.h).
struct SPoint {
    double lng, lat;
};
struct SPoly {  // varlena
    int32 vl_len_;
    int32 npts;
    SPoint p[FLEXIBLE_ARRAY_MEMBER];
};
struct SLine {  // Euler angles of the line's start and its length; room to spare
    double phi, theta, psi, length, spare[4];
};
constexpr int kKeyCoords = 6;                          // x, y, z lower; x, y, z upper
constexpr int32 kMaxCValue = (1 << (8 * 4 - 2)) - 1;   // key.h: MAXCVALUE

using SlineFromPoints = void (*)(SLine*, const SPoint*, const SPoint*);
using SphereLineGenKey = void (*)(int32*, const SLine*);
using SpolyContainsPoint = bool (*)(const SPoly*, const SPoint*);
using SpherePolyGenKey = void (*)(int32*, const SPoly*);

struct PgSphere {
    SlineFromPoints sline_from_points = nullptr;
    SphereLineGenKey sphereline_gen_key = nullptr;
    SpolyContainsPoint spoly_contains_point = nullptr;
    SpherePolyGenKey spherepoly_gen_key = nullptr;
};

// pg_sphere's routines, looked up once per backend (load_external_function raises a PostgreSQL
// error if the library or a symbol is missing: called through pg::call).
const PgSphere& pg_sphere() {
    static PgSphere fns;
    if (fns.spherepoly_gen_key == nullptr) {
        auto lookup = [](const char* symbol) {
            return pg::call([=] {
                return reinterpret_cast<void*>(load_external_function("$libdir/pg_sphere", symbol, true, nullptr));
            });
        };
        PgSphere found;
        found.sline_from_points = reinterpret_cast<SlineFromPoints>(lookup("sline_from_points"));
        found.sphereline_gen_key = reinterpret_cast<SphereLineGenKey>(lookup("sphereline_gen_key"));
        found.spoly_contains_point = reinterpret_cast<SpolyContainsPoint>(lookup("spoly_contains_point"));
        found.spherepoly_gen_key = reinterpret_cast<SpherePolyGenKey>(lookup("spherepoly_gen_key"));
        fns = found;
    }
    return fns;
}

// A spherical cap (center, cosine of the radius plus a margin) around a polygon's vertices, when
// they fit in one of less than 60 degrees: then the polygon lies in it.
struct Cap {
    geom::Vec3 center{0, 0, 0};
    double cos_reach = -2;  // below -1: excludes nothing
    bool excludes(const geom::Vec3& p) const { return geom::detail::dot(center, p) < cos_reach; }
};

geom::Vec3 unit_vector(const SPoint& p) {
    const double cl = std::cos(p.lat);
    return {cl * std::cos(p.lng), cl * std::sin(p.lng), std::sin(p.lat)};
}

Cap vertex_cap(const SPoly* poly) {
    using namespace geom::detail;
    constexpr double kMargin = 1e-6;       // radians; pg_sphere's tolerance (EPSILON) is 1e-9
    constexpr double kMaxRadiusCos = 0.5;  // 60 degrees
    Cap cap;
    geom::Vec3 sum{0, 0, 0};
    for (int32 i = 0; i < poly->npts; ++i) sum = add(sum, unit_vector(poly->p[i]));
    if (!(norm(sum) > 0)) return cap;
    const geom::Vec3 c = normalized(sum);
    double cos_r = 1;
    for (int32 i = 0; i < poly->npts; ++i) cos_r = std::min(cos_r, dot(c, unit_vector(poly->p[i])));
    if (!(cos_r > kMaxRadiusCos)) return cap;
    const double sin_r = std::sqrt(std::max(0.0, 1 - cos_r * cos_r));
    cap.center = c;
    cap.cos_reach = cos_r * std::cos(kMargin) - sin_r * std::sin(kMargin);  // cos(r + margin)
    return cap;
}

// pg_sphere's spherepoly_gen_key with the six axis tests taken out of the edge loop (and skipped
// for axis points outside the vertices' cap).
void spoly_key(int32* key, const SPoly* poly) {
    const PgSphere& fn = pg_sphere();
    std::fill(key, key + kKeyCoords, 0);
    for (int32 i = 0; i < poly->npts; ++i) {
        SLine line;
        int32 edge[kKeyCoords];
        fn.sline_from_points(&line, &poly->p[i], &poly->p[(i + 1) % poly->npts]);
        fn.sphereline_gen_key(edge, &line);
        if (i == 0) {
            std::memcpy(key, edge, sizeof edge);
        } else {
            for (int c = 0; c < 3; ++c) key[c] = std::min(key[c], edge[c]);
            for (int c = 3; c < kKeyCoords; ++c) key[c] = std::max(key[c], edge[c]);
        }
    }
    // The points where the sphere reaches +z, -z, +x, -x, +y, -y (as pg_sphere names them: PIH, PI,
    // PI + PIH computed as it computes them, and as unit vectors) and the coordinate each sets.
    const struct {
        SPoint at;
        geom::Vec3 axis;
        int coord;
        int32 value;
    } extremes[] = {{{0.0, M_PI_2}, {0, 0, 1}, 5, kMaxCValue},       {{0.0, -M_PI_2}, {0, 0, -1}, 2, -kMaxCValue},
                    {{0.0, 0.0}, {1, 0, 0}, 3, kMaxCValue},          {{M_PI, 0.0}, {-1, 0, 0}, 0, -kMaxCValue},
                    {{M_PI_2, 0.0}, {0, 1, 0}, 4, kMaxCValue},       {{M_PI + M_PI_2, 0.0}, {0, -1, 0}, 1, -kMaxCValue}};
    const Cap cap = vertex_cap(poly);
    for (const auto& e : extremes) {
        if (cap.excludes(e.axis)) continue;
        // pg_sphere's containment test pallocs: called through pg::call (the edge routines only compute)
        const SPoint* at = &e.at;
        if (pg::call([&] { return fn.spoly_contains_point(poly, at); })) key[e.coord] = e.value;
    }
}

const SPoly* spoly_arg(Datum value) {
    return reinterpret_cast<const SPoly*>(
        pg::call([=] { return pg_detoast_datum(reinterpret_cast<struct varlena*>(DatumGetPointer(value))); }));
}

}  // namespace
}  // namespace obsmeta::geom_sql

using namespace obsmeta;

// GiST support function 3 (compress) of obsmeta.spoly_gist_ops: a leaf spoly becomes its key;
// every other support function is pg_sphere's own.
OBSMETA_FUNCTION(obsmeta_spoly_gist_compress) {
    auto* entry = reinterpret_cast<GISTENTRY*>(PG_GETARG_POINTER(0));
    if (!entry->leafkey) return PointerGetDatum(entry);
    auto* out = static_cast<GISTENTRY*>(pg::call([] { return palloc(sizeof(GISTENTRY)); }));
    Datum key = 0;
    if (DatumGetPointer(entry->key) != nullptr) {
        auto* k = static_cast<int32*>(pg::call([] { return palloc(geom_sql::kKeyCoords * sizeof(int32)); }));
        geom_sql::spoly_key(k, geom_sql::spoly_arg(entry->key));
        key = PointerGetDatum(k);
    }
    gistentryinit(*out, key, entry->rel, entry->page, entry->offset, false);
    return PointerGetDatum(out);
}

// obsmeta.spoly_gist_key(polygon, pg_sphere_own) → integer[6]: the index key of a polygon, as
// obsmeta.spoly_gist_ops computes it, or (pg_sphere_own) as pg_sphere's spherepoly_gen_key does.
OBSMETA_FUNCTION(obsmeta_spoly_gist_key) {
    const geom_sql::SPoly* poly = geom_sql::spoly_arg(PG_GETARG_DATUM(0));
    int32 key[geom_sql::kKeyCoords];
    if (PG_GETARG_BOOL(1)) pg::call([&] { geom_sql::pg_sphere().spherepoly_gen_key(key, poly); });
    else geom_sql::spoly_key(key, poly);
    Datum elems[geom_sql::kKeyCoords];
    for (int i = 0; i < geom_sql::kKeyCoords; ++i) elems[i] = Int32GetDatum(key[i]);
    return PointerGetDatum(pg::call([&] { return construct_array(elems, geom_sql::kKeyCoords, INT4OID, 4, true, TYPALIGN_INT); }));
}
