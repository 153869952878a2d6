-- obsmeta install script, part 73 (re-runnable): keeping the coverage cells and their stored
-- unions (73_coverage_moc.sql) current with ivoa.obscore, the caller's view ivoa.coverage, and the
-- MOC ASCII/JSON export.
--
-- Entry point for writers: obsmeta.coverage_recompute(planes uuid[]) recomputes the cells of
-- these planes from ivoa.obscore and the hour, day and month buckets they move into or out of, in the
-- caller's transaction. ivoa.obscore's statement triggers call it; a writer that bypasses them
-- (session_replication_role = replica, a bulk path) calls it with the planes it wrote.

-- A polygon's exact stored bytes: rows are grouped by footprint with it (src/geom_sql/spoly_bytes.cpp).
CREATE OR REPLACE FUNCTION obsmeta.spoly_bytes(polygon spoly) RETURNS bytea
    AS 'MODULE_PATHNAME', 'obsmeta_spoly_bytes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.spoly_bytes(spoly) IS
  'The polygon''s stored bytes (vertex count, then longitudes and latitudes as float8): equal exactly when the polygons are';

-- The cells of the given planes from ivoa.obscore (deleted first; a plane without footprints
-- gets none). Internal: the buckets are not touched. Each distinct footprint's MOC is computed
-- once, and each distinct set of footprints is unioned once: a visit's raw and visit image planes
-- share their detectors' footprints (the same cells as a MOC per row and a union per plane).
CREATE OR REPLACE FUNCTION obsmeta.coverage_cells_write(planes uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    n integer;
    ord integer := (SELECT moc_order FROM obsmeta.coverage_config);
BEGIN
    DELETE FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes);
    WITH r AS MATERIALIZED (
        SELECT o.caom_plane_id AS plane, o.obs_collection, o.lsst_band, o.visible_from, o.s_region,
               obsmeta.spoly_bytes(o.s_region) AS k
          FROM ivoa.obscore o
         WHERE o.caom_plane_id = ANY (planes) AND o.s_region IS NOT NULL),
    -- a plane, and the set of its footprints (its signature)
    p AS MATERIALIZED (
        SELECT r.plane, min(r.obs_collection) AS obs_collection, coalesce(min(r.lsst_band), '') AS band,
               min(r.visible_from) AS visible_from, count(*) AS n_rows,
               sha256(string_agg(DISTINCT r.k, ''::bytea ORDER BY r.k)) AS sig  -- keys start with their length
          FROM r GROUP BY r.plane),
    -- each distinct footprint once, with its MOC
    f AS MATERIALIZED (
        SELECT d.k, smoc(ord, d.s_region) AS moc
          FROM (SELECT DISTINCT ON (r.k) r.k, r.s_region FROM r ORDER BY r.k) d),
    -- each signature's union, in two steps (16 groups of its footprints, then the groups):
    -- pg_sphere's sum(smoc) merges each MOC into the growing union, so one step over a plane of
    -- 189 detectors costs as much as the MOCs themselves; the result is the same MOC
    u AS (
        SELECT g.sig, sum(g.moc) AS moc
          FROM (SELECT s.sig, sum(f.moc) AS moc
                  FROM (SELECT DISTINCT p.sig, r.k FROM p JOIN r ON r.plane = p.plane) s
                  JOIN f ON f.k = s.k
                 GROUP BY s.sig, get_byte(sha256(s.k), 0) & 15) g
         GROUP BY g.sig)
    INSERT INTO obsmeta.coverage_cell (caom_plane_id, obs_collection, band, visible_from, moc, n_rows)
    SELECT p.plane, p.obs_collection, p.band, p.visible_from, u.moc, p.n_rows
      FROM p JOIN u ON u.sig = p.sig;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_cells_write(uuid[]) FROM PUBLIC;

