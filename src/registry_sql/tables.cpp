#include "registry_sql/tables.hpp"

namespace obsmeta::registry_sql {

namespace {
// Registry timespans and regions become gen3's UTC bounds and sphgeom bytes (decoders.cpp).
const std::pair<std::string, std::string> kBegin{"timespan_begin", "obsmeta.timespan_begin_utc(r.timespan)"};
const std::pair<std::string, std::string> kEnd{"timespan_end", "obsmeta.timespan_end_utc(r.timespan)"};
const std::pair<std::string, std::string> kRegion{"region", "obsmeta.region_from_base64(r.region)"};

std::pair<std::string, std::string> same(const std::string& column) { return {column, "r." + column}; }
// gen3 narrows some of the registry's bigint columns (detector, day_obs, seq_num...) to integer
std::pair<std::string, std::string> narrowed(const std::string& column) { return {column, "r." + column + "::integer"}; }
}  // namespace

const std::vector<DimensionTable>& dimension_tables() {
    static const std::vector<DimensionTable> tables = {
        {"instrument", "instrument", {{"name", "text"}},
         {same("visit_max"), same("exposure_max"), narrowed("detector_max"), same("class_name")}},
        {"physical_filter", "physical_filter", {{"instrument", "text"}, {"name", "text"}}, {same("band")}},
        {"detector", "detector", {{"instrument", "text"}, {"id", "integer"}},
         {same("full_name"), same("name_in_raft"), same("raft"), same("purpose")}},
        {"day_obs", "day_obs", {{"instrument", "text"}, {"id", "integer"}}, {kBegin, kEnd}},
        {"exposure", "exposure", {{"instrument", "text"}, {"id", "bigint"}},
         {same("physical_filter"), same("obs_id"), same("exposure_time"), same("dark_time"), same("observation_type"),
          same("observation_reason"), narrowed("day_obs"), narrowed("seq_num"), narrowed("seq_start"),
          narrowed("seq_end"), {"\"group\"", "r.\"group\""}, same("target_name"), same("science_program"),
          same("tracking_ra"), same("tracking_dec"), same("sky_angle"), same("azimuth"), same("zenith_angle"),
          same("has_simulated"), same("can_see_sky"), kBegin, kEnd}},
        {"visit", "visit", {{"instrument", "text"}, {"id", "bigint"}},
         {same("physical_filter"), narrowed("day_obs"), same("name"), narrowed("seq_num"), same("exposure_time"),
          same("target_name"), same("observation_reason"), same("science_program"), same("azimuth"),
          same("zenith_angle"), kRegion, kBegin, kEnd}},
        {"visit_definition", "visit_definition", {{"instrument", "text"}, {"exposure", "bigint"}, {"visit", "bigint"}}, {}},
        {"visit_detector_region", "visit_detector_region",
         {{"instrument", "text"}, {"visit", "bigint"}, {"detector", "integer"}}, {kRegion}},
        {"patch", "patch", {{"skymap", "text"}, {"tract", "integer"}, {"id", "integer"}}, {kRegion}},
    };
    return tables;
}

const DimensionTable* dimension_table(const std::string& kind) {
    for (const auto& t : dimension_tables())
        if (t.registry_table == kind) return &t;
    return nullptr;
}

}  // namespace obsmeta::registry_sql
