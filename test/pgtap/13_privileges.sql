-- Basic privileges: obsmeta_writer writes gen3 and its rows convert (in both timings);
-- obsmeta_reader reads CAOM2 but cannot write gen3, caom2 or the configuration.
-- (Row-level security / embargo visibility is a later issue and not tested here.)
BEGIN;
SELECT plan(10);

SET LOCAL obsmeta.conversion = 'statement';
SET LOCAL ROLE obsmeta_writer;
\ir fixtures/lsstcam_visit.psql
RESET ROLE;
SELECT is((SELECT count(*)::int FROM caom2.observation), 2, 'writer''s rows converted at statement end (exposure + visit)');
SELECT is((SELECT count(*)::int FROM caom2.artifact), 3, 'writer''s datastore records became artifacts');

SET LOCAL obsmeta.conversion = 'commit';
SET LOCAL ROLE obsmeta_writer;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('LSSTCam', 5, 'r_57', 'E5');
SELECT obsmeta.convert() AS writer_convert \gset
RESET ROLE;
SELECT ok(:'writer_convert'::bigint > 0 AND EXISTS (SELECT 1 FROM caom2.observation WHERE observation_id = 'E5'),
          'writer may call obsmeta.convert() and its rows convert');

SELECT throws_ok($$SET LOCAL ROLE obsmeta_reader; INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('LSSTCam', 6, 'r_57', 'E6')$$,
                 '42501', NULL, 'reader cannot INSERT into gen3.exposure');
SELECT throws_ok($$SET LOCAL ROLE obsmeta_reader; UPDATE gen3.exposure SET target_name = 'x'$$,
                 '42501', NULL, 'reader cannot UPDATE gen3');
SELECT throws_ok($$SET LOCAL ROLE obsmeta_reader; DELETE FROM gen3.file_datastore_record$$,
                 '42501', NULL, 'reader cannot DELETE from gen3');
SELECT throws_ok($$SET LOCAL ROLE obsmeta_reader; DELETE FROM caom2.observation$$,
                 '42501', NULL, 'reader cannot write caom2');
SELECT throws_ok($$SET LOCAL ROLE obsmeta_reader; SELECT obsmeta.convert()$$,
                 '42501', NULL, 'reader may not call obsmeta.convert() (EXECUTE revoked from PUBLIC)');
SELECT throws_ok($$SET LOCAL ROLE obsmeta_writer; INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name)
                   VALUES ('HSC', 'HSC', 'NAOJ', 'Subaru')$$,
                 '42501', NULL, 'writer cannot change the instrument configuration (DBAs do)');
SELECT lives_ok($$SET LOCAL ROLE obsmeta_reader; SELECT count(*) FROM caom2.observation$$, 'reader can SELECT caom2');

SELECT * FROM finish();
ROLLBACK;
