-- CAOM-2.4 import of an observation whose planes and chunks carry Rubin results (issue 2): the
-- document is stored exactly as given. The rubin triggers on caom2.plane / caom2.chunk
-- (48_rubin_into_caom2.rerunnable.sql) leave the rows an import writes alone, so the checksums verify and
-- export after import returns the same document; the Rubin results apply again at the next event
-- that re-decides them (here obsmeta.apply_rubin_results()). A replace keeps obsmeta's own columns
-- (Butler links, footprints, derived positions) of the entities it keeps.
BEGIN;
SELECT plan(26);
SET LOCAL obsmeta.conversion = 'statement';

CREATE FUNCTION pg_temp.det(release text, psf_sigma float8, crval1 float8, mag_lim float8) RETURNS void LANGUAGE sql AS $$
    INSERT INTO rubin.detector_visit_result (instrument, visit, detector, release, psf_sigma, pixel_scale,
        psf_ixx, psf_iyy, psf_ixy, sky_bg, sky_noise, zero_point, stats_mag_lim, eff_time, astrom_offset_mean,
        astrom_offset_std, n_psf_star, wcs_naxis1, wcs_naxis2, wcs_crpix1, wcs_crpix2, wcs_crval1, wcs_crval2,
        wcs_cd1_1, wcs_cd1_2, wcs_cd2_1, wcs_cd2_2, run)
    VALUES ('LSSTCam', 2025120100123, 10, release, psf_sigma, 0.2, 3.3, 3.1, 0.05, 1200, 35, 31.2, mag_lim, 25.0,
            0.018, 0.009, 120, 4072, 4000, 2036.5, 2000.5, crval1, -29.9, -5.5e-5, 0, 0, 5.5e-5, 'run/' || release) $$;
CREATE FUNCTION pg_temp.vis(release text, psf_sigma float8, mag_lim float8) RETURNS void LANGUAGE sql AS $$
    INSERT INTO rubin.visit_result (instrument, visit, release, n_inputs, pixel_scale_median, psf_sigma_median,
        sky_bg_median, sky_noise_median, zero_point_median, stats_mag_lim_median, eff_time_median,
        low_snr_source_count_total, high_snr_source_count_total, run)
    VALUES ('LSSTCam', 2025120100123, release, 1, 0.2, psf_sigma, 1200, 40, 31.2, mag_lim, 25.0, 3000, 500, 'run/' || release) $$;
CREATE VIEW pg_temp.vp AS SELECT * FROM caom2.plane
 WHERE plane_id = obsmeta.plane_id(obsmeta.visit_obs_id('LSSTCam', 2025120100123), 'visit_image');
CREATE VIEW pg_temp.vc AS SELECT c.* FROM caom2.chunk c JOIN caom2.part pt USING (part_id)
  JOIN caom2.artifact a USING (artifact_id) WHERE a.lsst_dataset_id = 'b0000000-0000-4000-8000-000000000010';
SELECT obsmeta.visit_obs_id('LSSTCam', 2025120100123) AS visit \gset

-- 1. A converted visit with prompt results applied
INSERT INTO gen3.instrument (name, detector_max) VALUES ('LSSTCam', 1000);
INSERT INTO gen3.detector (instrument, id, full_name) VALUES ('LSSTCam', 10, 'R02_S01'), ('LSSTCam', 11, 'R02_S02');
\ir fixtures/lsstcam_visit.psql
SELECT pg_temp.det('prompt', 1.8, 10.10, 24.1), pg_temp.vis('prompt', 1.8, 24.1) \g /dev/null
SELECT is((SELECT metrics_mag_limit FROM pg_temp.vp), 24.1::float8, 'the visit_image plane carries the prompt magLimit');
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.10::float8,
          'its chunk the prompt astrometric solution');
SELECT ok((SELECT metrics_source_number_density IS NOT NULL FROM pg_temp.vp), 'and a source density (from the plane area)');
SELECT is_empty(format('SELECT * FROM caom2.verify_checksums(%L)', :'visit'), 'the converted visit''s checksums verify');
SELECT caom2.observation_xml(:'visit'::uuid)::text AS doc \gset
SELECT ctid AS converted_row FROM caom2.plane WHERE plane_id = (SELECT plane_id FROM pg_temp.vp) \gset
CREATE TEMP TABLE obscore_before AS SELECT o::text AS r FROM ivoa.obscore o;

-- 2. Export, import with replace: stored as given
SELECT lives_ok(format('SELECT caom2.import_observation_xml(%L, replace => true)', :'doc'),
                'the exported document imports with replace => true');
SELECT isnt((SELECT ctid FROM caom2.plane WHERE plane_id = (SELECT plane_id FROM pg_temp.vp)), :'converted_row'::tid, 'its plane row was written by the import');
SELECT is_empty(format('SELECT * FROM caom2.verify_checksums(%L)', :'visit'), 'the imported rows'' checksums verify');
SELECT is(caom2.observation_xml(:'visit'::uuid)::text, :'doc', 'export after import returns the original document');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation from CAOM2');
SELECT is((SELECT lsst_detector FROM pg_temp.vc), 10,
          'the chunk keeps its Butler detector (an obsmeta column the document does not carry)');
SELECT set_eq('SELECT o::text FROM ivoa.obscore o', 'SELECT r FROM obscore_before',
              'the replace leaves the visit''s ObsCore rows as they were');
SELECT is(coalesce(current_setting('obsmeta.caom2_import', true), 'undefined'), 'off', 'the import''s guard does not outlive the import');
SELECT throws_ok($$SELECT set_config('obsmeta.caom2_import', 'on', true)$$, '55P02', NULL,
                 'a session cannot switch the guard on');

-- 3. The document wins over newer results; the results apply again when re-decided
INSERT INTO obsmeta.release (name, kind, public_date) VALUES ('dr1', 'data_release', now() - interval '1 day');
SELECT pg_temp.det('dr1', 1.5, 10.15, 24.6), pg_temp.vis('dr1', 1.5, 24.6) \g /dev/null
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.15::float8,
          'after the import, new results still apply (dr1 chunk WCS)');
SELECT is((SELECT metrics_mag_limit FROM pg_temp.vp), 24.6::float8, '... and dr1 plane Metrics');
SELECT lives_ok(format('SELECT caom2.import_observation_xml(%L, replace => true)', :'doc'),
                'the prompt-valued document imports over them');
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.10::float8,
          'the chunk keeps the document''s values (not the current best)');
SELECT is((SELECT metrics_mag_limit FROM pg_temp.vp), 24.1::float8, '... and so does the plane');
SELECT is_empty(format('SELECT * FROM caom2.verify_checksums(%L)', :'visit'), 'its checksums verify');
SELECT is(caom2.observation_xml(:'visit'::uuid)::text, :'doc', 'export returns the imported document');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore follows the imported values');
SELECT ok(obsmeta.apply_rubin_results() > 0, 'obsmeta.apply_rubin_results() re-decides them');
SELECT is((SELECT position_axis_function_ref_coord_coord1_val FROM pg_temp.vc), 10.15::float8, 'the chunk has dr1 again');
SELECT is((SELECT metrics_mag_limit FROM pg_temp.vp), 24.6::float8, '... and the plane');
SELECT is_empty(format('SELECT * FROM caom2.verify_checksums(%L)', :'visit'), 'checksums verify');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore follows');

SELECT * FROM finish();
ROLLBACK;
