-- obsmeta install script, part 47: Rubin image-processing results (schema rubin).
--
-- What the observatory's Exposure and Visit tables held beyond CAOM2 — achieved image quality,
-- astrometric solutions, photometric zero points — as tables joinable to CAOM2, one row per
-- (instrument, visit[, detector], release). Column names, units and descriptions follow Rubin's
-- consolidated database (sdm_schemas cdb_lsstcam: ccdvisit1_quicklook, visit1_quicklook, exposure).
-- Prompt Processing writes its rows tagged 'prompt' with plain SQL (INSERT ... ON CONFLICT DO
-- UPDATE revises them); a Data Release bulk-loads its rows (COPY) tagged with its name. Every
-- release's rows stay: rubin.*_current pick the current best (46_releases.sql), CAOM2 carries the
-- public current best (48_rubin_into_caom2.sql).
--
-- Input checks: every measured value must be finite and in range (obsmeta.check_measurement,
-- 22003, naming column, range, unit and value; NULL means "not measured"); the WCS is all or
-- nothing; the release must be registered and not retracted; the instrument configured; the
-- detector known (statement trigger rubin_check_*, 23503 / 55000). Results for a visit that is not
-- mirrored or converted yet are accepted and kept: they reach CAOM2 when its plane appears.

-- true for NULL or a finite value in [low, high] (NULL bounds: unbounded); otherwise 22003 naming
-- the column, the range with its unit and the value (C++: src/input_checks/rubin_result_checks.cpp).
CREATE FUNCTION obsmeta.check_measurement(name text, value double precision, low double precision,
                                          high double precision, unit text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_measurement' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.check_measurement(text, double precision, double precision, double precision, text) IS
  'CHECK helper: true for NULL or a finite value in [low, high]; otherwise an error naming column, range, unit and value';

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

---------------------------------------------------------------------------------------------------
-- Input checks that need other tables: one set-based pass over each statement's rows
---------------------------------------------------------------------------------------------------
CREATE FUNCTION obsmeta.rubin_check_results() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bad record;
    tab text := TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
BEGIN
    SELECT n.instrument INTO bad FROM (SELECT DISTINCT instrument FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM obsmeta.instrument_config c WHERE c.instrument = n.instrument) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown instrument "%" in %', bad.instrument, tab USING ERRCODE = '23503',
              HINT = 'Results are accepted for the instruments configured in obsmeta.instrument_config.';
    END IF;

    SELECT n.release, r.name IS NULL AS unknown INTO bad
      FROM (SELECT DISTINCT release FROM new_rows) n LEFT JOIN obsmeta.release r ON r.name = n.release
     WHERE r.name IS NULL OR r.retracted_at IS NOT NULL
     ORDER BY 2 DESC, 1 LIMIT 1;
    IF FOUND AND bad.unknown THEN
        RAISE EXCEPTION 'unknown release "%" in %', bad.release, tab USING ERRCODE = '23503',
              HINT = 'Register the release first: INSERT INTO obsmeta.release (name, kind, public_date) VALUES (''dr1'', ''data_release'', NULL) (role obsmeta_release_manager).';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'release "%" is retracted: no results can be written to it (%)', bad.release, tab
              USING ERRCODE = '55000',
              HINT = 'Register a new release, or undo the retraction with obsmeta.restore_release(name).';
    END IF;

    IF TG_TABLE_NAME = 'detector_visit_result' THEN
        -- Known detector: in gen3.detector; or, while none of the instrument's detectors are
        -- mirrored yet, 0 <= detector < gen3.instrument.detector_max.
        SELECT n.instrument, n.detector, n.visit INTO bad
          FROM (SELECT instrument, detector, min(visit) AS visit FROM new_rows GROUP BY 1, 2) n
         WHERE NOT EXISTS (SELECT 1 FROM gen3.detector d WHERE d.instrument = n.instrument AND d.id = n.detector)
           AND NOT (NOT EXISTS (SELECT 1 FROM gen3.detector d WHERE d.instrument = n.instrument)
                    AND coalesce(n.detector >= 0 AND n.detector < (SELECT i.detector_max FROM gen3.instrument i
                                                                   WHERE i.name = n.instrument), false))
         ORDER BY 1, 2 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'unknown detector % of instrument "%" in % (visit %)', bad.detector, bad.instrument, tab, bad.visit
                  USING ERRCODE = '23503',
                  HINT = 'The detector must be in gen3.detector (before any detector of the instrument is mirrored: 0 <= detector < gen3.instrument.detector_max).';
        END IF;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION obsmeta.rubin_check_results() IS
  'Statement trigger of the rubin result tables: rejects unknown instruments, unknown or retracted releases and unknown detectors';

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['detector_visit_result', 'visit_result'] LOOP
        EXECUTE format('CREATE TRIGGER rubin_check_insert AFTER INSERT ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_check_results()', t);
        EXECUTE format('CREATE TRIGGER rubin_check_update AFTER UPDATE ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_check_results()', t);
        EXECUTE format('ALTER TABLE rubin.%I ENABLE ALWAYS TRIGGER rubin_check_insert, ENABLE ALWAYS TRIGGER rubin_check_update', t);
    END LOOP;
END
$triggers$;

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

---------------------------------------------------------------------------------------------------
-- Current best, per release, comparison
---------------------------------------------------------------------------------------------------
-- security_invoker: the caller's row-level security applies, so "current" is the best among the
-- rows the caller may see (readers: public releases; staff: every non-retracted release).
CREATE VIEW rubin.detector_visit_current WITH (security_invoker = true) AS
SELECT DISTINCT ON (r.instrument, r.visit, r.detector)
       r.*, rel.kind AS release_kind, rel.public_date AS release_public_date
  FROM rubin.detector_visit_result r
  JOIN obsmeta.release rel ON rel.name = r.release
 WHERE rel.retracted_at IS NULL
 ORDER BY r.instrument, r.visit, r.detector, rel.precedence DESC, rel.created_at DESC, rel.name DESC;
COMMENT ON VIEW rubin.detector_visit_current IS
  'Current best results per detector and visit: the row of the highest-precedence non-retracted release the caller may see (Data Releases by public date over prompt)';
COMMENT ON COLUMN rubin.detector_visit_current.release_kind IS 'Kind of the release the values come from (prompt, data_preview, data_release)';
COMMENT ON COLUMN rubin.detector_visit_current.release_public_date IS 'Public date of that release (NULL for prompt: public with the image)';

CREATE VIEW rubin.visit_current WITH (security_invoker = true) AS
SELECT DISTINCT ON (r.instrument, r.visit)
       r.*, rel.kind AS release_kind, rel.public_date AS release_public_date
  FROM rubin.visit_result r
  JOIN obsmeta.release rel ON rel.name = r.release
 WHERE rel.retracted_at IS NULL
 ORDER BY r.instrument, r.visit, rel.precedence DESC, rel.created_at DESC, rel.name DESC;
COMMENT ON VIEW rubin.visit_current IS
  'Current best results per visit: the row of the highest-precedence non-retracted release the caller may see (Data Releases by public date over prompt)';
COMMENT ON COLUMN rubin.visit_current.release_kind IS 'Kind of the release the values come from (prompt, data_preview, data_release)';
COMMENT ON COLUMN rubin.visit_current.release_public_date IS 'Public date of that release (NULL for prompt: public with the image)';

-- Named-release access with a clear error for a misspelt release (a plain WHERE release = 'dr1'
-- on the tables works too and returns nothing for an unknown name).
CREATE FUNCTION obsmeta.require_release(name text) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM obsmeta.release r WHERE r.name = require_release.name) THEN
        RAISE EXCEPTION 'unknown release "%"', name USING ERRCODE = '42704',
              HINT = 'The releases are listed in obsmeta.release.';
    END IF;
    RETURN name;
