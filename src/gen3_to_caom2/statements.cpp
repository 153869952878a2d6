#include "gen3_to_caom2/statements.hpp"

#include "gen3_to_caom2/upsert_sql.hpp"
#include "pg/catalog.hpp"

namespace obsmeta::gen3_to_caom2::statements {

namespace {
constexpr Oid kText = TEXTARRAYOID, kInt8 = INT8ARRAYOID, kInt4 = INT4ARRAYOID, kUuid = UUIDARRAYOID;

const std::vector<std::string> kObservationColumns = {
    "obs_type", "collection", "observation_id", "meta_release", "sequence_number", "algorithm_name",
    "type", "intent", "proposal_id", "target_name", "target_position_coordsys", "target_position_cval1",
    "target_position_cval2", "target_position_coordinates", "telescope_name", "telescope_geo_location_x",
    "telescope_geo_location_y", "telescope_geo_location_z", "instrument_name"};
// Environment (seeing, elevation, temperatures...) is owned by the EFD reductions (src/efd_sql).

// The telescope part of every observation comes from the instrument's configuration.
constexpr const char* kTelescope =
    "c.telescope_name, c.geo_location_x AS telescope_geo_location_x, "
    "c.geo_location_y AS telescope_geo_location_y, c.geo_location_z AS telescope_geo_location_z";
}  // namespace

Upsert::Upsert(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
               const std::string& source, const std::string& returning, std::initializer_list<Oid> argtypes)
    : insert_new(insert_new_statement(table, key, columns, source, returning), argtypes),
      upsert(upsert_statement(table, key, columns, source, returning), argtypes) {}

Upsert::Upsert(const std::string& table, const std::string& key, const std::vector<std::string>& columns,
               const std::string& source, const std::vector<std::string>& insert_columns,
               const std::string& insert_source, const std::string& returning, const std::vector<Oid>& argtypes)
    : insert_new(insert_new_statement(table, key, insert_columns, insert_source, returning), argtypes),
      upsert(upsert_statement(table, key, columns, source, returning), argtypes) {}

uint64 Upsert::execute(const std::vector<Datum>& args, std::set<pg::Uuid>& returned, const std::string& nulls) {
    uint64 rows = insert_new.execute(args, false, nulls);
    bool existed = false;
    uint64 written = 0;
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull = false;
        Datum d = pg::result_value(i, 1, &isnull);
        if (isnull) existed = true;
        else {
            returned.insert(pg::uuid_value(d));
            ++written;
        }
    }
    if (!existed) return written;
    rows = upsert.execute(args, false, nulls);
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull = false;
        Datum d = pg::result_value(i, 1, &isnull);
        if (!isnull) returned.insert(pg::uuid_value(d));
    }
    return written + rows;
}

pg::KeptPlan& filter_users() {
    static pg::KeptPlan plan(R"SQL(
SELECT 'e'::text, e.instrument, e.id
  FROM unnest($1::text[], $2::text[]) AS k(instrument, physical_filter)
  JOIN gen3.exposure e ON e.instrument = k.instrument AND e.physical_filter = k.physical_filter
UNION ALL
SELECT 'v'::text, v.instrument, v.id
  FROM unnest($1::text[], $2::text[]) AS k(instrument, physical_filter)
  JOIN gen3.visit v ON v.instrument = k.instrument AND v.physical_filter = k.physical_filter)SQL",
                             {kText, kText});
    return plan;
}

pg::KeptPlan& visits_of_exposures() {
    static pg::KeptPlan plan(R"SQL(
SELECT DISTINCT vd.instrument, vd.visit
  FROM unnest($1::text[], $2::int8[]) AS k(instrument, exposure)
  JOIN gen3.visit_definition vd ON vd.instrument = k.instrument AND vd.exposure = k.exposure)SQL",
                             {kText, kInt8});
    return plan;
}

pg::KeptPlan& datasets_of_keys() {
    // A region belongs to the visit's datasets of that detector and to the raw datasets of the
    // visit's exposures; an exposure or visit to every dataset of its data ID.
    // LATERAL with OFFSET 0 (a fence the planner cannot flatten into a hash join over every
    // dataset): one index probe per key, whatever the (possibly missing) statistics say.
    static pg::KeptPlan plan(R"SQL(
WITH regions AS (SELECT DISTINCT * FROM unnest($1::text[], $2::int8[], $3::int4[]) AS k(instrument, visit, detector)),
raw_keys AS (
  SELECT DISTINCT x.instrument, x.exposure, r.detector
    FROM regions r CROSS JOIN LATERAL (
      SELECT vd.instrument, vd.exposure FROM gen3.visit_definition vd
       WHERE vd.instrument = r.instrument AND vd.visit = r.visit
      OFFSET 0) x  -- (a fence: kept a per-key probe instead of a hash of the whole table)
)
SELECT x.id FROM regions r CROSS JOIN LATERAL (
  SELECT d.id FROM gen3.dataset d WHERE d.instrument = r.instrument AND d.visit = r.visit AND d.detector = r.detector
  OFFSET 0) x
UNION
SELECT x.id FROM raw_keys r CROSS JOIN LATERAL (
  SELECT d.id FROM gen3.dataset d WHERE d.instrument = r.instrument AND d.exposure = r.exposure AND d.detector = r.detector
  OFFSET 0) x
UNION
SELECT x.id FROM unnest($4::text[], $5::int8[]) AS k(instrument, id) CROSS JOIN LATERAL (
  SELECT d.id FROM gen3.dataset d WHERE d.instrument = k.instrument AND d.exposure = k.id OFFSET 0) x
UNION
SELECT x.id FROM unnest($6::text[], $7::int8[]) AS k(instrument, id) CROSS JOIN LATERAL (
  SELECT d.id FROM gen3.dataset d WHERE d.instrument = k.instrument AND d.visit = k.id OFFSET 0) x)SQL",
                             {kText, kInt8, kInt4, kText, kInt8, kText, kInt8});
    return plan;
}

