-- ivoa.obscore: the contract (columns, types, indexes), the granularity (one row per detector file,
-- one per coadd plane), the values, and incremental maintenance through inserts, updates, deletes,
-- bulk statements and configuration changes; obsmeta.verify_obscore() must find nothing after
-- every scenario, and must find a row that was tampered with.
BEGIN;
SELECT plan(56);
SET LOCAL obsmeta.conversion = 'statement';

-- contract ------------------------------------------------------------------------------------
SELECT has_table('ivoa', 'obscore', 'ivoa.obscore exists');
SELECT is((SELECT c.relkind::text FROM pg_class c WHERE c.oid = 'ivoa.obscore'::regclass), 'r',
          'ivoa.obscore is a stored table (row-level security is possible on it)');
SELECT bag_has(
  $$SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
     WHERE a.attrelid = 'ivoa.obscore'::regclass AND a.attnum > 0 AND NOT a.attisdropped$$,
  $$VALUES ('dataproduct_type', 'text'), ('calib_level', 'integer'), ('obs_collection', 'text'), ('obs_id', 'text'),
           ('obs_publisher_did', 'text'), ('access_url', 'text'), ('access_format', 'text'), ('access_estsize', 'bigint'),
           ('target_name', 'text'), ('s_ra', 'double precision'), ('s_dec', 'double precision'),
           ('s_fov', 'double precision'), ('s_region', 'spoly'), ('s_resolution', 'double precision'),
           ('s_xel1', 'bigint'), ('s_xel2', 'bigint'), ('t_min', 'double precision'), ('t_max', 'double precision'),
           ('t_exptime', 'double precision'), ('t_resolution', 'double precision'), ('t_xel', 'bigint'),
           ('em_min', 'double precision'), ('em_max', 'double precision'), ('em_res_power', 'double precision'),
           ('em_xel', 'bigint'), ('o_ucd', 'text'), ('pol_states', 'text'), ('pol_xel', 'bigint'),
           ('facility_name', 'text'), ('instrument_name', 'text'),
           ('obs_release_date', 'timestamp without time zone'), ('obs_creator_did', 'text'), ('preview', 'text'),
           ('lsst_visit', 'bigint'), ('lsst_exposure', 'bigint'), ('lsst_detector', 'integer'), ('lsst_band', 'text'),
           ('lsst_physical_filter', 'text'), ('lsst_tract', 'integer'), ('lsst_patch', 'integer'),
           ('s_region_stcs', 'text'), ('s_center', 'spoint'), ('s_region_spoly', 'spoly')$$,
  'all 30 ObsCore 1.1 mandatory columns (s_region a pg_sphere spoly), the optional and Rubin columns, with their types');
SELECT is((SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
            WHERE d.adrelid = 'ivoa.obscore'::regclass AND a.attname = 's_region_spoly' AND a.attgenerated = 's'),
          's_region', 's_region_spoly (0.2.0''s name) is kept as a stored column generated from s_region');
SELECT ok((SELECT count(*) = 2 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
           WHERE i.indrelid = 'ivoa.obscore'::regclass AND am.amname = 'gist' AND a.attname IN ('s_region', 's_center')),
          'GiST indexes on s_region and s_center');
SELECT has_function('obsmeta', 'refresh_obscore', 'obsmeta.refresh_obscore() exists');
SELECT has_function('obsmeta', 'verify_obscore', 'obsmeta.verify_obscore() exists');

-- granularity and values -------------------------------------------------------------------
\ir fixtures/lsstcam_visit.psql
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 3, 'one row per detector file: 2 raws + 1 visit_image');
SELECT results_eq(
  $$SELECT calib_level, obs_id, lsst_detector, lsst_exposure, lsst_visit FROM ivoa.obscore ORDER BY calib_level, lsst_detector$$,
  $$VALUES (1, 'MC_O_20251201_000123'::text, 10, 2025120100123::bigint, NULL::bigint),
           (1, 'MC_O_20251201_000123', 11, 2025120100123, NULL),
           (2, 'MC_O_20251201_000123', 10, NULL, 2025120100123)$$,
  'calib levels, obs_id (exposure obs_id / visit name) and Rubin ids per row');
SELECT results_eq(
  $$SELECT dataproduct_type, obs_collection, facility_name, instrument_name, lsst_band, lsst_physical_filter, target_name
      FROM ivoa.obscore WHERE lsst_detector = 11$$,
  $$VALUES ('image'::text, 'LSSTCam'::text, 'Rubin-LSST'::text, 'LSSTCam'::text, 'r'::text, 'r_57'::text, 'lsst_wfd_0042'::text)$$,
  'dataproduct_type, collection, facility, instrument, band, physical filter, target');
