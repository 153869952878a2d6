-- obsmeta install script, part 47: Rubin image-processing results (schema rubin).
--
-- What the observatory's Exposure and Visit tables held beyond CAOM2 — achieved image quality,
-- astrometric solutions, photometric zero points — as tables joinable to CAOM2, one row per
-- (instrument, visit[, detector], release). Column names, units and descriptions follow Rubin's
-- consolidated database (sdm_schemas cdb_lsstcam: ccdvisit1_quicklook, visit1_quicklook, exposure).
-- Prompt Processing writes its rows tagged 'prompt' with plain SQL (INSERT ... ON CONFLICT DO
-- UPDATE revises them); a Data Release bulk-loads its rows (COPY) tagged with its name. Every
-- release's rows stay: rubin.*_current pick the current best (46_releases.sql), CAOM2 carries the
-- public current best (48_rubin_into_caom2.rerunnable.sql).
--
-- Input checks: every measured value must be finite and in range (obsmeta.check_measurement,
-- 22003, naming column, range, unit and value; NULL means "not measured"); the WCS is all or
-- nothing; the release must be registered and not retracted; the instrument configured; the
-- detector known (statement trigger rubin_check_*, 23503 / 55000). Results for a visit that is not
-- mirrored or converted yet are accepted and kept: they reach CAOM2 when its plane appears.

-- The CHECK helper obsmeta.check_measurement: 47_rubin_checks.rerunnable.sql (runs first).

CREATE SCHEMA rubin;
COMMENT ON SCHEMA rubin IS
  'Rubin extension tables joinable to CAOM2: image-processing results per visit and detector and release, exposure/visit content';
GRANT USAGE ON SCHEMA rubin TO obsmeta_writer, obsmeta_staff, obsmeta_reader, obsmeta_release_manager;

