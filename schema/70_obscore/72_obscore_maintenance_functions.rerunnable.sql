-- obsmeta install script, part 72 (re-runnable): the functions and triggers that keep ivoa.obscore
-- equal to obsmeta.obscore_source (how: 72_obscore_maintenance.sql, which creates the table of
-- recorded keys they use).

-- true while this transaction defers ObsCore maintenance. PL/pgSQL, not SQL: the triggers ask
-- this several times per statement, and a (non-inlinable) SQL function plans its query on every
-- call, PL/pgSQL once per session.
CREATE OR REPLACE FUNCTION obsmeta.obscore_deferred() RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM obsmeta.obscore_pending p
                    WHERE p.txn = pg_current_xact_id_if_assigned() AND p.kind = 'd'
                      AND p.id = '00000000-0000-0000-0000-000000000000');
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_deferred() FROM PUBLIC;

-- Returns true when this call began the deferral, false when the transaction was deferring already
-- (the conversion then leaves the flush to whoever began it).
CREATE OR REPLACE FUNCTION obsmeta.obscore_defer() RETURNS boolean
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
    WITH began AS (
        INSERT INTO obsmeta.obscore_pending (txn, kind, id)
        VALUES (pg_current_xact_id(), 'd', '00000000-0000-0000-0000-000000000000') ON CONFLICT DO NOTHING
        RETURNING true)
    SELECT EXISTS (SELECT 1 FROM began) $$;
COMMENT ON FUNCTION obsmeta.obscore_defer() IS
  'From now until obsmeta.obscore_flush(), this transaction''s CAOM2 writes only record which ivoa.obscore rows to recompute (for a writer that changes CAOM2 in several statements, e.g. the conversion); true when this call began the deferral';

