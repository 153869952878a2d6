#include "pg/datum.hpp"

#include <cstring>

namespace obsmeta::pg {

namespace {
Datum build_array(std::vector<Datum>& elems, Oid elemtype, int16 elmlen, bool byval, char align) {
    Datum* data = elems.data();
    int n = static_cast<int>(elems.size());
    ArrayType* array = call([=] { return construct_array(data, n, elemtype, elmlen, byval, align); });
    return PointerGetDatum(array);
}
}  // namespace

Datum text_array(const std::vector<std::string>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (const auto& v : values) {
        const char* s = v.data();
        int len = static_cast<int>(v.size());
        elems.push_back(PointerGetDatum(call([=] { return cstring_to_text_with_len(s, len); })));
    }
    return build_array(elems, TEXTOID, -1, false, TYPALIGN_INT);
}

Datum int8_array(const std::vector<int64_t>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (int64_t v : values) elems.push_back(Int64GetDatum(v));
    return build_array(elems, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

Datum int4_array(const std::vector<int32_t>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (int32_t v : values) elems.push_back(Int32GetDatum(v));
    return build_array(elems, INT4OID, 4, true, TYPALIGN_INT);
}

Datum uuid_array(const std::vector<Uuid>& values) {
    // construct_array copies the elements, so pointing into `values` is enough.
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (const auto& v : values) elems.push_back(PointerGetDatum(v.data()));
    return build_array(elems, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR);
}

Datum float8_array(const std::vector<double>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (double v : values) elems.push_back(Float8GetDatum(v));
    return build_array(elems, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

Datum bool_array(const std::vector<bool>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (bool v : values) elems.push_back(BoolGetDatum(v));
    return build_array(elems, BOOLOID, 1, true, TYPALIGN_CHAR);
}

Datum timestamptz_array(const std::vector<int64_t>& values) {
    std::vector<Datum> elems;
    elems.reserve(values.size());
    for (int64_t v : values) elems.push_back(TimestampTzGetDatum(v));
    return build_array(elems, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

Datum bytea_array(const std::vector<Datum>& values) {
    std::vector<Datum> elems = values;
    return build_array(elems, BYTEAOID, -1, false, TYPALIGN_INT);
}

Datum array_of(const std::vector<Datum>& values, Oid elemtype) {
    std::vector<Datum> elems = values;
    int16 len = 0;
    bool byval = false;
    char align = 0;
    call([&] { get_typlenbyvalalign(elemtype, &len, &byval, &align); });
    return build_array(elems, elemtype, len, byval, align);
}

Datum bytea_value(const std::uint8_t* data, std::size_t size) {
    bytea* b = static_cast<bytea*>(call([=] { return palloc(VARHDRSZ + size); }));
    SET_VARSIZE(b, VARHDRSZ + size);
    std::memcpy(VARDATA(b), data, size);
    return PointerGetDatum(b);
}

std::string text_value(Datum d) {
    struct varlena* raw = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
    text* t = call([=] { return pg_detoast_datum_packed(raw); });
    return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

Uuid uuid_value(Datum d) {
    Uuid u;
    std::memcpy(u.data(), DatumGetUUIDP(d)->data, UUID_LEN);
    return u;
}

std::string uuid_string(const Uuid& u) {
    static const char* hex = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (size_t i = 0; i < u.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(hex[u[i] >> 4]);
        s.push_back(hex[u[i] & 15]);
    }
    return s;
}

}  // namespace obsmeta::pg
