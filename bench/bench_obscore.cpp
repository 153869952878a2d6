// obsmeta-bench-obscore: what incremental maintenance of ivoa.obscore and its row-level security cost.
//
// a) Maintenance: ivoa.obscore is grown to --rows ObsCore rows (default 10^5; with --full also to
//    --full-rows, default 10^6) by bulk-loading generated nights into gen3 (COPY of
//    make_bench_night's exposures, 189 detectors, raw + visit_image; conversion, and so the ObsCore
//    triggers, in the loading transaction, as in production; nothing synthetic). At each size it
//    times converting one new visit (COPY of its gen3 rows, conversion at commit, ivoa.obscore
//    maintained by the statement triggers) against REFRESH MATERIALIZED VIEW of a materialized
//    view defined as SELECT * FROM obsmeta.obscore_source (what a non-incremental ObsCore costs).
// b) Cone searches (s_region_spoly && scircle, radius 0.5 deg, at positions near random rows):
//    as a reader role (RLS policy applies; a temporary NOLOGIN member of obsmeta_reader, SET ROLE)
//    vs as superuser (RLS bypassed), and with the GiST index vs without (enable_indexscan and
//    enable_bitmapscan off). Queries of the configurations alternate position by position.
// Ids are fresh for every run (past the highest exposure id in gen3): the loaded rows stay, and a
// second run reuses them (it loads only what is missing to reach the size). Times are wall clock
// (steady_clock) on the client. A benchmark reports; it asserts nothing: exit 0 unless a query fails.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sample_night/night.hpp"
#include "sample_night/pg_io.hpp"
#include "sample_night/table_text.hpp"

using namespace obsmeta::sample;

namespace {

constexpr double kGoalRefreshRatioFull = 1000;  // incremental at least 1000x cheaper than a refresh at 10^6 rows
constexpr double kGoalRlsOverhead = 1.10;       // RLS adds at most 10% to a cone search
constexpr const char* kReaderRole = "obsmeta_bench_obscore_reader";
constexpr const char* kMatView = "public.bench_obscore_mv";

struct Options {
    std::string conninfo;
    long rows = 100000;
    long full_rows = 1000000;
    bool full = false;
    int batch = 50;            // exposures per loading transaction
    int visits = 3;            // single-visit conversions timed per size (median)
    int refreshes = 1;         // REFRESH MATERIALIZED VIEW timed per size (median)
    int cones = 50;            // cone positions per size
    int seq_cones = 10;        // of which also run without the index (a seq scan costs seconds at 10^5+)
    double radius_deg = 0.5;
};

[[noreturn]] void usage(const char* msg) {
    std::fprintf(stderr,
                 "%s\nusage: obsmeta-bench-obscore --conninfo \"...\" [--rows N] [--full] [--full-rows N] [--batch N]\n"
                 "       [--visits N] [--refreshes N] [--cones N] [--seq-cones N] [--radius DEG]\n",
                 msg);
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--conninfo") o.conninfo = next();
        else if (a == "--rows") o.rows = std::stol(next());
        else if (a == "--full-rows") o.full_rows = std::stol(next());
        else if (a == "--full") o.full = true;
        else if (a == "--batch") o.batch = std::stoi(next());
        else if (a == "--visits") o.visits = std::stoi(next());
        else if (a == "--refreshes") o.refreshes = std::stoi(next());
        else if (a == "--cones") o.cones = std::stoi(next());
        else if (a == "--seq-cones") o.seq_cones = std::stoi(next());
        else if (a == "--radius") o.radius_deg = std::stod(next());
        else usage(("unknown argument " + a).c_str());
    }
    if (o.conninfo.empty()) usage("--conninfo is required");
    if (o.rows < 1 || o.full_rows < 1 || o.batch < 1 || o.visits < 1 || o.refreshes < 1 || o.cones < 1)
        usage("counts must be >= 1");
    return o;
}

