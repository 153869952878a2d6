// SPI with plans prepared once per backend (SPI_keepplan) and arrays as parameters, so that one
// execution handles a whole set of keys: the conversion is set-based whether a statement wrote one
// row or a million.
#pragma once

#include "pg/guard.hpp"
#include "pg/postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace obsmeta::pg {

// SPI_connect/SPI_finish for one C++ scope. When the scope is left by an exception, SPI_finish is
// skipped: the error aborts the transaction, and PostgreSQL's abort processing unwinds SPI.
class SpiConnection {
public:
    SpiConnection();
    ~SpiConnection();
    SpiConnection(const SpiConnection&) = delete;
    SpiConnection& operator=(const SpiConnection&) = delete;

private:
    int uncaught_at_entry_;
};

// A statement prepared on first use and kept for the life of the backend. Define instances with
// static storage duration; PostgreSQL's plan cache re-plans them when the tables they use change.
// The project's one facility for "prepare once and keep".
class KeptPlan {
public:
    enum class Planning {
        Default,  // PostgreSQL's choice of custom and generic plans
        Generic,  // always generic: for large array parameters, which a custom plan would copy and
                  // fold as constants at every execution
    };
    KeptPlan(std::string sql, std::vector<Oid> argtypes, Planning planning = Planning::Default)
        : sql_(std::move(sql)), argtypes_(std::move(argtypes)), planning_(planning) {}

    // Executes with the given parameters; returns SPI_processed. Results, if any, are in
    // SPI_tuptable until the next SPI call. `nulls` follows SPI: 'n' marks a NULL parameter, ' ' not
    // (empty: none is NULL).
    uint64 execute(const std::vector<Datum>& args, bool read_only = false, const std::string& nulls = {});

    // Executes with the result rows streamed to `dest` (nothing is materialized in SPI_tuptable);
    // returns the number of rows processed.
    uint64 execute_to(DestReceiver* dest, const std::vector<Datum>& args, const std::string& nulls = {});

    const std::string& sql() const { return sql_; }

    // Prepares the statement afresh (not kept, the kept plan untouched) and builds its generic
    // plan, raising any error its first execution would raise before running (unknown table or
    // column, type mismatch, wrong parameter types). Needs an SPI connection.
    void check() const;

private:
    SPIPlanPtr prepared();  // prepares and keeps the plan on first use
    void check_arity(const std::vector<Datum>& args, const std::string& nulls) const;

    std::string sql_;
    std::vector<Oid> argtypes_;
    Planning planning_;
    SPIPlanPtr plan_ = nullptr;
};

// Reads column `col` (1-based) of row `row` of SPI_tuptable.
Datum result_value(uint64 row, int col, bool* isnull);
int64_t result_int64(uint64 row, int col);           // NULL → 0
bool result_bool(uint64 row, int col);               // NULL → false
std::string result_text(uint64 row, int col);        // NULL → ""

}  // namespace obsmeta::pg
