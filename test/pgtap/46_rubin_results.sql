-- Prompt results and Data Releases (issue 3): the release table, the rubin result tables and
-- their checks, current best / per release / comparison, the CAOM2 fill (Metrics, resolution,
-- chunk WCS, lastModified), revisions without loss (a later release, retraction, deletion),
-- out-of-order arrival (Data Release before prompt; results before the image is mirrored) and bad
-- input (unknown release, unknown detector, non-finite values). Row-level security is in
-- 47_rubin_embargo.sql.
BEGIN;
SELECT plan(84);
SET LOCAL obsmeta.conversion = 'statement';

-- One detector row: a PSF (sigma 1.8 px at 0.2"/px unless given), a zero point, a limit and a TAN
-- WCS whose CRVAL1 identifies the release in the assertions.
CREATE FUNCTION pg_temp.det(visit bigint, detector int, release text, psf_sigma float8, crval1 float8,
                            zero_point float8 DEFAULT 31.2, mag_lim float8 DEFAULT 24.1)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO rubin.detector_visit_result (instrument, visit, detector, release, psf_sigma, pixel_scale,
        psf_ixx, psf_iyy, psf_ixy, sky_bg, sky_noise, zero_point, stats_mag_lim, eff_time, astrom_offset_mean,
        astrom_offset_std, n_psf_star, wcs_naxis1, wcs_naxis2, wcs_crpix1, wcs_crpix2, wcs_crval1, wcs_crval2,
        wcs_cd1_1, wcs_cd1_2, wcs_cd2_1, wcs_cd2_2, run)
    VALUES ('LSSTCam', visit, detector, release, psf_sigma, 0.2, 3.3, 3.1, 0.05, 1200, 35, zero_point, mag_lim, 25.0,
            0.018, 0.009, 120, 4072, 4000, 2036.5, 2000.5, crval1, -29.9, -5.5e-5, 0, 0, 5.5e-5, 'run/' || release)
    ON CONFLICT (instrument, visit, detector, release) DO UPDATE
      SET psf_sigma = EXCLUDED.psf_sigma, wcs_crval1 = EXCLUDED.wcs_crval1, zero_point = EXCLUDED.zero_point,
          stats_mag_lim = EXCLUDED.stats_mag_lim $$;
CREATE FUNCTION pg_temp.vis(visit bigint, release text, psf_sigma float8, mag_lim float8)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO rubin.visit_result (instrument, visit, release, n_inputs, pixel_scale_median, psf_sigma_median,
        sky_bg_median, sky_noise_median, zero_point_median, stats_mag_lim_median, eff_time_median,
        low_snr_source_count_total, high_snr_source_count_total, run)
    VALUES ('LSSTCam', visit, release, 1, 0.2, psf_sigma, 1200, 40, 31.2, mag_lim, 25.0, 3000, 500, 'run/' || release)
    ON CONFLICT (instrument, visit, release) DO UPDATE
      SET psf_sigma_median = EXCLUDED.psf_sigma_median, stats_mag_lim_median = EXCLUDED.stats_mag_lim_median $$;
-- The visit_image plane and chunk of the fixture's visit (detector 10).
CREATE VIEW pg_temp.vp AS SELECT * FROM caom2.plane
 WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image');
CREATE VIEW pg_temp.vc AS SELECT c.* FROM caom2.chunk c JOIN caom2.part pt USING (part_id)
  JOIN caom2.artifact a USING (artifact_id) WHERE a.lsst_dataset_id = 'b0000000-0000-4000-8000-000000000010';

---------------------------------------------------------------------------------------------------
-- 1. Contract
---------------------------------------------------------------------------------------------------
SELECT has_schema('rubin', 'schema rubin exists');
SELECT has_table('obsmeta', 'release', 'obsmeta.release exists');
SELECT has_table('rubin', t, 'rubin.' || t || ' exists') FROM unnest(ARRAY['detector_visit_result', 'visit_result']) t;
SELECT has_view('rubin', v, 'rubin.' || v || ' exists')
  FROM unnest(ARRAY['detector_visit_current', 'visit_current', 'exposure', 'visit']) v;
SELECT col_is_pk('rubin', 'detector_visit_result', ARRAY['instrument', 'visit', 'detector', 'release'],
                 'per-detector results keyed by (instrument, visit, detector, release)');
SELECT col_is_pk('rubin', 'visit_result', ARRAY['instrument', 'visit', 'release'], 'per-visit results keyed by (instrument, visit, release)');
SELECT results_eq($$SELECT name, kind, public_date, retracted FROM obsmeta.release$$,
                  $$VALUES ('prompt', 'prompt', NULL::timestamptz, false)$$, 'the prompt release exists by default');
SELECT ok((SELECT count(*) FROM pg_catalog.pg_description d JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
            WHERE d.objoid = 'rubin.detector_visit_result'::regclass) =
          (SELECT count(*) FROM pg_attribute WHERE attrelid = 'rubin.detector_visit_result'::regclass AND attnum > 0 AND NOT attisdropped),
          'every rubin.detector_visit_result column has a description (TAP_SCHEMA)');
SELECT ok(col_description('rubin.detector_visit_result'::regclass,
          (SELECT attnum FROM pg_attribute WHERE attrelid = 'rubin.detector_visit_result'::regclass AND attname = 'psf_sigma'))
          LIKE 'PSF model second-moments determinant radius%[pixel]', 'consdb descriptions with units');

---------------------------------------------------------------------------------------------------
-- 2. Out of order: results for a visit that is not mirrored yet are kept, and apply on arrival
---------------------------------------------------------------------------------------------------
INSERT INTO gen3.instrument (name, detector_max) VALUES ('LSSTCam', 1000);
INSERT INTO gen3.detector (instrument, id, full_name) VALUES ('LSSTCam', 10, 'R02_S01'), ('LSSTCam', 11, 'R02_S02');
INSERT INTO obsmeta.release (name, kind, public_date, description) VALUES ('dr1', 'data_release', now() - interval '1 day', 'test DR1');
-- DR1 arrives before prompt, and before the image
SELECT lives_ok($$SELECT pg_temp.det(2025120100123, 10, 'dr1', 1.5, 10.15); SELECT pg_temp.vis(2025120100123, 'dr1', 1.5, 24.6)$$,
                'DR results for a visit that is not mirrored yet are accepted');
SELECT lives_ok($$SELECT pg_temp.det(2025120100123, 10, 'prompt', 1.8, 10.10); SELECT pg_temp.vis(2025120100123, 'prompt', 1.8, 24.1)$$,
                'prompt results after the DR''s are accepted');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result) + (SELECT count(*)::int FROM rubin.visit_result), 4,
          'all four rows are kept');
