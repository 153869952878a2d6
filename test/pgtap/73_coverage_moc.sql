-- Coverage maps: obsmeta.coverage_cell and the stored unions obsmeta.coverage_bucket follow
-- ivoa.obscore statement by statement (inserts, region changes, holds, deletes, TRUNCATE, a change
-- of order), equal a recomputation each time; ivoa.coverage shows a reader exactly the released
-- cells (ended months, ended days of this month, today's released cells), staff all, and the
-- buckets show a reader nothing held or unreleased; MOC ASCII and JSON exports; bad input.
BEGIN;
SELECT plan(46);
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

-- the buckets a full recomputation from the cells gives
CREATE TEMP VIEW bucket_want AS
SELECT obs_collection, band, s.span, date_trunc(s.span, release_hour) AS starts, sum(moc)::text AS moc, sum(n_rows)::bigint AS n_rows
  FROM obsmeta.coverage_cell, unnest(ARRAY['hour', 'day', 'month']) s(span) GROUP BY 1, 2, 3, 4;
-- a bucket is the union of its rows (pieces)
CREATE TEMP VIEW bucket_have AS
SELECT obs_collection, band, span, starts, sum(moc)::text AS moc, sum(n_rows)::bigint AS n_rows FROM obsmeta.coverage_bucket GROUP BY 1, 2, 3, 4;
CREATE TEMP VIEW bucket_diff AS
(SELECT * FROM bucket_want EXCEPT SELECT * FROM bucket_have) UNION ALL (SELECT * FROM bucket_have EXCEPT SELECT * FROM bucket_want);

\ir fixtures/lsstcam_visit.psql
SELECT ok((SELECT count(*) > 0 FROM obsmeta.coverage_cell), 'a conversion fills the coverage cells');
SELECT is_empty('SELECT * FROM moc_diff', 'the cells equal a recomputation from ivoa.obscore after the load');
SELECT is_empty('SELECT * FROM bucket_diff', 'the day and month buckets equal the unions of the cells after the load');
SELECT is((SELECT moc::text FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r'),
          (SELECT sum(smoc(10, s_region))::text FROM ivoa.obscore WHERE obs_collection = 'LSSTCam' AND lsst_band = 'r'),
          'ivoa.coverage: the MOC (order 10) of the collection''s r-band footprints');

-- An UPDATE of rows that keeps their footprints, collection, band and release time (a target name)
-- recomputes no cell (pg_stat_xact_user_functions counts this transaction's PL/pgSQL calls).
SET LOCAL track_functions = 'pl';
CREATE TEMP VIEW cells_written AS
SELECT coalesce((SELECT calls FROM pg_stat_xact_user_functions
                  WHERE schemaname = 'obsmeta' AND funcname = 'coverage_cells_write'), 0) AS n;
SELECT n AS cells_before FROM cells_written \gset
UPDATE gen3.exposure SET target_name = 'lsst_wfd_0099';
SELECT is((SELECT count(*) FROM ivoa.obscore WHERE target_name = 'lsst_wfd_0099'), 2::bigint, 'the rows were updated');
SELECT is((SELECT n FROM cells_written), :cells_before::bigint, 'with their footprints unchanged no cell is recomputed');
SELECT is_empty('SELECT * FROM moc_diff', 'and the cells equal a recomputation');

UPDATE gen3.visit_detector_region SET region = obsmeta.spoly_to_sphgeom('{(10.2d,-30d),(11.5d,-30d),(11.5d,-29.8d),(10.2d,-29.8d)}'::spoly)
 WHERE detector = 11;
SELECT ok((SELECT n FROM cells_written) > :cells_before::bigint, 'a changed footprint recomputes its cells');
SELECT is_empty('SELECT * FROM moc_diff', 'a changed detector region: the cells follow');
SELECT is_empty('SELECT * FROM bucket_diff', 'a changed detector region: the buckets follow');

-- the visit image of detector 11 too: the visit's plane has the raw plane's footprints (their MOC
-- and union are computed once for both)
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band, day_obs, ingest_date) VALUES
    ('b0000000-0000-4000-8000-000000000011', 'visit_image', 'LSSTCam/runs/nightly/20251201', 'LSSTCam', NULL, 2025120100123, 11, 'r_57', 'r', 20251201, '2025-12-02 04:00:00+00');
INSERT INTO gen3.file_datastore_record (dataset_id, component, path, formatter, storage_class, checksum, file_size) VALUES
    ('b0000000-0000-4000-8000-000000000011', '__NULL_STRING__', 'LSSTCam/runs/nightly/20251201/visit_image/visit_image_LSSTCam_r_57_2025120100123_R02_S02.fits',
     'lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter', 'ExposureF', NULL, 104857601);
SELECT is((SELECT count(DISTINCT moc::text) || '/' || count(*) FROM obsmeta.coverage_cell), '1/2',
          'two planes with the same footprints: one MOC');
SELECT is_empty('SELECT * FROM moc_diff', 'shared footprints: the cells equal a recomputation');
SELECT ok('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d)}'::spoly = '{(10.0000000001d,-30d),(10.2d,-30d),(10.2d,-29.8d)}'::spoly
          AND obsmeta.spoly_bytes('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d)}') <> obsmeta.spoly_bytes('{(10.0000000001d,-30d),(10.2d,-30d),(10.2d,-29.8d)}'),
          'spoly_bytes tells apart polygons that pg_sphere''s = takes as equal');
SELECT ok((SELECT moc FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r') @> spoint(radians(11.4), radians(-29.9)),
          'the coverage now holds a point only the new region covers');

-- embargo: a hold moves the observation's cells to visible_from = infinity
SELECT obsmeta.hold(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'moc test');
SELECT is_empty('SELECT * FROM moc_diff', 'a hold: the cells follow');
SELECT is_empty('SELECT * FROM bucket_diff', 'a hold: the buckets follow (the released day and month lose the plane)');
SET LOCAL ROLE oc_moc_reader;
SELECT ok(NOT coalesce((SELECT moc FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r') @> spoint(radians(11.4), radians(-29.9)), false),
          'reader: the held exposure is not in the coverage');
SELECT is_empty($$SELECT 1 FROM obsmeta.coverage_cell WHERE visible_from > now()$$, 'reader: no unreleased cell, even read directly');
SELECT is_empty($$SELECT 1 FROM obsmeta.coverage_bucket WHERE moc @> spoint(radians(11.4), radians(-29.9))$$,
                'reader: no stored union holds the held exposure, even read directly');
SELECT is_empty($$SELECT 1 FROM obsmeta.coverage_bucket WHERE released > now()$$, 'reader: no bucket that has not ended');
RESET ROLE;
SET LOCAL ROLE oc_moc_staff;
SELECT ok((SELECT moc FROM ivoa.coverage WHERE obs_collection = 'LSSTCam' AND band = 'r') @> spoint(radians(11.4), radians(-29.9)),
          'staff: the held exposure is in the coverage');
RESET ROLE;
SELECT obsmeta.release_hold(obsmeta.exposure_obs_id('LSSTCam', 2025120100123));
SELECT is_empty('SELECT * FROM bucket_diff', 'released again: the buckets follow');
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
SELECT is_empty('SELECT * FROM bucket_diff', 'a change of order rebuilds every bucket');
DELETE FROM gen3.file_datastore_record WHERE dataset_id = 'a0000000-0000-4000-8000-000000000011';
SELECT is_empty('SELECT * FROM moc_diff', 'a deleted file: the cells follow');
SELECT is_empty('SELECT * FROM bucket_diff', 'a deleted file: the buckets follow');

-- Release times on every side of now(): cells of a collection of their own, released in an
-- earlier month, earlier this month, at the end of yesterday and of the last hour, at the start of
-- this month, of today and of this hour (UTC), a second ago, now, in an hour, and held; the
-- buckets built incrementally, then shrunk.
CREATE TEMP TABLE times AS
SELECT gen_random_uuid() AS plane, t AS visible_from, ('10/' || (100 + i))::smoc AS moc, i
  FROM unnest(ARRAY[now() - interval '40 days', now() - interval '3 days', now() - interval '1 second',
                    now() + interval '1 hour', 'infinity',
                    date_trunc('day', now(), 'UTC') - interval '1 microsecond', date_trunc('month', now(), 'UTC'),
                    date_trunc('day', now(), 'UTC'), now(), date_trunc('hour', now(), 'UTC') - interval '1 microsecond',
                    date_trunc('hour', now(), 'UTC'), now() - interval '90 minutes']) WITH ORDINALITY AS x(t, i);
INSERT INTO obsmeta.coverage_cell (caom_plane_id, obs_collection, band, visible_from, moc, n_rows)
SELECT plane, 'TimeTest', 'g', visible_from, moc, i FROM times;
SELECT obsmeta.coverage_buckets_apply('{}', ARRAY(SELECT c FROM obsmeta.coverage_cell c WHERE obs_collection = 'TimeTest'));
SELECT is_empty('SELECT * FROM bucket_diff', 'new cells on every side of now(): the buckets grow to the unions of the cells');
CREATE TEMP TABLE time_want AS
SELECT (SELECT sum(moc)::text FROM times WHERE visible_from <= now()) AS reader, (SELECT sum(moc)::text FROM times) AS staff,
       (SELECT sum(i)::bigint FROM times WHERE visible_from <= now()) AS reader_rows;
GRANT SELECT ON time_want TO PUBLIC;
SET LOCAL ROLE oc_moc_reader;
SELECT is((SELECT moc::text FROM ivoa.coverage WHERE obs_collection = 'TimeTest'), (SELECT reader FROM time_want),
          'reader: exactly the cells released by now(), whichever bucket they are in');
SELECT is((SELECT n_rows FROM ivoa.coverage WHERE obs_collection = 'TimeTest'), (SELECT reader_rows FROM time_want),
          'reader: the rows of the released cells');
RESET ROLE;
SET LOCAL ROLE oc_moc_staff;
SELECT is((SELECT moc::text FROM ivoa.coverage WHERE obs_collection = 'TimeTest'), (SELECT staff FROM time_want),
          'staff: every cell, held and unreleased ones too');
RESET ROLE;
CREATE TEMP TABLE before_cells AS SELECT c FROM obsmeta.coverage_cell c WHERE obs_collection = 'TimeTest';
UPDATE obsmeta.coverage_cell SET moc = '10/1'::smoc, visible_from = visible_from + interval '32 days'
 WHERE obs_collection = 'TimeTest' AND caom_plane_id = (SELECT plane FROM times WHERE i = 1);
DELETE FROM obsmeta.coverage_cell WHERE obs_collection = 'TimeTest' AND caom_plane_id = (SELECT plane FROM times WHERE i = 3);
UPDATE obsmeta.coverage_cell SET moc = '10/104-105'::smoc
 WHERE obs_collection = 'TimeTest' AND caom_plane_id = (SELECT plane FROM times WHERE i = 4);
SELECT obsmeta.coverage_buckets_apply(ARRAY(SELECT c FROM before_cells), ARRAY(SELECT c FROM obsmeta.coverage_cell c WHERE obs_collection = 'TimeTest'));
SELECT is_empty('SELECT * FROM bucket_diff', 'cells moved to another month, removed, grown in place: the buckets follow');

-- pieces: cells that only add give their buckets a row each, without a lock; before commit
-- (obsmeta.coverage_compact, called here directly: pgTAP never commits) an hour or day with 16 or
-- more (a month: 64) is merged into one row, its union and row count unchanged; fewer are left alone
CREATE TEMP TABLE piece_cells AS
SELECT ROW(gen_random_uuid(), 'PieceTest', 'r', '2024-03-05 01:10:00+00'::timestamptz + i * interval '1 minute',
           ('10/' || (2000 + 3 * i))::smoc, 1, '2024-03-05 01:00:00'::timestamp)::obsmeta.coverage_cell AS c, i
  FROM generate_series(1, 20) i;
INSERT INTO obsmeta.coverage_cell SELECT (c).caom_plane_id, (c).obs_collection, (c).band, (c).visible_from, (c).moc, (c).n_rows FROM piece_cells;
SELECT obsmeta.coverage_buckets_apply('{}', ARRAY[c]) FROM piece_cells ORDER BY i;
SELECT is((SELECT count(*) FROM obsmeta.coverage_bucket WHERE obs_collection = 'PieceTest' AND span = 'hour'), 20::bigint,
          'twenty cells that only add: twenty pieces of their hour');
SELECT is_empty('SELECT * FROM bucket_diff', 'pieces: each bucket (the union of its rows) equals the union of its cells');
SELECT is(obsmeta.coverage_compact(ARRAY['PieceTest', 'PieceTest', 'PieceTest'], ARRAY['r', 'r', 'r'], ARRAY['hour', 'day', 'month'],
                                   ARRAY['2024-03-05 01:00:00+00', '2024-03-05 00:00:00+00', '2024-03-01 00:00:00+00']::timestamptz[]), 2,
          'coverage_compact merges the hour and the day, not yet the month (20 pieces of 64)');
SELECT is((SELECT string_agg(span || ' ' || n, ', ' ORDER BY span) FROM (SELECT span, count(*) AS n FROM obsmeta.coverage_bucket WHERE obs_collection = 'PieceTest' GROUP BY span) x),
          'day 1, hour 1, month 20', 'one row each left, the month''s pieces kept');
SELECT is_empty('SELECT * FROM bucket_diff', 'merged: the same unions and row counts');
CREATE TEMP TABLE more_cells AS
SELECT ROW(gen_random_uuid(), 'PieceTest', 'r', '2024-03-05 01:40:00+00'::timestamptz + i * interval '1 minute',
           ('10/' || (2500 + i))::smoc, 1, '2024-03-05 01:00:00'::timestamp)::obsmeta.coverage_cell AS c, i
  FROM generate_series(1, 5) i
UNION ALL
SELECT ROW(gen_random_uuid(), 'PieceTest', 'r', '2024-03-04 07:00:00+00'::timestamptz + i * interval '1 minute',
           ('10/' || (3000 + i))::smoc, 1, '2024-03-04 07:00:00'::timestamp)::obsmeta.coverage_cell, 10 + i
  FROM generate_series(1, 2) i;
INSERT INTO obsmeta.coverage_cell SELECT (c).caom_plane_id, (c).obs_collection, (c).band, (c).visible_from, (c).moc, (c).n_rows FROM more_cells;
SELECT obsmeta.coverage_buckets_apply('{}', ARRAY[c]) FROM more_cells ORDER BY i;
-- five more pieces of that hour; two in an hour of the day before, which has ended: merged as the
-- bucket before a noted one
SELECT is(obsmeta.coverage_compact(ARRAY['PieceTest'], ARRAY['r'], ARRAY['hour'], ARRAY['2024-03-05 01:00:00+00']::timestamptz[]), 1,
          'six pieces of a noted hour: left alone; the two of the hour before it: merged');
SELECT is((SELECT count(*)::int || '/' || (SELECT count(*) FROM obsmeta.coverage_bucket WHERE obs_collection = 'PieceTest' AND span = 'hour' AND starts = '2024-03-05 01:00')
             FROM obsmeta.coverage_bucket WHERE obs_collection = 'PieceTest' AND span = 'hour' AND starts = '2024-03-04 07:00'), '1/6',
          'the hour before: one row; the noted hour: its six');
SELECT is_empty('SELECT * FROM bucket_diff', 'after the merges: the same unions and row counts');
SET LOCAL ROLE oc_moc_reader;
SELECT throws_ok($$SELECT * FROM obsmeta.coverage_bucket_lock FOR UPDATE$$, '42501', NULL,
                 'reader: cannot lock the buckets'' lock slots (it would stall their recomputation)');
SELECT throws_ok($$SELECT obsmeta.coverage_compact('{x}', '{r}', '{hour}', '{2024-03-05 01:00:00+00}')$$, '42501', NULL,
                 'reader: cannot run a merge (it takes lock slots)');
RESET ROLE;

-- bad input
SELECT throws_ok($$SELECT * FROM obsmeta.coverage_moc(NULL)$$, '22004', NULL, 'a NULL collection: 22004');
SELECT throws_ok($$UPDATE obsmeta.coverage_config SET moc_order = 29$$, '23514', NULL, 'an order above 20: check_violation');

SELECT * FROM finish();
ROLLBACK;
