// EFD benchmark: a simulated night of telemetry reduced per exposure by obsmeta (efd.recompute:
// C++ kernels over compact chunks, values written to efd.exposure_value) versus the best plain-SQL
// formulation over a plain (channel, time, value) table with a btree index (a LATERAL index-range
// scan with avg/min/max/stddev/count per channel and exposure, results written to a table too).
// Prints, in one run: reduction time ratio, bytes per sample both ways, COPY samples/s both ways.
//
//   obsmeta-bench-efd [--full] [--exposures N] [--fast N] [--slow N] [--hz N] [--conninfo STR]
//   default: 100 exposures (1 h), 30 fast channels at 50 Hz + 170 slow at 1 Hz (~6 M samples)
//   --full:  1000 exposures (10 h), same channels (~60 M samples)
// The database must have obsmeta installed (CREATE EXTENSION obsmeta CASCADE); the benchmark
// creates and drops its own channels, reductions, exposures and plain table.
#include <libpq-fe.h>

#include <arpa/inet.h>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "sample_night/pg_io.hpp"

using obsmeta::sample::Connection;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    int exposures = 100;
    int fast = 30, slow = 170, hz = 50;
    std::string conninfo;
};

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// PostgreSQL binary COPY, (channel int4, time timestamptz, value float8) rows.
class BinaryRows {
public:
    BinaryRows() { start(); }
    void start() {
        buf_.clear();
        static const char sig[] = "PGCOPY\n\377\r\n\0";
        buf_.insert(buf_.end(), sig, sig + 11);
        put32(0);
        put32(0);
        rows_ = 0;
    }
    void row(int32_t channel, int64_t t_us_2000, double v) {
        put16(3);
        put32(4);
        put32(static_cast<uint32_t>(channel));
        put32(8);
        put64(static_cast<uint64_t>(t_us_2000));
        put32(8);
        uint64_t bits;
        std::memcpy(&bits, &v, 8);
        put64(bits);
        ++rows_;
    }
    std::string finish() {
        put16(0xffff);
        return std::string(buf_.begin(), buf_.end());
    }
    std::size_t rows() const { return rows_; }

private:
    std::vector<char> buf_;
    std::size_t rows_ = 0;
    void put16(uint16_t x) { x = htons(x); buf_.insert(buf_.end(), reinterpret_cast<char*>(&x), reinterpret_cast<char*>(&x) + 2); }
    void put32(uint32_t x) { x = htonl(x); buf_.insert(buf_.end(), reinterpret_cast<char*>(&x), reinterpret_cast<char*>(&x) + 4); }
    void put64(uint64_t x) {
        put32(static_cast<uint32_t>(x >> 32));
        put32(static_cast<uint32_t>(x));
    }
};