END $$;

CREATE FUNCTION rubin.detector_visit_release(release text) RETURNS SETOF rubin.detector_visit_result
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.* FROM rubin.detector_visit_result r WHERE r.release = obsmeta.require_release($1) $$;
COMMENT ON FUNCTION rubin.detector_visit_release(text) IS
  'The per-detector results of one release (rows the caller may see); error 42704 for an unknown release';
CREATE FUNCTION rubin.visit_release(release text) RETURNS SETOF rubin.visit_result
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.* FROM rubin.visit_result r WHERE r.release = obsmeta.require_release($1) $$;
COMMENT ON FUNCTION rubin.visit_release(text) IS
  'The per-visit results of one release (rows the caller may see); error 42704 for an unknown release';

-- Two releases side by side, per detector and visit (a key present in one release only shows NULLs
-- for the other).
CREATE FUNCTION rubin.compare_detector_visit(release_a text, release_b text)
    RETURNS TABLE (instrument text, visit bigint, detector integer,
                   psf_fwhm_a double precision, psf_fwhm_b double precision,
                   psf_e_a double precision, psf_e_b double precision,
                   zero_point_a double precision, zero_point_b double precision,
                   stats_mag_lim_a double precision, stats_mag_lim_b double precision,
                   sky_bg_a double precision, sky_bg_b double precision,
                   sky_noise_a double precision, sky_noise_b double precision,
                   eff_time_a double precision, eff_time_b double precision,
                   astrom_offset_std_a double precision, astrom_offset_std_b double precision,
                   wcs_offset_arcsec double precision)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(a.instrument, b.instrument), coalesce(a.visit, b.visit), coalesce(a.detector, b.detector),
           a.psf_fwhm, b.psf_fwhm, a.psf_e, b.psf_e, a.zero_point, b.zero_point, a.stats_mag_lim, b.stats_mag_lim,
           a.sky_bg, b.sky_bg, a.sky_noise, b.sky_noise, a.eff_time, b.eff_time,
           a.astrom_offset_std, b.astrom_offset_std,
           -- angle between the two solutions' CRVALs (haversine), arcsec
           3600.0 * degrees(2.0 * asin(least(1.0, sqrt(
               sin(radians(b.wcs_crval2 - a.wcs_crval2) / 2.0) ^ 2
               + cos(radians(a.wcs_crval2)) * cos(radians(b.wcs_crval2)) * sin(radians(b.wcs_crval1 - a.wcs_crval1) / 2.0) ^ 2))))
      FROM (SELECT * FROM rubin.detector_visit_result x WHERE x.release = obsmeta.require_release($1)) a
      FULL JOIN (SELECT * FROM rubin.detector_visit_result y WHERE y.release = obsmeta.require_release($2)) b
        ON a.instrument = b.instrument AND a.visit = b.visit AND a.detector = b.detector $$;
