// obsmeta-bench-obscore: what keeping ivoa.obscore current costs when a visit arrives, and what its
// row-level security costs a cone search.
//
// ivoa.obscore is grown to --rows ObsCore rows (default 10^5; with --full also to --full-rows,
// default 10^6) by bulk-loading generated nights into gen3 (COPY of make_bench_night's exposures,
// 189 detectors, raw + visit_image; conversion and ObsCore maintenance in the loading transaction;
// nothing synthetic). Ids are fresh for every run (past the highest exposure id in gen3): loaded
// rows stay, and a second run loads only what is missing to reach a size.
//
// a) Maintenance. At each size, --visits new visits (one exposure and its visit: 2 planes, 378
//    ObsCore rows) are converted one per transaction, as a writer does: COPY of their gen3 rows,
//    SELECT obsmeta.convert(), COMMIT. The conversion defers ObsCore maintenance to the end of its
//    batch (obsmeta.obscore_defer() ... obsmeta.obscore_flush()): the maintenance a visit costs is
//    what the obscore_on_* triggers spend recording keys during the conversion plus the flush, both
//    the server's own account (pg_stat_xact_user_functions, track_functions = pl).
//    Baseline: REFRESH MATERIALIZED VIEW of SELECT * FROM obsmeta.obscore_source (the same rows),
//    once as a bare heap and once with ivoa.obscore's indexes as ivoa.obscore defines them,
//    operator classes included (a view that could serve the same cone searches). Printed: (a) the
//    maintenance alone and (b) the whole visit (COPY + conversion + maintenance + commit) against
//    both refreshes; then what the spoly GiST key costs a row, pg_sphere's operator class against
//    obsmeta.spoly_gist_ops.
// b) Cone searches (s_region && scircle, --radius, default 0.5 deg) at --cones positions near
//    random rows, sent as SQL text (planned each time, as a TAP server's queries are): as a reader
//    (a temporary NOLOGIN member of obsmeta_reader: RLS applies), as staff (member of
//    obsmeta_staff: the staff policy), as superuser (RLS bypassed), with the GiST index; reader and
//    superuser also without it (a few positions: a sequential scan takes seconds). One timing is all
//    positions of one configuration; --rounds rounds rotate the configurations' order; the ratio is
//    the median over rounds of reader/superuser per round (wall and backend CPU).
// Times are wall clock (steady_clock) and the server backend's CPU time (/proc/<pid>/schedstat,
// when the server runs on this machine): the machine is shared, CPU time is the steadier of the
// two. A benchmark reports; it asserts nothing: exit 0 unless a query fails.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sample_night/cli.hpp"
#include "sample_night/night.hpp"
#include "sample_night/pg_io.hpp"
#include "sample_night/table_text.hpp"

#include "obscore_visits.hpp"

using namespace obsmeta::sample;
using namespace obsmeta::bench;

