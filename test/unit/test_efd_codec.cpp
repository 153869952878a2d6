// Unit tests for the EFD chunk encoding (src/efd/chunk_codec): exact round trips of times and
// value bits (NaN, ±inf, -0) in both format versions, block boundaries and bit widths of the
// version 2 packing, sizes per sample for typical telemetry, and corrupt input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <limits>
#include <random>
#include <vector>

#include "efd/chunk_codec.hpp"

using namespace obsmeta::efd;

namespace {

void expect_round_trip(const Series& s) {
    for (int version : {1, 2}) {
        SCOPED_TRACE("format version " + std::to_string(version));
        std::vector<uint8_t> bytes;
        if (version == 1) {
            encode_chunk_v1(s.view(), bytes);
        } else {
            encode_chunk(s.view(), bytes);
        }
        EXPECT_EQ(bytes[0], version);
        EXPECT_EQ(chunk_sample_count(bytes.data(), bytes.size()), s.size());
        Series back;
        decode_chunk(bytes.data(), bytes.size(), back);
        ASSERT_EQ(back.size(), s.size());
        EXPECT_EQ(back.t, s.t);
        EXPECT_EQ(std::memcmp(back.v.data(), s.v.data(), s.size() * sizeof(double)), 0);
        // Values only (the reductions that need no times inside a chunk).
        std::vector<double> values(s.size() + 1, -1.0);
        decode_chunk_values(bytes.data(), bytes.size(), values.data());
        EXPECT_EQ(std::memcmp(values.data(), s.v.data(), s.size() * sizeof(double)), 0);
        EXPECT_EQ(values.back(), -1.0);  // nothing written beyond the count
        // The same into a SampleBuffer (the recomputation's reader), after other samples.
        SampleBuffer buf;
        buf.extend(3);
        decode_chunk(bytes.data(), bytes.size(), buf);
        ASSERT_EQ(buf.size(), s.size() + 3);
        SeriesView v = buf.view().slice(3, buf.size());
        EXPECT_TRUE(std::equal(s.t.begin(), s.t.end(), v.t));
        EXPECT_EQ(std::memcmp(v.v, s.v.data(), s.size() * sizeof(double)), 0);
    }
}

double bytes_per_sample(const Series& s) {
    std::vector<uint8_t> bytes;
    encode_chunk(s.view(), bytes);
    return static_cast<double>(bytes.size()) / static_cast<double>(s.size());
}

}  // namespace

TEST(EfdChunkCodec, EmptyAndSingle) {
    expect_round_trip(Series{});
    Series one;
    one.push(-123456789, 3.5);
    expect_round_trip(one);
}

TEST(EfdChunkCodec, SpecialValuesRoundTripBitExact) {
    Series s;
    const double values[] = {0.0, -0.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(), 1e-310, 1.0, 1.0, -1e300};
    int64_t t = 800000000000000;
    for (double v : values) s.push(t += 20000, v);
    expect_round_trip(s);
}

