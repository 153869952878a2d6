-- obsmeta install script, part 48 (re-runnable): the current best results in CAOM2 (and so in ObsCore).
--
-- CAOM2 holds one value per plane and chunk, visible to whoever may see the plane, so it carries
-- the PUBLIC current best: the highest-precedence release (46_releases.sql) that has a value for
-- the image, is not retracted, and is prompt or past its public_date. (A loaded Data Release that
-- is not public yet never reaches CAOM2: readers could otherwise see its values early.)
--
-- What is filled (doc/rubin_results.md has the formulas):
--   caom2.plane of a visit's visit_image (from rubin.visit_result):
--     position_resolution = psf_fwhm_median (arcsec; ObsCore s_resolution), position_sample_size =
--     pixel_scale_median, metrics_mag_limit, metrics_flux_density_limit, metrics_background,
--     metrics_background_stddev, metrics_sample_snr, metrics_source_number_density;
--   caom2.chunk of each visit_image artifact of detector D (from rubin.detector_visit_result):
--     the SpatialWCS from the astrometric solution (naxis, position axes, ICRS, ctype/cunit,
--     CoordFunction2D dimension/refCoord/CD, errors from the astrometric scatter) and
--     position_resolution = psf_fwhm.
-- Writes are UPDATEs of rows whose values differ; they set last_modified and max_last_modified of
-- the changed rows and max_last_modified of their parents (chunk → part → artifact → plane →
-- observation), under the conversion's per-observation advisory locks (taken in key order).
--
-- When: at the end of every statement that writes results of a public release (triggers
-- rubin_fill_caom2_* on the rubin tables); when a release is published, retracted, restored or
-- re-dated (trigger on obsmeta.release); when a plane or chunk is created — results that arrived
-- before their image apply then (triggers rubin_* on caom2.plane and caom2.chunk); and, for a
-- Data Release whose public_date was set in the future, at obsmeta.apply_releases() after that
-- date (the rubin tables themselves release on time by row-level security alone).

CREATE OR REPLACE FUNCTION obsmeta.rubin_lock_planes(planes uuid[]) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT obsmeta.lock_observations(ARRAY(SELECT obsmeta.lock_key(p.obs_id) FROM caom2.plane p WHERE p.plane_id = ANY ($1))) $$;

