-- Rows written where session_replication_role = replica (as logical replication's apply worker
-- writes them: row triggers only) are captured once, by the row-level trigger, and convert like
-- any others; such a session is not the apply worker, so bad rows still raise. The quarantine's
-- retry: a listed row that converts, or is gone, leaves the list; one that still fails stays with
-- attempts + 1 and its error. (The apply worker itself: test/replication/gen3_end_to_end.sh.)
-- Uses its own instrument 'ReplCam' and removes what it made.
SET client_min_messages = warning;
DELETE FROM obsmeta.quarantine WHERE row_key->>'instrument' IN ('ReplCam', 'NoSuchCam');
DELETE FROM gen3.file_datastore_record WHERE path LIKE 'replcam/%';
DELETE FROM gen3.dataset WHERE instrument = 'ReplCam';
DELETE FROM gen3.exposure WHERE instrument IN ('ReplCam', 'NoSuchCam');
DELETE FROM gen3.physical_filter WHERE instrument = 'ReplCam';
DELETE FROM caom2.observation WHERE collection = 'ReplCam';
DELETE FROM caom2.deleted_observation WHERE collection = 'ReplCam';
DELETE FROM obsmeta.instrument_config WHERE instrument IN ('ReplCam', 'NoSuchCam');
DELETE FROM caom2.observation WHERE collection = 'NoSuchCam';
INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name)
VALUES ('ReplCam', 'ReplCam', 'Rubin-LSST', 'Rubin:Simonyi');

SELECT plan(12);

-- 1. written as a replica: captured by the row trigger, converted at commit, checksums written
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO gen3.physical_filter VALUES ('ReplCam', 'r_57', 'r');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, observation_type, can_see_sky, timespan_begin, timespan_end)
VALUES ('ReplCam', 1, 'r_57', 'RC_1', 'science', true, '2025-12-02 03:00:00+00', '2025-12-02 03:00:30+00');
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
VALUES ('98000000-0000-4000-8000-000000000001', 'raw', 'ReplCam/raw/all', 'ReplCam', 1, 0);
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES ('98000000-0000-4000-8000-000000000001', 'replcam/raw_1.fits', 100);
COMMIT;
SELECT is((SELECT count(*)::int FROM caom2.artifact a JOIN caom2.plane p USING (plane_id) JOIN caom2.observation o USING (obs_id)
            WHERE o.collection = 'ReplCam'), 1, 'replica role: the row trigger captured the rows and they converted');
SELECT is((SELECT count(*)::int FROM caom2.observation WHERE collection = 'ReplCam' AND meta_checksum IS NOT NULL AND acc_meta_checksum IS NOT NULL),
          1, 'replica role: CAOM2''s own triggers fired for the conversion (checksums)');
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE obs_collection = 'ReplCam'), 1, 'replica role: the ObsCore row is there');

-- 2. an update and a delete as a replica
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE gen3.exposure SET target_name = 'replicated fix' WHERE instrument = 'ReplCam' AND id = 1;
COMMIT;
SELECT is((SELECT target_name FROM caom2.observation WHERE collection = 'ReplCam'), 'replicated fix', 'replica role: updates convert');

-- 3. not the apply worker: a bad row still raises
BEGIN;
SET LOCAL session_replication_role = replica;
SELECT throws_ok($$INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('NoSuchCam', 1, 'r', 'X')$$,
                 '23503', NULL, 'replica role outside the apply worker: an unknown instrument is still an error');
ROLLBACK;

-- 4. retry_quarantined: a listed row that converts leaves the list
INSERT INTO obsmeta.quarantine (relation, row_key, stage, sqlstate, message)
VALUES ('gen3.exposure', '{"instrument": "ReplCam", "id": 1}', 'convert', '22P03', 'was bad');
SELECT is(obsmeta.retry_quarantined('gen3.exposure'), 1::bigint, 'retry_quarantined: a row that converts leaves the list');
SELECT is_empty($$SELECT 1 FROM obsmeta.quarantine WHERE row_key->>'instrument' = 'ReplCam'$$, 'and is gone from it');

-- 5. one that still fails stays, with its new error and attempts + 1; its own write is rolled back
-- (a row obsmeta no longer converts: its instrument's configuration removed after it was written)
INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name)
VALUES ('NoSuchCam', 'NoSuchCam', 'Rubin-LSST', 'Rubin:Simonyi');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('NoSuchCam', 7, 'r', 'NS_7');
DELETE FROM caom2.observation WHERE collection = 'NoSuchCam';
DELETE FROM caom2.deleted_observation WHERE collection = 'NoSuchCam';
DELETE FROM obsmeta.instrument_config WHERE instrument = 'NoSuchCam';
INSERT INTO obsmeta.quarantine (relation, row_key, stage, sqlstate, message)
VALUES ('gen3.exposure', '{"instrument": "NoSuchCam", "id": 7}', 'capture', '23503', 'unknown instrument');
SELECT is(obsmeta.retry_quarantined(), 0::bigint, 'retry_quarantined: a row that still fails does not leave the list');
SELECT results_eq($$SELECT stage, sqlstate, attempts FROM obsmeta.quarantine WHERE row_key->>'instrument' = 'NoSuchCam'$$,
                  $$VALUES ('capture'::text, '23503'::text, 2)$$, 'it stays with its stage, the new error and attempts + 1');

-- 6. a listed row that is deleted leaves the list; one listed but not there leaves it at the retry
DELETE FROM gen3.exposure WHERE instrument = 'NoSuchCam';
SELECT is_empty($$SELECT 1 FROM obsmeta.quarantine WHERE row_key->>'instrument' = 'NoSuchCam'$$, 'a deleted row leaves the list');
INSERT INTO obsmeta.quarantine (relation, row_key, stage, sqlstate, message)
VALUES ('gen3.exposure', '{"instrument": "NoSuchCam", "id": 8}', 'convert', '22P03', 'was bad');
SELECT is(obsmeta.retry_quarantined(), 1::bigint, 'retry_quarantined: a row that is gone leaves the list');

-- 7. readers never see the quarantine
SELECT ok(NOT has_table_privilege('obsmeta_reader', 'obsmeta.quarantine', 'SELECT'), 'readers cannot read obsmeta.quarantine');

SELECT * FROM finish();

DELETE FROM gen3.file_datastore_record WHERE path LIKE 'replcam/%';
DELETE FROM gen3.dataset WHERE instrument = 'ReplCam';
DELETE FROM gen3.exposure WHERE instrument = 'ReplCam';
DELETE FROM gen3.physical_filter WHERE instrument = 'ReplCam';
DELETE FROM caom2.observation WHERE collection = 'ReplCam';
DELETE FROM caom2.deleted_observation WHERE collection = 'ReplCam';
DELETE FROM obsmeta.instrument_config WHERE instrument = 'ReplCam';
