-- A small LSSTCam night written row by row, converted at the end of each statement, and the
-- CAOM-2.4 rows it becomes (timestamps that depend on the clock are left out).
SET obsmeta.conversion = 'statement';

INSERT INTO gen3.instrument VALUES ('LSSTCam', 6050123199999, 6050123199999, 1000, 'lsst.obs.lsst.LsstCam');
INSERT INTO gen3.physical_filter VALUES ('LSSTCam', 'r_57', 'r');

-- One science exposure, its one-snap visit, and a bias.
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, dark_time, observation_type,
    observation_reason, day_obs, seq_num, target_name, science_program, tracking_ra, tracking_dec, sky_angle,
    azimuth, zenith_angle, has_simulated, can_see_sky, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120200100, 'r_57', 'MC_O_20251202_000100', 30, 30.9, 'science', 'wfd', 20251202, 100,
        'wfd_field', 'BLOCK-365', 150.0, -30.0, 45.0, 120.0, 20.0, false, true,
        '2025-12-03 03:00:00+00', '2025-12-03 03:00:30+00'),
       ('LSSTCam', 2025120200001, 'r_57', 'MC_C_20251202_000001', 0, 0.1, 'bias', 'bias', 20251202, 1,
        NULL, 'BLOCK-T1', NULL, NULL, NULL, NULL, NULL, false, false,
        '2025-12-02 22:00:00+00', '2025-12-02 22:00:00+00');
INSERT INTO gen3.visit (instrument, id, physical_filter, day_obs, name, seq_num, exposure_time, target_name,
    science_program, zenith_angle, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120200100, 'r_57', 20251202, 'MC_O_20251202_000100', 100, 30, 'wfd_field', 'BLOCK-365',
        20.0, '2025-12-03 03:00:00+00', '2025-12-03 03:00:30+00');
INSERT INTO gen3.visit_definition VALUES ('LSSTCam', 2025120200100, 2025120200100);

-- Two detectors side by side, as sphgeom ConvexPolygons.
INSERT INTO gen3.visit_detector_region VALUES
    ('LSSTCam', 2025120200100, 94, obsmeta.spoly_to_sphgeom('{(149.9d,-30.1d),(150.0d,-30.1d),(150.0d,-30.0d),(149.9d,-30.0d)}')),
    ('LSSTCam', 2025120200100, 95, obsmeta.spoly_to_sphgeom('{(150.0d,-30.1d),(150.1d,-30.1d),(150.1d,-30.0d),(150.0d,-30.0d)}'));

INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, visit, detector, physical_filter, band, day_obs) VALUES
    ('00000000-0000-0000-0000-000000000094', 'raw', 'LSSTCam/raw/all', 'LSSTCam', 2025120200100, NULL, 94, 'r_57', 'r', 20251202),
    ('00000000-0000-0000-0000-000000000095', 'raw', 'LSSTCam/raw/all', 'LSSTCam', 2025120200100, NULL, 95, 'r_57', 'r', 20251202),
    ('00000000-0000-0000-0001-000000000094', 'visit_image', 'LSSTCam/runs/nightly', 'LSSTCam', NULL, 2025120200100, 94, 'r_57', 'r', 20251202),
    ('00000000-0000-0000-0002-000000000001', 'raw', 'LSSTCam/raw/all', 'LSSTCam', 2025120200001, NULL, 94, 'r_57', 'r', 20251202);
INSERT INTO gen3.file_datastore_record (dataset_id, path, formatter, storage_class, checksum, file_size) VALUES
    ('00000000-0000-0000-0000-000000000094', 'LSSTCam/raw/all/raw_R22_S11.fits', 'FitsFormatter', 'Exposure', NULL, 36000000),
    ('00000000-0000-0000-0000-000000000095', 'LSSTCam/raw/all/raw_R22_S12.fits', 'FitsFormatter', 'Exposure', NULL, 36000001),
    ('00000000-0000-0000-0001-000000000094', 'LSSTCam/runs/nightly/visit_image_R22_S11.fits', 'FitsFormatter', 'ExposureF', 'md5:0123', 100000000),
    ('00000000-0000-0000-0002-000000000001', 'LSSTCam/raw/all/raw_bias_R22_S11.fits', 'FitsFormatter', 'Exposure', NULL, 36000002);

-- Observations: exposure → SimpleObservation, visit → DerivedObservation.
SELECT obs_type, collection, observation_id, uri, algorithm_name, type, intent, sequence_number,
       proposal_id, target_name, target_position_cval1, target_position_cval2, telescope_name,
       round(telescope_geo_location_z) AS geo_z, instrument_name, meta_release
  FROM caom2.observation ORDER BY observation_id;
SELECT o.observation_id, m.member_uri
  FROM caom2.observation_member m JOIN caom2.observation o ON o.obs_id = m.composite_id;

-- Planes: product, calibration level, time (MJD), energy (m) and position from the detectors.
SELECT o.observation_id, p.product_id, p.calibration_level, p.data_product_type, p.provenance_name,
       p.provenance_run_id, round(p.time_bounds_lower::numeric, 6) AS t_min, round(p.time_bounds_upper::numeric, 6) AS t_max,
       p.time_exposure, p.energy_bounds_lower, p.energy_bounds_upper, p.energy_bandpass_name,
       round(p.position_area_deg2::numeric, 6) AS area_deg2, round(p.position_size_deg::numeric, 4) AS size_deg,
       obsmeta.spoly_to_stcs(p.position_bounds) AS bounds
  FROM caom2.plane p JOIN caom2.observation o USING (obs_id) ORDER BY 1, 2;

-- Artifacts, one part and one chunk each, with the detector's footprint.
SELECT a.uri, a.product_type, a.release_type, a.content_type, a.content_length, a.content_checksum,
       pa.name, c.lsst_detector, obsmeta.spoly_to_stcs(c.footprint) AS footprint
  FROM caom2.artifact a JOIN caom2.part pa USING (artifact_id) LEFT JOIN caom2.chunk c USING (part_id)
 ORDER BY a.uri;

-- Nothing waits.
SELECT * FROM obsmeta.pending;

-- Deleting a datastore record removes its artifact and moves the plane's bounds; deleting the
-- exposure removes its observation (and planes) and leaves a tombstone.
DELETE FROM gen3.file_datastore_record WHERE dataset_id = '00000000-0000-0000-0000-000000000095';
SELECT product_id, round(position_area_deg2::numeric, 6) AS area_deg2, obsmeta.spoly_to_stcs(position_bounds) AS bounds
  FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120200100);
DELETE FROM gen3.exposure WHERE id = 2025120200001;
SELECT collection, observation_id FROM caom2.deleted_observation;
SELECT count(*) AS bias_planes FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120200001);
-- ...and its raw dataset now waits for the exposure to come back.
SELECT mirror_table, waiting_for FROM obsmeta.pending;
