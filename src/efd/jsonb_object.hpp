// The jsonb objects of efd.exposure_values / efd.visit_values in PostgreSQL's binary jsonb form,
// written without PostgreSQL: the recomputation builds them on several threads, where no palloc
// may run. The form is jsonb's on-disk format (jsonb.h, convertJsonbObject in jsonb_util.c:
// tables store it, so it does not change between PostgreSQL versions), and the bytes equal what
// JsonbValueToJsonb makes of the same pairs: keys in jsonb's order, numbers as the numeric that
// numeric_in makes of their shortest decimal (int64_div_fast_to_numeric of digits and scale),
// NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "efd/batch_compute.hpp"

namespace obsmeta::efd {

// The numeric (a varlena with a 4-byte header) that PostgreSQL makes of digits × 10^-scale.
void append_numeric(const Decimal& d, std::vector<uint8_t>& out);

// The jsonb (a varlena with a 4-byte header, its length set) of image `image`'s cells: the
// outputs with a value (Number or Nested), keys in `by_rank` order (spec indices in jsonb key
// order). `out` is cleared first. Throws std::length_error when the object exceeds jsonb's
// limits (268 MB of keys and values).
void encode_image_object(const std::vector<OutputSpec>& specs, const std::vector<uint32_t>& by_rank, const Outputs& outs,
                         std::size_t image, std::vector<uint8_t>& out);

}  // namespace obsmeta::efd
