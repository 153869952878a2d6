# Sourced by scripts/sample.sh after the night is loaded (uses its q() and database obsmeta_sample).
# Prompt results for one visit, shown in CAOM2; then a Data Release 'dr1' with different values:
# the current best moves to dr1 (CAOM2 too), and both releases stay queryable.
echo
echo "== Prompt Processing results for one visit (release 'prompt'), plain SQL INSERT"
psql -X -q -v ON_ERROR_STOP=1 -d obsmeta_sample <<'SQL'
CREATE TEMP TABLE one_visit AS SELECT instrument, id AS visit FROM gen3.visit ORDER BY id LIMIT 1;
-- per detector: PSF, sky, zero point, limit, astrometric fit and its TAN WCS (centred on the footprint)
INSERT INTO rubin.detector_visit_result (instrument, visit, detector, release, psf_sigma, pixel_scale, psf_ixx, psf_iyy,
       psf_ixy, sky_bg, sky_noise, zero_point, stats_mag_lim, eff_time, astrom_offset_mean, astrom_offset_std, n_psf_star,
       wcs_naxis1, wcs_naxis2, wcs_crpix1, wcs_crpix2, wcs_crval1, wcs_crval2, wcs_cd1_1, wcs_cd1_2, wcs_cd2_1, wcs_cd2_2, run)
SELECT g.instrument, g.visit, g.detector, 'prompt', 1.85 + 0.0005 * g.detector, 0.2, 3.45, 3.30, 0.04, 1180, 34.5,
       31.15, 24.05, 24.0, 0.021, 0.011, 140, 4072, 4000, 2036.5, 2000.5,
       degrees(long(f.center)), degrees(lat(f.center)),
       -5.5555e-5, 0, 0, 5.5555e-5, 'LSSTCam/prompt/output'
  FROM gen3.visit_detector_region g JOIN one_visit v USING (instrument, visit)
  CROSS JOIN LATERAL obsmeta.footprint_summary(ARRAY[obsmeta.sphgeom_to_spoly(g.region)]) f;
INSERT INTO rubin.visit_result (instrument, visit, release, n_inputs, pixel_scale_median, psf_sigma_median, psf_ixx_median,
       psf_iyy_median, psf_ixy_median, sky_bg_median, sky_noise_median, zero_point_median, stats_mag_lim_median,
       eff_time_median, astrom_offset_mean_median, astrom_offset_std_median, n_psf_star_total,
       low_snr_source_count_total, high_snr_source_count_total, run)
SELECT instrument, visit, 'prompt', 189, 0.2, 1.9, 3.45, 3.30, 0.04, 1180, 34.5, 31.15, 24.05, 24.0, 0.021, 0.011, 26000,
       410000, 52000, 'LSSTCam/prompt/output' FROM one_visit;
SQL
cat > /tmp/obsmeta_sample_caom2.sql <<'SQL'
SELECT o.observation_id, round(p.position_resolution::numeric, 3) AS resolution_arcsec, p.metrics_mag_limit AS mag_limit,
       to_char(p.metrics_flux_density_limit, '9.99EEEE') AS "flux_lim (Jy)", to_char(p.metrics_background, '9.99EEEE') AS "bg (Jy/pix)",
       round(p.metrics_sample_snr::numeric, 1) AS sample_snr, round(p.metrics_source_number_density::numeric) AS "sources/deg2",
       p.last_modified
  FROM caom2.plane p JOIN caom2.observation o USING (obs_id)
 WHERE p.plane_id = (SELECT obsmeta.plane_id(obsmeta.visit_obs_id(instrument, id), 'visit_image') FROM gen3.visit ORDER BY id LIMIT 1);
SELECT c.lsst_detector, c.position_axis_axis1_ctype AS ctype1, round(c.position_axis_function_ref_coord_coord1_val::numeric, 5) AS crval1,
       round(c.position_axis_function_ref_coord_coord2_val::numeric, 5) AS crval2, c.position_axis_function_cd11 AS cd11,
       round(c.position_resolution::numeric, 3) AS resolution_arcsec
  FROM caom2.chunk c JOIN caom2.part pt USING (part_id) JOIN caom2.artifact a USING (artifact_id)
 WHERE a.plane_id = (SELECT obsmeta.plane_id(obsmeta.visit_obs_id(instrument, id), 'visit_image') FROM gen3.visit ORDER BY id LIMIT 1)
 ORDER BY c.lsst_detector LIMIT 3;
SQL
echo "== ... in CAOM2: the visit_image plane's Metrics and resolution, its chunks' WCS (3 of 189)"
psql -X -P pager=off -d obsmeta_sample -f /tmp/obsmeta_sample_caom2.sql

