#include "efd/chunk_codec.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::efd {

namespace {

constexpr uint8_t kVersion1 = 1;
constexpr uint8_t kVersion2 = 2;
constexpr std::size_t kBlock = 128;  // values per bit-packed block (version 2)
constexpr uint8_t kDeltaMode = 0x80;  // value block header flag: differences, not XORs

inline uint64_t zigzag(int64_t x) { return (static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63); }
inline int64_t unzigzag(uint64_t u) { return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1); }

inline void put_varint(std::vector<uint8_t>& out, uint64_t u) {
    while (u >= 0x80) {
        out.push_back(static_cast<uint8_t>(u) | 0x80);
        u >>= 7;
    }
    out.push_back(static_cast<uint8_t>(u));
}

inline uint64_t bits_of(double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
}

inline double double_of(uint64_t u) {
    double d;
    std::memcpy(&d, &u, 8);
    return d;
}

inline int bit_width(uint64_t x) { return x == 0 ? 0 : 64 - __builtin_clzll(x); }

inline uint64_t low_mask(int w) { return w >= 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1; }

inline uint64_t load_le64(const uint8_t* p) {
    uint64_t u;
    std::memcpy(&u, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    u = __builtin_bswap64(u);
#endif
    return u;
}

class Reader {
public:
    Reader(const uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}
    uint8_t byte() {
        if (p_ == end_) throw ChunkFormatError("EFD chunk truncated");
        return *p_++;
    }
    uint64_t varint() {
        uint64_t u = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            uint8_t b = byte();
            u |= static_cast<uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return u;
        }
        throw ChunkFormatError("EFD chunk has an overlong varint");
    }
    uint64_t bytes_le(int count) {
        if (end_ - p_ < count) throw ChunkFormatError("EFD chunk truncated");
        uint64_t u = 0;
        for (int i = 0; i < count; ++i) u |= static_cast<uint64_t>(p_[i]) << (8 * i);
        p_ += count;
        return u;
    }
    // The next `bytes` bytes (a packed block); advances past them.
    const uint8_t* take(std::size_t bytes) {
        if (static_cast<std::size_t>(end_ - p_) < bytes) throw ChunkFormatError("EFD chunk truncated");
        const uint8_t* at = p_;
        p_ += bytes;
        return at;
    }
    bool at_end() const { return p_ == end_; }
    const uint8_t* end() const { return end_; }

private:
    const uint8_t* p_;
    const uint8_t* end_;
};

// --- bit packing (version 2) -------------------------------------------------------------------

class BitWriter {
public:
    explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
    void put(uint64_t x, int w) {  // the low w bits of x (w <= 64)
        if (w > 32) {
            put(x & 0xffffffffULL, 32);
            put(x >> 32, w - 32);
            return;
        }
        if (w == 0) return;
        acc_ |= (x & low_mask(w)) << bits_;  // bits_ < 8 here, so nothing is shifted out
        bits_ += w;
        while (bits_ >= 8) {
            out_.push_back(static_cast<uint8_t>(acc_));
            acc_ >>= 8;
            bits_ -= 8;
        }
    }
    void flush() {  // pads the last byte with zero bits
        if (bits_ > 0) out_.push_back(static_cast<uint8_t>(acc_));
        acc_ = 0;
        bits_ = 0;
    }

private:
    std::vector<uint8_t>& out_;
    uint64_t acc_ = 0;
    int bits_ = 0;
};

// w <= 56 bits at bit offset `bit` of p, reading only the bytes that hold them.
inline uint64_t get_bits_bytewise(const uint8_t* p, std::size_t bit, int w) {
    std::size_t first = bit >> 3, last = (bit + static_cast<std::size_t>(w) - 1) >> 3;
    uint64_t u = 0;
    for (std::size_t b = first; b <= last; ++b) u |= static_cast<uint64_t>(p[b]) << (8 * (b - first));
    return (u >> (bit & 7)) & low_mask(w);
}

inline std::size_t packed_bytes(std::size_t count, int w) { return (count * static_cast<std::size_t>(w) + 7) / 8; }

