-- obsmeta install script, part 73: sky coverage maps (IVOA MOC, pg_sphere smoc) of ivoa.obscore
-- per collection and band, for what each role may see.
--
-- Stored: obsmeta.coverage_cell, the MOC (at obsmeta.coverage_config.moc_order) of the ivoa.obscore
-- rows of one CAOM2 plane (its rows share collection, band and visible_from). Statement triggers
-- on ivoa.obscore recompute only the planes a statement touched (a visit's conversion: its
-- exposures' and its visit's planes), in the writer's transaction, through ivoa.obscore's
-- caom_plane_id index. Reading, the caller's view
-- ivoa.coverage unions the cells it may see: staff and writers all of them, everyone else the
-- cells whose visible_from has passed, so a release time passing shows without any job.
CREATE TABLE obsmeta.coverage_config (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    moc_order  integer NOT NULL DEFAULT 10 CHECK (moc_order BETWEEN 0 AND 20)   -- order 20: cells of 0.2 arcsec
);
INSERT INTO obsmeta.coverage_config DEFAULT VALUES;
COMMENT ON TABLE obsmeta.coverage_config IS
  'HEALPix order of the coverage MOCs (one row; changing it recomputes obsmeta.coverage_cell)';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.coverage_config', '');
CREATE FUNCTION obsmeta.coverage_config_replace() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM obsmeta.coverage_config;
    RETURN NEW;
END $$;
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.coverage_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.coverage_config_replace();

CREATE TABLE obsmeta.coverage_cell (
    caom_plane_id   uuid PRIMARY KEY,
    obs_collection  text NOT NULL,
    band            text NOT NULL,          -- lsst_band, '' for none
    visible_from    timestamptz NOT NULL,   -- as ivoa.obscore.visible_from (infinity while held)
    moc             smoc NOT NULL,
    n_rows          bigint NOT NULL
);
COMMENT ON TABLE obsmeta.coverage_cell IS
  'MOC of the ivoa.obscore rows of one plane; maintained by triggers on ivoa.obscore (internal: read ivoa.coverage)';

-- Recomputes the cells of the given planes from ivoa.obscore.
CREATE FUNCTION obsmeta.coverage_recompute(planes uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    n integer;
    ord integer := (SELECT moc_order FROM obsmeta.coverage_config);
BEGIN
    DELETE FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes);
    INSERT INTO obsmeta.coverage_cell (caom_plane_id, obs_collection, band, visible_from, moc, n_rows)
    SELECT o.caom_plane_id, min(o.obs_collection), coalesce(min(o.lsst_band), ''), min(o.visible_from),
           sum(smoc(ord, o.s_region)), count(*)
      FROM ivoa.obscore o
     WHERE o.caom_plane_id = ANY (planes) AND o.s_region IS NOT NULL
     GROUP BY o.caom_plane_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_recompute(uuid[]) FROM PUBLIC;

CREATE FUNCTION obsmeta.coverage_on_obscore() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    planes uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT caom_plane_id) INTO planes FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT caom_plane_id) INTO planes FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT p) INTO planes
          FROM (SELECT caom_plane_id AS p FROM new_rows UNION SELECT caom_plane_id FROM old_rows) u;
    END IF;
    IF planes IS NOT NULL THEN
        PERFORM obsmeta.coverage_recompute(planes);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_insert AFTER INSERT ON ivoa.obscore REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_obscore();
CREATE TRIGGER coverage_update AFTER UPDATE ON ivoa.obscore REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_obscore();
CREATE TRIGGER coverage_delete AFTER DELETE ON ivoa.obscore REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_obscore();

