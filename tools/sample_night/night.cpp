#include "sample_night/night.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "geom/sphgeom.hpp"
#include "sample_night/focal_plane.hpp"
#include "sample_night/observatory.hpp"
#include "sample_night/utc_time.hpp"

namespace obsmeta::sample {
namespace {

// splitmix64: tiny, and unlike <random>'s distributions it gives the same numbers with every
// standard library, so a seed names one night everywhere.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53; }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t state_;
};

std::uint64_t fnv1a(const std::string& s, std::uint64_t h) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

// A deterministic UUID from the dataset type, run and data ID (as the Butler's DATAID_TYPE_RUN
// mode does with UUID5). Ours hashes with FNV-1a instead of SHA-1, so it is marked version 8
// ("custom", RFC 9562) rather than pretending to be a UUID5.
std::string dataset_uuid(const std::string& key) {
    Rng a(fnv1a(key, 0xcbf29ce484222325ULL)), b(fnv1a(key, 0x84222325cbf29ce4ULL));
    std::uint8_t bytes[16];
    const std::uint64_t hi = a.next(), lo = b.next();
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
        bytes[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
    }
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x80);  // version 8
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    std::string out;
    static const char* hex = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[bytes[i] >> 4];
        out += hex[bytes[i] & 15];
    }
    return out;
}

struct Filter {
    const char* physical;
    const char* band;
};
constexpr Filter kFilters[] = {{"u_24", "u"}, {"g_6", "g"}, {"r_57", "r"}, {"i_39", "i"}, {"z_20", "z"}, {"y_10", "y"}};

std::string obs_id(int seq_num) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "MC_O_%d_%06d", kDayObs, seq_num);
    return buf;
}

// Scheduler group names are ISO times with milliseconds, a little before the exposure starts.
std::string group_name(Micros t) { return iso_utc(t, 'T', 3); }

void add_static_rows(Night& n) {
    // visit_max/exposure_max/detector_max as in the real LSSTCam record (anchor lsstcam-subset.yaml).
    n.instrument.push_back({kInstrument, 6050123199999, 6050123199999, 1000, "lsst.obs.lsst.LsstCam"});
    for (const auto& f : kFilters) n.physical_filter.push_back({kInstrument, f.physical, f.band});
    for (const auto& d : lsstcam_science_detectors()) {
        n.detector.push_back({kInstrument, d.id, d.raft + "_" + d.sensor, d.sensor, d.raft, "SCIENCE"});
    }
    // day_obs 20251202: 2025-12-02T12:00 TAI .. 2025-12-03T12:00 TAI, stored in UTC.
    const Micros begin_tai = utc_micros(2025, 12, 2, 12, 0, 0);
    n.day_obs.push_back({kInstrument, kDayObs, begin_tai - kTaiMinusUtcMicros,
                         begin_tai + kMicrosPerDay - kTaiMinusUtcMicros});
}

ExposureRow base_exposure(int seq, const Filter& f) {
    ExposureRow e;
    e.instrument = kInstrument;
    e.id = exposure_id(seq);
    e.physical_filter = f.physical;
    e.obs_id = obs_id(seq);
    e.day_obs = kDayObs;
    e.seq_num = e.seq_start = e.seq_end = seq;
    e.has_simulated = false;
    return e;
}

void add_calibration(Night& n, Rng& rng, int seq, bool flat, Micros& t) {
    ExposureRow e = base_exposure(seq, kFilters[2]);  // whatever filter is in the beam: r_57
    e.observation_type = flat ? "flat" : "bias";
    e.observation_reason = flat ? "flat" : "bias";
    e.target_name = flat ? "FlatField position" : "UNKNOWN";
    e.science_program = flat ? "BLOCK-T246" : "BLOCK-T245";
    e.exposure_time = flat ? 15.0 : 0.0;
    e.dark_time = e.exposure_time + rng.uniform(0.92, 0.94);
    e.can_see_sky = false;  // dome closed; not tracking, so no ra/dec/sky_angle
    e.group = group_name(t - static_cast<Micros>(rng.uniform(1, 5) * 1e6));
    e.begin = t;
    e.end = t + static_cast<Micros>(e.dark_time * 1e6);
    t = e.end + static_cast<Micros>(rng.uniform(2.0, 4.0) * 1e6);  // readout
    n.exposure.push_back(e);
}