SELECT is((SELECT s_region_stcs FROM ivoa.obscore WHERE lsst_detector = 11 AND calib_level = 1),
          'POLYGON ICRS 10.2 -30 10.4 -30 10.4 -29.8 10.2 -29.8', 's_region_stcs: STC-S of that detector''s footprint (degrees)');
SELECT ok((SELECT abs(s_ra - 10.3) < 1e-6 AND abs(s_dec + 29.9) < 1e-3 AND s_fov BETWEEN 0.2 AND 0.3
             AND s_center = spoint(radians(s_ra), radians(s_dec))
             AND s_region = '{(10.2d,-30d),(10.4d,-30d),(10.4d,-29.8d),(10.2d,-29.8d)}'::spoly
             AND s_region_spoly = s_region
             FROM ivoa.obscore WHERE lsst_detector = 11 AND calib_level = 1),
          's_ra/s_dec at the footprint centre, s_fov its containing circle, s_center, s_region and its alias agree');
-- DaCHS's translation: INTERSECTS(a, b) -> a && b, CONTAINS(a, b) -> a <@ b
SELECT results_eq(
  $$SELECT (SELECT count(*)::int FROM ivoa.obscore WHERE s_region && scircle(spoint(radians(10.2), radians(-29.9)), radians(0.02))),
           (SELECT count(*)::int FROM ivoa.obscore WHERE spoint(radians(10.3), radians(-29.9)) <@ s_region),
           (SELECT count(*)::int FROM ivoa.obscore WHERE s_region <@ scircle(spoint(radians(10.3), radians(-29.9)), radians(0.2))),
           (SELECT count(*)::int FROM ivoa.obscore WHERE s_region <@ scircle(spoint(radians(10.3), radians(-29.9)), radians(0.05)))$$,
  $$VALUES (3, 1, 1, 0)$$,
  'ADQL geometry as TAP servers translate it, on s_region: INTERSECTS (&&) finds both detectors, CONTAINS(POINT, s_region) the one under the point, CONTAINS(s_region, CIRCLE) the one inside the circle');
SELECT results_eq(
  $$SELECT access_estsize, access_format, access_url FROM ivoa.obscore WHERE lsst_detector = 11$$,
  $$VALUES (18433::bigint, 'application/fits'::text,
            'butler://embargo/LSSTCam/raw/all/raw/20251201/MC_O_20251201_000123/raw_MC_O_20251201_000123_R02_S02.fits'::text)$$,
  'access_estsize in kB (rounded up), access_format, access_url = the file (direct template {uri})');
SELECT ok((SELECT t_min = obsmeta.mjd('2025-12-02 03:00:00+00') AND t_max = obsmeta.mjd('2025-12-02 03:00:30+00')
                  AND t_exptime = 30 AND em_min = 552e-9 AND em_max = 691e-9
             FROM ivoa.obscore WHERE lsst_detector = 10 AND calib_level = 1),
          't_min/t_max (MJD), t_exptime (s), em_min/em_max (m)');
SELECT is((SELECT count(DISTINCT obs_publisher_did)::int FROM ivoa.obscore), 3, 'obs_publisher_did is unique per row');
SELECT is((SELECT obs_release_date FROM ivoa.obscore WHERE lsst_detector = 10 AND calib_level = 1),
          '2025-12-02 03:00:30'::timestamp + interval '80 hours', 'obs_release_date = end of exposure + embargo (UTC)');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after the load');
-- obs_release_date is a DALI timestamp (UTC, no zone): the same in every session time zone
SET LOCAL TimeZone = 'America/Santiago';
SELECT is((SELECT obs_release_date FROM ivoa.obscore WHERE lsst_detector = 10 AND calib_level = 1),
          '2025-12-05 11:00:30'::timestamp, 'obs_release_date is UTC whatever the session time zone');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs in another session time zone');
RESET TimeZone;