void copy_binary(Connection& conn, const std::string& target, const std::string& data) {
    PGresult* res = PQexec(conn.raw(), ("COPY " + target + " FROM STDIN (FORMAT binary)").c_str());
    obsmeta::sample::check(conn.raw(), res, PGRES_COPY_IN, "COPY " + target);
    if (PQputCopyData(conn.raw(), data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(conn.raw(), nullptr) != 1)
        throw std::runtime_error(PQerrorMessage(conn.raw()));
    obsmeta::sample::check(conn.raw(), PQgetResult(conn.raw()), PGRES_COMMAND_OK, "COPY " + target);
    while (PGresult* r = PQgetResult(conn.raw())) PQclear(r);
}

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
        else {
            std::cerr << "usage: obsmeta-bench-efd [--full] [--exposures N] [--fast N] [--slow N] [--hz N] [--conninfo STR]\n";
            return 2;
        }
    }
    try {
        Connection conn(o.conninfo);
        conn.exec("SET client_min_messages = warning");
        const int channels = o.fast + o.slow;
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
        const int64_t night_start = int64_t{915926400} * 1000000;  // 2029-01-10 00:00 UTC in µs since 2000-01-01
        const int64_t cadence = 36'000'000, exptime = 30'000'000;
        const int64_t night_end = night_start + o.exposures * cadence;
        const int64_t slice = 600'000'000;  // one COPY per 10 minutes of telemetry
        std::mt19937_64 rng(42);
        std::normal_distribution<double> noise(0, 1);
        std::uniform_int_distribution<int> jitter(-100, 100);

        std::size_t total = 0;
        double copy_obsmeta = 0, copy_plain = 0;
        for (int64_t s0 = night_start; s0 < night_end; s0 += slice) {
            BinaryRows rows;
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
            copy_binary(conn, "efd.sample (channel, time, value)", data);
            copy_obsmeta += seconds_since(t0);
            t0 = Clock::now();
            copy_binary(conn, "public.bench_plain (channel, time, value)", data);
            copy_plain += seconds_since(t0);
        }
        auto t0 = Clock::now();
        conn.exec("CREATE INDEX bench_plain_idx ON public.bench_plain (channel, time)");
        double index_build = seconds_since(t0);
        conn.exec("VACUUM ANALYZE public.bench_plain");
        conn.exec("ANALYZE efd.chunk");

        double obsmeta_bytes = std::stod(conn.value(
            "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'efd.chunk'::regclass"));
        double chunk_bytes_bench = std::stod(conn.value(
            "SELECT sum(pg_column_size(data) + 60) FROM efd.chunk c JOIN efd.channel ch ON ch.id = c.channel WHERE ch.topic = 'bench.efd'"));
        double plain_bytes = std::stod(conn.value("SELECT pg_total_relation_size('public.bench_plain')"));

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
        conn.exec("INSERT INTO efd.reduction (output_name, method, channel, for_visit, source) "
                  "SELECT 'bench_' || c.field || '_' || m, m, c.id, false, 'bench' FROM efd.channel c "
                  "CROSS JOIN unnest(ARRAY['mean', 'min', 'max', 'stddev', 'count']) m WHERE c.topic = 'bench.efd'");

        t0 = Clock::now();
        std::string values = conn.value("SELECT efd.recompute('exposure', '2029-01-01', '2030-01-01')");
        double reduce_obsmeta = seconds_since(t0);

        conn.exec("SET max_parallel_workers_per_gather = 2");
        t0 = Clock::now();
        conn.exec(R"SQL(
CREATE UNLOGGED TABLE public.bench_plain_result AS
SELECT e.instrument, e.id AS exposure, c.id AS channel, x.mean, x.min, x.max, x.stddev, x.n
  FROM gen3.exposure e
 CROSS JOIN (SELECT id FROM efd.channel WHERE topic = 'bench.efd') c
 CROSS JOIN LATERAL (
       SELECT avg(p.value) AS mean, min(p.value) AS min, max(p.value) AS max, stddev_samp(p.value) AS stddev, count(*) AS n
         FROM public.bench_plain p
        WHERE p.channel = c.id AND p.time BETWEEN e.timespan_begin AND e.timespan_end) x
 WHERE e.instrument = 'LSSTCam' AND e.id BETWEEN 7000000000000 AND 7000000099999)SQL");
        double reduce_plain = seconds_since(t0);

        // The two agree (means of one exposure and channel).
        std::string check = conn.value(R"SQL(
SELECT max(abs((v."values" ->> ('bench_' || c.field || '_mean'))::float8 - r.mean)) FROM public.bench_plain_result r
  JOIN efd.channel c ON c.id = r.channel
  JOIN efd.exposure_values v ON v.instrument = r.instrument AND v.exposure = r.exposure)SQL");

        conn.exec("UPDATE efd.reduction r SET enabled = s.enabled FROM bench_saved_enabled s WHERE s.id = r.id");

        std::printf("EFD benchmark: %d exposures, %d channels (%d fast at %d Hz, %d slow at 1 Hz), %zu samples\n",
                    o.exposures, channels, o.fast, o.hz, o.slow, total);
        std::printf("reduce  obsmeta (efd.recompute, %s values written): %8.2f s\n", values.c_str(), reduce_obsmeta);
        std::printf("reduce  plain SQL (LATERAL btree range scans, CREATE TABLE AS): %8.2f s\n", reduce_plain);
        std::printf("        ratio plain/obsmeta: %.1fx   (max |mean difference| %s)\n", reduce_plain / reduce_obsmeta, check.c_str());
        std::printf("disk    obsmeta efd.chunk partitions (heap+TOAST+index): %.2f bytes/sample (chunk data %.2f)\n",
                    obsmeta_bytes / static_cast<double>(total), chunk_bytes_bench / static_cast<double>(total));
        std::printf("disk    plain table + btree: %.2f bytes/sample   ratio %.1fx\n", plain_bytes / static_cast<double>(total),
                    plain_bytes / obsmeta_bytes);
        std::printf("ingest  COPY (binary) into efd.sample: %.2f M samples/s (%.2f s)\n", total / copy_obsmeta / 1e6, copy_obsmeta);
        std::printf("ingest  COPY (binary) into plain table: %.2f M samples/s (%.2f s, + %.2f s index build)\n",
                    total / copy_plain / 1e6, copy_plain, index_build);

        // Leave the database as found.
        conn.exec("DELETE FROM gen3.exposure WHERE instrument = 'LSSTCam' AND id BETWEEN 7000000000000 AND 7000000099999");
        conn.exec("DELETE FROM efd.reduction WHERE source = 'bench'");
        conn.exec("DELETE FROM efd.channel WHERE topic = 'bench.efd'");
        conn.exec("DROP TABLE IF EXISTS public.bench_plain, public.bench_plain_result");
    } catch (const std::exception& e) {
        std::cerr << "obsmeta-bench-efd: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
