// The mirror keys touched in the current transaction and not yet converted.
#pragma once

#include "pg/datum.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <tuple>

namespace obsmeta::gen3_to_caom2 {

struct InstrumentKey {  // (instrument, exposure or visit id)
    std::string instrument;
    int64_t id;
    bool operator<(const InstrumentKey& o) const { return std::tie(instrument, id) < std::tie(o.instrument, o.id); }
};

struct FilterKey {
    std::string instrument, physical_filter;
    bool operator<(const FilterKey& o) const {
        return std::tie(instrument, physical_filter) < std::tie(o.instrument, o.physical_filter);
    }
};

struct DetectorRegionKey {  // a visit_detector_region row
    std::string instrument;
    int64_t visit;
    int32_t detector;
    bool operator<(const DetectorRegionKey& o) const {
        return std::tie(instrument, visit, detector) < std::tie(o.instrument, o.visit, o.detector);
    }
};

struct PatchKey {  // a skymap patch (its region is the footprint of coadds on it)
    std::string skymap;
    int32_t tract, patch;
    bool operator<(const PatchKey& o) const {
        return std::tie(skymap, tract, patch) < std::tie(o.skymap, o.tract, o.patch);
    }
};

struct DirtySet {
    std::set<InstrumentKey> exposures, visits;
    std::set<FilterKey> filters;
    std::set<DetectorRegionKey> regions;
    std::set<PatchKey> patches;
    std::set<pg::Uuid> datasets;
    // Whether any recorded row was updated or deleted: only then can CAOM2 rows have to go, so a
    // batch of inserts skips the deleting statements.
    bool removals = false;

    bool empty() const {
        return exposures.empty() && visits.empty() && filters.empty() && regions.empty() && patches.empty() && datasets.empty();
    }
    void clear() { *this = DirtySet{}; }
    void merge(DirtySet&& other) {
        exposures.merge(other.exposures);
        visits.merge(other.visits);
        filters.merge(other.filters);
        regions.merge(other.regions);
        patches.merge(other.patches);
        datasets.merge(other.datasets);
        removals = removals || other.removals;
    }
};

// The backend's set for the current transaction (cleared at commit and abort).
DirtySet& dirty();

}  // namespace obsmeta::gen3_to_caom2
