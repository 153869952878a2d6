// obsmeta-bench-scale: the scale curve of a visit's cost and of a reader's cone search, at archive
// sizes of 10^5, 10^6, 10^7 ObsCore rows (--sizes), and the coverage MOCs' maintenance against
// recomputing them. Run through bench/scale.sh (fresh database, bench/scale_replicate.sql, plot).
//
// How the archive is filled (it would take hours to convert 10^7 rows on a 2-core machine):
//  * the first size is loaded for real: generated nights (make_bench_night, 189 detectors, raw +
//    visit_image) bulk-COPYed into gen3 and converted, 50 exposures a transaction (as
//    obsmeta-bench-obscore does);
//  * after measuring it, that archive becomes the base (bench_scale.snapshot()), and each larger
//    size is reached by set-based copies of the base (CALL bench_scale.replicate(k0, k1)): every
//    table that grows with the archive, gen3 through caom2 to ivoa.obscore and the coverage cells,
//    with fresh ids, positions rotated in RA and the tables' production indexes taking every row
//    (bench/scale_replicate.sql says column by column what a copy changes); then VACUUM ANALYZE.
// Measured at every size, on top of that archive, with real conversions:
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
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
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
            "       [--rounds N] [--radii DEG,DEG] [--moc-rebuild-max N] [--tsv FILE]");
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
        else cli.unknown();
    }
    if (o.conninfo.empty()) cli.fail("--conninfo is required");
    if (o.sizes.empty() || o.radii.empty() || o.batch < 1 || o.visits < 1 || o.cones < 1 || o.rounds < 1)
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
    for (int i = 0; i < 3; ++i) {
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

// Copies of the base until ivoa.obscore has at least `target` rows.
std::string replicate_to(Connection& conn, long target, long base_rows, int& next_copy) {
    const long have = count_rows(conn);
    if (have >= target) return "already there";
    const int copies = static_cast<int>((target - have + base_rows - 1) / base_rows);
    const int k0 = next_copy, k1 = next_copy + copies - 1;
    std::printf("\nreplicating the base (%ld rows) %d times (copies %d..%d) ...\n", base_rows, copies, k0, k1);
    const double t0 = now_s();
    conn.exec("CALL bench_scale.replicate(" + std::to_string(k0) + ", " + std::to_string(k1) + ")");
    const double t1 = now_s();
    for (const auto& rel : conn.query("SELECT rel::text FROM bench_scale.replicated ORDER BY ord")) conn.exec("VACUUM ANALYZE " + rel[0]);
    // the copies' cells came without their triggers: the day/month unions again from the cells
    conn.exec("SELECT obsmeta.coverage_buckets_rebuild()");
    conn.exec("VACUUM ANALYZE obsmeta.coverage_bucket");
    const double t2 = now_s();
    next_copy = k1 + 1;
    const long now_rows = count_rows(conn);
    char buf[256];
    std::snprintf(buf, sizeof buf, "base copied %d more times: %.0f s, %.0f ObsCore rows/s with every table; VACUUM ANALYZE + coverage buckets %.0f s", copies,
                  t1 - t0, static_cast<double>(now_rows - have) / (t1 - t0), t2 - t1);
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
        grow_to(conn, o.sizes[0], o.batch);
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
            const std::string h = replicate_to(conn, o.sizes[i], base_rows, next_copy);
            points.push_back(measure(conn, be, o, 42 + static_cast<unsigned>(i), h));
            write_tsv(o, points);
        }
        conn.exec(std::string("DROP ROLE ") + kReaderRole);

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