pg::KeptPlan& datasets_of_patches() {
    static pg::KeptPlan plan(R"SQL(
SELECT x.id FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::int4[], $3::int4[]) AS k(skymap, tract, patch)) k
 CROSS JOIN LATERAL (SELECT d.id FROM gen3.dataset d
                      WHERE d.skymap = k.skymap AND d.tract = k.tract AND d.patch = k.patch) x)SQL",
                             {kText, kInt4, kInt4});
    return plan;
}

pg::KeptPlan& observation_lock_keys() {
    // NULL ids (a dataset whose data ID lacks its observation's key) give a NULL key, skipped by the
    // caller; a "WHERE id IS NOT NULL" here would be pushed into dataset_plane as an index scan of
    // every mapped dataset.
    static pg::KeptPlan plan(R"SQL(
SELECT DISTINCT obsmeta.lock_key(s.o) AS k, s.coadd FROM (
  SELECT obsmeta.exposure_obs_id(k.instrument, k.id), false FROM unnest($1::text[], $2::int8[]) AS k(instrument, id)
  UNION ALL
  SELECT obsmeta.visit_obs_id(k.instrument, k.id), false FROM unnest($3::text[], $4::int8[]) AS k(instrument, id)
  UNION ALL
  SELECT obsmeta.dataset_obs_id(dd.d, t), t.observation_level = 'coadd' FROM unnest($5::uuid[]) AS k(id)
    CROSS JOIN LATERAL (SELECT d FROM gen3.dataset d WHERE d.id = k.id OFFSET 0) dd(d)  -- a probe per key
    JOIN obsmeta.dataset_type_config t ON t.dataset_type = (dd.d).dataset_type AND t.publish
  UNION ALL
  SELECT dp.obs_id, false FROM unnest($5::uuid[]) AS k(id)
    CROSS JOIN LATERAL (SELECT dp.obs_id FROM obsmeta.dataset_plane dp WHERE dp.dataset_id = k.id OFFSET 0) dp
) AS s(o, coadd)
ORDER BY k, coadd)SQL",
                             {kText, kInt8, kText, kInt8, kUuid});
    return plan;
}

Upsert& upsert_exposure_observations() {
    // An exposure converts once its instrument is configured and its physical_filter is mirrored.
    static Upsert plan("caom2.observation", "obs_id", kObservationColumns, std::string(R"SQL(
SELECT DISTINCT ON (1)
       obsmeta.exposure_obs_id(e.instrument, e.id) AS obs_id,
       'SimpleObservation'::text AS obs_type, c.collection, e.obs_id AS observation_id,
       coalesce(e.timespan_end, e.timespan_begin) + c.embargo_period AS meta_release,
       e.seq_num AS sequence_number, 'exposure'::text AS algorithm_name, e.observation_type AS type,
       CASE WHEN e.can_see_sky AND e.observation_type = 'science' THEN 'science' ELSE 'calibration' END AS intent,
       e.science_program AS proposal_id, e.target_name,
       CASE WHEN p.on_sky THEN 'ICRS' END AS target_position_coordsys,
       CASE WHEN p.on_sky THEN e.tracking_ra END AS target_position_cval1,
       CASE WHEN p.on_sky THEN e.tracking_dec END AS target_position_cval2,
       CASE WHEN p.on_sky THEN spoint(radians(e.tracking_ra), radians(e.tracking_dec)) END AS target_position_coordinates,
       )SQL") + kTelescope + R"SQL(,
       e.instrument AS instrument_name
  FROM unnest($1::text[], $2::int8[]) AS k(instrument, id)
  JOIN gen3.exposure e ON e.instrument = k.instrument AND e.id = k.id
  JOIN obsmeta.instrument_config c ON c.instrument = e.instrument
  CROSS JOIN LATERAL (SELECT coalesce(e.can_see_sky, false) AND e.tracking_ra IS NOT NULL
                             AND e.tracking_dec IS NOT NULL AS on_sky) p
 WHERE EXISTS (SELECT 1 FROM gen3.physical_filter f WHERE f.instrument = e.instrument AND f.name = e.physical_filter)
 ORDER BY 1)SQL",
                       "obs_id", {kText, kInt8});
    return plan;
}

Upsert& upsert_visit_observations() {
    static Upsert plan("caom2.observation", "obs_id", kObservationColumns, std::string(R"SQL(
SELECT DISTINCT ON (1)
       obsmeta.visit_obs_id(v.instrument, v.id) AS obs_id,
       'DerivedObservation'::text AS obs_type, c.collection, v.name || '_visit' AS observation_id,
       coalesce(v.timespan_end, v.timespan_begin) + c.embargo_period AS meta_release,
       v.seq_num AS sequence_number, 'visit'::text AS algorithm_name, 'science'::text AS type,
       'science'::text AS intent, v.science_program AS proposal_id, v.target_name,
       NULL::text AS target_position_coordsys, NULL::float8 AS target_position_cval1,
       NULL::float8 AS target_position_cval2, NULL::spoint AS target_position_coordinates,
       )SQL") + kTelescope + R"SQL(,
       v.instrument AS instrument_name
  FROM unnest($1::text[], $2::int8[]) AS k(instrument, id)
  JOIN gen3.visit v ON v.instrument = k.instrument AND v.id = k.id
  JOIN obsmeta.instrument_config c ON c.instrument = v.instrument
 WHERE EXISTS (SELECT 1 FROM gen3.physical_filter f WHERE f.instrument = v.instrument AND f.name = v.physical_filter)
 ORDER BY 1)SQL",
                       "obs_id", {kText, kInt8});
    return plan;
}

