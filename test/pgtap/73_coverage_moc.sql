-- Coverage maps: obsmeta.coverage_cell follows ivoa.obscore statement by statement (inserts,
-- region changes, holds, deletes, TRUNCATE, a change of order), equals a recomputation each time;
-- ivoa.coverage shows a reader only released cells, staff all; MOC ASCII and JSON exports; bad input.
BEGIN;
SELECT plan(16);
SET LOCAL obsmeta.conversion = 'statement';
CREATE ROLE oc_moc_reader LOGIN IN ROLE obsmeta_reader;
CREATE ROLE oc_moc_staff LOGIN IN ROLE obsmeta_staff;

-- the cells a full recomputation gives, as text (smoc has no equality for EXCEPT)
CREATE TEMP VIEW moc_want AS
SELECT caom_plane_id, obs_collection, coalesce(lsst_band, '') AS band, visible_from, sum(smoc(o.moc_order, s_region))::text AS moc, count(*) AS n_rows
  FROM ivoa.obscore, (SELECT moc_order FROM obsmeta.coverage_config) o
 WHERE s_region IS NOT NULL GROUP BY 1, 2, 3, 4;
CREATE TEMP VIEW moc_have AS SELECT caom_plane_id, obs_collection, band, visible_from, moc::text AS moc, n_rows FROM obsmeta.coverage_cell;
CREATE TEMP VIEW moc_diff AS
(SELECT * FROM moc_want EXCEPT SELECT * FROM moc_have) UNION ALL (SELECT * FROM moc_have EXCEPT SELECT * FROM moc_want);

\ir fixtures/lsstcam_visit.psql
SELECT ok((SELECT count(*) > 0 FROM obsmeta.coverage_cell), 'a conversion fills the coverage cells');
SELECT is_empty('SELECT * FROM moc_diff', 'the cells equal a recomputation from ivoa.obscore after the load');
SELECT is((SELECT moc::text FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r'),
          (SELECT sum(smoc(10, s_region))::text FROM ivoa.obscore WHERE obs_collection = 'LSSTCam' AND lsst_band = 'r'),
          'ivoa.coverage: the MOC (order 10) of the collection''s r-band footprints');

UPDATE gen3.visit_detector_region SET region = obsmeta.spoly_to_sphgeom('{(10.2d,-30d),(11.5d,-30d),(11.5d,-29.8d),(10.2d,-29.8d)}'::spoly)
 WHERE detector = 11;
SELECT is_empty('SELECT * FROM moc_diff', 'a changed detector region: the cells follow');
SELECT ok((SELECT moc FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r') @> spoint(radians(11.4), radians(-29.9)),
          'the coverage now holds a point only the new region covers');

-- embargo: a hold moves the observation's cells to visible_from = infinity
SELECT obsmeta.hold(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'moc test');
SELECT is_empty('SELECT * FROM moc_diff', 'a hold: the cells follow');
SET LOCAL ROLE oc_moc_reader;
SELECT ok(NOT coalesce((SELECT moc FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r') @> spoint(radians(11.4), radians(-29.9)), false),
          'reader: the held exposure is not in the coverage');
SELECT is_empty($$SELECT 1 FROM obsmeta.coverage_cell WHERE visible_from > now()$$, 'reader: no unreleased cell, even read directly');
RESET ROLE;
SET LOCAL ROLE oc_moc_staff;
SELECT ok((SELECT moc FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r') @> spoint(radians(11.4), radians(-29.9)),
          'staff: the held exposure is in the coverage');
RESET ROLE;
SELECT obsmeta.release_hold(obsmeta.exposure_obs_id('LSSTCam', 2025120100123));
SET LOCAL ROLE oc_moc_reader;
SELECT ok((SELECT moc FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r') @> spoint(radians(11.4), radians(-29.9)),
          'reader: released again, it is back');
RESET ROLE;

-- exports
SELECT ok((SELECT moc_ascii ~ '^[0-9]+/[0-9]' AND (SELECT sum(jsonb_array_length(v)) FROM jsonb_each(moc_json) e(k, v)) > 0
             AND moc_json ? '10' FROM obsmeta.coverage_moc('LSSTCam')),
          'coverage_moc(): MOC ASCII and MOC JSON of the collection');
SELECT is((SELECT smoc(moc_ascii)::text FROM obsmeta.coverage_moc('LSSTCam', 'r')),
          (SELECT moc::text FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r'),
          'the ASCII form reads back as the same MOC');

-- a change of order rebuilds; deletes follow; TRUNCATE empties
UPDATE obsmeta.coverage_config SET moc_order = 6;
SELECT is_empty('SELECT * FROM moc_diff', 'a change of order rebuilds every cell at the new order');
DELETE FROM gen3.file_datastore_record WHERE dataset_id = 'a0000000-0000-4000-8000-000000000011';
SELECT is_empty('SELECT * FROM moc_diff', 'a deleted file: the cells follow');

-- bad input
SELECT throws_ok($$SELECT * FROM obsmeta.coverage_moc(NULL)$$, '22004', NULL, 'a NULL collection: 22004');
SELECT throws_ok($$UPDATE obsmeta.coverage_config SET moc_order = 29$$, '23514', NULL, 'an order above 20: check_violation');

SELECT * FROM finish();
ROLLBACK;
