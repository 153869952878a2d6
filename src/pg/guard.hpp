// The C++/PostgreSQL boundary.
//
// Two rules, one helper each:
//  1. No C++ exception may reach PostgreSQL's C frames: every SQL-callable function is defined with
//     OBSMETA_FUNCTION, whose body runs inside pg::guard(), which turns any exception into ereport.
//  2. No PostgreSQL error (a longjmp) may cross a C++ frame that owns objects with destructors:
//     PostgreSQL functions that can raise an error are called through pg::call(), which catches the
//     longjmp with PG_TRY right at the call and rethrows it as pg::PgError.
#pragma once

#include "pg/error.hpp"
#include "pg/postgres.hpp"

#include <exception>
#include <new>
#include <type_traits>
#include <utility>

namespace obsmeta::pg {

// Raises the error described by the arguments; declared noreturn. Lives in guard.cpp so that no
// C++ object is alive in the frame that longjmps.
[[noreturn]] void raise_error(int sqlstate, const char* message, const char* detail, const char* hint);
[[noreturn]] void raise_pg_error(ErrorData* edata);

namespace detail {
// What a caught C++ exception becomes, copied into palloc'd memory inside the catch block so the
// exception object can be destroyed before we longjmp.
struct PendingError {
    ErrorData* pg = nullptr;
    int sqlstate = 0;
    char* message = nullptr;
    char* detail = nullptr;
    char* hint = nullptr;
};
void capture_current_exception(PendingError& out) noexcept;
}  // namespace detail

// Runs `body` (returning Datum) and converts any C++ exception into a PostgreSQL error.
template <typename Body>
Datum guard(Body&& body) {
    detail::PendingError pending;
    try {
        return body();
    } catch (...) {
        detail::capture_current_exception(pending);
    }
    // The catch block has ended: the exception object is destroyed and nothing with a destructor
    // is alive in this frame, so the longjmp below is safe.
    if (pending.pg != nullptr) raise_pg_error(pending.pg);
    raise_error(pending.sqlstate, pending.message, pending.detail, pending.hint);
}

// Calls a PostgreSQL function that may ereport(ERROR). `fn` must not own C++ objects with
// destructors (a longjmp out of it skips them); keep it to plain calls on PostgreSQL values.
template <typename Fn>
auto call(Fn&& fn) -> decltype(fn()) {
    using Result = decltype(fn());
    MemoryContext caller_context = CurrentMemoryContext;
    // volatile: both are modified between sigsetjmp and a possible longjmp
    ErrorData* volatile edata = nullptr;
    std::conditional_t<std::is_void_v<Result>, int, Result> volatile result{};
    PG_TRY();
    {
        if constexpr (std::is_void_v<Result>) {
            fn();
        } else {
            result = fn();
        }
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        edata = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    if (edata != nullptr) throw PgError(edata);
    if constexpr (!std::is_void_v<Result>) return result;
}

}  // namespace obsmeta::pg

// Defines a SQL-callable function `name` (declared in SQL as LANGUAGE C) whose C++ body may throw.
//   OBSMETA_FUNCTION(obsmeta_foo) { ... return Datum; }
#define OBSMETA_FUNCTION(name)                                                            \
    static Datum name##_body(FunctionCallInfo fcinfo);                                    \
    extern "C" {                                                                          \
    PG_FUNCTION_INFO_V1(name);                                                            \
    Datum name(PG_FUNCTION_ARGS) {                                                        \
        return obsmeta::pg::guard([fcinfo]() -> Datum { return name##_body(fcinfo); });   \
    }                                                                                     \
    }                                                                                     \
    static Datum name##_body(FunctionCallInfo fcinfo)
