// Internal printf-style formatting for error messages (C locale numbers, as PostgreSQL keeps LC_NUMERIC=C).
#pragma once

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace obsmeta::geom::detail {

__attribute__((format(printf, 1, 2))) inline std::string strprintf(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

// Names a non-finite value the way PostgreSQL prints it.
inline const char* non_finite_name(double v) {
    return std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
}

}  // namespace obsmeta::geom::detail
