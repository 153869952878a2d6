#include "sample_night/pg_io.hpp"

#include <algorithm>

namespace obsmeta::sample {
namespace {

constexpr std::size_t kPipelineBatch = 500;  // queries between syncs

std::string error_text(PGconn* conn, PGresult* res) {
    std::string msg = res ? PQresultErrorMessage(res) : "";
    if (msg.empty()) msg = PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return msg;
}

std::string sqlstate_of(PGresult* res) {
    const char* s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    return s ? s : "";
}

std::string column_list(const TableText& t) {
    std::string s;
    for (std::size_t i = 0; i < t.columns.size(); ++i) s += (i ? ", " : "") + quote_ident(t.columns[i]);
    return s;
}

// Reads results up to and including the next PGRES_PIPELINE_SYNC; remembers the first error.
void drain_to_sync(PGconn* conn, std::string& error, std::string& sqlstate) {
    for (;;) {
        PGresult* res = PQgetResult(conn);
        if (!res) continue;  // end of one query's results
        const ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            return;
        }
        if (st == PGRES_FATAL_ERROR && error.empty()) {
            error = error_text(conn, res);
            sqlstate = sqlstate_of(res);
        }
        PQclear(res);
        if (PQstatus(conn) == CONNECTION_BAD) {
            if (error.empty()) error = PQerrorMessage(conn);
            return;
        }
    }
}

}  // namespace

std::string quote_ident(const std::string& name) {
    std::string s = "\"";
    for (char c : name) s += c == '"' ? std::string("\"\"") : std::string(1, c);
    return s + "\"";
}

Connection::Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(conn_);
        PQfinish(conn_);
        conn_ = nullptr;
        throw PgError("connection failed: " + msg, "08000");
    }
    // Server NOTICEs (e.g. from triggers) would interleave with the report lines; errors still throw.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
    if (conn_) PQfinish(conn_);
}

void check(PGconn* conn, PGresult* res, ExecStatusType ok, const std::string& what) {
    if (PQresultStatus(res) == ok) {
        PQclear(res);
        return;
    }
    // Long SQL texts are shortened: the server message says what went wrong.
    const std::string context = what.size() > 72 ? what.substr(0, 69) + "..." : what;
    PgError err(context + ": " + error_text(conn, res), sqlstate_of(res));
    PQclear(res);
    throw err;
}

void Connection::exec(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    check(conn_, res, st == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, sql);
}

std::vector<std::vector<std::string>> Connection::query(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    if (PQresultStatus(res) != PGRES_TUPLES_OK) check(conn_, res, PGRES_TUPLES_OK, sql);
    std::vector<std::vector<std::string>> rows(static_cast<std::size_t>(PQntuples(res)));
    for (int r = 0; r < PQntuples(res); ++r)
        for (int c = 0; c < PQnfields(res); ++c) rows[static_cast<std::size_t>(r)].push_back(PQgetvalue(res, r, c));
    PQclear(res);
    return rows;
}

std::string Connection::value(const std::string& sql) {
    const auto rows = query(sql);
    return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
}

void copy_table(Connection& conn, const std::string& schema, const TableText& table) {
    copy_rendered(conn, schema, table, copy_text(table));
}

void copy_rendered(Connection& conn, const std::string& schema, const TableText& table, const std::string& data) {
    if (table.rows.empty()) return;
    copy_in(conn, quote_ident(schema) + "." + quote_ident(table.name) + " (" + column_list(table) + ")", data);
}

void copy_in(Connection& conn, const std::string& target, const std::string& data) {
    const std::string sql = "COPY " + target + " FROM STDIN";
    check(conn.raw(), PQexec(conn.raw(), sql.c_str()), PGRES_COPY_IN, sql);
    constexpr std::size_t kChunk = 1 << 20;
    bool ok = true;
    for (std::size_t off = 0; off < data.size() && ok; off += kChunk) {
        const std::size_t n = std::min(kChunk, data.size() - off);
        ok = PQputCopyData(conn.raw(), data.data() + off, static_cast<int>(n)) == 1;
    }
    if (PQputCopyEnd(conn.raw(), ok ? nullptr : "client failed to send data") != 1) {
        throw PgError(std::string("COPY end failed: ") + PQerrorMessage(conn.raw()), "");
    }
    // Drain every result so that the connection is idle again even after an error.
    PGresult* first = PQgetResult(conn.raw());
    for (PGresult* more; (more = PQgetResult(conn.raw())) != nullptr;) PQclear(more);
    check(conn.raw(), first, PGRES_COMMAND_OK, sql);
}

std::string copy_out(Connection& conn, const std::string& query) {
    const std::string sql = "COPY (" + query + ") TO STDOUT";
    check(conn.raw(), PQexec(conn.raw(), sql.c_str()), PGRES_COPY_OUT, sql);
    std::string out;
    char* buf = nullptr;
    int n;
    while ((n = PQgetCopyData(conn.raw(), &buf, 0)) > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        PQfreemem(buf);
    }
    PGresult* first = PQgetResult(conn.raw());
    for (PGresult* more; (more = PQgetResult(conn.raw())) != nullptr;) PQclear(more);
    check(conn.raw(), first, PGRES_COMMAND_OK, sql);
    return out;
}

void insert_rows(Connection& conn, const std::string& schema, const TableText& table, bool ignore_conflicts) {
    if (table.rows.empty()) return;
    PGconn* c = conn.raw();
    const std::string stmt = "ins_" + schema + "_" + table.name + (ignore_conflicts ? "_ign" : "");
    if (!conn.prepared().count(stmt)) {  // prepared once per session, outside the pipeline
        std::string sql = "INSERT INTO " + quote_ident(schema) + "." + quote_ident(table.name) + " (" +
                          column_list(table) + ") VALUES (";
        for (std::size_t i = 0; i < table.columns.size(); ++i) sql += (i ? ", $" : "$") + std::to_string(i + 1);
        sql += ignore_conflicts ? ") ON CONFLICT DO NOTHING" : ")";
        check(c, PQprepare(c, stmt.c_str(), sql.c_str(), static_cast<int>(table.columns.size()), nullptr),
              PGRES_COMMAND_OK, "prepare " + sql);
        conn.prepared().insert(stmt);
    }
    if (PQenterPipelineMode(c) != 1) throw PgError(std::string("pipeline mode: ") + PQerrorMessage(c), "");
    std::string error, sqlstate;
    std::size_t pending = 0;
    auto sync = [&] {
        if (PQpipelineSync(c) != 1) throw PgError(std::string("pipeline sync: ") + PQerrorMessage(c), "");
        drain_to_sync(c, error, sqlstate);
        pending = 0;
    };
    std::vector<const char*> values(table.columns.size());
    for (const auto& row : table.rows) {
        for (std::size_t i = 0; i < row.size(); ++i) values[i] = row[i] ? row[i]->c_str() : nullptr;
        if (PQsendQueryPrepared(c, stmt.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0) != 1)
            throw PgError(std::string("send: ") + PQerrorMessage(c), "");
        if (++pending >= kPipelineBatch) sync();
        if (!error.empty()) break;
    }
    if (pending) sync();
    PQexitPipelineMode(c);
    if (!error.empty()) throw PgError("INSERT INTO " + schema + "." + table.name + ": " + error, sqlstate);
}

}  // namespace obsmeta::sample
