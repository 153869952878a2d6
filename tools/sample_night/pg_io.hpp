// Thin libpq helpers shared by the loader, the concurrency test and the benchmark: a connection
// that throws on errors (with the SQLSTATE), COPY FROM STDIN of a text table, and pipelined
// one-INSERT-per-row loading with prepared statements.
#pragma once

#include <libpq-fe.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sample_night/table_text.hpp"

namespace obsmeta::sample {

class PgError : public std::runtime_error {
public:
    PgError(const std::string& message, std::string sqlstate)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }

private:
    std::string sqlstate_;
};

class Connection {
public:
    explicit Connection(const std::string& conninfo);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    PGconn* raw() { return conn_; }
    void exec(const std::string& sql);
    // Rows of a query as text ("" for NULL).
    std::vector<std::vector<std::string>> query(const std::string& sql);
    // First column of the first row ("" for NULL or no row).
    std::string value(const std::string& sql);

    std::set<std::string>& prepared() { return prepared_; }  // statement names prepared on this session

private:
    PGconn* conn_ = nullptr;
    std::set<std::string> prepared_;
};

// Throws PgError when res is not `ok`; always clears res.
void check(PGconn* conn, PGresult* res, ExecStatusType ok, const std::string& what);

// COPY schema.table (columns) FROM STDIN with the table's rows.
void copy_table(Connection& conn, const std::string& schema, const TableText& table);
// The same with the data already in COPY text form (copy_text(table)), e.g. rendered before timing.
void copy_rendered(Connection& conn, const std::string& schema, const TableText& table, const std::string& data);
// COPY target FROM STDIN (target: "schema.table" or "schema.table (columns)") of COPY text.
void copy_in(Connection& conn, const std::string& target, const std::string& data);
// The rows of a query in COPY text form (COPY (query) TO STDOUT).
std::string copy_out(Connection& conn, const std::string& query);

// One INSERT per row through a prepared statement, all sent in pipeline mode (flushed and drained
// every few hundred rows so that neither side blocks on full socket buffers). With
// ignore_conflicts the statement ends in ON CONFLICT DO NOTHING.
void insert_rows(Connection& conn, const std::string& schema, const TableText& table, bool ignore_conflicts = false);

// Quote an identifier for SQL text.
std::string quote_ident(const std::string& name);

}  // namespace obsmeta::sample
