// Datum helpers specific to the EFD code (the general array and bytea builders are in pg/datum.hpp):
// chunk decoding from a (possibly toasted) bytea Datum, interval lengths.
#pragma once

#include <cstdint>
#include <vector>

#include "efd/series.hpp"
#include "pg/postgres.hpp"

namespace obsmeta::efd_sql {

// Decodes an efd.chunk data value and appends its samples to `out`.
void decode_bytea(Datum data, efd::Series& out);
// Microseconds of an interval (months as 30 days, as PostgreSQL's interval arithmetic on epochs).
int64_t interval_us(Datum interval);

}  // namespace obsmeta::efd_sql