---------------------------------------------------------------------------------------------------
-- Results per detector and visit (consdb ccdvisit1_quicklook + the astrometric solution)
---------------------------------------------------------------------------------------------------
CREATE TABLE rubin.detector_visit_result (
    instrument                   text NOT NULL,
    visit                        bigint NOT NULL,
    detector                     integer NOT NULL,
    release                      text NOT NULL,
    s_ra                         double precision CHECK (obsmeta.check_measurement('s_ra', s_ra, 0, 360, 'deg')),
    s_dec                        double precision CHECK (obsmeta.check_measurement('s_dec', s_dec, -90, 90, 'deg')),
    zenith_distance              double precision CHECK (obsmeta.check_measurement('zenith_distance', zenith_distance, 0, 180, 'deg')),
    photometric_calib            double precision CHECK (obsmeta.check_measurement('photometric_calib', photometric_calib, 0, NULL, 'nJy/count')),
    psf_sigma                    double precision CHECK (obsmeta.check_measurement('psf_sigma', psf_sigma, 0, NULL, 'pixel')),
    psf_area                     double precision CHECK (obsmeta.check_measurement('psf_area', psf_area, 0, NULL, 'pixel**2')),
    psf_ixx                      double precision CHECK (obsmeta.check_measurement('psf_ixx', psf_ixx, 0, NULL, 'pixel**2')),
    psf_ixy                      double precision CHECK (obsmeta.check_measurement('psf_ixy', psf_ixy, NULL, NULL, 'pixel**2')),
    psf_iyy                      double precision CHECK (obsmeta.check_measurement('psf_iyy', psf_iyy, 0, NULL, 'pixel**2')),
    pixel_scale                  double precision CHECK (obsmeta.check_measurement('pixel_scale', pixel_scale, 0, NULL, 'arcsec/pixel')),
    sky_bg                       double precision CHECK (obsmeta.check_measurement('sky_bg', sky_bg, NULL, NULL, 'count')),
    sky_noise                    double precision CHECK (obsmeta.check_measurement('sky_noise', sky_noise, 0, NULL, 'count')),
    zero_point                   double precision CHECK (obsmeta.check_measurement('zero_point', zero_point, NULL, NULL, 'mag')),
    stats_mag_lim                double precision CHECK (obsmeta.check_measurement('stats_mag_lim', stats_mag_lim, NULL, NULL, 'mag')),
    eff_time                     double precision CHECK (obsmeta.check_measurement('eff_time', eff_time, 0, NULL, 's')),
    eff_time_psf_sigma_scale     double precision CHECK (obsmeta.check_measurement('eff_time_psf_sigma_scale', eff_time_psf_sigma_scale, 0, NULL, '')),
    eff_time_sky_bg_scale        double precision CHECK (obsmeta.check_measurement('eff_time_sky_bg_scale', eff_time_sky_bg_scale, 0, NULL, '')),
    eff_time_zero_point_scale    double precision CHECK (obsmeta.check_measurement('eff_time_zero_point_scale', eff_time_zero_point_scale, 0, NULL, '')),
    mean_var                     double precision CHECK (obsmeta.check_measurement('mean_var', mean_var, 0, NULL, 'count**2')),
    astrom_offset_mean           double precision CHECK (obsmeta.check_measurement('astrom_offset_mean', astrom_offset_mean, 0, NULL, 'arcsec')),
    astrom_offset_std            double precision CHECK (obsmeta.check_measurement('astrom_offset_std', astrom_offset_std, 0, NULL, 'arcsec')),
    n_psf_star                   integer CHECK (obsmeta.check_nonnegative('n_psf_star', n_psf_star::bigint)),
    n_astrom_star                integer CHECK (obsmeta.check_nonnegative('n_astrom_star', n_astrom_star::bigint)),
    low_snr_source_count         integer CHECK (obsmeta.check_nonnegative('low_snr_source_count', low_snr_source_count::bigint)),
    high_snr_source_count        integer CHECK (obsmeta.check_nonnegative('high_snr_source_count', high_snr_source_count::bigint)),
    psf_star_delta_e1_median     double precision CHECK (obsmeta.check_measurement('psf_star_delta_e1_median', psf_star_delta_e1_median, NULL, NULL, '')),
    psf_star_delta_e2_median     double precision CHECK (obsmeta.check_measurement('psf_star_delta_e2_median', psf_star_delta_e2_median, NULL, NULL, '')),
    wcs_ctype1                   text NOT NULL DEFAULT 'RA---TAN',
    wcs_ctype2                   text NOT NULL DEFAULT 'DEC--TAN',
    wcs_naxis1                   integer CHECK (obsmeta.check_nonnegative('wcs_naxis1', wcs_naxis1::bigint) AND obsmeta.check_measurement('wcs_naxis1', wcs_naxis1, 1, NULL, 'pixel')),
    wcs_naxis2                   integer CHECK (obsmeta.check_nonnegative('wcs_naxis2', wcs_naxis2::bigint) AND obsmeta.check_measurement('wcs_naxis2', wcs_naxis2, 1, NULL, 'pixel')),
    wcs_crpix1                   double precision CHECK (obsmeta.check_measurement('wcs_crpix1', wcs_crpix1, NULL, NULL, 'pixel')),
    wcs_crpix2                   double precision CHECK (obsmeta.check_measurement('wcs_crpix2', wcs_crpix2, NULL, NULL, 'pixel')),
    wcs_crval1                   double precision CHECK (obsmeta.check_measurement('wcs_crval1', wcs_crval1, 0, 360, 'deg')),
    wcs_crval2                   double precision CHECK (obsmeta.check_measurement('wcs_crval2', wcs_crval2, -90, 90, 'deg')),
    wcs_cd1_1                    double precision CHECK (obsmeta.check_measurement('wcs_cd1_1', wcs_cd1_1, NULL, NULL, 'deg/pixel')),
    wcs_cd1_2                    double precision CHECK (obsmeta.check_measurement('wcs_cd1_2', wcs_cd1_2, NULL, NULL, 'deg/pixel')),
    wcs_cd2_1                    double precision CHECK (obsmeta.check_measurement('wcs_cd2_1', wcs_cd2_1, NULL, NULL, 'deg/pixel')),
    wcs_cd2_2                    double precision CHECK (obsmeta.check_measurement('wcs_cd2_2', wcs_cd2_2, NULL, NULL, 'deg/pixel')),
    run                          text,
    loaded_at                    timestamptz NOT NULL DEFAULT now(),
    -- derived (stored): FWHM and ellipticity of the PSF, the CAOM2 keys
    psf_fwhm                     double precision GENERATED ALWAYS AS (
        2.3548200450309493 * psf_sigma
        * coalesce(pixel_scale, 3600.0 * sqrt(abs(wcs_cd1_1 * wcs_cd2_2 - wcs_cd1_2 * wcs_cd2_1)))) STORED,
    psf_e1                       double precision GENERATED ALWAYS AS ((psf_ixx - psf_iyy) / nullif(psf_ixx + psf_iyy, 0)) STORED,
    psf_e2                       double precision GENERATED ALWAYS AS (2.0 * psf_ixy / nullif(psf_ixx + psf_iyy, 0)) STORED,
    psf_e                        double precision GENERATED ALWAYS AS (
        sqrt((psf_ixx - psf_iyy) ^ 2 + 4.0 * psf_ixy ^ 2) / nullif(psf_ixx + psf_iyy, 0)) STORED,
    obs_id                       uuid GENERATED ALWAYS AS (obsmeta.visit_obs_id(instrument, visit)) STORED,
    plane_id                     uuid GENERATED ALWAYS AS (
        obsmeta.plane_id(obsmeta.visit_obs_id(instrument, visit), 'visit_image')) STORED,
    PRIMARY KEY (instrument, visit, detector, release),
    CONSTRAINT detector_visit_result_wcs_complete CHECK (
        num_nulls(wcs_naxis1, wcs_naxis2, wcs_crpix1, wcs_crpix2, wcs_crval1, wcs_crval2,
                  wcs_cd1_1, wcs_cd1_2, wcs_cd2_1, wcs_cd2_2) IN (0, 10)),
    CONSTRAINT detector_visit_result_wcs_invertible CHECK (
        wcs_cd1_1 IS NULL OR wcs_cd1_1 * wcs_cd2_2 - wcs_cd1_2 * wcs_cd2_1 <> 0),
    CONSTRAINT detector_visit_result_wcs_ctype CHECK (
        wcs_ctype1 ~ '^RA--' AND wcs_ctype2 ~ '^DEC-' AND length(wcs_ctype1) = 8 AND length(wcs_ctype2) = 8)
);
CREATE INDEX detector_visit_result_plane_idx ON rubin.detector_visit_result (plane_id, detector);
CREATE INDEX detector_visit_result_release_idx ON rubin.detector_visit_result (release);

