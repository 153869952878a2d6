-- Errors inside SAVEPOINTs lose nothing: rows written earlier in the transaction still convert,
-- in both conversion timings, whether the failing statement is rejected by a constraint or fails
-- during the conversion itself (an exposure whose obs_id is another visit's CAOM observationID,
-- 'X_visit' for visit 'X', violates CAOM's unique (collection, observationID)).
BEGIN;
SET LOCAL obsmeta.conversion = 'commit';
\ir fixtures/lsstcam_visit.psql

CREATE FUNCTION pg_temp.exposure(id bigint, obs_id text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, observation_type, can_see_sky, timespan_begin, timespan_end)
  VALUES ('LSSTCam', id, 'r_57', obs_id, 'science', true, '2025-12-02 06:00:00+00', '2025-12-02 06:00:30+00') $$;

SELECT plan(15);

-- A. commit mode, failing CHECK inside a savepoint
SAVEPOINT a;
SELECT pg_temp.exposure(2025120100500, 'MC_O_20251201_000500');
SELECT throws_ok($$INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 2025120100123, 12, '\xdeadbeef')$$,
                 '22P03', NULL, 'A: a bad region fails inside the savepoint');
ROLLBACK TO SAVEPOINT a;
SELECT is((SELECT count(*)::int FROM caom2.observation), 0, 'A: commit mode, nothing converted yet');
SELECT cmp_ok(obsmeta.convert(), '>', 0::bigint, 'A: obsmeta.convert() after ROLLBACK TO SAVEPOINT converts');
SELECT set_eq($$SELECT observation_id FROM caom2.observation$$,
              ARRAY['MC_O_20251201_000123', 'MC_O_20251201_000123_visit'],
              'A: the exposure and visit written before the savepoint converted; the rolled-back one did not');
SELECT is((SELECT count(*)::int FROM caom2.plane), 2, 'A: both planes (raw, visit_image) converted');
SELECT is((SELECT count(*)::int FROM caom2.artifact), 3, 'A: all three artifacts converted');
SELECT is((SELECT count(*)::int FROM caom2.chunk WHERE footprint IS NOT NULL), 3, 'A: all footprints converted');

-- B. statement mode, the conversion of the failing statement itself fails
SET LOCAL obsmeta.conversion = 'statement';
SELECT pg_temp.exposure(2025120100600, 'MC_O_20251201_000600');
SAVEPOINT b;
SELECT throws_ok($$INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id)
                   VALUES ('LSSTCam', 2025120100601, 'r_57', 'DUP'), ('LSSTCam', 2025120100602, 'r_57', 'DUP')$$,
                 '23505', NULL, 'B: two exposures with one obs_id are rejected (gen3.exposure unique (instrument, obs_id))');
ROLLBACK TO SAVEPOINT b;
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100600)),
          'B: the exposure converted before the savepoint is still there');
SELECT pg_temp.exposure(2025120100603, 'MC_O_20251201_000603');
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100603)),
          'B: the next statement converts normally');
SELECT is((SELECT count(*)::int FROM caom2.observation WHERE observation_id = 'DUP'), 0, 'B: nothing of the failed statement remains');

-- C. commit mode, obsmeta.convert() fails inside a savepoint: what was written before the
--    savepoint must still convert afterwards (at the next convert() or at commit).
SET LOCAL obsmeta.conversion = 'commit';
SELECT pg_temp.exposure(2025120100700, 'MC_O_20251201_000700');
SAVEPOINT c;
SELECT pg_temp.exposure(2025120100701, 'DUP7_visit');
INSERT INTO gen3.visit (instrument, id, physical_filter, name) VALUES ('LSSTCam', 2025120100702, 'r_57', 'DUP7');
SELECT throws_ok('SELECT obsmeta.convert()', '23505', NULL,
                 'C: obsmeta.convert() fails: exposure DUP7_visit and visit DUP7 want one observationID');
ROLLBACK TO SAVEPOINT c;
SELECT lives_ok('SELECT obsmeta.convert()', 'C: obsmeta.convert() works again after ROLLBACK TO SAVEPOINT');
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100700)),
          'C: the exposure written before the savepoint converted (nothing lost with the failed batch)');
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100700))
          OR EXISTS (SELECT 1 FROM obsmeta.pending WHERE mirror_key = 'LSSTCam/2025120100700'),
          'C: an unconverted mirror row is at least visible in obsmeta.pending (never dropped silently)');

SELECT * FROM finish();
ROLLBACK;
