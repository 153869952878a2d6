-- Importer of Rubin's transformed-EFD configuration, on the real LSSTCam file. pg_prove runs from
-- the repository root; the anchors live in ../shared (the test runner's OBSMETA_SHARED_DIR).
\set yaml `cat ${OBSMETA_SHARED_DIR:-../shared}/anchors/efd/consdb_transformed_efd_config_lsstcam.yaml`
BEGIN;
SELECT plan(16);
SET LOCAL obsmeta.conversion = 'statement';

CREATE TEMP TABLE cfg ON COMMIT DROP AS SELECT * FROM efd.parse_consdb_config(:'yaml');
SELECT is((SELECT count(*) FROM cfg), 491::bigint, 'the parser reads 491 output columns');
SELECT results_eq(
  $$SELECT function, count(*) FROM cfg GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('max', 99::bigint), ('mean', 153), ('min', 99), ('most_recent_value', 33), ('rms_from_polynomial_fit', 8), ('stddev', 99)$$,
  'functions as in the file');
SELECT is(efd.import_consdb_config(:'yaml'), 491, 'import returns the number of outputs');
SELECT is((SELECT count(*) FROM efd.reduction WHERE source = 'consdb:lsstcam'), 491::bigint, 'one reduction per output');
SELECT is(efd.import_consdb_config(:'yaml'), 491, 're-import is idempotent');
SELECT is((SELECT count(*) FROM efd.reduction WHERE source = 'consdb:lsstcam'), 491::bigint, 'no duplicates after re-import');

SELECT results_eq(
  $$SELECT r.method, r.degree, r.fit_basis, c.topic, c.field, r.for_exposure, r.for_visit
      FROM efd.reduction r JOIN efd.channel c ON c.id = r.channel WHERE r.output_name = 'mt_azimuth_encoder_absolute_position_0_rms_jitter'$$,
  $$VALUES ('rms_from_polynomial_fit', 4, 'index', 'lsst.sal.MTMount.encoder', 'azimuthEncoderAbsolutePosition0', true, false)$$,
  'mount jitter: polynomial fit of degree 4 on index, exposures only');
SELECT results_eq(
  $$SELECT c.sal_index, r.ddof, r.unit FROM efd.reduction r JOIN efd.channel c ON c.id = r.channel
     WHERE r.output_name = 'mt_salindex110_sonic_temperature_stddev'$$,
  $$VALUES (110, 1, 'deg_C')$$, 'subset_value selects the salIndex instance; ddof kept');
SELECT is((SELECT cardinality(pooled_channels) FROM efd.reduction WHERE output_name = 'mt_dome_temperature_mean'), 2,
          'several subset values pool several instances');
SELECT is((SELECT window_begin_offset FROM efd.reduction WHERE output_name = 'm1m3_stress'), interval '-1 hour',
          'start_offset becomes a look-back');
SELECT is((SELECT pre_aggregate FROM efd.reduction WHERE output_name = 'mt_m1m3_applied_forces_mean'), interval '1 second',
          'pre_aggregate_interval kept');
SELECT ok((SELECT unpivot AND cardinality(pooled_channels) > 10 FROM efd.reduction WHERE output_name = 'mt_vibration_data_mean'),
          'unpivoted outputs keep one channel per field');

-- The imported reductions compute: jitter of a parabola plus alternating noise, and an
-- unpivoted mean per field.
SELECT efd.channel_id('lsst.sal.MTMount.encoder', 'azimuthEncoderAbsolutePosition0') AS enc,
       (SELECT channel FROM efd.reduction WHERE output_name = 'mt_vibration_data_mean') AS psd0,
       (SELECT pooled_channels[1] FROM efd.reduction WHERE output_name = 'mt_vibration_data_mean') AS psd1 \gset
INSERT INTO efd.sample (channel, time, value)
SELECT :enc, '2025-12-02 03:00:00+00'::timestamptz + g * interval '10 ms', 1e-4 * g * g + CASE WHEN g % 2 = 0 THEN 0.5 ELSE -0.5 END
  FROM generate_series(0, 2999) g;
INSERT INTO efd.sample (channel, time, value) VALUES (:psd0, '2025-12-02 03:00:10+00', 1), (:psd1, '2025-12-02 03:00:10+00', 2);
\ir fixtures/lsstcam_visit.psql
SELECT ok((SELECT abs(value - 0.5) < 1e-3 FROM efd.exposure_value WHERE exposure = 2025120100123
             AND output_name = 'mt_azimuth_encoder_absolute_position_0_rms_jitter'),
          'rms_from_polynomial_fit removes the trend and keeps the jitter (0.5)');
SELECT set_eq($$SELECT value FROM efd.exposure_value WHERE exposure = 2025120100123 AND output_name = 'mt_vibration_data_mean'$$,
              ARRAY[1::float8, 2], 'unpivoted: one value per field');
SELECT is((SELECT count(*) FROM efd.visit_value WHERE visit = 2025120100123
             AND output_name = 'mt_azimuth_encoder_absolute_position_0_rms_jitter'), 0::bigint,
          'exposure-only outputs are not computed for visits');

SELECT throws_like($$SELECT efd.import_consdb_config('columns:\n- name: x\n  tables: [exposure_efd]\n')$$,
                   'invalid transformed-EFD configuration%', 'a broken file is rejected with a clear error');

SELECT * FROM finish();
ROLLBACK;
