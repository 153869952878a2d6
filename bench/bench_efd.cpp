// EFD benchmark: a simulated night of telemetry reduced per exposure by obsmeta (efd.recompute:
// C++ kernels over compact chunks, values written to efd.exposure_values) versus the best plain-SQL
// formulation found over a plain (channel, time, value) table with a btree index: a LATERAL
// index-only range scan (the index is (channel, time) INCLUDE (value)) with avg/min/max/stddev/count
// per channel and exposure, results written to a table too. Prints, in one run: the reduction
// times (median of --repeat runs, wall and server backend CPU) and their ratio, a check that both
// computed the same statistics for every (exposure, channel) (mismatches counted), bytes per sample
// both ways, COPY samples/s both ways.
//
// Plain formulations measured on the --full night and slower than the one used (see doc/efd.md):
// the same LATERAL over a (channel, time) index without INCLUDE (index scan: 1.4x slower; bitmap
// heap scan, the planner's choice: 1.7x), a correlated scalar subquery (same speed), a join with
// GROUP BY (hash or sort of 50 M joined rows: 3-4x slower), one pass with width_bucket() over the
// exposures' begin times (3x slower, and wrong for overlapping windows). PostgreSQL does not run a
// LATERAL subquery with outer references in parallel workers.
//
//   obsmeta-bench-efd [--full] [--exposures N] [--fast N] [--slow N] [--hz N] [--repeat N]
//                     [--keep] [--reuse] [--conninfo STR]
//   default: 100 exposures (1 h), 30 fast channels at 50 Hz + 170 slow at 1 Hz (~6 M samples)
//   --full:  1000 exposures (10 h), same channels (~60 M samples)
//   --repeat N: timed runs of each reduction (default 3); --keep: leave the data in place;
//   --reuse: use the data a --keep run left (no loading, no COPY numbers)
// The database must have obsmeta installed (CREATE EXTENSION obsmeta CASCADE); the benchmark
// creates and drops its own channels, reductions, exposures and plain table.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <random>
#include <string>
#include <vector>

#include "process_cpu.hpp"
#include "sample_night/efd_copy.hpp"
#include "sample_night/pg_io.hpp"

using obsmeta::sample::Connection;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    int exposures = 100;
    int fast = 30, slow = 170, hz = 50;
    std::string conninfo;
    int repeat = 3;
    bool keep = false, reuse = false;
};

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Timing {
    double wall = 0, cpu = -1;  // seconds; cpu of the server backend, -1 when unknown
};

Timing timed(Connection& conn, int pid, const std::function<void()>& f) {
    try {
        conn.exec("CHECKPOINT");  // one run's dirty pages do not bill the next
    } catch (const std::exception&) {
    }
    const double cpu0 = obsmeta::bench::process_cpu_seconds(pid);
    const auto t0 = Clock::now();
    f();
    Timing t;
    t.wall = seconds_since(t0);
    const double cpu1 = obsmeta::bench::process_cpu_seconds(pid);
    if (cpu0 >= 0 && cpu1 >= 0) t.cpu = cpu1 - cpu0;
    return t;
}

Timing median(std::vector<Timing> runs) {
    std::sort(runs.begin(), runs.end(), [](const Timing& a, const Timing& b) { return a.wall < b.wall; });
    return runs[runs.size() / 2];
}

