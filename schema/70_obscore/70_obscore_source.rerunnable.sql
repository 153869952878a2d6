-- obsmeta install script, part 70 (re-runnable): obsmeta.obscore_source, the rows ivoa.obscore
-- must hold, computed from CAOM2 (ivoa.obscore and the template functions: 70_obscore.sql; kept
-- equal to this view by 72_obscore_maintenance*.sql). Its columns are ivoa.obscore's, in table
-- order (obsmeta.obscore_column): a change of them needs a one-time part that drops the view.

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

-- ObsCore's obs_id: the exposure obs_id, the visit name, or {tract}_{patch}_{band} for coadds.
CREATE OR REPLACE FUNCTION obsmeta.obscore_obs_id(algorithm_name text, observation_id text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN algorithm_name = 'visit' AND right(observation_id, 6) = '_visit' THEN left(observation_id, -6)
                ELSE observation_id END $$;  -- strips the suffix as regexp_replace(observation_id, '_visit$', '') did, without a regex a row

-- The rows ivoa.obscore must hold, computed from CAOM2 (and the Butler data IDs in gen3.dataset
-- for the lsst_* columns). Filter it by caom_plane_id or row_id: both are pushed into the joins.
CREATE OR REPLACE VIEW obsmeta.obscore_source AS
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
  ) x;
COMMENT ON VIEW obsmeta.obscore_source IS
  'The rows ivoa.obscore must hold, computed from caom2 (internal; obsmeta.verify_obscore() compares the two)';
