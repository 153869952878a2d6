// obsmeta.boundary_selftest(mode): raises errors from deep inside C++ so that the tests can prove
// the boundary holds: every C++ object on the unwound stack is destroyed (boundary_live_objects()
// is 0 afterwards), and the error reaches the client with its SQLSTATE and message intact.
#include "pg/guard.hpp"
#include "pg/datum.hpp"
#include "pg/spi.hpp"

#include <climits>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int live_objects = 0;

// An object with a destructor that matters (it owns heap memory and counts itself).
struct Sentinel {
    std::vector<int> payload = std::vector<int>(1024, 7);
    Sentinel() { ++live_objects; }
    ~Sentinel() { --live_objects; }
    Sentinel(const Sentinel&) = delete;
    Sentinel& operator=(const Sentinel&) = delete;
};

int descend(int depth, const std::string& mode) {
    Sentinel guard_object;
    if (depth > 0) return descend(depth - 1, mode) + 1;
    if (mode == "user_error")
        throw obsmeta::pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "selftest: obsmeta error thrown 5 frames deep",
                                 "detail from C++", "hint from C++");
    if (mode == "std_exception") throw std::runtime_error("selftest: std::runtime_error thrown 5 frames deep");
    if (mode == "bad_alloc") throw std::bad_alloc();
    if (mode == "unknown_exception") throw 42;
    if (mode == "pg_error")  // PostgreSQL raises (integer overflow) inside a C++ frame that owns objects
        return DatumGetInt32(obsmeta::pg::call([] { return DirectFunctionCall2(int4pl, Int32GetDatum(INT_MAX), Int32GetDatum(1)); }));
    if (mode == "spi_error") {  // an error inside a query run through SPI
        obsmeta::pg::SpiConnection spi;
        static obsmeta::pg::KeptPlan failing("SELECT 1 / $1", {INT4OID});
        failing.execute({Int32GetDatum(0)});
        return 0;
    }
    if (mode == "ok") return 0;
    throw obsmeta::pg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "selftest: unknown mode \"" + mode + "\"", {},
                             "Modes: ok, user_error, std_exception, bad_alloc, unknown_exception, pg_error, spi_error.");
}

}  // namespace

OBSMETA_FUNCTION(obsmeta_boundary_selftest) {
    std::string mode = obsmeta::pg::text_value(PG_GETARG_DATUM(0));
    return Int32GetDatum(descend(4, mode));
}

OBSMETA_FUNCTION(obsmeta_boundary_live_objects) {
    return Int32GetDatum(live_objects);
}
