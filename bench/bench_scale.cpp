// obsmeta-bench-scale: the scale curve of a visit's cost and of a reader's cone search, at archive
// sizes of 10^5, 10^6, 10^7 ObsCore rows (--sizes), and the coverage MOCs' maintenance against
// recomputing them. Run through bench/scale.sh (fresh database, bench/scale_replicate.sql, plot).
//
// How the archive is filled (it would take hours to convert 10^7 rows on a 2-core machine):
//  * the first size is loaded for real: generated nights (make_bench_night, 189 detectors, raw +
//    visit_image) bulk-COPYed into gen3 and converted, 50 exposures a transaction (as
//    obsmeta-bench-obscore does);
//  * after measuring it, that archive becomes the base (bench_scale.snapshot()), and each larger
//    size is reached by set-based copies of the base (bench/scale_replicate.sql says column by
//    column what a copy changes): every table that grows with the archive, gen3 through caom2 to
//    ivoa.obscore and the coverage cells, with fresh ids and positions rotated in RA. To fill
//    10^7 rows within the hour on 2 cores the copies go into the tables with their indexes and
//    keys dropped (triggers off; --sessions sessions at once; fsync, full_page_writes and
//    synchronous_commit off), and the indexes and keys, as the extension defines them, are built
//    once afterwards (largest first, over the sessions; a duplicate id or dangling reference
//    fails there), then VACUUM ANALYZE, CHECKPOINT, and a sample of planes checked as
//    obsmeta.verify_obscore() does. Copying stops early at --min-free-gb free disk or after
//    --max-copy-s; the size reached is measured.
// Measured at every size, on top of that archive, with real conversions and the production
// durability settings (fsync, full_page_writes, synchronous_commit on; --cluster-settings: the
// cluster's own):
//  * --visits new visits, one transaction each (COPY of its gen3 rows, obsmeta.convert(), COMMIT):
//    the whole visit, the conversion call, ObsCore maintenance (the CAOM2 triggers' recording +
//    obscore_flush(), server's function time, track_functions = pl), of which the coverage
//    triggers on ivoa.obscore (coverage_on_obscore), and the WAL the transaction wrote;
//  * the coverage MOCs recomputed from ivoa.obscore (obsmeta.coverage_rebuild() in a transaction
//    rolled back; up to --moc-rebuild-max rows), and a reader's read of ivoa.coverage (the stored
//    day/month unions, obsmeta.coverage_bucket) against the same reader's union of every plane
//    cell it may see (what ivoa.coverage read before 0.4.0), alternating;
//  * cone searches (s_region && scircle at --radii, --cones positions near random rows, sent as
//    text so planned each time) as a reader (RLS applies) and as superuser, alternating, --rounds
//    rounds; ms per query is the median over rounds of the round's mean;
//  * the database's and ivoa.obscore's size, and btree depths (pageinspect).
// Prints one table; --tsv writes it for bench/plot_scale.py. A benchmark reports; it asserts
// nothing: exit 0 unless a query fails.
#include <sys/statvfs.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sample_night/cli.hpp"
#include "sample_night/pg_io.hpp"

#include "obscore_visits.hpp"

using namespace obsmeta::sample;
using namespace obsmeta::bench;