bool is_static(const std::string& t) {
    return t == "instrument" || t == "physical_filter" || t == "detector" || t == "day_obs";
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double timed(const std::function<void()>& f) {
    const double t0 = now_s();
    f();
    return now_s() - t0;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

long count_rows(Connection& conn) { return std::stol(conn.value("SELECT count(*) FROM ivoa.obscore")); }

int next_free_seq(Connection& conn) {
    const std::string lo = std::to_string(exposure_id(1) - 1), hi = std::to_string(exposure_id(99999));
    return std::stoi(conn.value("SELECT coalesce(max(id), " + lo + ") - " + lo + " + 1 FROM (SELECT id FROM gen3.exposure"
                                " UNION ALL SELECT id FROM gen3.visit) x WHERE id BETWEEN " + lo + " AND " + hi));
}

// One transaction: COPY of the night's exposure tables into gen3; conversion (and ObsCore
// maintenance) at commit. Static tables (instrument, filters, detectors, day_obs) go in first,
// ignoring conflicts.
void load_night(Connection& conn, const Night& night) {
    const auto tables = to_tables(night);
    conn.exec("BEGIN");
    for (const auto& t : tables)
        if (is_static(t.name)) insert_rows(conn, "gen3", t, true);
    for (const auto& t : tables)
        if (!is_static(t.name)) copy_table(conn, "gen3", t);
    conn.exec("COMMIT");
}

// Grow ivoa.obscore to at least `target` rows with generated exposures.
void grow_to(Connection& conn, long target, int batch) {
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
        load_night(conn, make_bench_night(batch, seq));
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

struct Maintenance {
    long rows = 0;
    double visit_s = 0, refresh_s = 0;
    long visit_rows = 0;  // ObsCore rows one visit added
};

Maintenance measure_maintenance(Connection& conn, const Options& o) {
    Maintenance m;
    m.rows = count_rows(conn);
    conn.exec(std::string("DROP MATERIALIZED VIEW IF EXISTS ") + kMatView);
    conn.exec(std::string("CREATE MATERIALIZED VIEW ") + kMatView + " AS SELECT * FROM obsmeta.obscore_source WITH NO DATA");
    std::vector<double> visit, refresh;
    for (int i = 0; i < o.visits; ++i) {
        const int seq = next_free_seq(conn);
        const Night night = make_bench_night(1, seq);
        conn.exec("CHECKPOINT");
        const long before = count_rows(conn);
        visit.push_back(timed([&] { load_night(conn, night); }));
        m.visit_rows = count_rows(conn) - before;
        std::printf("  one visit (seq %d): %.3f s, +%ld ObsCore rows\n", seq, visit.back(), m.visit_rows);
    }
    for (int i = 0; i < o.refreshes; ++i) {
        conn.exec("CHECKPOINT");
        refresh.push_back(timed([&] { conn.exec(std::string("REFRESH MATERIALIZED VIEW ") + kMatView); }));
        std::printf("  REFRESH MATERIALIZED VIEW: %.3f s (%s rows)\n", refresh.back(),
                    conn.value(std::string("SELECT count(*) FROM ") + kMatView).c_str());
    }
    conn.exec(std::string("DROP MATERIALIZED VIEW ") + kMatView);
    m.visit_s = median(visit);
    m.refresh_s = median(refresh);
    return m;
}

struct ConeConfig {
    const char* name;
    bool reader;
    bool index;
    std::vector<double> times;
    long matched = 0;
};

struct Cones {
    long rows = 0;
    long reader_visible = 0;
    std::vector<ConeConfig> configs;
    std::string reader_plan;
};

void set_config(Connection& conn, const ConeConfig& c) {
    conn.exec("RESET ROLE");
    conn.exec(c.index ? "RESET enable_indexscan" : "SET enable_indexscan = off");
    conn.exec(c.index ? "RESET enable_bitmapscan" : "SET enable_bitmapscan = off");
    if (c.reader) conn.exec(std::string("SET ROLE ") + kReaderRole);
}

Cones measure_cones(Connection& conn, const Options& o, unsigned seed) {
    Cones r;
    r.rows = count_rows(conn);
    // Positions near random rows (within 1 degree), so that most cones find something.
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> jitter(-1.0, 1.0);
    const auto centers = conn.query("SELECT s_ra, s_dec FROM ivoa.obscore WHERE s_ra IS NOT NULL ORDER BY random() LIMIT " +
                                    std::to_string(o.cones));
    std::vector<std::string> sql;
    for (const auto& c : centers) {
        const double dec = std::clamp(std::stod(c[1]) + jitter(rng), -89.0, 89.0);
        const double ra = std::fmod(std::stod(c[0]) + jitter(rng) + 360.0, 360.0);
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "SELECT count(*) FROM ivoa.obscore WHERE s_region_spoly && scircle(spoint(radians(%.6f), radians(%.6f)), radians(%g))",
                      ra, dec, o.radius_deg);
        sql.emplace_back(buf);
    }
    r.configs = {{"superuser (RLS bypassed), GiST", false, true, {}, 0},
                 {"reader (RLS), GiST", true, true, {}, 0},
                 {"superuser, no index (seq scan)", false, false, {}, 0},
                 {"reader (RLS), no index (seq scan)", true, false, {}, 0}};
    set_config(conn, r.configs[1]);
    r.reader_visible = std::stol(conn.value("SELECT count(*) FROM ivoa.obscore"));
    for (const auto& row : conn.query("EXPLAIN " + sql.front()))
        if (row[0].find("Scan") != std::string::npos) r.reader_plan += (r.reader_plan.empty() ? "" : "; ") + row[0].substr(row[0].find_first_not_of(" ->"));
    // Warm-up: one query per configuration, untimed.
    for (auto& c : r.configs) {
        set_config(conn, c);
        conn.value(sql.front());
    }
    for (std::size_t i = 0; i < sql.size(); ++i) {
        for (std::size_t k = 0; k < r.configs.size(); ++k) {
            auto& c = r.configs[(k + i) % r.configs.size()];  // rotate the order position by position
            if (!c.index && static_cast<int>(i) >= o.seq_cones) continue;
            set_config(conn, c);
            std::string n;
            c.times.push_back(timed([&] { n = conn.value(sql[i]); }));
            c.matched += std::stol(n);
        }
    }
    conn.exec("RESET ROLE");
    conn.exec("RESET enable_indexscan");
    conn.exec("RESET enable_bitmapscan");
    return r;
}

double sum(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const Options o = parse(argc, argv);
    try {
        Connection conn(o.conninfo);
        std::printf("obsmeta-bench-obscore: sizes %ld%s ObsCore rows, %d single-visit conversions and %d refresh(es) per size, %d cones of %g deg; %s\n",
                    o.rows, o.full ? (" and " + std::to_string(o.full_rows)).c_str() : "", o.visits, o.refreshes,
                    o.cones, o.radius_deg, conn.value("SELECT version()").c_str());
        conn.exec(std::string("DROP ROLE IF EXISTS ") + kReaderRole);
        conn.exec(std::string("CREATE ROLE ") + kReaderRole + " NOLOGIN IN ROLE obsmeta_reader");

        std::vector<long> sizes{o.rows};
        if (o.full) sizes.push_back(o.full_rows);
        std::vector<Maintenance> maint;
        std::vector<Cones> cones;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            std::printf("\n## size %ld\n", sizes[i]);
            grow_to(conn, sizes[i], o.batch);
            maint.push_back(measure_maintenance(conn, o));
            cones.push_back(measure_cones(conn, o, 42 + static_cast<unsigned>(i)));
        }
        conn.exec(std::string("DROP ROLE ") + kReaderRole);

        std::printf("\n### (a) one new visit, incremental vs REFRESH MATERIALIZED VIEW (SELECT * FROM obsmeta.obscore_source)\n\n");
        std::printf("| ObsCore rows | one visit (+rows), incremental s | REFRESH MATERIALIZED VIEW s | ratio refresh / incremental |\n");
        std::printf("|---:|---:|---:|---:|\n");
        for (const auto& m : maint)
            std::printf("| %ld | %.3f (+%ld) | %.3f | %.0fx |\n", m.rows, m.visit_s, m.visit_rows, m.refresh_s,
                        m.refresh_s / m.visit_s);

        std::printf("\n### (b) cone search (s_region_spoly && scircle, %g deg), %d positions (no-index rows: the first %d); ms per query\n\n", o.radius_deg, o.cones, std::min(o.cones, o.seq_cones));
        std::printf("| ObsCore rows | configuration | queries | rows matched (sum) | median ms | mean ms |\n|---:|---|---:|---:|---:|---:|\n");
        for (const auto& c : cones)
            for (const auto& k : c.configs)
                std::printf("| %ld | %s | %zu | %ld | %.3f | %.3f |\n", c.rows, k.name, k.times.size(), k.matched, 1000 * median(k.times),
                            1000 * sum(k.times) / static_cast<double>(k.times.size()));
        for (const auto& c : cones)
            std::printf("\nat %ld rows the reader sees %ld rows; reader's plan: %s\n", c.rows, c.reader_visible, c.reader_plan.c_str());

        std::printf("\n### goals\n\n| goal | target | ObsCore rows | measured | met |\n|---|---|---:|---:|---|\n");
        for (std::size_t i = 0; i < maint.size(); ++i) {
            const double ratio = maint[i].refresh_s / maint[i].visit_s;
            const bool at_full = maint[i].rows >= 1000000;
            std::printf("| refresh / incremental | %s | %ld | %.0fx | %s |\n",
                        at_full ? ">= 1000x at 10^6" : "(grows with size)", maint[i].rows, ratio,
                        at_full ? yes_no(ratio >= kGoalRefreshRatioFull) : "-");
        }
        if (maint.size() > 1) {
            const double r0 = maint[0].refresh_s / maint[0].visit_s, r1 = maint[1].refresh_s / maint[1].visit_s;
            std::printf("| gap grows with size | ratio(%ld) > ratio(%ld) | - | %.0fx -> %.0fx | %s |\n", maint[1].rows,
                        maint[0].rows, r0, r1, yes_no(r1 > r0));
        }
        for (const auto& c : cones) {
            const double with = median(c.configs[1].times), without = median(c.configs[0].times);
            std::printf("| RLS overhead, cone with GiST (reader / superuser, medians) | <= %.2fx | %ld | %.3fx | %s |\n",
                        kGoalRlsOverhead, c.rows, with / without, yes_no(with / without <= kGoalRlsOverhead));
            const double seq_su = median(c.configs[2].times), seq_rd = median(c.configs[3].times);
            std::printf("| GiST speed-up, superuser (seq / index, medians) | (informational) | %ld | %.1fx | - |\n", c.rows,
                        seq_su / without);
            std::printf("| GiST speed-up, reader (seq / index, medians) | (informational) | %ld | %.1fx | - |\n", c.rows,
                        seq_rd / with);
            std::printf("| RLS overhead, seq scan (reader / superuser, medians) | (informational) | %ld | %.3fx | - |\n", c.rows,
                        seq_rd / seq_su);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "obsmeta-bench-obscore: %s\n", e.what());
        return 1;
    }
    return 0;
}