-- Plane Position resolution / sample size and Metrics of the given visit_image planes. With
-- only_with_results, planes without a public result are left alone (used for new planes).
CREATE OR REPLACE FUNCTION obsmeta.rubin_apply_planes(planes uuid[], only_with_results boolean DEFAULT false) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF planes IS NULL OR cardinality(planes) = 0 THEN
        RETURN 0;
    END IF;
    PERFORM obsmeta.rubin_lock_planes(planes);
    WITH k AS (SELECT DISTINCT plane_id FROM unnest(planes) AS k(plane_id)),
    best AS (
        SELECT DISTINCT ON (r.plane_id) r.*
          FROM k JOIN rubin.visit_result r ON r.plane_id = k.plane_id
          JOIN obsmeta.release rel ON rel.name = r.release
         WHERE rel.retracted_at IS NULL AND (rel.kind = 'prompt' OR rel.public_date <= now())
         ORDER BY r.plane_id, rel.precedence DESC, rel.created_at DESC, rel.name DESC
    ),
    want AS (
        SELECT p.plane_id,
               b.psf_fwhm_median AS position_resolution,
               b.pixel_scale_median AS position_sample_size,
               b.stats_mag_lim_median AS metrics_mag_limit,
               3631.0 * 10.0::float8 ^ (-0.4 * b.stats_mag_lim_median) AS metrics_flux_density_limit,
               b.sky_bg_median * 3631.0 * 10.0::float8 ^ (-0.4 * b.zero_point_median) AS metrics_background,
               b.sky_noise_median * 3631.0 * 10.0::float8 ^ (-0.4 * b.zero_point_median) AS metrics_background_stddev,
               b.sky_bg_median / nullif(b.sky_noise_median, 0) AS metrics_sample_snr,
               (b.low_snr_source_count_total + b.high_snr_source_count_total)::float8
                   / nullif(p.position_area_deg2, 0) AS metrics_source_number_density
          FROM k JOIN caom2.plane p ON p.plane_id = k.plane_id
          LEFT JOIN best b ON b.plane_id = k.plane_id
         WHERE NOT only_with_results OR b.plane_id IS NOT NULL
    ),
    changed AS (
        UPDATE caom2.plane p
           SET (position_resolution, position_sample_size, metrics_mag_limit, metrics_flux_density_limit,
                metrics_background, metrics_background_stddev, metrics_sample_snr, metrics_source_number_density,
                last_modified, max_last_modified)
             = ROW(w.position_resolution, w.position_sample_size, w.metrics_mag_limit, w.metrics_flux_density_limit,
                   w.metrics_background, w.metrics_background_stddev, w.metrics_sample_snr,
                   w.metrics_source_number_density, now(), now())
          FROM want w
         WHERE p.plane_id = w.plane_id
           AND ROW(p.position_resolution, p.position_sample_size, p.metrics_mag_limit, p.metrics_flux_density_limit,
                   p.metrics_background, p.metrics_background_stddev, p.metrics_sample_snr,
                   p.metrics_source_number_density)
               IS DISTINCT FROM
               ROW(w.position_resolution, w.position_sample_size, w.metrics_mag_limit, w.metrics_flux_density_limit,
                   w.metrics_background, w.metrics_background_stddev, w.metrics_sample_snr,
                   w.metrics_source_number_density)
        RETURNING p.obs_id
    ),
    observations AS (
        UPDATE caom2.observation o SET max_last_modified = now()
         WHERE o.obs_id IN (SELECT obs_id FROM changed) AND o.max_last_modified < now()
        RETURNING o.obs_id
    )
    SELECT count(*) INTO n FROM changed;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.rubin_apply_planes(uuid[], boolean) IS
  'Writes the public current best per-visit results into the given visit_image planes (resolution, sample size, Metrics); returns the number of planes changed';

