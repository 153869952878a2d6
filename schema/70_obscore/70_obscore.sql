-- obsmeta install script, part 70: ivoa.obscore (IVOA ObsCore 1.1 + Rubin columns), a stored
-- table derived from CAOM2 (see doc/obscore.md).
--
-- Granularity: one row per detector-level artifact (an artifact whose chunk has lsst_detector:
-- s_region = that detector's footprint, access_url = that file) and one row per plane for
-- products with no detector (coadds), as long as the plane has at least one artifact.
-- obsmeta.obscore_source computes the rows from CAOM2; 72_obscore_maintenance.sql keeps
-- ivoa.obscore equal to it, statement by statement, in the writer's transaction.
CREATE SCHEMA ivoa;
COMMENT ON SCHEMA ivoa IS 'IVOA tables published to TAP servers: obscore (ObsCore 1.1), maintained by obsmeta';
GRANT USAGE ON SCHEMA ivoa TO obsmeta_writer, obsmeta_staff, obsmeta_reader;

-- How ObsCore identifiers and access URLs are made (one row). Templates replace {uri} (the
-- artifact URI), {path} (the URI without scheme://authority/), {dataset_id} (the Butler dataset
-- id, or the plane id for a plane without one), {artifact_id}, {plane_id}, {collection},
-- {obs_id} (ObsCore obs_id), {product_id}, {detector}, and in access URLs also
-- {obs_publisher_did} and {obs_publisher_did_encoded} (percent-encoded for a query string).
CREATE TABLE obsmeta.obscore_config (
    singleton               boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    publisher_did_template  text NOT NULL DEFAULT 'ivo://org.rubinobs/obsmeta?{dataset_id}',
    creator_did_template    text,
    -- 'direct': access_url is the file (direct_url_template), access_format its MIME type;
    -- 'datalink': access_url is a DataLink service (datalink_url_template), access_format the
    -- DataLink MIME type.
    access_mode             text NOT NULL DEFAULT 'direct' CHECK (access_mode IN ('direct', 'datalink')),
    direct_url_template     text NOT NULL DEFAULT '{uri}',
    datalink_url_template   text NOT NULL DEFAULT 'https://localhost/api/datalink/links?ID={obs_publisher_did_encoded}',
    preview_template        text,
    -- facility_name when the instrument is not in obsmeta.instrument_config (e.g. coadds)
    default_facility_name   text NOT NULL DEFAULT 'Rubin-LSST'
);
INSERT INTO obsmeta.obscore_config DEFAULT VALUES;
COMMENT ON TABLE obsmeta.obscore_config IS
  'ivoa.obscore identifiers and access: publisher DID template, direct file or DataLink access_url template, preview template (one row; changing it rebuilds ivoa.obscore)';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.obscore_config', '');
-- pg_restore inserts the dumped row after CREATE EXTENSION inserted the default: it replaces it.
CREATE FUNCTION obsmeta.obscore_config_replace() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM obsmeta.obscore_config;
    RETURN NEW;
END $$;
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.obscore_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.obscore_config_replace();

CREATE FUNCTION obsmeta.url_encode(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(CASE WHEN ch ~ '^[A-Za-z0-9._~-]$' THEN ch
                                    ELSE regexp_replace(upper(encode(convert_to(ch, 'UTF8'), 'hex')), '(..)', '%\1', 'g') END,
                               '' ORDER BY i), '')
      FROM regexp_split_to_table(s, '') WITH ORDINALITY AS t(ch, i) $$;

-- Template expansion, in two forms that give the same text: obscore_expand is plain SQL that the
-- planner inlines into obsmeta.obscore_source (no function call per row; the one regular
-- expression, for {path}, runs only when the template has {path}); it expands every placeholder
-- but the two publisher-DID ones, which it replaces by '' (there is no DID to put there). Templates
-- that use the publisher DID (access URL, preview) go to obscore_expand_did, which percent-encodes
-- it for {obs_publisher_did_encoded} only when asked.
CREATE FUNCTION obsmeta.obscore_expand(template text, uri text, dataset_id uuid, artifact_id uuid, plane_id uuid,
                                       collection text, obs_id text, product_id text, detector integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN strpos(template, '{') = 0 THEN template ELSE
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(template,
        '{uri}', coalesce(uri, '')),
        '{path}', CASE WHEN strpos(template, '{path}') > 0
                       THEN coalesce(regexp_replace(uri, '^[A-Za-z][A-Za-z0-9+.-]*://[^/]*/', ''), '') ELSE '' END),
        '{dataset_id}', coalesce(dataset_id::text, '')),
        '{artifact_id}', coalesce(artifact_id::text, '')),
        '{plane_id}', coalesce(plane_id::text, '')),
        '{collection}', coalesce(collection, '')),
        '{obs_id}', coalesce(obs_id, '')),
        '{product_id}', coalesce(product_id, '')),
        '{detector}', coalesce(detector::text, '')),
        '{obs_publisher_did_encoded}', ''),
        '{obs_publisher_did}', '')
    END $$;

