-- obsmeta install script, part 64: Rubin's default EFD channels and reductions (builtin rows; the
-- LSSTCam transformed-EFD set can be added with efd.import_consdb_config).
INSERT INTO efd.channel (topic, field, sal_index, unit, kind, description, builtin) VALUES
    ('lsst.sal.MTMount.azimuth', 'actualPosition', NULL, 'deg', 'fast', 'Mount azimuth', true),
    ('lsst.sal.MTMount.elevation', 'actualPosition', NULL, 'deg', 'fast', 'Mount elevation', true),
    ('lsst.sal.MTRotator.rotation', 'actualPosition', NULL, 'deg', 'fast', 'Camera rotator angle', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 111, 'deg_C', 'slow', 'Dome temperature (ESS 111)', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 112, 'deg_C', 'slow', 'Dome temperature (ESS 112)', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 113, 'deg_C', 'slow', 'Dome temperature (ESS 113)', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 301, 'deg_C', 'slow', 'Outside air temperature (weather tower)', true),
    ('lsst.sal.ESS.relativeHumidity', 'relativeHumidityItem', 301, '%', 'slow', 'Outside relative humidity (weather tower)', true),
    ('lsst.sal.ESS.pressure', 'pressureItem0', 301, 'Pa', 'slow', 'Outside air pressure (weather tower)', true),
    ('lsst.sal.ESS.airFlow', 'speed', 301, 'm/s', 'slow', 'Wind speed (weather tower)', true),
    ('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', NULL, 'arcsec', 'slow', 'DIMM seeing FWHM', true);

INSERT INTO efd.reduction (output_name, method, channel, pooled_channels, anchor, reach, environment, environment_scale,
                           unit, ucd, description, in_summary, source)
SELECT d.output_name, d.method, efd.channel_id(d.topic, d.field, d.sal_index),
       coalesce((SELECT array_agg(efd.channel_id(d.topic, d.field, p)) FROM unnest(d.pooled) p), '{}'),
       d.anchor, d.reach::interval, d.environment, d.scale, d.unit, d.ucd, d.description, true, 'default'
  FROM (VALUES
    ('mount_azimuth_mean', 'mean', 'lsst.sal.MTMount.azimuth', 'actualPosition', NULL::int, NULL::int[], 'middle', '10 min', NULL, 1.0, 'deg', 'pos.az.azi;stat.mean', 'Mean mount azimuth during the exposure'),
    ('mount_elevation_mean', 'mean', 'lsst.sal.MTMount.elevation', 'actualPosition', NULL, NULL, 'middle', '10 min', NULL, 1.0, 'deg', 'pos.az.alt;stat.mean', 'Mean mount elevation during the exposure'),
    ('mount_elevation_mid', 'interpolate', 'lsst.sal.MTMount.elevation', 'actualPosition', NULL, NULL, 'middle', '10 s', 'elevation', 1.0, 'deg', 'pos.az.alt', 'Mount elevation at mid-exposure (linear interpolation)'),
    ('rotator_angle_mean', 'mean', 'lsst.sal.MTRotator.rotation', 'actualPosition', NULL, NULL, 'middle', '10 min', NULL, 1.0, 'deg', 'pos.posAng;stat.mean', 'Mean camera rotator angle'),
    ('dome_temperature_mean', 'mean', 'lsst.sal.ESS.temperature', 'temperatureItem0', 111, ARRAY[112, 113], 'middle', '10 min', NULL, 1.0, 'deg_C', 'phys.temperature;stat.mean', 'Mean dome temperature (ESS 111-113 pooled)'),
    ('outside_temperature_mean', 'twmean_locf', 'lsst.sal.ESS.temperature', 'temperatureItem0', 301, NULL, 'middle', '10 min', 'ambient_temp', 1.0, 'deg_C', 'phys.temperature;stat.mean', 'Time-weighted mean outside air temperature'),
    ('outside_humidity_mean', 'twmean_locf', 'lsst.sal.ESS.relativeHumidity', 'relativeHumidityItem', 301, NULL, 'middle', '10 min', 'humidity', 0.01, '%', 'phys.atmol.humidity;stat.mean', 'Time-weighted mean outside relative humidity'),
    ('outside_pressure_mean', 'twmean_locf', 'lsst.sal.ESS.pressure', 'pressureItem0', 301, NULL, 'middle', '10 min', NULL, 1.0, 'Pa', 'phys.pressure;stat.mean', 'Time-weighted mean outside air pressure'),
    ('wind_speed_mean', 'mean', 'lsst.sal.ESS.airFlow', 'speed', 301, NULL, 'middle', '10 min', NULL, 1.0, 'm/s', 'phys.veloc;stat.mean', 'Mean wind speed'),
    ('wind_speed_max', 'max', 'lsst.sal.ESS.airFlow', 'speed', 301, NULL, 'middle', '10 min', NULL, 1.0, 'm/s', 'phys.veloc;stat.max', 'Maximum wind speed'),
    ('dimm_seeing', 'locf', 'lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', NULL, NULL, 'middle', '15 min', 'seeing', 1.0, 'arcsec', 'instr.obsty.seeing', 'Latest DIMM seeing at mid-exposure (within 15 min)')
  ) AS d(output_name, method, topic, field, sal_index, pooled, anchor, reach, environment, scale, unit, ucd, description);

-- Joinable columns for ObsCore users (lsst_exposure / lsst_visit): the default outputs, one
-- column each. security_invoker: the embargo (row-level security) applies to the caller.
DO $views$
DECLARE
    -- the default outputs above, in the order of their columns
    outputs text[] := ARRAY['mount_azimuth_mean', 'mount_elevation_mean', 'mount_elevation_mid', 'rotator_angle_mean',
                            'dome_temperature_mean', 'outside_temperature_mean', 'outside_humidity_mean',
                            'outside_pressure_mean', 'wind_speed_mean', 'wind_speed_max', 'dimm_seeing'];
    columns text;
BEGIN
    SELECT string_agg(format('("values" ->> %L)::double precision AS %I', o, o), ', ' ORDER BY i)
      INTO columns FROM unnest(outputs) WITH ORDINALITY AS u(o, i);
    EXECUTE format('CREATE VIEW efd.exposure_summary WITH (security_invoker = true) AS
                    SELECT instrument, exposure, obs_id, %s FROM efd.exposure_values', columns);
    EXECUTE format('CREATE VIEW efd.visit_summary WITH (security_invoker = true) AS
                    SELECT instrument, visit, obs_id, %s FROM efd.visit_values', columns);
END
$views$;
COMMENT ON VIEW efd.exposure_summary IS 'Default EFD outputs per exposure as columns; join on (instrument, exposure) = ivoa.obscore lsst_exposure';
COMMENT ON VIEW efd.visit_summary IS 'Default EFD outputs per visit as columns; join on (instrument, visit) = ivoa.obscore lsst_visit';