-- Chunk SpatialWCS and resolution of the given (visit_image plane, detector) pairs.
CREATE OR REPLACE FUNCTION obsmeta.rubin_apply_chunks(planes uuid[], detectors integer[], only_with_results boolean DEFAULT false)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF planes IS NULL OR cardinality(planes) = 0 THEN
        RETURN 0;
    END IF;
    PERFORM obsmeta.rubin_lock_planes(planes);
    WITH k AS (SELECT DISTINCT plane_id, detector FROM unnest(planes, detectors) AS k(plane_id, detector)),
    best AS (
        SELECT DISTINCT ON (r.plane_id, r.detector) r.*
          FROM k JOIN rubin.detector_visit_result r ON r.plane_id = k.plane_id AND r.detector = k.detector
          JOIN obsmeta.release rel ON rel.name = r.release
         WHERE rel.retracted_at IS NULL AND (rel.kind = 'prompt' OR rel.public_date <= now())
         ORDER BY r.plane_id, r.detector, rel.precedence DESC, rel.created_at DESC, rel.name DESC
    ),
    want AS (
        SELECT c.chunk_id,
               CASE WHEN x.wcs THEN 2 END AS naxis,
               CASE WHEN x.wcs THEN 1 END AS position_axis_1,
               CASE WHEN x.wcs THEN 2 END AS position_axis_2,
               CASE WHEN x.wcs THEN 'ICRS' END AS position_coordsys,
               CASE WHEN x.wcs THEN b.psf_fwhm END AS position_resolution,
               CASE WHEN x.wcs THEN b.wcs_ctype1 END AS position_axis_axis1_ctype,
               CASE WHEN x.wcs THEN 'deg' END AS position_axis_axis1_cunit,
               CASE WHEN x.wcs THEN b.wcs_ctype2 END AS position_axis_axis2_ctype,
               CASE WHEN x.wcs THEN 'deg' END AS position_axis_axis2_cunit,
               CASE WHEN x.wcs THEN b.astrom_offset_mean / 3600.0 END AS position_axis_error1_syser,
               CASE WHEN x.wcs THEN b.astrom_offset_std / 3600.0 END AS position_axis_error1_rnder,
               CASE WHEN x.wcs THEN b.astrom_offset_mean / 3600.0 END AS position_axis_error2_syser,
               CASE WHEN x.wcs THEN b.astrom_offset_std / 3600.0 END AS position_axis_error2_rnder,
               b.wcs_naxis1::bigint AS naxis1, b.wcs_naxis2::bigint AS naxis2,
               b.wcs_crpix1 AS crpix1, b.wcs_crval1 AS crval1, b.wcs_crpix2 AS crpix2, b.wcs_crval2 AS crval2,
               b.wcs_cd1_1 AS cd11, b.wcs_cd1_2 AS cd12, b.wcs_cd2_1 AS cd21, b.wcs_cd2_2 AS cd22
          FROM k
          JOIN caom2.artifact a ON a.plane_id = k.plane_id
          JOIN caom2.part pt ON pt.artifact_id = a.artifact_id
          JOIN caom2.chunk c ON c.part_id = pt.part_id AND c.lsst_detector = k.detector
          LEFT JOIN best b ON b.plane_id = k.plane_id AND b.detector = k.detector
          CROSS JOIN LATERAL (SELECT b.wcs_crval1 IS NOT NULL AS wcs) x
         WHERE NOT only_with_results OR b.plane_id IS NOT NULL
    ),
    chunks AS (
        UPDATE caom2.chunk c
           SET (naxis, position_axis_1, position_axis_2, position_coordsys, position_resolution,
                position_axis_axis1_ctype, position_axis_axis1_cunit, position_axis_axis2_ctype, position_axis_axis2_cunit,
                position_axis_error1_syser, position_axis_error1_rnder, position_axis_error2_syser, position_axis_error2_rnder,
                position_axis_function_dimension_naxis1, position_axis_function_dimension_naxis2,
                position_axis_function_ref_coord_coord1_pix, position_axis_function_ref_coord_coord1_val,
                position_axis_function_ref_coord_coord2_pix, position_axis_function_ref_coord_coord2_val,
                position_axis_function_cd11, position_axis_function_cd12, position_axis_function_cd21,
                position_axis_function_cd22, last_modified, max_last_modified)
             = ROW(w.naxis, w.position_axis_1, w.position_axis_2, w.position_coordsys, w.position_resolution,
                   w.position_axis_axis1_ctype, w.position_axis_axis1_cunit, w.position_axis_axis2_ctype,
                   w.position_axis_axis2_cunit, w.position_axis_error1_syser, w.position_axis_error1_rnder,
                   w.position_axis_error2_syser, w.position_axis_error2_rnder, w.naxis1, w.naxis2,
                   w.crpix1, w.crval1, w.crpix2, w.crval2, w.cd11, w.cd12, w.cd21, w.cd22, now(), now())
          FROM want w
         WHERE c.chunk_id = w.chunk_id
           AND ROW(c.naxis, c.position_axis_1, c.position_axis_2, c.position_coordsys, c.position_resolution,
                   c.position_axis_axis1_ctype, c.position_axis_axis1_cunit, c.position_axis_axis2_ctype,
                   c.position_axis_axis2_cunit, c.position_axis_error1_syser, c.position_axis_error1_rnder,
                   c.position_axis_error2_syser, c.position_axis_error2_rnder,
                   c.position_axis_function_dimension_naxis1, c.position_axis_function_dimension_naxis2,
                   c.position_axis_function_ref_coord_coord1_pix, c.position_axis_function_ref_coord_coord1_val,
                   c.position_axis_function_ref_coord_coord2_pix, c.position_axis_function_ref_coord_coord2_val,
                   c.position_axis_function_cd11, c.position_axis_function_cd12, c.position_axis_function_cd21,
                   c.position_axis_function_cd22)
               IS DISTINCT FROM
               ROW(w.naxis, w.position_axis_1, w.position_axis_2, w.position_coordsys, w.position_resolution,
                   w.position_axis_axis1_ctype, w.position_axis_axis1_cunit, w.position_axis_axis2_ctype,
                   w.position_axis_axis2_cunit, w.position_axis_error1_syser, w.position_axis_error1_rnder,
                   w.position_axis_error2_syser, w.position_axis_error2_rnder, w.naxis1, w.naxis2,
                   w.crpix1, w.crval1, w.crpix2, w.crval2, w.cd11, w.cd12, w.cd21, w.cd22)
        RETURNING c.part_id
    ),
    part_ids AS (SELECT DISTINCT part_id FROM chunks),
    parts AS (
        UPDATE caom2.part p SET max_last_modified = now()
         WHERE p.part_id IN (SELECT part_id FROM part_ids) AND p.max_last_modified < now()
        RETURNING p.part_id
    ),
    artifact_ids AS (SELECT DISTINCT pt.artifact_id FROM part_ids i JOIN caom2.part pt ON pt.part_id = i.part_id),
    artifacts AS (
        UPDATE caom2.artifact a SET max_last_modified = now()
         WHERE a.artifact_id IN (SELECT artifact_id FROM artifact_ids) AND a.max_last_modified < now()
        RETURNING a.artifact_id
    ),
    plane_ids AS (SELECT DISTINCT a.plane_id FROM artifact_ids i JOIN caom2.artifact a ON a.artifact_id = i.artifact_id),
    planes_touched AS (
        UPDATE caom2.plane p SET max_last_modified = now()
         WHERE p.plane_id IN (SELECT plane_id FROM plane_ids) AND p.max_last_modified < now()
        RETURNING p.plane_id
    ),
    observations AS (
        UPDATE caom2.observation o SET max_last_modified = now()
         WHERE o.obs_id IN (SELECT p.obs_id FROM plane_ids i JOIN caom2.plane p ON p.plane_id = i.plane_id)
           AND o.max_last_modified < now()
        RETURNING o.obs_id
    )
    SELECT count(*) INTO n FROM chunks;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.rubin_apply_chunks(uuid[], integer[], boolean) IS
  'Writes the public current best per-detector results (astrometric solution as SpatialWCS, PSF FWHM as resolution) into the chunks of the given visit_image planes and detectors; returns the number of chunks changed';

