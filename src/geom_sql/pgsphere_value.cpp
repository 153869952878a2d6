#include "geom_sql/pgsphere_value.hpp"

#include "pg/guard.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace obsmeta::geom_sql {

double dump_exact(double x) {
    if (!std::isfinite(x)) return x;
    char buf[32];
    auto printed = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 15);  // = printf "%.15g"
    double out = x;
    std::from_chars(buf, printed.ptr, out);  // nearest double, as pg_sphere's parser reads it
    return out;
}

std::vector<geom::LonLat> spoly_vertices(Datum spoly) {
    struct varlena* raw = reinterpret_cast<struct varlena*>(DatumGetPointer(spoly));
    struct varlena* value = pg::call([=] { return pg_detoast_datum(raw); });
    const char* data = VARDATA(value);
    int32 npts = 0;
    std::memcpy(&npts, data, sizeof npts);
    const size_t expected = sizeof(int32) + sizeof(int32) + static_cast<size_t>(npts) * 2 * sizeof(double);
    // pg_sphere pads the header to 8 bytes: {vl_len_, npts, p[]}.
    if (npts < 0 || VARSIZE(value) < expected)
        throw pg::Error(ERRCODE_DATA_CORRUPTED, "obsmeta: spoly value has an unexpected layout");
    std::vector<geom::LonLat> out(static_cast<size_t>(npts));
    const char* points = data + sizeof(int32);
    for (int32 i = 0; i < npts; ++i) {
        double lng = 0, lat = 0;
        std::memcpy(&lng, points + (2 * i) * sizeof(double), sizeof(double));
        std::memcpy(&lat, points + (2 * i + 1) * sizeof(double), sizeof(double));
        out[static_cast<size_t>(i)] = {dump_exact(lng) * 180.0 / M_PI, dump_exact(lat) * 180.0 / M_PI};
    }
    return out;
}

namespace {
// pg_sphere's normal form of a longitude: radians in [0, 2π).
double normal_lng(double lon_deg) {
    double lng = lon_deg * M_PI / 180.0;
    if (lng < 0) lng += 2 * M_PI;
    if (lng >= 2 * M_PI) lng -= 2 * M_PI;
    return lng;
}
}  // namespace

Datum make_spoint(geom::LonLat point) {
    auto* value = static_cast<double*>(pg::call([] { return palloc(2 * sizeof(double)); }));
    value[0] = normal_lng(point.lon_deg);
    value[1] = point.lat_deg * M_PI / 180.0;
    return PointerGetDatum(value);
}

Datum make_spoly(const std::vector<geom::LonLat>& vertices) {
    const size_t npts = vertices.size();
    const size_t size = VARHDRSZ + sizeof(int32) + npts * 2 * sizeof(double);
    auto* value = static_cast<struct varlena*>(pg::call([=] { return palloc0(size); }));
    SET_VARSIZE(value, size);
    char* data = VARDATA(value);
    const int32 n = static_cast<int32>(npts);
    std::memcpy(data, &n, sizeof n);
    char* points = data + sizeof(int32);
    for (size_t i = 0; i < npts; ++i) {
        const double lng = normal_lng(vertices[i].lon_deg), lat = vertices[i].lat_deg * M_PI / 180.0;
        std::memcpy(points + (2 * i) * sizeof(double), &lng, sizeof(double));
        std::memcpy(points + (2 * i + 1) * sizeof(double), &lat, sizeof(double));
    }
    return PointerGetDatum(value);
}

Datum parse_value(Oid type, const std::string& text) {
    const char* str = text.c_str();
    return pg::call([=] {
        Oid input = InvalidOid, ioparam = InvalidOid;
        getTypeInputInfo(type, &input, &ioparam);
        return OidInputFunctionCall(input, const_cast<char*>(str), ioparam, -1);
    });
}

}  // namespace obsmeta::geom_sql
