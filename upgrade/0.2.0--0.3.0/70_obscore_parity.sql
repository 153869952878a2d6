-- 0.3.0: ObsCore as dax_obscore makes it (schema/70_obscore.sql, 72_obscore_maintenance.sql):
-- dataproduct_subtype and em_filter_name, per-dataset-type obs_id and access_url templates,
-- s_ra/s_dec/s_fov from sphgeom's bounding circle. The stored rows are recomputed at the end.
ALTER TABLE ivoa.obscore ADD COLUMN dataproduct_subtype text, ADD COLUMN em_filter_name text;
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

-- obsmeta.obscore_source, obscore_apply and verify_obscore are replaced with the columns of both
-- 0.3.0 ObsCore changes in 70_obscore_s_region_geometry.sql; the rows are recomputed in 99_obscore_rows.sql.