-- What a change of cells does to the hour buckets, one row per bucket: the MOC it gains (NULL:
-- none), the rows it gains (or loses), and whether it may have lost cells (then it is recomputed
-- from its cells: a MOC union cannot be subtracted from). A cell that stays in its bucket with a
-- MOC that holds its old one only adds; an unchanged cell does nothing.
CREATE OR REPLACE FUNCTION obsmeta.coverage_bucket_changes(before obsmeta.coverage_cell[], after obsmeta.coverage_cell[])
    RETURNS TABLE (obs_collection text, band text, hour timestamp, added smoc, added_rows bigint, shrunk boolean)
    LANGUAGE sql STABLE SET search_path = pg_catalog, "$pgsphere$" AS $$
    WITH c AS (
        SELECT o.obs_collection AS oc, o.band AS ob, o.release_hour AS oh, o.moc AS om, o.n_rows AS orows,
               n.obs_collection AS nc, n.band AS nb, n.release_hour AS nh, n.moc AS nm, n.n_rows AS nrows,
               coalesce((o.obs_collection, o.band, o.release_hour) = (n.obs_collection, n.band, n.release_hour), false) AS same
          FROM unnest(before) o FULL JOIN unnest(after) n ON n.caom_plane_id = o.caom_plane_id),
    moved AS (SELECT * FROM c WHERE NOT (same AND nm = om AND nrows = orows)),
    per_cell AS (
        SELECT oc AS obs_collection, ob AS band, oh AS hour, NULL::smoc AS added, -orows AS added_rows,
               NOT (same AND nm @> om) AS shrunk
          FROM moved WHERE om IS NOT NULL
        UNION ALL
        SELECT nc, nb, nh, nm, nrows, false FROM moved WHERE nm IS NOT NULL)
    SELECT p.obs_collection, p.band, p.hour, sum(p.added), sum(p.added_rows)::bigint, bool_or(p.shrunk)
      FROM per_cell p GROUP BY p.obs_collection, p.band, p.hour $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_bucket_changes(obsmeta.coverage_cell[], obsmeta.coverage_cell[]) FROM PUBLIC;

-- The lock slot of a bucket's rewrites (obsmeta.coverage_bucket_lock): a hash of its key (two
-- buckets sharing a slot only wait for each other). The start enters as its epoch (held planes'
-- 'infinity': -1), not as text, whose form depends on the session's DateStyle.
CREATE OR REPLACE FUNCTION obsmeta.coverage_bucket_slot(obs_collection text, band text, span text, starts timestamp)
    RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (hashtextextended(obs_collection || chr(31) || band || chr(31) || span, CASE WHEN isfinite(starts) THEN extract(epoch FROM starts)::bigint ELSE -1 END) & 4095)::integer $$;

