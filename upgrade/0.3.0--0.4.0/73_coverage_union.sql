-- 0.3.0 -> 0.4.0, part 73: a plane's coverage MOC is the union of its rows' MOCs taken in two steps
-- (schema/70_obscore/73_coverage_moc.sql): the same MOC, about a third of the union's cost.

CREATE OR REPLACE FUNCTION obsmeta.coverage_recompute(planes uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    n integer;
    ord integer := (SELECT moc_order FROM obsmeta.coverage_config);
BEGIN
    DELETE FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes);
    -- The union in two steps (16 groups of a plane's rows, by the last byte of row_id, then the
    -- groups): pg_sphere's sum(smoc) merges each row into the growing union, so one step costs as
    -- much as the MOCs themselves for a plane of 189 detectors; the result is the same MOC.
    INSERT INTO obsmeta.coverage_cell (caom_plane_id, obs_collection, band, visible_from, moc, n_rows)
    SELECT g.caom_plane_id, min(g.obs_collection), coalesce(min(g.band), ''), min(g.visible_from),
           sum(g.moc), sum(g.n)::bigint
      FROM (SELECT o.caom_plane_id, min(o.obs_collection) AS obs_collection, min(o.lsst_band) AS band,
                   min(o.visible_from) AS visible_from, sum(smoc(ord, o.s_region)) AS moc, count(*) AS n
              FROM ivoa.obscore o
             WHERE o.caom_plane_id = ANY (planes) AND o.s_region IS NOT NULL
             GROUP BY o.caom_plane_id, get_byte(uuid_send(o.row_id), 15) & 15) g
     GROUP BY g.caom_plane_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