echo "== A Data Release 'dr1' recomputes them: registered, bulk-loaded (COPY-like INSERT ... SELECT), published"
psql -X -q -v ON_ERROR_STOP=1 -d obsmeta_sample <<'SQL'
INSERT INTO obsmeta.release (name, kind, public_date, description)
VALUES ('dr1', 'data_release', NULL, 'Data Release 1 (sample)');
INSERT INTO rubin.detector_visit_result (instrument, visit, detector, release, psf_sigma, pixel_scale, psf_ixx, psf_iyy,
       psf_ixy, sky_bg, sky_noise, zero_point, stats_mag_lim, eff_time, astrom_offset_mean, astrom_offset_std, n_psf_star,
       wcs_naxis1, wcs_naxis2, wcs_crpix1, wcs_crpix2, wcs_crval1, wcs_crval2, wcs_cd1_1, wcs_cd1_2, wcs_cd2_1, wcs_cd2_2, run)
SELECT instrument, visit, detector, 'dr1', psf_sigma * 0.95, 0.2, psf_ixx, psf_iyy, psf_ixy, sky_bg, sky_noise * 0.98,
       zero_point + 0.03, stats_mag_lim + 0.08, eff_time * 1.05, 0.009, 0.005, n_psf_star + 15, wcs_naxis1, wcs_naxis2,
       wcs_crpix1, wcs_crpix2, wcs_crval1 + 1.0e-5, wcs_crval2 - 0.5e-5, wcs_cd1_1, 1.0e-8, -1.0e-8, wcs_cd2_2, 'LSSTCam/DR1/output'
  FROM rubin.detector_visit_result WHERE release = 'prompt';
INSERT INTO rubin.visit_result (instrument, visit, release, n_inputs, pixel_scale_median, psf_sigma_median, psf_ixx_median,
       psf_iyy_median, psf_ixy_median, sky_bg_median, sky_noise_median, zero_point_median, stats_mag_lim_median,
       eff_time_median, astrom_offset_mean_median, astrom_offset_std_median, n_psf_star_total,
       low_snr_source_count_total, high_snr_source_count_total, run)
SELECT instrument, visit, 'dr1', n_inputs, pixel_scale_median, psf_sigma_median * 0.95, psf_ixx_median, psf_iyy_median,
       psf_ixy_median, sky_bg_median, sky_noise_median * 0.98, zero_point_median + 0.03, stats_mag_lim_median + 0.08,
       eff_time_median * 1.05, 0.009, 0.005, n_psf_star_total + 2800, low_snr_source_count_total + 30000,
       high_snr_source_count_total + 1500, 'LSSTCam/DR1/output'
  FROM rubin.visit_result WHERE release = 'prompt';
SQL
echo "-- loaded but not public yet: staff's current best is dr1, CAOM2 still shows prompt"
q "SELECT release, release_kind, round(psf_fwhm_median::numeric, 3) AS psf_fwhm_median, stats_mag_lim_median FROM rubin.visit_current"
q "SELECT obsmeta.publish_release('dr1') AS dr1_public_from"
echo "== After publishing dr1: CAOM2 carries dr1 (new values, lastModified moved)"
psql -X -P pager=off -d obsmeta_sample -f /tmp/obsmeta_sample_caom2.sql
echo "== Both releases stay queryable; compare them"
q "SELECT visit, release, round(psf_fwhm_median::numeric, 3) AS psf_fwhm_median, zero_point_median, stats_mag_lim_median, run
     FROM rubin.visit_result ORDER BY release DESC"
q "SELECT detector, round(psf_fwhm_a::numeric, 3) AS fwhm_prompt, round(psf_fwhm_b::numeric, 3) AS fwhm_dr1,
          round((stats_mag_lim_b - stats_mag_lim_a)::numeric, 3) AS dmaglim, round(wcs_offset_arcsec::numeric, 3) AS wcs_shift_arcsec
     FROM rubin.compare_detector_visit('prompt', 'dr1') ORDER BY detector LIMIT 3"
echo "== Retracting dr1 restores the prompt values in CAOM2 (the dr1 rows stay, for staff)"
q "SELECT obsmeta.retract_release('dr1', 'sample: retraction demo')"
q "SELECT release FROM rubin.visit_current"
q "SELECT metrics_mag_limit FROM caom2.plane
    WHERE plane_id = (SELECT obsmeta.plane_id(obsmeta.visit_obs_id(instrument, id), 'visit_image') FROM gen3.visit ORDER BY id LIMIT 1)"
q "SELECT obsmeta.restore_release('dr1')"
rm -f /tmp/obsmeta_sample_caom2.sql