SELECT is((SELECT count(*)::int FROM caom2.plane), 0, 'no CAOM2 yet');
\ir fixtures/lsstcam_visit.psql
SELECT is((SELECT metrics_mag_limit FROM pg_temp.vp), 24.6::float8, 'the image arrives: its plane takes the current best (dr1) magLimit');
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.15::float8,
          'and its chunk the dr1 astrometric solution (DR before prompt: prompt does not override)');
SELECT is((SELECT count(*)::int FROM caom2.chunk WHERE naxis IS NOT NULL), 1, 'raw chunks are not touched');

---------------------------------------------------------------------------------------------------
-- 3. What CAOM2 gets
---------------------------------------------------------------------------------------------------
SELECT is((SELECT round(position_resolution::numeric, 6) FROM pg_temp.vp), round((2.3548200450309493 * 1.5 * 0.2)::numeric, 6),
          'plane position_resolution = PSF FWHM (arcsec) = 2.3548 sigma pixel_scale');
SELECT is((SELECT position_sample_size FROM pg_temp.vp), 0.2::float8, 'plane position_sample_size = pixel scale (arcsec)');
SELECT ok((SELECT abs(metrics_flux_density_limit / (3631 * 10 ^ (-0.4 * 24.6)) - 1) < 1e-12 FROM pg_temp.vp),
          'fluxDensityLimit (Jy) from the AB magnitude limit');