-- Called by the triggers with what a statement changed: recorded while deferred, applied otherwise.
CREATE OR REPLACE FUNCTION obsmeta.obscore_maintain(full_planes uuid[], artifacts uuid[], plane_rows uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
BEGIN
    IF cardinality(full_planes) IS NULL AND cardinality(artifacts) IS NULL AND cardinality(plane_rows) IS NULL THEN
        RETURN;  -- the statement changed nothing ObsCore shows (e.g. a checksum or max_last_modified update)
    END IF;
    IF NOT obsmeta.obscore_deferred() THEN
        PERFORM obsmeta.obscore_apply(full_planes, artifacts, plane_rows);
        RETURN;
    END IF;
    INSERT INTO obsmeta.obscore_pending (txn, kind, id)
    SELECT pg_current_xact_id(), k.kind, k.id
      FROM (SELECT 'p'::"char", x FROM unnest(full_planes) x
            UNION ALL SELECT 'r'::"char", x FROM unnest(plane_rows) x) AS k(kind, id)
     WHERE k.id IS NOT NULL
    ON CONFLICT DO NOTHING;
    IF cardinality(artifacts) > 0 THEN
        -- An artifact whose plane is recorded whole needs no key of its own (the flush computes
        -- the plane's rows): the conversion's new artifacts, parts and chunks of its new planes
        -- record nothing, and the flush has planes only.
        INSERT INTO obsmeta.obscore_pending (txn, kind, id)
        SELECT pg_current_xact_id(), 'a', x
          FROM unnest(artifacts) x
         WHERE x IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM caom2.artifact a
                             JOIN obsmeta.obscore_pending w
                               ON w.txn = pg_current_xact_id() AND w.kind = 'p' AND w.id = a.plane_id
                            WHERE a.artifact_id = x)
        ON CONFLICT DO NOTHING;
    END IF;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_maintain(uuid[], uuid[], uuid[]) FROM PUBLIC;

-- The key-recording entry point for a writer that knows which planes it wrote, changed or deleted
-- and writes CAOM2 without firing the obscore_on_* triggers (e.g. the conversion, once per batch):
-- their ivoa.obscore rows are recomputed whole by the flush (or at once, when not deferring), and
-- only rows that differ are written.
CREATE OR REPLACE FUNCTION obsmeta.obscore_record(planes uuid[]) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM obsmeta.obscore_maintain(planes, NULL, NULL);
END $$;
COMMENT ON FUNCTION obsmeta.obscore_record(uuid[]) IS
  'Records CAOM2 planes (written, changed or deleted) whose ivoa.obscore rows obsmeta.obscore_flush() recomputes whole (applied at once when the transaction does not defer); for writers that bypass the CAOM2 maintenance triggers';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_record(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.obscore_record(uuid[]) TO obsmeta_writer;

CREATE OR REPLACE FUNCTION obsmeta.obscore_flush() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    my_txn xid8 := pg_current_xact_id_if_assigned();
    planes uuid[];
    artifacts uuid[];
    plane_rows uuid[];
    more_rows uuid[];
BEGIN
    IF my_txn IS NULL THEN
        RETURN 0;
    END IF;
    WITH taken AS (DELETE FROM obsmeta.obscore_pending p WHERE p.txn = my_txn RETURNING p.kind, p.id)
    SELECT array_agg(id) FILTER (WHERE kind = 'p'), array_agg(id) FILTER (WHERE kind = 'a'),
           array_agg(id) FILTER (WHERE kind = 'r')
      INTO planes, artifacts, plane_rows FROM taken;
    planes := coalesce(planes, '{}');
    IF artifacts IS NOT NULL THEN
        -- Artifacts of planes recomputed whole need nothing of their own. The others' planes may
        -- gain or lose their plane row (a detector chunk came or went), as the artifact and
        -- part/chunk triggers would have checked statement by statement.
        SELECT array_agg(x) FILTER (WHERE a.plane_id IS NULL OR NOT a.plane_id = ANY (planes)),
               array_agg(DISTINCT a.plane_id) FILTER (WHERE NOT a.plane_id = ANY (planes))
          INTO artifacts, more_rows
          FROM unnest(artifacts) AS x LEFT JOIN caom2.artifact a ON a.artifact_id = x;
        plane_rows := coalesce(plane_rows, '{}') || coalesce(more_rows, '{}');
    END IF;
    IF cardinality(plane_rows) > 0 THEN  -- a plane recomputed whole includes its plane row
        plane_rows := ARRAY(SELECT x FROM unnest(plane_rows) x WHERE NOT x = ANY (planes));
    END IF;
    RETURN obsmeta.obscore_apply(planes, artifacts, plane_rows);
END $$;
COMMENT ON FUNCTION obsmeta.obscore_flush() IS
  'Applies the ivoa.obscore changes recorded since obsmeta.obscore_defer() in this transaction, each row recomputed once, and ends the deferral; returns the rows deleted, inserted or updated';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_defer(), obsmeta.obscore_flush() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.obscore_defer(), obsmeta.obscore_flush() TO obsmeta_writer;

-- One trigger function per CAOM2 table; TG_OP tells which transition tables exist.
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

CREATE OR REPLACE FUNCTION obsmeta.obscore_on_artifact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    artifacts uuid[];
    plane_rows uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(artifact_id), array_agg(DISTINCT plane_id) INTO artifacts, plane_rows FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(artifact_id), array_agg(DISTINCT plane_id) INTO artifacts, plane_rows FROM old_rows;
    ELSE
        WITH changed AS (  -- FULL JOIN: a changed artifact_id (never done by obsmeta) counts for both
            SELECT coalesce(n.artifact_id, o.artifact_id) AS artifact_id, n.plane_id AS new_plane, o.plane_id AS old_plane
              FROM new_rows n FULL JOIN old_rows o ON o.artifact_id = n.artifact_id
             WHERE ROW(n.artifact_id, n.plane_id, n.uri, n.content_type, n.content_length, n.lsst_dataset_id)
                   IS DISTINCT FROM ROW(o.artifact_id, o.plane_id, o.uri, o.content_type, o.content_length, o.lsst_dataset_id)
        )
        SELECT array_agg(artifact_id),
               (SELECT array_agg(DISTINCT x) FROM (SELECT new_plane FROM changed UNION SELECT old_plane FROM changed) AS p(x)
                 WHERE x IS NOT NULL)
          INTO artifacts, plane_rows FROM changed;
    END IF;
    PERFORM obsmeta.obscore_maintain(NULL, artifacts, plane_rows);
    RETURN NULL;
END $$;

-- Parts and chunks: their artifacts (through caom2.part for chunks).
CREATE OR REPLACE FUNCTION obsmeta.obscore_on_part_or_chunk() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    artifacts uuid[];
    plane_rows uuid[];
BEGIN
    IF TG_TABLE_NAME = 'part' THEN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT artifact_id) INTO artifacts FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT artifact_id) INTO artifacts FROM old_rows;
        ELSE
            SELECT array_agg(DISTINCT x) INTO artifacts
              FROM new_rows n FULL JOIN old_rows o ON o.part_id = n.part_id
             CROSS JOIN LATERAL (VALUES (n.artifact_id), (o.artifact_id)) AS v(x)
             WHERE ROW(n.part_id, n.artifact_id, n.name) IS DISTINCT FROM ROW(o.part_id, o.artifact_id, o.name)
               AND x IS NOT NULL;
        END IF;
    ELSE  -- chunk
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT p.artifact_id) INTO artifacts
              FROM (SELECT DISTINCT part_id FROM new_rows) c JOIN caom2.part p ON p.part_id = c.part_id;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT p.artifact_id) INTO artifacts
              FROM (SELECT DISTINCT part_id FROM old_rows) c JOIN caom2.part p ON p.part_id = c.part_id;
        ELSE
            SELECT array_agg(DISTINCT p.artifact_id) INTO artifacts
              FROM (SELECT DISTINCT x AS part_id
                      FROM new_rows n FULL JOIN old_rows o ON o.chunk_id = n.chunk_id
                     CROSS JOIN LATERAL (VALUES (n.part_id), (o.part_id)) AS v(x)
                     WHERE ROW(n.chunk_id, n.part_id, n.lsst_detector, n.footprint::text, n.position_resolution,
                               n.position_axis_function_dimension_naxis1, n.position_axis_function_dimension_naxis2)
                           IS DISTINCT FROM ROW(o.chunk_id, o.part_id, o.lsst_detector, o.footprint::text, o.position_resolution,
                               o.position_axis_function_dimension_naxis1, o.position_axis_function_dimension_naxis2)
                       AND x IS NOT NULL) c
              JOIN caom2.part p ON p.part_id = c.part_id;
        END IF;
    END IF;
    IF artifacts IS NOT NULL AND obsmeta.obscore_deferred() THEN
        -- recorded: obsmeta.obscore_flush() computes each artifact once (and its plane's plane row)
        PERFORM obsmeta.obscore_maintain(NULL, artifacts, NULL);
    ELSIF artifacts IS NOT NULL THEN
        SELECT array_agg(DISTINCT a.plane_id) INTO plane_rows
          FROM caom2.artifact a WHERE a.artifact_id = ANY (artifacts);
        IF TG_OP = 'INSERT' THEN
            -- The conversion inserts an artifact, its part and its chunk in one statement, and the
            -- artifact's trigger (which fires first) has then computed the row already. A new part
            -- or chunk can change a stored row only when its artifact has several detector chunks
            -- (the first one wins); otherwise only artifacts without a row need computing.
            SELECT array_agg(x) INTO artifacts FROM unnest(artifacts) AS x
             WHERE NOT EXISTS (SELECT 1 FROM ivoa.obscore t WHERE t.row_id = x)
                OR (SELECT count(*) FROM caom2.part pt JOIN caom2.chunk ch ON ch.part_id = pt.part_id
                     WHERE pt.artifact_id = x AND ch.lsst_detector IS NOT NULL) > 1;
        END IF;
        PERFORM obsmeta.obscore_maintain(NULL, artifacts, plane_rows);
    END IF;
    RETURN NULL;
END $$;

-- Holds: the held observations' rows get visible_from = infinity (and back on release).
CREATE OR REPLACE FUNCTION obsmeta.obscore_on_hold() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    planes uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(p.plane_id) INTO planes FROM new_rows h JOIN caom2.plane p ON p.obs_id = h.obs_id;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(p.plane_id) INTO planes FROM old_rows h JOIN caom2.plane p ON p.obs_id = h.obs_id;
    ELSE
        SELECT array_agg(DISTINCT p.plane_id) INTO planes
          FROM (SELECT obs_id FROM new_rows UNION SELECT obs_id FROM old_rows) h
          JOIN caom2.plane p ON p.obs_id = h.obs_id;
    END IF;
    PERFORM obsmeta.obscore_maintain(planes, NULL, NULL);
    RETURN NULL;
END $$;

-- Configuration that ObsCore shows everywhere (templates, facility names): rebuild.
CREATE OR REPLACE FUNCTION obsmeta.obscore_on_config() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
BEGIN
    PERFORM obsmeta.refresh_obscore();
    RETURN NULL;
END $$;

DO $triggers$
DECLARE
    t record;
    ev text;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('caom2', 'observation', 'obsmeta.obscore_on_observation'),
                                   ('caom2', 'plane', 'obsmeta.obscore_on_plane'),
                                   ('caom2', 'artifact', 'obsmeta.obscore_on_artifact'),
                                   ('caom2', 'part', 'obsmeta.obscore_on_part_or_chunk'),
                                   ('caom2', 'chunk', 'obsmeta.obscore_on_part_or_chunk'),
                                   ('obsmeta', 'embargo_hold', 'obsmeta.obscore_on_hold')) AS v(nsp, tab, fn) LOOP
        FOREACH ev IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
            EXECUTE format('CREATE OR REPLACE TRIGGER obscore_%s AFTER %s ON %I.%I REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION %s()',
                           ev, upper(ev), t.nsp, t.tab,
                           CASE ev WHEN 'insert' THEN 'NEW TABLE AS new_rows'
                                   WHEN 'update' THEN 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
                                   ELSE 'OLD TABLE AS old_rows' END, t.fn);
            -- ENABLE ALWAYS: CAOM2 written by the conversion inside a logical-replication apply
            -- worker (session_replication_role = replica) must still reach ivoa.obscore.
            EXECUTE format('ALTER TABLE %I.%I ENABLE ALWAYS TRIGGER obscore_%s', t.nsp, t.tab, ev);
        END LOOP;
    END LOOP;
    FOR t IN SELECT * FROM (VALUES ('obscore_config'), ('instrument_config')) AS v(tab) LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER obscore_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obsmeta.%I
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_config()', t.tab);
    END LOOP;
