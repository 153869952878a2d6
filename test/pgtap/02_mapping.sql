-- gen3 -> CAOM2 mapping of a small realistic example (one-snap LSSTCam science visit, two detectors),
-- converted at each statement end. Expected values are derived from the inputs (the MJD of
-- 2025-12-02T03:00:00Z is 61011.125: MJD 61010 is 2025-12-01), never copied from the output.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql
-- A two-snap visit and two non-science exposures (same filter).
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num,
                           science_program, tracking_ra, tracking_dec, zenith_angle, can_see_sky, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100200, 'r_57', 'MC_O_20251201_000200', 15, 'science', 200, 'BLOCK-365', 11, -31, 20, true,
        '2025-12-02 04:00:00+00', '2025-12-02 04:00:15+00'),
       ('LSSTCam', 2025120100201, 'r_57', 'MC_O_20251201_000201', 15, 'science', 201, 'BLOCK-365', 11, -31, 20, true,
        '2025-12-02 04:00:17+00', '2025-12-02 04:00:32+00'),
       ('LSSTCam', 2025120100300, 'r_57', 'MC_C_20251201_000300', 1, 'flat', 300, 'BLOCK-T1', NULL, NULL, NULL, true,
        '2025-12-02 05:00:00+00', '2025-12-02 05:00:01+00'),
       ('LSSTCam', 2025120100301, 'r_57', 'MC_C_20251201_000301', 30, 'science', 301, 'BLOCK-T1', 11, -31, NULL, false,
        '2025-12-02 05:01:00+00', '2025-12-02 05:01:30+00');
INSERT INTO gen3.visit (instrument, id, physical_filter, name, seq_num, exposure_time, science_program, zenith_angle,
                        timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100200, 'r_57', 'MC_O_20251201_000200', 200, 30, 'BLOCK-365', 20,
        '2025-12-02 04:00:00+00', '2025-12-02 04:00:32+00');
INSERT INTO gen3.visit_definition VALUES ('LSSTCam', 2025120100200, 2025120100200), ('LSSTCam', 2025120100201, 2025120100200);

SELECT plan(43);

-- Exposure -> SimpleObservation
SELECT results_eq(
  $$SELECT obs_type, collection, observation_id, uri, algorithm_name FROM caom2.observation
     WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES ('SimpleObservation', 'LSSTCam', 'MC_O_20251201_000123', 'caom:LSSTCam/MC_O_20251201_000123', 'exposure')$$,
  'exposure becomes a SimpleObservation in the instrument''s collection, observationID = obs_id');
SELECT results_eq(
  $$SELECT type, intent, sequence_number, proposal_id, target_name, instrument_name FROM caom2.observation
     WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES ('science', 'science', 123, 'BLOCK-365', 'lsst_wfd_0042', 'LSSTCam')$$,
  'type, intent, sequence number, proposal (science_program), target and instrument');
SELECT results_eq(
  $$SELECT o.telescope_name, o.telescope_geo_location_x, o.telescope_geo_location_y, o.telescope_geo_location_z
      FROM caom2.observation o WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
  $$SELECT telescope_name, geo_location_x, geo_location_y, geo_location_z FROM obsmeta.instrument_config
     WHERE instrument = 'LSSTCam'$$,
  'telescope name and geocentric location come from obsmeta.instrument_config');
SELECT ok((SELECT sqrt(telescope_geo_location_x ^ 2 + telescope_geo_location_y ^ 2 + telescope_geo_location_z ^ 2)
             BETWEEN 6360e3 AND 6380e3 FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)),
          'telescope geolocation is on the Earth''s surface (geocentric metres, |r| ~ 6371 km)');
SELECT is((SELECT meta_release FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)),
          '2025-12-02 03:00:30+00'::timestamptz + interval '80 hours', 'meta_release = timespan_end + 80 h embargo');
SELECT results_eq(
  $$SELECT target_position_coordsys, target_position_cval1, target_position_cval2,
           (target_position_coordinates <-> spoint(radians(10.2), radians(-29.9))) < 1e-12
      FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES ('ICRS', 10.2::float8, -29.9::float8, true)$$,
  'target position = tracking (ra, dec), exact and as spoint');

-- intent: science only for on-sky science exposures
SELECT is((SELECT intent || '/' || type FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100300)),
          'calibration/flat', 'a flat is a calibration observation of type flat');
SELECT is((SELECT intent FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100301)),
          'calibration', 'a "science" exposure that cannot see the sky is calibration');