SELECT ok((SELECT abs(metrics_background / (1200 * 3631 * 10 ^ (-0.4 * 31.2)) - 1) < 1e-12
              AND abs(metrics_background_stddev / (40 * 3631 * 10 ^ (-0.4 * 31.2)) - 1) < 1e-12 FROM pg_temp.vp),
          'background and backgroundStddev (Jy/pix) from counts and the zero point');
SELECT is((SELECT metrics_sample_snr FROM pg_temp.vp), 30::float8, 'sampleSNR = sky background / sky noise');
SELECT ok((SELECT abs(metrics_source_number_density - 3500 / position_area_deg2) < 1e-9 FROM pg_temp.vp),
          'sourceNumberDensity = sources / plane area (after the area arrived)');
SELECT results_eq($$SELECT naxis, position_axis_1, position_axis_2, position_coordsys, position_axis_axis1_ctype,
                           position_axis_axis2_ctype, position_axis_axis1_cunit, position_axis_function_dimension_naxis1,
                           position_axis_function_dimension_naxis2, position_axis_function_ref_coord_coord1_pix,
                           position_axis_function_ref_coord_coord2_pix, position_axis_function_ref_coord_coord2_val,
                           position_axis_function_cd11, position_axis_function_cd12, position_axis_function_cd21,
                           position_axis_function_cd22 FROM pg_temp.vc$$,
                  $$VALUES (2, 1, 2, 'ICRS', 'RA---TAN', 'DEC--TAN', 'deg', 4072::bigint, 4000::bigint, 2036.5::float8,
                            2000.5::float8, -29.9::float8, -5.5e-5::float8, 0::float8, 0::float8, 5.5e-5::float8)$$,
                  'chunk SpatialWCS from the astrometric solution');
SELECT ok((SELECT abs(position_axis_error1_rnder - 0.009 / 3600) < 1e-15 AND abs(position_axis_error1_syser - 0.018 / 3600) < 1e-15
             AND position_resolution = (SELECT psf_fwhm FROM rubin.detector_visit_result WHERE release = 'dr1')
             FROM pg_temp.vc), 'chunk position errors (deg) from the astrometric scatter and offset; resolution = detector PSF FWHM');
CREATE TEMP TABLE obscore_check (s_resolution float8);
DO $$ BEGIN
  IF to_regclass('ivoa.obscore') IS NOT NULL THEN
    EXECUTE $q$INSERT INTO obscore_check SELECT s_resolution FROM ivoa.obscore
               WHERE caom_artifact_id = obsmeta.artifact_id('b0000000-0000-4000-8000-000000000010', '__NULL_STRING__')$q$;
  END IF;
END $$;
SELECT CASE WHEN to_regclass('ivoa.obscore') IS NULL THEN skip('ivoa.obscore not installed', 1)
            ELSE is((SELECT s_resolution FROM obscore_check), (SELECT position_resolution FROM pg_temp.vc),
                    'ObsCore s_resolution of the detector row follows the chunk resolution') END;

---------------------------------------------------------------------------------------------------
-- 4. Current best, named releases, comparison
---------------------------------------------------------------------------------------------------
SELECT is((SELECT release FROM rubin.detector_visit_current WHERE visit = 2025120100123 AND detector = 10), 'dr1',
          'current best per detector: dr1 over prompt');
