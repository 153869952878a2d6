// Rubin results benchmark (issue 3): bulk-loading a Data Release's per-detector and per-visit
// results, and the cost of a "current best" query against a single-release query.
//
//   obsmeta-bench-rubin --conninfo STR [--rows N] [--repeat N]
//
// Results go to the visits mirrored in gen3.visit (their visit_image chunks get the WCS, the
// planes the Metrics) and, to reach N visit-detectors, to visits that are not mirrored (accepted
// and kept, as out-of-order results are). Load a night first for a realistic CAOM2 share, e.g.
//   build/obsmeta-sample-night --conninfo "..." --exposures 50 --copy
// Steps, each timed: COPY of N prompt rows (public at once: CAOM2 filled), COPY of N rows of an
// unpublished Data Release (no CAOM2 work), publishing it (CAOM2 switches to it), then the
// queries: whole-table and one-visit "current best" (rubin.detector_visit_current) against the
// same for one release, as the superuser and as an obsmeta_reader (row-level security).
// Everything the benchmark writes is removed at the end (releases bench_*).
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "sample_night/cli.hpp"
#include "sample_night/pg_io.hpp"

using obsmeta::sample::Cli;
using obsmeta::sample::Connection;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void copy_text(Connection& conn, const std::string& copy_sql, const std::string& data) {
    PGconn* c = conn.raw();
    obsmeta::sample::check(c, PQexec(c, copy_sql.c_str()), PGRES_COPY_IN, copy_sql);
    constexpr std::size_t kChunk = 1 << 20;
    bool ok = true;
    for (std::size_t off = 0; off < data.size() && ok; off += kChunk)
        ok = PQputCopyData(c, data.data() + off, static_cast<int>(std::min(kChunk, data.size() - off))) == 1;
    if (PQputCopyEnd(c, ok ? nullptr : "client failed") != 1) throw std::runtime_error(PQerrorMessage(c));
    PGresult* first = PQgetResult(c);
    for (PGresult* more; (more = PQgetResult(c)) != nullptr;) PQclear(more);
    obsmeta::sample::check(c, first, PGRES_COMMAND_OK, copy_sql);
}

struct Keys {
    std::vector<int64_t> visits;
    std::vector<int> detectors;
};

const char* kDetectorColumns =
    "instrument, visit, detector, release, s_ra, s_dec, psf_sigma, psf_area, psf_ixx, psf_ixy, psf_iyy, pixel_scale, "
    "sky_bg, sky_noise, zero_point, stats_mag_lim, eff_time, astrom_offset_mean, astrom_offset_std, n_psf_star, "
    "wcs_naxis1, wcs_naxis2, wcs_crpix1, wcs_crpix2, wcs_crval1, wcs_crval2, wcs_cd1_1, wcs_cd1_2, wcs_cd2_1, wcs_cd2_2, run";
const char* kVisitColumns =
    "instrument, visit, release, n_inputs, pixel_scale_median, psf_sigma_median, sky_bg_median, sky_noise_median, "
    "zero_point_median, stats_mag_lim_median, eff_time_median, low_snr_source_count_total, high_snr_source_count_total, run";

std::string detector_rows(const Keys& k, long n, const std::string& release, std::mt19937_64& rng) {
    std::normal_distribution<double> g(0.0, 1.0);
    std::string out;
    out.reserve(static_cast<std::size_t>(n) * 330);
    char buf[1024];
    long row = 0;
    for (int64_t v : k.visits) {
        for (int d : k.detectors) {
            if (row++ >= n) return out;
            const double sigma = 1.7 + 0.1 * g(rng), ra = 10.0 + 0.001 * d, dec = -30.0 + 0.0005 * d;
            std::snprintf(buf, sizeof buf,
                          "LSSTCam\t%lld\t%d\t%s\t%.9f\t%.9f\t%.5f\t%.4f\t%.5f\t%.5f\t%.5f\t0.2\t%.3f\t%.3f\t%.5f\t%.4f\t%.3f\t"
                          "%.5f\t%.5f\t%d\t4072\t4000\t2036.5\t2000.5\t%.9f\t%.9f\t-5.5e-05\t%.3e\t%.3e\t5.5e-05\t%s\n",
                          static_cast<long long>(v), d, release.c_str(), ra, dec, sigma, 12.0 * sigma * sigma,
                          sigma * sigma * 1.02, 0.03 * g(rng), sigma * sigma * 0.98, 1200 + 50 * g(rng), 35 + g(rng),
                          31.2 + 0.02 * g(rng), 24.3 + 0.1 * g(rng), 25 + g(rng), 0.015 + 0.002 * g(rng),
                          0.008 + 0.001 * g(rng), 100 + static_cast<int>(10 * g(rng)) + 20, ra, dec, 1e-8 * g(rng),
                          1e-8 * g(rng), ("bench/" + release).c_str());
            out += buf;
        }
    }
    return out;
}