SELECT ok((SELECT target_position_cval1 IS NULL AND target_position_coordinates IS NULL AND target_position_coordsys IS NULL
             FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100300)),
          'no tracking position -> no target position');
SELECT ok((SELECT target_position_cval1 IS NULL FROM caom2.observation
            WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100301)),
          'an exposure that cannot see the sky has no target position');

-- Visit -> DerivedObservation
SELECT results_eq(
  $$SELECT obs_type, collection, observation_id, algorithm_name FROM caom2.observation
     WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES ('DerivedObservation', 'LSSTCam', 'MC_O_20251201_000123_visit', 'visit')$$,
  'visit becomes a DerivedObservation named <visit name>_visit');
SELECT isnt((SELECT uri FROM caom2.observation WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)),
            (SELECT uri FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)),
            'a one-snap visit and its exposure have different observation URIs');
SELECT results_eq(
  $$SELECT member_uri FROM caom2.observation_member WHERE composite_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES ('caom:LSSTCam/MC_O_20251201_000123')$$,
  'one-snap visit: its exposure is the member');
SELECT set_eq(
  $$SELECT member_uri FROM caom2.observation_member WHERE composite_id = obsmeta.visit_obs_id('LSSTCam', 2025120100200)$$,
  ARRAY['caom:LSSTCam/MC_O_20251201_000200', 'caom:LSSTCam/MC_O_20251201_000201'],
  'two-snap visit: both exposures are members');
SELECT ok(NOT EXISTS (SELECT 1 FROM caom2.observation_member m
                       WHERE NOT EXISTS (SELECT 1 FROM caom2.observation o WHERE o.uri = m.member_uri)),
          'every member URI resolves to a stored observation');

-- Planes
SELECT results_eq(
  $$SELECT plane_id, product_id, calibration_level, data_product_type FROM caom2.plane
     WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
  $$SELECT obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw'), 'raw', 1, 'image'$$,
  'the raw datasets of an exposure make one raw plane, calibration level 1, image');
SELECT results_eq(
  $$SELECT plane_id, product_id, calibration_level FROM caom2.plane
     WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)$$,
  $$SELECT obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image'), 'visit_image', 2$$,
  'visit_image dataset -> visit_image plane of the visit, calibration level 2');
SELECT is((SELECT count(*)::int FROM caom2.plane WHERE obs_id IN (obsmeta.exposure_obs_id('LSSTCam', 2025120100200),
                                                                   obsmeta.visit_obs_id('LSSTCam', 2025120100200))),
          0, 'an observation without datasets has no planes');
SELECT results_eq(
  $$SELECT time_bounds_lower, time_exposure FROM caom2.plane WHERE product_id = 'raw'
       AND obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES (61011.125::float8, 30::float8)$$,
  'raw plane time: lower bound = MJD of timespan_begin, exposure = exposure_time');
SELECT ok((SELECT abs(time_bounds_upper - (61011.125 + 30.0 / 86400)) < 1e-9 FROM caom2.plane WHERE product_id = 'raw'
             AND obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)),
          'raw plane time upper bound = MJD of timespan_end (within 0.1 ms)');
SELECT results_eq(
  $$SELECT p.energy_bounds_lower, p.energy_bounds_upper, p.energy_bandpass_name FROM caom2.plane p
     WHERE p.obs_id IN (obsmeta.exposure_obs_id('LSSTCam', 2025120100123), obsmeta.visit_obs_id('LSSTCam', 2025120100123))
     ORDER BY p.product_id$$,
  $$SELECT em_min_m, em_max_m, 'r_57' FROM obsmeta.band_wavelength, generate_series(1, 2) WHERE band = 'r'$$,
  'energy bounds of both planes from obsmeta.band_wavelength of band r; bandpass = physical filter');
SELECT ok((SELECT bool_and(p.meta_release = o.meta_release AND p.data_release = o.meta_release)
             FROM caom2.plane p JOIN caom2.observation o USING (obs_id)
            WHERE o.collection = 'LSSTCam'),
          'planes are released with their observation (meta and data release)');
SELECT results_eq(
  $$SELECT provenance_name, provenance_run_id FROM caom2.plane WHERE product_id = 'visit_image'
       AND obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES ('visit_image', 'LSSTCam/runs/nightly/20251201')$$,
  'provenance name = dataset type, run id = Butler run');