namespace {

constexpr double kGoalRefreshRatioFull = 1000;  // incremental at least 1000x cheaper than a refresh at 10^6 rows
constexpr double kGoalRlsOverhead = 1.10;       // RLS adds at most 10% to a cone search
constexpr const char* kReaderRole = "obsmeta_bench_obscore_reader";
constexpr const char* kStaffRole = "obsmeta_bench_obscore_staff";
constexpr const char* kMatView = "public.bench_obscore_mv";

struct Options {
    std::string conninfo;
    long rows = 100000;
    long full_rows = 1000000;
    bool full = false;
    int batch = 50;      // exposures per loading transaction
    int visits = 7;      // new visits per size
    int refreshes = 1;   // REFRESH MATERIALIZED VIEW per size and form (median)
    int cones = 200;     // cone positions per size
    int rounds = 7;      // timings of all positions per configuration
    int seq_cones = 3;   // positions also run without the index (a seq scan costs seconds at 10^5+)
    double radius_deg = 0.5;
    bool maintenance = true, cone_search = true;  // --only maintenance|cones
};

Options parse(int argc, char** argv) {
    Options o;
    Cli cli(argc, argv,
            "usage: obsmeta-bench-obscore --conninfo \"...\" [--rows N] [--full] [--full-rows N] [--batch N]\n"
            "       [--visits N] [--refreshes N] [--cones N] [--rounds N] [--seq-cones N] [--radius DEG]\n"
            "       [--only maintenance|cones]");
    while (cli.next()) {
        if (cli.is("--conninfo")) o.conninfo = cli.value();
        else if (cli.is("--rows")) o.rows = cli.long_value();
        else if (cli.is("--full-rows")) o.full_rows = cli.long_value();
        else if (cli.is("--full")) o.full = true;
        else if (cli.is("--batch")) o.batch = cli.int_value();
        else if (cli.is("--visits")) o.visits = cli.int_value();
        else if (cli.is("--refreshes")) o.refreshes = cli.int_value();
        else if (cli.is("--cones")) o.cones = cli.int_value();
        else if (cli.is("--rounds")) o.rounds = cli.int_value();
        else if (cli.is("--seq-cones")) o.seq_cones = cli.int_value();
        else if (cli.is("--radius")) o.radius_deg = std::stod(cli.value());
        else if (cli.is("--only")) {
            const std::string v = cli.value();
            if (v != "maintenance" && v != "cones") cli.fail("--only takes maintenance or cones");
            o.maintenance = v == "maintenance";
            o.cone_search = v == "cones";
        }
        else cli.unknown();
    }
    if (o.conninfo.empty()) cli.fail("--conninfo is required");
    if (o.rows < 1 || o.full_rows < 1 || o.batch < 1 || o.visits < 1 || o.refreshes < 1 || o.cones < 1 || o.rounds < 1 ||
        o.seq_cones < 0)
        cli.fail("counts must be >= 1 (--seq-cones >= 0)");
    return o;
}

struct Maintenance {
    long rows = 0;
    long visit_rows = 0;  // ObsCore rows one visit adds
    Series maint;         // (a) the triggers' recording + obscore_flush() (server's function time)
    Series flush;         // obscore_flush() alone
    Series whole;         // (b) COPY + convert + commit
    Series convert;       // SELECT obsmeta.convert(), maintenance included
    Series refresh_heap, refresh_indexed;
};

// One new visit, converted in its own transaction.
void one_visit(Connection& conn, const Backend& be, Maintenance& m) {
    const VisitTimes v = convert_one_visit(conn, be);
    m.visit_rows = v.rows;
    m.whole.add(v.whole);
    m.convert.add(v.convert);
    m.flush.add({v.flush, -1});
    m.maint.add({v.recording + v.flush, -1});
    std::printf("  visit seq %d: whole %s, convert %s; ObsCore: triggers recording %.4f + obscore_flush %.4f; +%ld rows\n", v.seq,
                seconds(v.whole.wall, v.whole.cpu).c_str(), seconds(v.convert.wall, v.convert.cpu).c_str(), v.recording, v.flush,
                v.rows);
}

// ivoa.obscore's own index definitions (operator classes included), made to index the view.
std::vector<std::string> matview_indexes(Connection& conn) {
    std::vector<std::string> out;
    for (const auto& row : conn.query(std::string("SELECT regexp_replace(pg_get_indexdef(indexrelid), "
                                                  "'^(CREATE (UNIQUE )?INDEX) \\S+ ON ivoa\\.obscore ', '\\1 ON ") +
                                      kMatView + " ') FROM pg_index WHERE indrelid = 'ivoa.obscore'::regclass ORDER BY indexrelid"))
        out.push_back(row[0]);
    return out;
}

Maintenance measure_maintenance(Connection& conn, const Backend& be, const Options& o) {
    Maintenance m;
    m.rows = count_rows(conn);
    conn.exec("SET track_functions = 'pl'");
    conn.exec("CHECKPOINT");
    for (int i = 0; i < o.visits; ++i) one_visit(conn, be, m);
    conn.exec("RESET track_functions");
    for (const bool indexed : {false, true}) {
        conn.exec(std::string("DROP MATERIALIZED VIEW IF EXISTS ") + kMatView);
        conn.exec(std::string("CREATE MATERIALIZED VIEW ") + kMatView + " AS SELECT * FROM obsmeta.obscore_source WITH NO DATA");
        if (indexed)
            for (const auto& sql : matview_indexes(conn)) conn.exec(sql);
        for (int i = 0; i < o.refreshes; ++i) {
            conn.exec("CHECKPOINT");
            const Timing t = timed(be, [&] { conn.exec(std::string("REFRESH MATERIALIZED VIEW ") + kMatView); });
            (indexed ? m.refresh_indexed : m.refresh_heap).add(t);
            std::printf("  REFRESH MATERIALIZED VIEW (%s): %s, %s rows\n", indexed ? "with ivoa.obscore's indexes, as defined there" : "heap only",
                        seconds(t.wall, t.cpu).c_str(), conn.value(std::string("SELECT count(*) FROM ") + kMatView).c_str());
        }
    }
    conn.exec(std::string("DROP MATERIALIZED VIEW ") + kMatView);
    return m;
}

// What the spoly GiST key costs a row: ivoa.obscore's footprints inserted into a heap, a heap with
// pg_sphere's own spoly GiST operator class, and one with obsmeta.spoly_gist_ops (same keys),
// alternating, --rounds times; medians of the backend's CPU (wall where CPU is unknown).
struct SpolyKeys {
    long rows = 0;
    Series heap, pg_sphere, obsmeta;
};

SpolyKeys measure_spoly_keys(Connection& conn, const Backend& be, const Options& o) {
    SpolyKeys k;
    conn.exec("CREATE TEMP TABLE bench_spoly AS SELECT s_region AS p FROM ivoa.obscore WHERE s_region IS NOT NULL LIMIT 20000");
    k.rows = std::stol(conn.value("SELECT count(*) FROM bench_spoly"));
    const struct {
        const char* table;
        const char* index;  // nullptr: no index
        Series* series;
    } forms[] = {{"bench_spoly_heap", nullptr, &k.heap},
                 {"bench_spoly_pg_sphere", "USING gist (p)", &k.pg_sphere},
                 {"bench_spoly_obsmeta", "USING gist (p obsmeta.spoly_gist_ops)", &k.obsmeta}};
    for (const auto& f : forms) {
        conn.exec(std::string("CREATE TEMP TABLE ") + f.table + " (p spoly)");
        if (f.index) conn.exec(std::string("CREATE INDEX ON ") + f.table + " " + f.index);
    }
    for (int round = 0; round < o.rounds; ++round)
        for (const auto& f : forms) {
            conn.exec(std::string("TRUNCATE ") + f.table);
            const Timing t = timed(be, [&] { conn.exec(std::string("INSERT INTO ") + f.table + " SELECT p FROM bench_spoly"); });
            f.series->add({t.cpu >= 0 ? t.cpu : t.wall, -1});
        }
    for (const auto& f : forms) conn.exec(std::string("DROP TABLE ") + f.table);
    conn.exec("DROP TABLE bench_spoly");
    return k;
}

struct ConeConfig {
    const char* name;
    const char* role;  // nullptr: superuser
    bool index;
    Series rounds;     // seconds per query (mean over the positions of a round)
    long matched = 0;  // rows matched in the first round
};

struct Cones {
    long rows = 0;
    long reader_visible = 0;
    int positions = 0, seq_positions = 0;
    std::vector<ConeConfig> configs;
    std::string reader_plan, staff_plan;
};

void set_config(Connection& conn, const ConeConfig& c) {
    conn.exec("RESET ROLE");
    conn.exec(c.index ? "RESET enable_indexscan" : "SET enable_indexscan = off");
    conn.exec(c.index ? "RESET enable_bitmapscan" : "SET enable_bitmapscan = off");
    if (c.role) conn.exec(std::string("SET ROLE ") + c.role);
}

std::string plan_summary(Connection& conn, const std::string& sql) {
    std::string out;
    for (const auto& row : conn.query("EXPLAIN " + sql)) {
        const std::string& line = row[0];
        const auto at = line.find_first_not_of(" ->");
        if (at == std::string::npos) continue;
        std::string l = line.substr(at);
        l = l.substr(0, l.find("  (cost"));
        out += (out.empty() ? "" : "; ") + l;
    }
    return out;
}

Cones measure_cones(Connection& conn, const Backend& be, const Options& o, unsigned seed) {
    Cones r;
    r.rows = count_rows(conn);
    const std::vector<std::string> sql = cone_queries(conn, o.cones, o.radius_deg, seed);
    r.positions = static_cast<int>(sql.size());
    r.seq_positions = std::min(o.seq_cones, r.positions);
    r.configs = {{"superuser (RLS bypassed), GiST", nullptr, true, {}, 0},
                 {"reader (RLS: visible_from <= now()), GiST", kReaderRole, true, {}, 0},
                 {"staff (RLS: staff policy), GiST", kStaffRole, true, {}, 0},
                 {"superuser, no index (seq scan)", nullptr, false, {}, 0},
                 {"reader (RLS), no index (seq scan)", kReaderRole, false, {}, 0}};
    set_config(conn, r.configs[1]);
    r.reader_visible = std::stol(conn.value("SELECT count(*) FROM ivoa.obscore"));
    r.reader_plan = plan_summary(conn, sql.front());
    set_config(conn, r.configs[2]);
    r.staff_plan = plan_summary(conn, sql.front());
    // Warm-up: every position once per indexed configuration, untimed (caches, catalog lookups).
    for (auto& c : r.configs) {
        if (!c.index) continue;
        set_config(conn, c);
        for (const auto& q : sql) conn.value(q);
    }
    for (int round = 0; round < o.rounds; ++round) {
        for (std::size_t k = 0; k < r.configs.size(); ++k) {
            auto& c = r.configs[(k + static_cast<std::size_t>(round)) % r.configs.size()];  // rotate the order
            const int n = c.index ? r.positions : r.seq_positions;
            if (n == 0 || (!c.index && round > 0)) continue;  // seq scans: one round
            set_config(conn, c);
            long matched = 0;
            const Timing t = timed(be, [&] {
                for (int i = 0; i < n; ++i) matched += std::stol(conn.value(sql[static_cast<std::size_t>(i)]));
            });
            c.rounds.add({t.wall / n, t.cpu >= 0 ? t.cpu / n : -1});
            if (round == 0 || !c.index) c.matched = matched;
        }
    }
    conn.exec("RESET ROLE");
    conn.exec("RESET enable_indexscan");
    conn.exec("RESET enable_bitmapscan");
    return r;
}

// Median over rounds of a/b, round by round (both measured in the same round).
double paired_ratio(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> r;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) r.push_back(a[i] / b[i]);
    return median(r);
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const Options o = parse(argc, argv);
    try {
        Connection conn(o.conninfo);
        Backend be{std::stoi(conn.value("SELECT pg_backend_pid()"))};
        std::printf("obsmeta-bench-obscore: sizes %ld%s ObsCore rows, %d new visits per size, %d refresh(es) per size and form,"
                    " %d cones of %g deg x %d rounds; backend CPU %s; %s\n",
                    o.rows, o.full ? (" and " + std::to_string(o.full_rows)).c_str() : "", o.visits, o.refreshes, o.cones,
                    o.radius_deg, o.rounds, be.cpu() >= 0 ? "from /proc" : "unknown (server elsewhere)",
                    conn.value("SELECT version()").c_str());
        for (const char* role : {kReaderRole, kStaffRole}) conn.exec(std::string("DROP ROLE IF EXISTS ") + role);
        conn.exec(std::string("CREATE ROLE ") + kReaderRole + " NOLOGIN IN ROLE obsmeta_reader");
        conn.exec(std::string("CREATE ROLE ") + kStaffRole + " NOLOGIN IN ROLE obsmeta_staff");

        std::vector<long> sizes{o.rows};
        if (o.full) sizes.push_back(o.full_rows);
        std::vector<Maintenance> maint;
        SpolyKeys keys;
        std::vector<Cones> cones;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            std::printf("\n## size %ld\n", sizes[i]);
            grow_to(conn, sizes[i], o.batch);
            if (o.maintenance) maint.push_back(measure_maintenance(conn, be, o));
            if (o.maintenance && i == 0) keys = measure_spoly_keys(conn, be, o);
            if (o.cone_search) cones.push_back(measure_cones(conn, be, o, 42 + static_cast<unsigned>(i)));
        }
        for (const char* role : {kReaderRole, kStaffRole}) conn.exec(std::string("DROP ROLE ") + role);

