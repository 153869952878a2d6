// UTC instants as microseconds since the Unix epoch, and their ISO text. Header-only: the proleptic
// Gregorian day arithmetic is H. Hinnant's days_from_civil / civil_from_days.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace obsmeta::sample {

inline constexpr std::int64_t kMicrosPerSecond = 1000000;
inline constexpr std::int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;
inline constexpr std::int64_t kTaiMinusUtcMicros = 37 * kMicrosPerSecond;  // since 2017-01-01

inline std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

inline std::int64_t utc_micros(int y, unsigned mo, unsigned d, int h, int mi, double s) {
    return days_from_civil(y, mo, d) * kMicrosPerDay + (std::int64_t{h} * 3600 + mi * 60) * kMicrosPerSecond +
           static_cast<std::int64_t>(s * 1e6 + 0.5);
}

// "YYYY-MM-DD<sep>HH:MM:SS.ffffff" with `decimals` (0..6) fractional digits, truncated.
inline std::string iso_utc(std::int64_t micros, char sep = ' ', int decimals = 6) {
    std::int64_t days = micros / kMicrosPerDay, rem = micros % kMicrosPerDay;
    if (rem < 0) rem += kMicrosPerDay, --days;
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const long long y = static_cast<long long>(yoe) + era * 400 + (m <= 2);
    const long long secs = rem / kMicrosPerSecond, frac = rem % kMicrosPerSecond;
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u%c%02lld:%02lld:%02lld", y, m, d, sep, secs / 3600,
                          secs / 60 % 60, secs % 60);
    if (decimals > 0) {
        char f[8];
        std::snprintf(f, sizeof f, "%06lld", frac);
        n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%.*s", decimals, f);
    }
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace obsmeta::sample
