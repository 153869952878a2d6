-- obsmeta install script, part 72: obsmeta.obscore_apply, generated from the declaration of
-- ivoa.obscore's columns (70_columns.sql) by obsmeta.obscore_apply_rebuild(): the columns it
-- inserts (those obsmeta.obscore_source has), writes and compares.
--
-- Recomputes the ivoa.obscore rows of whole planes (full_planes), of artifacts (their detector
-- rows) and the plane rows of planes (plane_rows) from obsmeta.obscore_source, set-based, and
-- writes only what differs: DELETE of rows gone, INSERT of new rows, UPDATE of rows whose columns
-- changed (the pg_sphere values, which have no equality operator, follow from s_region_stcs /
-- s_ra / s_dec and are not compared). Every step is an index probe per key (enable_seqscan off, a
-- generic plan kept for the session: the just-bulk-loaded statistics never turn a probe into a
-- scan). Returns the number of rows deleted, inserted or updated.
CREATE OR REPLACE FUNCTION obsmeta.obscore_apply_rebuild() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog AS $generate$
DECLARE
    set_columns text;
    set_values text;
    compared_old text;
    compared_new text;
    source_columns text;
    -- the schema pg_sphere is installed in (79_search_path.rerunnable.sql does the same for the
    -- functions written by hand): obscore_apply may be regenerated after the install
    sphere text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname = 'pg_sphere');
BEGIN
    SELECT string_agg(format('%I', c.column_name), ', ' ORDER BY c.ordinal_position) FILTER (WHERE c.written),
           string_agg(format('EXCLUDED.%I', c.column_name), ', ' ORDER BY c.ordinal_position) FILTER (WHERE c.written),
           string_agg(format('t.%I', c.column_name), ', ' ORDER BY c.ordinal_position) FILTER (WHERE c.compared),
           string_agg(format('EXCLUDED.%I', c.column_name), ', ' ORDER BY c.ordinal_position) FILTER (WHERE c.compared),
           string_agg(format('%I', c.column_name), ', ' ORDER BY c.ordinal_position) FILTER (WHERE c.value_expression IS NOT NULL)
      INTO set_columns, set_values, compared_old, compared_new, source_columns
      FROM obsmeta.obscore_column c;
    EXECUTE format($function$
CREATE OR REPLACE FUNCTION obsmeta.obscore_apply(full_planes uuid[], artifacts uuid[], plane_rows uuid[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, %6$I
    -- key-driven: index probes per key, whatever the statistics say. Nested loops only: the view's
    -- filter reaches the artifacts (caom_plane_id and row_id are theirs), and the planes and
    -- observations must be probed from them, not scanned whole for a merge or hash join. (The rows
    -- gone are found by a hashed EXCEPT, not by a join with what is wanted.)
    SET enable_seqscan = off SET enable_material = off SET enable_mergejoin = off SET enable_hashjoin = off
    SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    keys uuid[] := coalesce(artifacts, '{}') || coalesce(plane_rows, '{}');
    n bigint;
BEGIN
    full_planes := coalesce(full_planes, '{}');
    IF cardinality(full_planes) = 0 AND cardinality(keys) = 0 THEN
        RETURN 0;
    END IF;
    IF cardinality(keys) = 0 THEN
        -- whole planes only (a conversion's new planes): one pass of the view, half the plan to start
        WITH want AS MATERIALIZED (
            SELECT s.* FROM obsmeta.obscore_source s WHERE s.caom_plane_id = ANY (full_planes)
        ), gone AS (
            DELETE FROM ivoa.obscore t
             USING (SELECT o.row_id FROM ivoa.obscore o WHERE o.caom_plane_id = ANY (full_planes)
                    EXCEPT SELECT w.row_id FROM want w) g
             WHERE t.row_id = g.row_id
            RETURNING 1
        ), put AS (
            INSERT INTO ivoa.obscore AS t (%5$s) SELECT %5$s FROM want ORDER BY row_id
            ON CONFLICT (row_id) DO UPDATE SET
                (%1$s)
              = ROW(%2$s)
             WHERE ROW(%3$s)
                   IS DISTINCT FROM
                   ROW(%4$s)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put) INTO n;
        RETURN n;
    END IF;
    WITH want AS MATERIALIZED (
        SELECT s.* FROM obsmeta.obscore_source s WHERE s.caom_plane_id = ANY (full_planes)
        UNION ALL
        SELECT s.* FROM obsmeta.obscore_source s WHERE s.row_id = ANY (keys) AND NOT s.caom_plane_id = ANY (full_planes)
    ), gone AS (
        DELETE FROM ivoa.obscore t
         USING (SELECT o.row_id FROM ivoa.obscore o WHERE o.caom_plane_id = ANY (full_planes) OR o.row_id = ANY (keys)
                EXCEPT SELECT w.row_id FROM want w) g
         WHERE t.row_id = g.row_id
        RETURNING 1
    ), put AS (
        INSERT INTO ivoa.obscore AS t (%5$s) SELECT %5$s FROM want ORDER BY row_id
        ON CONFLICT (row_id) DO UPDATE SET
            (%1$s)
          = ROW(%2$s)
         WHERE ROW(%3$s)
               IS DISTINCT FROM
               ROW(%4$s)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put) INTO n;
    RETURN n;
END $$;
$function$, set_columns, set_values, compared_old, compared_new, source_columns, sphere);
END
$generate$;
COMMENT ON FUNCTION obsmeta.obscore_apply_rebuild() IS
  'Creates obsmeta.obscore_apply from the declaration of ivoa.obscore''s columns (obsmeta.obscore_column; internal, called by obsmeta.obscore_rebuild())';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_apply_rebuild() FROM PUBLIC;
SELECT obsmeta.obscore_apply_rebuild();
COMMENT ON FUNCTION obsmeta.obscore_apply(uuid[], uuid[], uuid[]) IS
  'Recomputes the ivoa.obscore rows of whole planes, of artifacts, and the plane rows of planes; returns the rows deleted, inserted or updated (internal, used by the maintenance triggers and obsmeta.obscore_flush())';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_apply(uuid[], uuid[], uuid[]) FROM PUBLIC;
