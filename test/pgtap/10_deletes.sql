-- Deletes propagate: datastore record -> artifact; last dataset of a plane -> plane; exposure ->
-- observation + tombstone; visit_definition -> member; visit -> DerivedObservation + tombstone.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql

SELECT plan(24);

-- datastore record of raw detector 11 -> its artifact (part, chunk) go, the plane stays and shrinks
DELETE FROM gen3.file_datastore_record WHERE dataset_id = 'a0000000-0000-4000-8000-000000000011';
SELECT is_empty($$SELECT 1 FROM caom2.artifact WHERE lsst_dataset_id = 'a0000000-0000-4000-8000-000000000011'$$,
                'deleted datastore record: artifact gone');
SELECT is_empty($$SELECT 1 FROM caom2.part WHERE part_id = obsmeta.part_id(obsmeta.artifact_id('a0000000-0000-4000-8000-000000000011', '__NULL_STRING__'))
                  UNION ALL SELECT 1 FROM caom2.chunk WHERE chunk_id = obsmeta.chunk_id(obsmeta.artifact_id('a0000000-0000-4000-8000-000000000011', '__NULL_STRING__'))$$,
                'deleted datastore record: its part and chunk gone');
SELECT ok(EXISTS (SELECT 1 FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw')),
          'the raw plane stays (its dataset still exists)');
SELECT ok((SELECT position_bounds = '{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly
             FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw')),
          'raw plane bounds shrink to the remaining detector 10');

-- last datasets of the raw plane -> plane gone, mappings gone
DELETE FROM gen3.dataset WHERE id = 'a0000000-0000-4000-8000-000000000011';
SELECT ok(EXISTS (SELECT 1 FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw')),
          'one raw dataset left: plane stays');
DELETE FROM gen3.dataset WHERE id = 'a0000000-0000-4000-8000-000000000010';
SELECT is_empty($$SELECT 1 FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw')$$,
                'last raw dataset deleted: plane gone');
SELECT is_empty($$SELECT 1 FROM obsmeta.dataset_plane WHERE dataset_id IN ('a0000000-0000-4000-8000-000000000010', 'a0000000-0000-4000-8000-000000000011')$$,
                'and their dataset_plane rows');
SELECT is_empty($$SELECT 1 FROM caom2.artifact WHERE lsst_dataset_id = 'a0000000-0000-4000-8000-000000000010'$$,
                'and the artifact of the dataset whose record was not deleted');
SELECT results_eq($$SELECT mirror_table, waiting_for FROM obsmeta.pending$$,
                  $$VALUES ('gen3.file_datastore_record', 'gen3.dataset a0000000-0000-4000-8000-000000000010')$$,
                  'the orphaned datastore record is listed as pending, not dropped silently');
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)),
          'the exposure''s observation stays without planes');

-- visit_definition -> member
DELETE FROM gen3.visit_definition;
SELECT is_empty($$SELECT 1 FROM caom2.observation_member$$, 'deleted visit_definition: member gone');
INSERT INTO gen3.visit_definition VALUES ('LSSTCam', 2025120100123, 2025120100123);
SELECT is((SELECT count(*)::int FROM caom2.observation_member), 1, 're-inserted visit_definition: member back');

-- exposure -> observation + tombstone; member removed from the visit
CREATE TEMP TABLE deleted_exposure AS SELECT * FROM gen3.exposure WHERE id = 2025120100123;
DELETE FROM gen3.exposure WHERE id = 2025120100123;
SELECT is_empty($$SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
                'deleted exposure: observation gone');
SELECT results_eq($$SELECT id, collection, observation_id FROM caom2.deleted_observation$$,
                  $$SELECT obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'LSSTCam'::text, 'MC_O_20251201_000123'::text$$,
                  'deleted exposure: one tombstone naming it');
SELECT is_empty($$SELECT 1 FROM caom2.observation_member$$, 'deleted exposure: no longer a member of the visit');

-- an exposure that comes back is no longer deleted for harvesters; deleting it again tombstones again
SAVEPOINT back;
INSERT INTO gen3.exposure SELECT * FROM pg_temp.deleted_exposure;
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123))
          AND NOT EXISTS (SELECT 1 FROM caom2.deleted_observation WHERE id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)),
          're-inserted exposure: observation back, its tombstone gone');
DELETE FROM gen3.exposure WHERE id = 2025120100123;
SELECT ok(EXISTS (SELECT 1 FROM caom2.deleted_observation WHERE id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)),
          'deleted again: tombstone again');
ROLLBACK TO SAVEPOINT back;

-- visit -> DerivedObservation + tombstone, its visit_image plane cascades, its datasets wait
DELETE FROM gen3.visit WHERE id = 2025120100123;
SELECT is_empty($$SELECT 1 FROM caom2.observation UNION ALL SELECT 1 FROM caom2.plane UNION ALL SELECT 1 FROM caom2.artifact$$,
                'deleted visit: its observation, plane and artifacts are gone (nothing left in caom2)');
SELECT ok(EXISTS (SELECT 1 FROM caom2.deleted_observation WHERE id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)
                     AND observation_id = 'MC_O_20251201_000123_visit'),
          'deleted visit: tombstone');
SELECT is_empty($$SELECT 1 FROM obsmeta.dataset_plane$$, 'no dataset_plane rows point at deleted planes');
SELECT ok(EXISTS (SELECT 1 FROM obsmeta.pending WHERE mirror_key = 'b0000000-0000-4000-8000-000000000010'
                     AND waiting_for = 'gen3.visit LSSTCam/2025120100123'),
          'the visit_image dataset now waits for its visit');

SELECT is_empty('SELECT * FROM obsmeta.verify_caom2()', 'no orphaned CAOM2 rows (obsmeta.verify_caom2)');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation from CAOM2');
SELECT is_empty('SELECT o.obs_id, v.* FROM caom2.observation o CROSS JOIN LATERAL caom2.verify_checksums(o.obs_id) v',
                'every stored CAOM-2.4 checksum equals its recomputation');
SELECT * FROM finish();
ROLLBACK;