COMMENT ON FUNCTION rubin.compare_detector_visit(text, text) IS
  'Two releases'' per-detector results side by side (rows the caller may see), with the angular offset of their WCS reference points (arcsec)';

CREATE FUNCTION rubin.compare_visit(release_a text, release_b text)
    RETURNS TABLE (instrument text, visit bigint,
                   psf_fwhm_median_a double precision, psf_fwhm_median_b double precision,
                   zero_point_median_a double precision, zero_point_median_b double precision,
                   stats_mag_lim_median_a double precision, stats_mag_lim_median_b double precision,
                   sky_bg_median_a double precision, sky_bg_median_b double precision,
                   eff_time_median_a double precision, eff_time_median_b double precision,
                   astrom_offset_std_median_a double precision, astrom_offset_std_median_b double precision)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(a.instrument, b.instrument), coalesce(a.visit, b.visit),
           a.psf_fwhm_median, b.psf_fwhm_median, a.zero_point_median, b.zero_point_median,
           a.stats_mag_lim_median, b.stats_mag_lim_median, a.sky_bg_median, b.sky_bg_median,
           a.eff_time_median, b.eff_time_median, a.astrom_offset_std_median, b.astrom_offset_std_median
      FROM (SELECT * FROM rubin.visit_result x WHERE x.release = obsmeta.require_release($1)) a
      FULL JOIN (SELECT * FROM rubin.visit_result y WHERE y.release = obsmeta.require_release($2)) b
        ON a.instrument = b.instrument AND a.visit = b.visit $$;