        if (!maint.empty()) std::printf("\n### (a) ObsCore maintenance of one new visit and (b) the whole visit, vs REFRESH MATERIALIZED VIEW"
                    " (SELECT * FROM obsmeta.obscore_source)\n\n");
        if (!maint.empty()) {
            std::printf("medians in seconds, wall (backend CPU); a visit adds %ld rows\n\n", maint.front().visit_rows);
            std::printf("| ObsCore rows | incremental: what is timed | s | REFRESH, heap only: s / ratio | REFRESH with ivoa.obscore's indexes: s / ratio |\n");
            std::printf("|---:|---|---:|---:|---:|\n");
        }
        for (const auto& m : maint) {
            const double rh = m.refresh_heap.wall_median(), ri = m.refresh_indexed.wall_median();
            const double rhc = m.refresh_heap.cpu_median(), ric = m.refresh_indexed.cpu_median();
            auto line = [&](const char* what, const Series& s) {
                const double w = s.wall_median(), c = s.cpu_median();
                std::string ratios_h = times_x(rh / w), ratios_i = times_x(ri / w);
                if (!std::isnan(c)) {
                    ratios_h += " (CPU " + times_x(rhc / c) + ")";
                    ratios_i += " (CPU " + times_x(ric / c) + ")";
                }
                std::printf("| %ld | %s | %s | %s / %s | %s / %s |\n", m.rows, what, seconds(w, c).c_str(),
                            seconds(rh, rhc).c_str(), ratios_h.c_str(), seconds(ri, ric).c_str(), ratios_i.c_str());
            };
            line("(a) ObsCore maintenance: the triggers' recording + obscore_flush() (server's function time)", m.maint);
            line("of which obsmeta.obscore_flush()", m.flush);
            line("(b) whole visit: COPY + obsmeta.convert() (maintenance included) + commit", m.whole);
            line("obsmeta.convert() alone (maintenance included)", m.convert);
        }

