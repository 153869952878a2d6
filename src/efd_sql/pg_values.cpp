#include "efd_sql/pg_values.hpp"

#include <cstring>

#include "efd/chunk_codec.hpp"
#include "pg/guard.hpp"

namespace obsmeta::efd_sql {

void decode_bytea(Datum data, efd::Series& out) {
    struct varlena* raw = reinterpret_cast<struct varlena*>(DatumGetPointer(data));
    struct varlena* plain = pg::call([=] { return pg_detoast_datum_packed(raw); });
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(VARDATA_ANY(plain));
    std::size_t size = VARSIZE_ANY_EXHDR(plain);
    try {
        efd::decode_chunk(bytes, size, out);
    } catch (const efd::ChunkFormatError& e) {
        throw pg::Error(ERRCODE_DATA_CORRUPTED, std::string("corrupt EFD chunk: ") + e.what());
    }
    if (plain != raw) pfree(plain);
}

int64_t interval_us(Datum d) {
    const Interval* iv = DatumGetIntervalP(d);
    // Saturates instead of overflowing for intervals of millions of years (at most ~1.8e20 us).
    const __int128 us = static_cast<__int128>(iv->time) +
                        (static_cast<__int128>(iv->day) + static_cast<__int128>(iv->month) * 30) * 86400 * 1000000;
    if (us > INT64_MAX) return INT64_MAX;
    if (us < INT64_MIN) return INT64_MIN;
    return static_cast<int64_t>(us);
}

}  // namespace obsmeta::efd_sql
