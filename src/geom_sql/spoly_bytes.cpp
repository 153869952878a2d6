// obsmeta.spoly_bytes(spoly) → bytea: a polygon's stored bytes (npts, then its vertices' float8
// longitudes and latitudes), equal exactly when the polygons are. The coverage maintenance groups
// rows by footprint with it (a raw and the visit image of one detector share their footprint, so
// its MOC is computed once): pg_sphere's spoly = compares within a tolerance, and spoly has no
// hash or btree operator class.
#include "pg/datum.hpp"
#include "pg/guard.hpp"

#include <cstdint>

OBSMETA_FUNCTION(obsmeta_spoly_bytes) {
    struct varlena* raw = reinterpret_cast<struct varlena*>(DatumGetPointer(PG_GETARG_DATUM(0)));
    struct varlena* value = obsmeta::pg::call([=] { return pg_detoast_datum(raw); });
    return obsmeta::pg::bytea_value(reinterpret_cast<const std::uint8_t*>(VARDATA(value)), VARSIZE(value) - VARHDRSZ);
}