-- coadd: one row per plane ---------------------------------------------------------------------
INSERT INTO gen3.dataset (id, dataset_type, run, skymap, tract, patch, band)
VALUES ('f0000000-0000-4000-8000-000000009813', 'deep_coadd', 'LSSTCam/runs/DRP/DP1', 'lsst_cells_v1', 9813, 42, 'r');
INSERT INTO gen3.file_datastore_record (dataset_id, component, path, file_size)
VALUES ('f0000000-0000-4000-8000-000000009813', '__NULL_STRING__', 'LSSTCam/runs/DRP/DP1/deep_coadd/9813/42/r/deep_coadd_9813_42_r.fits', 2048);
SELECT results_eq(
  $$SELECT obs_collection, obs_id, calib_level, lsst_detector, lsst_tract, lsst_patch, lsst_band, access_estsize, visible_from
      FROM ivoa.obscore WHERE lsst_tract IS NOT NULL$$,
  $$VALUES ('LSST'::text, '9813_42_r'::text, 3, NULL::int, 9813, 42, 'r'::text, 2::bigint, 'infinity'::timestamptz)$$,
  'a coadd is one plane row: no detector, tract/patch/band, never visible without a release date');

-- incremental maintenance ------------------------------------------------------------------
UPDATE gen3.file_datastore_record SET file_size = 10240 WHERE dataset_id = 'a0000000-0000-4000-8000-000000000011';
SELECT is((SELECT access_estsize FROM ivoa.obscore WHERE lsst_detector = 11), 10::bigint, 'file size change follows');
UPDATE gen3.visit_detector_region SET region = obsmeta.spoly_to_sphgeom('{(10.2d,-30d),(10.5d,-30d),(10.5d,-29.8d),(10.2d,-29.8d)}'::spoly)
 WHERE detector = 11;
SELECT ok((SELECT s_region_stcs = 'POLYGON ICRS 10.2 -30 10.5 -30 10.5 -29.8 10.2 -29.8'
                  AND s_region = '{(10.2d,-30d),(10.5d,-30d),(10.5d,-29.8d),(10.2d,-29.8d)}'::spoly
                  AND s_region_spoly = s_region
             FROM ivoa.obscore WHERE lsst_detector = 11),
          'a new detector region reaches s_region, s_region_stcs and the alias');
UPDATE gen3.physical_filter SET band = 'i' WHERE name = 'r_57';
SELECT ok((SELECT bool_and(lsst_band = 'i' AND em_min = 691e-9) FROM ivoa.obscore WHERE lsst_detector IS NOT NULL),
          'a band change reaches lsst_band and em_min of every detector row');
UPDATE gen3.exposure SET target_name = 'moved' WHERE id = 2025120100123;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE calib_level = 1 AND target_name = 'moved'), 2,
          'an observation attribute reaches all its rows');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after the updates');

DELETE FROM gen3.file_datastore_record WHERE dataset_id = 'a0000000-0000-4000-8000-000000000011';
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE calib_level = 1), 1, 'a deleted file leaves ObsCore');
DELETE FROM gen3.dataset WHERE id = 'b0000000-0000-4000-8000-000000000010';
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE calib_level = 2), 0, 'a deleted dataset (plane) leaves ObsCore');
DELETE FROM gen3.exposure WHERE id = 2025120100123;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE lsst_exposure IS NOT NULL), 0, 'a deleted exposure leaves ObsCore');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after the deletes');

-- a bulk statement: one visit, 189 detectors, raws and visit_images, all in one INSERT each ----
INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LSSTCam', 'g_6', 'g');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, can_see_sky,
                           tracking_ra, tracking_dec, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100200, 'g_6', 'MC_O_20251201_000200', 30, 'science', true, 50, -20,
        '2025-12-02 05:00:00+00', '2025-12-02 05:00:30+00');
INSERT INTO gen3.visit (instrument, id, physical_filter, name, exposure_time, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100200, 'g_6', 'MC_O_20251201_000200', 30, '2025-12-02 05:00:00+00', '2025-12-02 05:00:30+00');
INSERT INTO gen3.visit_definition (instrument, exposure, visit) VALUES ('LSSTCam', 2025120100200, 2025120100200);
INSERT INTO gen3.visit_detector_region (instrument, visit, detector, region)
SELECT 'LSSTCam', 2025120100200, d, obsmeta.spoly_to_sphgeom(format('{(%sd,-20d),(%sd,-20d),(%sd,-19.8d),(%sd,-19.8d)}',
        49 + d * 0.01, 49.01 + d * 0.01, 49.01 + d * 0.01, 49 + d * 0.01)::spoly)
  FROM generate_series(0, 188) d;
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band)
SELECT md5('raw' || d)::uuid, 'raw', 'r', 'LSSTCam', 2025120100200, NULL, d, 'g_6', 'g' FROM generate_series(0, 188) d
UNION ALL
SELECT md5('vi' || d)::uuid, 'visit_image', 'v', 'LSSTCam', NULL, 2025120100200, d, 'g_6', 'g' FROM generate_series(0, 188) d;
INSERT INTO gen3.file_datastore_record (dataset_id, component, path, file_size)
SELECT id, '__NULL_STRING__', 'bulk/' || id || '.fits', 1000000 FROM gen3.dataset WHERE run IN ('r', 'v');
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000200'), 378,
          'a bulk load of 378 files in one statement: 378 rows');