END
$triggers$;

-- Truncating CAOM2 (only a DBA would) empties ivoa.obscore as well.
CREATE OR REPLACE FUNCTION obsmeta.obscore_on_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM obsmeta.refresh_obscore();
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER obscore_truncate AFTER TRUNCATE ON caom2.observation FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_truncate();
CREATE OR REPLACE TRIGGER obscore_truncate AFTER TRUNCATE ON caom2.plane FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_truncate();
CREATE OR REPLACE TRIGGER obscore_truncate AFTER TRUNCATE ON caom2.artifact FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_truncate();

-- Full rebuild: only the rows that differ are written, so TAP readers are never blocked and an
-- up-to-date table is left untouched. Returns the number of rows inserted, updated or deleted.
CREATE OR REPLACE FUNCTION obsmeta.refresh_obscore() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    n_deleted bigint;
    n_written bigint;
    -- from the declaration: the stored columns obsmeta.obscore_source does not compute (generated)
    -- and those it does, which are inserted
    not_computed text[] := ARRAY(SELECT c.column_name FROM obsmeta.obscore_column c WHERE c.value_expression IS NULL);
    computed text := (SELECT string_agg(format('%I', c.column_name), ', ' ORDER BY c.ordinal_position)
                        FROM obsmeta.obscore_column c WHERE c.value_expression IS NOT NULL);