-- TRUNCATE of ivoa.obscore, a change of order: everything again
CREATE FUNCTION obsmeta.coverage_rebuild() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM obsmeta.coverage_cell;
    RETURN obsmeta.coverage_recompute(ARRAY(SELECT DISTINCT caom_plane_id FROM ivoa.obscore WHERE s_region IS NOT NULL));
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_rebuild() FROM PUBLIC;
CREATE FUNCTION obsmeta.coverage_on_rebuild() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM obsmeta.coverage_rebuild();
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_truncate AFTER TRUNCATE ON ivoa.obscore FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_rebuild();
CREATE TRIGGER coverage_order AFTER UPDATE OR INSERT ON obsmeta.coverage_config FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_rebuild();

-- What the caller may see: row-level security on the cells, the same rule as ivoa.obscore's
-- (staff and writers every cell, everyone else the cells already released); the view runs as
-- the caller and unions them per collection and band.
ALTER TABLE obsmeta.coverage_cell ENABLE ROW LEVEL SECURITY;
CREATE POLICY coverage_everything ON obsmeta.coverage_cell FOR SELECT TO obsmeta_staff, obsmeta_writer USING (true);
CREATE POLICY coverage_visible ON obsmeta.coverage_cell FOR SELECT TO PUBLIC USING (visible_from <= now());
CREATE VIEW ivoa.coverage WITH (security_invoker = true) AS
SELECT c.obs_collection, nullif(c.band, '') AS band, sum(c.moc) AS moc, sum(c.n_rows)::bigint AS n_rows
  FROM obsmeta.coverage_cell c
 GROUP BY c.obs_collection, c.band;
COMMENT ON VIEW ivoa.coverage IS
  'Sky coverage (pg_sphere smoc, MOC) of the ivoa.obscore rows the caller may see, per collection and band (band NULL: rows without one)';

-- The caller's coverage of one collection (and band, or all bands) as IVOA MOC 2.0 ASCII and JSON.
CREATE FUNCTION obsmeta.coverage_moc(collection text, band text DEFAULT NULL, OUT moc_ascii text, OUT moc_json jsonb)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    m smoc;
BEGIN
    IF collection IS NULL THEN
        RAISE EXCEPTION 'obsmeta.coverage_moc: the collection is NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass an obs_collection of ivoa.obscore.';
    END IF;
    SELECT sum(c.moc) INTO m FROM ivoa.coverage c
     WHERE c.obs_collection = coverage_moc.collection AND ($2 IS NULL OR c.band IS NOT DISTINCT FROM $2);
    moc_ascii := coalesce(m::text, (SELECT moc_order FROM obsmeta.coverage_config) || '/');
    -- MOC JSON: {"order": [cell, ...]} (ranges expanded), from the ASCII form "o/c c-c o/c ..."
    SELECT coalesce(jsonb_object_agg(o, cells), '{}'::jsonb) INTO moc_json
      FROM (SELECT o, jsonb_agg(cell ORDER BY cell) AS cells
              FROM (SELECT max(o) OVER (ORDER BY i) AS o, rng
                      FROM (SELECT i, CASE WHEN strpos(t, '/') > 0 THEN split_part(t, '/', 1)::int END AS o,
                                   CASE WHEN strpos(t, '/') > 0 THEN split_part(t, '/', 2) ELSE t END AS rng
                              FROM regexp_split_to_table(moc_ascii, '\s+') WITH ORDINALITY AS x(t, i)) a) b
             CROSS JOIN LATERAL generate_series(split_part(rng, '-', 1)::bigint,
                                                coalesce(nullif(split_part(rng, '-', 2), '')::bigint, split_part(rng, '-', 1)::bigint)) cell
             WHERE rng <> ''
             GROUP BY o) j;
END $$;
COMMENT ON FUNCTION obsmeta.coverage_moc(text, text) IS
  'The caller''s sky coverage of a collection (one band, or all) as IVOA MOC ASCII and MOC JSON';
GRANT SELECT ON ivoa.coverage TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
GRANT SELECT ON obsmeta.coverage_cell, obsmeta.coverage_config TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_on_obscore(), obsmeta.coverage_on_rebuild() FROM PUBLIC;
