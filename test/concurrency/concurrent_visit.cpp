// obsmeta-concurrency: many writers fill one visit's visit_image plane at the same time.
//
// A setup connection loads the instrument, one exposure, its one-snap visit and the visit's 189
// detector regions and commits. Then --clients threads (own connection each), released together by
// a barrier, insert the visit_image datasets and file_datastore_records of detectors d with
// d % clients == k. Clients differ on purpose: some commit per detector, some once at the end;
// some insert the dataset before its record, some the record first (a child before its parent).
// Any error fails the run (a deadlock, SQLSTATE 40P01, included). Then every client replays its
// rows with ON CONFLICT DO NOTHING (idempotent inserts), and SQL checks that the CAOM2 plane holds
// exactly one artifact per detector whose footprint lies inside the plane bounds.
// Output is TAP-like: "ok N - ..." / "not ok N - ...", then "P passed, F failed"; exit 1 if F > 0.
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sample_night/cli.hpp"
#include "sample_night/night.hpp"
#include "sample_night/pg_io.hpp"
#include "sample_night/table_text.hpp"

using namespace obsmeta::sample;

namespace {

struct Options {
    std::string conninfo;
    int clients = 16;
    int visit_seq = 0;  // 0: one past the highest exposure/visit seq_num of day_obs 20251202 in gen3
    int repeat = 1;
};

Options parse(int argc, char** argv) {
    Options o;
    Cli cli(argc, argv,
            "usage: obsmeta-concurrency --conninfo \"...\" [--clients 16] [--visit-offset SEQ] [--repeat R]\n"
            "  --visit-offset SEQ: use exposure/visit id 20251202*100000+SEQ (default: past the highest in gen3)");
    while (cli.next()) {
        if (cli.is("--conninfo")) o.conninfo = cli.value();
        else if (cli.is("--clients")) o.clients = cli.int_value();
        else if (cli.is("--visit-offset")) o.visit_seq = cli.int_value();
        else if (cli.is("--repeat")) o.repeat = cli.int_value();
        else cli.unknown();
    }
    if (o.conninfo.empty()) cli.fail("--conninfo is required");
    if (o.clients < 1 || o.clients > 189) cli.fail("--clients must be 1..189");
    return o;
}

// std::barrier is C++20; this is the one-shot version we need.
class Barrier {
public:
    explicit Barrier(int n) : left_(n) {}
    void arrive_and_wait() {
        std::unique_lock<std::mutex> lock(m_);
        if (--left_ == 0) cv_.notify_all();
        else cv_.wait(lock, [this] { return left_ == 0; });
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    int left_;
};

struct ClientResult {
    std::string error;  // empty = fine
    std::string sqlstate;
};

// Behaviour of client k: commit per detector or once; dataset first or record first.
bool commits_per_detector(int k) { return k % 2 == 0; }
bool record_first(int k) { return k % 4 >= 2; }

// The rows one client writes for one detector: its dataset and its record as two one-row tables.
struct DetectorRows {
    TableText dataset, record;
};

std::vector<std::vector<DetectorRows>> split_by_client(const Night& night, int clients) {
    const std::vector<TableText> tables = to_tables(night);
    const TableText& ds = tables[8];   // dataset
    const TableText& rec = tables[9];  // file_datastore_record, same order as datasets
    std::vector<std::vector<DetectorRows>> out(static_cast<std::size_t>(clients));
    for (std::size_t i = 0; i < night.dataset.size(); ++i) {
        const int k = night.dataset[i].detector % clients;
        DetectorRows r{{ds.name, ds.columns, {ds.rows[i]}}, {rec.name, rec.columns, {rec.rows[i]}}};
        out[static_cast<std::size_t>(k)].push_back(std::move(r));
    }
    return out;
}

void run_client(const std::string& conninfo, int k, const std::vector<DetectorRows>& rows, bool replay,
                Barrier& barrier, ClientResult& result) {
    std::unique_ptr<Connection> conn;
    try {
        conn = std::make_unique<Connection>(conninfo);
    } catch (const PgError& e) {
        result = {e.what(), e.sqlstate()};
    }
    barrier.arrive_and_wait();  // everyone starts together, connected or not
    if (!conn) return;
    try {
        const bool per_detector = commits_per_detector(k);
        if (!per_detector) conn->exec("BEGIN");
        for (const auto& r : rows) {
            if (per_detector) conn->exec("BEGIN");
            const TableText& first = record_first(k) ? r.record : r.dataset;
            const TableText& second = record_first(k) ? r.dataset : r.record;
            insert_rows(*conn, "gen3", first, replay);
            insert_rows(*conn, "gen3", second, replay);
            if (per_detector) conn->exec("COMMIT");
        }
        if (!per_detector) conn->exec("COMMIT");
    } catch (const PgError& e) {
        result = {e.what(), e.sqlstate()};
    }
}

// Runs all clients at once; returns one result per client.
std::vector<ClientResult> run_clients(const Options& o, const std::vector<std::vector<DetectorRows>>& work, bool replay) {
    std::vector<ClientResult> results(static_cast<std::size_t>(o.clients));
    Barrier barrier(o.clients);
    std::vector<std::thread> threads;
    for (int k = 0; k < o.clients; ++k) {
        const auto i = static_cast<std::size_t>(k);
        threads.emplace_back(run_client, std::cref(o.conninfo), k, std::cref(work[i]), replay, std::ref(barrier),
                             std::ref(results[i]));
    }
    for (auto& t : threads) t.join();
    return results;
}

class Report {
public:
    void check(bool ok, const std::string& what, const std::string& detail = "") {
        ++n_;
        (ok ? passed_ : failed_)++;
        std::printf("%sok %d - %s\n", ok ? "" : "not ", n_, what.c_str());
        if (!ok && !detail.empty()) std::printf("#   %s\n", detail.c_str());
    }
    void note(std::string s) {
        for (std::size_t i = 0; (i = s.find('\n', i)) != std::string::npos; i += 4) s.replace(i, 1, "\n#   ");
        std::printf("# %s\n", s.c_str());
    }
    int failed() const { return failed_; }
    void summary() const { std::printf("%d passed, %d failed\n", passed_, failed_); }

private:
    int n_ = 0, passed_ = 0, failed_ = 0;
};

bool clients_ok(Report& report, const std::vector<ClientResult>& results, const std::string& what) {
    std::string detail;
    int deadlocks = 0, failures = 0;
    for (std::size_t k = 0; k < results.size(); ++k) {
        if (results[k].error.empty()) continue;
        ++failures;
        deadlocks += results[k].sqlstate == "40P01";
        report.note("client " + std::to_string(k) + " [" + results[k].sqlstate + "]: " + results[k].error);
    }
    if (deadlocks) detail = std::to_string(deadlocks) + " deadlock(s) (40P01)";
    report.check(failures == 0, what, detail.empty() ? std::to_string(failures) + " client(s) failed" : detail);
    return failures == 0;
}

// Value of a count query, or -1 with the error noted.
long count(Connection& conn, Report& report, const std::string& sql) {
    try {
        return std::stol(conn.value(sql));
    } catch (const std::exception& e) {
        report.note(std::string("query failed: ") + e.what());
        return -1;
    }
}

void expect(Connection& conn, Report& report, const std::string& what, const std::string& sql, long want) {
    const long got = count(conn, report, sql);
    report.check(got == want, what, "expected " + std::to_string(want) + ", got " + std::to_string(got));
}

void verify(Connection& conn, Report& report, const VisitRow& visit) {
    const std::string v = std::to_string(visit.id);
    const std::string plane =
        "(SELECT p.plane_id FROM caom2.plane p"
        " WHERE p.obs_id = obsmeta.visit_obs_id('LSSTCam', " + v + ") AND p.product_id = 'visit_image')";
    const std::string chunks = "caom2.artifact a JOIN caom2.part pt ON pt.artifact_id = a.artifact_id"
                               " JOIN caom2.chunk c ON c.part_id = pt.part_id WHERE a.plane_id IN " + plane;
    expect(conn, report, "189 visit_image datasets and records in gen3 for visit " + v,
           "SELECT count(*) FROM gen3.dataset d JOIN gen3.file_datastore_record f ON f.dataset_id = d.id"
           " WHERE d.instrument = 'LSSTCam' AND d.visit = " + v + " AND d.dataset_type = 'visit_image'", 189);
    expect(conn, report, "one DerivedObservation for visit " + v,
           "SELECT count(*) FROM caom2.observation WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', " + v +
               ") AND obs_type = 'DerivedObservation'",
           1);
    expect(conn, report, "one visit_image plane", "SELECT count(*) FROM " + plane + " x", 1);
    expect(conn, report, "189 artifacts in the visit_image plane",
           "SELECT count(*) FROM caom2.artifact WHERE plane_id IN " + plane, 189);
    expect(conn, report, "189 chunks with 189 distinct lsst_detector",
           "SELECT CASE WHEN count(*) = count(DISTINCT c.lsst_detector) THEN count(DISTINCT c.lsst_detector) ELSE -count(*) END"
           " FROM " + chunks, 189);
    expect(conn, report, "every chunk has a footprint", "SELECT count(*) FROM " + chunks + " AND c.footprint IS NULL", 0);
    expect(conn, report, "plane bounds cover all 189 detector footprints",
           "SELECT count(*) FROM caom2.plane p JOIN caom2.artifact a ON a.plane_id = p.plane_id"
           " JOIN caom2.part pt ON pt.artifact_id = a.artifact_id JOIN caom2.chunk c ON c.part_id = pt.part_id"
           " WHERE p.plane_id IN " + plane + " AND (p.position_bounds IS NULL OR NOT (c.footprint <@ p.position_bounds))",
           0);
    // Whole-database view: nothing left waiting for a parent once every writer has committed.
    if (conn.value("SELECT to_regclass('obsmeta.pending') IS NOT NULL") == "t") {
        expect(conn, report, "nothing pending in obsmeta.pending", "SELECT count(*) FROM obsmeta.pending", 0);
    } else {
        report.note("obsmeta.pending does not exist; pending check skipped");
    }
    // The derived state the writers' batches maintained at their ends (checksums, ObsCore) is what
    // a recomputation from the final rows gives.
    expect(conn, report, "every CAOM-2.4 checksum of the visit's observations recomputes",
           "SELECT count(*) FROM caom2.observation o CROSS JOIN LATERAL caom2.verify_checksums(o.obs_id) v"
           " WHERE o.obs_id IN (SELECT obs_id FROM caom2.plane WHERE plane_id IN " + plane + ")",
           0);
    expect(conn, report, "ivoa.obscore equals its recomputation (obsmeta.verify_obscore)",
           "SELECT count(*) FROM obsmeta.verify_obscore()", 0);
}

int next_free_seq(Connection& conn) {
    const std::string lo = std::to_string(exposure_id(1) - 1);
    const std::string hi = std::to_string(exposure_id(99999));
    return std::stoi(conn.value("SELECT coalesce(max(id), " + lo + ") - " + lo + " + 1 FROM (SELECT id FROM gen3.exposure"
                                " UNION ALL SELECT id FROM gen3.visit) x WHERE id BETWEEN " + lo + " AND " + hi));
}

void one_round(const Options& o, Connection& setup, Report& report, int seq) {
    // One science exposure, its one-snap visit, and the visit's visit_image datasets (no raws).
    NightConfig c;
    c.exposures = 1;
    c.bias = c.flat = 0;
    c.two_snap_fraction = 0;
    c.first_seq = seq;
    c.seed = 7 + static_cast<std::uint64_t>(seq);
    c.raw = false;
    const Night night = make_night(c);
    const VisitRow& visit = night.visit.at(0);
    report.note("visit " + std::to_string(visit.id) + " (" + visit.name + "), " + std::to_string(o.clients) + " clients");

    // Setup: shared rows may already exist from an earlier round; the visit's rows are new.
    Night head = night;
    head.dataset.clear();
    head.file_datastore_record.clear();
    try {
        setup.exec("BEGIN");
        for (const auto& t : to_tables(head)) {
            const bool shared = t.name == "instrument" || t.name == "physical_filter" || t.name == "detector" ||
                                t.name == "day_obs";
            insert_rows(setup, "gen3", t, shared);
        }
        setup.exec("COMMIT");
        report.check(true, "setup: exposure, visit and 189 detector regions committed");
    } catch (const PgError& e) {
        report.check(false, "setup: exposure, visit and 189 detector regions committed",
                     "[" + e.sqlstate() + "] " + e.what());
        setup.exec("ROLLBACK");
        return;
    }

    const auto work = split_by_client(night, o.clients);
    clients_ok(report, run_clients(o, work, false), "no client failed");
    verify(setup, report, visit);
    clients_ok(report, run_clients(o, work, true), "replay with ON CONFLICT DO NOTHING: no client failed");
    expect(setup, report, "after replay still 189 artifacts in the visit_image plane",
           "SELECT count(*) FROM caom2.artifact a JOIN caom2.plane p ON p.plane_id = a.plane_id"
           " WHERE p.obs_id = obsmeta.visit_obs_id('LSSTCam', " + std::to_string(visit.id) +
               ") AND p.product_id = 'visit_image'",
           189);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const Options o = parse(argc, argv);
    Report report;
    try {
        Connection setup(o.conninfo);
        int seq = o.visit_seq > 0 ? o.visit_seq : next_free_seq(setup);
        for (int r = 0; r < o.repeat; ++r) {
            one_round(o, setup, report, seq);
            seq = next_free_seq(setup);  // a fresh visit for the next round
        }
    } catch (const std::exception& e) {
        report.check(false, "test ran to the end", e.what());
    }
    report.summary();
    return report.failed() > 0 ? 1 : 0;
}
