#include "efd/chunk_codec.hpp"

#include <cstring>

namespace obsmeta::efd {

namespace {

constexpr uint8_t kVersion = 1;

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
    bool at_end() const { return p_ == end_; }

private:
    const uint8_t* p_;
    const uint8_t* end_;
};

}  // namespace

void encode_chunk(SeriesView s, std::vector<uint8_t>& out) {
    out.reserve(out.size() + 12 + s.n * 9);
    out.push_back(kVersion);
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
    if (r.byte() != kVersion) throw ChunkFormatError("EFD chunk has an unknown format version");
    return static_cast<std::size_t>(r.varint());
}

void decode_chunk(const uint8_t* data, std::size_t size, Series& out) {
    Reader r(data, size);
    if (r.byte() != kVersion) throw ChunkFormatError("EFD chunk has an unknown format version");
    uint64_t n = r.varint();
    if (n > size * 8) throw ChunkFormatError("EFD chunk sample count exceeds its size");
    if (n == 0) {
        if (!r.at_end()) throw ChunkFormatError("EFD chunk has trailing bytes");
        return;
    }
    const std::size_t base = out.t.size();
    out.t.resize(base + n);
    out.v.resize(base + n);
    int64_t* t = out.t.data() + base;
    double* v = out.v.data() + base;
    t[0] = unzigzag(r.varint());
    int64_t delta = 0;
    for (uint64_t i = 1; i < n; ++i) {
        delta += unzigzag(r.varint());
        t[i] = t[i - 1] + delta;
    }
    uint64_t prev = r.bytes_le(8);
    v[0] = double_of(prev);
    for (uint64_t i = 1; i < n; ++i) {
        uint8_t c = r.byte();
        if (c != 0) {
            int lead = c / 9, len = c % 9;
            int trail = 8 - lead - len;
            if (len == 0 || trail < 0) throw ChunkFormatError("EFD chunk has a bad value control byte");
            prev ^= r.bytes_le(len) << (8 * trail);
        }
        v[i] = double_of(prev);
    }
    if (!r.at_end()) throw ChunkFormatError("EFD chunk has trailing bytes");
}

}  // namespace obsmeta::efd