namespace {

constexpr const char* kReaderRole = "obsmeta_bench_scale_reader";

struct Options {
    std::string conninfo, tsv;
    std::vector<long> sizes{100000, 1000000, 10000000};
    std::vector<double> radii{0.5, 0.05};
    int batch = 50;
    int visits = 5;
    int cones = 100;
    int rounds = 5;
    long moc_rebuild_max = 2000000;
    int sessions = 2;          // sessions filling (copies, index builds, VACUUM) at once
    double min_free_gb = 15;   // stop copying before the data directory's disk has less free
    double max_copy_s = 0;     // stop copying for one size after this long (0: no limit)
    bool production = true;    // measure with fsync, full_page_writes, synchronous_commit on
    int verify_planes = 20;    // verify_obscore() on the rows of this many random planes after each fill
};

template <typename T>
std::vector<T> list_of(const std::string& text, T (*conv)(const std::string&)) {
    std::vector<T> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(conv(item));
    return out;
}

Options parse(int argc, char** argv) {
    Options o;
    Cli cli(argc, argv,
            "usage: obsmeta-bench-scale --conninfo \"...\" [--sizes N,N,...] [--batch N] [--visits N] [--cones N]\n"
            "       [--rounds N] [--radii DEG,DEG] [--moc-rebuild-max N] [--tsv FILE] [--sessions N] [--min-free-gb G] [--max-copy-s S]\n"
            "       [--verify-planes N] [--cluster-settings (measure with the cluster's own durability settings)]");
    while (cli.next()) {
        if (cli.is("--conninfo")) o.conninfo = cli.value();
        else if (cli.is("--sizes")) o.sizes = list_of<long>(cli.value(), [](const std::string& s) { return std::stol(s); });
        else if (cli.is("--radii")) o.radii = list_of<double>(cli.value(), [](const std::string& s) { return std::stod(s); });
        else if (cli.is("--batch")) o.batch = cli.int_value();
        else if (cli.is("--visits")) o.visits = cli.int_value();
        else if (cli.is("--cones")) o.cones = cli.int_value();
        else if (cli.is("--rounds")) o.rounds = cli.int_value();
        else if (cli.is("--moc-rebuild-max")) o.moc_rebuild_max = cli.long_value();
        else if (cli.is("--tsv")) o.tsv = cli.value();
        else if (cli.is("--sessions")) o.sessions = cli.int_value();
        else if (cli.is("--min-free-gb")) o.min_free_gb = std::stod(cli.value());
        else if (cli.is("--max-copy-s")) o.max_copy_s = std::stod(cli.value());
        else if (cli.is("--verify-planes")) o.verify_planes = cli.int_value();
        else if (cli.is("--cluster-settings")) o.production = false;
        else cli.unknown();
    }
    if (o.conninfo.empty()) cli.fail("--conninfo is required");
    if (o.sizes.empty() || o.radii.empty() || o.batch < 1 || o.visits < 1 || o.cones < 1 || o.rounds < 1 || o.sessions < 1)
        cli.fail("counts must be >= 1, --sizes and --radii non-empty");
    for (std::size_t i = 1; i < o.sizes.size(); ++i)
        if (o.sizes[i] <= o.sizes[i - 1]) cli.fail("--sizes must increase");
    return o;
}

struct Point {
    long rows = 0;
    long visit_rows = 0;
    Series whole, convert, maint, coverage;
    std::vector<double> wal;
    double moc_rebuild = NAN;     // coverage_rebuild(), s
    long moc_cells = 0;
    Series coverage_read;         // a reader's SELECT of ivoa.coverage (stored unions)
    Series coverage_read_cells;   // the same reader's union of every plane cell (ivoa.coverage before 0.4.0)
    long moc_buckets = 0;
    std::vector<double> cone_reader_ms, cone_super_ms, cone_matched;  // per radius
    double db_gb = 0, obscore_gb = 0, gist_mb = 0;
    std::string depths;
    std::string how;              // how the archive got to this size
};

void measure_visits(Connection& conn, const Backend& be, const Options& o, Point& p) {
    conn.exec("SET track_functions = 'pl'");
    conn.exec("CHECKPOINT");
    for (int i = 0; i < o.visits; ++i) {
        const VisitTimes v = convert_one_visit(conn, be);
        p.visit_rows = v.rows;
        p.whole.add(v.whole);
        p.convert.add(v.convert);
        p.maint.add({v.recording + v.flush, -1});
        p.coverage.add({v.coverage, -1});
        p.wal.push_back(v.wal_bytes);
        std::printf("  visit seq %d: whole %s, convert %s; ObsCore maintenance %.4f (recording %.4f + flush %.4f, of which coverage "
                    "%.4f); WAL %.2f MB; +%ld rows\n",
                    v.seq, seconds(v.whole.wall, v.whole.cpu).c_str(), seconds(v.convert.wall, v.convert.cpu).c_str(),
                    v.recording + v.flush, v.recording, v.flush, v.coverage, v.wal_bytes / 1e6, v.rows);
    }
    conn.exec("RESET track_functions");
}

void measure_coverage(Connection& conn, const Backend& be, const Options& o, Point& p) {
    p.moc_cells = std::stol(conn.value("SELECT count(*) FROM obsmeta.coverage_cell"));
    if (p.rows <= o.moc_rebuild_max) {
        conn.exec("CHECKPOINT");
        conn.exec("BEGIN");
        const Timing t = timed(be, [&] { conn.value("SELECT obsmeta.coverage_rebuild()"); });
        conn.exec("ROLLBACK");
        p.moc_rebuild = t.wall;
        std::printf("  coverage MOCs recomputed from ivoa.obscore (obsmeta.coverage_rebuild(), rolled back): %s\n",
                    seconds(t.wall, t.cpu).c_str());
    } else {
        std::printf("  coverage recompute not timed above --moc-rebuild-max %ld rows\n", o.moc_rebuild_max);
    }
    p.moc_buckets = std::stol(conn.value("SELECT count(*) FROM obsmeta.coverage_bucket"));
    conn.exec(std::string("SET ROLE ") + kReaderRole);
    // the old read (every plane cell) is linear in the cells: minutes at 10^7, so read once there
    const int reads = p.rows <= o.moc_rebuild_max ? 3 : 1;
    for (int i = 0; i < reads; ++i) {
        p.coverage_read_cells.add(timed(be, [&] {
            conn.value("SELECT count(*) FROM (SELECT obs_collection, band, sum(moc) AS moc FROM obsmeta.coverage_cell"
                       " GROUP BY obs_collection, band) c WHERE moc IS NOT NULL");
        }));
        p.coverage_read.add(timed(be, [&] { conn.value("SELECT count(*) FROM ivoa.coverage WHERE moc IS NOT NULL"); }));
    }
    conn.exec("RESET ROLE");
    std::printf("  a reader's SELECT of ivoa.coverage (stored unions, %ld hour/day/month buckets): %s; the union of every plane cell it may "
                "see (%ld cells, ivoa.coverage before 0.4.0): %s; stored unions %s faster in CPU, %s in wall\n",
                p.moc_buckets, seconds(p.coverage_read.wall_median(), p.coverage_read.cpu_median()).c_str(), p.moc_cells,
                seconds(p.coverage_read_cells.wall_median(), p.coverage_read_cells.cpu_median()).c_str(),
                times_x(p.coverage_read_cells.cpu_median() / p.coverage_read.cpu_median()).c_str(),
                times_x(p.coverage_read_cells.wall_median() / p.coverage_read.wall_median()).c_str());
}

void measure_cones(Connection& conn, const Options& o, unsigned seed, Point& p) {
    for (const double radius : o.radii) {
        const auto sql = cone_queries(conn, o.cones, radius, seed);
        const double n = static_cast<double>(sql.size());
        std::vector<double> reader, super;
        long matched = 0;
        auto run = [&](bool as_reader) {
            conn.exec(as_reader ? std::string("SET ROLE ") + kReaderRole : std::string("RESET ROLE"));
            long m = 0;
            const double t0 = now_s();
            for (const auto& q : sql) m += std::stol(conn.value(q));
            const double s = now_s() - t0;
            conn.exec("RESET ROLE");
            if (as_reader) matched = m;
            return 1000 * s / n;
        };
        run(true);  // warm-up (caches, catalog lookups), untimed
        run(false);
        for (int r = 0; r < o.rounds; ++r) {  // alternate which goes first
            if (r % 2) {
                super.push_back(run(false));
                reader.push_back(run(true));
            } else {
                reader.push_back(run(true));
                super.push_back(run(false));
            }
        }
        p.cone_reader_ms.push_back(median(reader));
        p.cone_super_ms.push_back(median(super));
        p.cone_matched.push_back(static_cast<double>(matched) / n);
        std::printf("  cone %g deg: reader %.3f ms, superuser %.3f ms (median of %d rounds x %zu positions), %.0f rows found a cone\n",
                    radius, p.cone_reader_ms.back(), p.cone_super_ms.back(), o.rounds, sql.size(), p.cone_matched.back());
    }
}

void measure_sizes(Connection& conn, Point& p) {
    const auto r = conn.query(
        "SELECT pg_database_size(current_database()) / 1e9, pg_total_relation_size('ivoa.obscore') / 1e9,"
        "       pg_relation_size('ivoa.obscore_s_region_idx') / 1e6");
    p.db_gb = std::stod(r[0][0]);
    p.obscore_gb = std::stod(r[0][1]);
    p.gist_mb = std::stod(r[0][2]);
    try {
        conn.exec("CREATE EXTENSION IF NOT EXISTS pageinspect");
        p.depths = conn.value(
            "SELECT string_agg(i::text || ' ' || (bt_metap(i::text)).level, ', ' ORDER BY i::text) FROM unnest(ARRAY["
            "'ivoa.obscore_pkey'::regclass, 'ivoa.obscore_obs_publisher_did_idx', 'caom2.artifact_pkey', 'caom2.chunk_pkey',"
            "'gen3.dataset_pkey', 'obsmeta.dataset_plane_pkey']) i");
    } catch (const PgError& e) {
        p.depths = std::string("(pageinspect: ") + e.what() + ")";
    }
    std::printf("  database %.2f GB, ivoa.obscore with its indexes %.2f GB (s_region GiST %.0f MB); btree levels above the leaves: %s\n",
                p.db_gb, p.obscore_gb, p.gist_mb, p.depths.c_str());
}

Point measure(Connection& conn, const Backend& be, const Options& o, unsigned seed, const std::string& how) {
    Point p;
    p.rows = count_rows(conn);
    p.how = how;
    std::printf("\n## %ld ObsCore rows (%s)\n", p.rows, how.c_str());
    measure_visits(conn, be, o, p);
    measure_coverage(conn, be, o, p);
    measure_cones(conn, o, seed, p);
    measure_sizes(conn, p);
    return p;
}

// Durability while filling (off: the copies can be made again) and while measuring (the
// production settings, unless --cluster-settings). Server-wide: ALTER SYSTEM + reload.
void durability(Connection& conn, const Options& o, bool fill) {
    if (!fill && !o.production) {
        for (const char* g : {"fsync", "full_page_writes", "synchronous_commit"}) conn.exec(std::string("ALTER SYSTEM RESET ") + g);
    } else {
        const std::string v = fill ? "off" : "on";
        for (const char* g : {"fsync", "full_page_writes", "synchronous_commit"}) conn.exec(std::string("ALTER SYSTEM SET ") + g + " = " + v);
    }
    conn.value("SELECT pg_reload_conf()");
    conn.exec("SELECT pg_sleep(0.5)");  // the reload reaches every process
    if (!fill) conn.exec("CHECKPOINT");  // what the fill wrote unsynced is on disk before measuring
    std::printf("  (%s: fsync %s, full_page_writes %s, synchronous_commit %s)\n", fill ? "filling" : "measuring",
                conn.value("SHOW fsync").c_str(), conn.value("SHOW full_page_writes").c_str(),
                conn.value("SHOW synchronous_commit").c_str());
}

double free_gb(const std::string& dir) {
    struct statvfs st {};
    if (statvfs(dir.c_str(), &st) != 0) return NAN;
    return static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize) / 1e9;
}

