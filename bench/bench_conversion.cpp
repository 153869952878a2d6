// obsmeta-bench: what obsmeta's conversion costs a writer, against identical tables without it.
//
// bench_plain.<t> is CREATE TABLE ... (LIKE gen3.<t> INCLUDING ALL): same columns, keys, indexes and
// checks, but no obsmeta triggers. The same generated rows go into both:
//   a) per-row path: one INSERT per row (prepared, pipelined), one transaction per exposure with its
//      visit, visit_definition, 189 regions, 378 datasets and 378 records; plain vs gen3;
//   b) bulk path: one transaction, COPY of every table; plain vs gen3 + SELECT obsmeta.convert().
//   c) floor (with the bulk path): the CAOM2 rows the conversion stored for block b (artifact, part,
//      chunk, dataset_plane) COPYed into identical tables without triggers: what storing those rows
//      costs with no joins, checksums or maintenance. Plain COPY of the gen3 rows + this is the
//      fastest any conversion could run here, printed beside the bulk goal; with the spoly GiST
//      keys of as many ObsCore rows (gist_key_seconds), the same for the per-row path.
// Ids are fresh for every run (past the highest exposure id in gen3), so nothing needs truncating in
// gen3/caom2 and repeated runs measure the same work. Times are wall clock (steady_clock), commit
// included; the server backend's CPU time (from /proc, when the server runs on this machine) is
// printed beside them, being less sensitive to whatever else a shared 2-core machine is doing.
// Each path runs --repeat times (plain and obsmeta alternating, fresh ids each time) and the
// medians are compared. A benchmark reports; it asserts nothing: exit 0 unless a query fails.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include "sample_night/cli.hpp"
#include "sample_night/night.hpp"
#include "sample_night/pg_io.hpp"
#include "sample_night/table_text.hpp"

using namespace obsmeta::sample;

