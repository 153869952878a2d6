# Sourced by scripts/sample.sh after the night is loaded: simulated EFD telemetry for the night,
# written with COPY into efd.sample the way an EFD export would arrive (after the images), then the
# per-exposure reductions next to the images and in CAOM2 Environment.
echo
echo "== EFD: one night of telemetry (mount at 10 Hz, weather at 1/min, DIMM seeing every 2 min) via COPY"
psql -X -q -d obsmeta_sample <<'SQL'
\timing on
CREATE TEMP TABLE night AS
SELECT min(timespan_begin) - interval '10 min' AS t0, max(timespan_end) + interval '10 min' AS t1 FROM gen3.exposure;
-- The export: one row per (topic, field, sal_index, time, value); fast channels every 0.1 s.
COPY (
  SELECT topic, field, sal_index, t, v FROM night,
  LATERAL (SELECT t0 + make_interval(secs => i * 0.1) AS t, i FROM generate_series(0, (extract(epoch FROM t1 - t0) * 10)::int) i) s,
  LATERAL (VALUES ('lsst.sal.MTMount.elevation', 'actualPosition', NULL::int, 60 + 20 * sin(i / 3000.0)),
                  ('lsst.sal.MTMount.azimuth', 'actualPosition', NULL, 180 + 90 * cos(i / 5000.0)),
                  ('lsst.sal.MTRotator.rotation', 'actualPosition', NULL, 10 * sin(i / 700.0))) c(topic, field, sal_index, v)
  UNION ALL
  SELECT topic, field, sal_index, t, v FROM night,
  LATERAL (SELECT t0 + make_interval(mins => i) AS t, i FROM generate_series(0, (extract(epoch FROM t1 - t0) / 60)::int) i) s,
  LATERAL (VALUES ('lsst.sal.ESS.temperature', 'temperatureItem0', 301, 11.5 - i * 0.01),
                  ('lsst.sal.ESS.temperature', 'temperatureItem0', 111, 12.5 - i * 0.008),
                  ('lsst.sal.ESS.relativeHumidity', 'relativeHumidityItem', 301, 35 + (i % 17)),
                  ('lsst.sal.ESS.pressure', 'pressureItem0', 301, 74300 + (i % 11)),
                  ('lsst.sal.ESS.airFlow', 'speed', 301, 4 + (i % 7) * 0.5)) c(topic, field, sal_index, v)
  UNION ALL
  SELECT 'lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', NULL, t0 + make_interval(mins => 2 * i), 0.6 + 0.3 * abs(sin(i / 9.0))
    FROM night, generate_series(0, (extract(epoch FROM t1 - t0) / 120)::int) i
) TO '/tmp/obsmeta-sample-efd.copy';
COPY efd.sample (topic, field, sal_index, time, value) FROM '/tmp/obsmeta-sample-efd.copy';
\timing off
SQL
rm -f /tmp/obsmeta-sample-efd.copy
q "SELECT count(*) AS channels, sum(n_samples) AS samples, pg_size_pretty(sum(bytes)::bigint) AS stored,
          round(sum(bytes)::numeric / sum(n_samples), 1) AS bytes_per_sample
     FROM (SELECT channel, sum(n_samples) AS n_samples, sum(pg_column_size(c.*)) AS bytes FROM efd.chunk c GROUP BY channel) s"
echo "== Per-exposure EFD values next to the images (efd.exposure_summary)"
q "SELECT o.observation_id, round(s.mount_elevation_mean::numeric, 2) AS elevation_mean,
          round(s.mount_elevation_mid::numeric, 2) AS elevation_mid, round(s.rotator_angle_mean::numeric, 2) AS rotator,
          round(s.outside_temperature_mean::numeric, 2) AS outside_c, round(s.wind_speed_max::numeric, 1) AS wind_max,
          round(s.dimm_seeing::numeric, 2) AS dimm_seeing
     FROM efd.exposure_summary s JOIN caom2.observation o ON o.obs_id = s.obs_id
    ORDER BY o.observation_id LIMIT 6"
echo "== ...and in CAOM2 Environment"
q "SELECT observation_id, round(environment_elevation::numeric, 2) AS elevation, round(environment_seeing::numeric, 2) AS seeing,
          round(environment_ambient_temp::numeric, 2) AS ambient_temp, round(environment_humidity::numeric, 3) AS humidity
     FROM caom2.observation WHERE environment_seeing IS NOT NULL ORDER BY observation_id LIMIT 6"