-- Everything the given releases touch (or all results when names is NULL).
CREATE OR REPLACE FUNCTION obsmeta.rubin_apply_releases(names text[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    planes uuid[];
    dplanes uuid[];
    dets integer[];
    n integer;
BEGIN
    SELECT array_agg(DISTINCT r.plane_id) INTO planes
      FROM rubin.visit_result r WHERE names IS NULL OR r.release = ANY (names);
    SELECT array_agg(s.plane_id), array_agg(s.detector) INTO dplanes, dets
      FROM (SELECT DISTINCT r.plane_id, r.detector FROM rubin.detector_visit_result r
             WHERE names IS NULL OR r.release = ANY (names)) s;
    n := obsmeta.rubin_apply_planes(planes) + obsmeta.rubin_apply_chunks(dplanes, dets);
    UPDATE obsmeta.release r SET caom2_applied_at = now()
     WHERE (names IS NULL OR r.name = ANY (names))
       AND r.retracted_at IS NULL AND r.kind <> 'prompt' AND r.public_date <= now()
       AND r.caom2_applied_at IS DISTINCT FROM now();
    RETURN n;
END $$;

---------------------------------------------------------------------------------------------------
-- Triggers: results written, releases changed, planes and chunks created
---------------------------------------------------------------------------------------------------
-- Rows of a release that is not public (or retracted) cannot change CAOM2: they are skipped, so
-- bulk-loading a Data Release before its public date costs no CAOM2 work.
CREATE OR REPLACE FUNCTION obsmeta.rubin_results_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    public_releases text[] := ARRAY(SELECT r.name FROM obsmeta.release r
                                     WHERE r.retracted_at IS NULL AND (r.kind = 'prompt' OR r.public_date <= now()));
    planes uuid[];
    dets integer[];
BEGIN
    IF TG_TABLE_NAME = 'visit_result' THEN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT plane_id) INTO planes FROM new_rows WHERE release = ANY (public_releases);
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT plane_id) INTO planes FROM old_rows WHERE release = ANY (public_releases);
        ELSE
            SELECT array_agg(DISTINCT plane_id) INTO planes
              FROM (SELECT plane_id, release FROM new_rows UNION ALL SELECT plane_id, release FROM old_rows) s
             WHERE release = ANY (public_releases);
        END IF;
        PERFORM obsmeta.rubin_apply_planes(planes);
    ELSE
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(plane_id), array_agg(detector) INTO planes, dets
              FROM (SELECT DISTINCT plane_id, detector FROM new_rows WHERE release = ANY (public_releases)) s;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(plane_id), array_agg(detector) INTO planes, dets
              FROM (SELECT DISTINCT plane_id, detector FROM old_rows WHERE release = ANY (public_releases)) s;
        ELSE
            SELECT array_agg(plane_id), array_agg(detector) INTO planes, dets
              FROM (SELECT plane_id, detector FROM new_rows WHERE release = ANY (public_releases)
                    UNION SELECT plane_id, detector FROM old_rows WHERE release = ANY (public_releases)) s;
        END IF;
        PERFORM obsmeta.rubin_apply_chunks(planes, dets);
    END IF;
    RETURN NULL;
