// obsmeta-sample-night: generate one LSSTCam night and load it into gen3 (or write COPY files).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "sample_night/cli.hpp"
#include "sample_night/night.hpp"
#include "sample_night/pg_io.hpp"
#include "sample_night/table_text.hpp"

using namespace obsmeta::sample;

namespace {

struct Options {
    int exposures = 50;
    std::uint64_t seed = 20251202;
    int first_seq = 1;
    std::string conninfo, write_dir, schema = "gen3";
    bool insert = false, children_first = false, convert = true, check_only = false, reuse_static = false;
};

Options parse(int argc, char** argv) {
    Options o;
    Cli cli(argc, argv,
            "usage: obsmeta-sample-night [--exposures N] [--seed S] [--first-seq Q]\n"
            "         (--conninfo \"...\" [--insert|--copy] [--order parents-first|children-first]\n"
            "          [--schema gen3] [--reuse-static] [--no-convert] | --write-dir DIR | --check)");
    while (cli.next()) {
        if (cli.is("--exposures")) o.exposures = cli.int_value();
        else if (cli.is("--seed")) o.seed = cli.unsigned_value();
        else if (cli.is("--first-seq")) o.first_seq = cli.int_value();
        else if (cli.is("--conninfo")) o.conninfo = cli.value();
        else if (cli.is("--schema")) o.schema = cli.value();
        else if (cli.is("--write-dir")) o.write_dir = cli.value();
        else if (cli.is("--insert")) o.insert = true;
        else if (cli.is("--copy")) o.insert = false;
        else if (cli.is("--no-convert")) o.convert = false;  // for a database without the extension
        else if (cli.is("--check")) o.check_only = true;
        else if (cli.is("--reuse-static")) o.reuse_static = true;
        else if (cli.is("--order")) {
            const std::string v = cli.value();
            if (v != "parents-first" && v != "children-first") cli.fail("--order takes parents-first or children-first");
            o.children_first = v == "children-first";
        } else cli.unknown();
    }
    if (o.conninfo.empty() && o.write_dir.empty() && !o.check_only) cli.fail("need --conninfo, --write-dir or --check");
    return o;
}

// instrument, physical_filter, detector and day_obs: shared by every night loaded into a database.
bool is_static(const TableText& t) {
    return t.name == "instrument" || t.name == "physical_filter" || t.name == "detector" || t.name == "day_obs";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep report lines in order with error messages
    const Options o = parse(argc, argv);
    NightConfig config;
    config.exposures = o.exposures;
    config.seed = o.seed;
    config.first_seq = o.first_seq;
    const Night night = make_night(config);

    if (o.check_only) {
        const auto problems = check_regions(night);
        for (const auto& p : problems) std::printf("problem: %s\n", p.c_str());
        std::printf("%zu exposures, %zu visits, %zu regions checked: %zu problems\n", night.exposure.size(),
                    night.visit.size(), night.visit.size() + night.visit_detector_region.size(), problems.size());
        return problems.empty() ? 0 : 1;
    }

    std::vector<TableText> tables = to_tables(night);
    if (o.children_first) std::reverse(tables.begin(), tables.end());

    if (!o.write_dir.empty()) {
        for (const auto& t : tables) {
            const auto t0 = std::chrono::steady_clock::now();
            std::ofstream out(o.write_dir + "/" + t.name + ".copy", std::ios::binary);
            write_copy(out, t);
            if (!out) {
                std::fprintf(stderr, "cannot write %s/%s.copy\n", o.write_dir.c_str(), t.name.c_str());
                return 1;
            }
            std::printf("%-22s %7zu rows %8.3f s\n", t.name.c_str(), t.rows.size(), seconds_since(t0));
        }
        return 0;
    }

    try {
        Connection conn(o.conninfo);
        const auto start = std::chrono::steady_clock::now();
        conn.exec("BEGIN");
        for (const auto& t : tables) {
            const auto t0 = std::chrono::steady_clock::now();
            // With --reuse-static a second night can go into a database that already has the instrument.
            const bool upsert = o.reuse_static && is_static(t);
            if (o.insert || upsert) insert_rows(conn, o.schema, t, upsert);
            else copy_table(conn, o.schema, t);
            std::printf("%-22s %7zu rows %8.3f s (%s)\n", t.name.c_str(), t.rows.size(), seconds_since(t0),
                        upsert ? "insert on conflict do nothing" : o.insert ? "insert" : "copy");
        }
        if (o.convert) {
            const auto t0 = std::chrono::steady_clock::now();
            const std::string converted = conn.value("SELECT obsmeta.convert()");
            std::printf("%-22s %7s      %8.3f s (obsmeta.convert() = %s)\n", "convert", "", seconds_since(t0),
                        converted.c_str());
        }
        const auto t0 = std::chrono::steady_clock::now();
        conn.exec("COMMIT");
        std::printf("%-22s %7s      %8.3f s (total %.3f s)\n", "commit", "", seconds_since(t0), seconds_since(start));
    } catch (const PgError& e) {
        std::fprintf(stderr, "error [%s]: %s\n", e.sqlstate().c_str(), e.what());
        return 1;
    }
    return 0;
}
