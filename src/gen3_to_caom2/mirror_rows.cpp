#include "gen3_to_caom2/mirror_rows.hpp"

#include "replication/quarantine.hpp"

namespace obsmeta::gen3_to_caom2 {

using replication::json_string;

const char* MirrorRow::relation() const {
    switch (kind) {
        case Kind::Exposure: return "gen3.exposure";
        case Kind::Visit: return "gen3.visit";
        case Kind::PhysicalFilter: return "gen3.physical_filter";
        case Kind::VisitDetectorRegion: return "gen3.visit_detector_region";
        case Kind::Dataset: return "gen3.dataset";
    }
    return "";
}

// The same text replication::row_key gives for the row (jsonb compares them equal).
std::string MirrorRow::key_json() const {
    switch (kind) {
        case Kind::Exposure:
        case Kind::Visit:
            return "{\"instrument\": " + json_string(instrument_key.instrument) + ", \"id\": " +
                   std::to_string(instrument_key.id) + "}";
        case Kind::PhysicalFilter:
            return "{\"instrument\": " + json_string(filter.instrument) + ", \"name\": " +
                   json_string(filter.physical_filter) + "}";
        case Kind::VisitDetectorRegion:
            return "{\"instrument\": " + json_string(region.instrument) + ", \"visit\": " + std::to_string(region.visit) +
                   ", \"detector\": " + std::to_string(region.detector) + "}";
        case Kind::Dataset:
            return "{\"id\": " + json_string(pg::uuid_string(dataset)) + "}";
    }
    return "{}";
}

void MirrorRow::add_to(DirtySet& set) const {
    switch (kind) {
        case Kind::Exposure: set.exposures.insert(instrument_key); break;
        case Kind::Visit: set.visits.insert(instrument_key); break;
        case Kind::PhysicalFilter: set.filters.insert(filter); break;
        case Kind::VisitDetectorRegion: set.regions.insert(region); break;
        case Kind::Dataset: set.datasets.insert(dataset); break;
    }
}

std::vector<MirrorRow> mirror_rows(const DirtySet& set) {
    std::vector<MirrorRow> rows;
    // Each row is value-initialized in place, then given its key: GCC 12 -O3 (CMake Release) warns
    // -Wmaybe-uninitialized about the empty strings of brace-initialized temporaries.
    auto add = [&rows](MirrorRow::Kind kind) -> MirrorRow& {
        rows.emplace_back().kind = kind;
        return rows.back();
    };
    for (const auto& k : set.filters) add(MirrorRow::Kind::PhysicalFilter).filter = k;
    for (const auto& k : set.exposures) add(MirrorRow::Kind::Exposure).instrument_key = k;
    for (const auto& k : set.visits) add(MirrorRow::Kind::Visit).instrument_key = k;
    for (const auto& k : set.regions) add(MirrorRow::Kind::VisitDetectorRegion).region = k;
    for (const auto& k : set.datasets) add(MirrorRow::Kind::Dataset).dataset = k;
    return rows;
}

}  // namespace obsmeta::gen3_to_caom2
