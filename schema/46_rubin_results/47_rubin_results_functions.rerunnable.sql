-- obsmeta install script, part 47 (re-runnable): the rubin result tables' input-check trigger, the
-- current-best and per-release views and functions, and rubin.exposure / rubin.visit (the tables
-- and who sees which rows: 47_rubin_results.sql).

---------------------------------------------------------------------------------------------------
-- Input checks that need other tables: one set-based pass over each statement's rows
---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION obsmeta.rubin_check_results() RETURNS trigger
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
        EXECUTE format('CREATE OR REPLACE TRIGGER rubin_check_insert AFTER INSERT ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_check_results()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER rubin_check_update AFTER UPDATE ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_check_results()', t);
        EXECUTE format('ALTER TABLE rubin.%I ENABLE ALWAYS TRIGGER rubin_check_insert, ENABLE ALWAYS TRIGGER rubin_check_update', t);
    END LOOP;
END
$triggers$;

---------------------------------------------------------------------------------------------------
-- Current best, per release, comparison
---------------------------------------------------------------------------------------------------
-- security_invoker: the caller's row-level security applies, so "current" is the best among the
-- rows the caller may see (readers: public releases; staff: every non-retracted release).
CREATE OR REPLACE VIEW rubin.detector_visit_current WITH (security_invoker = true) AS
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

CREATE OR REPLACE VIEW rubin.visit_current WITH (security_invoker = true) AS
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
CREATE OR REPLACE FUNCTION obsmeta.require_release(name text) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM obsmeta.release r WHERE r.name = require_release.name) THEN
        RAISE EXCEPTION 'unknown release "%"', name USING ERRCODE = '42704',
              HINT = 'The releases are listed in obsmeta.release.';
    END IF;
    RETURN name;
END $$;

CREATE OR REPLACE FUNCTION rubin.detector_visit_release(release text) RETURNS SETOF rubin.detector_visit_result
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.* FROM rubin.detector_visit_result r WHERE r.release = obsmeta.require_release($1) $$;
COMMENT ON FUNCTION rubin.detector_visit_release(text) IS
  'The per-detector results of one release (rows the caller may see); error 42704 for an unknown release';
CREATE OR REPLACE FUNCTION rubin.visit_release(release text) RETURNS SETOF rubin.visit_result
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.* FROM rubin.visit_result r WHERE r.release = obsmeta.require_release($1) $$;
COMMENT ON FUNCTION rubin.visit_release(text) IS
  'The per-visit results of one release (rows the caller may see); error 42704 for an unknown release';

-- Two releases side by side, per detector and visit (a key present in one release only shows NULLs
-- for the other).
CREATE OR REPLACE FUNCTION rubin.compare_detector_visit(release_a text, release_b text)
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

CREATE OR REPLACE FUNCTION rubin.compare_visit(release_a text, release_b text)
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
CREATE OR REPLACE FUNCTION obsmeta.airmass(zenith_distance_deg double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN $1 >= 0 AND $1 <= 90
                THEN 1.0 / (cos(radians($1)) + 0.50572 * power(96.07995 - $1, -1.6364)) END $$;
COMMENT ON FUNCTION obsmeta.airmass(double precision) IS
  'Relative airmass at a zenith distance in degrees (Kasten & Young 1989); NULL below the horizon';

-- Views over the mirror, read as their owner and filtered by the image's visibility
-- (security_barrier: a reader's own conditions cannot see rows the filter removed).
CREATE OR REPLACE VIEW rubin.exposure WITH (security_barrier = true) AS
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

CREATE OR REPLACE VIEW rubin.visit WITH (security_barrier = true) AS
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