// Unpacks `count` values of `w` bits from `p` (packed_bytes(count, w) bytes, which end at or before
// `limit`, the end of the whole chunk) and hands each to `sink`.
// Groups of 8 values of a compile-time width W <= 56 (8 values = W bytes): the offsets, shifts and
// masks are constants, one unaligned load per value. Reads up to W + 8 bytes from p.
template <int W>
void unpack8_fixed(const uint8_t* p, uint64_t* out, std::size_t groups) {
    constexpr uint64_t mask = (uint64_t{1} << W) - 1;
    for (std::size_t g = 0; g < groups; ++g, p += W, out += 8) {
#define OBSMETA_UNPACK_ONE(k) out[k] = (load_le64(p + ((k)*W) / 8) >> (((k)*W) % 8)) & mask
        OBSMETA_UNPACK_ONE(0);
        OBSMETA_UNPACK_ONE(1);
        OBSMETA_UNPACK_ONE(2);
        OBSMETA_UNPACK_ONE(3);
        OBSMETA_UNPACK_ONE(4);
        OBSMETA_UNPACK_ONE(5);
        OBSMETA_UNPACK_ONE(6);
        OBSMETA_UNPACK_ONE(7);
#undef OBSMETA_UNPACK_ONE
    }
}

using Unpack8 = void (*)(const uint8_t*, uint64_t*, std::size_t);

template <std::size_t... W>
constexpr std::array<Unpack8, sizeof...(W)> unpack8_table(std::index_sequence<W...>) {
    return {{&unpack8_fixed<static_cast<int>(W) + 1>...}};
}

constexpr std::array<Unpack8, 56> kUnpack8 = unpack8_table(std::make_index_sequence<56>{});  // widths 1..56

// Unpacks `count` (<= kBlock) values of `w` bits from `p` (packed_bytes(count, w) bytes, which end
// at or before `limit`, the end of the whole chunk) into out[]. Each value is independent of the
// others; the running sums are a second, separate pass.
inline void unpack(const uint8_t* p, const uint8_t* limit, std::size_t count, int w, uint64_t* out) {
    if (w == 0) {
        std::fill(out, out + count, 0);
        return;
    }
    const std::size_t uw = static_cast<std::size_t>(w);
    const std::size_t room = static_cast<std::size_t>(limit - p);
    std::size_t i = 0;
    if (w <= 56) {
        // Whole groups of 8 whose loads (up to W + 8 bytes from the group's start) stay inside the chunk.
        std::size_t groups = count / 8;
        if (room < 8) {
            groups = 0;
        } else {
            groups = std::min(groups, (room - 8) / uw);
        }
        kUnpack8[static_cast<std::size_t>(w) - 1](p, out, groups);
        i = groups * 8;
    }
    for (; i < count; ++i) {
        const std::size_t bit = i * uw;
        out[i] = w <= 56 ? get_bits_bytewise(p, bit, w)
                         : get_bits_bytewise(p, bit, 32) | (get_bits_bytewise(p, bit + 32, w - 32) << 32);
    }
}

void encode_v2(SeriesView s, std::vector<uint8_t>& out) {
    out.push_back(kVersion2);
    put_varint(out, s.n);
    if (s.n == 0) return;
    put_varint(out, zigzag(s.t[0]));
    if (s.n >= 2) put_varint(out, zigzag(s.t[1] - s.t[0]));
    // Delta-of-deltas of samples 2..n-1.
    uint64_t block[kBlock];
    for (std::size_t from = 2; from < s.n; from += kBlock) {
        std::size_t count = std::min(kBlock, s.n - from);
        uint64_t any = 0;
        for (std::size_t k = 0; k < count; ++k) {
            std::size_t i = from + k;
            int64_t dod = (s.t[i] - s.t[i - 1]) - (s.t[i - 1] - s.t[i - 2]);
            block[k] = zigzag(dod);
            any |= block[k];
        }
        int w = bit_width(any);
        out.push_back(static_cast<uint8_t>(w));
        BitWriter bw(out);
        for (std::size_t k = 0; k < count; ++k) bw.put(block[k], w);
        bw.flush();
    }
    uint64_t first = bits_of(s.v[0]);
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<uint8_t>(first >> (8 * b)));
    // Values 1..n-1 against their predecessors, per block whichever is narrower: the XOR of the bits
    // (repeats, sign or exponent changes) or the difference of the bits as integers (a smooth or
    // noisy signal within one binade: a few bits fewer than the XOR), both without the block's
    // common trailing zero bits.
    uint64_t other[kBlock];
    for (std::size_t from = 1; from < s.n; from += kBlock) {
        std::size_t count = std::min(kBlock, s.n - from);
        uint64_t any_x = 0, any_d = 0;
        for (std::size_t k = 0; k < count; ++k) {
            std::size_t i = from + k;
            block[k] = bits_of(s.v[i]) ^ bits_of(s.v[i - 1]);
            other[k] = bits_of(s.v[i]) - bits_of(s.v[i - 1]);
            any_x |= block[k];
            any_d |= other[k];
        }
        int shift_x = any_x == 0 ? 0 : __builtin_ctzll(any_x);
        int w_x = bit_width(any_x >> shift_x);
        int shift_d = any_d == 0 ? 0 : __builtin_ctzll(any_d);
        uint64_t any_z = 0;
        for (std::size_t k = 0; k < count; ++k) {
            other[k] = zigzag(static_cast<int64_t>(other[k]) >> shift_d);  // exact: the low bits are zero
            any_z |= other[k];
        }
        int w_d = bit_width(any_z);
        const bool delta = w_d < w_x;
        out.push_back(static_cast<uint8_t>(delta ? kDeltaMode | shift_d : shift_x));
        out.push_back(static_cast<uint8_t>(delta ? w_d : w_x));
        BitWriter bw(out);
        if (delta) {
            for (std::size_t k = 0; k < count; ++k) bw.put(other[k], w_d);
        } else {
            for (std::size_t k = 0; k < count; ++k) bw.put(block[k] >> shift_x, w_x);
        }
        bw.flush();
    }
}

