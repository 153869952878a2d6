-- 0.2.0 -> 0.3.0, ivoa.obscore (schema/70_obscore.sql, 72_obscore_maintenance.sql, 78_tap_schema.sql):
-- s_region becomes the pg_sphere spoly that TAP servers map ADQL geometry to (GiST-indexed), the
-- STC-S text it held moves to s_region_stcs, and 0.2.0's s_region_spoly stays as a stored column
-- generated from s_region (unindexed; for TAP servers and queries configured against 0.2.0).
-- The rows keep their values: one table rewrite swaps the two columns' contents in place.
DROP INDEX ivoa.obscore_s_region_spoly_idx;
ALTER TABLE ivoa.obscore
    ALTER COLUMN s_region TYPE spoly USING s_region_spoly,
    ALTER COLUMN s_region_spoly TYPE text USING s_region;
ALTER TABLE ivoa.obscore RENAME COLUMN s_region_spoly TO s_region_stcs;
ALTER TABLE ivoa.obscore ADD COLUMN s_region_spoly spoly GENERATED ALWAYS AS (s_region) STORED;
CREATE INDEX obscore_s_region_idx ON ivoa.obscore USING gist (s_region obsmeta.spoly_gist_ops);
COMMENT ON COLUMN ivoa.obscore.s_region IS
  'Sky region of the data as a pg_sphere spoly (ICRS; GiST-indexed): TAP servers translate ADQL geometry to it and serialize it as a DALI polygon (degrees)';
COMMENT ON COLUMN ivoa.obscore.s_region_stcs IS 'Sky region of the data as ADQL/STC-S text (POLYGON ICRS ra dec ..., degrees): what s_region held in 0.2.0';
COMMENT ON COLUMN ivoa.obscore.s_region_spoly IS 'Deprecated alias of s_region (its 0.2.0 name), generated from it; not indexed: use s_region';
COMMENT ON OPERATOR CLASS obsmeta.spoly_gist_ops USING gist IS
  'pg_sphere''s spoly GiST operator class with a faster compress function that yields the same keys (ivoa.obscore.s_region, caom2.plane.position_bounds)';

-- the recomputation yields s_region (spoly) and s_region_stcs (text) in the table's column order
DROP VIEW obsmeta.obscore_source;
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

