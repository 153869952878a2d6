#include "efd/jsonb_object.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "cpp_only.hpp"  // last include: no PostgreSQL header above

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the jsonb writer assumes a little-endian machine (varlena headers, JEntry words)"
#endif

namespace obsmeta::efd {

namespace {

__extension__ typedef unsigned __int128 Uint128;  // digits × 1000 may exceed 64 bits

// jsonb.h
constexpr uint32_t kOffLenMask = 0x0FFFFFFF, kTypeMask = 0x70000000, kHasOff = 0x80000000;
constexpr uint32_t kIsString = 0x00000000, kIsNumeric = 0x10000000, kIsContainer = 0x50000000;
constexpr uint32_t kObjectFlag = 0x20000000;  // JB_FOBJECT
constexpr std::size_t kOffsetStride = 32;      // JB_OFFSET_STRIDE
// numeric.c
constexpr uint16_t kShort = 0x8000, kShortSign = 0x2000, kShortWeightSign = 0x0040, kShortWeightMask = 0x003F;
constexpr int kShortDscaleShift = 7, kShortDscaleMax = 63, kShortWeightMax = 63, kShortWeightMin = -64;
constexpr uint16_t kLongNegative = 0x4000, kDscaleMask = 0x3FFF;

void put_u32(std::vector<uint8_t>& b, std::size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

void append(std::vector<uint8_t>& b, const void* p, std::size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
}

// padBufferToInt: the padding belongs to the datum that follows it.
std::size_t pad_to_int(std::vector<uint8_t>& b) {
    const std::size_t pad = (4 - b.size() % 4) % 4;
    b.insert(b.end(), pad, 0);
    return pad;
}

uint32_t checked_length(std::size_t n) {
    if (n > kOffLenMask) throw std::length_error("total size of jsonb object elements exceeds the maximum of 268435455 bytes");
    return static_cast<uint32_t>(n);
}

uint32_t string_value(std::vector<uint8_t>& b, std::string_view s) {
    append(b, s.data(), s.size());
    return kIsString | checked_length(s.size());
}

uint32_t number_value(std::vector<uint8_t>& b, double v) {
    if (std::isnan(v)) return string_value(b, "NaN");
    if (std::isinf(v)) return string_value(b, v > 0 ? "Infinity" : "-Infinity");
    const std::size_t pad = pad_to_int(b), at = b.size();
    append_numeric(shortest_decimal(v), b);
    return kIsNumeric | checked_length(pad + b.size() - at);
}

// convertJsonbObject: header word, the keys' JEntries then the values', the keys' bytes then the
// values'; every 32nd JEntry holds the end offset of its datum instead of its length. Returns the
// object's JEntry as a container value.
template <class Key, class Value>
uint32_t object(std::vector<uint8_t>& b, std::size_t n, Key key, Value value) {
    const std::size_t base = b.size();
    pad_to_int(b);
    const uint32_t header = checked_length(n) | kObjectFlag;
    append(b, &header, 4);
    std::size_t entry = b.size();
    b.resize(b.size() + 8 * n);
    std::size_t total = 0;
    auto place = [&](std::size_t i, uint32_t meta) {
        total += meta & kOffLenMask;
        if (i % kOffsetStride == 0) meta = (meta & kTypeMask) | checked_length(total) | kHasOff;
        put_u32(b, entry, meta);
        entry += 4;
    };
    for (std::size_t i = 0; i < n; ++i) place(i, string_value(b, key(i)));
    for (std::size_t i = 0; i < n; ++i) place(i + n, value(i));
    return kIsContainer | checked_length(b.size() - base);
}

}  // namespace

void append_numeric(const Decimal& d, std::vector<uint8_t>& out) {
    // int64_div_fast_to_numeric(digits, scale): dscale = max(scale, 0); the value's base-10000
    // digits aligned to the decimal point, without leading or trailing zero digits (make_result).
    const bool negative = d.digits < 0;
    Uint128 magnitude = negative ? static_cast<Uint128>(-(d.digits + 1)) + 1 : static_cast<Uint128>(d.digits);
    int w = d.scale / 4, m = d.scale % 4;
    if (m < 0) m += 4, --w;
    if (m > 0) {
        static const unsigned kPow10[] = {1, 10, 100, 1000};
        magnitude *= kPow10[4 - m];
        ++w;
    }
    uint16_t groups[16];
    int n = 0;
    for (; magnitude != 0; magnitude /= 10000) groups[n++] = static_cast<uint16_t>(magnitude % 10000);  // least significant first
    int weight = n - 1 - w;
    int low = 0;
    while (low < n && groups[low] == 0) ++low;  // trailing zero digits
    const int ndigits = n - low;
    const bool sign_negative = negative && ndigits > 0;
    if (ndigits == 0) weight = 0;
    const int dscale = d.scale > 0 ? d.scale : 0;
    const bool is_short = dscale <= kShortDscaleMax && weight <= kShortWeightMax && weight >= kShortWeightMin;
    const uint32_t len = (is_short ? 6 : 8) + 2 * static_cast<uint32_t>(ndigits);
    uint8_t bytes[8 + 2 * 16];  // assembled here, appended once
    const uint32_t varlena = len << 2;  // SET_VARSIZE, 4-byte header
    std::memcpy(bytes, &varlena, 4);
    std::size_t at = 4;
    if (is_short) {
        const uint16_t header = static_cast<uint16_t>(
            kShort | (sign_negative ? kShortSign : 0) | (dscale << kShortDscaleShift) | (weight < 0 ? kShortWeightSign : 0) |
            (weight & kShortWeightMask));
        std::memcpy(bytes + at, &header, 2);
        at += 2;
    } else {
        const uint16_t sign_dscale = static_cast<uint16_t>((sign_negative ? kLongNegative : 0) | (dscale & kDscaleMask));
        const int16_t w16 = static_cast<int16_t>(weight);
        std::memcpy(bytes + at, &sign_dscale, 2);
        std::memcpy(bytes + at + 2, &w16, 2);
        at += 4;
    }
    for (int i = n - 1; i >= low; --i, at += 2) std::memcpy(bytes + at, &groups[i], 2);
    append(out, bytes, at);
}

void encode_image_object(const std::vector<OutputSpec>& specs, const std::vector<uint32_t>& by_rank, const Outputs& outs,
                         std::size_t image, std::vector<uint8_t>& out) {
    out.clear();
    out.resize(4);  // the varlena header, set at the end
    std::vector<uint32_t> present;
    present.reserve(by_rank.size());
    for (uint32_t s : by_rank) {
        const Cell::Kind k = outs.at(image, s).kind;
        if (k == Cell::Number || k == Cell::Nested) present.push_back(s);
    }
    object(
        out, present.size(), [&](std::size_t i) { return std::string_view(specs[present[i]].output_name); },
        [&](std::size_t i) {
            const OutputSpec& spec = specs[present[i]];
            const Cell& c = outs.at(image, present[i]);
            if (c.kind == Cell::Number) return number_value(out, c.value);
            const std::vector<uint32_t>& entries = outs.nested_ranges[c.nested];
            return object(
                out, entries.size(), [&](std::size_t j) { return std::string_view(spec.fields[outs.nested[entries[j]].field]); },
                [&](std::size_t j) { return number_value(out, outs.nested[entries[j]].value); });
        });
    const uint32_t varlena = checked_length(out.size()) << 2;
    put_u32(out, 0, varlena);
}

}  // namespace obsmeta::efd
