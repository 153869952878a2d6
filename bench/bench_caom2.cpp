// obsmeta-bench-caom2: CAOM-2.4 checksums and XML over every observation in a database (e.g. the
// sample night: obsmeta-sample-night --exposures 14 --copy), in observations per second:
//   verify   caom2.verify_checksums(): load each observation's rows, recompute every meta and acc
//            checksum in C++, compare with the stored ones
//   export   caom2.observation_xml(): load and write the CAOM-2.4 document
//   check    caom2.check_observation_xml(): parse the document (libxml2) and recompute its checksums
//   import   caom2.import_observation_xml(doc, replace => true): parse, check, delete and re-insert
//            every row (checksum triggers included); rolled back
// Each step is one statement over all observations; times are wall clock, best of --repeat.
// A benchmark reports; it asserts nothing beyond "no checksum differs".
//   obsmeta-bench-caom2 --conninfo "host=... dbname=..." [--repeat 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "sample_night/cli.hpp"
#include "sample_night/pg_io.hpp"

using namespace obsmeta::sample;

namespace {

double seconds(Connection& conn, const std::string& sql, std::string* result = nullptr) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string v = conn.value(sql);
    const auto t1 = std::chrono::steady_clock::now();
    if (result) *result = v;
    return std::chrono::duration<double>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::string conninfo;
    int repeat = 3;
    Cli cli(argc, argv, "usage: obsmeta-bench-caom2 --conninfo \"...\" [--repeat N]");
    while (cli.next()) {
        if (cli.is("--conninfo")) conninfo = cli.value();
        else if (cli.is("--repeat")) repeat = std::max(1, cli.int_value());
        else cli.unknown();
    }
    if (conninfo.empty()) cli.fail("--conninfo is required");
    try {
        Connection conn(conninfo);
        conn.exec("SET jit = off");
        const int n = std::stoi(conn.value("SELECT count(*) FROM caom2.observation"));
        const std::string entities = conn.value(
            "SELECT (SELECT count(*) FROM caom2.observation) + (SELECT count(*) FROM caom2.plane) + "
            "(SELECT count(*) FROM caom2.artifact) + (SELECT count(*) FROM caom2.part) + (SELECT count(*) FROM caom2.chunk)");
        if (n == 0) throw std::runtime_error("no observations: load a night first (obsmeta-sample-night)");
        std::printf("obsmeta-bench-caom2: %d observations, %s entities\n\n", n, entities.c_str());
        conn.exec("CREATE TEMP TABLE bench_docs AS SELECT obs_id, caom2.observation_xml(obs_id)::text AS doc FROM caom2.observation");
        const std::string bytes = conn.value("SELECT sum(octet_length(doc)) FROM bench_docs");

        struct Step {
            const char* name;
            std::string sql;
        };
        const Step steps[] = {
            {"verify (recompute all checksums from rows)",
             "SELECT count(*) FROM caom2.observation o, caom2.verify_checksums(o.obs_id)"},
            {"export (CAOM-2.4 XML)", "SELECT sum(octet_length(caom2.observation_xml(obs_id)::text)) FROM caom2.observation"},
            {"check (parse XML + recompute)", "SELECT count(*) FROM bench_docs d, caom2.check_observation_xml(d.doc)"},
            {"import (parse, check, replace rows)",
             "SELECT count(caom2.import_observation_xml(doc, replace => true)) FROM bench_docs"},
        };
        std::printf("| step | best s | observations/s | entities/s | result |\n|---|---:|---:|---:|---|\n");
        for (const Step& s : steps) {
            double best = 1e300;
            std::string result;
            bool failed = false;
            for (int r = 0; r < repeat && !failed; ++r) {
                const bool rollback = std::string(s.name).rfind("import", 0) == 0;
                if (rollback) conn.exec("BEGIN");
                try {
                    best = std::min(best, seconds(conn, s.sql, &result));
                } catch (const std::exception& e) {  // reported, not hidden: the step's row says it failed
                    failed = true;
                    result = std::string("FAILED: ") + e.what();
                    for (char& c : result)
                        if (c == '\n' || c == '|') c = ' ';
                }
                if (rollback) conn.exec("ROLLBACK");
            }
            if (failed) std::printf("| %s | - | - | - | %s |\n", s.name, result.c_str());
            else std::printf("| %s | %.3f | %.0f | %.0f | %s |\n", s.name, best, n / best, std::stod(entities) / best, result.c_str());
        }
        std::printf("\nXML: %s bytes in %d documents\n", bytes.c_str(), n);
        conn.exec("DROP TABLE bench_docs");

        // What checksum maintenance adds to the conversion: the whole night converted again from
        // gen3 (CAOM2 emptied first), with the checksum triggers enabled and disabled, alternating,
        // each inside a transaction that is rolled back. Needs the tables' owner (superuser).
        const char* const kCaom2[] = {"observation", "plane", "artifact", "part", "chunk", "observation_member",
                                      "provenance_input"};
        std::vector<double> with, without;
        std::string rows;
        for (int r = 0; r < repeat; ++r) {
            for (bool checksums : {false, true}) {
                conn.exec("BEGIN");
                if (!checksums)
                    for (const char* t : kCaom2)
                        conn.exec(std::string("ALTER TABLE caom2.") + t + " DISABLE TRIGGER caom2_checksum_ins, " +
                                  "DISABLE TRIGGER caom2_checksum_upd, DISABLE TRIGGER caom2_checksum_del" +
                                  (std::string(t).find('_') == std::string::npos ? ", DISABLE TRIGGER caom2_checksum_row" : ""));
                conn.exec("TRUNCATE caom2.observation, caom2.plane, caom2.artifact, caom2.part, caom2.chunk, "
                          "caom2.observation_member, caom2.provenance_input, obsmeta.dataset_plane, ivoa.obscore");
                (checksums ? with : without).push_back(seconds(conn, "SELECT obsmeta.reconvert()", &rows));
                conn.exec("ROLLBACK");
            }
        }
        std::sort(with.begin(), with.end());
        std::sort(without.begin(), without.end());
        const double w = with[with.size() / 2], wo = without[without.size() / 2];
        std::printf("\n| conversion of the night (obsmeta.reconvert(), %s CAOM2 rows) | median s |\n|---|---:|\n", rows.c_str());
        std::printf("| checksum triggers disabled | %.3f |\n| checksum triggers enabled | %.3f |\n", wo, w);
        std::printf("| cost of checksum maintenance (enabled / disabled) | %.2fx |\n", w / wo);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "obsmeta-bench-caom2: %s\n", e.what());
        return 1;
    }
    return 0;
}