// The plain-SQL reduction: per exposure and channel, one index-only range scan and the statistics.
const char* kPlainSql = R"SQL(
CREATE UNLOGGED TABLE public.bench_plain_result AS
SELECT e.instrument, e.id AS exposure, c.id AS channel, x.mean, x.min, x.max, x.stddev, x.n
  FROM gen3.exposure e
 CROSS JOIN (SELECT id FROM efd.channel WHERE topic = 'bench.efd') c
 CROSS JOIN LATERAL (
       SELECT avg(p.value) AS mean, min(p.value) AS min, max(p.value) AS max, stddev_samp(p.value) AS stddev, count(*) AS n
         FROM public.bench_plain p
        WHERE p.channel = c.id AND p.time BETWEEN e.timespan_begin AND e.timespan_end) x
 WHERE e.instrument = 'LSSTCam' AND e.id BETWEEN 7000000000000 AND 7000000099999)SQL";

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--full") o.exposures = 1000;
        else if (a == "--exposures") o.exposures = std::stoi(next());
        else if (a == "--fast") o.fast = std::stoi(next());
        else if (a == "--slow") o.slow = std::stoi(next());
        else if (a == "--hz") o.hz = std::stoi(next());
        else if (a == "--conninfo") o.conninfo = next();
        else if (a == "--keep") o.keep = true;
        else if (a == "--repeat") o.repeat = std::max(1, std::stoi(next()));
        else if (a == "--reuse") o.reuse = true;
        else {
            std::cerr << "usage: obsmeta-bench-efd [--full] [--exposures N] [--fast N] [--slow N] [--hz N] [--repeat N] "
                         "[--keep] [--reuse] [--conninfo STR]\n";
            return 2;
        }
    }
    try {
        Connection conn(o.conninfo);
        conn.exec("SET client_min_messages = warning");
        const int channels = o.fast + o.slow;
        const int64_t night_start = int64_t{915926400} * 1000000;  // 2029-01-10 00:00 UTC in µs since 2000-01-01
        const int64_t cadence = 36'000'000, exptime = 30'000'000;
        const int64_t night_end = night_start + o.exposures * cadence;
        bool loaded = false;
        if (o.reuse) {
            loaded = conn.value("SELECT to_regclass('public.bench_plain') IS NOT NULL AND "
                                "(SELECT count(*) FROM efd.channel WHERE topic = 'bench.efd') = " + std::to_string(channels) +
                                " AND (SELECT count(*) FROM gen3.exposure WHERE instrument = 'LSSTCam' AND id BETWEEN 7000000000000 "
                                "AND 7000000099999) = " + std::to_string(o.exposures)) == "t";
        }
        std::size_t total = 0;
        double copy_obsmeta = -1, copy_plain = -1, index_build = -1;
        if (!loaded) {
            // Clean slate for the benchmark's own objects.
            conn.exec("DELETE FROM gen3.exposure WHERE instrument = 'LSSTCam' AND id BETWEEN 7000000000000 AND 7000000099999");
            conn.exec("DELETE FROM efd.reduction WHERE source = 'bench'");
            conn.exec("DELETE FROM efd.channel WHERE topic = 'bench.efd'");
            conn.exec("DROP TABLE IF EXISTS public.bench_plain, public.bench_plain_result");
            conn.exec("CREATE TABLE public.bench_plain (channel integer NOT NULL, time timestamptz NOT NULL, value double precision)");
            conn.exec("INSERT INTO efd.channel (topic, field, kind) SELECT 'bench.efd', 'f' || g, CASE WHEN g < " +
                      std::to_string(o.fast) + " THEN 'fast' ELSE 'slow' END FROM generate_series(0, " +
                      std::to_string(channels - 1) + ") g");
            int first_id = std::stoi(conn.value("SELECT min(id) FROM efd.channel WHERE topic = 'bench.efd'"));
            // The night: exposures of 30 s every 36 s from 2029-01-10 00:00 UTC.
            const int64_t slice = 600'000'000;  // one COPY per 10 minutes of telemetry
            std::mt19937_64 rng(42);
            std::normal_distribution<double> noise(0, 1);
            std::uniform_int_distribution<int> jitter(-100, 100);
            copy_obsmeta = copy_plain = 0;
            for (int64_t s0 = night_start; s0 < night_end; s0 += slice) {
                obsmeta::sample::EfdCopyRows rows;
                int64_t s1 = std::min(night_end, s0 + slice);
                for (int c = 0; c < channels; ++c) {
                    bool fast = c < o.fast;
                    int64_t step = fast ? 1'000'000 / o.hz : 1'000'000;
                    for (int64_t t = s0 + (c % 7) * 1000; t < s1; t += step) {
                        double x = static_cast<double>(t - night_start) * 1e-6;
                        double v = fast ? 45 + 10 * std::sin(x / 3000 + c) + 1e-4 * noise(rng)  // encoder-like double
                                        : static_cast<double>(static_cast<float>(10 + 0.01 * c + 0.05 * noise(rng)));  // float32 sensor
                        rows.row(first_id + c, t + (fast ? jitter(rng) : 0), v);
                    }
                }
                total += rows.rows();
                std::string data = rows.finish();
                auto t0 = Clock::now();
                obsmeta::sample::copy_binary(conn, "efd.sample (channel, time, value)", data);
                copy_obsmeta += seconds_since(t0);
                t0 = Clock::now();
                obsmeta::sample::copy_binary(conn, "public.bench_plain (channel, time, value)", data);
                copy_plain += seconds_since(t0);
            }
            auto t0 = Clock::now();
            // INCLUDE (value): the reduction reads the index only (1.4x faster than heap fetches).
            conn.exec("CREATE INDEX bench_plain_idx ON public.bench_plain (channel, time) INCLUDE (value)");
            index_build = seconds_since(t0);
            // Both vacuumed (the visibility map lets both read their indexes only: the plain table's
            // covering index, the chunks' primary key with their spans and moments) and analyzed.
            conn.exec("VACUUM ANALYZE public.bench_plain");
            conn.exec("VACUUM ANALYZE efd.chunk");
            // Exposures (reductions disabled while they arrive, so that only the timed run computes).
            conn.exec("CREATE TEMP TABLE bench_saved_enabled AS SELECT id, enabled FROM efd.reduction");
            conn.exec("UPDATE efd.reduction SET enabled = false");
            conn.exec("INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LSSTCam', 'r_57', 'r') ON CONFLICT DO NOTHING");
            conn.exec("INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num, "
                      "zenith_angle, can_see_sky, timespan_begin, timespan_end) "
                      "SELECT 'LSSTCam', 7000000000000 + g, 'r_57', 'BENCH_' || g, 30, 'science', g, 30, true, "
                      "'2000-01-01 00:00:00+00'::timestamptz + (" + std::to_string(night_start) + " + g::bigint * " + std::to_string(cadence) +
                      ") * interval '1 microsecond', '2000-01-01 00:00:00+00'::timestamptz + (" + std::to_string(night_start) +
                      " + g::bigint * " + std::to_string(cadence) + " + " + std::to_string(exptime) + ") * interval '1 microsecond' "
                      "FROM generate_series(0, " + std::to_string(o.exposures - 1) + ") g");
            conn.exec("INSERT INTO efd.reduction (output_name, method, channel, for_visit, source, enabled) "
                      "SELECT 'bench_' || c.field || '_' || m, m, c.id, false, 'bench', false FROM efd.channel c "
                      "CROSS JOIN unnest(ARRAY['mean', 'min', 'max', 'stddev', 'count']) m WHERE c.topic = 'bench.efd'");
            conn.exec("UPDATE efd.reduction r SET enabled = s.enabled FROM bench_saved_enabled s WHERE s.id = r.id");
            conn.exec("DROP TABLE bench_saved_enabled");
        } else {
            total = std::stoull(conn.value("SELECT count(*) FROM public.bench_plain"));
        }
        // Only the benchmark's reductions run in the timed recomputation.
        conn.exec("CREATE TEMP TABLE bench_saved_enabled AS SELECT id, enabled FROM efd.reduction");
        conn.exec("UPDATE efd.reduction SET enabled = (source = 'bench')");
        conn.exec("SET max_parallel_workers_per_gather = 2");  // the plain query may use them (its planner does not)
        const int pid = std::stoi(conn.value("SELECT pg_backend_pid()"));

        double obsmeta_bytes = std::stod(conn.value(
            "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'efd.chunk'::regclass"));
        double chunk_bytes_bench = std::stod(conn.value(
            "SELECT sum(pg_column_size(data)) FROM efd.chunk c JOIN efd.channel ch ON ch.id = c.channel WHERE ch.topic = 'bench.efd'"));
        double plain_bytes = std::stod(conn.value("SELECT pg_total_relation_size('public.bench_plain')"));

        // Both reductions, o.repeat times each, alternating (so that both see the same machine);
        // every run does the whole work: obsmeta's values are deleted before, the plain table dropped.
        std::vector<Timing> obsmeta_runs, plain_runs;
        std::string values;
        for (int r = 0; r < o.repeat; ++r) {
            conn.exec("DELETE FROM efd.exposure_values WHERE instrument = 'LSSTCam' AND exposure BETWEEN 7000000000000 AND 7000000099999");
            obsmeta_runs.push_back(timed(conn, pid, [&] { values = conn.value("SELECT efd.recompute('exposure', '2029-01-01', '2030-01-01')"); }));
            conn.exec("DROP TABLE IF EXISTS public.bench_plain_result");
            plain_runs.push_back(timed(conn, pid, [&] { conn.exec(kPlainSql); }));
        }
        Timing obsmeta_t = median(obsmeta_runs), plain_t = median(plain_runs);

        // Same results? Every statistic of every (exposure, channel), within a relative 1e-9.
        auto check = conn.query(R"SQL(
WITH o AS (
    SELECT r.*, (v."values" ->> ('bench_' || c.field || '_mean'))::float8 AS o_mean,
           (v."values" ->> ('bench_' || c.field || '_min'))::float8 AS o_min,
           (v."values" ->> ('bench_' || c.field || '_max'))::float8 AS o_max,
           (v."values" ->> ('bench_' || c.field || '_stddev'))::float8 AS o_stddev,
           (v."values" ->> ('bench_' || c.field || '_count'))::float8 AS o_n
      FROM public.bench_plain_result r JOIN efd.channel c ON c.id = r.channel
      LEFT JOIN efd.exposure_values v ON v.instrument = r.instrument AND v.exposure = r.exposure),
d AS (
    SELECT o.*, (SELECT bool_and(CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
                                      ELSE abs(a - b) <= 1e-9 * greatest(1, abs(a)) END)
                   FROM (VALUES (mean, o_mean), (min, o_min), (max, o_max), (stddev, o_stddev),
                                (nullif(n, 0)::float8, nullif(o_n, 0))) AS x(a, b)) AS same
      FROM o)
SELECT count(*), count(*) FILTER (WHERE NOT same), coalesce(max(abs(mean - o_mean)), 0), coalesce(max(abs(stddev - o_stddev)), 0),
       (SELECT count(*) FROM efd.exposure_value WHERE exposure BETWEEN 7000000000000 AND 7000000099999)
  FROM d)SQL");

        conn.exec("UPDATE efd.reduction r SET enabled = s.enabled FROM bench_saved_enabled s WHERE s.id = r.id");
        conn.exec("DROP TABLE bench_saved_enabled");

        std::printf("EFD benchmark: %d exposures, %d channels (%d fast at %d Hz, %d slow at 1 Hz), %zu samples; median of %d runs\n",
                    o.exposures, channels, o.fast, o.hz, o.slow, total, o.repeat);
        std::printf("reduce  obsmeta   efd.recompute (%s values into efd.exposure_values):  %7.3f s   backend CPU %7.3f s\n",
                    values.c_str(), obsmeta_t.wall, obsmeta_t.cpu);
        std::printf("reduce  plain SQL LATERAL index-only range scans (CREATE TABLE AS):   %7.3f s   backend CPU %7.3f s\n",
                    plain_t.wall, plain_t.cpu);
        std::printf("        ratio plain/obsmeta: %.1fx wall, %.1fx backend CPU   (runs: obsmeta", plain_t.wall / obsmeta_t.wall,
                    obsmeta_t.cpu > 0 ? plain_t.cpu / obsmeta_t.cpu : 0.0);
        for (const auto& t : obsmeta_runs) std::printf(" %.2f", t.wall);
        std::printf(", plain");
        for (const auto& t : plain_runs) std::printf(" %.2f", t.wall);
        std::printf(")\n");
        std::printf("check   %s (exposure, channel) pairs, %s mismatches (mean/min/max/stddev/count within 1e-9 relative); "
                    "max |mean diff| %s, max |stddev diff| %s; %s values in efd.exposure_value\n",
                    check[0][0].c_str(), check[0][1].c_str(), check[0][2].c_str(), check[0][3].c_str(), check[0][4].c_str());
        std::printf("disk    obsmeta efd.chunk partitions (heap+TOAST+index): %.2f bytes/sample (chunk data %.2f)\n",
                    obsmeta_bytes / static_cast<double>(total), chunk_bytes_bench / static_cast<double>(total));
        std::printf("disk    plain table + btree (channel, time) INCLUDE (value): %.2f bytes/sample   ratio %.1fx\n",
                    plain_bytes / static_cast<double>(total), plain_bytes / obsmeta_bytes);
        if (copy_obsmeta >= 0) {
            std::printf("ingest  COPY (binary) into efd.sample: %.2f M samples/s (%.2f s)\n", total / copy_obsmeta / 1e6, copy_obsmeta);
            std::printf("ingest  COPY (binary) into plain table: %.2f M samples/s (%.2f s, + %.2f s index build)\n",
                        total / copy_plain / 1e6, copy_plain, index_build);
        }

        if (!o.keep) {  // Leave the database as found.
            conn.exec("DELETE FROM gen3.exposure WHERE instrument = 'LSSTCam' AND id BETWEEN 7000000000000 AND 7000000099999");
            conn.exec("DELETE FROM efd.reduction WHERE source = 'bench'");
            conn.exec("DELETE FROM efd.channel WHERE topic = 'bench.efd'");
            conn.exec("DROP TABLE IF EXISTS public.bench_plain, public.bench_plain_result");
        }
    } catch (const std::exception& e) {
        std::cerr << "obsmeta-bench-efd: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
