-- ObsCore maintenance does only the work a change needs, with the same result: an UPDATE of CAOM2
-- that changes nothing ObsCore shows writes nothing to ivoa.obscore (not even a DELETE of nothing,
-- which fires ivoa.obscore's statement triggers: the coverage cells); one that does rewrites the
-- rows; a plane's coverage MOC, taken as a union of unions, equals the union of its rows' MOCs.
BEGIN;
SELECT plan(8);
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql
-- pg_stat_xact_user_functions counts this transaction's calls of PL/pgSQL functions
SET LOCAL track_functions = 'pl';
CREATE TEMP VIEW obscore_statements AS  -- statements that wrote ivoa.obscore (its coverage trigger ran)
SELECT coalesce((SELECT calls FROM pg_stat_xact_user_functions
                  WHERE schemaname = 'obsmeta' AND funcname = 'coverage_on_obscore'), 0) AS n;

SELECT n AS before FROM obscore_statements \gset
UPDATE caom2.plane SET max_last_modified = max_last_modified + interval '1 second';
SELECT is((SELECT n FROM obscore_statements), :before::bigint,
          'an UPDATE of planes that ObsCore does not show runs no statement on ivoa.obscore');
UPDATE caom2.observation SET max_last_modified = max_last_modified + interval '1 second';
SELECT is((SELECT n FROM obscore_statements), :before::bigint,
          'an UPDATE of observations that ObsCore does not show runs no statement on ivoa.obscore');

UPDATE caom2.plane SET time_exposure = time_exposure + 1;
SELECT ok((SELECT n FROM obscore_statements) > :before::bigint, 'an UPDATE of a column ObsCore shows rewrites rows');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation after the updates');

SELECT is((SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.oid = 'obsmeta.obscore_deferred()'::regprocedure)::text, 'plpgsql',
          'obsmeta.obscore_deferred() plans its query once per session (PL/pgSQL, not a SQL function)');

-- A plane of 41 detector rows (more than the 16 groups the union is taken in): its cell equals
-- pg_sphere's one-step union of the rows' MOCs.
CREATE TEMP TABLE more_rows AS SELECT * FROM ivoa.obscore WHERE lsst_detector = 10 AND lsst_exposure IS NOT NULL;
ALTER TABLE more_rows DROP COLUMN s_region_spoly;  -- generated in ivoa.obscore
INSERT INTO ivoa.obscore
SELECT (jsonb_populate_record(m, jsonb_build_object(
            'row_id', gen_random_uuid(),
            's_region', format('{(%sd,-30d),(%sd,-30d),(%sd,-29.8d),(%sd,-29.8d)}', 20 + i * 0.15, 20.2 + i * 0.15,
                               20.2 + i * 0.15, 20 + i * 0.15)))).*
  FROM more_rows m, generate_series(1, 39) AS i;
SELECT is((SELECT n_rows FROM obsmeta.coverage_cell c JOIN more_rows m ON m.caom_plane_id = c.caom_plane_id),
          (SELECT count(*) FROM ivoa.obscore o JOIN more_rows m ON m.caom_plane_id = o.caom_plane_id AND o.s_region IS NOT NULL),
          'the plane''s cell counts its 41 rows');
SELECT is((SELECT c.moc::text FROM obsmeta.coverage_cell c JOIN more_rows m ON m.caom_plane_id = c.caom_plane_id),
          (SELECT sum(smoc(10, o.s_region))::text FROM ivoa.obscore o JOIN more_rows m ON m.caom_plane_id = o.caom_plane_id),
          'its MOC equals the one-step union of its rows'' MOCs');
SELECT is((SELECT c.moc = s.m FROM obsmeta.coverage_cell c JOIN more_rows m ON m.caom_plane_id = c.caom_plane_id,
                  (SELECT sum(smoc(10, o.s_region)) AS m FROM ivoa.obscore o JOIN more_rows m ON m.caom_plane_id = o.caom_plane_id) s),
          true, 'and is equal as a smoc');

SELECT * FROM finish();
ROLLBACK;
