// The function behind the CHECK constraints of the rubin result tables (schema/46_rubin_results/47_rubin_results.sql).
// It returns true for NULL (not measured) and for a finite value inside [low, high]; otherwise it
// raises 22003 naming the column, the allowed range with its unit and the offending value
// (NaN, Infinity, -Infinity or the number), so that a pipeline sees at once which value is bad.
// The statement fails; what the transaction wrote before it (or outside a failed savepoint) stays.
#include "input_checks/value_text.hpp"
#include "pg/guard.hpp"

#include <cmath>
#include <string>

namespace {

using obsmeta::input_checks::number_text;
using obsmeta::input_checks::text_arg;

// "a finite number", "a finite number >= 0 pixel", "a finite number in [-90, 90] deg"
std::string allowed(double low, double high, const std::string& unit) {
    std::string s = "a finite number";
    const std::string u = unit.empty() ? "" : " " + unit;
    const bool has_low = std::isfinite(low), has_high = std::isfinite(high);
    if (has_low && has_high) s += " in [" + number_text(low) + ", " + number_text(high) + "]" + u;
    else if (has_low) s += " >= " + number_text(low) + u;
    else if (has_high) s += " <= " + number_text(high) + u;
    else if (!u.empty()) s += " (" + unit + ")";
    return s;
}

}  // namespace

// obsmeta.check_measurement(name text, value float8, low float8, high float8, unit text) → true
OBSMETA_FUNCTION(obsmeta_check_measurement) {
    if (PG_ARGISNULL(1)) return BoolGetDatum(true);
    const double v = PG_GETARG_FLOAT8(1);
    const double low = PG_ARGISNULL(2) ? -INFINITY : PG_GETARG_FLOAT8(2);
    const double high = PG_ARGISNULL(3) ? INFINITY : PG_GETARG_FLOAT8(3);
    if (std::isfinite(v) && v >= low && v <= high) return BoolGetDatum(true);
    const std::string name = text_arg(fcinfo, 0, "value"), unit = text_arg(fcinfo, 4, "");
    throw obsmeta::pg::Error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
                             name + " must be " + allowed(low, high, unit) + ", got " + number_text(v), {},
                             std::isfinite(v) ? "Check the unit of the value; use NULL for a value that was not measured."
                                              : "Non-finite values (NaN, Infinity) are not stored: use NULL for a value "
                                                "that was not measured.");
}
