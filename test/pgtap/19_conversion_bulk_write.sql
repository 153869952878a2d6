-- The conversion writes new datasets' artifacts, parts and chunks without the SQL executor
-- (src/gen3_to_caom2/new_files.cpp, for a superuser; obsmeta.conversion_bulk_write). The same
-- night converted that way and through the INSERT statement and its triggers (the setting off)
-- gives the same CAOM2 rows, checksums included, and the same ivoa.obscore rows.
BEGIN;
SELECT plan(11);

-- the regions, datasets and files of detectors d0 .. d1 of the exposures' visits
CREATE FUNCTION pg_temp.add_datasets(first_id bigint, n int, d0 int, d1 int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO gen3.visit_detector_region (instrument, visit, detector, region)
  SELECT 'LSSTCam', first_id + e, d,
         obsmeta.spoly_to_sphgeom(format('{(%sd,-30d),(%sd,-30d),(%sd,-29.8d),(%sd,-29.8d)}',
                                         10 + d * 0.01, 10.01 + d * 0.01, 10.01 + d * 0.01, 10 + d * 0.01)::spoly)
    FROM generate_series(0, n - 1) e, generate_series(d0, d1) d;
  INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band, day_obs, ingest_date)
  SELECT md5(k.t || (first_id + e) || '/' || d)::uuid, k.t, 'LSSTCam/raw/all', 'LSSTCam',
         CASE WHEN k.t = 'raw' THEN first_id + e END, CASE WHEN k.t = 'visit_image' THEN first_id + e END,
         d, 'r_57', 'r', 20251201, now()
    FROM generate_series(0, n - 1) e, generate_series(d0, d1) d, (VALUES ('raw'), ('visit_image')) k(t);
  INSERT INTO gen3.file_datastore_record (dataset_id, component, path, formatter, storage_class, checksum, file_size)
  SELECT md5(k.t || (first_id + e) || '/' || d)::uuid, '__NULL_STRING__', k.t || '/' || (first_id + e) || '_' || d || '.fits',
         'F', 'Exposure', NULL, 1000
    FROM generate_series(0, n - 1) e, generate_series(d0, d1) d, (VALUES ('raw'), ('visit_image')) k(t);
$$;

CREATE FUNCTION pg_temp.add_exposures(first_id bigint, n int, detectors int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LSSTCam', 'r_57', 'r') ON CONFLICT DO NOTHING;
  INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, day_obs, seq_num,
                             target_name, science_program, tracking_ra, tracking_dec, can_see_sky, timespan_begin, timespan_end)
  SELECT 'LSSTCam', first_id + e, 'r_57', 'MC_O_' || (first_id + e), 30.0, 'science', 20251201, e, 'wfd', 'BLOCK-1',
         10.2, -29.9, true, '2025-12-02 03:00:00+00'::timestamptz + e * interval '1 min',
         '2025-12-02 03:00:30+00'::timestamptz + e * interval '1 min'
    FROM generate_series(0, n - 1) e;
  INSERT INTO gen3.visit (instrument, id, physical_filter, day_obs, name, seq_num, exposure_time, region, timespan_begin, timespan_end)
  SELECT 'LSSTCam', first_id + e, 'r_57', 20251201, 'MC_O_' || (first_id + e), e, 30.0,
         obsmeta.spoly_to_sphgeom('{(10d,-30d),(10.4d,-30d),(10.4d,-29.8d),(10d,-29.8d)}'::spoly),
         '2025-12-02 03:00:00+00'::timestamptz + e * interval '1 min', '2025-12-02 03:00:30+00'::timestamptz + e * interval '1 min'
    FROM generate_series(0, n - 1) e;
  INSERT INTO gen3.visit_definition (instrument, exposure, visit)
  SELECT 'LSSTCam', first_id + e, first_id + e FROM generate_series(0, n - 1) e;
  SELECT pg_temp.add_datasets(first_id, n, 0, detectors - 1);
$$;