-- Brings the hour, day and month buckets from the cells `before` to the cells `after` (the rows
-- of obsmeta.coverage_cell of some planes before and after their recomputation).
--   A bucket that only grows gets a piece: a row with the union of what it gains. Pieces commute,
--   so writers that only add coverage (new visits) take no lock and never wait for each other;
--   the bucket is noted for a merge of its pieces before commit (obsmeta.coverage_compact).
--   A bucket that may have lost cells is recomputed from the span below (hours from cells), finest
--   first, into one piece, each in one statement (what it deletes and what it reads are of one
--   snapshot: a concurrent writer's pieces are either both read below and deleted, or neither).
--   Its lock slots are taken first, all in one statement in ascending order: two recomputations
--   of a bucket queue (the second one reads what the first committed); readers cannot take them.
CREATE OR REPLACE FUNCTION obsmeta.coverage_buckets_apply(before obsmeta.coverage_cell[], after obsmeta.coverage_cell[])
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    changes obsmeta.coverage_bucket[];  -- one per bucket: moc = what it gains, NULL: recompute it
    ch record;
BEGIN
    changes := ARRAY(
        WITH c AS MATERIALIZED (SELECT * FROM obsmeta.coverage_bucket_changes(before, after))
        SELECT ROW(c.obs_collection, c.band, l.span, date_trunc(l.span, c.hour),
                   CASE WHEN bool_or(c.shrunk) OR sum(c.added) IS NULL THEN NULL ELSE sum(c.added) END, sum(c.added_rows)::bigint, NULL)::obsmeta.coverage_bucket
          FROM c, unnest(ARRAY['month', 'day', 'hour']) l(span)
         GROUP BY c.obs_collection, c.band, l.span, date_trunc(l.span, c.hour));
    PERFORM FROM obsmeta.coverage_bucket_lock l
      WHERE l.slot = ANY (SELECT obsmeta.coverage_bucket_slot(x.obs_collection, x.band, x.span, x.starts)
                            FROM unnest(changes) x WHERE x.moc IS NULL)
      ORDER BY l.slot FOR UPDATE;
    INSERT INTO obsmeta.coverage_bucket (obs_collection, band, span, starts, moc, n_rows)
    SELECT x.obs_collection, x.band, x.span, x.starts, x.moc, x.n_rows FROM unnest(changes) x WHERE x.moc IS NOT NULL;
    PERFORM obsmeta.coverage_compact_at_commit(x.obs_collection, x.band, x.span, x.starts)
       FROM unnest(changes) x WHERE x.moc IS NOT NULL;
    FOR ch IN SELECT x.obs_collection, x.band, x.span, x.starts FROM unnest(changes) x WHERE x.moc IS NULL
               ORDER BY array_position(ARRAY['hour', 'day', 'month'], x.span), 1, 2, 4 LOOP
        IF ch.span = 'hour' THEN
            WITH gone AS (DELETE FROM obsmeta.coverage_bucket b
                           WHERE (b.obs_collection, b.band, b.span, b.starts) = (ch.obs_collection, ch.band, ch.span, ch.starts))
            INSERT INTO obsmeta.coverage_bucket (obs_collection, band, span, starts, moc, n_rows)
            SELECT ch.obs_collection, ch.band, ch.span, ch.starts, sum(t.moc), sum(t.n_rows)::bigint
              FROM obsmeta.coverage_cell t
             WHERE (t.obs_collection, t.band, t.release_hour) = (ch.obs_collection, ch.band, ch.starts)
            HAVING count(*) > 0;
        ELSE
            WITH gone AS (DELETE FROM obsmeta.coverage_bucket b
                           WHERE (b.obs_collection, b.band, b.span, b.starts) = (ch.obs_collection, ch.band, ch.span, ch.starts))
            INSERT INTO obsmeta.coverage_bucket (obs_collection, band, span, starts, moc, n_rows)
            SELECT ch.obs_collection, ch.band, ch.span, ch.starts, sum(b.moc), sum(b.n_rows)::bigint
              FROM obsmeta.coverage_bucket b
             WHERE (b.obs_collection, b.band, b.span) = (ch.obs_collection, ch.band, CASE ch.span WHEN 'day' THEN 'hour' ELSE 'day' END)
               AND b.starts >= ch.starts
               AND b.starts < ch.starts + CASE ch.span WHEN 'day' THEN interval '1 day' ELSE interval '1 month' END
            HAVING count(*) > 0;
        END IF;
    END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_buckets_apply(obsmeta.coverage_cell[], obsmeta.coverage_cell[]) FROM PUBLIC;

-- Notes a bucket that got a piece in this transaction; obsmeta.coverage_compact merges its
-- pieces just before commit (src/coverage_sql/compaction.cpp, the last step before commit).
CREATE OR REPLACE FUNCTION obsmeta.coverage_compact_at_commit(obs_collection text, band text, span text, starts timestamp)
    RETURNS void AS 'MODULE_PATHNAME', 'obsmeta_coverage_compact_at_commit' LANGUAGE C STRICT VOLATILE;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_compact_at_commit(text, text, text, timestamp) FROM PUBLIC;

-- Merges the pieces of each of these buckets into one once it has 16 or more (a month 64: it is
-- the largest MOC to rewrite, and until it ends only staff read it), and those of the bucket
-- before it (of the same collection, band and span) once it has 2: writers move forward in time,
-- so that one has ended and its last pieces would otherwise stay for every reader to union
-- (starts: the buckets' UTC starts as timestamptz at UTC). Run before commit, after everything
-- else: it holds what it takes until the commit, and nothing waits behind it for long. It skips a
-- bucket whose lock slot is taken (a recomputation or another merge under way: a later writer
-- merges it): it never waits. A merge changes no bucket's union. Returns the buckets merged.
CREATE OR REPLACE FUNCTION obsmeta.coverage_compact(collections text[], bands text[], spans text[], starts timestamptz[])
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    k record;
    merged integer := 0;
BEGIN
    FOR k IN WITH noted AS (SELECT DISTINCT x.c, x.b, x.s, x.t AT TIME ZONE 'UTC' AS t
                              FROM unnest(collections, bands, spans, starts) x(c, b, s, t))
             SELECT DISTINCT c.c, c.b, c.s, c.t, c.least
               FROM (SELECT n.c, n.b, n.s, n.t, CASE n.s WHEN 'month' THEN 64 ELSE 16 END AS least FROM noted n
                     UNION ALL
                     SELECT n.c, n.b, n.s, (SELECT max(p.starts) FROM obsmeta.coverage_bucket p
                                             WHERE (p.obs_collection, p.band, p.span) = (n.c, n.b, n.s) AND p.starts < n.t), 2
                       FROM noted n WHERE isfinite(n.t)) c
              WHERE c.t IS NOT NULL
              ORDER BY 1, 2, 3, 4 LOOP
        CONTINUE WHEN (SELECT count(*) FROM obsmeta.coverage_bucket b
                        WHERE (b.obs_collection, b.band, b.span, b.starts) = (k.c, k.b, k.s, k.t)) < k.least;
        PERFORM FROM obsmeta.coverage_bucket_lock l WHERE l.slot = obsmeta.coverage_bucket_slot(k.c, k.b, k.s, k.t)
            FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        WITH gone AS (DELETE FROM obsmeta.coverage_bucket b
                       WHERE (b.obs_collection, b.band, b.span, b.starts) = (k.c, k.b, k.s, k.t) RETURNING b.moc, b.n_rows)
        INSERT INTO obsmeta.coverage_bucket (obs_collection, band, span, starts, moc, n_rows)
        SELECT k.c, k.b, k.s, k.t, sum(g.moc ORDER BY pg_column_size(g.moc)), sum(g.n_rows)::bigint FROM gone g HAVING count(*) > 0;
        merged := merged + 1;
    END LOOP;
    RETURN merged;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_compact(text[], text[], text[], timestamptz[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.coverage_compact(text[], text[], text[], timestamptz[]) TO obsmeta_writer, obsmeta_staff;

-- The entry point: the cells of these planes recomputed from ivoa.obscore, and their buckets.
CREATE OR REPLACE FUNCTION obsmeta.coverage_recompute(planes uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    n integer;
    before obsmeta.coverage_cell[];
BEGIN
    before := ARRAY(SELECT t FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes));
    n := obsmeta.coverage_cells_write(planes);
    PERFORM obsmeta.coverage_buckets_apply(
        before, ARRAY(SELECT t FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes)));
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_recompute(uuid[]) FROM PUBLIC;
COMMENT ON FUNCTION obsmeta.coverage_recompute(uuid[]) IS
  'Recomputes the coverage cells of these planes from ivoa.obscore and the coverage buckets they enter or leave (ivoa.obscore''s triggers call it; a writer that bypasses them calls it with the planes it wrote)';

-- Every bucket again from the cells (set-based: a change of order, a TRUNCATE, a bulk load).
CREATE OR REPLACE FUNCTION obsmeta.coverage_buckets_rebuild() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM obsmeta.coverage_bucket;
    INSERT INTO obsmeta.coverage_bucket (obs_collection, band, span, starts, moc, n_rows)
    SELECT t.obs_collection, t.band, 'hour', t.release_hour, sum(t.moc), sum(t.n_rows)::bigint
      FROM obsmeta.coverage_cell t GROUP BY t.obs_collection, t.band, t.release_hour;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO obsmeta.coverage_bucket (obs_collection, band, span, starts, moc, n_rows)
    SELECT b.obs_collection, b.band, 'day', date_trunc('day', b.starts), sum(b.moc), sum(b.n_rows)::bigint
      FROM obsmeta.coverage_bucket b WHERE b.span = 'hour' GROUP BY 1, 2, 4;
    INSERT INTO obsmeta.coverage_bucket (obs_collection, band, span, starts, moc, n_rows)
    SELECT b.obs_collection, b.band, 'month', date_trunc('month', b.starts), sum(b.moc), sum(b.n_rows)::bigint
      FROM obsmeta.coverage_bucket b WHERE b.span = 'day' GROUP BY 1, 2, 4;
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_buckets_rebuild() FROM PUBLIC;

-- Statement triggers on ivoa.obscore: the planes a statement touched.
CREATE OR REPLACE FUNCTION obsmeta.coverage_on_obscore() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    planes uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT caom_plane_id) INTO planes FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT caom_plane_id) INTO planes FROM old_rows;
    ELSE
        -- only rows whose cell keys or footprint changed: an UPDATE of other columns (a target name,
        -- an access URL) leaves every cell and bucket as it is
        SELECT array_agg(DISTINCT v.p) INTO planes
          FROM new_rows n FULL JOIN old_rows o ON o.row_id = n.row_id
         CROSS JOIN LATERAL (VALUES (n.caom_plane_id), (o.caom_plane_id)) AS v(p)
         WHERE v.p IS NOT NULL
           AND (n.row_id IS NULL OR o.row_id IS NULL
                OR ROW(n.caom_plane_id, n.obs_collection, n.lsst_band, n.visible_from, n.s_region IS NULL)
                   IS DISTINCT FROM ROW(o.caom_plane_id, o.obs_collection, o.lsst_band, o.visible_from, o.s_region IS NULL)
                OR obsmeta.spoly_bytes(n.s_region) <> obsmeta.spoly_bytes(o.s_region));
    END IF;
    IF planes IS NOT NULL THEN
        PERFORM obsmeta.coverage_recompute(planes);
    END IF;
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_on_obscore() FROM PUBLIC;
CREATE OR REPLACE TRIGGER coverage_insert AFTER INSERT ON ivoa.obscore REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_obscore();
CREATE OR REPLACE TRIGGER coverage_update AFTER UPDATE ON ivoa.obscore REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_obscore();
CREATE OR REPLACE TRIGGER coverage_delete AFTER DELETE ON ivoa.obscore REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_obscore();

-- TRUNCATE of ivoa.obscore, a change of order: everything again
CREATE OR REPLACE FUNCTION obsmeta.coverage_rebuild() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM obsmeta.coverage_cell;
    n := obsmeta.coverage_cells_write(ARRAY(SELECT DISTINCT caom_plane_id FROM ivoa.obscore WHERE s_region IS NOT NULL));
    PERFORM obsmeta.coverage_buckets_rebuild();
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_rebuild() FROM PUBLIC;
CREATE OR REPLACE FUNCTION obsmeta.coverage_on_rebuild() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM obsmeta.coverage_rebuild();
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.coverage_on_rebuild() FROM PUBLIC;
CREATE OR REPLACE TRIGGER coverage_truncate AFTER TRUNCATE ON ivoa.obscore
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_rebuild();
CREATE OR REPLACE TRIGGER coverage_order AFTER UPDATE OR INSERT ON obsmeta.coverage_config
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.coverage_on_rebuild();

-- The caller's coverage per collection and band. It runs as the caller (row-level security on
-- buckets and cells applies). Staff, writers and superusers union every month bucket; everyone
-- else the months that have ended, this month's days that have ended, today's hours that have
-- ended and this hour's released cells (UTC): they do not overlap, and together they are exactly
-- the cells released by now().
CREATE OR REPLACE VIEW ivoa.coverage WITH (security_invoker = true) AS
WITH t AS (SELECT now() AS now, now() AT TIME ZONE 'UTC' AS utc, obsmeta.sees_everything() AS everything)
SELECT u.obs_collection, nullif(u.band, '') AS band, sum(u.moc) AS moc, sum(u.n_rows)::bigint AS n_rows
  FROM (SELECT b.obs_collection, b.band, b.moc, b.n_rows FROM obsmeta.coverage_bucket b, t
         WHERE b.span = 'month' AND (t.everything OR b.released <= t.now)
        UNION ALL
        SELECT b.obs_collection, b.band, b.moc, b.n_rows FROM obsmeta.coverage_bucket b, t
         WHERE b.span = 'day' AND NOT t.everything AND b.starts >= date_trunc('month', t.utc) AND b.released <= t.now
        UNION ALL
        SELECT b.obs_collection, b.band, b.moc, b.n_rows FROM obsmeta.coverage_bucket b, t
         WHERE b.span = 'hour' AND NOT t.everything AND b.starts >= date_trunc('day', t.utc) AND b.released <= t.now
        UNION ALL
        SELECT c.obs_collection, c.band, c.moc, c.n_rows FROM obsmeta.coverage_cell c, t
         WHERE NOT t.everything AND c.release_hour = date_trunc('hour', t.utc) AND c.visible_from <= t.now) u
 GROUP BY u.obs_collection, u.band;
COMMENT ON VIEW ivoa.coverage IS
  'Sky coverage (pg_sphere smoc, MOC) of the ivoa.obscore rows the caller may see, per collection and band (band NULL: rows without one)';
GRANT SELECT ON ivoa.coverage TO obsmeta_reader, obsmeta_staff, obsmeta_writer;

-- The caller's coverage of one collection (and band, or all bands) as IVOA MOC 2.0 ASCII and JSON.
CREATE OR REPLACE FUNCTION obsmeta.coverage_moc(collection text, band text DEFAULT NULL, OUT moc_ascii text, OUT moc_json jsonb)
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