Upsert& upsert_coadd_observations() {
    // A coadd observation exists while a dataset of a coadd-level type names its (tract, patch, band);
    // it is public from its Data Release (no release date until then).
    static Upsert plan("caom2.observation", "obs_id", kObservationColumns, R"SQL(
SELECT DISTINCT ON (1)
       obsmeta.dataset_obs_id(d, t) AS obs_id,
       'DerivedObservation'::text AS obs_type, t.collection,
       d.tract || '_' || d.patch || '_' || d.band AS observation_id,
       NULL::timestamptz AS meta_release, NULL::int AS sequence_number, 'coadd'::text AS algorithm_name,
       'science'::text AS type, 'science'::text AS intent, NULL::text AS proposal_id, NULL::text AS target_name,
       NULL::text AS target_position_coordsys, NULL::float8 AS target_position_cval1,
       NULL::float8 AS target_position_cval2, NULL::spoint AS target_position_coordinates,
       NULL::text AS telescope_name, NULL::float8 AS telescope_geo_location_x,
       NULL::float8 AS telescope_geo_location_y, NULL::float8 AS telescope_geo_location_z,
       NULL::text AS instrument_name
  FROM unnest($1::uuid[]) AS k(id)
  JOIN gen3.dataset d ON d.id = k.id
  JOIN obsmeta.dataset_type_config t ON t.dataset_type = d.dataset_type AND t.publish AND t.observation_level = 'coadd'
 WHERE d.tract IS NOT NULL AND d.patch IS NOT NULL AND d.band IS NOT NULL
 ORDER BY 1)SQL",
                       "obs_id", {kUuid});
    return plan;
}

pg::KeptPlan& delete_observations() {
    // Observations whose exposure/visit is gone (or no longer convertible) are removed; a
    // tombstone tells harvesters. Planes, artifacts, parts and chunks go by ON DELETE CASCADE.
    static pg::KeptPlan plan(R"SQL(
WITH gone AS (
  SELECT obsmeta.exposure_obs_id(k.instrument, k.id) AS obs_id
    FROM unnest($1::text[], $2::int8[]) AS k(instrument, id)
   WHERE NOT EXISTS (SELECT 1 FROM gen3.exposure e
                       JOIN obsmeta.instrument_config c ON c.instrument = e.instrument
                       JOIN gen3.physical_filter f ON f.instrument = e.instrument AND f.name = e.physical_filter
                      WHERE e.instrument = k.instrument AND e.id = k.id)
  UNION ALL
  SELECT obsmeta.visit_obs_id(k.instrument, k.id)
    FROM unnest($3::text[], $4::int8[]) AS k(instrument, id)
   WHERE NOT EXISTS (SELECT 1 FROM gen3.visit v
                       JOIN obsmeta.instrument_config c ON c.instrument = v.instrument
                       JOIN gen3.physical_filter f ON f.instrument = v.instrument AND f.name = v.physical_filter
                      WHERE v.instrument = k.instrument AND v.id = k.id)
), removed AS (
  DELETE FROM caom2.observation o USING gone WHERE o.obs_id = gone.obs_id
  RETURNING o.obs_id, o.collection, o.observation_id
)
INSERT INTO caom2.deleted_observation (id, collection, observation_id, last_modified)
SELECT obs_id, collection, observation_id, now() FROM removed
ON CONFLICT (id) DO UPDATE SET collection = EXCLUDED.collection, observation_id = EXCLUDED.observation_id,
                               last_modified = EXCLUDED.last_modified
RETURNING id)SQL",
                             {kText, kInt8, kText, kInt8});
    return plan;
}

pg::KeptPlan& clear_tombstones() {
    static pg::KeptPlan plan("DELETE FROM caom2.deleted_observation WHERE id = ANY ($1::uuid[])", {kUuid});
    return plan;
}

pg::KeptPlan& sync_members() {
    // A visit's members are the converted observations of its exposures (visit_definition).
    static pg::KeptPlan plan(R"SQL(
WITH k AS (
  SELECT DISTINCT obsmeta.visit_obs_id(k.instrument, k.id) AS composite_id, k.instrument, k.id
    FROM unnest($1::text[], $2::int8[]) AS k(instrument, id)
), want AS (
  SELECT k.composite_id, eo.uri AS member_uri
    FROM k
    JOIN caom2.observation vo ON vo.obs_id = k.composite_id
    JOIN gen3.visit_definition vd ON vd.instrument = k.instrument AND vd.visit = k.id
    JOIN caom2.observation eo ON eo.obs_id = obsmeta.exposure_obs_id(vd.instrument, vd.exposure)
), gone AS (
  DELETE FROM caom2.observation_member m USING k
   WHERE m.composite_id = k.composite_id
     AND NOT EXISTS (SELECT 1 FROM want w WHERE w.composite_id = m.composite_id AND w.member_uri = m.member_uri)
  RETURNING m.composite_id
), added AS (
  INSERT INTO caom2.observation_member (composite_id, member_uri)
  SELECT composite_id, member_uri FROM want ORDER BY 1, 2
  ON CONFLICT DO NOTHING
  RETURNING composite_id
)
SELECT composite_id FROM gone UNION SELECT composite_id FROM added)SQL",
                             {kText, kInt8});
    return plan;
}