CREATE FUNCTION obsmeta.obscore_expand_did(template text, uri text, dataset_id uuid, artifact_id uuid, plane_id uuid,
                                           collection text, obs_id text, product_id text, detector integer,
                                           publisher_did text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    r text := template;
BEGIN
    IF r IS NULL OR strpos(r, '{') = 0 THEN
        RETURN r;
    END IF;
    IF strpos(r, '{uri}') > 0 THEN r := replace(r, '{uri}', coalesce(uri, '')); END IF;
    IF strpos(r, '{path}') > 0 THEN
        r := replace(r, '{path}', coalesce(regexp_replace(uri, '^[A-Za-z][A-Za-z0-9+.-]*://[^/]*/', ''), ''));
    END IF;
    IF strpos(r, '{dataset_id}') > 0 THEN r := replace(r, '{dataset_id}', coalesce(dataset_id::text, '')); END IF;
    IF strpos(r, '{artifact_id}') > 0 THEN r := replace(r, '{artifact_id}', coalesce(artifact_id::text, '')); END IF;
    IF strpos(r, '{plane_id}') > 0 THEN r := replace(r, '{plane_id}', coalesce(plane_id::text, '')); END IF;
    IF strpos(r, '{collection}') > 0 THEN r := replace(r, '{collection}', coalesce(collection, '')); END IF;
    IF strpos(r, '{obs_id}') > 0 THEN r := replace(r, '{obs_id}', coalesce(obs_id, '')); END IF;
    IF strpos(r, '{product_id}') > 0 THEN r := replace(r, '{product_id}', coalesce(product_id, '')); END IF;
    IF strpos(r, '{detector}') > 0 THEN r := replace(r, '{detector}', coalesce(detector::text, '')); END IF;
    -- percent-encoding is not free: only when the template asks for it
    IF strpos(r, '{obs_publisher_did_encoded}') > 0 THEN
        r := replace(r, '{obs_publisher_did_encoded}', coalesce(obsmeta.url_encode(publisher_did), ''));
    END IF;
    IF strpos(r, '{obs_publisher_did}') > 0 THEN r := replace(r, '{obs_publisher_did}', coalesce(publisher_did, '')); END IF;
    RETURN r;
END $$;

-- The table, from its declaration (70_columns_declared.rerunnable.sql): ObsCore 1.1 mandatory and
-- optional columns, Rubin columns, obsmeta's bookkeeping, s_region_spoly last.
DO $obscore$
BEGIN
    EXECUTE (SELECT format('CREATE TABLE ivoa.obscore (%s)',
                           string_agg(format('%I %s', column_name, definition), ', ' ORDER BY ordinal_position))
               FROM obsmeta.obscore_column);
END
$obscore$;
CREATE INDEX obscore_s_region_idx ON ivoa.obscore USING gist (s_region obsmeta.spoly_gist_ops);
CREATE INDEX obscore_s_center_idx ON ivoa.obscore USING gist (s_center);
CREATE INDEX obscore_caom_plane_id_idx ON ivoa.obscore (caom_plane_id);
CREATE INDEX obscore_caom_obs_id_idx ON ivoa.obscore (caom_obs_id);
CREATE INDEX obscore_obs_id_idx ON ivoa.obscore (obs_id);
CREATE INDEX obscore_obs_publisher_did_idx ON ivoa.obscore (obs_publisher_did);

COMMENT ON TABLE ivoa.obscore IS
  'IVOA ObsCore 1.1 (+ Rubin lsst_* columns): one row per detector image file, one per plane of products without detectors (coadds). Maintained by obsmeta from caom2; row-level security hides embargoed rows';
COMMENT ON COLUMN ivoa.obscore.obs_release_date IS
    'Observation release date (UTC; the plane''s dataRelease). timestamp without time zone, as DALI timestamps and CAOM2 store it: TAP servers serialize it as yyyy-mm-ddThh:mm:ss[.fff] (a timestamptz would come out with a +00:00 offset, which DALI forbids)';
COMMENT ON COLUMN ivoa.obscore.s_region IS
  'Sky region of the data as a pg_sphere spoly (ICRS; GiST-indexed): TAP servers translate ADQL geometry to it and serialize it as a DALI polygon (degrees)';
COMMENT ON COLUMN ivoa.obscore.s_region_stcs IS 'Sky region of the data as ADQL/STC-S text (POLYGON ICRS ra dec ..., degrees): what s_region held in 0.2.0';
COMMENT ON COLUMN ivoa.obscore.s_region_spoly IS 'Deprecated alias of s_region (its 0.2.0 name), generated from it; not indexed: use s_region';
COMMENT ON COLUMN ivoa.obscore.s_center IS 'Central position (s_ra, s_dec) as a pg_sphere spoint (GiST-indexed)';
COMMENT ON COLUMN ivoa.obscore.row_id IS 'obsmeta: the CAOM2 artifact id of a detector row, the plane id of a plane row';
COMMENT ON COLUMN ivoa.obscore.caom_obs_id IS 'obsmeta: caom2.observation.obs_id of the row';
COMMENT ON COLUMN ivoa.obscore.caom_plane_id IS 'obsmeta: caom2.plane.plane_id of the row';
COMMENT ON COLUMN ivoa.obscore.caom_artifact_id IS 'obsmeta: caom2.artifact.artifact_id of a detector row (NULL for plane rows)';
COMMENT ON COLUMN ivoa.obscore.visible_from IS
  'obsmeta: when readers may see the row: the later of the observation''s and plane''s meta_release; infinity while held or without a release date';

COMMENT ON COLUMN ivoa.obscore.dataproduct_subtype IS 'Data product subtype (dax_obscore; obsmeta.dataset_type_config.dataproduct_subtype)';
COMMENT ON COLUMN ivoa.obscore.em_filter_name IS 'Filter (band) name (dax_obscore''s em_filter_name; equals lsst_band)';

-- ObsCore obs_id from a dataset type's obscore_obs_id_template (dax_obscore's obs_id_fmt).
CREATE FUNCTION obsmeta.obscore_obs_id_expand(template text, skymap text, tract integer, patch integer, band text,
                                              instrument text, exposure bigint, visit bigint, detector integer,
                                              obs_id text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(template,
        '{skymap}', coalesce(skymap, '')), '{tract}', coalesce(tract::text, '')), '{patch}', coalesce(patch::text, '')),
        '{band}', coalesce(band, '')), '{instrument}', coalesce(instrument, '')),
        '{exposure}', coalesce(exposure::text, '')), '{visit}', coalesce(visit::text, '')),
        '{detector}', coalesce(detector::text, '')), '{obs_id}', coalesce(obs_id, '')) $$;

