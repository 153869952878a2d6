-- Out-of-order arrival: a child written before its parent waits in obsmeta.pending (naming what it
-- waits for) and converts in the statement that brings the parent. Finally, the whole fixture
-- written in reverse order yields exactly the CAOM2 rows of the forward order.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';

-- Every caom2 row (and dataset_plane), without the timestamps, as comparable jsonb.
CREATE FUNCTION pg_temp.caom2_state() RETURNS TABLE (t text, row_json jsonb) LANGUAGE sql AS $$
  SELECT 'observation', to_jsonb(x) - 'last_modified' - 'max_last_modified' FROM caom2.observation x
  UNION ALL SELECT 'plane', to_jsonb(x) - 'last_modified' - 'max_last_modified' FROM caom2.plane x
  UNION ALL SELECT 'artifact', to_jsonb(x) - 'last_modified' - 'max_last_modified' FROM caom2.artifact x
  UNION ALL SELECT 'part', to_jsonb(x) - 'last_modified' - 'max_last_modified' FROM caom2.part x
  UNION ALL SELECT 'chunk', to_jsonb(x) - 'last_modified' - 'max_last_modified' FROM caom2.chunk x
  UNION ALL SELECT 'member', to_jsonb(x) FROM caom2.observation_member x
  UNION ALL SELECT 'dataset_plane', to_jsonb(x) FROM obsmeta.dataset_plane x $$;

SELECT plan(33);

INSERT INTO gen3.physical_filter VALUES ('LSSTCam', 'r_57', 'r');

-- 1. datastore record before its dataset
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, timespan_begin, timespan_end)
VALUES ('LSSTCam', 1001, 'r_57', 'E1001', '2025-12-02 03:00:00+00', '2025-12-02 03:00:30+00');
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES ('d0000000-0000-4000-8000-000000001001', 'raw/1001_10.fits', 10);
SELECT results_eq($$SELECT mirror_table, mirror_key, waiting_for FROM obsmeta.pending$$,
                  $$VALUES ('gen3.file_datastore_record', 'd0000000-0000-4000-8000-000000001001/__NULL_STRING__',
                            'gen3.dataset d0000000-0000-4000-8000-000000001001')$$,
                  'record before dataset: pending, waiting for the dataset');
SELECT is((SELECT count(*)::int FROM caom2.artifact), 0, 'record before dataset: no artifact yet');
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
VALUES ('d0000000-0000-4000-8000-000000001001', 'raw', 'LSSTCam/raw/all', 'LSSTCam', 1001, 10);
SELECT is((SELECT uri FROM caom2.artifact WHERE lsst_dataset_id = 'd0000000-0000-4000-8000-000000001001'),
          'butler://embargo/raw/1001_10.fits', 'dataset arrives: the waiting record becomes its artifact');
SELECT is_empty('SELECT * FROM obsmeta.pending', 'record before dataset: nothing pending afterwards');

-- 2. dataset before its exposure
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
VALUES ('d0000000-0000-4000-8000-000000001002', 'raw', 'LSSTCam/raw/all', 'LSSTCam', 1002, 10);
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES ('d0000000-0000-4000-8000-000000001002', 'raw/1002_10.fits', 10);
SELECT results_eq($$SELECT mirror_table, mirror_key, waiting_for FROM obsmeta.pending$$,
                  $$VALUES ('gen3.dataset', 'd0000000-0000-4000-8000-000000001002', 'gen3.exposure LSSTCam/1002')$$,
                  'dataset before exposure: pending, waiting for the exposure');
SELECT is((SELECT count(*)::int FROM obsmeta.dataset_plane WHERE dataset_id = 'd0000000-0000-4000-8000-000000001002'), 0,
          'dataset before exposure: no plane mapping');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('LSSTCam', 1002, 'r_57', 'E1002');
SELECT ok(EXISTS (SELECT 1 FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 1002), 'raw')),
          'exposure arrives: the waiting dataset''s plane exists');
SELECT ok(EXISTS (SELECT 1 FROM caom2.artifact WHERE lsst_dataset_id = 'd0000000-0000-4000-8000-000000001002'),
          'exposure arrives: and its artifact');
SELECT is_empty('SELECT * FROM obsmeta.pending', 'dataset before exposure: nothing pending afterwards');

-- 3. dataset before its visit
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, visit, detector)
VALUES ('d0000000-0000-4000-8000-000000001003', 'visit_image', 'run', 'LSSTCam', 1003, 10);
SELECT results_eq($$SELECT waiting_for FROM obsmeta.pending$$, $$VALUES ('gen3.visit LSSTCam/1003')$$,
                  'visit_image before visit: pending, waiting for the visit');
INSERT INTO gen3.visit (instrument, id, physical_filter, name) VALUES ('LSSTCam', 1003, 'r_57', 'V1003');
SELECT ok(EXISTS (SELECT 1 FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 1003), 'visit_image')),
          'visit arrives: the visit_image plane exists');