std::string visit_rows(const Keys& k, long n, const std::string& release, std::mt19937_64& rng) {
    std::normal_distribution<double> g(0.0, 1.0);
    std::string out;
    char buf[512];
    const long per_visit = static_cast<long>(k.detectors.size());
    const long visits = (n + per_visit - 1) / per_visit;
    for (long i = 0; i < visits && i < static_cast<long>(k.visits.size()); ++i) {
        std::snprintf(buf, sizeof buf, "LSSTCam\t%lld\t%s\t%ld\t0.2\t%.5f\t%.3f\t%.3f\t%.5f\t%.4f\t%.3f\t3000\t500\t%s\n",
                      static_cast<long long>(k.visits[static_cast<std::size_t>(i)]), release.c_str(), per_visit,
                      1.7 + 0.1 * g(rng), 1200 + 50 * g(rng), 35 + g(rng), 31.2 + 0.02 * g(rng), 24.3 + 0.1 * g(rng),
                      25 + g(rng), ("bench/" + release).c_str());
        out += buf;
    }
    return out;
}

double timed(Connection& c, const std::string& sql, int repeat = 1) {
    auto t0 = Clock::now();
    for (int i = 0; i < repeat; ++i) c.query(sql);
    return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
    std::string conninfo;
    long rows = 100000;
    int repeat = 200;
    Cli cli(argc, argv, "usage: obsmeta-bench-rubin --conninfo \"...\" [--rows N] [--repeat N]");
    while (cli.next()) {
        if (cli.is("--conninfo")) conninfo = cli.value();
        else if (cli.is("--rows")) rows = static_cast<long>(cli.long_value());
        else if (cli.is("--repeat")) repeat = cli.int_value();
        else cli.unknown();
    }
    try {
        Connection c(conninfo);
        c.exec("SET client_min_messages = warning");
        // Keys: LSSTCam's mirrored detectors (or 0..188), mirrored visits first, then synthetic ones.
        Keys k;
        for (auto& r : c.query("SELECT id FROM gen3.detector WHERE instrument = 'LSSTCam' AND purpose IS DISTINCT FROM 'WAVEFRONT' "
                               "AND purpose IS DISTINCT FROM 'GUIDER' ORDER BY id"))
            k.detectors.push_back(std::stoi(r[0]));
        if (k.detectors.empty()) {
            c.exec("INSERT INTO gen3.instrument (name, detector_max) VALUES ('LSSTCam', 1000) ON CONFLICT DO NOTHING");
            for (int d = 0; d < 189; ++d) k.detectors.push_back(d);
        }
        for (auto& r : c.query("SELECT id FROM gen3.visit WHERE instrument = 'LSSTCam' ORDER BY id"))
            k.visits.push_back(std::stoll(r[0]));
        const long mirrored_visits = static_cast<long>(k.visits.size());
        const long need_visits = (rows + static_cast<long>(k.detectors.size()) - 1) / static_cast<long>(k.detectors.size());
        for (int64_t v = 7000000000000; static_cast<long>(k.visits.size()) < need_visits; ++v) k.visits.push_back(v);
        const long mirrored_rows = std::min(rows, mirrored_visits * static_cast<long>(k.detectors.size()));
        const std::string chunks_with_results = c.value(
            "SELECT count(*) FROM caom2.chunk c JOIN caom2.part pt USING (part_id) JOIN caom2.artifact a USING (artifact_id) "
            "JOIN caom2.plane p USING (plane_id) WHERE p.product_id = 'visit_image' AND c.lsst_detector IS NOT NULL");

        std::printf("obsmeta Rubin results benchmark: %ld visit-detectors (%zu detectors x %ld visits; %ld visits mirrored, "
                    "%s visit_image chunks in CAOM2)\n",
                    rows, k.detectors.size(), need_visits, std::min(mirrored_visits, need_visits), chunks_with_results.c_str());

        c.exec("DELETE FROM rubin.detector_visit_result WHERE release LIKE 'bench\\_%'");
        c.exec("DELETE FROM rubin.visit_result WHERE release LIKE 'bench\\_%'");
        c.exec("DELETE FROM obsmeta.release WHERE name LIKE 'bench\\_%'");
        c.exec("INSERT INTO obsmeta.release (name, kind, public_date) VALUES "
               "('bench_dp', 'data_preview', now() - interval '1 day'), ('bench_dr', 'data_release', NULL)");

        std::mt19937_64 rng(42);
        const std::string det_copy = std::string("COPY rubin.detector_visit_result (") + kDetectorColumns + ") FROM STDIN";
        const std::string vis_copy = std::string("COPY rubin.visit_result (") + kVisitColumns + ") FROM STDIN";
        auto load = [&](const std::string& release, const char* what) {
            const std::string d = detector_rows(k, rows, release, rng), v = visit_rows(k, rows, release, rng);
            auto t0 = Clock::now();
            c.exec("BEGIN");
            copy_text(c, det_copy, d);
            copy_text(c, vis_copy, v);
            c.exec("COMMIT");
            const double s = seconds_since(t0);
            std::printf("  %-58s %7.2f s  %9.0f rows/s\n", what, s, rows / s);
            return s;
        };
        std::printf("\nBulk load (COPY, one transaction, per-detector + per-visit rows):\n");
        load("bench_dp", "public release (CAOM2 filled in the same statement)");
        load("bench_dr", "Data Release before its public date (no CAOM2 work)");
        auto t0 = Clock::now();
        c.exec("SELECT obsmeta.publish_release('bench_dr')");
        const double publish = seconds_since(t0);
        const std::string switched = c.value(
            "SELECT count(*) FROM caom2.chunk c JOIN rubin.detector_visit_result r ON r.release = 'bench_dr' "
            "AND r.detector = c.lsst_detector AND r.wcs_crval1 = c.position_axis_function_ref_coord_coord1_val "
            "JOIN caom2.part pt ON pt.part_id = c.part_id JOIN caom2.artifact a ON a.artifact_id = pt.artifact_id "
            "AND a.plane_id = r.plane_id");
        std::printf("  %-58s %7.2f s  (%s chunks now carry its WCS; %ld of its rows are on mirrored visits)\n",
                    "publish it (publish_release): CAOM2 switches to it", publish, switched.c_str(), mirrored_rows);
        c.exec("ANALYZE rubin.detector_visit_result");
        c.exec("ANALYZE rubin.visit_result");

        std::printf("\nQueries (one run each; 'current' = rubin.detector_visit_current, 'release' = one release):\n");
        const std::string one_visit = std::to_string(k.visits[k.visits.size() / 2]);
        struct Q { const char* name; std::string current, release; int n; };
        const std::vector<Q> qs = {
            {"whole table: count, avg FWHM",
             "SELECT count(*), avg(psf_fwhm) FROM rubin.detector_visit_current",
             "SELECT count(*), avg(psf_fwhm) FROM rubin.detector_visit_result WHERE release = 'bench_dr'", 1},
            {"one visit (189 rows), repeated",
             "SELECT * FROM rubin.detector_visit_current WHERE instrument = 'LSSTCam' AND visit = " + one_visit,
             "SELECT * FROM rubin.detector_visit_result WHERE instrument = 'LSSTCam' AND visit = " + one_visit +
                 " AND release = 'bench_dr'", repeat},
        };
        for (const char* role : {"superuser", "obsmeta_reader"}) {
            if (std::string(role) != "superuser") c.exec("SET ROLE obsmeta_reader");
            for (const auto& q : qs) {
                timed(c, q.current), timed(c, q.release);  // warm the caches
                const double cur = timed(c, q.current, q.n), rel = timed(c, q.release, q.n);
                std::printf("  %-15s %-34s current %8.2f ms  release %8.2f ms  ratio %5.2f\n", role, q.name,
                            1000 * cur / q.n, 1000 * rel / q.n, cur / rel);
            }
            c.exec("RESET ROLE");
        }

        t0 = Clock::now();
        c.exec("DELETE FROM rubin.detector_visit_result WHERE release LIKE 'bench\\_%'");
        c.exec("DELETE FROM rubin.visit_result WHERE release LIKE 'bench\\_%'");
        c.exec("DELETE FROM obsmeta.release WHERE name LIKE 'bench\\_%'");
        std::printf("\nclean-up (delete both releases, CAOM2 restored): %.2f s\n", seconds_since(t0));
    } catch (const std::exception& e) {
        std::cerr << "obsmeta-bench-rubin: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