namespace {
// The datasets of $1 (k) and the plane each should map to (want): once its observation exists.
const std::string kDatasetPlanes = R"SQL(
WITH k AS (SELECT DISTINCT id FROM unnest($1::uuid[]) AS k(id)),
want AS (
  SELECT (dd.d).id AS dataset_id, obsmeta.plane_id(o.obs_id, t.product_id) AS plane_id, o.obs_id
    FROM k CROSS JOIN LATERAL (SELECT d FROM gen3.dataset d WHERE d.id = k.id OFFSET 0) dd(d)  -- a probe per key
    JOIN obsmeta.dataset_type_config t ON t.dataset_type = (dd.d).dataset_type AND t.publish
    CROSS JOIN LATERAL (SELECT o.obs_id FROM caom2.observation o
                         WHERE o.obs_id = obsmeta.dataset_obs_id(dd.d, t) LIMIT 1) o  -- a probe per dataset
))SQL";
}  // namespace

pg::KeptPlan& map_datasets_to_planes() {
    // obsmeta.dataset_plane records which plane each dataset became (and lets a deleted dataset
    // find its plane). A dataset maps once its observation exists; returns old and new planes.
    static pg::KeptPlan plan(kDatasetPlanes + R"SQL(,
old AS (SELECT dp.plane_id FROM k JOIN obsmeta.dataset_plane dp ON dp.dataset_id = k.id),
gone AS (
  DELETE FROM obsmeta.dataset_plane dp USING k
   WHERE dp.dataset_id = k.id AND NOT EXISTS (SELECT 1 FROM want w WHERE w.dataset_id = dp.dataset_id)
), put AS (
  INSERT INTO obsmeta.dataset_plane (dataset_id, plane_id, obs_id)
  SELECT dataset_id, plane_id, obs_id FROM want ORDER BY 1
  ON CONFLICT (dataset_id) DO UPDATE SET plane_id = EXCLUDED.plane_id, obs_id = EXCLUDED.obs_id
   WHERE (dataset_plane.plane_id, dataset_plane.obs_id) IS DISTINCT FROM (EXCLUDED.plane_id, EXCLUDED.obs_id)
)
SELECT plane_id FROM old UNION SELECT plane_id FROM want)SQL",
                             {kUuid});
    return plan;
}

pg::KeptPlan& map_new_datasets_to_planes() {
    // The same for a batch that only inserted rows: no dataset can have lost or changed its plane,
    // so only the insert remains (the planes of every mapped dataset are returned).
    static pg::KeptPlan plan(kDatasetPlanes + R"SQL(,
put AS (
  INSERT INTO obsmeta.dataset_plane (dataset_id, plane_id, obs_id)
  SELECT dataset_id, plane_id, obs_id FROM want ORDER BY 1
  ON CONFLICT (dataset_id) DO NOTHING
)
SELECT DISTINCT plane_id FROM want)SQL",
                             {kUuid});
    return plan;
}

pg::KeptPlan& planes_of_observations() {
    static pg::KeptPlan plan(R"SQL(
SELECT p.plane_id FROM unnest($1::text[], $2::int8[]) AS k(instrument, id)
  JOIN caom2.plane p ON p.obs_id = obsmeta.exposure_obs_id(k.instrument, k.id)
UNION
SELECT p.plane_id FROM unnest($3::text[], $4::int8[]) AS k(instrument, id)
  JOIN caom2.plane p ON p.obs_id = obsmeta.visit_obs_id(k.instrument, k.id))SQL",
                             {kText, kInt8, kText, kInt8});
    return plan;
}

