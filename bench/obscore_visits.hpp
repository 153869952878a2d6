// What obsmeta-bench-obscore and obsmeta-bench-scale share: timing (wall and the server backend's
// CPU), growing ivoa.obscore with generated nights through the real bulk conversion, converting one
// new visit per transaction, and the server's own account of its ObsCore maintenance.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sample_night/night.hpp"
#include "sample_night/pg_io.hpp"
#include "sample_night/table_text.hpp"

namespace obsmeta::bench {

using sample::Connection;

inline double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The server backend's CPU time in seconds (time on a CPU, /proc/<pid>/schedstat), or -1.
struct Backend {
    int pid = 0;
    double cpu() const {
        std::ifstream f("/proc/" + std::to_string(pid) + "/schedstat");
        double ns = -1;
        if (!(f >> ns)) return -1;
        return ns / 1e9;
    }
};

// Wall and backend CPU seconds of one piece of work.
struct Timing {
    double wall = 0, cpu = -1;
};

inline Timing timed(const Backend& b, const std::function<void()>& f) {
    const double c0 = b.cpu(), t0 = now_s();
    f();
    Timing t;
    t.wall = now_s() - t0;
    const double c1 = b.cpu();
    if (c0 >= 0 && c1 >= 0) t.cpu = c1 - c0;
    return t;
}

struct Series {  // repeated timings of one thing
    std::vector<double> wall, cpu;
    void add(const Timing& t) {
        wall.push_back(t.wall);
        if (t.cpu >= 0) cpu.push_back(t.cpu);
    }
    double wall_median() const { return median(wall); }
    double cpu_median() const { return cpu.empty() ? NAN : median(cpu); }
};

inline std::string seconds(double wall, double cpu) {
    char buf[64];
    if (std::isnan(cpu)) std::snprintf(buf, sizeof buf, "%.4f", wall);
    else std::snprintf(buf, sizeof buf, "%.4f (CPU %.4f)", wall, cpu);
    return buf;
}

inline std::string times_x(double r) {
    char buf[32];
    if (std::isnan(r)) return "n/a";
    std::snprintf(buf, sizeof buf, r >= 100 ? "%.0fx" : "%.1fx", r);
    return buf;
}

inline long count_rows(Connection& conn) { return std::stol(conn.value("SELECT count(*) FROM ivoa.obscore")); }

// The next unused seq_num of day_obs 20251202 (generated exposures and visits live there).
inline int next_free_seq(Connection& conn) {
    const std::string lo = std::to_string(sample::exposure_id(1) - 1), hi = std::to_string(sample::exposure_id(99999));
    return std::stoi(conn.value("SELECT coalesce(max(id), " + lo + ") - " + lo + " + 1 FROM (SELECT id FROM gen3.exposure"
                                " UNION ALL SELECT id FROM gen3.visit) x WHERE id BETWEEN " + lo + " AND " + hi));
}

inline bool is_static(const std::string& t) {
    return t == "instrument" || t == "physical_filter" || t == "detector" || t == "day_obs";
}

inline void copy_static(Connection& conn, const std::vector<sample::TableText>& tables) {
    for (const auto& t : tables)
        if (is_static(t.name)) sample::insert_rows(conn, "gen3", t, true);
}

inline void copy_exposures(Connection& conn, const std::vector<sample::TableText>& tables) {
    for (const auto& t : tables)
        if (!is_static(t.name)) sample::copy_table(conn, "gen3", t);
}

// Grow ivoa.obscore to at least `target` rows with generated exposures: one transaction per batch
// (the conversion maintains ivoa.obscore once, at the end of it).
inline void grow_to(Connection& conn, long target, int batch) {
    long have = count_rows(conn);
    if (have >= target) {
        std::printf("ivoa.obscore already has %ld rows (>= %ld): nothing to load\n", have, target);
        return;
    }
    const long start = have;
    const double t0 = now_s();
    int exposures = 0;
    while (have < target) {
        const int seq = next_free_seq(conn);
        if (seq + batch > 99999) throw std::runtime_error("day_obs 20251202 has no free seq_num left");
        const auto tables = sample::to_tables(sample::make_bench_night(batch, seq));
        conn.exec("BEGIN");
        copy_static(conn, tables);
        copy_exposures(conn, tables);
        conn.exec("COMMIT");
        exposures += batch;
        have = count_rows(conn);
        std::printf("  loaded %d exposures: %ld ObsCore rows (%.0f s)\n", exposures, have, now_s() - t0);
    }
    const double s = now_s() - t0;
    conn.exec("VACUUM ANALYZE ivoa.obscore");
    conn.exec("ANALYZE");
    std::printf("loaded %d exposures in %.1f s: ivoa.obscore %ld -> %ld rows (%.0f ObsCore rows/s, conversion + maintenance included)\n",
                exposures, s, start, have, static_cast<double>(have - start) / s);
}

// Milliseconds the server has spent in this transaction in obsmeta's ObsCore maintenance functions:
// the statement triggers on CAOM2 (recording keys), the flush (recomputing the rows; it includes
// the coverage triggers its writes fire) and the coverage triggers on ivoa.obscore alone.
// Needs track_functions = 'pl'.
struct MaintenanceMs {
    double triggers = 0, flush = 0, coverage = 0;
};

inline MaintenanceMs maintenance_ms(Connection& conn) {
    const auto r = conn.query(
        "SELECT coalesce(sum(total_time) FILTER (WHERE funcname LIKE 'obscore\\_on\\_%'), 0),"
        "       coalesce(sum(total_time) FILTER (WHERE funcname = 'obscore_flush'), 0),"
        "       coalesce(sum(total_time) FILTER (WHERE funcname = 'coverage_on_obscore'), 0)"
        "  FROM pg_stat_xact_user_functions WHERE schemaname = 'obsmeta'");
    return {std::stod(r[0][0]), std::stod(r[0][1]), std::stod(r[0][2])};
}

// One new visit (one exposure and its visit: 2 planes, 378 ObsCore rows) converted in its own
// transaction as a writer does it: COPY of its gen3 rows, SELECT obsmeta.convert(), COMMIT.
struct VisitTimes {
    int seq = 0;
    Timing whole;    // COPY + convert + commit
    Timing convert;  // SELECT obsmeta.convert() (maintenance included)
    double recording = 0, flush = 0, coverage = 0;  // server's function time, seconds
    long rows = 0;                                    // ObsCore rows the visit added
    double wal_bytes = 0;                             // WAL the transaction wrote
};

inline VisitTimes convert_one_visit(Connection& conn, const Backend& be) {
    VisitTimes v;
    v.seq = next_free_seq(conn);
    const auto tables = sample::to_tables(sample::make_bench_night(1, v.seq));
    conn.exec("BEGIN");
    copy_static(conn, tables);  // already there: nothing inserted, outside the timing
    const long before = count_rows(conn);
    const std::string lsn0 = conn.value("SELECT pg_current_wal_insert_lsn()");
    MaintenanceMs ms0, ms1;
    v.whole = timed(be, [&] {
        copy_exposures(conn, tables);
        ms0 = maintenance_ms(conn);
        v.convert = timed(be, [&] { conn.value("SELECT obsmeta.convert()"); });
        ms1 = maintenance_ms(conn);
        conn.exec("COMMIT");
    });
    v.wal_bytes = std::stod(conn.value("SELECT pg_current_wal_insert_lsn() - '" + lsn0 + "'::pg_lsn"));
    v.rows = count_rows(conn) - before;
    v.recording = (ms1.triggers - ms0.triggers) / 1000;
    v.flush = (ms1.flush - ms0.flush) / 1000;
    v.coverage = (ms1.coverage - ms0.coverage) / 1000;
    return v;
}

// Cone searches as SQL text (count of s_region && scircle; sent as text, so planned each time as a
// TAP server's queries are) at n positions within 1 degree of random rows, so that most find something.
inline std::vector<std::string> cone_queries(Connection& conn, int n, double radius_deg, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> jitter(-1.0, 1.0);
    conn.exec("SELECT setseed(" + std::to_string(static_cast<double>(seed % 1000) / 1000.0) + ")");
    const auto centers = conn.query("SELECT s_ra, s_dec FROM ivoa.obscore WHERE s_ra IS NOT NULL ORDER BY random() LIMIT " +
                                    std::to_string(n));
    std::vector<std::string> sql;
    for (const auto& c : centers) {
        const double dec = std::clamp(std::stod(c[1]) + jitter(rng), -89.0, 89.0);
        const double ra = std::fmod(std::stod(c[0]) + jitter(rng) + 360.0, 360.0);
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "SELECT count(*) FROM ivoa.obscore WHERE s_region && scircle(spoint(radians(%.6f), radians(%.6f)), radians(%g))",
                      ra, dec, radius_deg);
        sql.emplace_back(buf);
    }
    return sql;
}

}  // namespace obsmeta::bench
