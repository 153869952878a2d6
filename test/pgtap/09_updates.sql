-- Updates of mirror rows propagate to CAOM2 (statement timing, so each effect is visible at once).
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql
INSERT INTO gen3.physical_filter VALUES ('LSSTCam', 'i_39', 'i');

CREATE FUNCTION pg_temp.raw_plane() RETURNS caom2.plane LANGUAGE sql AS $$
  SELECT * FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw') $$;
CREATE FUNCTION pg_temp.exposure_obs() RETURNS caom2.observation LANGUAGE sql AS $$
  SELECT * FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123) $$;
CREATE FUNCTION pg_temp.raw10() RETURNS caom2.artifact LANGUAGE sql AS $$
  SELECT * FROM caom2.artifact WHERE artifact_id = obsmeta.artifact_id('a0000000-0000-4000-8000-000000000010', '__NULL_STRING__') $$;

SELECT plan(20);

UPDATE gen3.exposure SET target_name = 'M49' WHERE id = 2025120100123;
SELECT is((pg_temp.exposure_obs()).target_name, 'M49', 'exposure target_name -> observation target_name');

UPDATE gen3.exposure SET observation_type = 'flat' WHERE id = 2025120100123;
SELECT is((pg_temp.exposure_obs()).intent || '/' || (pg_temp.exposure_obs()).type, 'calibration/flat',
          'observation_type science -> flat: intent calibration, type flat');
UPDATE gen3.exposure SET observation_type = 'science' WHERE id = 2025120100123;
SELECT is((pg_temp.exposure_obs()).intent, 'science', 'and back to science');

UPDATE gen3.exposure SET timespan_begin = '2025-12-02 06:00:00+00', timespan_end = '2025-12-02 06:00:30+00' WHERE id = 2025120100123;
SELECT is((pg_temp.raw_plane()).time_bounds_lower, 61011.25::float8, 'timespan_begin 06:00 -> raw plane time lower bound MJD 61011.25');
SELECT ok(abs((pg_temp.raw_plane()).time_bounds_upper - (61011.25 + 30.0 / 86400)) < 1e-9, 'timespan_end -> raw plane time upper bound');
SELECT is((pg_temp.exposure_obs()).meta_release, '2025-12-02 06:00:30+00'::timestamptz + interval '80 hours',
          'timespan_end -> observation meta_release');
SELECT is((pg_temp.raw_plane()).data_release, '2025-12-02 06:00:30+00'::timestamptz + interval '80 hours',
          'timespan_end -> plane data_release');

UPDATE gen3.exposure SET exposure_time = 15 WHERE id = 2025120100123;
SELECT is((pg_temp.raw_plane()).time_exposure, 15::float8, 'exposure_time -> plane time_exposure');

-- Energy from the band: the physical_filter's band is the authority (band is implied by
-- physical_filter in the Butler dimension universe; the dataset's flattened band is a copy).
UPDATE gen3.physical_filter SET band = 'i' WHERE instrument = 'LSSTCam' AND name = 'r_57';
SELECT results_eq($$SELECT (pg_temp.raw_plane()).energy_bounds_lower, (pg_temp.raw_plane()).energy_bounds_upper$$,
                  $$SELECT em_min_m, em_max_m FROM obsmeta.band_wavelength WHERE band = 'i'$$,
                  'physical_filter band r -> i: raw plane energy bounds become band i''s');
UPDATE gen3.dataset SET band = NULL;
SELECT results_eq($$SELECT (pg_temp.raw_plane()).energy_bounds_lower, (pg_temp.raw_plane()).energy_bounds_upper$$,
                  $$SELECT em_min_m, em_max_m FROM obsmeta.band_wavelength WHERE band = 'i'$$,
                  'with no band on the datasets the filter''s band i is used');
UPDATE gen3.physical_filter SET band = 'r' WHERE instrument = 'LSSTCam' AND name = 'r_57';
UPDATE gen3.dataset SET physical_filter = NULL WHERE dataset_type = 'raw';
UPDATE gen3.exposure SET physical_filter = 'i_39' WHERE id = 2025120100123;
SELECT results_eq($$SELECT (pg_temp.raw_plane()).energy_bounds_lower, (pg_temp.raw_plane()).energy_bounds_upper,
                           (pg_temp.raw_plane()).energy_bandpass_name$$,
                  $$SELECT em_min_m, em_max_m, 'i_39' FROM obsmeta.band_wavelength WHERE band = 'i'$$,
                  'exposure physical_filter r_57 -> i_39 (datasets without filter): energy and bandpass follow');

-- Datastore record -> artifact
UPDATE gen3.file_datastore_record SET path = 'moved/raw_10.fits' WHERE dataset_id = 'a0000000-0000-4000-8000-000000000010';
SELECT is((pg_temp.raw10()).uri, 'butler://embargo/moved/raw_10.fits', 'datastore path -> artifact uri');
UPDATE gen3.file_datastore_record SET file_size = 123456 WHERE dataset_id = 'a0000000-0000-4000-8000-000000000010';
SELECT is((pg_temp.raw10()).content_length, 123456::bigint, 'file_size -> content_length');
UPDATE gen3.file_datastore_record SET checksum = 'md5:0123456789abcdef0123456789abcdef' WHERE dataset_id = 'a0000000-0000-4000-8000-000000000010';
SELECT is((pg_temp.raw10()).content_checksum, 'md5:0123456789abcdef0123456789abcdef', 'checksum -> content_checksum');

-- Region -> footprint and plane bounds
UPDATE gen3.visit_detector_region SET region = obsmeta.spoly_to_sphgeom('{(50d,10d),(50.2d,10d),(50.2d,10.2d),(50d,10.2d)}'::spoly)
 WHERE visit = 2025120100123 AND detector = 10;
SELECT ok((SELECT footprint = '{(50d,10d),(50.2d,10d),(50.2d,10.2d),(50d,10.2d)}'::spoly FROM caom2.chunk
            WHERE chunk_id = obsmeta.chunk_id(obsmeta.artifact_id('b0000000-0000-4000-8000-000000000010', '__NULL_STRING__'))),
          'region update -> visit_image chunk footprint');
SELECT ok((SELECT position_bounds = '{(50d,10d),(50.2d,10d),(50.2d,10.2d),(50d,10.2d)}'::spoly FROM caom2.plane
            WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image')),
          'region update -> visit_image plane bounds (one detector: its footprint)');

-- Visit name -> DerivedObservation observationID
UPDATE gen3.visit SET name = 'MC_O_20251201_000123x' WHERE id = 2025120100123;
SELECT is((SELECT observation_id FROM caom2.observation WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)),
          'MC_O_20251201_000123x_visit', 'visit name -> observation_id');

SELECT is_empty('SELECT * FROM obsmeta.verify_caom2()', 'no orphaned CAOM2 rows (obsmeta.verify_caom2)');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation from CAOM2');
SELECT is_empty('SELECT o.obs_id, v.* FROM caom2.observation o CROSS JOIN LATERAL caom2.verify_checksums(o.obs_id) v',
                'every stored CAOM-2.4 checksum equals its recomputation');
SELECT * FROM finish();
ROLLBACK;