COMMENT ON FUNCTION rubin.compare_visit(text, text) IS
  'Two releases'' per-visit results side by side (rows the caller may see)';

GRANT SELECT ON rubin.detector_visit_current, rubin.visit_current TO obsmeta_reader, obsmeta_staff, obsmeta_writer;

---------------------------------------------------------------------------------------------------
-- Exposure and visit content that CAOM2 does not carry (consdb exposure / visit1 names)
---------------------------------------------------------------------------------------------------
-- Airmass of a line of sight at zenith distance z (degrees): Kasten & Young (1989), good to the
-- horizon; NULL outside [0, 90].
CREATE FUNCTION obsmeta.airmass(zenith_distance_deg double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN $1 >= 0 AND $1 <= 90
                THEN 1.0 / (cos(radians($1)) + 0.50572 * power(96.07995 - $1, -1.6364)) END $$;
COMMENT ON FUNCTION obsmeta.airmass(double precision) IS
  'Relative airmass at a zenith distance in degrees (Kasten & Young 1989); NULL below the horizon';

-- Views over the mirror, read as their owner and filtered by the image's visibility
-- (security_barrier: a reader's own conditions cannot see rows the filter removed).
CREATE VIEW rubin.exposure WITH (security_barrier = true) AS
SELECT e.instrument, e.id AS exposure_id, e.obs_id AS exposure_name, e.day_obs, e.seq_num,
       e.physical_filter, pf.band,
       CASE WHEN e.can_see_sky THEN e.tracking_ra END AS s_ra,
       CASE WHEN e.can_see_sky THEN e.tracking_dec END AS s_dec,
       e.sky_angle AS sky_rotation, e.azimuth, 90.0 - e.zenith_angle AS altitude, e.zenith_angle AS zenith_distance,
       obsmeta.airmass(e.zenith_angle) AS airmass,
       e.timespan_begin AS obs_start, e.timespan_end AS obs_end,
       e.timespan_begin + (e.timespan_end - e.timespan_begin) / 2 AS exp_midpt,
       obsmeta.mjd(e.timespan_begin) AS obs_start_mjd, obsmeta.mjd(e.timespan_end) AS obs_end_mjd,
       obsmeta.mjd(e.timespan_begin + (e.timespan_end - e.timespan_begin) / 2) AS exp_midpt_mjd,
       e.exposure_time AS exp_time, e.dark_time, e."group" AS group_id, e.observation_type AS img_type,
       e.science_program, e.observation_reason, e.target_name, e.can_see_sky, e.has_simulated AS simulated,
       obsmeta.exposure_obs_id(e.instrument, e.id) AS obs_id
  FROM gen3.exposure e
  LEFT JOIN gen3.physical_filter pf ON pf.instrument = e.instrument AND pf.name = e.physical_filter
 WHERE (SELECT obsmeta.sees_everything()) OR obsmeta.observation_public(obsmeta.exposure_obs_id(e.instrument, e.id));
COMMENT ON VIEW rubin.exposure IS
  'Information from observatory systems about each raw image (consdb exposure names), from the gen3 mirror; rows of public observations (staff: all)';
COMMENT ON COLUMN rubin.exposure.instrument IS 'Instrument name';
COMMENT ON COLUMN rubin.exposure.exposure_id IS 'Unique identifier (gen3.exposure.id)';
COMMENT ON COLUMN rubin.exposure.exposure_name IS 'Official name of the exposure (obs_id; caom2.observation.observation_id)';
COMMENT ON COLUMN rubin.exposure.day_obs IS 'Day of observation';
COMMENT ON COLUMN rubin.exposure.seq_num IS 'Sequence number';
COMMENT ON COLUMN rubin.exposure.physical_filter IS 'ID of physical filter, the filter associated with a particular instrument';
COMMENT ON COLUMN rubin.exposure.band IS 'Name of the band used to take the exposure';
COMMENT ON COLUMN rubin.exposure.s_ra IS 'Central Spatial Position in ICRS; tracking right ascension of the boresight (NULL when the exposure cannot see the sky) [deg]';
COMMENT ON COLUMN rubin.exposure.s_dec IS 'Central Spatial Position in ICRS; tracking declination of the boresight [deg]';
COMMENT ON COLUMN rubin.exposure.sky_rotation IS 'Targeted sky rotation angle [deg]';
COMMENT ON COLUMN rubin.exposure.azimuth IS 'Azimuth of the boresight (as recorded by the Butler) [deg]';
COMMENT ON COLUMN rubin.exposure.altitude IS 'Altitude of the boresight, 90 - zenith_distance [deg]';
COMMENT ON COLUMN rubin.exposure.zenith_distance IS 'Zenith distance of the boresight (the Butler''s zenith_angle) [deg]';
COMMENT ON COLUMN rubin.exposure.airmass IS 'Airmass of the line of sight at zenith_distance (Kasten & Young 1989)';
COMMENT ON COLUMN rubin.exposure.obs_start IS 'Start time of the exposure (UTC)';
COMMENT ON COLUMN rubin.exposure.obs_end IS 'End time of the exposure (UTC)';
COMMENT ON COLUMN rubin.exposure.exp_midpt IS 'Midpoint time of the exposure (UTC)';
COMMENT ON COLUMN rubin.exposure.obs_start_mjd IS 'Start of the exposure, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.exposure.obs_end_mjd IS 'End of the exposure, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.exposure.exp_midpt_mjd IS 'Midpoint of the exposure, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.exposure.exp_time IS 'Duration of the exposure [s]';
COMMENT ON COLUMN rubin.exposure.dark_time IS 'Duration from last clear to readout [s]';
COMMENT ON COLUMN rubin.exposure.group_id IS 'Identifier for the group that this exposure is part of';
COMMENT ON COLUMN rubin.exposure.img_type IS 'Type of exposure taken (science, bias, flat, ...)';
COMMENT ON COLUMN rubin.exposure.science_program IS 'Science program';
COMMENT ON COLUMN rubin.exposure.observation_reason IS 'Reason for the observation';
COMMENT ON COLUMN rubin.exposure.target_name IS 'Target of the observation';
COMMENT ON COLUMN rubin.exposure.can_see_sky IS 'Whether the observation can see sky or not';
COMMENT ON COLUMN rubin.exposure.simulated IS 'Were any control system components simulated?';
COMMENT ON COLUMN rubin.exposure.obs_id IS 'caom2.observation.obs_id of the exposure';

CREATE VIEW rubin.visit WITH (security_barrier = true) AS
SELECT v.instrument, v.id AS visit_id, v.name AS visit_name, v.day_obs, v.seq_num, v.physical_filter, pf.band,
       CASE WHEN e.can_see_sky THEN e.tracking_ra END AS s_ra,
       CASE WHEN e.can_see_sky THEN e.tracking_dec END AS s_dec,
       e.sky_angle AS sky_rotation, v.azimuth, 90.0 - v.zenith_angle AS altitude, v.zenith_angle AS zenith_distance,
       obsmeta.airmass(v.zenith_angle) AS airmass,
       v.timespan_begin AS obs_start, v.timespan_end AS obs_end,
       v.timespan_begin + (v.timespan_end - v.timespan_begin) / 2 AS exp_midpt,
       obsmeta.mjd(v.timespan_begin + (v.timespan_end - v.timespan_begin) / 2) AS exp_midpt_mjd,
       v.exposure_time AS exp_time, n.n_exposures,
       v.science_program, v.observation_reason, v.target_name,
       obsmeta.visit_obs_id(v.instrument, v.id) AS obs_id
  FROM gen3.visit v
  LEFT JOIN gen3.physical_filter pf ON pf.instrument = v.instrument AND pf.name = v.physical_filter
  LEFT JOIN LATERAL (SELECT count(*)::int AS n_exposures, min(vd.exposure) AS first_exposure
                       FROM gen3.visit_definition vd WHERE vd.instrument = v.instrument AND vd.visit = v.id) n ON true
  LEFT JOIN gen3.exposure e ON e.instrument = v.instrument AND e.id = n.first_exposure
 WHERE (SELECT obsmeta.sees_everything()) OR obsmeta.observation_public(obsmeta.visit_obs_id(v.instrument, v.id));
COMMENT ON VIEW rubin.visit IS
  'Information from observatory systems about each visit (consdb visit1 names), from the gen3 mirror; rows of public observations (staff: all)';
COMMENT ON COLUMN rubin.visit.instrument IS 'Instrument name';
COMMENT ON COLUMN rubin.visit.visit_id IS 'Unique identifier (gen3.visit.id)';
COMMENT ON COLUMN rubin.visit.visit_name IS 'Name of the visit (gen3.visit.name)';
COMMENT ON COLUMN rubin.visit.day_obs IS 'Day of observation';
COMMENT ON COLUMN rubin.visit.seq_num IS 'Sequence number';
COMMENT ON COLUMN rubin.visit.physical_filter IS 'ID of physical filter';
COMMENT ON COLUMN rubin.visit.band IS 'Name of the band';
COMMENT ON COLUMN rubin.visit.s_ra IS 'Central Spatial Position in ICRS; tracking right ascension of the first exposure [deg]';
COMMENT ON COLUMN rubin.visit.s_dec IS 'Central Spatial Position in ICRS; tracking declination of the first exposure [deg]';
COMMENT ON COLUMN rubin.visit.sky_rotation IS 'Targeted sky rotation angle of the first exposure [deg]';
COMMENT ON COLUMN rubin.visit.azimuth IS 'Azimuth of the boresight (as recorded by the Butler) [deg]';
COMMENT ON COLUMN rubin.visit.altitude IS 'Altitude of the boresight, 90 - zenith_distance [deg]';
COMMENT ON COLUMN rubin.visit.zenith_distance IS 'Zenith distance of the boresight (the Butler''s zenith_angle) [deg]';
COMMENT ON COLUMN rubin.visit.airmass IS 'Airmass of the line of sight at zenith_distance (Kasten & Young 1989)';
COMMENT ON COLUMN rubin.visit.obs_start IS 'Start time of the visit (UTC)';
COMMENT ON COLUMN rubin.visit.obs_end IS 'End time of the visit (UTC)';
COMMENT ON COLUMN rubin.visit.exp_midpt IS 'Midpoint time of the visit (UTC)';
COMMENT ON COLUMN rubin.visit.exp_midpt_mjd IS 'Midpoint of the visit, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.visit.exp_time IS 'Exposure time of the visit [s]';
COMMENT ON COLUMN rubin.visit.n_exposures IS 'Number of exposures in the visit (gen3.visit_definition)';
COMMENT ON COLUMN rubin.visit.science_program IS 'Science program';
COMMENT ON COLUMN rubin.visit.observation_reason IS 'Reason for the observation';
COMMENT ON COLUMN rubin.visit.target_name IS 'Target of the observation';
COMMENT ON COLUMN rubin.visit.obs_id IS 'caom2.observation.obs_id of the visit';

GRANT SELECT ON rubin.exposure, rubin.visit TO obsmeta_reader, obsmeta_staff, obsmeta_writer;

-- The current views show the tables' columns: give them the same descriptions (TAP_SCHEMA).
DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT v.view, a.attname, col_description(t.oid, a.attnum) AS d
               FROM (VALUES ('rubin.detector_visit_current', 'rubin.detector_visit_result'),
                            ('rubin.visit_current', 'rubin.visit_result')) AS v(view, tab)
               JOIN pg_class t ON t.oid = v.tab::regclass
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
              WHERE col_description(t.oid, a.attnum) IS NOT NULL LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', c.view, c.attname, c.d);
    END LOOP;
END
$comments$;
