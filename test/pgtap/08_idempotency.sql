-- Idempotency: re-writing the same gen3 rows (ON CONFLICT DO NOTHING, ON CONFLICT DO UPDATE with
-- the same values, UPDATE col = col) writes nothing in CAOM2. Proof that no write happened: every
-- caom2 / dataset_plane row keeps its (xmin, ctid) - the re-writes run in a SAVEPOINT, whose
-- subtransaction id would be the xmin of any row version written there - and its content.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql

CREATE FUNCTION pg_temp.versions() RETURNS TABLE (t text, k text, xmin_ text, ctid_ text, content jsonb) LANGUAGE sql AS $$
  SELECT 'observation', obs_id::text, xmin::text, ctid::text, to_jsonb(x) FROM caom2.observation x
  UNION ALL SELECT 'plane', plane_id::text, xmin::text, ctid::text, to_jsonb(x) FROM caom2.plane x
  UNION ALL SELECT 'artifact', artifact_id::text, xmin::text, ctid::text, to_jsonb(x) FROM caom2.artifact x
  UNION ALL SELECT 'part', part_id::text, xmin::text, ctid::text, to_jsonb(x) FROM caom2.part x
  UNION ALL SELECT 'chunk', chunk_id::text, xmin::text, ctid::text, to_jsonb(x) FROM caom2.chunk x
  UNION ALL SELECT 'member', composite_id || ' ' || member_uri, xmin::text, ctid::text, to_jsonb(x) FROM caom2.observation_member x
  UNION ALL SELECT 'deleted', id::text, xmin::text, ctid::text, to_jsonb(x) FROM caom2.deleted_observation x
  UNION ALL SELECT 'dataset_plane', dataset_id::text, xmin::text, ctid::text, to_jsonb(x) FROM obsmeta.dataset_plane x $$;
CREATE TEMP TABLE before_rewrite ON COMMIT DROP AS SELECT * FROM pg_temp.versions();

SELECT plan(11);
SELECT cmp_ok((SELECT count(*)::int FROM before_rewrite), '>=', 14, 'the fixture converted (2 obs, 2 planes, 3 artifacts/parts/chunks, member, mappings)');

SAVEPOINT rewrite;
-- make sure the savepoint has its own xid, so that a row written in it would show it
CREATE TEMP TABLE force_subxact_xid ON COMMIT DROP AS SELECT 1 AS x;
SELECT txid_current_if_assigned() IS NOT NULL AS has_xid \gset

-- 1. ON CONFLICT DO NOTHING: the whole fixture again
\ir fixtures/lsstcam_visit_on_conflict_do_nothing.psql
SELECT set_eq('SELECT * FROM pg_temp.versions()', 'SELECT * FROM before_rewrite',
              'ON CONFLICT DO NOTHING re-insert: no caom2 row written (xmin, ctid, content unchanged)');

-- 2. ON CONFLICT DO UPDATE SET the same values
INSERT INTO gen3.exposure SELECT * FROM gen3.exposure
  ON CONFLICT (instrument, id) DO UPDATE SET target_name = EXCLUDED.target_name, timespan_end = EXCLUDED.timespan_end,
     observation_type = EXCLUDED.observation_type, tracking_ra = EXCLUDED.tracking_ra;
INSERT INTO gen3.visit SELECT * FROM gen3.visit ON CONFLICT (instrument, id) DO UPDATE SET region = EXCLUDED.region, name = EXCLUDED.name;
INSERT INTO gen3.physical_filter SELECT * FROM gen3.physical_filter ON CONFLICT (instrument, name) DO UPDATE SET band = EXCLUDED.band;
INSERT INTO gen3.visit_definition SELECT * FROM gen3.visit_definition ON CONFLICT (instrument, exposure, visit) DO UPDATE SET visit = EXCLUDED.visit;
INSERT INTO gen3.visit_detector_region SELECT * FROM gen3.visit_detector_region
  ON CONFLICT (instrument, visit, detector) DO UPDATE SET region = EXCLUDED.region;
INSERT INTO gen3.dataset SELECT * FROM gen3.dataset ON CONFLICT (id) DO UPDATE SET run = EXCLUDED.run, exposure = EXCLUDED.exposure;
INSERT INTO gen3.file_datastore_record SELECT * FROM gen3.file_datastore_record
  ON CONFLICT (dataset_id, component) DO UPDATE SET path = EXCLUDED.path, file_size = EXCLUDED.file_size;
SELECT set_eq('SELECT * FROM pg_temp.versions()', 'SELECT * FROM before_rewrite',
              'ON CONFLICT DO UPDATE SET same values on every mirror table: no caom2 row written');

-- 3. Plain no-op UPDATEs
UPDATE gen3.exposure SET obs_id = obs_id;
UPDATE gen3.dataset SET detector = detector;
UPDATE gen3.file_datastore_record SET checksum = checksum;
SELECT set_eq('SELECT * FROM pg_temp.versions()', 'SELECT * FROM before_rewrite', 'UPDATE col = col: no caom2 row written');
SELECT is((SELECT count(*)::int FROM caom2.deleted_observation), 0, 'no tombstones from re-writes');

-- 4. commit mode: the batch of re-writes converts to nothing
SET LOCAL obsmeta.conversion = 'commit';
INSERT INTO gen3.exposure SELECT * FROM gen3.exposure ON CONFLICT (instrument, id) DO UPDATE SET target_name = EXCLUDED.target_name;
INSERT INTO gen3.dataset SELECT * FROM gen3.dataset ON CONFLICT (id) DO UPDATE SET run = EXCLUDED.run;
SELECT is(obsmeta.convert(), 0::bigint, 'commit mode: obsmeta.convert() of same-value re-writes reports 0 rows written');
SELECT set_eq('SELECT * FROM pg_temp.versions()', 'SELECT * FROM before_rewrite', 'commit mode: and indeed wrote nothing');

-- 5. control: a real change does write (so the checks above can see writes)
SET LOCAL obsmeta.conversion = 'statement';
UPDATE gen3.exposure SET target_name = 'changed';
SELECT isnt((SELECT xmin_ FROM pg_temp.versions() WHERE t = 'observation' AND k = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)::text),
            (SELECT xmin_ FROM before_rewrite WHERE t = 'observation' AND k = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)::text),
            'control: a real change gives the observation a new row version');
SELECT is((SELECT count(*)::int FROM pg_temp.versions() v JOIN before_rewrite b USING (t, k)
            WHERE (v.xmin_, v.ctid_) IS DISTINCT FROM (b.xmin_, b.ctid_)), 1,
          'control: exactly one row (that observation) was rewritten');
SELECT ok(:'has_xid'::boolean, 'the savepoint had its own transaction id (xmin check is meaningful)');

SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation from CAOM2');
SELECT * FROM finish();
ROLLBACK;
