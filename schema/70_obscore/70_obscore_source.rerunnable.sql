-- obsmeta install script, part 70 (re-runnable): obsmeta.obscore_source, the rows ivoa.obscore
-- must hold, computed from CAOM2 (ivoa.obscore and the template functions: 70_obscore.sql; kept
-- equal to this view by 72_obscore_maintenance*.sql). Its select list is generated from the one
-- declaration of the columns (obsmeta.obscore_column: each column's value_expression, in table
-- order); this file holds what the expressions read: x, the row's sources, and cfg, the
-- configuration. A column that changes type, name or place needs a one-time part that drops the
-- view first (CREATE OR REPLACE VIEW can only add columns at the end).

-- Template expansion, in two forms that give the same text: obscore_expand is plain SQL that the
-- planner inlines into obsmeta.obscore_source (no function call per row; the one regular
-- expression, for {path}, runs only when the template has {path}); it expands every placeholder
-- but the two publisher-DID ones, which it replaces by '' (there is no DID to put there); ids and
-- numbers are turned into text only for a template that names them (no template at all: NULL at once). Templates
-- that use the publisher DID (access URL, preview) go to obscore_expand_did, which percent-encodes
-- it for {obs_publisher_did_encoded} only when asked.
CREATE OR REPLACE FUNCTION obsmeta.obscore_expand(template text, uri text, dataset_id uuid, artifact_id uuid, plane_id uuid,
                                       collection text, obs_id text, product_id text, detector integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN template IS NULL OR strpos(template, '{') = 0 THEN template ELSE
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(template,
        '{uri}', coalesce(uri, '')),
        '{path}', CASE WHEN strpos(template, '{path}') > 0
                       THEN coalesce(regexp_replace(uri, '^[A-Za-z][A-Za-z0-9+.-]*://[^/]*/', ''), '') ELSE '' END),
        '{dataset_id}', CASE WHEN strpos(template, '{dataset_id}') > 0 THEN coalesce(dataset_id::text, '') ELSE '' END),
        '{artifact_id}', CASE WHEN strpos(template, '{artifact_id}') > 0 THEN coalesce(artifact_id::text, '') ELSE '' END),
        '{plane_id}', CASE WHEN strpos(template, '{plane_id}') > 0 THEN coalesce(plane_id::text, '') ELSE '' END),
        '{collection}', coalesce(collection, '')),
        '{obs_id}', coalesce(obs_id, '')),
        '{product_id}', coalesce(product_id, '')),
        '{detector}', CASE WHEN strpos(template, '{detector}') > 0 THEN coalesce(detector::text, '') ELSE '' END),
        '{obs_publisher_did_encoded}', ''),
        '{obs_publisher_did}', '')
    END $$;

