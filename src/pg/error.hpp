// Errors on the C++ side of the boundary.
//
//  - obsmeta::pg::Error is what obsmeta's own C++ code throws for a user-facing error: it carries
//    the SQLSTATE, message, detail and hint that the entry-point guard turns into ereport(ERROR).
//  - obsmeta::pg::PgError wraps an error that PostgreSQL raised (ereport/longjmp) inside a call made
//    through pg::call(): the ErrorData is copied out, the C++ stack unwinds normally, and the guard
//    re-throws it to PostgreSQL unchanged.
#pragma once

#include "pg/postgres.hpp"

#include <exception>
#include <string>

namespace obsmeta::pg {

class Error : public std::exception {
public:
    Error(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : sqlstate_(sqlstate), message_(std::move(message)), detail_(std::move(detail)), hint_(std::move(hint)) {}

    const char* what() const noexcept override { return message_.c_str(); }
    int sqlstate() const { return sqlstate_; }
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }

private:
    int sqlstate_;
    std::string message_, detail_, hint_;
};

class PgError : public std::exception {
public:
    explicit PgError(ErrorData* edata) : edata_(edata) {}
    const char* what() const noexcept override { return edata_->message ? edata_->message : "PostgreSQL error"; }
    ErrorData* data() const { return edata_; }

private:
    ErrorData* edata_;  // palloc'd in the memory context that was current when pg::call() was entered
};

}  // namespace obsmeta::pg