SELECT is((SELECT release FROM rubin.visit_current WHERE visit = 2025120100123), 'dr1', 'current best per visit: dr1');
SELECT is((SELECT release_kind FROM rubin.visit_current), 'data_release', 'the current view names the release kind');
SELECT is((SELECT wcs_crval1 FROM rubin.detector_visit_release('prompt')), 10.10::float8, 'prompt values stay queryable');
SELECT is((SELECT psf_sigma_median FROM rubin.visit_release('prompt')), 1.8::float8, 'per-visit prompt values too');
SELECT throws_ok($$SELECT * FROM rubin.visit_release('dr9')$$, '42704', 'unknown release "dr9"', 'a named unknown release is an error');
SELECT ok((SELECT abs(wcs_offset_arcsec - 0.05 * cos(radians(29.9)) * 3600) < 0.01 AND psf_fwhm_a > psf_fwhm_b
             FROM rubin.compare_detector_visit('prompt', 'dr1')), 'compare two releases (PSF, WCS offset in arcsec)');
SELECT is((SELECT stats_mag_lim_median_b - stats_mag_lim_median_a FROM rubin.compare_visit('prompt', 'dr1'))::numeric(4, 2),
          0.50, 'compare visits');

---------------------------------------------------------------------------------------------------
-- 5. Revisions: prompt revised in place, a later release, retraction, deletion
---------------------------------------------------------------------------------------------------
-- prompt re-processing (ON CONFLICT DO UPDATE) does not move CAOM2: dr1 is current
SELECT pg_temp.det(2025120100123, 10, 'prompt', 1.9, 10.11) \g /dev/null
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.15::float8, 'revising prompt leaves dr1 in CAOM2');
SELECT is((SELECT wcs_crval1 FROM rubin.detector_visit_result WHERE release = 'prompt'), 10.11::float8, 'prompt row revised in place');

-- lastModified: identical values change nothing; a new release moves the changed rows and parents
UPDATE caom2.plane SET last_modified = '2000-01-01', max_last_modified = '2000-01-01';
UPDATE caom2.observation SET last_modified = '2000-01-01', max_last_modified = '2000-01-01';
UPDATE caom2.artifact SET last_modified = '2000-01-01', max_last_modified = '2000-01-01';
UPDATE caom2.part SET last_modified = '2000-01-01', max_last_modified = '2000-01-01';
UPDATE caom2.chunk SET last_modified = '2000-01-01', max_last_modified = '2000-01-01';
SELECT pg_temp.det(2025120100123, 10, 'dr1', 1.5, 10.15) \g /dev/null
SELECT pg_temp.vis(2025120100123, 'dr1', 1.5, 24.6) \g /dev/null
SELECT is((SELECT count(*)::int FROM (SELECT max_last_modified FROM caom2.chunk UNION ALL SELECT max_last_modified FROM caom2.plane
            UNION ALL SELECT max_last_modified FROM caom2.observation) s WHERE max_last_modified > '2000-01-01'), 0,
          'rewriting identical results changes nothing in CAOM2 (not even lastModified)');

INSERT INTO obsmeta.release (name, kind, public_date) VALUES ('dr2', 'data_release', now() - interval '1 hour');
SELECT pg_temp.det(2025120100123, 10, 'dr2', 1.4, 10.16) \g /dev/null
SELECT pg_temp.vis(2025120100123, 'dr2', 1.4, 24.7) \g /dev/null
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.16::float8, 'dr2 (later public date) replaces dr1 in the chunk WCS');
SELECT is((SELECT metrics_mag_limit FROM pg_temp.vp), 24.7::float8, 'and in the plane Metrics');
SELECT ok((SELECT last_modified = now() AND max_last_modified = now() FROM pg_temp.vc), 'the changed chunk: lastModified and maxLastModified = now');
SELECT ok((SELECT last_modified = now() AND max_last_modified = now() FROM pg_temp.vp), 'the changed plane: both = now');
SELECT ok((SELECT bool_and(p.max_last_modified = now() AND a.max_last_modified = now() AND p.last_modified = '2000-01-01'
                           AND a.last_modified = '2000-01-01')
             FROM caom2.part p JOIN caom2.artifact a USING (artifact_id)
            WHERE a.lsst_dataset_id = 'b0000000-0000-4000-8000-000000000010'), 'its part and artifact: maxLastModified only');