        if (keys.rows > 0) {
            const double h = keys.heap.wall_median(), p = keys.pg_sphere.wall_median(), m = keys.obsmeta.wall_median();
            std::printf("\n### the spoly GiST key: %ld of ivoa.obscore's footprints inserted (median of %zu rounds, backend CPU)\n\n"
                        "| into | s | us a row | index's share, us a row |\n|---|---:|---:|---:|\n"
                        "| heap, no index | %.4f | %.1f | - |\n"
                        "| heap + GiST, pg_sphere's spoly operator class | %.4f | %.1f | %.1f |\n"
                        "| heap + GiST, obsmeta.spoly_gist_ops (same keys) | %.4f | %.1f | %.1f |\n\n"
                        "the index's share of an insert: %s cheaper with obsmeta.spoly_gist_ops\n",
                        keys.rows, keys.heap.wall.size(), h, 1e6 * h / keys.rows, p, 1e6 * p / keys.rows,
                        1e6 * (p - h) / keys.rows, m, 1e6 * m / keys.rows, 1e6 * (m - h) / keys.rows,
                        times_x((p - h) / (m - h)).c_str());
        }

        if (!cones.empty()) std::printf("\n### cone search (s_region && scircle, %g deg): ms per query, median of %d rounds"
                    " (each round: every position once, planning included)\n\n", o.radius_deg, o.rounds);
        if (!cones.empty())
            std::printf("| ObsCore rows | configuration | positions x rounds | rows matched per round | ms wall | ms backend CPU |\n|---:|---|---:|---:|---:|---:|\n");
        for (const auto& c : cones)
            for (const auto& k : c.configs)
                std::printf("| %ld | %s | %d x %zu | %ld | %.3f | %.3f |\n", c.rows, k.name, k.index ? c.positions : c.seq_positions,
                            k.rounds.wall.size(), k.matched, 1000 * k.rounds.wall_median(), 1000 * k.rounds.cpu_median());
        for (const auto& c : cones)
            std::printf("\nat %ld rows the reader sees %ld rows\n  reader's plan: %s\n  staff's plan:  %s\n", c.rows, c.reader_visible,
                        c.reader_plan.c_str(), c.staff_plan.c_str());

