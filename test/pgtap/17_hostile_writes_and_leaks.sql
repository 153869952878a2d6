-- Issue 13 item 9: unpublished releases hidden from readers; test functions and efd.refresh()
-- not executable by PUBLIC; implausible times, oversized identifiers and NULL detector regions
-- refused with clear errors; NaN EFD values are missing samples while ±Infinity is refused.
BEGIN;
SELECT plan(18);

\ir fixtures/error_with_hint.psql
GRANT EXECUTE ON FUNCTION pg_temp.error_of(text) TO PUBLIC;

\ir fixtures/lsstcam_visit.psql
SELECT obsmeta.convert();

-- unpublished releases
INSERT INTO obsmeta.release (name, kind, public_date, description)
VALUES ('dr9', 'data_release', now() + interval '1 year', 'secret plans'),
       ('dr0', 'data_release', now() - interval '1 day', 'public');
SET LOCAL ROLE obsmeta_reader;
SELECT is((SELECT array_agg(name ORDER BY name) FROM obsmeta.release), array['dr0', 'prompt'],
          'a reader sees the prompt and published releases, not one with a future public date');
RESET ROLE;
SET LOCAL ROLE obsmeta_staff;
SELECT is((SELECT count(*) FROM obsmeta.release WHERE name = 'dr9'), 1::bigint, 'staff see it');
RESET ROLE;

-- functions PUBLIC may not execute
SELECT ok(NOT has_function_privilege('obsmeta_reader', 'obsmeta.boundary_selftest(text)', 'EXECUTE'), 'readers cannot run the boundary self-test');
SELECT ok(NOT has_function_privilege('obsmeta_writer', 'obsmeta.boundary_live_objects()', 'EXECUTE'), 'nor writers');
SELECT ok(NOT has_function_privilege('obsmeta_reader', 'efd.refresh()', 'EXECUTE'), 'readers cannot run efd.refresh()');
SELECT ok(has_function_privilege('obsmeta_writer', 'efd.refresh()', 'EXECUTE'), 'writers can');

-- the conversion's per-observation locks: row locks readers can neither take nor see
SELECT ok(NOT has_function_privilege('obsmeta_reader', 'obsmeta.lock_observations(integer[])', 'EXECUTE'), 'readers cannot take the conversion''s locks');
SELECT ok(NOT has_table_privilege('obsmeta_reader', 'obsmeta.observation_lock', 'SELECT,UPDATE'), 'nor lock or read their rows');

-- implausible times
SELECT matches(pg_temp.error_of($$UPDATE gen3.exposure SET timespan_end = '294270-01-01 00:00:00+00' WHERE id = 2025120100123$$),
               '^22008: timespan_end 294270-01-01 .* is outside the years 1900 to 2199', 'a year-294270 timespan: 22008');
SELECT matches(pg_temp.error_of($$INSERT INTO efd.sample (topic, field, time, value) VALUES ('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', '200000-01-01 00:00:00+00', 1)$$),
               '^22008: EFD sample time \(channel \d+\) 200000-01-01 .* is outside the years 1900 to 2199', 'a year-200000 EFD sample: 22008');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_class WHERE relname LIKE 'chunk_2000%'), 'and no partition for it');

-- NaN is a missing sample (as NULL is); Infinity is refused (decided in doc/efd.md)
INSERT INTO efd.sample (topic, field, time, value) VALUES
  ('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', '2025-12-02 03:00:01+00', 'NaN'),
  ('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', '2025-12-02 03:00:02+00', 0.8);
SELECT is(efd.reduce(array[efd.channel_id('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm')], 'count',
                     '2025-12-02 03:00:00+00', '2025-12-02 03:00:10+00'), 1::float8, 'NaN is stored as a missing sample');
SELECT matches(pg_temp.error_of($$INSERT INTO efd.sample (topic, field, time, value) VALUES ('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', '2025-12-02 03:00:03+00', 'Infinity')$$),
               '^22003: EFD sample value must be finite or NaN, not Infinity', 'Infinity: 22003');

-- a NULL region does not replace a detector's footprint
SELECT matches(pg_temp.error_of($$INSERT INTO gen3.visit_detector_region (instrument, visit, detector, region) VALUES ('LSSTCam', 2025120100123, 10, NULL)
                                  ON CONFLICT (instrument, visit, detector) DO UPDATE SET region = EXCLUDED.region$$),
               '^23502: null value in column "region"', 'NULL region upsert: 23502');
SELECT ok((SELECT region IS NOT NULL FROM gen3.visit_detector_region WHERE visit = 2025120100123 AND detector = 10), 'the footprint is kept');
SELECT ok((SELECT footprint IS NOT NULL FROM caom2.chunk WHERE lsst_detector = 10 LIMIT 1), 'and so is the chunk''s');

-- oversized identifiers
SELECT matches(pg_temp.error_of($$UPDATE gen3.exposure SET obs_id = repeat('x', 10000000) WHERE id = 2025120100123$$),
               '^54000: obs_id is 10000000 bytes, more than the 1024 an identifier may have / Identifiers are indexed',
               'a 10 MB obs_id: 54000 with its size and a hint');
SELECT matches(pg_temp.error_of($$UPDATE gen3.visit SET name = repeat('x', 2000) WHERE id = 2025120100123$$),
               '^54000: name is 2000 bytes', 'a 2000-byte visit name: 54000');

SELECT * FROM finish();
ROLLBACK;