BEGIN
    -- Waits for writers in flight; blocks new ones until commit; readers go on.
    LOCK TABLE ivoa.obscore IN EXCLUSIVE MODE;
    -- keys left by transactions that deferred maintenance and ended without a flush: the rebuild
    -- covers them
    DELETE FROM obsmeta.obscore_pending p
     WHERE p.txn <> pg_current_xact_id() AND pg_xact_status(p.txn) IS DISTINCT FROM 'in progress';
    CREATE TEMP TABLE obscore_want ON COMMIT DROP AS SELECT * FROM obsmeta.obscore_source;
    CREATE UNIQUE INDEX ON obscore_want (row_id);
    ANALYZE obscore_want;
    DELETE FROM ivoa.obscore t WHERE NOT EXISTS (SELECT 1 FROM obscore_want w WHERE w.row_id = t.row_id);
    GET DIAGNOSTICS n_deleted = ROW_COUNT;
    -- every computed column compared, as verify_obscore() does
    DELETE FROM ivoa.obscore t USING obscore_want w
     WHERE w.row_id = t.row_id
       AND (to_jsonb(t) - not_computed) IS DISTINCT FROM to_jsonb(w);
    EXECUTE format('INSERT INTO ivoa.obscore (%1$s) SELECT %1$s FROM obscore_want w
                     WHERE NOT EXISTS (SELECT 1 FROM ivoa.obscore t WHERE t.row_id = w.row_id)
                     ORDER BY w.row_id', computed);
    GET DIAGNOSTICS n_written = ROW_COUNT;
    DROP TABLE obscore_want;
    RETURN n_deleted + n_written;
END $$;
COMMENT ON FUNCTION obsmeta.refresh_obscore() IS
  'Rebuilds ivoa.obscore from caom2 (writing only rows that differ); returns the number of rows deleted plus rows (re)written';
REVOKE EXECUTE ON FUNCTION obsmeta.refresh_obscore() FROM PUBLIC;

-- Stored rows that differ from a full recomputation (none expected): the row, what is wrong,
-- and for differing rows the columns that differ.
CREATE OR REPLACE FUNCTION obsmeta.verify_obscore()
    RETURNS TABLE (row_id uuid, obs_publisher_did text, problem text, columns text[])
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
    -- the columns the recomputation has (not s_region_spoly, a generated alias of s_region)
    WITH s AS (SELECT t.row_id, t.obs_publisher_did,
                      to_jsonb(t) - ARRAY(SELECT c.column_name FROM obsmeta.obscore_column c WHERE c.value_expression IS NULL) AS j
                 FROM ivoa.obscore t),
         w AS (SELECT x.row_id, x.obs_publisher_did, to_jsonb(x) AS j FROM obsmeta.obscore_source x)
    SELECT coalesce(s.row_id, w.row_id), coalesce(s.obs_publisher_did, w.obs_publisher_did),
           CASE WHEN s.row_id IS NULL THEN 'missing' WHEN w.row_id IS NULL THEN 'extra' ELSE 'differs' END,
           CASE WHEN s.row_id IS NOT NULL AND w.row_id IS NOT NULL THEN
                ARRAY(SELECT e.key FROM jsonb_each(s.j) e WHERE e.value IS DISTINCT FROM w.j -> e.key ORDER BY e.key) END
      FROM s FULL JOIN w ON w.row_id = s.row_id
     WHERE s.row_id IS NULL OR w.row_id IS NULL OR s.j IS DISTINCT FROM w.j $$;
COMMENT ON FUNCTION obsmeta.verify_obscore() IS
  'Rows where ivoa.obscore differs from a full recomputation from caom2 (none expected): missing, extra, or differs (with the columns)';
REVOKE EXECUTE ON FUNCTION obsmeta.verify_obscore() FROM PUBLIC;