// One science visit of `snaps` 30 s exposures at one pointing; returns the visit.
VisitRow add_science_visit(Night& n, Rng& rng, int first_seq, int snaps, const Filter& f, const std::string& target,
                           Micros& t) {
    const Micros start = t;
    const Micros mid_visit = start + static_cast<Micros>(snaps * 17.0e6);
    const Horizontal where{rng.uniform(0.0, 360.0), rng.uniform(8.0, 60.0)};
    const Equatorial radec = to_equatorial(where, mid_visit);
    const double sky_angle = rng.uniform(0.0, 360.0);
    const std::string group = group_name(start - static_cast<Micros>(rng.uniform(20.0, 60.0) * 1e6));
    const std::string reason = std::string(snaps == 1 ? "singles_" : "pairs_") + f.band;

    VisitRow v;
    for (int s = 0; s < snaps; ++s) {
        const int seq = first_seq + s;
        ExposureRow e = base_exposure(seq, f);
        e.observation_type = "science";
        e.observation_reason = reason;
        e.target_name = target;
        e.science_program = "BLOCK-407";
        e.seq_start = first_seq;
        e.seq_end = first_seq + snaps - 1;
        e.group = group;
        e.exposure_time = 30.0;
        e.dark_time = 30.0 + rng.uniform(0.925, 0.935);
        e.can_see_sky = true;
        e.tracking_ra = radec.ra_deg;
        e.tracking_dec = radec.dec_deg;
        e.sky_angle = sky_angle;
        e.begin = t;
        e.end = t + static_cast<Micros>(e.dark_time * 1e6);
        const Horizontal h = to_horizontal(radec, (e.begin + e.end) / 2);
        e.azimuth = h.azimuth_deg;
        e.zenith_angle = h.zenith_angle_deg;
        t = e.end + static_cast<Micros>(rng.uniform(2.0, 3.0) * 1e6);  // readout between snaps
        n.exposure.push_back(e);
        n.visit_definition.push_back({kInstrument, e.id, exposure_id(first_seq)});

        if (s == 0) {
            v.instrument = kInstrument;
            v.id = e.id;  // visit id = id of the first snap
            v.physical_filter = f.physical;
            v.day_obs = kDayObs;
            v.name = e.obs_id;
            v.seq_num = seq;
            v.target_name = target;
            v.observation_reason = reason;
            v.science_program = e.science_program;
            v.azimuth = e.azimuth;
            v.zenith_angle = e.zenith_angle;
            v.begin = e.begin;
        }
        v.exposure_time += e.exposure_time;
        v.end = e.end;
    }
    const Pointing p{radec.ra_deg, radec.dec_deg, sky_angle};
    v.region = geom::encode_convex_polygon(focal_plane_hull(p));
    n.visit.push_back(v);
    for (const auto& d : lsstcam_science_detectors()) {
        n.visit_detector_region.push_back({kInstrument, v.id, d.id, geom::encode_convex_polygon(detector_corners(p, d))});
    }
    t += static_cast<Micros>(rng.uniform(4.0, 25.0) * 1e6);  // slew and settle
    return v;
}

const char* band_of(const std::string& physical_filter) {
    for (const auto& f : kFilters) {
        if (physical_filter == f.physical) return f.band;
    }
    throw std::logic_error("unknown filter " + physical_filter);
}

std::string full_name(int detector) {
    const auto& d = lsstcam_science_detectors().at(static_cast<std::size_t>(detector));
    return d.raft + "_" + d.sensor;
}

void add_raw(Night& n, Rng& rng, const ExposureRow& e) {
    for (const auto& d : lsstcam_science_detectors()) {
        DatasetRow ds;
        ds.dataset_type = "raw";
        ds.run = kRawRun;
        ds.instrument = kInstrument;
        ds.exposure = e.id;
        ds.detector = d.id;
        ds.physical_filter = e.physical_filter;
        ds.band = band_of(e.physical_filter);
        ds.day_obs = e.day_obs;
        ds.ingest_date = e.end + static_cast<Micros>(rng.uniform(20.0, 90.0) * 1e6);
        ds.id = dataset_uuid("raw|" + ds.run + "|instrument=LSSTCam,exposure=" + std::to_string(e.id) +
                             ",detector=" + std::to_string(d.id));
        // Raws are ingested in place with the camera's own file names.
        const std::string path = "LSSTCam/" + std::to_string(e.day_obs) + "/" + e.obs_id + "/" + e.obs_id + "_" +
                                 full_name(d.id) + ".fits";
        n.file_datastore_record.push_back({ds.id, "__NULL_STRING__", path, "lsst.obs.lsst.rawFormatter.LsstCamRawFormatter",
                                           "Exposure", std::nullopt,
                                           static_cast<std::int64_t>(36.0e6 * rng.uniform(0.96, 1.04))});
        n.dataset.push_back(ds);
    }
}

