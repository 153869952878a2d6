-- Adding an ObsCore column in one place: a row of obsmeta.obscore_column (its type, its value as an
-- expression, its TAP_SCHEMA metadata) and obsmeta.obscore_rebuild() (what every install and
-- update calls) give the table column, its value in obsmeta.obscore_source, in the stored rows and
-- in the rows the conversion writes afterwards, in the strict embargo mode's copy and in TAP_SCHEMA;
-- verify_obscore() and refresh_obscore() compare it. All rolled back.
BEGIN;
SELECT plan(22);
SET LOCAL obsmeta.conversion = 'statement';

\ir fixtures/lsstcam_visit.psql
\ir fixtures/add_exposures.psql

\ir fixtures/obscore_column_day_obs.psql

SELECT is(obsmeta.obscore_rebuild(), 1, 'obscore_rebuild() adds the one declared column ivoa.obscore lacks');
SELECT is((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
            WHERE a.attrelid = 'ivoa.obscore'::regclass AND a.attnum > 0 AND NOT a.attisdropped),
          (SELECT array_agg(column_name ORDER BY ordinal_position) FROM obsmeta.obscore_column),
          'ivoa.obscore has the declared columns in the declared order, the new one last');
SELECT col_type_is('ivoa', 'obscore', 'lsst_day_obs', 'integer', 'with its declared type');
SELECT col_type_is('obsmeta', 'obscore_source', 'lsst_day_obs', 'integer', 'obsmeta.obscore_source computes it');
SELECT col_type_is('released', 'obscore', 'lsst_day_obs', 'integer', 'the strict embargo mode''s copy has it too');
SELECT results_eq($$SELECT count(*)::int, count(lsst_day_obs)::int, min(lsst_day_obs), max(lsst_day_obs) FROM ivoa.obscore$$,
                  $$VALUES (3, 3, 20251201, 20251201)$$,
                  'the rows stored before are filled: the day_obs of each row''s dataset');

-- rows the conversion writes from now on (obsmeta.obscore_apply, regenerated)
SET LOCAL obsmeta.conversion = 'commit';  -- converted by obsmeta.convert() below, with their own day_obs
SELECT pg_temp.add_exposures(2025120300000, 3, 2);
UPDATE gen3.dataset SET day_obs = 20251203 WHERE exposure >= 2025120300000 OR visit >= 2025120300000;
SELECT obsmeta.convert();
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE lsst_day_obs = 20251203), 12,
          'a conversion after the rebuild writes the new column (3 exposures x 2 detectors, raw and visit_image)');
SELECT is_empty($$SELECT t.row_id, t.lsst_day_obs, ds.day_obs FROM ivoa.obscore t
                    JOIN caom2.artifact a ON a.artifact_id = t.caom_artifact_id
                    JOIN gen3.dataset ds ON ds.id = a.lsst_dataset_id
                   WHERE t.lsst_day_obs IS DISTINCT FROM ds.day_obs$$,
                'every row holds its dataset''s day_obs');
SELECT is_empty($$SELECT * FROM obsmeta.verify_obscore()$$, 'verify_obscore() finds nothing');
UPDATE ivoa.obscore SET lsst_day_obs = 1 WHERE lsst_detector = 10 AND lsst_exposure = 2025120100123;
SELECT results_eq($$SELECT problem, columns FROM obsmeta.verify_obscore()$$,
                  $$VALUES ('differs'::text, ARRAY['lsst_day_obs'])$$,
                  'verify_obscore() compares the new column');
SELECT is(obsmeta.refresh_obscore(), 1::bigint, 'refresh_obscore() rewrites the one row that differs in it');
SELECT is_empty($$SELECT * FROM obsmeta.verify_obscore()$$, 'and then nothing differs');
SELECT is(obsmeta.refresh_obscore(), 0::bigint, 'an up-to-date table is left untouched');

-- the maintenance functions' column lists follow the declaration
SELECT ok((SELECT prosrc ~ 'INSERT INTO ivoa.obscore AS t \([^)]*\mlsst_day_obs\M' AND prosrc ~ 'WHERE ROW\([^)]*\mt\.lsst_day_obs\M'
             FROM pg_proc WHERE oid = 'obsmeta.obscore_apply(uuid[], uuid[], uuid[])'::regprocedure),
          'obscore_apply inserts and compares it');
SELECT cmp_ok(obsmeta.register_tap_schema('oc_tap_rebuild_test'), '>=', 1, 'register_tap_schema() runs');
SELECT ok((SELECT (datatype, ucd, principal) = ('int', 'time.epoch;obs', 0) FROM oc_tap_rebuild_test.columns
                WHERE table_name = 'ivoa.obscore' AND column_name = 'lsst_day_obs'),
          'register_tap_schema() publishes it with its declared metadata');
SELECT is(obsmeta.obscore_rebuild(), 0, 'a second rebuild adds nothing');

-- a column declared before columns the table has: a fresh install would place it elsewhere
INSERT INTO obsmeta.obscore_column (ordinal_position, column_name, definition, value_expression, written, compared)
VALUES (0, 'misplaced', 'text', 'x.lsst_band', true, true);
SELECT throws_ok($$SELECT obsmeta.obscore_rebuild()$$, '42P16',
                 'ObsCore column "misplaced" is declared at ordinal_position 0, before column "lsst_day_obs" (51) that ivoa.obscore has',
                 'a column declared anywhere but at the end is refused, naming where it must go');
DELETE FROM obsmeta.obscore_column WHERE column_name = 'misplaced';

-- a value of another type than its column's
INSERT INTO obsmeta.obscore_column (ordinal_position, column_name, definition, value_expression, written, compared)
SELECT max(ordinal_position) + 1, 'mistyped', 'integer', 'x.lsst_band', true, true FROM obsmeta.obscore_column;
SELECT throws_ok($$SELECT obsmeta.obscore_rebuild()$$, '42804',
                 'ObsCore column "mistyped": its value_expression gives text, the column is integer',
                 'a value_expression of another type than the column is refused');
DELETE FROM obsmeta.obscore_column WHERE column_name = 'mistyped';
-- a column of the view that changes type: CREATE OR REPLACE VIEW cannot, a one-time part must drop it
UPDATE obsmeta.obscore_column SET value_expression = 'x.calib_level::bigint' WHERE column_name = 'calib_level';
SELECT throws_ok($$SELECT obsmeta.obscore_rebuild()$$, '42P16', NULL,
                 'a view column whose type changes is refused (the hint: drop the view in a one-time part)');

-- refresh_obscore() repairs what verify_obscore() reports, s_center included (it compared all but s_center)
UPDATE ivoa.obscore SET s_center = spoint(0, 0) WHERE lsst_detector = 11 AND lsst_exposure = 2025120100123;
SELECT is(obsmeta.refresh_obscore(), 1::bigint, 'refresh_obscore() rewrites a row whose s_center differs');
SELECT is_empty($$SELECT * FROM obsmeta.verify_obscore()$$, 'after which verify_obscore() finds nothing');

SELECT * FROM finish();
ROLLBACK;