END $$;

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['detector_visit_result', 'visit_result'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER rubin_fill_caom2_insert AFTER INSERT ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_results_changed()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER rubin_fill_caom2_update AFTER UPDATE ON rubin.%I
                          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_results_changed()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER rubin_fill_caom2_delete AFTER DELETE ON rubin.%I REFERENCING OLD TABLE AS old_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_results_changed()', t);
        EXECUTE format('ALTER TABLE rubin.%I ENABLE ALWAYS TRIGGER rubin_fill_caom2_insert,
                          ENABLE ALWAYS TRIGGER rubin_fill_caom2_update, ENABLE ALWAYS TRIGGER rubin_fill_caom2_delete', t);
    END LOOP;
END
$triggers$;

-- A release published, re-dated, retracted or restored: everything it has values for is re-decided.
CREATE OR REPLACE FUNCTION obsmeta.rubin_release_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    changed text[];
BEGIN
    SELECT array_agg(n.name) INTO changed
      FROM new_rows n JOIN old_rows o ON o.name = n.name
     WHERE ROW(n.kind, n.public_date, n.retracted_at) IS DISTINCT FROM ROW(o.kind, o.public_date, o.retracted_at);
    IF changed IS NOT NULL THEN
        PERFORM obsmeta.rubin_apply_releases(changed);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER rubin_release_changed AFTER UPDATE ON obsmeta.release
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_release_changed();

-- A release with results keeps its name and its row (retract it instead of deleting it).
CREATE OR REPLACE FUNCTION obsmeta.rubin_release_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.name = OLD.name THEN
        RETURN NEW;
    END IF;
    SELECT (SELECT count(*) FROM rubin.visit_result r WHERE r.release = OLD.name)
         + (SELECT count(*) FROM rubin.detector_visit_result r WHERE r.release = OLD.name) INTO n;
    IF n > 0 THEN
        RAISE EXCEPTION 'release "%" has % result rows: it cannot be % ', OLD.name, n,
              CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renamed' END
              USING ERRCODE = '23503',
              HINT = 'Retract it with obsmeta.retract_release(name, reason) (its rows stay, for staff), or delete its rows first.';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE OR REPLACE TRIGGER rubin_release_guard BEFORE UPDATE OR DELETE ON obsmeta.release
    FOR EACH ROW EXECUTE FUNCTION obsmeta.rubin_release_guard();

-- New visit_image planes: results that arrived first apply now. A plane's area (set after its
-- chunks) changes its source density: re-apply then.
-- Not for the rows of a CAOM-2.4 document being imported (obsmeta.caom2_import is on only then; a
-- session cannot set it): caom2.import_observation_xml stores the document exactly as given, and
-- the results apply again at the next event that re-decides them (doc/caom2_interop.md).
CREATE OR REPLACE FUNCTION obsmeta.rubin_plane_arrived() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    planes uuid[];
BEGIN
    IF current_setting('obsmeta.caom2_import', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.plane_id) INTO planes FROM new_rows n
         WHERE n.product_id = 'visit_image'
           AND EXISTS (SELECT 1 FROM rubin.visit_result r WHERE r.plane_id = n.plane_id);
    ELSE
        SELECT array_agg(n.plane_id) INTO planes FROM new_rows n JOIN old_rows o ON o.plane_id = n.plane_id
         WHERE n.position_area_deg2 IS DISTINCT FROM o.position_area_deg2
           AND EXISTS (SELECT 1 FROM rubin.visit_result r WHERE r.plane_id = n.plane_id);
    END IF;
    PERFORM obsmeta.rubin_apply_planes(planes, true);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER rubin_plane_insert AFTER INSERT ON caom2.plane REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_plane_arrived();
CREATE OR REPLACE TRIGGER rubin_plane_update AFTER UPDATE ON caom2.plane REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_plane_arrived();

-- New chunks of a visit_image: their detector's results apply now (not during a CAOM-2.4 import,
-- as above).
CREATE OR REPLACE FUNCTION obsmeta.rubin_chunk_arrived() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    planes uuid[];
    dets integer[];