namespace {
// `with_filter_ranges`: false while the library runs against a 0.2.0 schema (see flush.cpp).
std::string planes_source(bool with_filter_ranges) {
    // One representative dataset per plane gives the product's metadata; time and energy come from
    // the exposure or visit and the band.
    return R"SQL(
SELECT dp.plane_id, dp.obs_id, t.product_id, t.calibration_level, t.data_product_type,
       o.meta_release, o.meta_release AS data_release,
       d.dataset_type AS provenance_name, 'Rubin Observatory'::text AS provenance_producer, d.run AS provenance_run_id,
       w.em_min_m AS energy_bounds_lower, w.em_max_m AS energy_bounds_upper,
       CASE WHEN w.em_min_m IS NOT NULL THEN jsonb_build_array(jsonb_build_array(w.em_min_m, w.em_max_m))
       END AS energy_bounds_samples,
       coalesce(d.physical_filter, e.physical_filter, v.physical_filter) AS energy_bandpass_name,
       obsmeta.mjd(coalesce(e.timespan_begin, v.timespan_begin)) AS time_bounds_lower,
       obsmeta.mjd(coalesce(e.timespan_end, v.timespan_end)) AS time_bounds_upper,
       -- one sample per exposure: a visit's snaps, with the gap between them
       CASE WHEN e.timespan_begin IS NOT NULL AND e.timespan_end IS NOT NULL
            THEN jsonb_build_array(jsonb_build_array(obsmeta.mjd(e.timespan_begin), obsmeta.mjd(e.timespan_end)))
            WHEN v.id IS NOT NULL
            THEN coalesce((SELECT jsonb_agg(jsonb_build_array(obsmeta.mjd(se.timespan_begin), obsmeta.mjd(se.timespan_end))
                                            ORDER BY se.timespan_begin)
                             FROM gen3.visit_definition vd
                             JOIN gen3.exposure se ON se.instrument = vd.instrument AND se.id = vd.exposure
                            WHERE vd.instrument = v.instrument AND vd.visit = v.id
                              AND se.timespan_begin IS NOT NULL AND se.timespan_end IS NOT NULL),
                          CASE WHEN v.timespan_begin IS NOT NULL AND v.timespan_end IS NOT NULL
                               THEN jsonb_build_array(jsonb_build_array(obsmeta.mjd(v.timespan_begin),
                                                                        obsmeta.mjd(v.timespan_end))) END)
       END AS time_bounds_samples,
       coalesce(e.exposure_time, v.exposure_time) AS time_exposure
  FROM (SELECT DISTINCT plane_id FROM unnest($1::uuid[]) AS k(plane_id)) k
  -- the plane's first dataset (by id) stands for all: they share observation and product
  CROSS JOIN LATERAL (SELECT dp.* FROM obsmeta.dataset_plane dp WHERE dp.plane_id = k.plane_id
                       ORDER BY dp.dataset_id LIMIT 1) dp
  -- (LATERAL ... OFFSET 0: index probes per plane, whatever the statistics say)
  CROSS JOIN LATERAL (SELECT d.* FROM gen3.dataset d WHERE d.id = dp.dataset_id OFFSET 0) d
  JOIN obsmeta.dataset_type_config t ON t.dataset_type = d.dataset_type
  CROSS JOIN LATERAL (SELECT o.meta_release FROM caom2.observation o WHERE o.obs_id = dp.obs_id OFFSET 0) o
  LEFT JOIN LATERAL (SELECT e.* FROM gen3.exposure e
                      WHERE t.observation_level = 'exposure' AND e.instrument = d.instrument AND e.id = d.exposure
                     OFFSET 0) e ON true
  LEFT JOIN LATERAL (SELECT v.* FROM gen3.visit v
                      WHERE t.observation_level = 'visit' AND v.instrument = d.instrument AND v.id = d.visit
                     OFFSET 0) v ON true
  LEFT JOIN gen3.physical_filter pf
         ON pf.instrument = d.instrument AND pf.name = coalesce(d.physical_filter, e.physical_filter, v.physical_filter)
  -- the physical filter's band wins over the data ID's copy of it (which a band change leaves stale)
  LEFT JOIN obsmeta.band_wavelength bw ON bw.band = coalesce(pf.band, d.band)
  -- a physical filter's own range comes before its band's (as dax_obscore looks them up)
  )SQL" + std::string(with_filter_ranges ? R"SQL(LEFT JOIN obsmeta.physical_filter_wavelength fw ON fw.instrument = pf.instrument AND fw.physical_filter = pf.name)SQL"
                                         : "LEFT JOIN (SELECT NULL::float8 AS em_min_m, NULL::float8 AS em_max_m) fw ON false") + R"SQL(
  CROSS JOIN LATERAL (SELECT coalesce(fw.em_min_m, bw.em_min_m) AS em_min_m,
                             CASE WHEN fw.em_min_m IS NOT NULL THEN fw.em_max_m ELSE bw.em_max_m END AS em_max_m) w
)SQL";
}
const std::vector<std::string> kPlaneColumns = {
    "obs_id", "product_id", "calibration_level", "data_product_type", "meta_release", "data_release",
    "provenance_name", "provenance_producer", "provenance_run_id", "energy_bounds_lower",
    "energy_bounds_upper", "energy_bounds_samples", "energy_bandpass_name", "time_bounds_lower",
    "time_bounds_upper", "time_bounds_samples", "time_exposure"};
}  // namespace

namespace {
// New planes are inserted with their positions, computed as update_plane_positions does from
// their chunks' footprints; those are the new files' (a plane that did not exist has no other
// chunk), given as $2-$5 (plane, footprint, detector, artifact; NULLs: the positions are left
// NULL, for update_plane_positions after the files). The upsert of existing planes ignores them.
const std::vector<std::string> kPositionColumns = {"position_bounds", "position_bounds_points",
                                                   "position_bounds_samples", "position_center",
                                                   "position_area_deg2", "position_size_deg"};

std::string positioned_planes_source(bool with_filter_ranges) {
    return R"SQL(
SELECT s.*, pos.bounds AS position_bounds, pos.points AS position_bounds_points,
       pos.samples AS position_bounds_samples, pos.center AS position_center,
       pos.area_deg2 AS position_area_deg2, pos.size_deg AS position_size_deg
  FROM ()SQL" + planes_source(with_filter_ranges) + R"SQL() s
  LEFT JOIN (SELECT f.plane_id, array_agg(f.footprint ORDER BY f.detector, f.artifact_id) AS footprints
               FROM unnest($2::uuid[], $3, $4::int4[], $5::uuid[]) AS f(plane_id, footprint, detector, artifact_id)
              WHERE f.footprint IS NOT NULL
              GROUP BY f.plane_id) fp ON fp.plane_id = s.plane_id
  LEFT JOIN LATERAL obsmeta.footprint_summary(fp.footprints) pos ON true)SQL";
}

std::vector<std::string> with_positions(std::vector<std::string> columns) {
    columns.insert(columns.end(), kPositionColumns.begin(), kPositionColumns.end());
    return columns;
}
}  // namespace

Oid footprint_array_type() {
    // the type of caom2.chunk.footprint (pg_sphere's spoly, in whichever schema pg_sphere is)
    return pg::call([] {
        const Oid chunk = get_relname_relid("chunk", get_namespace_oid("caom2", false));
        const Oid spoly = get_atttype(chunk, get_attnum(chunk, "footprint"));
        const Oid array = get_array_type(spoly);
        if (!OidIsValid(array)) elog(ERROR, "obsmeta: caom2.chunk.footprint has no array type");
        return array;
    });
}

Upsert& upsert_planes(bool with_filter_ranges) {
    static const std::vector<Oid> argtypes = {kUuid, kUuid, footprint_array_type(), kInt4, kUuid};
    static Upsert with("caom2.plane", "plane_id", kPlaneColumns, planes_source(true), with_positions(kPlaneColumns),
                       positioned_planes_source(true), "obs_id", argtypes),
        without("caom2.plane", "plane_id", kPlaneColumns, planes_source(false), with_positions(kPlaneColumns),
                positioned_planes_source(false), "obs_id", argtypes);
    return with_filter_ranges ? with : without;
}

