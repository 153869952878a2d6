-- What ObsCore maintenance records while a transaction defers it, and the entry point for writers
-- that record their planes themselves (obsmeta.obscore_record) instead of firing the CAOM2 triggers.
BEGIN;
SELECT plan(9);
SELECT obsmeta.obscore_defer();  -- the conversion then leaves the flush to this transaction
\ir fixtures/lsstcam_visit.psql
SELECT obsmeta.convert();
CREATE TEMP VIEW recorded AS
SELECT kind, count(*) AS n FROM obsmeta.obscore_pending WHERE txn = pg_current_xact_id() GROUP BY kind;

SELECT is((SELECT n FROM recorded WHERE kind = 'p'), 2::bigint, 'the conversion''s two new planes are recorded whole');
SELECT is((SELECT n FROM recorded WHERE kind = 'a'), NULL,
          'their new artifacts, parts and chunks record no keys of their own');
SELECT is(obsmeta.obscore_flush(), 3::bigint, 'the flush writes the visit''s three rows');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation');

-- A writer that bypasses the triggers (here: disabled) and records the planes it changed.
ALTER TABLE caom2.plane DISABLE TRIGGER obscore_update;
UPDATE caom2.plane SET time_exposure = time_exposure + 1;
SELECT isnt_empty('SELECT * FROM obsmeta.verify_obscore()', 'without the trigger ivoa.obscore lags the change');
SELECT obsmeta.obscore_record(ARRAY(SELECT plane_id FROM caom2.plane));
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'obscore_record outside a deferral applies at once');
SELECT obsmeta.obscore_defer();
UPDATE caom2.plane SET time_exposure = time_exposure + 1;
SELECT obsmeta.obscore_record(ARRAY(SELECT plane_id FROM caom2.plane));
SELECT obsmeta.obscore_flush();
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'recorded while deferred, applied by the flush');
ALTER TABLE caom2.plane ENABLE ALWAYS TRIGGER obscore_update;

SELECT ok(has_function_privilege('obsmeta_writer', 'obsmeta.obscore_record(uuid[])', 'EXECUTE'),
          'writers may record planes');
SELECT ok(NOT has_function_privilege('obsmeta_reader', 'obsmeta.obscore_record(uuid[])', 'EXECUTE'),
          'readers may not');

SELECT * FROM finish();
ROLLBACK;
