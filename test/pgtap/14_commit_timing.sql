-- Conversion at COMMIT (the default timing), with real commits. Uses its own instrument
-- 'PGTAPCam' (configured here) and removes every row it made at the end. Also: timestamps
-- (last_modified / max_last_modified) across transactions, a conversion that fails at COMMIT,
-- and a committed configuration change seen by the same session.
SET obsmeta.conversion = 'commit';
SET client_min_messages = warning;

-- leftovers of an earlier, interrupted run
DELETE FROM gen3.file_datastore_record WHERE path LIKE 'pgtap/%';
DELETE FROM gen3.dataset WHERE instrument = 'PGTAPCam';
DELETE FROM gen3.exposure WHERE instrument = 'PGTAPCam';
DELETE FROM gen3.physical_filter WHERE instrument = 'PGTAPCam';
DELETE FROM caom2.observation WHERE collection = 'PGTAPCam';
DELETE FROM caom2.deleted_observation WHERE collection = 'PGTAPCam';
DELETE FROM obsmeta.instrument_config WHERE instrument = 'PGTAPCam';

INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name)
VALUES ('PGTAPCam', 'PGTAPCam', 'Rubin-LSST', 'Rubin:Simonyi');
INSERT INTO gen3.physical_filter VALUES ('PGTAPCam', 'r_57', 'r');

SELECT plan(20);

-- 1. nothing before COMMIT, everything after
BEGIN;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, observation_type, can_see_sky, timespan_begin, timespan_end)
VALUES ('PGTAPCam', 1, 'r_57', 'PG_1', 'science', true, '2025-12-02 03:00:00+00', '2025-12-02 03:00:30+00');
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
VALUES ('99000000-0000-4000-8000-000000000001', 'raw', 'PGTAPCam/raw/all', 'PGTAPCam', 1, 0);
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES ('99000000-0000-4000-8000-000000000001', 'pgtap/raw_1.fits', 100);
SELECT is_empty($$SELECT 1 FROM caom2.observation WHERE collection = 'PGTAPCam'$$, 'commit timing: nothing converted before COMMIT');
COMMIT;
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1) AND observation_id = 'PG_1'),
          'after COMMIT: the observation exists');
SELECT ok(EXISTS (SELECT 1 FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('PGTAPCam', 1), 'raw')),
          'after COMMIT: the raw plane exists');
SELECT is((SELECT uri FROM caom2.artifact WHERE lsst_dataset_id = '99000000-0000-4000-8000-000000000001'),
          'butler://embargo/pgtap/raw_1.fits', 'after COMMIT: the artifact exists');

-- 2. a child change in a later transaction: the child's last_modified and every ancestor's
--    max_last_modified advance, the observation's own last_modified does not
CREATE TEMP TABLE t0 AS
SELECT (SELECT last_modified FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)) AS obs_lm,
       (SELECT max_last_modified FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)) AS obs_mlm,
       (SELECT max_last_modified FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)) AS plane_mlm,
       (SELECT last_modified FROM caom2.artifact WHERE lsst_dataset_id = '99000000-0000-4000-8000-000000000001') AS art_lm;
SELECT pg_sleep(0.01);
UPDATE gen3.file_datastore_record SET file_size = 200 WHERE dataset_id = '99000000-0000-4000-8000-000000000001';
SELECT is((SELECT content_length FROM caom2.artifact WHERE lsst_dataset_id = '99000000-0000-4000-8000-000000000001'), 200::bigint,
          'autocommit UPDATE converted at its commit');
SELECT cmp_ok((SELECT last_modified FROM caom2.artifact WHERE lsst_dataset_id = '99000000-0000-4000-8000-000000000001'),
              '>', (SELECT art_lm FROM t0), 'artifact last_modified advanced');
SELECT cmp_ok((SELECT max_last_modified FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)),
              '>', (SELECT plane_mlm FROM t0), 'plane max_last_modified advanced');
SELECT cmp_ok((SELECT max_last_modified FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)),
              '>', (SELECT obs_mlm FROM t0), 'observation max_last_modified advanced (harvesters see the change)');
SELECT is((SELECT last_modified FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)),
          (SELECT obs_lm FROM t0), 'observation last_modified unchanged (its own attributes did not change)');

-- 3. same-value re-writes in a later transaction change no timestamp
DROP TABLE t0;
CREATE TEMP TABLE t1 AS
SELECT 'o' AS t, obs_id AS id, last_modified, max_last_modified FROM caom2.observation WHERE collection = 'PGTAPCam'
UNION ALL SELECT 'p', plane_id, last_modified, max_last_modified FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)
UNION ALL SELECT 'a', artifact_id, last_modified, max_last_modified FROM caom2.artifact WHERE lsst_dataset_id = '99000000-0000-4000-8000-000000000001';
SELECT pg_sleep(0.01);
BEGIN;
INSERT INTO gen3.exposure SELECT * FROM gen3.exposure WHERE instrument = 'PGTAPCam'
  ON CONFLICT (instrument, id) DO UPDATE SET target_name = EXCLUDED.target_name, timespan_end = EXCLUDED.timespan_end;
