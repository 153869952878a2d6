#include "registry/base64_region.hpp"

#include "geom/sphgeom.hpp"

#include <boost/archive/iterators/binary_from_base64.hpp>
#include <boost/archive/iterators/transform_width.hpp>

#include <algorithm>
#include <string>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::registry {

namespace {
bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
}  // namespace

std::vector<std::uint8_t> decode_base64(std::string_view text) {
    // Boost's decoder does the bit work but accepts what RFC 4648 does not (no padding rules):
    // the shape is checked here first, so a truncated or corrupted value is named precisely.
    if (text.size() % 4 != 0)
        throw Base64Error("base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    const std::size_t body = text.size() - padding;
    for (std::size_t i = 0; i < body; ++i)
        if (!is_base64_char(text[i]))
            throw Base64Error("character " + std::to_string(i) + " of the base64 text is not base64 (byte 0x" +
                              [](unsigned char c) {
                                  const char* hex = "0123456789abcdef";
                                  return std::string{hex[c >> 4], hex[c & 15]};
                              }(static_cast<unsigned char>(text[i])) +
                              ")");
    using namespace boost::archive::iterators;
    using Decoder = transform_width<binary_from_base64<const char*>, 8, 6>;
    std::vector<std::uint8_t> out;
    out.reserve(body * 3 / 4);
    for (Decoder it(text.data()), end(text.data() + body); it != end; ++it) out.push_back(static_cast<std::uint8_t>(*it));
    // transform_width emits whole bytes only; the bits of a partial last group are padding
    out.resize(text.size() / 4 * 3 - padding);
    return out;
}

std::vector<std::uint8_t> region_from_base64(std::string_view text, const geom::DecodeLimits& limits) {
    std::vector<std::uint8_t> bytes = decode_base64(text);
    geom::decode_sphgeom(bytes.data(), bytes.size(), limits);  // throws geom::RegionError for bad bytes
    return bytes;
}

}  // namespace obsmeta::registry
