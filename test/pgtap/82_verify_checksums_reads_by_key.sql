-- caom2.verify_checksums() (and caom2.observation_xml, which loads observations the same way) reads
-- the rows of the one observation it checks, not whole tables, whatever the statistics say. Here
-- the statistics lag: the tables were analyzed when they held one exposure, so each plane looks as
-- if it had half of all artifacts, and the planner, left to itself, hashed the whole artifact
-- table for every level it loaded (before: ~3,700 artifact rows read to check one observation of
-- 20). Counted with the transaction's own table statistics, not timed.
BEGIN;
SELECT plan(5);

\ir fixtures/add_exposures.psql

SELECT pg_temp.add_exposures(4000000000, 1, 20);
SELECT cmp_ok(obsmeta.convert(), '>', 120::bigint, 'one exposure converted');
ANALYZE caom2.observation, caom2.plane, caom2.artifact, caom2.part, caom2.chunk;
-- the archive grows to 31 exposures (1,240 artifacts, parts, chunks) after that ANALYZE
SELECT pg_temp.add_exposures(4000000100, 30, 20);
SELECT cmp_ok(obsmeta.convert(), '>', 3600::bigint, '30 more converted');
SELECT is((SELECT count(*)::int FROM caom2.artifact), 1240, '1,240 artifacts in the archive');

CREATE TEMP TABLE before_check AS
SELECT r AS rel, pg_temp.rows_read(r) AS n
  FROM unnest(ARRAY['caom2.plane', 'caom2.artifact', 'caom2.part', 'caom2.chunk']::regclass[]) r;

-- one exposure's observation: one plane of 20 artifacts, each with its part and chunk
SELECT is((SELECT count(*)::int FROM caom2.verify_checksums(obsmeta.exposure_obs_id('LSSTCam', 4000000110))), 0,
          'its checksums verify');
-- three loads read artifacts (artifacts, parts, chunks), two parts, one chunks: 20 rows each
SELECT is((SELECT array_agg(b.rel::text || ' ' || (pg_temp.rows_read(b.rel) - b.n) ORDER BY b.rel::text)
             FILTER (WHERE pg_temp.rows_read(b.rel) - b.n > 100) FROM before_check b),
          NULL, 'verifying an observation of 20 artifacts read at most 100 rows of plane, artifact, part and chunk (archive: 1,240 each)');

SELECT * FROM finish();
ROLLBACK;
