#include "registry/tai_time.hpp"

#include <erfa.h>

#include <cmath>
#include <cstdio>
#include "cpp_only.hpp"  // last include: no PostgreSQL header above

namespace obsmeta::registry {

namespace {

constexpr std::int64_t kUsPerDay = 86400LL * 1000000LL;

// Civil date of a day number since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(yy + (m <= 2 ? 1 : 0));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

double tai_minus_utc_seconds(std::int64_t utc_us) {
    const std::int64_t day = floor_div(utc_us, kUsPerDay);
    const double fraction = static_cast<double>(utc_us - day * kUsPerDay) / static_cast<double>(kUsPerDay);
    int y, m, d;
    civil_from_days(day, y, m, d);
    double dat = 0;
    // eraDat's status 1 ("dubious year") means either before UTC began (1960: it then gives 0) or
    // years past its table's release (the last offset stands, as for any future date).
    if (y < 1960 || eraDat(y, m, d, fraction, &dat) < 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        throw TimeError(std::string("no TAI-UTC offset for ") + buf + " (ERFA's UTC starts in 1960)");
    }
    return dat;
}

std::int64_t tai_ns_to_utc_us(std::int64_t tai_ns) {
    // TAI ns → TAI µs (round half away from zero, as the ns value is exact).
    const std::int64_t tai_us = tai_ns >= 0 ? (tai_ns + 500) / 1000 : -((-tai_ns + 500) / 1000);
    // UTC = TAI − dat(UTC); dat depends on the UTC date, so iterate from a guess. Since 1972 dat is
    // a whole number of seconds that only changes at a leap second; the loop settles in ≤ 3 steps.
    double dat = tai_minus_utc_seconds(tai_us - 37000000);
    std::int64_t utc_us = tai_us;
    for (int i = 0; i < 4; ++i) {
        utc_us = tai_us - std::llround(dat * 1e6);
        const double again = tai_minus_utc_seconds(utc_us);
        if (again == dat) return utc_us;
        // Inside a positive leap second neither offset fits (with the old one the instant falls after
        // the leap, with the new one before it): POSIX time has no 23:59:60.x, it repeats 00:00:00.x.
        if (again < dat) return tai_us - std::llround(again * 1e6);
        dat = again;
    }
    return utc_us;
}

std::string describe_tai_ns(std::int64_t tai_ns) {
    const std::int64_t day = floor_div(tai_ns, 86400LL * 1000000000LL);
    const std::int64_t ns = tai_ns - day * 86400LL * 1000000000LL;
    int y, m, d;
    civil_from_days(day, y, m, d);
    const std::int64_t s = ns / 1000000000LL;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%lld ns (%04d-%02d-%02dT%02lld:%02lld:%02lld.%09lld TAI)", static_cast<long long>(tai_ns), y,
                  m, d, static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                  static_cast<long long>(s % 60), static_cast<long long>(ns % 1000000000LL));
    return buf;
}

}  // namespace obsmeta::registry