void add_visit_image(Night& n, Rng& rng, const VisitRow& v) {
    // Produced by the next morning's nightly validation processing.
    const Micros processed = utc_micros(2025, 12, 3, 14, 0, 0) + static_cast<Micros>(rng.uniform(0, 7200) * 1e6);
    for (const auto& d : lsstcam_science_detectors()) {
        DatasetRow ds;
        ds.dataset_type = "visit_image";
        ds.run = kVisitImageRun;
        ds.instrument = kInstrument;
        ds.visit = v.id;
        ds.detector = d.id;
        ds.physical_filter = v.physical_filter;
        ds.band = band_of(v.physical_filter);
        ds.day_obs = v.day_obs;
        ds.ingest_date = processed + static_cast<Micros>(rng.uniform(0, 600) * 1e6);
        ds.id = dataset_uuid("visit_image|" + ds.run + "|instrument=LSSTCam,visit=" + std::to_string(v.id) +
                             ",detector=" + std::to_string(d.id));
        // The Butler's default file template: {run}/{datasetType}/{day_obs}/{band}/{physical_filter}/{visit}/
        // {datasetType}_{instrument}_{band}_{physical_filter}_{visit}_{detector.full_name}_{run with / -> _}.fits
        std::string run_flat = ds.run;
        for (auto& c : run_flat) c = c == '/' ? '_' : c;
        const std::string visit = std::to_string(v.id);
        const std::string path = ds.run + "/visit_image/" + std::to_string(v.day_obs) + "/" + ds.band + "/" +
                                 ds.physical_filter + "/" + visit + "/visit_image_LSSTCam_" + ds.band + "_" +
                                 ds.physical_filter + "_" + visit + "_" + full_name(d.id) + "_" + run_flat + ".fits";
        n.file_datastore_record.push_back({ds.id, "__NULL_STRING__", path,
                                           "lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter", "ExposureF",
                                           std::nullopt, static_cast<std::int64_t>(100.0e6 * rng.uniform(0.93, 1.07))});
        n.dataset.push_back(ds);
    }
}

}  // namespace

std::int64_t exposure_id(int seq_num) {
    if (seq_num < 1 || seq_num > 99999) throw std::out_of_range("seq_num must be 1..99999");
    return std::int64_t{kDayObs} * 100000 + seq_num;
}

Night make_night(const NightConfig& c) {
    Night n;
    add_static_rows(n);
    Rng rng(c.seed);
    int seq = c.first_seq;
    const int last = c.first_seq + c.exposures;  // one past

    Micros t = utc_micros(2025, 12, 2, 19, 0, rng.uniform(0, 60));  // afternoon calibrations
    for (int i = 0; i < c.bias && seq < last; ++i) add_calibration(n, rng, seq++, false, t);
    for (int i = 0; i < c.flat && seq < last; ++i) add_calibration(n, rng, seq++, true, t);
    for (std::size_t i = 0; i < n.exposure.size() && c.raw; ++i) add_raw(n, rng, n.exposure[i]);

    t = utc_micros(2025, 12, 3, 1, 20, rng.uniform(0, 60));  // after astronomical twilight
    static const char* targets[] = {"lowdust", "dusty_plane", "wfd"};
    std::size_t filter = 1 + rng.below(5), block_left = 0;
    std::string target;
    while (seq < last) {
        if (block_left == 0) {  // new block: maybe a filter change, a new target
            const std::size_t next = rng.uniform(0, 1) < 0.1 ? 0 : 1 + rng.below(5);  // u is rare
            if (next != filter) t += 120 * kMicrosPerSecond;                              // filter exchange
            filter = next;
            target = targets[rng.below(3)];
            block_left = 4 + rng.below(6);
        }
        --block_left;
        const int snaps = (last - seq >= 2 && rng.uniform(0, 1) < c.two_snap_fraction) ? 2 : 1;
        const std::size_t first_new = n.exposure.size();
        const VisitRow v = add_science_visit(n, rng, seq, snaps, kFilters[filter], target, t);
        seq += snaps;
        for (std::size_t i = first_new; i < n.exposure.size() && c.raw; ++i) add_raw(n, rng, n.exposure[i]);
        if (c.visit_image) add_visit_image(n, rng, v);
    }
    return n;
}