-- 4. visit_definition before its exposure
INSERT INTO gen3.visit_definition VALUES ('LSSTCam', 1004, 1003);
SELECT results_eq($$SELECT mirror_table, waiting_for FROM obsmeta.pending$$,
                  $$VALUES ('gen3.visit_definition', 'gen3.exposure LSSTCam/1004')$$,
                  'visit_definition before exposure: pending, waiting for the exposure');
SELECT is_empty($$SELECT 1 FROM caom2.observation_member WHERE composite_id = obsmeta.visit_obs_id('LSSTCam', 1003)$$,
                'visit_definition before exposure: no member yet');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('LSSTCam', 1004, 'r_57', 'E1004');
SELECT results_eq($$SELECT member_uri FROM caom2.observation_member WHERE composite_id = obsmeta.visit_obs_id('LSSTCam', 1003)$$,
                  $$VALUES ('caom:LSSTCam/E1004')$$, 'exposure arrives: it becomes the visit''s member');
SELECT is_empty('SELECT * FROM obsmeta.pending', 'visit_definition before exposure: nothing pending afterwards');

-- 5. visit_detector_region before its visit; region after the datasets
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, visit, detector)
VALUES ('d0000000-0000-4000-8000-000000001005', 'visit_image', 'run', 'LSSTCam', 1005, 10);
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES ('d0000000-0000-4000-8000-000000001005', 'vi/1005_10.fits', 10);
INSERT INTO gen3.visit_detector_region VALUES
  ('LSSTCam', 1005, 10, obsmeta.spoly_to_sphgeom('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly));
SELECT set_eq($$SELECT mirror_table, waiting_for FROM obsmeta.pending$$,
              $$VALUES ('gen3.visit_detector_region', 'gen3.visit LSSTCam/1005'), ('gen3.dataset', 'gen3.visit LSSTCam/1005')$$,
              'region and dataset before their visit: both pending, waiting for the visit');
INSERT INTO gen3.visit (instrument, id, physical_filter, name) VALUES ('LSSTCam', 1005, 'r_57', 'V1005');
SELECT ok((SELECT c.footprint = '{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly
             FROM caom2.chunk c WHERE c.chunk_id = obsmeta.chunk_id(obsmeta.artifact_id('d0000000-0000-4000-8000-000000001005', '__NULL_STRING__'))),
          'visit arrives: the chunk has the region that waited');
SELECT ok((SELECT position_bounds IS NOT NULL FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 1005), 'visit_image')),
          'visit arrives: the plane has bounds');
SELECT is_empty('SELECT * FROM obsmeta.pending', 'region before visit: nothing pending afterwards');

-- region after the datasets: raw of exposure 1001 (detector 10) gets it via visit_definition + region
SELECT ok((SELECT footprint IS NULL FROM caom2.chunk WHERE chunk_id = obsmeta.chunk_id(obsmeta.artifact_id('d0000000-0000-4000-8000-000000001001', '__NULL_STRING__'))),
          'raw without a region: footprint NULL');
INSERT INTO gen3.visit (instrument, id, physical_filter, name) VALUES ('LSSTCam', 1001, 'r_57', 'E1001');
INSERT INTO gen3.visit_definition VALUES ('LSSTCam', 1001, 1001);
INSERT INTO gen3.visit_detector_region VALUES
  ('LSSTCam', 1001, 10, obsmeta.spoly_to_sphgeom('{(20d,-30d),(20.2d,-30d),(20.2d,-29.8d),(20d,-29.8d)}'::spoly));
SELECT ok((SELECT footprint = '{(20d,-30d),(20.2d,-30d),(20.2d,-29.8d),(20d,-29.8d)}'::spoly FROM caom2.chunk
            WHERE chunk_id = obsmeta.chunk_id(obsmeta.artifact_id('d0000000-0000-4000-8000-000000001001', '__NULL_STRING__'))),
          'region arrives after the raw: its footprint fills in');
SELECT ok((SELECT position_bounds IS NOT NULL AND position_area_deg2 > 0 FROM caom2.plane
            WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 1001), 'raw')),
          'region arrives after the raw: the raw plane gets bounds');

-- 6. exposure before its physical_filter
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('LSSTCam', 1006, 'g_6', 'E1006');
SELECT results_eq($$SELECT mirror_table, waiting_for FROM obsmeta.pending$$,
                  $$VALUES ('gen3.exposure', 'gen3.physical_filter LSSTCam/g_6')$$,
                  'exposure before its physical_filter: pending');
INSERT INTO gen3.physical_filter VALUES ('LSSTCam', 'g_6', 'g');
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 1006)),
          'filter arrives: the exposure converts');

-- Nothing dropped silently: every mirror row is converted or pending
SELECT is_empty('SELECT * FROM obsmeta.pending', 'nothing left pending');
SELECT ok((SELECT count(*) FROM gen3.dataset) = (SELECT count(*) FROM obsmeta.dataset_plane)
          AND (SELECT count(*) FROM gen3.file_datastore_record) = (SELECT count(*) FROM caom2.artifact),
          'every dataset has a plane and every record an artifact');

