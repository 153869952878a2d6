-- Per-exposure / per-visit EFD values: computed when an image arrives and when samples for its
-- window arrive later (only affected images), CAOM2 Environment in either order, embargo, raw
-- samples of an image.
BEGIN;
SELECT plan(22);
SET LOCAL obsmeta.conversion = 'statement';

SELECT efd.channel_id('lsst.sal.MTMount.elevation', 'actualPosition') AS el,
       efd.channel_id('lsst.sal.ESS.temperature', 'temperatureItem0', 301) AS temp,
       efd.channel_id('lsst.sal.ESS.temperature', 'temperatureItem0', 111) AS dome111,
       efd.channel_id('lsst.sal.ESS.temperature', 'temperatureItem0', 112) AS dome112,
       efd.channel_id('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm') AS dimm \gset

-- Telemetry first: elevation 60 → 61 degrees linearly over 03:00:00–03:00:30 (50 Hz), outside
-- temperature 10 °C held from 02:59, DIMM seeing 0.8" at 02:58, dome sensors 5 and 7 °C.
INSERT INTO efd.sample (channel, time, value)
SELECT :el, '2025-12-02 03:00:00+00'::timestamptz + g * interval '20 ms', 60 + g / 1500.0 FROM generate_series(0, 1500) g;
INSERT INTO efd.sample (channel, time, value) VALUES
    (:temp, '2025-12-02 02:59:00+00', 10), (:dimm, '2025-12-02 02:58:00+00', 0.8),
    (:dome111, '2025-12-02 03:00:10+00', 5), (:dome112, '2025-12-02 03:00:20+00', 7);

-- Then the image (the fixture's exposure 2025120100123 and visit, 03:00:00–03:00:30, zenith 30).
\ir fixtures/lsstcam_visit.psql

SELECT is((SELECT round(value::numeric, 6) FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'mount_elevation_mid'),
          60.5::numeric, 'elevation at mid-exposure (interpolated)');
SELECT is((SELECT round(value::numeric, 6) FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'mount_elevation_mean'),
          60.5::numeric, 'mean elevation');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'outside_temperature_mean'),
          10::float8, 'time-weighted mean carries the value from before the window');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'dome_temperature_mean'),
          6::float8, 'dome temperature pools two sensor instances');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'dimm_seeing'),
          0.8::float8, 'DIMM seeing carried forward to mid-exposure');
SELECT ok(NOT EXISTS (SELECT 1 FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'wind_speed_mean'),
          'no value (no row) without samples');
SELECT is((SELECT value FROM efd.visit_value WHERE visit = 2025120100123 AND output_name = 'dimm_seeing'), 0.8::float8,
          'visit values too');
SELECT is((SELECT obs_id FROM efd.exposure_value WHERE exposure = 2025120100123 LIMIT 1),
          obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'values carry the observation id');

-- Environment: the observation was created after the values (conversion at statement end).
SELECT results_eq(
  $$SELECT round(environment_elevation::numeric, 6), environment_ambient_temp, environment_seeing, environment_humidity
      FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)$$,
  $$VALUES (60.5::numeric, 10::float8, 0.8::float8, NULL::float8)$$, 'CAOM2 Environment from the EFD values');
SELECT is((SELECT round(environment_elevation::numeric, 6) FROM caom2.observation WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)),
          60.5::numeric, 'visit observation Environment');

-- A second exposure later that night with no elevation telemetry: elevation from the zenith angle.
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num, zenith_angle,
                           can_see_sky, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100124, 'r_57', 'MC_O_20251201_000124', 30, 'science', 124, 25, true,
        '2025-12-02 05:00:00+00', '2025-12-02 05:00:30+00');
SELECT is((SELECT environment_elevation FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100124)),
          65::float8, 'no EFD elevation: 90 - zenith angle');

-- Late samples: humidity for exposure 124's window arrives after the image; only 124 changes.
UPDATE efd.exposure_values SET "values" = jsonb_set("values", '{outside_temperature_mean}', '-1') WHERE exposure = 2025120100123;
INSERT INTO efd.sample (topic, field, sal_index, time, value) VALUES
    ('lsst.sal.ESS.relativeHumidity', 'relativeHumidityItem', 301, '2025-12-02 05:00:05+00', 40),
    ('lsst.sal.ESS.relativeHumidity', 'relativeHumidityItem', 301, '2025-12-02 05:00:25+00', 50);
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 2025120100124 AND output_name = 'outside_humidity_mean'),
          42::float8, 'late samples recompute the exposure they fall in (time-weighted: 40 for 20 s, 50 for 5 s)');
SELECT is((SELECT environment_humidity FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100124)),
          0.42::float8, 'and its Environment (humidity as a fraction)');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'outside_temperature_mean'),
          -1::float8, 'other images are not recomputed');
-- A late temperature sample inside 123's window changes 123 (only the affected reductions).
INSERT INTO efd.sample (channel, time, value) VALUES (:temp, '2025-12-02 03:00:15+00', 12);
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'outside_temperature_mean'),
          11::float8, 'a late sample in the window recomputes the time-weighted mean');

-- A changed timespan recomputes; a deleted exposure loses its values.
UPDATE gen3.exposure SET timespan_begin = '2025-12-02 03:00:00+00', timespan_end = '2025-12-02 03:00:10+00' WHERE id = 2025120100123;
SELECT is((SELECT round(value::numeric, 6) FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'mount_elevation_mid'),
          round(60 + 5 / 30.0, 6)::numeric, 'a new timespan recomputes');

-- Raw samples of an image, with padding, in time order.
SELECT is((SELECT count(*) FROM efd.samples_for('LSSTCam', 2025120100123, :el)), 501::bigint, 'samples_for: the exposure''s samples');
SELECT is((SELECT count(*) FROM efd.samples_for('LSSTCam', 2025120100123, :el, '1 s')), 551::bigint, 'with padding');
SELECT is((SELECT count(*) FROM efd.samples_for('LSSTCam', 42, :el)), 0::bigint, 'unknown exposure: no rows');

-- Embargo: an exposure taken an hour ago is not visible to readers, nor are its values or samples.
INSERT INTO efd.sample (channel, time, value) SELECT :el, now() - interval '1 hour' + g * interval '1 s', 70 FROM generate_series(0, 30) g;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num, zenith_angle,
                           can_see_sky, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2026010100001, 'r_57', 'MC_O_20260101_000001', 30, 'science', 1, 20, true,
        now() - interval '1 hour', now() - interval '1 hour' + interval '30 s');
CREATE ROLE efd_test_reader IN ROLE obsmeta_reader;
SET LOCAL ROLE efd_test_reader;
SELECT is((SELECT count(*) FROM efd.exposure_value WHERE exposure = 2026010100001), 0::bigint, 'embargoed values are hidden from readers');
SELECT ok((SELECT count(*) FROM efd.exposure_value WHERE exposure = 2025120100123) > 0, 'released values are visible');
SELECT is((SELECT count(*) FROM efd.samples_for('LSSTCam', 2026010100001, :el)), 0::bigint, 'samples_for hides embargoed images');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