BEGIN
    IF current_setting('obsmeta.caom2_import', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM rubin.detector_visit_result) THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(s.plane_id), array_agg(s.lsst_detector) INTO planes, dets
      FROM (SELECT DISTINCT a.plane_id, n.lsst_detector
              FROM new_rows n JOIN caom2.part pt ON pt.part_id = n.part_id
              JOIN caom2.artifact a ON a.artifact_id = pt.artifact_id
             WHERE n.lsst_detector IS NOT NULL
               AND EXISTS (SELECT 1 FROM rubin.detector_visit_result r
                            WHERE r.plane_id = a.plane_id AND r.detector = n.lsst_detector)) s;
    PERFORM obsmeta.rubin_apply_chunks(planes, dets, true);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER rubin_chunk_insert AFTER INSERT ON caom2.chunk REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_chunk_arrived();

-- ENABLE ALWAYS (again after CREATE OR REPLACE TRIGGER, which enables a trigger on origin only):
-- CAOM2 written by a conversion under logical replication (session_replication_role
-- = replica) gets its results too.
ALTER TABLE caom2.plane ENABLE ALWAYS TRIGGER rubin_plane_insert, ENABLE ALWAYS TRIGGER rubin_plane_update;
ALTER TABLE caom2.chunk ENABLE ALWAYS TRIGGER rubin_chunk_insert;
ALTER TABLE obsmeta.release ENABLE ALWAYS TRIGGER rubin_release_changed, ENABLE ALWAYS TRIGGER rubin_release_guard;

---------------------------------------------------------------------------------------------------
-- Release management
---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION obsmeta.release_row(name text) RETURNS obsmeta.release
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release;
BEGIN
    SELECT * INTO r FROM obsmeta.release x WHERE x.name = release_row.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown release "%"', name USING ERRCODE = '42704',
              HINT = 'The releases are listed in obsmeta.release.';
    END IF;
    RETURN r;
END $$;