// Times of a version 2 chunk into t[], or skipped (t == nullptr: only the block lengths are read).
void decode_v2_times(Reader& r, std::size_t n, int64_t* t) {
    const uint64_t first = static_cast<uint64_t>(unzigzag(r.varint()));
    // Unsigned arithmetic for the running sums: a corrupt chunk may wrap around, never undefined
    // behaviour; it is then rejected by the increasing-times check.
    uint64_t delta = 0, prev_t = first;
    bool increasing = true;
    if (n >= 2) {
        delta = static_cast<uint64_t>(unzigzag(r.varint()));
        prev_t += delta;
        increasing = static_cast<int64_t>(delta) > 0;
    }
    if (t != nullptr) {
        t[0] = static_cast<int64_t>(first);
        if (n >= 2) t[1] = static_cast<int64_t>(prev_t);
    }
    uint64_t block[kBlock];
    for (std::size_t from = 2; from < n; from += kBlock) {
        std::size_t count = std::min(kBlock, n - from);
        int w = r.byte();
        if (w > 64) throw ChunkFormatError("EFD chunk has a bad time block width");
        const uint8_t* p = r.take(packed_bytes(count, w));
        if (t == nullptr) continue;
        int64_t* out = t + from;
        int64_t min_delta = static_cast<int64_t>(delta);
        if (w == 0) {  // a steady cadence
            for (std::size_t k = 0; k < count; ++k) out[k] = static_cast<int64_t>(prev_t += delta);
        } else {
            unpack(p, r.end(), count, w, block);
            for (std::size_t k = 0; k < count; ++k) {
                delta += static_cast<uint64_t>(unzigzag(block[k]));
                prev_t += delta;
                out[k] = static_cast<int64_t>(prev_t);
                min_delta = std::min(min_delta, static_cast<int64_t>(delta));
            }
        }
        increasing = increasing && min_delta > 0;
    }
    if (!increasing) throw ChunkFormatError("EFD chunk times are not increasing");
}

void decode_v2_values(Reader& r, std::size_t n, double* v) {
    uint64_t block[kBlock];
    uint64_t prev = r.bytes_le(8);
    v[0] = double_of(prev);
    for (std::size_t from = 1; from < n; from += kBlock) {
        std::size_t count = std::min(kBlock, n - from);
        const int mode = r.byte();
        const bool delta = (mode & kDeltaMode) != 0;
        const int shift = mode & 0x3f;
        const int w = r.byte();
        if ((mode & 0x40) != 0 || w > 64 - (delta ? 0 : shift))
            throw ChunkFormatError("EFD chunk has a bad value block header");
        const uint8_t* p = r.take(packed_bytes(count, w));
        double* out = v + from;
        if (w == 0) {  // a repeated value
            std::fill(out, out + count, double_of(prev));
            continue;
        }
        unpack(p, r.end(), count, w, block);
        if (delta) {
            for (std::size_t k = 0; k < count; ++k) {
                prev += static_cast<uint64_t>(unzigzag(block[k])) << shift;
                out[k] = double_of(prev);
            }
        } else {
            for (std::size_t k = 0; k < count; ++k) {
                prev ^= block[k] << shift;
                out[k] = double_of(prev);
            }
        }
    }
}

// --- version 1 ---------------------------------------------------------------------------------