SELECT is((SELECT count(DISTINCT s_region_stcs)::int FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000200' AND calib_level = 2), 189,
          'each detector row has its own footprint');
UPDATE gen3.visit SET timespan_end = '2025-12-02 05:00:31+00' WHERE id = 2025120100200;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000200' AND t_max = obsmeta.mjd('2025-12-02 05:00:31+00')), 189,
          'a visit time change reaches its 189 visit_image rows');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after the bulk load');

-- deferred maintenance: a batch of statements records keys, one flush recomputes each row once --
SELECT ok(obsmeta.obscore_defer() AND obsmeta.obscore_deferred(),
          'obscore_defer() begins the deferral: this transaction now defers ObsCore maintenance');
SELECT ok(NOT obsmeta.obscore_defer(), 'a second obscore_defer() says the transaction was deferring already');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, can_see_sky,
                           tracking_ra, tracking_dec, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100201, 'g_6', 'MC_O_20251201_000201', 30, 'science', true, 60, -20,
        '2025-12-02 05:01:00+00', '2025-12-02 05:01:30+00');
INSERT INTO gen3.visit (instrument, id, physical_filter, name, exposure_time, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100201, 'g_6', 'MC_O_20251201_000201', 30, '2025-12-02 05:01:00+00', '2025-12-02 05:01:30+00');
INSERT INTO gen3.visit_definition (instrument, exposure, visit) VALUES ('LSSTCam', 2025120100201, 2025120100201);
INSERT INTO gen3.visit_detector_region (instrument, visit, detector, region)
SELECT 'LSSTCam', 2025120100201, d, obsmeta.spoly_to_sphgeom(format('{(%sd,-20d),(%sd,-20d),(%sd,-19.8d),(%sd,-19.8d)}',
        59 + d * 0.01, 59.01 + d * 0.01, 59.01 + d * 0.01, 59 + d * 0.01)::spoly)
  FROM generate_series(0, 188) d;
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band)
SELECT md5('raw201/' || d)::uuid, 'raw', 'r2', 'LSSTCam', 2025120100201, NULL, d, 'g_6', 'g' FROM generate_series(0, 188) d
UNION ALL
SELECT md5('vi201/' || d)::uuid, 'visit_image', 'v2', 'LSSTCam', NULL, 2025120100201, d, 'g_6', 'g' FROM generate_series(0, 188) d;
INSERT INTO gen3.file_datastore_record (dataset_id, component, path, file_size)
SELECT id, '__NULL_STRING__', 'bulk/' || id || '.fits', 1000000 FROM gen3.dataset WHERE run IN ('r2', 'v2');
-- in the same batch: a file changes, another goes, and an earlier visit's observation changes
UPDATE gen3.file_datastore_record SET file_size = 2048000 WHERE dataset_id = md5('raw201/3')::uuid;
DELETE FROM gen3.file_datastore_record WHERE dataset_id = md5('raw201/4')::uuid;
UPDATE gen3.exposure SET target_name = 'deferred' WHERE id = 2025120100200;
SELECT ok((SELECT count(*) = 377 FROM caom2.artifact a JOIN caom2.plane p ON p.plane_id = a.plane_id
            JOIN caom2.observation o ON o.obs_id = p.obs_id WHERE o.observation_id LIKE 'MC_O_20251201_000201%')
          AND NOT EXISTS (SELECT 1 FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000201')
          AND NOT EXISTS (SELECT 1 FROM ivoa.obscore WHERE target_name = 'deferred'),
          'while deferred, CAOM2 is written and ivoa.obscore waits for the flush');
SELECT ok((SELECT count(*) > 0 FROM obsmeta.obscore_pending WHERE txn = pg_current_xact_id()),
          'the triggers recorded the keys in obsmeta.obscore_pending');
SELECT is(obsmeta.obscore_flush(), 377::bigint + 189,
          'obscore_flush() writes the 377 new rows and rewrites the 189 of the changed exposure, each once');
SELECT ok(NOT obsmeta.obscore_deferred() AND NOT EXISTS (SELECT 1 FROM obsmeta.obscore_pending),
          'the flush ends the deferral and leaves nothing recorded');
SELECT results_eq($$SELECT count(*)::int, max(access_estsize), count(*) FILTER (WHERE lsst_detector = 4)::int
                      FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000201' AND calib_level = 1$$,
                  $$VALUES (188, 2000::bigint, 0)$$,
                  'after the flush the transaction sees its rows: the changed size, not the deleted file');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after a deferred batch');
SAVEPOINT before_defer;
SELECT ok(obsmeta.obscore_defer(), 'after a flush, obscore_defer() begins a new deferral');
UPDATE gen3.exposure SET target_name = 'rolled back' WHERE id = 2025120100200;
ROLLBACK TO SAVEPOINT before_defer;
SELECT ok(NOT obsmeta.obscore_deferred() AND NOT EXISTS (SELECT 1 FROM obsmeta.obscore_pending),
          'rolling back to a savepoint takes the deferral and its keys away with the writes');
UPDATE gen3.exposure SET target_name = 'immediate' WHERE id = 2025120100200;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE target_name = 'immediate'), 189,
          'without a deferral the statement triggers apply at once again');