CREATE OR REPLACE FUNCTION obsmeta.publish_release(name text, public_date timestamptz DEFAULT now()) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release := obsmeta.release_row(name);
BEGIN
    IF r.kind = 'prompt' THEN
        RAISE EXCEPTION 'release "%" is the prompt release: its rows are public with their images', name
              USING ERRCODE = '22023', HINT = 'Only Data Releases have a public date.';
    END IF;
    IF public_date IS NULL THEN
        RAISE EXCEPTION 'a public date is needed' USING ERRCODE = '22004';
    END IF;
    UPDATE obsmeta.release x SET public_date = publish_release.public_date WHERE x.name = publish_release.name;
    RETURN public_date;
END $$;
COMMENT ON FUNCTION obsmeta.publish_release(text, timestamptz) IS
  'Sets a Data Release''s public date (default now). Its rows become visible to readers at that date; CAOM2 takes its values at once if the date has passed, else at obsmeta.apply_releases() after it';

CREATE OR REPLACE FUNCTION obsmeta.retract_release(name text, reason text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release := obsmeta.release_row(name);
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a retraction needs a reason' USING ERRCODE = '22023';
    END IF;
    IF r.retracted_at IS NULL THEN
        UPDATE obsmeta.release x SET retracted_at = now(), retraction_reason = reason WHERE x.name = retract_release.name;
    END IF;
END $$;
COMMENT ON FUNCTION obsmeta.retract_release(text, text) IS
  'Retracts a release: its rows stay (staff see them) but leave the current views and CAOM2, where the previous best returns';

CREATE OR REPLACE FUNCTION obsmeta.restore_release(name text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release := obsmeta.release_row(name);
BEGIN
    IF r.retracted_at IS NOT NULL THEN
        UPDATE obsmeta.release x SET retracted_at = NULL, retraction_reason = NULL WHERE x.name = restore_release.name;
    END IF;
END $$;
COMMENT ON FUNCTION obsmeta.restore_release(text) IS 'Undoes a retraction';

-- Catch-up for Data Releases whose public_date has passed since CAOM2 last looked (a release dated
-- in the future when it was published). Cheap when there is nothing to do; call it from any
-- scheduler, or by hand on release day.
CREATE OR REPLACE FUNCTION obsmeta.apply_releases() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    due text[];
BEGIN
    SELECT array_agg(r.name) INTO due FROM obsmeta.release r
     WHERE r.kind <> 'prompt' AND r.retracted_at IS NULL AND r.public_date <= now()
       AND (r.caom2_applied_at IS NULL OR r.caom2_applied_at < r.public_date);
    IF due IS NULL THEN
        RETURN 0;
    END IF;
    RETURN obsmeta.rubin_apply_releases(due);
END $$;
COMMENT ON FUNCTION obsmeta.apply_releases() IS
  'Brings CAOM2 up to date with Data Releases that became public since it last looked; returns the number of planes and chunks changed';

CREATE OR REPLACE FUNCTION obsmeta.apply_rubin_results(release text DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF release IS NOT NULL THEN
        PERFORM obsmeta.release_row(release);
    END IF;
    RETURN obsmeta.rubin_apply_releases(CASE WHEN release IS NOT NULL THEN ARRAY[release] END);
END $$;
COMMENT ON FUNCTION obsmeta.apply_rubin_results(text) IS
  'Re-decides the CAOM2 values of every image with results (of one release, or all): a repair tool; returns the number of planes and chunks changed';

REVOKE EXECUTE ON FUNCTION obsmeta.publish_release(text, timestamptz), obsmeta.retract_release(text, text),
       obsmeta.restore_release(text), obsmeta.apply_releases(), obsmeta.apply_rubin_results(text),
       obsmeta.rubin_apply_planes(uuid[], boolean), obsmeta.rubin_apply_chunks(uuid[], integer[], boolean),
       obsmeta.rubin_apply_releases(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.publish_release(text, timestamptz), obsmeta.retract_release(text, text),
       obsmeta.restore_release(text), obsmeta.apply_releases(), obsmeta.apply_rubin_results(text)
   TO obsmeta_release_manager;
GRANT EXECUTE ON FUNCTION obsmeta.apply_releases() TO obsmeta_writer, obsmeta_staff;
