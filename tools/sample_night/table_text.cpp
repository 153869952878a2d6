#include "sample_night/table_text.hpp"

#include <charconv>
#include <sstream>

#include "sample_night/utc_time.hpp"

namespace obsmeta::sample {
namespace {

Field text(const std::string& s) { return s; }
Field num(std::int64_t v) { return std::to_string(v); }
Field num(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
    return std::string(buf, r.ptr);
}
template <class T>
Field opt(const std::optional<T>& v) {
    return v ? num(*v) : Field{};
}
Field opt(const std::optional<std::string>& v) { return v ? Field{*v} : Field{}; }
Field boolean(bool b) { return std::string(b ? "t" : "f"); }
// As PostgreSQL prints timestamptz (trailing fractional zeros dropped), so a dump compares equal.
Field timestamp(Micros t) {
    std::string s = iso_utc(t);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s + "+00";
}
Field bytea(const std::vector<std::uint8_t>& b) {
    static const char* hex = "0123456789abcdef";
    std::string s = "\\x";
    s.reserve(2 + 2 * b.size());
    for (auto c : b) {
        s += hex[c >> 4];
        s += hex[c & 15];
    }
    return s;
}

}  // namespace

std::vector<TableText> to_tables(const Night& n) {
    std::vector<TableText> t;
    t.push_back({"instrument", {"name", "visit_max", "exposure_max", "detector_max", "class_name"}, {}});
    for (const auto& r : n.instrument)
        t.back().rows.push_back({text(r.name), num(r.visit_max), num(r.exposure_max), num(std::int64_t{r.detector_max}),
                                 text(r.class_name)});

    t.push_back({"physical_filter", {"instrument", "name", "band"}, {}});
    for (const auto& r : n.physical_filter) t.back().rows.push_back({text(r.instrument), text(r.name), text(r.band)});

    t.push_back({"detector", {"instrument", "id", "full_name", "name_in_raft", "raft", "purpose"}, {}});
    for (const auto& r : n.detector)
        t.back().rows.push_back({text(r.instrument), num(std::int64_t{r.id}), text(r.full_name), text(r.name_in_raft),
                                 text(r.raft), text(r.purpose)});

    t.push_back({"day_obs", {"instrument", "id", "timespan_begin", "timespan_end"}, {}});
    for (const auto& r : n.day_obs)
        t.back().rows.push_back({text(r.instrument), num(std::int64_t{r.id}), timestamp(r.begin), timestamp(r.end)});

    t.push_back({"exposure",
                 {"instrument", "id", "physical_filter", "obs_id", "exposure_time", "dark_time", "observation_type",
                  "observation_reason", "day_obs", "seq_num", "seq_start", "seq_end", "group", "target_name",
                  "science_program", "tracking_ra", "tracking_dec", "sky_angle", "azimuth", "zenith_angle",
                  "has_simulated", "can_see_sky", "timespan_begin", "timespan_end"},
                 {}});
    for (const auto& r : n.exposure)
        t.back().rows.push_back({text(r.instrument), num(r.id), text(r.physical_filter), text(r.obs_id),
                                 num(r.exposure_time), num(r.dark_time), text(r.observation_type),
                                 text(r.observation_reason), num(std::int64_t{r.day_obs}), num(std::int64_t{r.seq_num}),
                                 num(std::int64_t{r.seq_start}), num(std::int64_t{r.seq_end}), text(r.group),
                                 text(r.target_name), text(r.science_program), opt(r.tracking_ra), opt(r.tracking_dec),
                                 opt(r.sky_angle), opt(r.azimuth), opt(r.zenith_angle), boolean(r.has_simulated),
                                 boolean(r.can_see_sky), timestamp(r.begin), timestamp(r.end)});

    t.push_back({"visit",
                 {"instrument", "id", "physical_filter", "day_obs", "name", "seq_num", "exposure_time", "target_name",
                  "observation_reason", "science_program", "azimuth", "zenith_angle", "region", "timespan_begin",
                  "timespan_end"},
                 {}});
    for (const auto& r : n.visit)
        t.back().rows.push_back({text(r.instrument), num(r.id), text(r.physical_filter), num(std::int64_t{r.day_obs}),
                                 text(r.name), num(std::int64_t{r.seq_num}), num(r.exposure_time), text(r.target_name),
                                 text(r.observation_reason), text(r.science_program), opt(r.azimuth),
                                 opt(r.zenith_angle), bytea(r.region), timestamp(r.begin), timestamp(r.end)});

    t.push_back({"visit_definition", {"instrument", "exposure", "visit"}, {}});
    for (const auto& r : n.visit_definition)
        t.back().rows.push_back({text(r.instrument), num(r.exposure), num(r.visit)});

    t.push_back({"visit_detector_region", {"instrument", "visit", "detector", "region"}, {}});
    for (const auto& r : n.visit_detector_region)
        t.back().rows.push_back({text(r.instrument), num(r.visit), num(std::int64_t{r.detector}), bytea(r.region)});

    t.push_back({"dataset",
                 {"id", "dataset_type", "run", "instrument", "exposure", "visit", "detector", "physical_filter", "band",
                  "day_obs", "skymap", "tract", "patch", "ingest_date"},
                 {}});
    for (const auto& r : n.dataset)
        t.back().rows.push_back({text(r.id), text(r.dataset_type), text(r.run), text(r.instrument), opt(r.exposure),
                                 opt(r.visit), num(std::int64_t{r.detector}), text(r.physical_filter), text(r.band),
                                 num(std::int64_t{r.day_obs}), Field{}, Field{}, Field{}, timestamp(r.ingest_date)});

    t.push_back({"file_datastore_record",
                 {"dataset_id", "component", "path", "formatter", "storage_class", "checksum", "file_size"},
                 {}});
    for (const auto& r : n.file_datastore_record)
        t.back().rows.push_back({text(r.dataset_id), text(r.component), text(r.path), text(r.formatter),
                                 text(r.storage_class), opt(r.checksum), num(r.file_size)});
    return t;
}

void write_copy(std::ostream& out, const TableText& table) {
    std::string line;
    for (const auto& row : table.rows) {
        line.clear();
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i) line += '\t';
            if (!row[i]) {
                line += "\\N";
                continue;
            }
            for (char c : *row[i]) {
                switch (c) {
                    case '\\': line += "\\\\"; break;
                    case '\t': line += "\\t"; break;
                    case '\n': line += "\\n"; break;
                    case '\r': line += "\\r"; break;
                    default: line += c;
                }
            }
        }
        line += '\n';
        out << line;
    }
}

std::string copy_text(const TableText& table) {
    std::ostringstream s;
    write_copy(s, table);
    return s.str();
}

}  // namespace obsmeta::sample