CREATE OR REPLACE FUNCTION obsmeta.obscore_apply(full_planes uuid[], artifacts uuid[], plane_rows uuid[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    -- key-driven: index probes per key, whatever the statistics say; hash joins stay allowed for
    -- CTEs (no index there)
    SET enable_seqscan = off SET enable_material = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    keys uuid[] := coalesce(artifacts, '{}') || coalesce(plane_rows, '{}');
    n bigint;
BEGIN
    full_planes := coalesce(full_planes, '{}');
    IF cardinality(full_planes) = 0 AND cardinality(keys) = 0 THEN
        RETURN 0;
    END IF;
    WITH want AS MATERIALIZED (
        SELECT s.* FROM obsmeta.obscore_source s WHERE s.caom_plane_id = ANY (full_planes)
        UNION ALL
        SELECT s.* FROM obsmeta.obscore_source s WHERE s.row_id = ANY (keys) AND NOT s.caom_plane_id = ANY (full_planes)
    ), gone AS (
        DELETE FROM ivoa.obscore t
         WHERE (t.caom_plane_id = ANY (full_planes) OR t.row_id = ANY (keys))
           AND NOT EXISTS (SELECT 1 FROM want w WHERE w.row_id = t.row_id)
        RETURNING 1
    ), put AS (
        INSERT INTO ivoa.obscore AS t SELECT * FROM want ORDER BY row_id
        ON CONFLICT (row_id) DO UPDATE SET
            (dataproduct_type, calib_level, obs_collection, obs_id, obs_publisher_did, access_url, access_format,
             access_estsize, target_name, s_ra, s_dec, s_fov, s_region, s_resolution, s_xel1, s_xel2, t_min, t_max,
             t_exptime, t_resolution, t_xel, em_min, em_max, em_res_power, em_xel, o_ucd, pol_states, pol_xel,
             facility_name, instrument_name, obs_release_date, obs_creator_did, preview, lsst_visit, lsst_exposure,
             lsst_detector, lsst_band, lsst_physical_filter, lsst_tract, lsst_patch, s_region_stcs, s_center,
             caom_obs_id, caom_plane_id, caom_artifact_id, visible_from, dataproduct_subtype, em_filter_name)
          = ROW(EXCLUDED.dataproduct_type, EXCLUDED.calib_level, EXCLUDED.obs_collection, EXCLUDED.obs_id,
             EXCLUDED.obs_publisher_did, EXCLUDED.access_url, EXCLUDED.access_format, EXCLUDED.access_estsize,
             EXCLUDED.target_name, EXCLUDED.s_ra, EXCLUDED.s_dec, EXCLUDED.s_fov, EXCLUDED.s_region, EXCLUDED.s_resolution,
             EXCLUDED.s_xel1, EXCLUDED.s_xel2, EXCLUDED.t_min, EXCLUDED.t_max, EXCLUDED.t_exptime, EXCLUDED.t_resolution,
             EXCLUDED.t_xel, EXCLUDED.em_min, EXCLUDED.em_max, EXCLUDED.em_res_power, EXCLUDED.em_xel, EXCLUDED.o_ucd,
             EXCLUDED.pol_states, EXCLUDED.pol_xel, EXCLUDED.facility_name, EXCLUDED.instrument_name,
             EXCLUDED.obs_release_date, EXCLUDED.obs_creator_did, EXCLUDED.preview, EXCLUDED.lsst_visit,
             EXCLUDED.lsst_exposure, EXCLUDED.lsst_detector, EXCLUDED.lsst_band, EXCLUDED.lsst_physical_filter,
             EXCLUDED.lsst_tract, EXCLUDED.lsst_patch, EXCLUDED.s_region_stcs, EXCLUDED.s_center,
             EXCLUDED.caom_obs_id, EXCLUDED.caom_plane_id, EXCLUDED.caom_artifact_id, EXCLUDED.visible_from,
             EXCLUDED.dataproduct_subtype, EXCLUDED.em_filter_name)
         WHERE ROW(t.dataproduct_type, t.calib_level, t.obs_collection, t.obs_id, t.obs_publisher_did, t.access_url,
                   t.access_format, t.access_estsize, t.target_name, t.s_ra, t.s_dec, t.s_fov, t.s_region_stcs, t.s_resolution,
                   t.s_xel1, t.s_xel2, t.t_min, t.t_max, t.t_exptime, t.t_resolution, t.t_xel, t.em_min, t.em_max,
                   t.em_res_power, t.em_xel, t.o_ucd, t.pol_states, t.pol_xel, t.facility_name, t.instrument_name,
                   t.obs_release_date, t.obs_creator_did, t.preview, t.lsst_visit, t.lsst_exposure, t.lsst_detector,
                   t.lsst_band, t.lsst_physical_filter, t.lsst_tract, t.lsst_patch, t.caom_obs_id, t.caom_plane_id,
                   t.caom_artifact_id, t.visible_from, t.dataproduct_subtype, t.em_filter_name)
               IS DISTINCT FROM
               ROW(EXCLUDED.dataproduct_type, EXCLUDED.calib_level, EXCLUDED.obs_collection, EXCLUDED.obs_id,
                   EXCLUDED.obs_publisher_did, EXCLUDED.access_url, EXCLUDED.access_format, EXCLUDED.access_estsize,
                   EXCLUDED.target_name, EXCLUDED.s_ra, EXCLUDED.s_dec, EXCLUDED.s_fov, EXCLUDED.s_region_stcs,
                   EXCLUDED.s_resolution, EXCLUDED.s_xel1, EXCLUDED.s_xel2, EXCLUDED.t_min, EXCLUDED.t_max,
                   EXCLUDED.t_exptime, EXCLUDED.t_resolution, EXCLUDED.t_xel, EXCLUDED.em_min, EXCLUDED.em_max,
                   EXCLUDED.em_res_power, EXCLUDED.em_xel, EXCLUDED.o_ucd, EXCLUDED.pol_states, EXCLUDED.pol_xel,
                   EXCLUDED.facility_name, EXCLUDED.instrument_name, EXCLUDED.obs_release_date, EXCLUDED.obs_creator_did,
                   EXCLUDED.preview, EXCLUDED.lsst_visit, EXCLUDED.lsst_exposure, EXCLUDED.lsst_detector,
                   EXCLUDED.lsst_band, EXCLUDED.lsst_physical_filter, EXCLUDED.lsst_tract, EXCLUDED.lsst_patch,
                   EXCLUDED.caom_obs_id, EXCLUDED.caom_plane_id, EXCLUDED.caom_artifact_id, EXCLUDED.visible_from,
                   EXCLUDED.dataproduct_subtype, EXCLUDED.em_filter_name)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put) INTO n;
    RETURN n;
END $$;

CREATE OR REPLACE FUNCTION obsmeta.verify_obscore()
    RETURNS TABLE (row_id uuid, obs_publisher_did text, problem text, columns text[])
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
    -- s_region_spoly: a generated alias of s_region, not in the recomputation
    WITH s AS (SELECT t.row_id, t.obs_publisher_did, to_jsonb(t) - 's_region_spoly' AS j FROM ivoa.obscore t),
         w AS (SELECT x.row_id, x.obs_publisher_did, to_jsonb(x) AS j FROM obsmeta.obscore_source x)
    SELECT coalesce(s.row_id, w.row_id), coalesce(s.obs_publisher_did, w.obs_publisher_did),
           CASE WHEN s.row_id IS NULL THEN 'missing' WHEN w.row_id IS NULL THEN 'extra' ELSE 'differs' END,
           CASE WHEN s.row_id IS NOT NULL AND w.row_id IS NOT NULL THEN
                ARRAY(SELECT e.key FROM jsonb_each(s.j) e WHERE e.value IS DISTINCT FROM w.j -> e.key ORDER BY e.key) END
      FROM s FULL JOIN w ON w.row_id = s.row_id
     WHERE s.row_id IS NULL OR w.row_id IS NULL OR s.j IS DISTINCT FROM w.j $$;

-- TAP_SCHEMA metadata: s_region a DALI polygon; s_region_stcs and the s_region_spoly alias listed
UPDATE obsmeta.obscore_column_meta SET datatype = 'double', arraysize = '*', xtype = 'polygon', unit = 'deg'
 WHERE column_name = 's_region';
DELETE FROM obsmeta.obscore_column_meta WHERE column_name IN ('s_region_spoly', 's_center');
INSERT INTO obsmeta.obscore_column_meta
    (column_index, column_name, datatype, arraysize, xtype, unit, ucd, utype, principal, std, description) VALUES
 (41, 's_region_stcs', 'char', '*', NULL, NULL, 'pos.outline;obs.field', NULL, 0, 0, 'Sky region covered by the data product as STC-S text (POLYGON ICRS ra dec ..., degrees)'),
 (42, 's_center', 'double', '2', 'point', 'deg', 'pos.eq;meta.main', NULL, 0, 0, 'Central position (s_ra, s_dec) as a point (pg_sphere spoint; GiST-indexed) for ADQL geometry'),
 (43, 's_region_spoly', 'double', '*', 'polygon', 'deg', 'pos.outline;obs.field', NULL, 0, 0, 'Deprecated alias of s_region (its name in obsmeta 0.2.0); not indexed: use s_region');

-- TAP_SCHEMAs that 0.2.0's obsmeta.register_tap_schema() wrote (recognised by its description of
-- s_region_spoly) get their ivoa.obscore columns rewritten, so that TAP servers reading them see
-- s_region as the polygon it now is. (Not by calling register_tap_schema(): inside ALTER EXTENSION
-- its CREATE TABLE IF NOT EXISTS fails on tables that are not the extension's.) Other TAP_SCHEMAs
-- (DaCHS's own) are left alone: re-import their resource descriptor.
DO $$
DECLARE
    s text;
    ours boolean;
BEGIN
    FOR s IN SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relname = 'columns' AND c.relkind = 'r'
                AND EXISTS (SELECT 1 FROM pg_class k WHERE k.relnamespace = n.oid AND k.relname = 'key_columns')
                AND (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped
                        AND a.attname IN ('table_name', 'column_name', 'description')) = 3 LOOP
        EXECUTE format($q$SELECT EXISTS (SELECT 1 FROM %I.columns WHERE table_name = 'ivoa.obscore' AND column_name = 's_region_spoly'
                                          AND description = 'Sky region as a polygon (pg_sphere spoly; GiST-indexed) for ADQL geometry')$q$, s)
           INTO ours;
        IF ours THEN
            EXECUTE format($q$DELETE FROM %I.columns WHERE table_name = 'ivoa.obscore'$q$, s);
            EXECUTE format($q$INSERT INTO %I.columns (table_name, column_name, utype, ucd, unit, description, datatype, arraysize,
                                                      xtype, "size", principal, indexed, std, column_index)
                              SELECT 'ivoa.obscore', m.column_name, m.utype, m.ucd, m.unit, m.description, m.datatype, m.arraysize,
                                     m.xtype, NULL, m.principal,
                                     CASE WHEN EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                                                        WHERE i.indrelid = 'ivoa.obscore'::regclass AND a.attname = m.column_name) THEN 1 ELSE 0 END,
                                     m.std, m.column_index
                                FROM obsmeta.obscore_column_meta m$q$, s);
        END IF;
    END LOOP;
END $$;