SELECT ok((SELECT max_last_modified = now() AND last_modified = '2000-01-01' FROM caom2.observation
            WHERE obs_id = obsmeta.visit_obs_id('LSSTCam', 2025120100123)), 'its observation: maxLastModified only');
SELECT is((SELECT count(*)::int FROM caom2.chunk WHERE max_last_modified > '2000-01-01'), 1, 'other chunks untouched');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result WHERE visit = 2025120100123 AND detector = 10), 3,
          'three releases of the detector''s values are kept');

-- retraction restores the previous best, and undoing it brings dr2 back
SELECT lives_ok($$SELECT obsmeta.retract_release('dr2', 'bad photometric calibration')$$, 'retract dr2');
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.15::float8, 'retracting dr2 restores dr1 in the chunk');
SELECT is((SELECT metrics_mag_limit FROM pg_temp.vp), 24.6::float8, 'and in the plane');
SELECT is((SELECT release FROM rubin.detector_visit_current WHERE detector = 10), 'dr1', 'current view: dr1 again');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result WHERE release = 'dr2'), 1, 'the retracted rows stay');
SELECT throws_ok($$SELECT pg_temp.det(2025120100123, 11, 'dr2', 1.4, 10.3)$$, '55000', NULL,
                 'writing into a retracted release is refused');
SELECT obsmeta.retract_release('dr1', 'superseded') \g /dev/null
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.11::float8, 'retracting dr1 too: prompt returns');
SELECT is((SELECT release FROM rubin.visit_current), 'prompt', 'current visit view: prompt');
SELECT obsmeta.restore_release('dr1') \g /dev/null
SELECT obsmeta.restore_release('dr2') \g /dev/null
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.16::float8, 'restoring both: dr2 is current again');

-- a Data Release loaded before its public date: current for staff, not in CAOM2
INSERT INTO obsmeta.release (name, kind, public_date) VALUES ('dr3', 'data_release', NULL);
SELECT pg_temp.det(2025120100123, 10, 'dr3', 1.3, 10.17) \g /dev/null
SELECT is((SELECT release FROM rubin.detector_visit_current WHERE detector = 10), 'dr3',
          'an unscheduled DR is the current best for staff (it ranks above dated ones)');
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.16::float8,
          'but CAOM2 keeps the public best (dr2) until dr3 is public');
SELECT obsmeta.publish_release('dr3', now() + interval '30 days') \g /dev/null
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.16::float8, 'dated in the future: still dr2');
SELECT is(obsmeta.apply_releases(), 0, 'apply_releases has nothing to do before the date');
-- time passes (the date is moved without the release trigger, as if the clock had advanced)
ALTER TABLE obsmeta.release DISABLE TRIGGER rubin_release_changed;
UPDATE obsmeta.release SET public_date = now() - interval '1 minute' WHERE name = 'dr3';
ALTER TABLE obsmeta.release ENABLE ALWAYS TRIGGER rubin_release_changed;
SELECT is(obsmeta.apply_releases(), 1, 'after the date, apply_releases brings dr3 into CAOM2 (one chunk)');
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.17::float8, 'dr3 in the chunk');
SELECT ok((SELECT caom2_applied_at IS NOT NULL FROM obsmeta.release WHERE name = 'dr3'), 'and recorded in obsmeta.release');
SELECT is(obsmeta.apply_releases(), 0, 'a second call has nothing to do');

-- deleting a release's rows restores the previous best; a release with rows cannot be deleted
SELECT throws_ok($$DELETE FROM obsmeta.release WHERE name = 'dr3'$$, '23503', NULL, 'a release with results cannot be deleted');
DELETE FROM rubin.detector_visit_result WHERE release = 'dr3';
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.16::float8, 'deleting dr3''s rows: dr2 again');
SELECT lives_ok($$DELETE FROM obsmeta.release WHERE name = 'dr3'$$, 'an empty release can be deleted');
DELETE FROM rubin.detector_visit_result WHERE visit = 2025120100123 AND detector = 10;
SELECT ok((SELECT naxis IS NULL AND position_axis_axis1_ctype IS NULL AND position_resolution IS NULL
                  AND position_axis_function_cd11 IS NULL FROM pg_temp.vc),
          'no results left: the chunk WCS is cleared');

