// The registry stores regions as base64 text of the lsst.sphgeom encoding. Pure C++.
#pragma once

#include "geom/sphgeom.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace obsmeta::registry {

struct Base64Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Strict RFC 4648 base64 (standard alphabet, '=' padding, no whitespace, as Python's
// base64.b64encode writes it) → bytes. Throws Base64Error naming the first bad character.
std::vector<std::uint8_t> decode_base64(std::string_view text);

// decode_base64, then checks that the bytes are a region sphgeom can decode (geom::decode_sphgeom);
// throws Base64Error or geom::RegionError (geom::RegionLimitError beyond `limits`).
std::vector<std::uint8_t> region_from_base64(std::string_view text, const geom::DecodeLimits& limits = {});

}  // namespace obsmeta::registry