CREATE FUNCTION pg_temp.remove_exposures(first_id bigint, n int) RETURNS void LANGUAGE sql AS $$
  DELETE FROM gen3.file_datastore_record r USING gen3.dataset d
   WHERE r.dataset_id = d.id AND coalesce(d.exposure, d.visit) BETWEEN first_id AND first_id + n - 1;
  DELETE FROM gen3.dataset d WHERE coalesce(d.exposure, d.visit) BETWEEN first_id AND first_id + n - 1;
  DELETE FROM gen3.visit_detector_region WHERE visit BETWEEN first_id AND first_id + n - 1;
  DELETE FROM gen3.visit_definition WHERE visit BETWEEN first_id AND first_id + n - 1;
  DELETE FROM gen3.visit WHERE id BETWEEN first_id AND first_id + n - 1;
  DELETE FROM gen3.exposure WHERE id BETWEEN first_id AND first_id + n - 1;
$$;

-- every column of the night's CAOM2 rows below the observation, and its ivoa.obscore rows
CREATE FUNCTION pg_temp.night() RETURNS TABLE (kind text, id uuid, row_text text) LANGUAGE sql AS $$
  SELECT 'artifact', a.artifact_id, a::text FROM caom2.artifact a
  UNION ALL SELECT 'part', p.part_id, p::text FROM caom2.part p
  UNION ALL SELECT 'chunk', c.chunk_id, c::text FROM caom2.chunk c
  UNION ALL SELECT 'plane', p.plane_id, p::text FROM caom2.plane p
  UNION ALL SELECT 'observation', o.obs_id, o::text FROM caom2.observation o
  UNION ALL SELECT 'obscore', NULL, t::text FROM ivoa.obscore t
$$;

SET LOCAL obsmeta.conversion_bulk_write = on;
SELECT pg_temp.add_exposures(4100000000, 3, 6);
SELECT cmp_ok(obsmeta.convert(), '>', 100::bigint, 'converted without the executor');
CREATE TEMP TABLE bulk AS SELECT * FROM pg_temp.night();
SELECT is((SELECT count(*)::int FROM bulk WHERE kind = 'chunk'), 36, '36 chunks');

-- the same night again, through the INSERT statement
SELECT pg_temp.remove_exposures(4100000000, 3);
SELECT obsmeta.convert();
SELECT is((SELECT count(*)::int FROM caom2.artifact), 0, 'removed');
SET LOCAL obsmeta.conversion_bulk_write = off;
SELECT pg_temp.add_exposures(4100000000, 3, 6);
SELECT cmp_ok(obsmeta.convert(), '>', 100::bigint, 'converted by the statement');
CREATE TEMP TABLE statement AS SELECT * FROM pg_temp.night();

SELECT set_eq('SELECT * FROM bulk', 'SELECT * FROM statement', 'the same rows, checksums and ObsCore rows');
SELECT is_empty($$SELECT o.obs_id, v.* FROM caom2.observation o, caom2.verify_checksums(o.obs_id) v$$,
                'every checksum recomputes');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore agrees with CAOM2');

-- and once more without the executor, now after the tombstones of the removal
SET LOCAL obsmeta.conversion_bulk_write = on;
SELECT pg_temp.remove_exposures(4100000000, 3);
SELECT obsmeta.convert();
SELECT pg_temp.add_exposures(4100000000, 3, 6);
SELECT obsmeta.convert();
SELECT set_eq('SELECT * FROM pg_temp.night()', 'SELECT * FROM statement', 'the same rows after a removal');
SELECT is_empty($$SELECT o.obs_id, v.* FROM caom2.observation o, caom2.verify_checksums(o.obs_id) v$$,
                'every checksum recomputes after it');

-- planes whose datasets come in two batches: new planes are inserted with the positions of the
-- first batch's footprints, then updated from all their chunks
SELECT pg_temp.remove_exposures(4100000000, 3);
SELECT obsmeta.convert();
SELECT pg_temp.add_exposures(4100000000, 3, 4);
SELECT obsmeta.convert();
SELECT pg_temp.add_datasets(4100000000, 3, 4, 5);
SELECT obsmeta.convert();
SELECT set_eq('SELECT * FROM pg_temp.night()', 'SELECT * FROM statement', 'the same rows when planes fill in two batches');
SELECT is_empty($$SELECT o.obs_id, v.* FROM caom2.observation o, caom2.verify_checksums(o.obs_id) v$$,
                'every checksum recomputes after them');

SELECT * FROM finish();
ROLLBACK;