-- 7. Reverse order == forward order (whole fixture, statement and commit timing)
DELETE FROM gen3.file_datastore_record; DELETE FROM gen3.dataset; DELETE FROM gen3.visit_detector_region;
DELETE FROM gen3.visit_definition; DELETE FROM gen3.visit; DELETE FROM gen3.exposure; DELETE FROM gen3.physical_filter;
DELETE FROM caom2.deleted_observation;
-- Run the fixture forward once; carry its rows and the resulting CAOM2 state out of the
-- rolled-back savepoint in psql variables (temp tables would be rolled back too).
SAVEPOINT forward;
\ir fixtures/lsstcam_visit.psql
SELECT (SELECT jsonb_agg(s) FROM pg_temp.caom2_state() s) AS fwd_state,
       (SELECT json_agg(x) FROM gen3.file_datastore_record x) AS r_rec, (SELECT json_agg(x) FROM gen3.dataset x) AS r_ds,
       (SELECT json_agg(x) FROM gen3.visit_detector_region x) AS r_reg, (SELECT json_agg(x) FROM gen3.visit_definition x) AS r_vd,
       (SELECT json_agg(x) FROM gen3.visit x) AS r_v, (SELECT json_agg(x) FROM gen3.exposure x) AS r_e,
       (SELECT json_agg(x) FROM gen3.physical_filter x) AS r_pf \gset
ROLLBACK TO SAVEPOINT forward;
SELECT is((SELECT count(*)::int FROM caom2.observation) + (SELECT count(*)::int FROM gen3.exposure), 0,
          'clean slate before the reverse-order runs');
-- reverse order: records, datasets, regions, visit_definition, visit, exposure, filter
INSERT INTO gen3.file_datastore_record SELECT * FROM json_populate_recordset(NULL::gen3.file_datastore_record, :'r_rec');
INSERT INTO gen3.dataset SELECT * FROM json_populate_recordset(NULL::gen3.dataset, :'r_ds');
INSERT INTO gen3.visit_detector_region SELECT * FROM json_populate_recordset(NULL::gen3.visit_detector_region, :'r_reg');
INSERT INTO gen3.visit_definition SELECT * FROM json_populate_recordset(NULL::gen3.visit_definition, :'r_vd');
INSERT INTO gen3.visit SELECT * FROM json_populate_recordset(NULL::gen3.visit, :'r_v');
INSERT INTO gen3.exposure SELECT * FROM json_populate_recordset(NULL::gen3.exposure, :'r_e');
INSERT INTO gen3.physical_filter SELECT * FROM json_populate_recordset(NULL::gen3.physical_filter, :'r_pf');
SELECT set_eq('SELECT * FROM pg_temp.caom2_state()',
              format('SELECT e->>''t'' AS t, e->''row_json'' AS row_json FROM jsonb_array_elements(%L::jsonb) e', :'fwd_state'),
              'statement mode: reverse arrival gives exactly the forward-order CAOM2 rows');
ROLLBACK TO SAVEPOINT forward;
SET LOCAL obsmeta.conversion = 'commit';
INSERT INTO gen3.file_datastore_record SELECT * FROM json_populate_recordset(NULL::gen3.file_datastore_record, :'r_rec');
INSERT INTO gen3.dataset SELECT * FROM json_populate_recordset(NULL::gen3.dataset, :'r_ds');
INSERT INTO gen3.visit_detector_region SELECT * FROM json_populate_recordset(NULL::gen3.visit_detector_region, :'r_reg');
INSERT INTO gen3.visit_definition SELECT * FROM json_populate_recordset(NULL::gen3.visit_definition, :'r_vd');
INSERT INTO gen3.visit SELECT * FROM json_populate_recordset(NULL::gen3.visit, :'r_v');
INSERT INTO gen3.exposure SELECT * FROM json_populate_recordset(NULL::gen3.exposure, :'r_e');
INSERT INTO gen3.physical_filter SELECT * FROM json_populate_recordset(NULL::gen3.physical_filter, :'r_pf');
SELECT cmp_ok(obsmeta.convert(), '>', 0::bigint, 'commit mode: one obsmeta.convert() for the reversed batch');
SELECT set_eq('SELECT * FROM pg_temp.caom2_state()',
              format('SELECT e->>''t'' AS t, e->''row_json'' AS row_json FROM jsonb_array_elements(%L::jsonb) e', :'fwd_state'),
              'commit mode: reverse arrival, one conversion, gives exactly the forward-order CAOM2 rows');

SELECT is_empty('SELECT * FROM obsmeta.verify_caom2()', 'no orphaned CAOM2 rows (obsmeta.verify_caom2)');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation from CAOM2');
SELECT is_empty('SELECT o.obs_id, v.* FROM caom2.observation o CROSS JOIN LATERAL caom2.verify_checksums(o.obs_id) v',
                'every stored CAOM-2.4 checksum equals its recomputation');
SELECT * FROM finish();
ROLLBACK;