namespace {

constexpr const char* kPlain = "bench_plain";
constexpr const char* kFloor = "bench_floor";
// The CAOM2 rows a converted dataset becomes, selected by dataset id ($ids: a uuid[] literal).
const std::pair<const char*, const char*> kFloorTables[] = {
    {"artifact", "SELECT a.* FROM caom2.artifact a WHERE a.lsst_dataset_id = ANY ($ids)"},
    {"part", "SELECT p.* FROM caom2.part p WHERE p.artifact_id IN "
             "(SELECT artifact_id FROM caom2.artifact WHERE lsst_dataset_id = ANY ($ids))"},
    {"chunk", "SELECT c.* FROM caom2.chunk c WHERE c.part_id IN (SELECT p.part_id FROM caom2.part p JOIN caom2.artifact a"
              " USING (artifact_id) WHERE a.lsst_dataset_id = ANY ($ids))"},
    {"dataset_plane", "SELECT m.* FROM obsmeta.dataset_plane m WHERE m.dataset_id = ANY ($ids)"}};
constexpr double kGoalRowRatio = 3.0;            // per-row: obsmeta at most 3x plain
constexpr double kGoalBulkShareOfFloor = 0.60;  // bulk: at least 60% of the floor's datasets/s, same run (issue 14)

struct Options {
    std::string conninfo;
    int exposures = 20;
    int repeat = 3;
    bool convert = true;
};

Options parse(int argc, char** argv) {
    Options o;
    Cli cli(argc, argv, "usage: obsmeta-bench --conninfo \"...\" [--exposures N] [--repeat R] [--no-convert]");
    while (cli.next()) {
        if (cli.is("--conninfo")) o.conninfo = cli.value();
        else if (cli.is("--exposures")) o.exposures = cli.int_value();
        else if (cli.is("--repeat")) o.repeat = cli.int_value();
        else if (cli.is("--no-convert")) o.convert = false;  // gen3 without the extension: a dry run
        else cli.unknown();
    }
    if (o.conninfo.empty()) cli.fail("--conninfo is required");
    if (o.exposures < 1) cli.fail("--exposures must be >= 1");
    if (o.repeat < 1) cli.fail("--repeat must be >= 1");
    return o;
}

const char* const kTables[] = {"instrument", "physical_filter", "detector", "day_obs", "exposure", "visit",
                               "visit_definition", "visit_detector_region", "dataset", "file_datastore_record"};

bool is_static(const std::string& t) {
    return t == "instrument" || t == "physical_filter" || t == "detector" || t == "day_obs";
}

// The measured tables (static ones are loaded once, untimed).
std::vector<TableText> exposure_tables(const Night& night) {
    std::vector<TableText> out;
    for (auto& t : to_tables(night))
        if (!is_static(t.name)) out.push_back(std::move(t));
    return out;
}

std::size_t row_count(const std::vector<TableText>& tables) {
    std::size_t n = 0;
    for (const auto& t : tables) n += t.rows.size();
    return n;
}

std::size_t dataset_count(const std::vector<TableText>& tables) {
    for (const auto& t : tables)
        if (t.name == "dataset") return t.rows.size();
    return 0;
}

void setup_schemas(Connection& conn, const Night& night) {
    conn.exec("CREATE SCHEMA IF NOT EXISTS " + std::string(kPlain));
    for (const char* t : kTables) {
        conn.exec("CREATE TABLE IF NOT EXISTS " + std::string(kPlain) + "." + t + " (LIKE gen3." + t + " INCLUDING ALL)");
    }
    std::string all;
    for (const char* t : kTables) all += (all.empty() ? "" : ", ") + std::string(kPlain) + "." + t;
    conn.exec("TRUNCATE " + all);
    conn.exec("CREATE SCHEMA IF NOT EXISTS " + std::string(kFloor));
    for (const auto& [t, unused] : kFloorTables) {
        const std::string from = std::string(t) == "dataset_plane" ? "obsmeta." : "caom2.";
        conn.exec("CREATE TABLE IF NOT EXISTS " + std::string(kFloor) + "." + t + " (LIKE " + from + t + " INCLUDING ALL)");
    }
    // Instrument, filters, detectors, day_obs: in both schemas, untimed; gen3 may have them already.
    conn.exec("BEGIN");
    for (const auto& t : to_tables(night)) {
        if (!is_static(t.name)) continue;
        insert_rows(conn, kPlain, t, true);
        insert_rows(conn, "gen3", t, true);
    }
    conn.exec("COMMIT");
}

int next_free_seq(Connection& conn) {
    const std::string lo = std::to_string(exposure_id(1) - 1), hi = std::to_string(exposure_id(99999));
    return std::stoi(conn.value("SELECT coalesce(max(id), " + lo + ") - " + lo + " + 1 FROM (SELECT id FROM gen3.exposure"
                                " UNION ALL SELECT id FROM gen3.visit) x WHERE id BETWEEN " + lo + " AND " + hi));
}

// CPU seconds (user + system) the server backend `pid` has used, or -1 where /proc cannot tell.
double backend_cpu_seconds(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string field;
    double ticks = 0;
    for (int i = 1; i <= 15 && (stat >> field); ++i)
        if (i == 14 || i == 15) ticks += std::stod(field);
    if (!stat) return -1;
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Timing {
    double wall = 0, cpu = -1;  // seconds; cpu of the server backend, -1 when unknown
};

// Time taken by f, after a checkpoint so that one phase's dirty pages do not bill the next.
Timing timed(Connection& conn, int backend_pid, const std::function<void()>& f) {
    try {
        conn.exec("CHECKPOINT");
    } catch (const PgError&) {  // needs superuser or pg_checkpoint; the numbers are just noisier
    }
    const double cpu0 = backend_cpu_seconds(backend_pid);
    const auto t0 = std::chrono::steady_clock::now();
    f();
    Timing t;
    t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu1 = backend_cpu_seconds(backend_pid);
    if (cpu0 >= 0 && cpu1 >= 0) t.cpu = cpu1 - cpu0;
    return t;
}

Timing per_row(Connection& conn, int pid, const std::string& schema,
               const std::vector<std::vector<TableText>>& per_exposure) {
    return timed(conn, pid, [&] {
        for (const auto& tables : per_exposure) {
            conn.exec("BEGIN");
            for (const auto& t : tables) insert_rows(conn, schema, t);
            conn.exec("COMMIT");
        }
    });
}

Timing bulk(Connection& conn, int pid, const std::string& schema, const std::vector<TableText>& tables, bool convert,
            double& convert_seconds) {
    std::vector<std::string> data;  // rendered untimed: we measure the server, not our formatting
    for (const auto& t : tables) data.push_back(copy_text(t));
    return timed(conn, pid, [&] {
        conn.exec("BEGIN");
        for (std::size_t i = 0; i < tables.size(); ++i) copy_rendered(conn, schema, tables[i], data[i]);
        if (convert) {
            const auto t0 = std::chrono::steady_clock::now();
            conn.exec("SELECT obsmeta.convert()");
            convert_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        conn.exec("COMMIT");
    });
}

// The floor of block `tables` (after its bulk conversion): COPY of its stored CAOM2 rows into the
// trigger-less copies of their tables, one transaction.
Timing floor_copy(Connection& conn, int pid, const std::vector<TableText>& tables) {
    std::string ids = "'{";
    for (const auto& t : tables) {
        if (t.name != "dataset") continue;
        for (const auto& row : t.rows) ids += (ids.size() > 2 ? "," : "") + row.at(0).value_or("");
    }
    ids += "}'::uuid[]";
    std::vector<std::string> data;  // fetched untimed
    std::string all;
    for (const auto& [t, query] : kFloorTables) {
        std::string q = query;
        for (std::size_t at; (at = q.find("$ids")) != std::string::npos;) q.replace(at, 4, ids);
        data.push_back(copy_out(conn, q));
        all += (all.empty() ? "" : ", ") + std::string(kFloor) + "." + t;
    }
    conn.exec("TRUNCATE " + all);
    return timed(conn, pid, [&] {
        conn.exec("BEGIN");
        std::size_t i = 0;
        for (const auto& [t, unused] : kFloorTables) copy_in(conn, std::string(kFloor) + "." + t, data[i++]);
        conn.exec("COMMIT");
    });
}

// What the GiST index on ivoa.obscore.s_region alone costs for n ObsCore rows: inserting n
// stored detector regions into a table with that index (its operator class, obsmeta.spoly_gist_ops)
// minus into one without (best of three each). Bounds the per-row path: one ObsCore row per
// detector dataset must get that key.
double gist_key_seconds(Connection& conn, int pid, std::size_t n) {
    if (conn.value("SELECT count(*) >= " + std::to_string(n) + " FROM ivoa.obscore WHERE lsst_detector IS NOT NULL") != "t")
        return -1;
    conn.exec("CREATE TEMP TABLE IF NOT EXISTS bench_regions AS SELECT s_region AS f FROM ivoa.obscore"
              " WHERE lsst_detector IS NOT NULL LIMIT " + std::to_string(n));
    conn.exec("CREATE TEMP TABLE IF NOT EXISTS bench_no_gist (LIKE bench_regions)");
    conn.exec("CREATE TEMP TABLE IF NOT EXISTS bench_gist (LIKE bench_regions)");
    conn.exec("CREATE INDEX IF NOT EXISTS bench_gist_f ON bench_gist USING gist (f obsmeta.spoly_gist_ops)");
    double best[2] = {1e30, 1e30};
    for (int i = 0; i < 3; ++i)
        for (int with_index = 0; with_index < 2; ++with_index) {
            const std::string t = with_index ? "bench_gist" : "bench_no_gist";
            conn.exec("TRUNCATE " + t);
            best[with_index] = std::min(best[with_index],
                                        timed(conn, pid, [&] { conn.exec("INSERT INTO " + t + " SELECT f FROM bench_regions"); }).wall);
        }
    return best[1] - best[0];
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt(double v, int decimals = 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    // Thousands separators for readability of large rates.
    std::string s = buf;
    std::size_t dot = s.find('.');
    if (dot == std::string::npos) dot = s.size();
    for (std::size_t i = dot; i > 3 && s[i - 4] != '-'; i -= 3) s.insert(i - 3, ",");
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const Options o = parse(argc, argv);
    try {
        Connection conn(o.conninfo);
        const int seq = next_free_seq(conn);
        const int blocks = 2 * o.repeat;  // per repetition: one block per path
        if (seq + blocks * o.exposures > 99999) throw std::runtime_error("day_obs 20251202 has no free seq_num left");
        const int pid = std::stoi(conn.value("SELECT pg_backend_pid()"));
        setup_schemas(conn, make_bench_night(o.exposures, seq));

        std::printf("obsmeta-bench: %d exposures x 189 detectors, %d repetitions (seq %d..%d), %s\n", o.exposures,
                    o.repeat, seq, seq + blocks * o.exposures - 1, conn.value("SELECT version()").c_str());
        std::vector<double> row_plain, row_obs, bulk_plain, bulk_obs, row_plain_cpu, row_obs_cpu, bulk_plain_cpu,
            bulk_obs_cpu, convert_s, floor_s, floor_cpu;
        std::size_t rows_a = 0, rows_b = 0, datasets_b = 0;
        const std::string obs = o.convert ? "gen3 (obsmeta)" : "gen3 (no convert)";
        std::printf("\n| rep | per-row plain s | per-row obsmeta s | ratio | bulk plain s | bulk obsmeta s | of which convert() s | ratio | floor: CAOM2 rows COPY s |\n");
        std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int r = 0; r < o.repeat; ++r) {
            // Block A for the per-row path, block B for the bulk path; each goes to both schemas.
            const Night a = make_bench_night(o.exposures, seq + 2 * r * o.exposures);
            const Night b = make_bench_night(o.exposures, seq + (2 * r + 1) * o.exposures);
            std::vector<std::vector<TableText>> per_exposure;
            for (const auto& e : a.exposure) per_exposure.push_back(exposure_tables(subset(a, {e.id}, {}, false)));
            const std::vector<TableText> bulk_tables = exposure_tables(b);
            rows_a = 0;
            for (const auto& t : per_exposure) rows_a += row_count(t);
            rows_b = row_count(bulk_tables);
            datasets_b = dataset_count(bulk_tables);

            const Timing rp = per_row(conn, pid, kPlain, per_exposure);
            const Timing ro = per_row(conn, pid, "gen3", per_exposure);
            double unused = 0, conv = 0;
            const Timing bp = bulk(conn, pid, kPlain, bulk_tables, false, unused);
            const Timing bo = bulk(conn, pid, "gen3", bulk_tables, o.convert, conv);
            const Timing fl = o.convert ? floor_copy(conn, pid, bulk_tables) : Timing{};
            floor_s.push_back(fl.wall), floor_cpu.push_back(fl.cpu);
            row_plain.push_back(rp.wall), row_obs.push_back(ro.wall), bulk_plain.push_back(bp.wall);
            bulk_obs.push_back(bo.wall), convert_s.push_back(conv);
            row_plain_cpu.push_back(rp.cpu), row_obs_cpu.push_back(ro.cpu), bulk_plain_cpu.push_back(bp.cpu);
            bulk_obs_cpu.push_back(bo.cpu);
            std::printf("| %d | %.3f | %.3f | %.2fx | %.3f | %.3f | %.3f | %.2fx | %.3f |\n", r + 1, rp.wall, ro.wall,
                        ro.wall / rp.wall, bp.wall, bo.wall, conv, bo.wall / bp.wall, fl.wall);
        }

        const double rp = median(row_plain), ro = median(row_obs), bp = median(bulk_plain), bo = median(bulk_obs);
        const double row_ratio = ro / rp, bulk_ratio = bo / bp;
        const double bulk_rate = static_cast<double>(datasets_b) / bo;
        const std::size_t datasets_a = static_cast<std::size_t>(o.exposures) * 189 * 2;
        std::printf("\nmedians of %d: per-row %zu rows in %d transactions; bulk %zu rows, %zu datasets in 1 transaction\n\n",
                    o.repeat, rows_a, o.exposures, rows_b, datasets_b);
        std::printf("| path | target | rows | datasets | seconds | rows/s | datasets/s | backend CPU s |\n");
        std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
        auto line = [&](const char* path, const std::string& target, std::size_t rows, std::size_t ds, double s,
                         double cpu) {
            std::printf("| %s | %s | %zu | %zu | %.3f | %s | %s | %s |\n", path, target.c_str(), rows, ds, s,
                        fmt(static_cast<double>(rows) / s).c_str(), fmt(static_cast<double>(ds) / s).c_str(),
                        cpu >= 0 ? fmt(cpu, 3).c_str() : "n/a");
        };
        line("per-row INSERT, pipelined, 1 txn/exposure", kPlain, rows_a, datasets_a, rp, median(row_plain_cpu));
        line("per-row INSERT, pipelined, 1 txn/exposure", obs, rows_a, datasets_a, ro, median(row_obs_cpu));
        line("bulk COPY, 1 txn", kPlain, rows_b, datasets_b, bp, median(bulk_plain_cpu));
        line(o.convert ? "bulk COPY + obsmeta.convert(), 1 txn" : "bulk COPY, 1 txn", obs, rows_b, datasets_b, bo,
             median(bulk_obs_cpu));
        const double floor_rate = static_cast<double>(datasets_b) / (bp + median(floor_s));
        if (o.convert) {
            std::printf("\n(obsmeta.convert() itself: %.3f s of the %.3f s)\n", median(convert_s), bo);
            std::printf("floor: plain COPY of the gen3 rows (%.3f s) + COPY of only the CAOM2 rows they become (%.3f s, no "
                        "joins, checksums or triggers) = %s detector datasets/s\n",
                        bp, median(floor_s), fmt(floor_rate).c_str());
        }

        const double gist_s = o.convert ? gist_key_seconds(conn, pid, datasets_a) : -1;
        // The per-row floor: the plain inserts, plus storing the CAOM2 rows of as many datasets (the
        // bulk block's COPY above), plus the ObsCore rows' GiST keys.
        const double row_floor = gist_s >= 0 ? (rp + median(floor_s) + gist_s) / rp : -1;
        if (gist_s >= 0)
            std::printf("per-row floor: the spoly GiST keys alone of the %zu ObsCore rows (one per detector dataset, index on "
                        "s_region) take %.3f s = %.2fx the plain per-row path; plain + COPY of the CAOM2 rows + keys = "
                        "%.2fx plain\n",
                        datasets_a, gist_s, gist_s / rp, row_floor);

        std::printf("\n| goal | target | measured (median) | met |\n|---|---|---:|---|\n");
        std::printf("| per-row cost, obsmeta / plain | <= %.0fx | %.2fx | %s |\n", kGoalRowRatio, row_ratio,
                    row_ratio <= kGoalRowRatio ? "yes" : "no");
        if (median(row_plain_cpu) > 0)
            std::printf("| per-row backend CPU, obsmeta / plain | (informational) | %.2fx | - |\n",
                        median(row_obs_cpu) / median(row_plain_cpu));
        if (gist_s >= 0)
            std::printf("| per-row floor: plain + COPY of the CAOM2 rows + the ObsCore GiST keys | (the best any conversion could "
                        "do) | %.2fx | %s |\n",
                        row_floor, row_floor <= kGoalRowRatio ? "goal within reach" : "goal below the floor");
        std::printf("| bulk detector datasets/s (COPY + convert) | (reported) | %s/s | - |\n", fmt(bulk_rate).c_str());
        if (o.convert) {
            std::printf("| bulk floor on this machine (COPY of gen3 rows + of their CAOM2 rows) | (the best any conversion "
                        "could do) | %s/s | - |\n",
                        fmt(floor_rate).c_str());
            const double share = bulk_rate / floor_rate;
            std::printf("| bulk datasets/s, share of the floor of this run | >= %.0f%% | %.1f%% | %s |\n",
                        100 * kGoalBulkShareOfFloor, 100 * share, share >= kGoalBulkShareOfFloor ? "yes" : "no");
            // The same in backend CPU time (less sensitive to what else the shared machine runs).
            const double floor_cpu_s = median(bulk_plain_cpu) + median(floor_cpu), obs_cpu_s = median(bulk_obs_cpu);
            if (floor_cpu_s > 0 && obs_cpu_s > 0)
                std::printf("| bulk backend CPU: floor / obsmeta | (informational) | %.1f%% (%.3f s vs %.3f s) | - |\n",
                            100 * floor_cpu_s / obs_cpu_s, floor_cpu_s, obs_cpu_s);
        }
        std::printf("| bulk cost, obsmeta / plain | (informational) | %.2fx | - |\n", bulk_ratio);
        if (!o.convert) std::printf("\n(dry run with --no-convert: the goals above say nothing about obsmeta)\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "obsmeta-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