pg::KeptPlan& existing_planes() {
    static pg::KeptPlan plan(R"SQL(
SELECT p.plane_id FROM (SELECT DISTINCT plane_id FROM unnest($1::uuid[]) AS k(plane_id)) k
 CROSS JOIN LATERAL (SELECT p.plane_id FROM caom2.plane p WHERE p.plane_id = k.plane_id OFFSET 0) p)SQL",
                             {kUuid});
    return plan;
}

pg::KeptPlan& delete_planes() {
    static pg::KeptPlan plan(R"SQL(
DELETE FROM caom2.plane p USING (SELECT DISTINCT plane_id FROM unnest($1::uuid[]) AS k(plane_id)) k
 WHERE p.plane_id = k.plane_id
   AND NOT EXISTS (SELECT 1 FROM obsmeta.dataset_plane dp WHERE dp.plane_id = k.plane_id)
RETURNING p.obs_id)SQL",
                             {kUuid});
    return plan;
}

pg::KeptPlan& delete_empty_coadds() {
    static pg::KeptPlan plan(R"SQL(
WITH removed AS (
  DELETE FROM caom2.observation o USING (SELECT DISTINCT obs_id FROM unnest($1::uuid[]) AS k(obs_id)) k
   WHERE o.obs_id = k.obs_id AND o.algorithm_name = 'coadd'
     AND NOT EXISTS (SELECT 1 FROM obsmeta.dataset_plane dp WHERE dp.obs_id = o.obs_id)
  RETURNING o.obs_id, o.collection, o.observation_id
)
INSERT INTO caom2.deleted_observation (id, collection, observation_id, last_modified)
SELECT obs_id, collection, observation_id, now() FROM removed
ON CONFLICT (id) DO UPDATE SET last_modified = EXCLUDED.last_modified
RETURNING id)SQL",
                             {kUuid});
    return plan;
}

namespace {
// One source row per datastore record; from it the artifact, its one Part ('0': Rubin files hold
// one detector) and its one Chunk, whose footprint is the detector's visit_detector_region (a raw
// dataset uses the region of the first visit its exposure belongs to), or for a dataset without
// detector on a skymap patch (a coadd) the patch's region. `with_patches`: false while the
// installed library runs against a 0.2.0 schema (no gen3.patch) until ALTER EXTENSION UPDATE.
std::string files_source(bool with_patches) {
    return R"SQL(
  SELECT a.artifact_id, a.part_id, a.chunk_id,
         dp.plane_id,
         obsmeta.artifact_uri(c.artifact_uri_template, r.path, d.id, d.instrument, d.run, d.dataset_type) AS uri,
         t.product_type, 'data'::text AS release_type, obsmeta.content_type(r.path) AS content_type,
         r.file_size AS content_length, r.checksum AS content_checksum,
         r.dataset_id AS lsst_dataset_id, r.component AS lsst_component, '0'::text AS name,
         d.detector AS lsst_detector, obsmeta.sphgeom_to_spoly(coalesce(g.region, pa.region)) AS footprint
    FROM (SELECT DISTINCT id FROM unnest($1::uuid[]) AS k(id)) k
    -- (probes per key: a join would hash every mapped dataset, a cost growing with the archive)
    CROSS JOIN LATERAL (SELECT dp.plane_id FROM obsmeta.dataset_plane dp WHERE dp.dataset_id = k.id OFFSET 0) dp
    CROSS JOIN LATERAL (SELECT r.* FROM gen3.file_datastore_record r WHERE r.dataset_id = k.id OFFSET 0) r
    -- (OFFSET 0: each id hashed once a row; inlined, every use of an id would hash it again)
    CROSS JOIN LATERAL (SELECT x.artifact_id, obsmeta.part_id(x.artifact_id) AS part_id,
                               obsmeta.chunk_id(x.artifact_id) AS chunk_id
                          FROM (SELECT obsmeta.artifact_id(r.dataset_id, r.component) AS artifact_id OFFSET 0) x
                        OFFSET 0) a
    CROSS JOIN LATERAL (SELECT d.* FROM gen3.dataset d WHERE d.id = k.id OFFSET 0) d
    JOIN obsmeta.dataset_type_config t ON t.dataset_type = d.dataset_type
    LEFT JOIN obsmeta.instrument_config c ON c.instrument = d.instrument
    LEFT JOIN LATERAL (
          SELECT g.region FROM gen3.visit_detector_region g
           WHERE g.instrument = d.instrument AND g.detector = d.detector
             AND g.visit = coalesce(d.visit, (SELECT min(vd.visit) FROM gen3.visit_definition vd
                                               WHERE vd.instrument = d.instrument AND vd.exposure = d.exposure))
           LIMIT 1  -- (the key is unique) keeps this a per-row index probe, never a hash of the whole table
    ) g ON true
    -- a coadd (no detector) covers its patch
    LEFT JOIN LATERAL ()SQL" + std::string(with_patches ? R"SQL(
          SELECT pa.region FROM gen3.patch pa
           WHERE d.detector IS NULL AND pa.skymap = d.skymap AND pa.tract = d.tract AND pa.id = d.patch LIMIT 1)SQL"
                                                         : "SELECT NULL::bytea AS region") + R"SQL(
    ) pa ON true
)SQL";
}

