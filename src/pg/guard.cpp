#include "pg/guard.hpp"

#include <exception>

#include "geom/interrupt.hpp"

namespace obsmeta::pg {

void raise_error(int sqlstate, const char* message, const char* detail, const char* hint) {
    // Pure C++ loops stop early when PostgreSQL has an interrupt pending (geom::poll_interrupt):
    // report the cancel or timeout itself, not what the loop threw to stop.
    CHECK_FOR_INTERRUPTS();
    ereport(ERROR, (errcode(sqlstate), errmsg_internal("%s", message),
                    detail ? errdetail_internal("%s", detail) : 0, hint ? errhint("%s", hint) : 0));
    pg_unreachable();
}

void raise_pg_error(ErrorData* edata) {
    ReThrowError(edata);
}

namespace detail {

void capture_current_exception(PendingError& out) noexcept {
    // Called inside a catch block: no PostgreSQL call here may fail (pstrdup only fails on out of
    // memory, which would itself longjmp; we accept that risk as PostgreSQL's own code does).
    try {
        throw;
    } catch (const PgError& e) {
        out.pg = e.data();
    } catch (const Error& e) {
        out.sqlstate = e.sqlstate();
        out.message = pstrdup(e.what());
        out.detail = e.detail().empty() ? nullptr : pstrdup(e.detail().c_str());
        out.hint = e.hint().empty() ? nullptr : pstrdup(e.hint().c_str());
    } catch (const geom::Interrupted&) {
        // raise_error lets PostgreSQL report the pending cancel first; this is the fallback
        out.sqlstate = ERRCODE_QUERY_CANCELED;
        out.message = pstrdup("canceling statement: obsmeta geometry computation interrupted");
    } catch (const std::bad_alloc&) {
        out.sqlstate = ERRCODE_OUT_OF_MEMORY;
        out.message = pstrdup("obsmeta: out of memory in C++ code");
    } catch (const std::exception& e) {
        out.sqlstate = ERRCODE_INTERNAL_ERROR;
        out.message = psprintf("obsmeta internal error: %s", e.what());
    } catch (...) {
        out.sqlstate = ERRCODE_INTERNAL_ERROR;
        out.message = pstrdup("obsmeta internal error: unknown C++ exception");
    }
}

}  // namespace detail
}  // namespace obsmeta::pg