INSERT INTO gen3.dataset SELECT * FROM gen3.dataset WHERE instrument = 'PGTAPCam' ON CONFLICT (id) DO UPDATE SET run = EXCLUDED.run;
INSERT INTO gen3.file_datastore_record SELECT * FROM gen3.file_datastore_record WHERE path LIKE 'pgtap/%'
  ON CONFLICT (dataset_id, component) DO UPDATE SET file_size = EXCLUDED.file_size;
COMMIT;
SELECT set_eq($$SELECT * FROM t1$$,
              $$SELECT 'o', obs_id, last_modified, max_last_modified FROM caom2.observation WHERE collection = 'PGTAPCam'
                UNION ALL SELECT 'p', plane_id, last_modified, max_last_modified FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 1)
                UNION ALL SELECT 'a', artifact_id, last_modified, max_last_modified FROM caom2.artifact WHERE lsst_dataset_id = '99000000-0000-4000-8000-000000000001'$$,
              'same-value re-writes committed later: no last_modified / max_last_modified moved');
DROP TABLE t1;

-- 4. a conversion that fails at COMMIT aborts that transaction only; the session goes on
BEGIN;
-- exposure PG_DUP_visit and visit PG_DUP both want CAOM observationID PG_DUP_visit
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('PGTAPCam', 2, 'r_57', 'PG_DUP_visit');
INSERT INTO gen3.visit (instrument, id, physical_filter, name) VALUES ('PGTAPCam', 3, 'r_57', 'PG_DUP');
\echo '# expected: the next COMMIT fails (duplicate observationID PG_DUP_visit)'
\set ON_ERROR_STOP 0
\set VERBOSITY terse
COMMIT;
\set VERBOSITY default
\set ON_ERROR_STOP 1
SELECT is_empty($$SELECT 1 FROM gen3.exposure WHERE instrument = 'PGTAPCam' AND id = 2
                   UNION ALL SELECT 1 FROM gen3.visit WHERE instrument = 'PGTAPCam' AND id = 3$$,
                'failed COMMIT: the writer''s gen3 rows were rolled back');
SELECT is_empty($$SELECT 1 FROM caom2.observation WHERE observation_id = 'PG_DUP_visit'$$, 'failed COMMIT: nothing in caom2');
BEGIN;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('PGTAPCam', 4, 'r_57', 'PG_4');
COMMIT;
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 4)),
          'the next transaction converts normally at COMMIT');
SELECT is((SELECT count(*)::int FROM caom2.observation WHERE collection = 'PGTAPCam'), 2, 'exactly PG_1 and PG_4 exist');

-- 5. a committed configuration change is seen by this session's next conversion
UPDATE obsmeta.instrument_config SET telescope_name = 'Rubin:Simonyi-renamed' WHERE instrument = 'PGTAPCam';
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('PGTAPCam', 5, 'r_57', 'PG_5');
SELECT is((SELECT telescope_name FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 5)),
          'Rubin:Simonyi-renamed', 'committed config change used by the next conversion in this session');

-- 6. statement timing in a real transaction: visible before COMMIT
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('PGTAPCam', 6, 'r_57', 'PG_6');
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('PGTAPCam', 6)),
          'statement timing: converted before COMMIT');
COMMIT;

-- 6b. the conversion plans with its own settings (no seq scans, no parallel workers, no JIT,
--     a fixed search_path) and gives the writer's back: visible within the same transaction
BEGIN;
SET LOCAL enable_seqscan = on;
SET LOCAL max_parallel_workers_per_gather = 3;
SET LOCAL jit = on;
SET LOCAL search_path = public, gen3;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('PGTAPCam', 7, 'r_57', 'PG_7');
SELECT obsmeta.convert();
SELECT is(concat_ws(' | ', current_setting('enable_seqscan'), current_setting('max_parallel_workers_per_gather'),
                    current_setting('jit'), current_setting('search_path')),
          'on | 3 | on | public, gen3', 'the conversion''s planner settings end with it');
COMMIT;

-- 7. delete at commit: observation gone, tombstone
DELETE FROM gen3.file_datastore_record WHERE path LIKE 'pgtap/%';
DELETE FROM gen3.dataset WHERE instrument = 'PGTAPCam';
DELETE FROM gen3.exposure WHERE instrument = 'PGTAPCam';
SELECT is_empty($$SELECT 1 FROM caom2.observation WHERE collection = 'PGTAPCam'$$, 'deleted exposures: observations gone after COMMIT');
SELECT set_eq($$SELECT observation_id FROM caom2.deleted_observation WHERE collection = 'PGTAPCam'$$,
              ARRAY['PG_1', 'PG_4', 'PG_5', 'PG_6', 'PG_7'], 'one tombstone per deleted observation');

-- clean up everything this file made
DELETE FROM gen3.physical_filter WHERE instrument = 'PGTAPCam';
DELETE FROM caom2.deleted_observation WHERE collection = 'PGTAPCam';
DELETE FROM obsmeta.instrument_config WHERE instrument = 'PGTAPCam';
SELECT is((SELECT count(*)::int FROM gen3.exposure WHERE instrument = 'PGTAPCam')
          + (SELECT count(*)::int FROM caom2.observation WHERE collection = 'PGTAPCam')
          + (SELECT count(*)::int FROM obsmeta.dataset_plane dp JOIN gen3.dataset d ON d.id = dp.dataset_id WHERE d.instrument = 'PGTAPCam'), 0,
          'cleaned up');

SELECT * FROM finish();
