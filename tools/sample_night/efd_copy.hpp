// EFD samples as PostgreSQL binary COPY data, (channel int4, time timestamptz, value float8) rows,
// the way the benchmarks load efd.sample (and plain tables of the same shape).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sample_night/pg_io.hpp"

namespace obsmeta::sample {

class EfdCopyRows {
public:
    EfdCopyRows() { start(); }
    void start();
    // t_us_2000: µs since 2000-01-01 UTC (PostgreSQL's epoch).
    void row(std::int32_t channel, std::int64_t t_us_2000, double v);
    std::string finish();  // the COPY data; call start() to reuse
    std::size_t rows() const { return rows_; }

private:
    std::vector<char> buf_;
    std::size_t rows_ = 0;
    void put16(std::uint16_t x);
    void put32(std::uint32_t x);
    void put64(std::uint64_t x);
};

// COPY target FROM STDIN (FORMAT binary) of data made by EfdCopyRows.
void copy_binary(Connection& conn, const std::string& target, const std::string& data);

inline constexpr std::int64_t kUnixToPgEpochMicros = 946'684'800'000'000;  // 2000-01-01 in Unix µs

}  // namespace obsmeta::sample