TEST(EfdChunkCodec, IrregularAndNegativeTimes) {
    std::mt19937_64 rng(7);
    Series s;
    int64_t t = -5'000'000'000;
    for (int i = 0; i < 5000; ++i) {
        t += 1 + static_cast<int64_t>(rng() % 3'000'000'000ULL);
        s.push(t, static_cast<double>(rng()) / 3.0);
    }
    expect_round_trip(s);
}

// Found by test/fuzz (efd_chunk_roundtrip): times further apart than 2^63 µs overflowed the
// encoder's differences (undefined behaviour) and the decoder took the wrapped delta for a step back.
TEST(EfdChunkCodec, TimesSpanningTheWholeInt64Range) {
    Series s;
    // INT64_MIN + 1 -> 687231641961753065 is one step of more than 2^63.
    for (int64_t t : {INT64_MIN, INT64_MIN + 1, int64_t{687231641961753065}, INT64_MAX - 1, INT64_MAX})
        s.push(t, static_cast<double>(t));
    expect_round_trip(s);
}

TEST(EfdChunkCodec, CompactForTypicalTelemetry) {
    // 50 Hz with microsecond jitter, float32-origin values (a temperature) → well under 8 bytes.
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0, 0.01f);
    std::uniform_int_distribution<int> jitter(-50, 50);
    Series temp, noisy, constant;
    for (int i = 0; i < 15000; ++i) {
        int64_t t = 800000000000000 + i * 20000;
        temp.push(t + jitter(rng), static_cast<double>(12.5f + noise(rng)));
        noisy.push(t, 45.0 + std::sin(i * 1e-3) + static_cast<double>(noise(rng)) * 1e-3);
        constant.push(t, 1.0);
    }
    expect_round_trip(temp);
    expect_round_trip(noisy);
    EXPECT_LT(bytes_per_sample(temp), 5.0);     // ~13 bits of time jitter, ~20 bits of float32 XOR
    EXPECT_LT(bytes_per_sample(noisy), 7.0);    // ~40 bits of XOR, regular times cost nothing
    EXPECT_LT(bytes_per_sample(constant), 0.1);  // zero-width blocks: a few bytes per 128 samples
}

TEST(EfdChunkCodec, BlockBoundariesAndEveryBitWidth) {
    // Counts around the 128-value blocks (times pack n-2 values, values n-1), and XOR / delta
    // widths from 0 to 64 bits, so that both the fast unpacking and its byte-wise tail are used.
    std::mt19937_64 rng(11);
    for (std::size_t n : {2u, 3u, 4u, 127u, 128u, 129u, 130u, 131u, 255u, 256u, 257u, 258u, 1000u}) {
        for (int w : {0, 1, 7, 8, 9, 31, 33, 55, 56, 57, 63, 64}) {
            SCOPED_TRACE("n " + std::to_string(n) + ", width " + std::to_string(w));
            Series s;
            int64_t t = 1000;
            uint64_t bits = 0x4046800000000000ULL;
            for (std::size_t i = 0; i < n; ++i) {
                uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
                bits ^= rng() & mask;
                double v;
                std::memcpy(&v, &bits, 8);
                t += 1 + static_cast<int64_t>(rng() & (w >= 40 ? 0xffffffffULL : mask));
                s.push(t, v);
            }
            expect_round_trip(s);
        }
    }
}

TEST(EfdChunkCodec, DifferencesWhereXorsAreWide) {
    // Values on both sides of 1.0 (and of 0): their bits differ in the exponent, so XORs are ~60
    // bits wide, while as integers they are neighbours: the encoder takes the differences.
    Series across_one, across_zero, float32_walk;
    std::mt19937_64 rng(9);
    std::normal_distribution<float> step(0, 0.01f);
    float level = 10;
    for (int i = 0; i < 1000; ++i) {
        int64_t t = 800000000000000 + i * 20000LL;
        across_one.push(t, i % 2 ? 1.0 + 1e-13 * (i % 7) : 1.0 - 1e-13 * (i % 5 + 1));
        across_zero.push(t, i % 2 ? 1e-300 * (i % 3 + 1) : -1e-300 * (i % 3 + 1));
        level += step(rng);
        float32_walk.push(t, static_cast<double>(level));  // differences with 29 zero low bits, both signs
    }
    expect_round_trip(across_one);
    expect_round_trip(across_zero);
    expect_round_trip(float32_walk);
    EXPECT_LT(bytes_per_sample(across_one), 2.5);
    EXPECT_LT(bytes_per_sample(float32_walk), 3.0);
}

TEST(EfdChunkCodec, ManyConstantSamplesInAFewBytes) {
    Series s;
    for (int i = 0; i < 50000; ++i) s.push(800000000000000 + i * 20000LL, 7.25);
    std::vector<uint8_t> bytes;
    encode_chunk(s.view(), bytes);
    EXPECT_LT(bytes.size(), 1300u);
    expect_round_trip(s);
}

