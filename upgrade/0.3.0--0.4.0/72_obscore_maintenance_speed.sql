-- 0.3.0 -> 0.4.0, part 72: cheaper ObsCore maintenance, same rows (schema/70_obscore/72_obscore_maintenance.sql).
-- obsmeta.obscore_deferred() is PL/pgSQL (its query planned once per session instead of on every
-- call); the observation and plane triggers delete ivoa.obscore rows only when an obs_id or plane_id
-- went away, instead of running a DELETE of nothing (which fires ivoa.obscore's statement triggers)
-- on every UPDATE. (79_search_path.rerunnable.sql, applied after the one-time parts, sets their
-- search_path to pg_sphere's schema.)

CREATE OR REPLACE FUNCTION obsmeta.obscore_deferred() RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM obsmeta.obscore_pending p
                    WHERE p.txn = pg_current_xact_id_if_assigned() AND p.kind = 'd'
                      AND p.id = '00000000-0000-0000-0000-000000000000');
END $$;

CREATE OR REPLACE FUNCTION obsmeta.obscore_on_observation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    planes uuid[];
    removed uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM ivoa.obscore t USING old_rows o WHERE t.caom_obs_id = o.obs_id;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(p.plane_id) INTO planes FROM new_rows n JOIN caom2.plane p ON p.obs_id = n.obs_id;
    ELSE
        -- FULL JOIN: a changed obs_id (never done by obsmeta) counts as a change of both
        SELECT array_agg(p.plane_id) INTO planes
          FROM (SELECT DISTINCT coalesce(n.obs_id, o.obs_id) AS obs_id
                  FROM new_rows n FULL JOIN old_rows o ON o.obs_id = n.obs_id
                 WHERE ROW(n.obs_id, n.collection, n.observation_id, n.algorithm_name, n.meta_release, n.target_name,
                           n.instrument_name)
                       IS DISTINCT FROM ROW(o.obs_id, o.collection, o.observation_id, o.algorithm_name, o.meta_release,
                                            o.target_name, o.instrument_name)) c
          JOIN caom2.plane p ON p.obs_id = c.obs_id;
        -- Only an obs_id that went away (never done by obsmeta) deletes rows. Asked first: a DELETE
        -- of nothing still fires ivoa.obscore's statement triggers (coverage), and the conversion
        -- updates observations several times per batch.
        SELECT array_agg(o.obs_id) INTO removed FROM old_rows o
         WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.obs_id = o.obs_id);
        IF removed IS NOT NULL THEN
            DELETE FROM ivoa.obscore t WHERE t.caom_obs_id = ANY (removed);
        END IF;
    END IF;
    PERFORM obsmeta.obscore_maintain(planes, NULL, NULL);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION obsmeta.obscore_on_plane() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    planes uuid[];
    plane_rows uuid[];
    removed uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM ivoa.obscore t USING old_rows o WHERE t.caom_plane_id = o.plane_id;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(plane_id) INTO planes FROM new_rows;
    ELSE
        -- attributes every row of the plane shows: recompute the whole plane; its position shows only
        -- in its plane row (detector rows use their chunk's footprint). FULL JOIN: a changed
        -- plane_id (never done by obsmeta) counts as a change of both.
        WITH c AS (
            SELECT coalesce(n.plane_id, o.plane_id) AS plane_id,
                   ROW(n.plane_id, n.obs_id, n.product_id, n.meta_release, n.data_release, n.data_product_type,
                       n.calibration_level, n.observable_ucd, n.position_resolution, n.energy_bounds_lower,
                       n.energy_bounds_upper, n.energy_resolving_power, n.energy_dimension, n.energy_bandpass_name,
                       n.time_bounds_lower, n.time_bounds_upper, n.time_exposure, n.time_resolution, n.time_dimension,
                       n.polarization_states, n.polarization_dimension)
                   IS DISTINCT FROM
                   ROW(o.plane_id, o.obs_id, o.product_id, o.meta_release, o.data_release, o.data_product_type,
                       o.calibration_level, o.observable_ucd, o.position_resolution, o.energy_bounds_lower,
                       o.energy_bounds_upper, o.energy_resolving_power, o.energy_dimension, o.energy_bandpass_name,
                       o.time_bounds_lower, o.time_bounds_upper, o.time_exposure, o.time_resolution, o.time_dimension,
                       o.polarization_states, o.polarization_dimension) AS whole,
                   ROW(n.position_bounds_points, n.position_area_deg2, n.position_size_deg, n.position_dimension_naxis1,
                       n.position_dimension_naxis2, n.position_center::text)
                   IS DISTINCT FROM ROW(o.position_bounds_points, o.position_area_deg2, o.position_size_deg,
                       o.position_dimension_naxis1, o.position_dimension_naxis2, o.position_center::text) AS position,
                   n.plane_id IS NULL AS gone
              FROM new_rows n FULL JOIN old_rows o ON o.plane_id = n.plane_id
        )
        SELECT array_agg(plane_id) FILTER (WHERE whole AND NOT gone),
               array_agg(plane_id) FILTER (WHERE position AND NOT whole AND NOT gone)
          INTO planes, plane_rows FROM c WHERE whole OR position;
        -- as for observations: only a plane_id that went away deletes rows
        SELECT array_agg(o.plane_id) INTO removed FROM old_rows o
         WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.plane_id = o.plane_id);
        IF removed IS NOT NULL THEN
            DELETE FROM ivoa.obscore t WHERE t.caom_plane_id = ANY (removed);
        END IF;
    END IF;
    PERFORM obsmeta.obscore_maintain(planes, NULL, plane_rows);
    RETURN NULL;
END $$;