---------------------------------------------------------------------------------------------------
-- 6. Bad input: clear errors, nothing lost
---------------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT pg_temp.det(2025120100123, 10, 'dr9', 1.5, 10.0)$$, '23503',
                 'unknown release "dr9" in rubin.detector_visit_result', 'unknown release: 23503 naming it');
SELECT throws_ok($$SELECT pg_temp.vis(2025120100123, 'DR1', 1.5, 24.0)$$, '23503',
                 'unknown release "DR1" in rubin.visit_result', 'release names are exact');
SELECT throws_ok($$SELECT pg_temp.det(2025120100123, 999, 'prompt', 1.5, 10.0)$$, '23503',
                 'unknown detector 999 of instrument "LSSTCam" in rubin.detector_visit_result (visit 2025120100123)',
                 'unknown detector: 23503 naming detector, instrument and visit');
SELECT throws_ok($$INSERT INTO rubin.visit_result (instrument, visit, release) VALUES ('HSC', 1, 'prompt')$$, '23503',
                 'unknown instrument "HSC" in rubin.visit_result', 'unknown instrument');
SELECT throws_ok($$SELECT pg_temp.det(2025120100123, 10, 'prompt', 'NaN', 10.0)$$, '22003',
                 'psf_sigma must be a finite number >= 0 pixel, got NaN', 'NaN: 22003 naming the column');
SELECT throws_ok($$SELECT pg_temp.vis(2025120100123, 'prompt', 1.5, '-Infinity')$$, '22003',
                 'stats_mag_lim_median must be a finite number (mag), got -Infinity', 'infinity: 22003');
SELECT throws_ok($$SELECT pg_temp.det(2025120100123, 10, 'prompt', 1.5, 400)$$, '22003',
                 'wcs_crval1 must be a finite number in [0, 360] deg, got 400', 'out of range: 22003 with range and unit');
SELECT throws_ok($$INSERT INTO rubin.detector_visit_result (instrument, visit, detector, release, wcs_crval1)
                   VALUES ('LSSTCam', 2025120100123, 10, 'prompt', 10)$$, '23514', NULL, 'an incomplete WCS is refused');
SELECT throws_ok($$INSERT INTO obsmeta.release (name, kind, public_date) VALUES ('dr4', 'data_release', 'infinity')$$,
                 '23514', NULL, 'a release date must be finite');
SELECT throws_ok($$INSERT INTO obsmeta.release (name, kind) VALUES ('prompt2', 'prompt')$$, '23505', NULL, 'one prompt release');
SELECT throws_ok($$SELECT obsmeta.publish_release('prompt')$$, '22023', NULL, 'prompt has no public date');
-- nothing lost: a rejected statement leaves the transaction's earlier rows
SELECT pg_temp.det(2025120100123, 11, 'prompt', 1.7, 10.3) \g /dev/null
SELECT throws_ok($$SELECT pg_temp.det(2025120100123, 11, 'dr1', 'Infinity', 10.3)$$, '22003', NULL, 'Infinity is refused');
SELECT is((SELECT count(*)::int FROM rubin.detector_visit_result WHERE detector = 11), 1,
          'after a rejected statement the transaction''s earlier rows are kept');

-- the detector table may lag: while none of an instrument's detectors are mirrored, ids below
-- gen3.instrument.detector_max are accepted
DELETE FROM gen3.detector;
SELECT lives_ok($$SELECT pg_temp.det(2025120100123, 150, 'prompt', 1.7, 10.3)$$,
                'no detector mirrored yet: detector 150 < detector_max 1000 is accepted');
SELECT throws_ok($$SELECT pg_temp.det(2025120100123, 1000, 'prompt', 1.7, 10.3)$$, '23503', NULL,
                 'but not detector_max or above');

SELECT * FROM finish();
ROLLBACK;