COMMENT ON TABLE rubin.detector_visit_result IS
  'Image-processing results per detector, visit and release (consdb ccdvisit1_quicklook columns, plus the astrometric solution); written by Prompt Processing (release prompt) and Data Releases';
COMMENT ON COLUMN rubin.detector_visit_result.instrument IS 'Instrument name (gen3.instrument.name), e.g. LSSTCam';
COMMENT ON COLUMN rubin.detector_visit_result.visit IS 'Identifier of the visit (gen3.visit.id)';
COMMENT ON COLUMN rubin.detector_visit_result.detector IS 'Number of the detector in the focal plane (gen3.detector.id)';
COMMENT ON COLUMN rubin.detector_visit_result.release IS 'Release that produced the values (obsmeta.release.name): prompt, dp1, dr1, ...';
COMMENT ON COLUMN rubin.detector_visit_result.s_ra IS 'Central Spatial Position in ICRS; computed right ascension of the detector center. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.s_dec IS 'Central Spatial Position in ICRS; computed declination of the detector center. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.zenith_distance IS 'Zenith distance at observation mid-point. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.photometric_calib IS 'Conversion from DN to nanojansky. [nJy/count]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_sigma IS 'PSF model second-moments determinant radius (center of chip). [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_area IS 'PSF area. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_ixx IS 'PSF Ixx moment. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_ixy IS 'PSF Ixy moment. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_iyy IS 'PSF Iyy moment. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.pixel_scale IS 'Measured detector pixel scale. [arcsec/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.sky_bg IS 'Average sky background. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.sky_noise IS 'RMS noise of the sky background. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.zero_point IS 'Photometric zero point: AB magnitude of a source giving one count (DN) in the image. [mag]';
COMMENT ON COLUMN rubin.detector_visit_result.stats_mag_lim IS 'Magnitude limit at fixed SNR (default SNR=5) calculated from exposure summary stats (AB). [mag]';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time IS 'Effective exposure time calculated from PSF sigma, sky background, and zero point. [s]';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time_psf_sigma_scale IS 'Scale factor for effective exposure time based on PSF sigma.';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time_sky_bg_scale IS 'Scale factor for effective exposure time based on sky background.';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time_zero_point_scale IS 'Scale factor for effective exposure time based on zero point.';
COMMENT ON COLUMN rubin.detector_visit_result.mean_var IS 'Mean of the variance plane. [count**2]';
COMMENT ON COLUMN rubin.detector_visit_result.astrom_offset_mean IS 'Mean offset of astrometric calibration matches. [arcsec]';
COMMENT ON COLUMN rubin.detector_visit_result.astrom_offset_std IS 'Standard deviation of offsets of astrometric calibration matches. [arcsec]';
COMMENT ON COLUMN rubin.detector_visit_result.n_psf_star IS 'Number of stars used for PSF model. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.n_astrom_star IS 'Number of reference-catalog matches used for the astrometric fit (obsmeta; not in consdb). [count]';
COMMENT ON COLUMN rubin.detector_visit_result.low_snr_source_count IS 'Count of low signal-to-noise-ratio sources. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.high_snr_source_count IS 'Count of high signal-to-noise-ratio sources. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_star_delta_e1_median IS 'Median E1 residual (starE1 - psfE1) for PSF stars.';
COMMENT ON COLUMN rubin.detector_visit_result.psf_star_delta_e2_median IS 'Median E2 residual (starE2 - psfE2) for PSF stars.';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_ctype1 IS 'Astrometric solution: FITS CTYPE1 of the first sky axis (default RA---TAN).';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_ctype2 IS 'Astrometric solution: FITS CTYPE2 of the second sky axis (default DEC--TAN).';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_naxis1 IS 'Astrometric solution: image width NAXIS1. [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_naxis2 IS 'Astrometric solution: image height NAXIS2. [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crpix1 IS 'Astrometric solution: reference pixel CRPIX1 (FITS, 1-based). [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crpix2 IS 'Astrometric solution: reference pixel CRPIX2 (FITS, 1-based). [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crval1 IS 'Astrometric solution: ICRS right ascension CRVAL1 at the reference pixel. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crval2 IS 'Astrometric solution: ICRS declination CRVAL2 at the reference pixel. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd1_1 IS 'Astrometric solution: linear transformation matrix element CD1_1. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd1_2 IS 'Astrometric solution: CD1_2. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd2_1 IS 'Astrometric solution: CD2_1. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd2_2 IS 'Astrometric solution: CD2_2. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.run IS 'Butler RUN collection that produced the values (provenance)';
COMMENT ON COLUMN rubin.detector_visit_result.loaded_at IS 'When the row was written';
COMMENT ON COLUMN rubin.detector_visit_result.psf_fwhm IS
  'DERIVED: PSF FWHM = 2 sqrt(2 ln 2) psf_sigma pixel_scale (pixel scale from the WCS when pixel_scale is NULL) [arcsec]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_e1 IS 'DERIVED: PSF ellipticity (distortion) e1 = (Ixx - Iyy) / (Ixx + Iyy)';
COMMENT ON COLUMN rubin.detector_visit_result.psf_e2 IS 'DERIVED: PSF ellipticity (distortion) e2 = 2 Ixy / (Ixx + Iyy)';
COMMENT ON COLUMN rubin.detector_visit_result.psf_e IS 'DERIVED: PSF ellipticity modulus sqrt(e1^2 + e2^2)';
COMMENT ON COLUMN rubin.detector_visit_result.obs_id IS 'DERIVED: caom2.observation.obs_id of the visit (obsmeta.visit_obs_id)';
COMMENT ON COLUMN rubin.detector_visit_result.plane_id IS 'DERIVED: caom2.plane.plane_id of the visit''s visit_image plane';

---------------------------------------------------------------------------------------------------
-- Results per visit (consdb visit1_quicklook: medians and totals across detectors)
---------------------------------------------------------------------------------------------------
CREATE TABLE rubin.visit_result (
    instrument                   text NOT NULL,
    visit                        bigint NOT NULL,
    release                      text NOT NULL,
    n_inputs                     integer CHECK (obsmeta.check_nonnegative('n_inputs', n_inputs::bigint)),
    pixel_scale_median           double precision CHECK (obsmeta.check_measurement('pixel_scale_median', pixel_scale_median, 0, NULL, 'arcsec/pixel')),
    psf_sigma_median             double precision CHECK (obsmeta.check_measurement('psf_sigma_median', psf_sigma_median, 0, NULL, 'pixel')),
    psf_area_median              double precision CHECK (obsmeta.check_measurement('psf_area_median', psf_area_median, 0, NULL, 'pixel**2')),
    psf_ixx_median               double precision CHECK (obsmeta.check_measurement('psf_ixx_median', psf_ixx_median, 0, NULL, 'pixel**2')),
    psf_ixy_median               double precision CHECK (obsmeta.check_measurement('psf_ixy_median', psf_ixy_median, NULL, NULL, 'pixel**2')),
    psf_iyy_median               double precision CHECK (obsmeta.check_measurement('psf_iyy_median', psf_iyy_median, 0, NULL, 'pixel**2')),
    sky_bg_median                double precision CHECK (obsmeta.check_measurement('sky_bg_median', sky_bg_median, NULL, NULL, 'count')),
    sky_noise_median             double precision CHECK (obsmeta.check_measurement('sky_noise_median', sky_noise_median, 0, NULL, 'count')),
    zero_point_median            double precision CHECK (obsmeta.check_measurement('zero_point_median', zero_point_median, NULL, NULL, 'mag')),
    stats_mag_lim_median         double precision CHECK (obsmeta.check_measurement('stats_mag_lim_median', stats_mag_lim_median, NULL, NULL, 'mag')),
    eff_time_median              double precision CHECK (obsmeta.check_measurement('eff_time_median', eff_time_median, 0, NULL, 's')),
    mean_var_median              double precision CHECK (obsmeta.check_measurement('mean_var_median', mean_var_median, 0, NULL, 'count**2')),
    astrom_offset_mean_median    double precision CHECK (obsmeta.check_measurement('astrom_offset_mean_median', astrom_offset_mean_median, 0, NULL, 'arcsec')),
    astrom_offset_std_median     double precision CHECK (obsmeta.check_measurement('astrom_offset_std_median', astrom_offset_std_median, 0, NULL, 'arcsec')),
    astrom_ra                    double precision CHECK (obsmeta.check_measurement('astrom_ra', astrom_ra, 0, 360, 'deg')),
    astrom_dec                   double precision CHECK (obsmeta.check_measurement('astrom_dec', astrom_dec, -90, 90, 'deg')),
    astrom_sky_rotation          double precision CHECK (obsmeta.check_measurement('astrom_sky_rotation', astrom_sky_rotation, NULL, NULL, 'deg')),
    n_psf_star_median            integer CHECK (obsmeta.check_nonnegative('n_psf_star_median', n_psf_star_median::bigint)),
    n_psf_star_total             integer CHECK (obsmeta.check_nonnegative('n_psf_star_total', n_psf_star_total::bigint)),
    low_snr_source_count_total   integer CHECK (obsmeta.check_nonnegative('low_snr_source_count_total', low_snr_source_count_total::bigint)),
    high_snr_source_count_total  integer CHECK (obsmeta.check_nonnegative('high_snr_source_count_total', high_snr_source_count_total::bigint)),
    run                          text,
    loaded_at                    timestamptz NOT NULL DEFAULT now(),
    psf_fwhm_median              double precision GENERATED ALWAYS AS (
        2.3548200450309493 * psf_sigma_median * pixel_scale_median) STORED,
    psf_e1_median                double precision GENERATED ALWAYS AS (
        (psf_ixx_median - psf_iyy_median) / nullif(psf_ixx_median + psf_iyy_median, 0)) STORED,
    psf_e2_median                double precision GENERATED ALWAYS AS (
        2.0 * psf_ixy_median / nullif(psf_ixx_median + psf_iyy_median, 0)) STORED,
    obs_id                       uuid GENERATED ALWAYS AS (obsmeta.visit_obs_id(instrument, visit)) STORED,
    plane_id                     uuid GENERATED ALWAYS AS (
        obsmeta.plane_id(obsmeta.visit_obs_id(instrument, visit), 'visit_image')) STORED,
    PRIMARY KEY (instrument, visit, release)
);
CREATE INDEX visit_result_plane_idx ON rubin.visit_result (plane_id);
CREATE INDEX visit_result_release_idx ON rubin.visit_result (release);

COMMENT ON TABLE rubin.visit_result IS
  'Image-processing results per visit and release (consdb visit1_quicklook columns: medians and totals across detectors); written by Prompt Processing (release prompt) and Data Releases';
COMMENT ON COLUMN rubin.visit_result.instrument IS 'Instrument name (gen3.instrument.name), e.g. LSSTCam';
COMMENT ON COLUMN rubin.visit_result.visit IS 'Identifier of the visit (gen3.visit.id)';
COMMENT ON COLUMN rubin.visit_result.release IS 'Release that produced the values (obsmeta.release.name): prompt, dp1, dr1, ...';
COMMENT ON COLUMN rubin.visit_result.n_inputs IS 'Number of CCDs used to compute the visit aggregates. [count]';
COMMENT ON COLUMN rubin.visit_result.pixel_scale_median IS 'Measured detector pixel scale (median across all detectors). [arcsec/pixel]';
COMMENT ON COLUMN rubin.visit_result.psf_sigma_median IS 'PSF sigma (median across all detectors). [pixel]';
COMMENT ON COLUMN rubin.visit_result.psf_area_median IS 'PSF area (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.psf_ixx_median IS 'PSF Ixx moment (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.psf_ixy_median IS 'PSF Ixy moment (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.psf_iyy_median IS 'PSF Iyy moment (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.sky_bg_median IS 'Average sky background (median across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.sky_noise_median IS 'RMS noise of the sky background (median across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.zero_point_median IS 'Photometric zero point (median across all detectors): AB magnitude of a source giving one count. [mag]';
COMMENT ON COLUMN rubin.visit_result.stats_mag_lim_median IS 'Magnitude limit at fixed SNR (default SNR=5) calculated from exposure summary stats (median across all detectors; AB). [mag]';
COMMENT ON COLUMN rubin.visit_result.eff_time_median IS 'Effective exposure time (median across all detectors). [s]';
COMMENT ON COLUMN rubin.visit_result.mean_var_median IS 'Mean of the variance plane (median across all detectors). [count**2]';
COMMENT ON COLUMN rubin.visit_result.astrom_offset_mean_median IS 'Mean offset of astrometric calibration matches (median across all detectors). [arcsec]';
COMMENT ON COLUMN rubin.visit_result.astrom_offset_std_median IS 'Standard deviation of offsets of astrometric calibration matches (median across all detectors). [arcsec]';
COMMENT ON COLUMN rubin.visit_result.astrom_ra IS 'Central Spatial Position in ICRS; right ascension of the center of the central CCD from the astrometric fit. [deg]';
COMMENT ON COLUMN rubin.visit_result.astrom_dec IS 'Central Spatial Position in ICRS; declination of the center of the central CCD from the astrometric fit. [deg]';
COMMENT ON COLUMN rubin.visit_result.astrom_sky_rotation IS 'Fitted sky rotation angle based on plate solving (compare rubin.exposure.sky_rotation, the targeted one). [deg]';
COMMENT ON COLUMN rubin.visit_result.n_psf_star_median IS 'Number of stars used for PSF model (median across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.n_psf_star_total IS 'Number of stars used for PSF model (total across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.low_snr_source_count_total IS 'Count of low signal-to-noise-ratio sources (total across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.high_snr_source_count_total IS 'Count of high signal-to-noise-ratio sources (total across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.run IS 'Butler RUN collection that produced the values (provenance)';
COMMENT ON COLUMN rubin.visit_result.loaded_at IS 'When the row was written';
COMMENT ON COLUMN rubin.visit_result.psf_fwhm_median IS
  'DERIVED: PSF FWHM from the medians, 2 sqrt(2 ln 2) psf_sigma_median pixel_scale_median [arcsec]';
COMMENT ON COLUMN rubin.visit_result.psf_e1_median IS 'DERIVED: PSF ellipticity e1 from the median moments';
COMMENT ON COLUMN rubin.visit_result.psf_e2_median IS 'DERIVED: PSF ellipticity e2 from the median moments';
COMMENT ON COLUMN rubin.visit_result.obs_id IS 'DERIVED: caom2.observation.obs_id of the visit (obsmeta.visit_obs_id)';
COMMENT ON COLUMN rubin.visit_result.plane_id IS 'DERIVED: caom2.plane.plane_id of the visit''s visit_image plane';

SELECT pg_catalog.pg_extension_config_dump('rubin.detector_visit_result', '');
SELECT pg_catalog.pg_extension_config_dump('rubin.visit_result', '');

-- The input-check trigger, the current-best and comparison views and functions, rubin.exposure
-- and rubin.visit: 47_rubin_results_functions.rerunnable.sql (runs after this file).

---------------------------------------------------------------------------------------------------
-- Who sees which rows
---------------------------------------------------------------------------------------------------
-- Staff, writers, superusers: every row. Everyone else: a row of a visible release (not retracted;
-- prompt, or a Data Release past its public_date) whose image (the visit's observation) is public:
-- released and not held. (So a Data Release's rows appear at its public date, or later if the
-- image itself is still embargoed or held; prompt rows appear with the image.)
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['detector_visit_result', 'visit_result'] LOOP
        EXECUTE format('ALTER TABLE rubin.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY result_visible ON rubin.%I FOR SELECT TO PUBLIC
                          USING ((SELECT obsmeta.sees_everything())
                                 OR (release = ANY ((SELECT obsmeta.visible_releases())::text[]) AND obsmeta.observation_public(obs_id)))$p$, t);
        EXECUTE format('CREATE POLICY result_writer ON rubin.%I FOR ALL TO obsmeta_writer USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$policies$;

GRANT SELECT ON rubin.detector_visit_result, rubin.visit_result TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
GRANT INSERT, UPDATE, DELETE ON rubin.detector_visit_result, rubin.visit_result TO obsmeta_writer;