std::string files_statement(bool with_patches, bool insert_only) {
    const std::string source = "WITH src AS MATERIALIZED (" + files_source(with_patches) + "),\n";
    static const std::vector<std::string> artifact_columns = {
        "plane_id", "uri", "product_type", "release_type", "content_type", "content_length",
        "content_checksum", "lsst_dataset_id", "lsst_component"};
    static const std::vector<std::string> part_columns = {"artifact_id", "name", "product_type"};
    static const std::vector<std::string> chunk_columns = {"part_id", "product_type", "lsst_detector", "footprint"};
    if (insert_only)  // the same order; a 'conflict' row when any row existed (then the upsert runs)
        return source + "chunks AS (" + insert_new_from("caom2.chunk", "chunk_id", chunk_columns, "src", "part_id") +
               "),\nparts AS (" + insert_new_from("caom2.part", "part_id", part_columns, "src", "artifact_id") +
               "),\nartifacts AS (" +
               insert_new_from("caom2.artifact", "artifact_id", artifact_columns, "src", "plane_id") +
               ")\nSELECT 'conflict'::text, NULL::uuid"
               " WHERE (SELECT count(*) FROM chunks) + (SELECT count(*) FROM parts) + (SELECT count(*) FROM artifacts)"
               "       <> 3 * (SELECT count(*) FROM src)"
               " UNION ALL SELECT 'chunk', NULL FROM chunks UNION ALL SELECT 'part', NULL FROM parts"
               " UNION ALL SELECT 'artifact', plane_id FROM artifacts";
    return source + "chunks AS (" +
           upsert_from("caom2.chunk", "chunk_id", chunk_columns, "src", "part_id", Returned::UpdatedOnly) +
           "),\nparts AS (" +
           upsert_from("caom2.part", "part_id", part_columns, "src", "artifact_id", Returned::UpdatedOnly) +
           "),\nartifacts AS (" + upsert_from("caom2.artifact", "artifact_id", artifact_columns, "src", "plane_id") +
           // Each data-modifying CTE runs when the main query first reads it: bottom-up here, so a
           // part's and an artifact's accMetaChecksum come from the children written just before
           // (checksum_batch.hpp; in any other order the end of the batch recomputes them instead).
           ")\nSELECT 'chunk'::text, part_id FROM chunks UNION ALL SELECT 'part', artifact_id FROM parts"
           " UNION ALL SELECT 'artifact', plane_id FROM artifacts";
}
}  // namespace

pg::KeptPlan& upsert_files(bool with_patches) {
    static pg::KeptPlan with(files_statement(true, false), {kUuid}), without(files_statement(false, false), {kUuid});
    return with_patches ? with : without;
}

pg::KeptPlan& insert_new_files(bool with_patches) {
    static pg::KeptPlan with(files_statement(true, true), {kUuid}), without(files_statement(false, true), {kUuid});
    return with_patches ? with : without;
}

pg::KeptPlan& new_files(bool with_patches) {
    // The source rows, and whether any of their artifact, part or chunk exists already (probes).
    auto sql = [](bool patches) {
        // (scalar subqueries, not EXISTS: the planner may hash a whole table for an EXISTS)
        return "SELECT s.*, (SELECT true FROM caom2.artifact x WHERE x.artifact_id = s.artifact_id LIMIT 1) IS NOT NULL"
               " OR (SELECT true FROM caom2.part x WHERE x.part_id = s.part_id LIMIT 1) IS NOT NULL"
               " OR (SELECT true FROM caom2.chunk x WHERE x.chunk_id = s.chunk_id LIMIT 1) IS NOT NULL AS existed FROM (" +
               files_source(patches) + ") s";
    };
    static pg::KeptPlan with(sql(true), {kUuid}), without(sql(false), {kUuid});
    return with_patches ? with : without;
}

pg::KeptPlan& record_obscore_artifacts() {
    // what obsmeta.obscore_on_artifact (and, deferred, obscore_on_part_or_chunk) does for an INSERT
    static pg::KeptPlan plan("SELECT obsmeta.obscore_maintain(NULL, $1, $2)", {kUuid, kUuid});
    return plan;
}

pg::KeptPlan& rubin_new_chunks() {
    // what obsmeta.rubin_chunk_arrived does for an INSERT of chunks ($1 their planes, $2 detectors)
    static pg::KeptPlan plan(R"SQL(
SELECT obsmeta.rubin_apply_chunks(array_agg(s.plane_id), array_agg(s.detector), true)
  FROM (SELECT DISTINCT k.plane_id, k.detector FROM unnest($1::uuid[], $2::int4[]) AS k(plane_id, detector)
         WHERE k.detector IS NOT NULL
           AND EXISTS (SELECT 1 FROM rubin.detector_visit_result r WHERE r.plane_id = k.plane_id AND r.detector = k.detector)) s
HAVING current_setting('obsmeta.caom2_import', true) IS DISTINCT FROM 'on'
   AND EXISTS (SELECT 1 FROM rubin.detector_visit_result))SQL",
                             {kUuid, kInt4});
    return plan;
}

pg::KeptPlan& delete_artifacts() {
    static pg::KeptPlan plan(R"SQL(
DELETE FROM caom2.artifact a USING (SELECT DISTINCT id FROM unnest($1::uuid[]) AS k(id)) k
 WHERE a.lsst_dataset_id = k.id
   AND NOT EXISTS (SELECT 1 FROM gen3.file_datastore_record r
                     JOIN obsmeta.dataset_plane dp ON dp.dataset_id = r.dataset_id
                    WHERE r.dataset_id = a.lsst_dataset_id AND dp.plane_id = a.plane_id
                      AND obsmeta.artifact_id(r.dataset_id, r.component) = a.artifact_id)
RETURNING a.plane_id)SQL",
                             {kUuid});
    return plan;
}