TEST(EfdChunkCodec, CorruptInputThrows) {
    Series s;
    for (int i = 0; i < 100; ++i) s.push(i * 1000, i * 0.5);
    std::vector<uint8_t> bytes;
    encode_chunk(s.view(), bytes);
    Series out;
    EXPECT_THROW(decode_chunk(bytes.data(), bytes.size() - 3, out), ChunkFormatError);
    std::vector<uint8_t> longer = bytes;
    longer.push_back(0);
    EXPECT_THROW(decode_chunk(longer.data(), longer.size(), out), ChunkFormatError);
    std::vector<uint8_t> bad_version = bytes;
    bad_version[0] = 99;
    EXPECT_THROW(decode_chunk(bad_version.data(), bad_version.size(), out), ChunkFormatError);
    EXPECT_THROW(decode_chunk(bytes.data(), 0, out), ChunkFormatError);
    EXPECT_EQ(out.size(), 0u);  // nothing half-decoded is left behind
}

TEST(EfdChunkCodec, CorruptVersion2BlocksThrow) {
    Series s;
    for (int i = 0; i < 300; ++i) s.push(i * 1000 + (i % 3), i * 0.5);
    std::vector<uint8_t> bytes;
    encode_chunk(s.view(), bytes);
    // Header: version, count (2-byte varint), first time, first delta, then the first time block's width.
    std::size_t width_at = 1 + 2 + 1 + 2;
    ASSERT_LT(bytes[width_at], 65);
    std::vector<uint8_t> bad = bytes;
    bad[width_at] = 65;
    Series out;
    EXPECT_THROW(decode_chunk(bad.data(), bad.size(), out), ChunkFormatError);
    // A value block header with the reserved bit set. The value blocks follow the time blocks and
    // the first value's 8 bytes: find the first one by decoding the time blocks' lengths.
    {
        std::size_t at = width_at;
        for (std::size_t from = 2; from < 300; from += 128) {
            std::size_t count = std::min<std::size_t>(128, 300 - from);
            at += 1 + (count * bytes[at] + 7) / 8;
        }
        at += 8;
        std::vector<uint8_t> reserved = bytes;
        reserved[at] |= 0x40;
        EXPECT_THROW(decode_chunk(reserved.data(), reserved.size(), out), ChunkFormatError);
        std::vector<uint8_t> too_wide = bytes;
        too_wide[at] = 0x3f;  // XOR mode, shift 63
        too_wide[at + 1] = 2;  // 63 + 2 bits > 64
        EXPECT_THROW(decode_chunk(too_wide.data(), too_wide.size(), out), ChunkFormatError);
    }
    // A count the bytes cannot hold.
    std::vector<uint8_t> huge = {2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0};
    EXPECT_THROW(decode_chunk(huge.data(), huge.size(), out), ChunkFormatError);
    // Times that go backwards (hand-made: three samples, delta +10, delta-of-delta -20).
    std::vector<uint8_t> backwards = {2, 3, 0, 20, 6, 39};  // width 6, dod zigzag 39 = -20
    for (int b = 0; b < 8; ++b) backwards.push_back(0);
    backwards.push_back(0);  // value block: shift 0
    backwards.push_back(0);  // width 0
    EXPECT_THROW(decode_chunk(backwards.data(), backwards.size(), out), ChunkFormatError);
    EXPECT_EQ(out.size(), 0u);
}

TEST(EfdChunkCodec, DecodeAppends) {
    Series a, b;
    a.push(1, 1.0);
    b.push(2, 2.0);
    std::vector<uint8_t> ea, eb;
    encode_chunk(a.view(), ea);
    encode_chunk(b.view(), eb);
    Series out;
    decode_chunk(ea.data(), ea.size(), out);
    decode_chunk(eb.data(), eb.size(), out);
    EXPECT_EQ(out.t, (std::vector<int64_t>{1, 2}));
}