// t == nullptr: the times are read but not stored.
void decode_v1(Reader& r, std::size_t n, int64_t* t, double* v) {
    uint64_t time = static_cast<uint64_t>(unzigzag(r.varint())), delta = 0;
    if (t != nullptr) t[0] = static_cast<int64_t>(time);
    bool increasing = true;
    for (std::size_t i = 1; i < n; ++i) {
        delta += static_cast<uint64_t>(unzigzag(r.varint()));
        time += delta;
        if (t != nullptr) t[i] = static_cast<int64_t>(time);
        increasing = increasing && static_cast<int64_t>(delta) > 0;
    }
    if (!increasing) throw ChunkFormatError("EFD chunk times are not increasing");
    uint64_t prev = r.bytes_le(8);
    v[0] = double_of(prev);
    for (std::size_t i = 1; i < n; ++i) {
        uint8_t c = r.byte();
        if (c != 0) {
            int lead = c / 9, len = c % 9;
            int trail = 8 - lead - len;
            if (len == 0 || trail < 0) throw ChunkFormatError("EFD chunk has a bad value control byte");
            prev ^= r.bytes_le(len) << (8 * trail);
        }
        v[i] = double_of(prev);
    }
}

// Reads the header; returns the sample count and leaves `r` after it.
std::size_t read_header(Reader& r, std::size_t size, uint8_t& version) {
    version = r.byte();
    if (version != kVersion1 && version != kVersion2) throw ChunkFormatError("EFD chunk has an unknown format version");
    uint64_t n = r.varint();
    // Bounds the allocation a corrupt header could ask for: version 1 needs at least one byte per
    // sample, version 2 at least one byte per block of 128.
    uint64_t most = version == kVersion1 ? static_cast<uint64_t>(size) : static_cast<uint64_t>(size) * kBlock + 2;
    if (n > most) throw ChunkFormatError("EFD chunk sample count exceeds its size");
    return static_cast<std::size_t>(n);
}

}  // namespace

void encode_chunk(SeriesView s, std::vector<uint8_t>& out) {
    out.reserve(out.size() + 24 + s.n * 9);
    encode_v2(s, out);
}

void encode_chunk_v1(SeriesView s, std::vector<uint8_t>& out) {
    out.reserve(out.size() + 12 + s.n * 9);
    out.push_back(kVersion1);
    put_varint(out, s.n);
    if (s.n == 0) return;
    put_varint(out, zigzag(s.t[0]));
    int64_t prev_delta = 0;
    for (std::size_t i = 1; i < s.n; ++i) {
        int64_t delta = s.t[i] - s.t[i - 1];
        put_varint(out, zigzag(delta - prev_delta));
        prev_delta = delta;
    }
    uint64_t prev = bits_of(s.v[0]);
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<uint8_t>(prev >> (8 * b)));
    for (std::size_t i = 1; i < s.n; ++i) {
        uint64_t cur = bits_of(s.v[i]);
        uint64_t x = cur ^ prev;
        prev = cur;
        if (x == 0) {
            out.push_back(0);
            continue;
        }
        int lead = __builtin_clzll(x) / 8;
        int trail = __builtin_ctzll(x) / 8;
        int len = 8 - lead - trail;
        out.push_back(static_cast<uint8_t>(lead * 9 + len));
        uint64_t sig = x >> (8 * trail);
        for (int b = 0; b < len; ++b) out.push_back(static_cast<uint8_t>(sig >> (8 * b)));
    }
}

std::size_t chunk_sample_count(const uint8_t* data, std::size_t size) {
    Reader r(data, size);
    uint8_t version = 0;
    return read_header(r, size, version);
}

namespace {
void decode_any(const uint8_t* data, std::size_t size, int64_t* t, double* v) {
    Reader r(data, size);
    uint8_t version = 0;
    std::size_t n = read_header(r, size, version);
    if (n > 0) {
        if (version == kVersion2) {
            decode_v2_times(r, n, t);
            decode_v2_values(r, n, v);
        } else {
            decode_v1(r, n, t, v);
        }
    }
    if (!r.at_end()) throw ChunkFormatError("EFD chunk has trailing bytes");
}
}  // namespace

void decode_chunk_to(const uint8_t* data, std::size_t size, int64_t* t, double* v) { decode_any(data, size, t, v); }

void decode_chunk_values(const uint8_t* data, std::size_t size, double* v) { decode_any(data, size, nullptr, v); }

void decode_chunk(const uint8_t* data, std::size_t size, Series& out) {
    std::size_t n = chunk_sample_count(data, size);
    const std::size_t base = out.t.size();
    out.t.resize(base + n);
    out.v.resize(base + n);
    try {
        decode_chunk_to(data, size, out.t.data() + base, out.v.data() + base);
    } catch (...) {
        out.t.resize(base);
        out.v.resize(base);
        throw;
    }
}

void decode_chunk(const uint8_t* data, std::size_t size, SampleBuffer& out) {
    std::size_t n = chunk_sample_count(data, size);
    const std::size_t base = out.extend(n);
    try {
        decode_chunk_to(data, size, out.times() + base, out.values() + base);
    } catch (...) {
        out.truncate(base);
        throw;
    }
}

}  // namespace obsmeta::efd
