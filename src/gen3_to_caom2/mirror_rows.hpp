// The gen3 rows a DirtySet's keys name: one item per key, its relation and primary key as jsonb
// text (what obsmeta.quarantine lists), and back into a DirtySet of its own.
#pragma once

#include "gen3_to_caom2/dirty_set.hpp"

#include <string>
#include <vector>

namespace obsmeta::gen3_to_caom2 {

struct MirrorRow {
    enum class Kind { Exposure, Visit, PhysicalFilter, VisitDetectorRegion, Dataset } kind;
    InstrumentKey instrument_key;  // Exposure, Visit
    FilterKey filter;              // PhysicalFilter
    DetectorRegionKey region;      // VisitDetectorRegion
    pg::Uuid dataset{};            // Dataset

    const char* relation() const;  // e.g. "gen3.exposure"
    std::string key_json() const;  // e.g. {"instrument": "LSSTCam", "id": 2025120100123}
    void add_to(DirtySet& set) const;
};

std::vector<MirrorRow> mirror_rows(const DirtySet& set);

}  // namespace obsmeta::gen3_to_caom2