Night make_bench_night(int n_exposures, int first_seq, std::uint64_t seed) {
    NightConfig c;
    c.exposures = n_exposures;
    c.bias = c.flat = 0;
    c.two_snap_fraction = 0.0;
    c.seed = seed + static_cast<std::uint64_t>(first_seq);
    c.first_seq = first_seq;
    return make_night(c);
}

Night subset(const Night& night, const std::set<std::int64_t>& exposures, const std::set<int>& detectors,
             bool with_static) {
    auto det_ok = [&](int d) { return detectors.empty() || detectors.count(d) > 0; };
    Night n;
    if (with_static) {
        n.instrument = night.instrument;
        n.physical_filter = night.physical_filter;
        n.day_obs = night.day_obs;
        for (const auto& d : night.detector)
            if (det_ok(d.id)) n.detector.push_back(d);
    }
    std::set<std::int64_t> visits;
    for (const auto& e : night.exposure)
        if (exposures.count(e.id)) n.exposure.push_back(e);
    for (const auto& v : night.visit) {
        if (exposures.count(v.id)) {  // the visit follows its first snap
            n.visit.push_back(v);
            visits.insert(v.id);
        }
    }
    for (const auto& vd : night.visit_definition)
        if (exposures.count(vd.exposure) && visits.count(vd.visit)) n.visit_definition.push_back(vd);
    for (const auto& r : night.visit_detector_region)
        if (visits.count(r.visit) && det_ok(r.detector)) n.visit_detector_region.push_back(r);
    std::set<std::string> ids;
    for (const auto& d : night.dataset) {
        const bool owner = (d.exposure && exposures.count(*d.exposure)) || (d.visit && visits.count(*d.visit));
        if (owner && det_ok(d.detector)) {
            n.dataset.push_back(d);
            ids.insert(d.id);
        }
    }
    for (const auto& r : night.file_datastore_record)
        if (ids.count(r.dataset_id)) n.file_datastore_record.push_back(r);
    return n;
}

Night first_exposures(const Night& night, std::size_t n, const std::set<int>& detectors) {
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < n && i < night.exposure.size(); ++i) ids.insert(night.exposure[i].id);
    return subset(night, ids, detectors, true);
}

std::vector<std::string> check_regions(const Night& night) {
    std::vector<std::string> problems;
    auto decode = [&](const std::vector<std::uint8_t>& bytes, const std::string& what) {
        try {
            geom::Region r = geom::decode_sphgeom(bytes.data(), bytes.size());
            if (r.kind != geom::RegionKind::ConvexPolygon || !is_convex_ccw(r.vertices)) {
                problems.push_back(what + ": not a counter-clockwise convex polygon");
            }
            return r.vertices;
        } catch (const std::exception& ex) {
            problems.push_back(what + ": " + ex.what());
            return std::vector<geom::Vec3>{};
        }
    };
    std::map<std::int64_t, std::vector<geom::Vec3>> hulls;
    for (const auto& v : night.visit) hulls[v.id] = decode(v.region, "visit " + std::to_string(v.id));
    for (const auto& r : night.visit_detector_region) {
        const std::string what = "visit " + std::to_string(r.visit) + " detector " + std::to_string(r.detector);
        const auto corners = decode(r.region, what);
        const auto& hull = hulls[r.visit];
        // Every corner must be inside (or on) every great circle of the hull: (a×b)·v >= 0.
        for (std::size_t i = 0; i < hull.size(); ++i) {
            const geom::Vec3 &a = hull[i], &b = hull[(i + 1) % hull.size()];
            const geom::Vec3 nrm{a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
            for (const auto& v : corners) {
                if (nrm.x * v.x + nrm.y * v.y + nrm.z * v.z < -1e-15) {
                    problems.push_back(what + ": corner outside the visit region");
                    i = hull.size();
                    break;
                }
            }
        }
    }
    return problems;
}

}  // namespace obsmeta::sample
