// Conversions between C++ values and Datums, and arrays of keys as SQL array parameters.
#pragma once

#include "pg/guard.hpp"
#include "pg/postgres.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace obsmeta::pg {

using Uuid = std::array<unsigned char, UUID_LEN>;

// Arrays are built in CurrentMemoryContext (the caller's, or SPI's while connected).
Datum text_array(const std::vector<std::string>& values);
Datum int8_array(const std::vector<int64_t>& values);
Datum int4_array(const std::vector<int32_t>& values);
Datum uuid_array(const std::vector<Uuid>& values);
Datum float8_array(const std::vector<double>& values);
Datum bool_array(const std::vector<bool>& values);
Datum timestamptz_array(const std::vector<int64_t>& values);  // TimestampTz values (µs since 2000)
Datum bytea_array(const std::vector<Datum>& values);          // bytea Datums
Datum array_of(const std::vector<Datum>& values, Oid elemtype); // non-NULL Datums of any type (e.g. pg_sphere's)
Datum bytea_value(const std::uint8_t* data, std::size_t size); // palloc'd in CurrentMemoryContext

std::string text_value(Datum d);          // text Datum (possibly toasted) → std::string
Uuid uuid_value(Datum d);
std::string uuid_string(const Uuid& u);   // canonical 8-4-4-4-12 form, for messages

}  // namespace obsmeta::pg
