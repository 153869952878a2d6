-- Configuration: a new instrument (HSC) converts right after its obsmeta.instrument_config row is
-- inserted, in the same session and transaction (the per-backend configuration cache is
-- invalidated); removing it, or rolling its insertion back, makes HSC unknown again.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';

CREATE FUNCTION pg_temp.hsc_exposure(id bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, observation_type, can_see_sky, timespan_begin, timespan_end)
  VALUES ('HSC', id, 'HSC-R2', 'HSCA' || lpad(id::text, 8, '0'), 'science', true, '2016-03-07 10:00:00+00', '2016-03-07 10:05:00+00') $$;

SELECT plan(16);
INSERT INTO gen3.physical_filter VALUES ('HSC', 'HSC-R2', 'r');

-- warm the cache with the default configuration, then check HSC is unknown
SELECT throws_ok('SELECT pg_temp.hsc_exposure(903334)', '23503', 'unknown instrument "HSC" in gen3.exposure',
                 'HSC is unknown before it is configured');

-- a rolled-back configuration row must not leave HSC known
SAVEPOINT cfg;
INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name, geo_location_x, geo_location_y, geo_location_z)
VALUES ('HSC', 'HSC', 'NAOJ', 'Subaru', -5464301.77, -2493489.88, 2151085.16);
SELECT lives_ok('SELECT pg_temp.hsc_exposure(903334)', 'configured (uncommitted, same transaction): accepted at once');
ROLLBACK TO SAVEPOINT cfg;
SELECT throws_ok('SELECT pg_temp.hsc_exposure(903336)', '23503', 'unknown instrument "HSC" in gen3.exposure',
                 'configuration rolled back to the savepoint: HSC is unknown again');

-- configure for real (in this transaction) and convert
INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name, geo_location_x, geo_location_y, geo_location_z,
                                       embargo_period, artifact_uri_template)
VALUES ('HSC', 'HSC', 'NAOJ', 'Subaru', -5464301.77, -2493489.88, 2151085.16, interval '0', 's3://hsc/{run}/{path}');
SELECT lives_ok('SELECT pg_temp.hsc_exposure(903334)', 'HSC exposure accepted right after the config INSERT');
SELECT results_eq($$SELECT collection, observation_id, telescope_name, meta_release FROM caom2.observation
                     WHERE obs_id = obsmeta.exposure_obs_id('HSC', 903334)$$,
                  $$VALUES ('HSC'::text, 'HSCA00903334'::text, 'Subaru'::text, '2016-03-07 10:05:00+00'::timestamptz)$$,
                  'HSC exposure converted with HSC''s collection, telescope and (zero) embargo');
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
VALUES ('70000000-0000-4000-8000-000000903334', 'raw', 'HSC/raw/all', 'HSC', 903334, 50);
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES ('70000000-0000-4000-8000-000000903334', 'HSC/raw/903334/50.fits', 1);
SELECT is((SELECT uri FROM caom2.artifact WHERE lsst_dataset_id = '70000000-0000-4000-8000-000000903334'),
          's3://hsc/HSC/raw/all/HSC/raw/903334/50.fits', 'HSC artifact uri from HSC''s template ({run}/{path})');

-- a new dataset type configured in the same transaction is accepted at once
SELECT throws_ok($$INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
                   VALUES ('70000000-0000-4000-8000-000000000002', 'raw_hsc_special', 'r', 'HSC', 903334, 51)$$,
                 '23503', 'unknown dataset type "raw_hsc_special" in gen3.dataset', 'unknown dataset type before config');
INSERT INTO obsmeta.dataset_type_config (dataset_type, product_id, calibration_level, observation_level)
VALUES ('raw_hsc_special', 'raw_special', 1, 'exposure');
SELECT lives_ok($$INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
                  VALUES ('70000000-0000-4000-8000-000000000002', 'raw_hsc_special', 'r', 'HSC', 903334, 51)$$,
                'dataset type accepted right after its config INSERT');
SELECT ok(EXISTS (SELECT 1 FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('HSC', 903334), 'raw_special')),
          'and converted with the configured product id');

-- removing the configuration makes HSC unknown again
DELETE FROM caom2.observation WHERE collection = 'HSC';
DELETE FROM gen3.file_datastore_record WHERE dataset_id::text LIKE '70000000%';
DELETE FROM gen3.dataset WHERE instrument = 'HSC';
DELETE FROM gen3.exposure WHERE instrument = 'HSC';
DELETE FROM obsmeta.instrument_config WHERE instrument = 'HSC';
SELECT throws_ok('SELECT pg_temp.hsc_exposure(903338)', '23503', 'unknown instrument "HSC" in gen3.exposure',
                 'config row deleted: HSC unknown again in the same session');

-- cache invalidation reaches other sessions: checked through the config in another backend is
-- out of reach of a single-session pgTAP file; the commit-timing file (14) covers committed config.
SELECT is((SELECT count(*)::int FROM obsmeta.instrument_config WHERE instrument IN ('LSSTCam', 'LSSTComCam', 'LATISS')), 3,
          'default Rubin instruments are configured');
SELECT is((SELECT count(*)::int FROM obsmeta.band_wavelength WHERE band IN ('u', 'g', 'r', 'i', 'z', 'y')
             AND em_min_m > 300e-9 AND em_max_m < 1100e-9 AND em_min_m < em_max_m), 6,
          'ugrizy wavelength ranges are configured and optical');


-- A configuration change affects rows converted later; obsmeta.reconvert() applies it to the rest.
\ir fixtures/lsstcam_visit.psql
UPDATE obsmeta.instrument_config SET telescope_name = 'Rubin:renamed' WHERE instrument = 'LSSTCam';
SELECT is((SELECT DISTINCT telescope_name FROM caom2.observation WHERE collection = 'LSSTCam'), 'Rubin:Simonyi',
          'a configuration change alone does not touch converted rows');
SELECT cmp_ok(obsmeta.reconvert('LSSTCam'), '>', 0::bigint, 'obsmeta.reconvert(instrument) rewrites them');
SELECT is((SELECT DISTINCT telescope_name FROM caom2.observation WHERE collection = 'LSSTCam'), 'Rubin:renamed',
          'after reconvert the observations carry the new telescope name');
SELECT is(obsmeta.reconvert(), 0::bigint, 'reconverting unchanged rows writes nothing');
SELECT * FROM finish();
ROLLBACK;