-- ObsCore's obs_id: the exposure obs_id, the visit name, or {tract}_{patch}_{band} for coadds.
CREATE FUNCTION obsmeta.obscore_obs_id(algorithm_name text, observation_id text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN algorithm_name = 'visit' THEN regexp_replace(observation_id, '_visit$', '') ELSE observation_id END $$;

-- The rows ivoa.obscore must hold, computed from CAOM2 (and the Butler data IDs in gen3.dataset
-- for the lsst_* columns). Filter it by caom_plane_id or row_id: both are pushed into the joins.
CREATE VIEW obsmeta.obscore_source AS
WITH cfg AS (SELECT * FROM obsmeta.obscore_config LIMIT 1)
SELECT x.dataproduct_type, x.calib_level, x.obs_collection, x.obs_id, x.obs_publisher_did,
       CASE WHEN strpos(x.url_template, '{obs_publisher_did') > 0
            THEN obsmeta.obscore_expand_did(x.url_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                            x.obs_collection, x.obs_id, x.product_id, x.lsst_detector, x.obs_publisher_did)
            ELSE obsmeta.obscore_expand(x.url_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                        x.obs_collection, x.obs_id, x.product_id, x.lsst_detector)
       END AS access_url,
       CASE cfg.access_mode WHEN 'direct' THEN x.content_type
            ELSE 'application/x-votable+xml;content=datalink' END AS access_format,
       (x.content_length + 1023) / 1024 AS access_estsize,
       x.target_name,
       degrees(long(x.center)) AS s_ra, degrees(lat(x.center)) AS s_dec, x.size_deg AS s_fov,
       x.region AS s_region,
       x.s_resolution, x.s_xel1, x.s_xel2, x.t_min, x.t_max, x.t_exptime, x.t_resolution, x.t_xel,
       x.em_min, x.em_max, x.em_res_power, x.em_xel, x.o_ucd, x.pol_states, x.pol_xel,
       coalesce(x.facility_name, cfg.default_facility_name) AS facility_name, x.instrument_name,
       x.obs_release_date,
       obsmeta.obscore_expand(cfg.creator_did_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                              x.obs_collection, x.obs_id, x.product_id, x.lsst_detector) AS obs_creator_did,
       CASE WHEN strpos(cfg.preview_template, '{obs_publisher_did') > 0
            THEN obsmeta.obscore_expand_did(cfg.preview_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                            x.obs_collection, x.obs_id, x.product_id, x.lsst_detector, x.obs_publisher_did)
            ELSE obsmeta.obscore_expand(cfg.preview_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                        x.obs_collection, x.obs_id, x.product_id, x.lsst_detector)
       END AS preview,
       x.lsst_visit, x.lsst_exposure, x.lsst_detector, x.lsst_band, x.lsst_physical_filter, x.lsst_tract, x.lsst_patch,
       obsmeta.spoly_to_stcs(x.region) AS s_region_stcs, x.center AS s_center,
       x.row_id, x.caom_obs_id, x.caom_plane_id, x.caom_artifact_id, x.visible_from,
       x.dataproduct_subtype, x.lsst_band AS em_filter_name
  FROM cfg CROSS JOIN LATERAL (
    SELECT b.*,
           coalesce(b.type_url_template,
                    CASE cfg.access_mode WHEN 'direct' THEN cfg.direct_url_template ELSE cfg.datalink_url_template END) AS url_template,
           obsmeta.obscore_expand(cfg.publisher_did_template, b.uri, b.dataset_id, b.artifact_id, b.caom_plane_id,
                                  b.obs_collection, b.obs_id, b.product_id, b.lsst_detector) AS obs_publisher_did
      FROM (
        -- detector rows: one per artifact whose (first) chunk names a detector
        SELECT a.artifact_id AS row_id, o.obs_id AS caom_obs_id, p.plane_id AS caom_plane_id,
               a.artifact_id AS caom_artifact_id, a.artifact_id, a.uri, a.content_type, a.content_length,
               coalesce(a.lsst_dataset_id, p.plane_id) AS dataset_id, p.product_id,
               p.data_product_type AS dataproduct_type, p.calibration_level AS calib_level,
               o.collection AS obs_collection,
               coalesce(obsmeta.obscore_obs_id_expand(dt.obscore_obs_id_template, d.skymap, d.tract, d.patch,
                                                      coalesce(pf.band, d.band), d.instrument, d.exposure, d.visit,
                                                      c.lsst_detector, obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id)),
                        obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id)) AS obs_id,
               o.target_name, fs.center, fs.size_deg, c.footprint AS region,
               coalesce(c.position_resolution, p.position_resolution) AS s_resolution,
               c.position_axis_function_dimension_naxis1 AS s_xel1, c.position_axis_function_dimension_naxis2 AS s_xel2,
               p.time_bounds_lower AS t_min, p.time_bounds_upper AS t_max, p.time_exposure AS t_exptime,
               p.time_resolution AS t_resolution, p.time_dimension AS t_xel,
               p.energy_bounds_lower AS em_min, p.energy_bounds_upper AS em_max,
               p.energy_resolving_power AS em_res_power, p.energy_dimension AS em_xel,
               p.observable_ucd AS o_ucd,
               CASE WHEN p.polarization_states IS NOT NULL THEN '/' || array_to_string(p.polarization_states, '/') || '/' END AS pol_states,
               p.polarization_dimension AS pol_xel,
               ic.facility_name, o.instrument_name, p.data_release AT TIME ZONE 'UTC' AS obs_release_date,
               d.visit AS lsst_visit, d.exposure AS lsst_exposure, c.lsst_detector,
               coalesce(pf.band, d.band) AS lsst_band, p.energy_bandpass_name AS lsst_physical_filter,
               d.tract AS lsst_tract, d.patch AS lsst_patch,
               CASE WHEN o.meta_release IS NULL OR p.meta_release IS NULL
                      OR EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = o.obs_id)
                    THEN 'infinity'::timestamptz ELSE greatest(o.meta_release, p.meta_release) END AS visible_from,
               dt.dataproduct_subtype, dt.access_url_template AS type_url_template
          FROM caom2.artifact a
          CROSS JOIN LATERAL (
                SELECT ch.* FROM caom2.part pt JOIN caom2.chunk ch ON ch.part_id = pt.part_id
                 WHERE pt.artifact_id = a.artifact_id AND ch.lsst_detector IS NOT NULL
                 ORDER BY pt.name, ch.chunk_id LIMIT 1) c
          JOIN caom2.plane p ON p.plane_id = a.plane_id
          JOIN caom2.observation o ON o.obs_id = p.obs_id
          -- s_ra, s_dec, s_fov: sphgeom's bounding circle, as dax_obscore computes them
          LEFT JOIN LATERAL obsmeta.sphgeom_bounding_circle(c.footprint) fs ON true
          LEFT JOIN gen3.dataset d ON d.id = a.lsst_dataset_id
          LEFT JOIN gen3.physical_filter pf ON pf.instrument = d.instrument AND pf.name = p.energy_bandpass_name
          LEFT JOIN obsmeta.instrument_config ic ON ic.instrument = o.instrument_name
          LEFT JOIN obsmeta.dataset_type_config dt ON dt.dataset_type = d.dataset_type
        UNION ALL
        -- plane rows: products without detectors (one row per plane that has an artifact)
        SELECT p.plane_id, o.obs_id, p.plane_id, NULL::uuid, a.artifact_id, a.uri, a.content_type, a.content_length,
               coalesce(a.lsst_dataset_id, p.plane_id), p.product_id,
               p.data_product_type, p.calibration_level,
               o.collection,
               coalesce(obsmeta.obscore_obs_id_expand(dt.obscore_obs_id_template, d.skymap, d.tract, d.patch,
                                                      coalesce(pf.band, d.band), d.instrument, d.exposure, d.visit,
                                                      NULL, obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id)),
                        obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id)),
               o.target_name, bc.center, bc.size_deg, p.position_bounds,
               p.position_resolution, p.position_dimension_naxis1, p.position_dimension_naxis2,
               p.time_bounds_lower, p.time_bounds_upper, p.time_exposure, p.time_resolution, p.time_dimension,
               p.energy_bounds_lower, p.energy_bounds_upper, p.energy_resolving_power, p.energy_dimension,
               p.observable_ucd,
               CASE WHEN p.polarization_states IS NOT NULL THEN '/' || array_to_string(p.polarization_states, '/') || '/' END,
               p.polarization_dimension,
               ic.facility_name, o.instrument_name, p.data_release AT TIME ZONE 'UTC',
               d.visit, d.exposure, NULL::integer,
               coalesce(pf.band, d.band), p.energy_bandpass_name, d.tract, d.patch,
               CASE WHEN o.meta_release IS NULL OR p.meta_release IS NULL
                      OR EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = o.obs_id)
                    THEN 'infinity'::timestamptz ELSE greatest(o.meta_release, p.meta_release) END,
               dt.dataproduct_subtype, dt.access_url_template
          FROM caom2.plane p
          JOIN caom2.observation o ON o.obs_id = p.obs_id
          -- the plane's file (the first by URI, if it has several)
          CROSS JOIN LATERAL (SELECT ar.* FROM caom2.artifact ar WHERE ar.plane_id = p.plane_id ORDER BY ar.uri LIMIT 1) a
          LEFT JOIN gen3.dataset d ON d.id = a.lsst_dataset_id
          LEFT JOIN gen3.physical_filter pf ON pf.instrument = d.instrument AND pf.name = p.energy_bandpass_name
          LEFT JOIN obsmeta.instrument_config ic ON ic.instrument = o.instrument_name
          LEFT JOIN obsmeta.dataset_type_config dt ON dt.dataset_type = d.dataset_type
          LEFT JOIN LATERAL obsmeta.sphgeom_bounding_circle(p.position_bounds) bc ON true
          -- a plane with a detector image has detector rows instead (LIMIT: probed per plane)
          LEFT JOIN LATERAL (SELECT true AS found FROM caom2.artifact a2
                               JOIN caom2.part pt ON pt.artifact_id = a2.artifact_id
                               JOIN caom2.chunk ch ON ch.part_id = pt.part_id
                              WHERE a2.plane_id = p.plane_id AND ch.lsst_detector IS NOT NULL LIMIT 1) det ON true
         WHERE det.found IS NULL
      ) b
  ) x;
COMMENT ON VIEW obsmeta.obscore_source IS
  'The rows ivoa.obscore must hold, computed from caom2 (internal; obsmeta.verify_obscore() compares the two)';