-- A template that may name the publisher DID (access URL, preview): obscore_expand_did when it
-- does, obscore_expand (inlined) when it does not. Plain SQL as well: inlined into the view.
CREATE OR REPLACE FUNCTION obsmeta.obscore_expand_any(template text, uri text, dataset_id uuid, artifact_id uuid,
                                                      plane_id uuid, collection text, obs_id text, product_id text,
                                                      detector integer, publisher_did text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN strpos(template, '{obs_publisher_did') > 0
                THEN obsmeta.obscore_expand_did(template, uri, dataset_id, artifact_id, plane_id, collection, obs_id,
                                                product_id, detector, publisher_did)
                ELSE obsmeta.obscore_expand(template, uri, dataset_id, artifact_id, plane_id, collection, obs_id,
                                            product_id, detector)
           END $$;

-- ObsCore's obs_id: the exposure obs_id, the visit name, or {tract}_{patch}_{band} for coadds.
CREATE OR REPLACE FUNCTION obsmeta.obscore_obs_id(algorithm_name text, observation_id text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN algorithm_name = 'visit' AND right(observation_id, 6) = '_visit' THEN left(observation_id, -6)
                ELSE observation_id END $$;  -- strips the suffix as regexp_replace(observation_id, '_visit$', '') did, without a regex a row

-- The rows ivoa.obscore must hold, computed from CAOM2 (and the Butler data IDs in gen3.dataset
-- for the lsst_* columns). Filter it by caom_plane_id or row_id: both are pushed into the joins.
-- The select list is the declared value_expression of each column that has one (s_region_spoly,
-- generated from s_region, has none); the expressions read x (below: one row per detector artifact
-- and one per plane without detector images) and cfg (obsmeta.obscore_config). A value not among
-- x's columns can be read by key in the expression (e.g. a scalar subquery on x.caom_plane_id or
-- x.dataset_id), or become a column of x here (both branches).
CREATE OR REPLACE FUNCTION obsmeta.obscore_source_rebuild() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog AS $rebuild$
DECLARE
    select_list text;
BEGIN
    -- the expressions name pg_sphere's functions (long, lat): resolve them in pg_sphere's schema,
    -- wherever it is installed (the function's SET restores the caller's search_path on return)
    PERFORM set_config('search_path',
                       format('pg_catalog, %I', (SELECT n.nspname FROM pg_extension e
                                                   JOIN pg_namespace n ON n.oid = e.extnamespace
                                                  WHERE e.extname = 'pg_sphere')), true);
    SELECT string_agg(format('%s AS %I', c.value_expression, c.column_name), E',\n       ' ORDER BY c.ordinal_position)
      INTO select_list
      FROM obsmeta.obscore_column c WHERE c.value_expression IS NOT NULL;
    EXECUTE replace($view$
CREATE OR REPLACE VIEW obsmeta.obscore_source AS
WITH cfg AS (SELECT * FROM obsmeta.obscore_config LIMIT 1)
SELECT @select_list@
  FROM cfg CROSS JOIN LATERAL (
    SELECT b.*,
           coalesce(b.type_url_template,
                    CASE cfg.access_mode WHEN 'direct' THEN cfg.direct_url_template ELSE cfg.datalink_url_template END) AS url_template,
           obsmeta.obscore_expand(cfg.publisher_did_template, b.uri, b.dataset_id, b.artifact_id, b.caom_plane_id,
                                  b.obs_collection, b.obs_id, b.product_id, b.lsst_detector) AS obs_publisher_did
      FROM (
        -- detector rows: one per artifact whose (first) chunk names a detector
        SELECT a.artifact_id AS row_id, o.obs_id AS caom_obs_id, a.plane_id AS caom_plane_id,  -- a.: the filters reach DISTINCT ON
               a.artifact_id AS caom_artifact_id, a.artifact_id, a.uri, a.content_type, a.content_length,
               coalesce(a.lsst_dataset_id, p.plane_id) AS dataset_id, p.product_id,
               p.data_product_type AS dataproduct_type, p.calibration_level AS calib_level,
               o.collection AS obs_collection,
               coalesce(obsmeta.obscore_obs_id_expand(dt.obscore_obs_id_template, d.skymap, d.tract, d.patch,
                                                      coalesce(pf.band, d.band), d.instrument, d.exposure, d.visit,
                                                      a.lsst_detector, obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id)),
                        obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id)) AS obs_id,
               o.target_name, fs.center, fs.size_deg, a.footprint AS region,
               coalesce(a.position_resolution, p.position_resolution) AS s_resolution,
               a.position_axis_function_dimension_naxis1 AS s_xel1, a.position_axis_function_dimension_naxis2 AS s_xel2,
               p.time_bounds_lower AS t_min, p.time_bounds_upper AS t_max, p.time_exposure AS t_exptime,
               p.time_resolution AS t_resolution, p.time_dimension AS t_xel,
               p.energy_bounds_lower AS em_min, p.energy_bounds_upper AS em_max,
               p.energy_resolving_power AS em_res_power, p.energy_dimension AS em_xel,
               p.observable_ucd AS o_ucd,
               CASE WHEN p.polarization_states IS NOT NULL THEN '/' || array_to_string(p.polarization_states, '/') || '/' END AS pol_states,
               p.polarization_dimension AS pol_xel,
               ic.facility_name, o.instrument_name, p.data_release AT TIME ZONE 'UTC' AS obs_release_date,
               d.visit AS lsst_visit, d.exposure AS lsst_exposure, a.lsst_detector,
               coalesce(pf.band, d.band) AS lsst_band, p.energy_bandpass_name AS lsst_physical_filter,
               d.tract AS lsst_tract, d.patch AS lsst_patch,
               CASE WHEN o.meta_release IS NULL OR p.meta_release IS NULL
                      OR EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = o.obs_id)
                    THEN 'infinity'::timestamptz ELSE greatest(o.meta_release, p.meta_release) END AS visible_from,
               dt.dataproduct_subtype, dt.access_url_template AS type_url_template
          -- each artifact with its first detector chunk (by part name, chunk id), picked for all the
          -- planes asked for in one sort: a filter on the plane (or artifact) reaches the scans
          -- through DISTINCT ON, where a LATERAL ... LIMIT 1 sorted once per artifact
          FROM (SELECT DISTINCT ON (ar.plane_id, ar.artifact_id)
                       ar.artifact_id, ar.plane_id, ar.uri, ar.content_type, ar.content_length, ar.lsst_dataset_id,
                       ch.lsst_detector, ch.footprint, ch.position_resolution,
                       ch.position_axis_function_dimension_naxis1, ch.position_axis_function_dimension_naxis2
                  FROM caom2.artifact ar
                  JOIN caom2.part pt ON pt.artifact_id = ar.artifact_id
                  JOIN caom2.chunk ch ON ch.part_id = pt.part_id AND ch.lsst_detector IS NOT NULL
                 ORDER BY ar.plane_id, ar.artifact_id, pt.name, ch.chunk_id) a
          JOIN caom2.plane p ON p.plane_id = a.plane_id
          JOIN caom2.observation o ON o.obs_id = p.obs_id
          -- s_ra, s_dec, s_fov: sphgeom's bounding circle, as dax_obscore computes them
          LEFT JOIN LATERAL obsmeta.sphgeom_bounding_circle(a.footprint) fs ON true
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
  ) x
$view$, '@select_list@', select_list);
EXCEPTION WHEN invalid_table_definition THEN
    RAISE EXCEPTION '%', SQLERRM USING ERRCODE = SQLSTATE,
          DETAIL = 'The declaration (obsmeta.obscore_column) changed a column of obsmeta.obscore_source other than by adding one at its end.',
          HINT = 'A column that changes type, name or place needs a one-time upgrade part that drops the view first: DROP VIEW obsmeta.obscore_source.';
END $rebuild$;
COMMENT ON FUNCTION obsmeta.obscore_source_rebuild() IS
  'Creates obsmeta.obscore_source from the declaration of ivoa.obscore''s columns (obsmeta.obscore_column.value_expression; internal, called by obsmeta.obscore_rebuild())';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_source_rebuild() FROM PUBLIC;
SELECT obsmeta.obscore_source_rebuild();
COMMENT ON VIEW obsmeta.obscore_source IS
  'The rows ivoa.obscore must hold, computed from caom2 (internal; obsmeta.verify_obscore() compares the two)';