pg::KeptPlan& update_plane_positions() {
    // Plane bounds are the convex hull of its detectors' footprints (C++: obsmeta.footprint_summary).
    static pg::KeptPlan plan(R"SQL(
WITH k AS (SELECT DISTINCT plane_id FROM unnest($1::uuid[]) AS k(plane_id)),
fp AS (  -- (LATERAL ... OFFSET 0: index probes per key, whatever the statistics say)
  SELECT k.plane_id, array_agg(c.footprint ORDER BY c.lsst_detector, a.artifact_id) AS footprints
    FROM k CROSS JOIN LATERAL (SELECT a.artifact_id FROM caom2.artifact a WHERE a.plane_id = k.plane_id OFFSET 0) a
    CROSS JOIN LATERAL (SELECT p.part_id FROM caom2.part p WHERE p.artifact_id = a.artifact_id OFFSET 0) p
    CROSS JOIN LATERAL (SELECT c.footprint, c.lsst_detector FROM caom2.chunk c
                         WHERE c.part_id = p.part_id AND c.footprint IS NOT NULL OFFSET 0) c
   GROUP BY k.plane_id
), pos AS (
  SELECT k.plane_id, s.bounds, s.points, s.center, s.area_deg2, s.size_deg, s.samples
    FROM k LEFT JOIN fp ON fp.plane_id = k.plane_id
    LEFT JOIN LATERAL obsmeta.footprint_summary(fp.footprints) s ON true
)
UPDATE caom2.plane p
   SET (position_bounds, position_bounds_points, position_bounds_samples, position_center, position_area_deg2,
        position_size_deg, last_modified, max_last_modified)
     = ROW(pos.bounds, pos.points, pos.samples, pos.center, pos.area_deg2, pos.size_deg, now(), now())
  FROM pos
 WHERE p.plane_id = pos.plane_id
   AND ROW(p.position_bounds_points, p.position_bounds_samples, p.position_area_deg2, p.position_size_deg)
       IS DISTINCT FROM ROW(pos.points, pos.samples, pos.area_deg2, pos.size_deg)
RETURNING p.obs_id)SQL",
                             {kUuid});
    return plan;
}

namespace {
// maxLastModified moves up the tree: an UPDATE of the given rows that returns their parents.
std::string touch_statement(const std::string& table, const std::string& key, const std::string& parent) {
    return "UPDATE caom2." + table + " SET max_last_modified = now() WHERE " + key +
           " = ANY ($1::uuid[]) AND max_last_modified < now()" + (parent.empty() ? "" : " RETURNING " + parent);
}
}  // namespace

pg::KeptPlan& touch_parts() {
    static pg::KeptPlan plan(touch_statement("part", "part_id", "artifact_id"), {kUuid});
    return plan;
}

pg::KeptPlan& touch_artifacts() {
    static pg::KeptPlan plan(touch_statement("artifact", "artifact_id", "plane_id"), {kUuid});
    return plan;
}

pg::KeptPlan& touch_planes() {
    static pg::KeptPlan plan(touch_statement("plane", "plane_id", "obs_id"), {kUuid});
    return plan;
}

pg::KeptPlan& touch_observations() {
    static pg::KeptPlan plan(touch_statement("observation", "obs_id", ""), {kUuid});
    return plan;
}

pg::KeptPlan& defer_obscore() {
    static pg::KeptPlan plan("SELECT obsmeta.obscore_defer()", {});
    return plan;
}

pg::KeptPlan& flush_obscore() {
    static pg::KeptPlan plan("SELECT obsmeta.obscore_flush()", {});
    return plan;
}

std::vector<Named> all() {
    std::vector<Named> out = {
        {"filter_users", &filter_users()},
        {"visits_of_exposures", &visits_of_exposures()},
        {"datasets_of_keys", &datasets_of_keys()},
        {"datasets_of_patches", &datasets_of_patches()},
        {"observation_lock_keys", &observation_lock_keys()},
        {"delete_observations", &delete_observations()},
        {"clear_tombstones", &clear_tombstones()},
        {"sync_members", &sync_members()},
        {"map_datasets_to_planes", &map_datasets_to_planes()},
        {"map_new_datasets_to_planes", &map_new_datasets_to_planes()},
        {"planes_of_observations", &planes_of_observations()},
        {"existing_planes", &existing_planes()},
        {"delete_planes", &delete_planes()},
        {"delete_empty_coadds", &delete_empty_coadds()},
        {"upsert_files (with patches)", &upsert_files(true)},
        {"upsert_files", &upsert_files(false)},
        {"insert_new_files (with patches)", &insert_new_files(true)},
        {"insert_new_files", &insert_new_files(false)},
        {"delete_artifacts", &delete_artifacts()},
        {"update_plane_positions", &update_plane_positions()},
        {"touch_parts", &touch_parts()},
        {"touch_artifacts", &touch_artifacts()},
        {"touch_planes", &touch_planes()},
        {"touch_observations", &touch_observations()},
        {"defer_obscore", &defer_obscore()},
        {"flush_obscore", &flush_obscore()},
    };
    auto both_halves = [&out](const std::string& name, Upsert& u) {
        out.push_back({name + " (insert new)", &u.insert_new});
        out.push_back({name + " (upsert)", &u.upsert});
    };
    both_halves("upsert_exposure_observations", upsert_exposure_observations());
    both_halves("upsert_visit_observations", upsert_visit_observations());
    both_halves("upsert_coadd_observations", upsert_coadd_observations());
    both_halves("upsert_planes (with filter ranges)", upsert_planes(true));
    both_halves("upsert_planes", upsert_planes(false));
    return out;
}

}  // namespace obsmeta::gen3_to_caom2::statements