SELECT is(obsmeta.obscore_flush(), 0::bigint, 'a flush with nothing recorded writes nothing');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after the savepoint scenario');

-- configuration: DataLink access ---------------------------------------------------------------
UPDATE obsmeta.obscore_config SET access_mode = 'datalink',
       datalink_url_template = 'https://example.org/datalink?ID={obs_publisher_did_encoded}',
       publisher_did_template = 'ivo://example.org/obs?{collection}/{obs_id}/{product_id}/{detector}';
SELECT results_eq(
  $$SELECT obs_publisher_did, access_url, access_format FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000200' AND calib_level = 2 AND lsst_detector = 7$$,
  $$VALUES ('ivo://example.org/obs?LSSTCam/MC_O_20251201_000200/visit_image/7'::text,
            'https://example.org/datalink?ID=ivo%3A%2F%2Fexample.org%2Fobs%3FLSSTCam%2FMC_O_20251201_000200%2Fvisit_image%2F7'::text,
            'application/x-votable+xml;content=datalink'::text)$$,
  'DataLink mode: access_url from the template with the percent-encoded publisher DID');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after the configuration change');
UPDATE obsmeta.obscore_config SET access_mode = 'direct', direct_url_template = 'https://files.example.org/{path}';
SELECT is((SELECT access_url FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000200' AND calib_level = 1 AND lsst_detector = 0),
          'https://files.example.org/bulk/' || md5('raw0')::uuid || '.fits', 'direct mode: {path} is the URI without scheme and authority');
UPDATE obsmeta.instrument_config SET facility_name = 'Rubin' WHERE instrument = 'LSSTCam';
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE facility_name = 'Rubin'), 378 + 377, 'facility_name follows the instrument configuration');

-- refresh and verify ---------------------------------------------------------------------------
SELECT is(obsmeta.refresh_obscore(), 0::bigint, 'refresh_obscore() writes nothing when the table is current');
UPDATE ivoa.obscore SET obs_id = 'tampered' WHERE obs_id = 'MC_O_20251201_000200' AND lsst_detector = 5 AND calib_level = 1;
DELETE FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000200' AND lsst_detector = 6 AND calib_level = 1;
INSERT INTO ivoa.obscore (obs_collection, obs_id, obs_publisher_did, row_id, caom_obs_id, caom_plane_id, visible_from)
VALUES ('X', 'X', 'X', gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), now());
UPDATE ivoa.obscore SET s_region = '{(1d,1d),(2d,1d),(2d,2d)}' WHERE obs_id = 'MC_O_20251201_000200' AND lsst_detector = 7 AND calib_level = 1;
SELECT set_eq($$SELECT problem, columns FROM obsmeta.verify_obscore()$$,
              $$VALUES ('differs'::text, ARRAY['obs_id']::text[]), ('differs', ARRAY['s_region']), ('missing', NULL), ('extra', NULL)$$,
              'verify_obscore() reports a changed row (with its column), a changed geometry, a missing row and an extra row');
SELECT is(obsmeta.refresh_obscore(), 4::bigint, 'refresh_obscore() rewrites exactly the four');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after refresh');

-- CAOM2 removed wholesale (a DBA's TRUNCATE): ObsCore follows
TRUNCATE caom2.observation CASCADE;
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 0, 'TRUNCATE of caom2 empties ObsCore');

SELECT * FROM finish();
ROLLBACK;