        std::printf("\n### goals\n\n| goal | target | ObsCore rows | measured | met |\n|---|---|---:|---:|---|\n");
        // (a) and (b) against both refreshes; the goal's verdict is printed for each
        std::vector<double> ratio_a, ratio_b;
        for (const auto& m : maint) {
            const bool at_full = m.rows >= 1000000;
            const char* target = at_full ? ">= 1000x at 10^6" : "(grows with size)";
            const double a = m.maint.wall_median(), b = m.whole.wall_median();
            ratio_a.push_back(m.refresh_heap.wall_median() / a);
            ratio_b.push_back(m.refresh_heap.wall_median() / b);
            const struct {
                const char* what;
                double ratio;
            } rows[] = {{"(a) REFRESH heap only / ObsCore maintenance of a visit", ratio_a.back()},
                        {"(a) REFRESH with the indexes / ObsCore maintenance of a visit", m.refresh_indexed.wall_median() / a},
                        {"(b) REFRESH heap only / whole visit: conversion + maintenance", ratio_b.back()},
                        {"(b) REFRESH with the indexes / whole visit", m.refresh_indexed.wall_median() / b}};
            for (const auto& r : rows)
                std::printf("| %s | %s | %ld | %s | %s |\n", r.what, target, m.rows, times_x(r.ratio).c_str(),
                            at_full ? yes_no(r.ratio >= kGoalRefreshRatioFull) : "-");
        }
        if (maint.size() > 1) {
            std::printf("| (a) gap grows with size (heap only) | ratio(%ld) > ratio(%ld) | - | %s -> %s | %s |\n", maint[1].rows,
                        maint[0].rows, times_x(ratio_a[0]).c_str(), times_x(ratio_a[1]).c_str(), yes_no(ratio_a[1] > ratio_a[0]));
            std::printf("| (b) gap grows with size (heap only) | ratio(%ld) > ratio(%ld) | - | %s -> %s | %s |\n", maint[1].rows,
                        maint[0].rows, times_x(ratio_b[0]).c_str(), times_x(ratio_b[1]).c_str(), yes_no(ratio_b[1] > ratio_b[0]));
        }
        for (const auto& c : cones) {
            const auto& su = c.configs[0].rounds;
            const auto& rd = c.configs[1].rounds;
            const auto& st = c.configs[2].rounds;
            const double wall = paired_ratio(rd.wall, su.wall), cpu = paired_ratio(rd.cpu, su.cpu);
            std::printf("| RLS overhead, cone with GiST: reader / superuser (median of per-round ratios, wall) | <= %.2fx | %ld | %.3fx | %s |\n",
                        kGoalRlsOverhead, c.rows, wall, yes_no(wall <= kGoalRlsOverhead));
            std::printf("| same, backend CPU | (informational) | %ld | %.3fx | - |\n", c.rows, cpu);
            std::printf("| staff / superuser, cone with GiST (wall) | (informational) | %ld | %.3fx | - |\n", c.rows,
                        paired_ratio(st.wall, su.wall));
            if (c.seq_positions > 0) {
                std::printf("| GiST speed-up, superuser (seq / index) | (informational) | %ld | %.0fx | - |\n", c.rows,
                            c.configs[3].rounds.wall_median() / su.wall_median());
                std::printf("| GiST speed-up, reader (seq / index) | (informational) | %ld | %.0fx | - |\n", c.rows,
                            c.configs[4].rounds.wall_median() / rd.wall_median());
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "obsmeta-bench-obscore: %s\n", e.what());
        return 1;
    }
    return 0;
}
