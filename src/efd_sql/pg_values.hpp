// Datum helpers the EFD code needs beyond pg/datum.hpp: timestamptz, float8 and bytea arrays,
// bytea values and chunk decoding from a (possibly toasted) bytea Datum.
#pragma once

#include <cstdint>
#include <vector>

#include "efd/series.hpp"
#include "pg/postgres.hpp"

namespace obsmeta::efd_sql {

Datum timestamptz_array(const std::vector<int64_t>& values);
Datum float8_array(const std::vector<double>& values);
Datum bool_array(const std::vector<bool>& values);
Datum bytea_datum(const std::vector<uint8_t>& bytes);        // palloc'd in CurrentMemoryContext
Datum bytea_array(const std::vector<Datum>& values);
// Decodes an efd.chunk data value and appends its samples to `out`.
void decode_bytea(Datum data, efd::Series& out);
// Microseconds of an interval (months as 30 days, as PostgreSQL's interval arithmetic on epochs).
int64_t interval_us(Datum interval);

}  // namespace obsmeta::efd_sql
