// How the CHECK functions of this folder write the values they name in their errors.
#pragma once

#include "pg/datum.hpp"
#include "pg/postgres.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace obsmeta::input_checks {

// A float8 as PostgreSQL spells it: NaN, Infinity, -Infinity, or 15 significant digits.
inline std::string number_text(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

// Text argument n, or `fallback` when it is NULL (a column name the caller left out).
inline std::string text_arg(FunctionCallInfo fcinfo, int n, const char* fallback) {
    return PG_ARGISNULL(n) ? std::string(fallback) : pg::text_value(PG_GETARG_DATUM(n));
}

}  // namespace obsmeta::input_checks