// Runs each statement on one of --sessions sessions at once (each its own transaction, in the
// given order as sessions free up); the first failure stops the rest and is thrown.
void run_pooled(const Options& o, const std::vector<std::string>& statements, const std::string& setup) {
    std::atomic<std::size_t> next{0};
    std::mutex m;
    std::string failure;
    auto work = [&] {
        try {
            Connection c(o.conninfo);
            if (!setup.empty()) c.exec(setup);
            for (std::size_t i; (i = next++) < statements.size();) {
                {
                    std::lock_guard<std::mutex> g(m);
                    if (!failure.empty()) return;
                }
                const double t0 = now_s();
                c.exec(statements[i]);
                std::printf("    %.0f s: %s\n", now_s() - t0, statements[i].c_str());
            }
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> g(m);
            if (failure.empty()) failure = e.what();
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < o.sessions; ++i) threads.emplace_back(work);
    for (auto& t : threads) t.join();
    if (!failure.empty()) throw std::runtime_error(failure);
}

// Copies of the base until ivoa.obscore has at least `target` rows, or until the disk would have
// less than --min-free-gb left: the replicated tables' indexes and keys dropped, the copies
// written by --sessions sessions at once (triggers off, durability off), the indexes and keys
// built once (largest first, spread over the sessions), the triggers restored, VACUUM ANALYZE,
// a sample of rows checked by verify_obscore(). Returns how (empty: not one copy fits).
std::string replicate_to(Connection& conn, const Options& o, long target, long base_rows, int& next_copy) {
    const long have = count_rows(conn);
    if (have >= target) return "already there";
    int copies = static_cast<int>((target - have + base_rows - 1) / base_rows);
    const std::string datadir = conn.value("SHOW data_directory");
    const double per_copy_gb = std::stod(conn.value("SELECT pg_database_size(current_database())")) / 1e9 * base_rows / have;
    const double free0 = free_gb(datadir);
    const int fit = static_cast<int>(std::floor((free0 - o.min_free_gb) / (1.15 * per_copy_gb)));  // +15%: sorts, WAL
    std::printf("\nto %ld rows: %d copies of the base (%ld rows, ~%.2f GB each with indexes); %.1f GB free on %s, %d copies fit above "
                "--min-free-gb %.0f\n", target, copies, base_rows, per_copy_gb, free0, datadir.c_str(), std::max(fit, 0), o.min_free_gb);
    if (fit < copies) {
        if (fit < 1) return "";
        copies = fit;
        std::printf("  the disk stops it at %d copies (%ld rows)\n", copies, have + copies * base_rows);
    }
    const int k0 = next_copy, k1 = next_copy + copies - 1;
    durability(conn, o, true);
    conn.exec("CALL bench_scale.disable_triggers()");
    conn.exec("CALL bench_scale.drop_indexes()");
    const double t0 = now_s();
    std::atomic<int> next{k0}, done{0};
    std::atomic<bool> disk_full{false}, out_of_time{false};
    std::mutex m;
    std::string failure;
    auto copier = [&] {
        try {
            Connection c(o.conninfo);
            c.exec("SET client_min_messages = warning");
            for (int k; (k = next++) <= k1;) {
                const double f = free_gb(datadir);
                if (f < o.min_free_gb) {
                    disk_full = true;
                    next = k1 + 1;
                    std::printf("  %.1f GB free: copying stops\n", f);
                    return;
                }
                if (o.max_copy_s > 0 && now_s() - t0 > o.max_copy_s) {
                    out_of_time = true;
                    next = k1 + 1;
                    return;
                }
                c.exec("CALL bench_scale.copy(" + std::to_string(k) + ", " + std::to_string(k) + ")");
                const int d = ++done;
                if (d % 5 == 0 || k == k1)
                    std::printf("  %d of %d copies written (%.0f s; %.1f GB free)\n", d, copies, now_s() - t0, free_gb(datadir));
            }
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> g(m);
            if (failure.empty()) failure = e.what();
            next = k1 + 1;
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < o.sessions; ++i) threads.emplace_back(copier);
    for (auto& t : threads) t.join();
    if (!failure.empty()) throw std::runtime_error("copying: " + failure);
    const double t1 = now_s();
<<<<<<< HEAD
    next_copy = k0 + done;
    // the kept definitions, largest first: phase 1 (indexes, primary and unique keys) on the
    // sessions at once, then phase 2 (foreign keys, which use phase 1's keys)
    const std::string setup = "SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 1";
    for (const char* phase : {"1", "2"}) {
        std::vector<std::string> calls;
        for (const auto& r : conn.query(std::string("SELECT ord FROM bench_scale.dropped WHERE phase = ") + phase +
                                        " ORDER BY bytes DESC, ord"))
            calls.push_back("CALL bench_scale.build_index(" + r[0] + ")");
        std::printf("  building %zu %s\n", calls.size(), *phase == '1' ? "indexes and keys" : "foreign keys");
        run_pooled(o, calls, setup);
    }
=======
    for (const auto& rel : conn.query("SELECT rel::text FROM bench_scale.replicated ORDER BY ord")) conn.exec("VACUUM ANALYZE " + rel[0]);
    // the copies' cells came without their triggers: the day/month unions again from the cells
    conn.exec("SELECT obsmeta.coverage_buckets_rebuild()");
    conn.exec("VACUUM ANALYZE obsmeta.coverage_bucket");
>>>>>>> coverage
    const double t2 = now_s();
    conn.exec("CALL bench_scale.restore_triggers()");
    std::vector<std::string> vacuums;
    for (const auto& r : conn.query("SELECT rel::text FROM bench_scale.replicated ORDER BY pg_total_relation_size(rel) DESC"))
        vacuums.push_back("VACUUM ANALYZE " + r[0]);
    run_pooled(o, vacuums, "");
    const double t3 = now_s();
    durability(conn, o, false);
    std::string verified;
    for (const auto& r : conn.query("SELECT problem, coalesce(array_to_string(columns, ' '), ''), rows FROM bench_scale.verify_obscore_sample(" +
                                    std::to_string(o.verify_planes) + ")"))
        verified += (verified.empty() ? "" : ", ") + r[2] + " " + r[0] + (r[1].empty() ? "" : " (" + r[1] + ")");
    const double t4 = now_s();
    std::printf("  verify_obscore() on the rows of %d random planes: %s (%.0f s)\n", o.verify_planes, verified.c_str(), t4 - t3);
    const long now_rows = count_rows(conn);
<<<<<<< HEAD
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "base copied %d more times by %d sessions, indexes dropped: %.0f s (%.0f ObsCore rows/s with every table)%s; indexes "
                  "and keys built %.0f s; VACUUM ANALYZE %.0f s; sample verified: %s",
                  done.load(), o.sessions, t1 - t0, static_cast<double>(now_rows - have) / (t1 - t0),
                  disk_full ? " (stopped: disk)" : out_of_time ? " (stopped: --max-copy-s)" : "", t2 - t1, t3 - t2, verified.c_str());
=======
    char buf[256];
    std::snprintf(buf, sizeof buf, "base copied %d more times: %.0f s, %.0f ObsCore rows/s with every table; VACUUM ANALYZE + coverage buckets %.0f s", copies,
                  t1 - t0, static_cast<double>(now_rows - have) / (t1 - t0), t2 - t1);
>>>>>>> coverage
    std::printf("%s\n", buf);
    return buf;
}

// The table so far as TSV for bench/plot_scale.py (rewritten after every size: a run stopped
// early keeps what it measured).
void write_tsv(const Options& o, const std::vector<Point>& points) {
    if (o.tsv.empty()) return;
    FILE* f = std::fopen(o.tsv.c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + o.tsv);
    std::fprintf(f, "rows\twhole_s\tconvert_s\tmaint_s\tcoverage_s\twal_mb\tmoc_rebuild_s\tcoverage_read_s");
    for (const double r : o.radii) std::fprintf(f, "\tcone_%g_reader_ms\tcone_%g_super_ms", r, r);
    std::fprintf(f, "\tdb_gb\tobscore_gb\tcoverage_read_cells_s\n");
    for (const auto& p : points) {
        std::fprintf(f, "%ld\t%.6f\t%.6f\t%.6f\t%.6f\t%.3f\t%.3f\t%.6f", p.rows, p.whole.wall_median(), p.convert.wall_median(),
                     p.maint.wall_median(), p.coverage.wall_median(), median(p.wal) / 1e6, p.moc_rebuild,
                     p.coverage_read.wall_median());
        for (std::size_t i = 0; i < p.cone_reader_ms.size(); ++i) std::fprintf(f, "\t%.4f\t%.4f", p.cone_reader_ms[i], p.cone_super_ms[i]);
        std::fprintf(f, "\t%.3f\t%.3f\t%.6f\n", p.db_gb, p.obscore_gb, p.coverage_read_cells.wall_median());
    }
    std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const Options o = parse(argc, argv);
    try {
        Connection conn(o.conninfo);
        Backend be{std::stoi(conn.value("SELECT pg_backend_pid()"))};
        if (conn.value("SELECT to_regprocedure('bench_scale.snapshot()') IS NOT NULL") != "t")
            throw std::runtime_error("bench_scale.snapshot() is missing: load bench/scale_replicate.sql first (bench/scale.sh does)");
        std::string sizes;
        for (const long s : o.sizes) sizes += (sizes.empty() ? "" : ", ") + std::to_string(s);
        std::printf("obsmeta-bench-scale: sizes %s ObsCore rows; %d new visits per size; %d cones x %d rounds per radius; %s\n",
                    sizes.c_str(), o.visits, o.cones, o.rounds, conn.value("SELECT version()").c_str());
        conn.exec(std::string("DROP ROLE IF EXISTS ") + kReaderRole);
        conn.exec(std::string("CREATE ROLE ") + kReaderRole + " NOLOGIN IN ROLE obsmeta_reader");

        std::vector<Point> points;
        const double t0 = now_s();
        durability(conn, o, true);
        grow_to(conn, o.sizes[0], o.batch);
        durability(conn, o, false);
        char how[128];
        std::snprintf(how, sizeof how, "real bulk COPY + conversion, %.0f s", now_s() - t0);
        points.push_back(measure(conn, be, o, 42, how));
        write_tsv(o, points);
        long base_rows = 0;
        int next_copy = 1;
        if (o.sizes.size() > 1) {
            base_rows = std::stol(conn.value("SELECT bench_scale.snapshot()"));
            std::printf("\nbase for the copies: the %ld ObsCore rows above and every row they came from\n", base_rows);
        }
        for (std::size_t i = 1; i < o.sizes.size(); ++i) {
            const std::string h = replicate_to(conn, o, o.sizes[i], base_rows, next_copy);
            if (h.empty()) {
                std::printf("  not one more copy fits on the disk above --min-free-gb: the curve stops at %ld rows\n", points.back().rows);
                break;
            }
            points.push_back(measure(conn, be, o, 42 + static_cast<unsigned>(i), h));
            write_tsv(o, points);
        }
        conn.exec(std::string("DROP ROLE ") + kReaderRole);
        for (const char* g : {"fsync", "full_page_writes", "synchronous_commit"}) conn.exec(std::string("ALTER SYSTEM RESET ") + g);
        conn.value("SELECT pg_reload_conf()");

        std::printf("\n### scale curve: medians of %d visits (s; wall, backend CPU for the whole visit), cones in ms per query "
                    "(median of %d rounds)\n\n", o.visits, o.rounds);
        std::printf("| ObsCore rows | whole visit: COPY + convert + commit | convert() | ObsCore maintenance | of which coverage "
                    "MOC | WAL MB/visit | MOC recompute from ivoa.obscore (s) | recompute / coverage maintenance |"
                    " ivoa.coverage read, stored unions (s) | union of every plane cell (s) |");
        for (const double r : o.radii) std::printf(" cone %g deg, reader (superuser) ms |", r);
        std::printf(" DB GB | ObsCore GB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (std::size_t i = 0; i < o.radii.size(); ++i) std::printf("---:|");
        std::printf("---:|---:|\n");
        for (const auto& p : points) {
            const double cov = p.coverage.wall_median();
            std::printf("| %ld | %s | %.4f | %.4f | %.4f | %.2f | %s | %s | %.3f | %.3f |", p.rows,
                        seconds(p.whole.wall_median(), p.whole.cpu_median()).c_str(), p.convert.wall_median(), p.maint.wall_median(),
                        cov, median(p.wal) / 1e6, std::isnan(p.moc_rebuild) ? "-" : std::to_string(p.moc_rebuild).c_str(),
                        std::isnan(p.moc_rebuild) ? "-" : times_x(p.moc_rebuild / cov).c_str(), p.coverage_read.wall_median(), p.coverage_read_cells.wall_median());
            for (std::size_t i = 0; i < p.cone_reader_ms.size(); ++i)
                std::printf(" %.3f (%.3f), %.0f rows |", p.cone_reader_ms[i], p.cone_super_ms[i], p.cone_matched[i]);
            std::printf(" %.2f | %.2f |\n", p.db_gb, p.obscore_gb);
        }
        std::printf("\na visit adds %ld ObsCore rows; how each size was reached:\n", points.front().visit_rows);
        for (const auto& p : points) std::printf("  %ld: %s; btree levels: %s\n", p.rows, p.how.c_str(), p.depths.c_str());
        if (!o.tsv.empty()) std::printf("\nwrote %s\n", o.tsv.c_str());

    } catch (const std::exception& e) {
        std::fprintf(stderr, "obsmeta-bench-scale: %s\n", e.what());
        return 1;
    }
    return 0;
}
