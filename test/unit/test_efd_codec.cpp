// Unit tests for the EFD chunk encoding (src/efd/chunk_codec): exact round trips of times and
// value bits (NaN, ±inf, -0), sizes per sample for typical telemetry, and corrupt input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "efd/chunk_codec.hpp"

using namespace obsmeta::efd;

namespace {

void expect_round_trip(const Series& s) {
    std::vector<uint8_t> bytes;
    encode_chunk(s.view(), bytes);
    EXPECT_EQ(chunk_sample_count(bytes.data(), bytes.size()), s.size());
    Series back;
    decode_chunk(bytes.data(), bytes.size(), back);
    ASSERT_EQ(back.size(), s.size());
    EXPECT_EQ(back.t, s.t);
    EXPECT_EQ(std::memcmp(back.v.data(), s.v.data(), s.size() * sizeof(double)), 0);
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
    EXPECT_LT(bytes_per_sample(temp), 7.0);
    EXPECT_LT(bytes_per_sample(noisy), 10.0);   // full-precision doubles: ~8 bytes + ~1 for time
    EXPECT_LT(bytes_per_sample(constant), 2.1);  // one byte of time, one of value
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
