// A deterministic, seeded LSSTCam night as plain gen3 mirror rows (one struct per gen3 table).
// Used by obsmeta-sample-night, the concurrency test and the benchmark.
//
// Times: the Butler keeps TAI; the gen3 mirror keeps UTC (the loader converts). Every time here is
// already UTC, microseconds since 1970-01-01T00:00:00Z, converted with TAI-UTC = 37 s (valid since
// 2017-01-01). So day_obs 20251202, which runs 12:00 TAI to 12:00 TAI, is 11:59:23Z to 11:59:23Z.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace obsmeta::sample {

using Micros = std::int64_t;  // UTC microseconds since the Unix epoch

struct InstrumentRow {
    std::string name;
    std::int64_t visit_max = 0, exposure_max = 0;
    int detector_max = 0;
    std::string class_name;
};

struct PhysicalFilterRow {
    std::string instrument, name, band;
};

struct DetectorRow {
    std::string instrument;
    int id = 0;
    std::string full_name, name_in_raft, raft, purpose;
};

struct DayObsRow {
    std::string instrument;
    int id = 0;
    Micros begin = 0, end = 0;
};

struct ExposureRow {
    std::string instrument;
    std::int64_t id = 0;
    std::string physical_filter, obs_id;
    double exposure_time = 0, dark_time = 0;
    std::string observation_type, observation_reason;
    int day_obs = 0, seq_num = 0, seq_start = 0, seq_end = 0;
    std::string group, target_name, science_program;
    std::optional<double> tracking_ra, tracking_dec, sky_angle;  // NULL when not tracking (calibs)
    std::optional<double> azimuth, zenith_angle;
    bool has_simulated = false, can_see_sky = false;
    Micros begin = 0, end = 0;
};

struct VisitRow {
    std::string instrument;
    std::int64_t id = 0;
    std::string physical_filter;
    int day_obs = 0;
    std::string name;
    int seq_num = 0;
    double exposure_time = 0;
    std::string target_name, observation_reason, science_program;
    std::optional<double> azimuth, zenith_angle;
    std::vector<std::uint8_t> region;  // sphgeom ConvexPolygon bytes
    Micros begin = 0, end = 0;
};

struct VisitDefinitionRow {
    std::string instrument;
    std::int64_t exposure = 0, visit = 0;
};

struct VisitDetectorRegionRow {
    std::string instrument;
    std::int64_t visit = 0;
    int detector = 0;
    std::vector<std::uint8_t> region;
};

// skymap, tract and patch are always NULL here (no coadds in one night).
struct DatasetRow {
    std::string id;  // uuid text
    std::string dataset_type, run, instrument;
    std::optional<std::int64_t> exposure, visit;
    int detector = 0;
    std::string physical_filter, band;
    int day_obs = 0;
    Micros ingest_date = 0;
};

struct FileDatastoreRecordRow {
    std::string dataset_id, component, path, formatter, storage_class;
    std::optional<std::string> checksum;
    std::int64_t file_size = 0;
};

// One night, table by table. "Static" tables (instrument .. day_obs) describe the instrument and
// the day; the others hold the exposures and everything hanging off them.
struct Night {
    std::vector<InstrumentRow> instrument;
    std::vector<PhysicalFilterRow> physical_filter;
    std::vector<DetectorRow> detector;
    std::vector<DayObsRow> day_obs;
    std::vector<ExposureRow> exposure;
    std::vector<VisitRow> visit;
    std::vector<VisitDefinitionRow> visit_definition;
    std::vector<VisitDetectorRegionRow> visit_detector_region;
    std::vector<DatasetRow> dataset;
    std::vector<FileDatastoreRecordRow> file_datastore_record;
};

struct NightConfig {
    int exposures = 50;               // total, calibrations included
    int bias = 5, flat = 5;           // taken first (afternoon), no visit
    double two_snap_fraction = 0.25;  // fraction of science visits made of two snaps
    std::uint64_t seed = 20251202;
    int first_seq = 1;                // seq_num of the first exposure; shifts every id
    bool raw = true, visit_image = true;  // which dataset types to generate
};

inline constexpr int kDayObs = 20251202;
inline constexpr const char* kInstrument = "LSSTCam";
inline constexpr const char* kRawRun = "LSSTCam/raw/all";
inline constexpr const char* kVisitImageRun = "LSSTCam/runs/nightlyValidation/20251202";

// Exposure id as LSSTCam builds it: day_obs * 100000 + seq_num.
std::int64_t exposure_id(int seq_num);

Night make_night(const NightConfig& config);

// Rows for the benchmark: n science exposures, one-snap visits, 189 detectors, raw + visit_image,
// seq_num starting at first_seq (choose it past every id already loaded so that runs never collide).
Night make_bench_night(int n_exposures, int first_seq, std::uint64_t seed = 7);

// The rows of the chosen exposures (and of the visits whose first snap is chosen), restricted to
// the chosen detectors (empty = all). Static tables are kept only when with_static is true
// (detector rows follow the detector filter).
Night subset(const Night& night, const std::set<std::int64_t>& exposures, const std::set<int>& detectors,
             bool with_static);

// The first n exposures of the night (in seq_num order), as above, static tables included.
Night first_exposures(const Night& night, std::size_t n, const std::set<int>& detectors = {});

// Every ConvexPolygon in the night decoded and checked: counter-clockwise seen from outside, convex,
// unit vectors. Returns a list of problems (empty when all is well).
std::vector<std::string> check_regions(const Night& night);

}  // namespace obsmeta::sample