SELECT set_eq($$SELECT dataset_id, plane_id FROM obsmeta.dataset_plane$$,
              $$SELECT d.id, obsmeta.plane_id(CASE WHEN d.dataset_type = 'raw' THEN obsmeta.exposure_obs_id('LSSTCam', d.exposure)
                                                   ELSE obsmeta.visit_obs_id('LSSTCam', d.visit) END,
                                              CASE WHEN d.dataset_type = 'raw' THEN 'raw' ELSE 'visit_image' END)
                  FROM gen3.dataset d$$,
              'obsmeta.dataset_plane maps every dataset to its deterministic plane id');

-- Artifacts, parts, chunks
SELECT set_eq(
  $$SELECT artifact_id, uri, content_length, content_type, plane_id FROM caom2.artifact$$,
  $$SELECT obsmeta.artifact_id(r.dataset_id, r.component) AS artifact_id, 'butler://embargo/' || r.path AS uri,
           r.file_size AS content_length, 'application/fits' AS content_type, dp.plane_id
      FROM gen3.file_datastore_record r JOIN obsmeta.dataset_plane dp USING (dataset_id)$$,
  'one artifact per datastore record: uri from butler://embargo/{path}, content_length = file_size, FITS type');
SELECT is((SELECT count(*)::int FROM caom2.artifact WHERE plane_id = obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw')),
          2, 'raw plane has one artifact per detector');
SELECT set_eq($$SELECT a.artifact_id, p.name FROM caom2.artifact a JOIN caom2.part p USING (artifact_id)$$,
              $$SELECT artifact_id, '0' FROM caom2.artifact$$,
              'every artifact has exactly one part, named 0');
SELECT set_eq($$SELECT a.lsst_dataset_id, c.lsst_detector FROM caom2.artifact a JOIN caom2.part p USING (artifact_id)
                   JOIN caom2.chunk c USING (part_id)$$,
              $$SELECT id, detector FROM gen3.dataset$$,
              'every part has one chunk carrying the dataset''s detector');
SELECT is((SELECT count(*)::int FROM caom2.chunk), (SELECT count(*)::int FROM caom2.part), 'one chunk per part');
SELECT ok((SELECT bool_and(c.footprint IS NOT NULL) FROM caom2.chunk c), 'every chunk has a footprint (regions are present)');
SELECT is(obsmeta.content_type('x/calexp.fits.fz'), 'application/fits', 'compressed FITS is application/fits');
SELECT is(obsmeta.content_type('x/src.parq'), 'application/vnd.apache.parquet', 'parquet content type');

-- calexp is an alias of visit_image: it joins the same plane
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, visit, detector, physical_filter, band)
VALUES ('c0000000-0000-4000-8000-000000000011', 'calexp', 'LSSTCam/runs/old', 'LSSTCam', 2025120100123, 11, 'r_57', 'r');
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size)
VALUES ('c0000000-0000-4000-8000-000000000011', 'LSSTCam/runs/old/calexp/calexp_11.fits', 99);
SELECT is((SELECT count(*)::int FROM caom2.plane WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)),
          1, 'calexp does not create a second plane');
SELECT is((SELECT plane_id FROM obsmeta.dataset_plane WHERE dataset_id = 'c0000000-0000-4000-8000-000000000011'),
          obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image'),
          'calexp maps to the visit_image plane');
SELECT is((SELECT count(*)::int FROM caom2.artifact WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image')),
          2, 'visit_image plane has the visit_image and the calexp artifact');
SELECT is((SELECT calibration_level FROM caom2.plane WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image')),
          2, 'still calibration level 2');

-- Explicit conversion in commit mode, within the transaction
SET LOCAL obsmeta.conversion = 'commit';
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
VALUES ('a0000000-0000-4000-8000-000000000200', 'raw', 'LSSTCam/raw/all', 'LSSTCam', 2025120100200, 10);
SELECT is((SELECT count(*)::int FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100200)),
          0, 'commit mode: not converted before commit or obsmeta.convert()');
SELECT cmp_ok(obsmeta.convert(), '>', 0::bigint, 'obsmeta.convert() converts now and reports rows written');
SELECT is((SELECT count(*)::int FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100200)),
          1, 'after obsmeta.convert() the raw plane exists');
SELECT is(obsmeta.convert(), 0::bigint, 'a second obsmeta.convert() has nothing to do');
SELECT is_empty('SELECT * FROM obsmeta.pending', 'nothing is pending');

SELECT is_empty('SELECT * FROM obsmeta.verify_caom2()', 'no orphaned CAOM2 rows (obsmeta.verify_caom2)');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation from CAOM2');
SELECT * FROM finish();
ROLLBACK;
