#include "efd_sql/pg_values.hpp"

#include <cstring>

#include "efd/chunk_codec.hpp"
#include "pg/guard.hpp"

namespace obsmeta::efd_sql {

namespace {
Datum build(std::vector<Datum>& elems, Oid type, int16 len, bool byval, char align) {
    Datum* data = elems.data();
    int n = static_cast<int>(elems.size());
    return PointerGetDatum(pg::call([=] { return construct_array(data, n, type, len, byval, align); }));
}
}  // namespace

Datum timestamptz_array(const std::vector<int64_t>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (int64_t v : values) elems.push_back(TimestampTzGetDatum(v));
    return build(elems, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

Datum float8_array(const std::vector<double>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (double v : values) elems.push_back(Float8GetDatum(v));
    return build(elems, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

Datum bool_array(const std::vector<bool>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (bool v : values) elems.push_back(BoolGetDatum(v));
    return build(elems, BOOLOID, 1, true, TYPALIGN_CHAR);
}

Datum bytea_datum(const std::vector<uint8_t>& bytes) {
    std::size_t size = bytes.size();
    bytea* b = static_cast<bytea*>(pg::call([=] { return palloc(VARHDRSZ + size); }));
    SET_VARSIZE(b, VARHDRSZ + size);
    std::memcpy(VARDATA(b), bytes.data(), size);
    return PointerGetDatum(b);
}

Datum bytea_array(const std::vector<Datum>& values) {
    std::vector<Datum> elems = values;
    return build(elems, BYTEAOID, -1, false, TYPALIGN_INT);
}

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
    return iv->time + (static_cast<int64_t>(iv->day) + static_cast<int64_t>(iv->month) * 30) * 86400LL * 1000000;
}

}  // namespace obsmeta::efd_sql
