-- obsmeta-bench-scale: fills a benchmark database to 10^6..10^7 ObsCore rows without converting
-- every row, by copying a base archive that the real conversion produced (never loaded by the
-- extension; bench/scale.sh loads it into the benchmark database).
--
-- bench_scale.snapshot() keeps the rows of every table that grows with the archive (gen3 exposures,
-- visits, regions, datasets and files; obsmeta.dataset_plane; every caom2 table; ivoa.obscore;
-- obsmeta.coverage_cell; the EFD per-image rows) as they are after a real bulk load + conversion.
-- CALL bench_scale.replicate(k0, k1) inserts copies k0..k1 of that base into the same tables, one
-- INSERT ... SELECT per table and copy, committed per copy, with the tables' triggers disabled
-- (the copies are converted rows already) and their indexes and keys dropped meanwhile and built
-- once at the end, as the extension defines them. A copy k differs from the base column by column:
--   uuid                          -> md5(uuid || '/' || k)::uuid (ids and references stay consistent)
--   pg_sphere geometry (spoly, spoint, scircle: footprints, plane bounds, centres)
--                                 -> rotated about the pole by k x 137.508 deg (golden angle) in RA
--   ivoa.obscore.s_ra             -> the RA of the rotated centre
--   bigint exposure/visit ids (all base values in day_obs 20251202's range) -> + k x 100000
--   integer day_obs (all base values 20251202)                               -> + k
--   text holding a day_obs or a uuid (obs_id, names, URIs, publisher DIDs, paths)
--                                 -> the day and the uuid rewritten as above (unique keys stay unique)
--   everything else (times, release dates, WCS numbers, STC-S text, sphgeom region bytes, the
--   per-plane MOC of coverage_cell, checksums) is copied unchanged: copies keep the base's
--   embargo state, and their checksums and STC-S texts do not describe the rotated rows.
CREATE SCHEMA IF NOT EXISTS bench_scale;

-- A copy's expressions are written out in the INSERT (no function call a value): k is the copy,
-- turn its rotation (strans).
CREATE OR REPLACE FUNCTION bench_scale.uuid_expr(e text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format('md5(%s::text || ''/'' || k)::uuid', e) $$;

-- The tables that grow with the archive, in the order their rows may reference each other.
CREATE TABLE IF NOT EXISTS bench_scale.replicated (ord integer PRIMARY KEY, rel regclass NOT NULL, base text NOT NULL,
                                                   select_list text, columns text);
-- Their triggers' states as the extension left them (kept at the snapshot, restored after a copy).
CREATE TABLE IF NOT EXISTS bench_scale.trigger_state (rel regclass NOT NULL, tgname name NOT NULL, tgenabled "char" NOT NULL);

-- Keeps the base: an unlogged copy of each table, and the per-column expressions of a copy.
CREATE OR REPLACE FUNCTION bench_scale.snapshot() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r record;
    c record;
    sel text[];
    cols text[];
    e text;
    flag boolean;
    has_day boolean;
    has_uuid boolean;
    has_tail boolean;
    i integer := 0;
BEGIN
    IF EXISTS (SELECT 1 FROM bench_scale.trigger_state) THEN
        RAISE EXCEPTION 'bench_scale.snapshot: a snapshot was taken already' USING HINT = 'Use a fresh database.';
    END IF;
    FOR r IN SELECT t::regclass AS rel FROM unnest(ARRAY[
        'gen3.exposure', 'gen3.visit', 'gen3.visit_definition', 'gen3.visit_detector_region', 'gen3.dataset',
        'gen3.file_datastore_record', 'caom2.observation', 'caom2.observation_member', 'caom2.plane',
        'caom2.provenance_input', 'caom2.artifact', 'caom2.part', 'caom2.chunk', 'obsmeta.dataset_plane',
        'ivoa.obscore', 'obsmeta.coverage_cell', 'efd.image', 'efd.exposure_values', 'efd.visit_values']) WITH ORDINALITY AS x(t, n)
        ORDER BY n
    LOOP
        i := i + 1;
        EXECUTE format('CREATE UNLOGGED TABLE bench_scale.base_%s AS TABLE %s', i, r.rel);
        sel := '{}';
        cols := '{}';
        FOR c IN SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS typ
                   FROM pg_attribute a WHERE a.attrelid = r.rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                  ORDER BY a.attnum
        LOOP
            e := quote_ident(c.attname);
            IF c.typ = 'uuid' THEN
                e := bench_scale.uuid_expr(e);
            ELSIF c.typ IN ('spoly', 'spoint', 'scircle', 'sellipse', 'spath', 'sline') THEN
                e := format('(%s + turn)', e);
            ELSIF r.rel = 'ivoa.obscore'::regclass AND c.attname = 's_ra' THEN
                e := 'CASE WHEN s_ra IS NOT NULL AND s_dec IS NOT NULL THEN degrees(long(spoint(radians(s_ra), radians(s_dec)) + turn)) END';
            ELSIF c.typ = 'bigint' THEN
                EXECUTE format('SELECT count(%1$I) > 0 AND bool_and(%1$I BETWEEN 2025120200000 AND 2025120299999) FROM bench_scale.base_%2$s',
                               c.attname, i) INTO flag;
                IF flag THEN e := format('(%s + k * 100000::bigint)', e); END IF;
            ELSIF c.typ = 'integer' THEN
                EXECUTE format('SELECT count(%1$I) > 0 AND bool_and(%1$I = 20251202) FROM bench_scale.base_%2$s', c.attname, i) INTO flag;
                IF flag THEN e := format('(%s + k)', e); END IF;
            ELSIF c.typ = 'text' THEN
                EXECUTE format('SELECT coalesce(bool_or(strpos(%1$I, ''20251202'') > 0), false), coalesce(bool_or(%1$I ~ %3$L), false),'
                               ' coalesce(bool_and(%1$I ~ (%3$L || ''$'')), false) FROM (SELECT %1$I FROM bench_scale.base_%2$s) s',
                               c.attname, i, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
                    INTO has_day, has_uuid, has_tail;
                IF has_day THEN
                    e := format('replace(%s, ''20251202'', (20251202 + k)::text)', e);
                END IF;
                IF has_uuid AND has_tail THEN  -- the text ends with the uuid (publisher DIDs): no regular expression
                    e := format('(left(%1$s, -36) || %2$s::text)', e, bench_scale.uuid_expr(format('right(%s, 36)', e)));
                ELSIF has_uuid THEN  -- the first uuid in the text, as the uuid columns map it
                    e := format('coalesce(replace(%1$s, substring(%1$s FROM %2$L), %3$s::text), %1$s)', e,
                                '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
                                bench_scale.uuid_expr(format('substring(%s FROM %L)', e,
                                                             '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')));
                END IF;
            END IF;
            cols := cols || quote_ident(c.attname);
            sel := sel || e;
        END LOOP;
        INSERT INTO bench_scale.replicated VALUES (i, r.rel, format('bench_scale.base_%s', i), array_to_string(sel, ', '),
                                                   array_to_string(cols, ', '));
    END LOOP;
    INSERT INTO bench_scale.trigger_state
    SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger WHERE tgrelid IN (SELECT rel FROM bench_scale.replicated);
    RETURN (SELECT count(*) FROM ivoa.obscore);
END $$;

-- Filling fast (10^7 rows within the hour on 2 cores): the replicated tables' indexes and
-- constraints (primary keys, unique keys, the foreign keys among them) are dropped for the copies
-- and built once afterwards, each CREATE INDEX a sort of the whole table instead of a random
-- insert per row. Their definitions wait here meanwhile; phase 1 = indexes, primary and unique
-- keys; phase 2 = foreign keys (they need phase 1's keys). Rebuilding them checks the copies:
-- a duplicate id fails the unique key, a dangling reference the foreign key.
CREATE TABLE IF NOT EXISTS bench_scale.dropped (ord serial PRIMARY KEY, rel regclass NOT NULL, name name NOT NULL,
                                                phase integer NOT NULL, bytes bigint NOT NULL, build text NOT NULL, undo text NOT NULL);

CREATE OR REPLACE PROCEDURE bench_scale.disable_triggers() LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT rel FROM bench_scale.replicated ORDER BY ord LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER ALL', r.rel);
    END LOOP;
END $$;

-- The replicated tables' triggers as they were at the snapshot (also after a fill stopped
-- midway, which leaves them off).
CREATE OR REPLACE PROCEDURE bench_scale.restore_triggers() LANGUAGE plpgsql AS $$
DECLARE
    r record;
    t record;
BEGIN
    FOR r IN SELECT rel FROM bench_scale.replicated ORDER BY ord LOOP
        EXECUTE format('ALTER TABLE %s ENABLE TRIGGER ALL', r.rel);
    END LOOP;
    FOR t IN SELECT * FROM bench_scale.trigger_state WHERE tgenabled <> 'O' LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t.rel,
                       CASE t.tgenabled WHEN 'A' THEN 'ENABLE ALWAYS' WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'DISABLE' END, t.tgname);
    END LOOP;
END $$;

-- Keeps the definitions of the replicated tables' indexes and constraints (and of foreign keys
-- from elsewhere that point at them) and drops them.
CREATE OR REPLACE PROCEDURE bench_scale.drop_indexes() LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF EXISTS (SELECT 1 FROM bench_scale.dropped) THEN
        RAISE EXCEPTION 'bench_scale.drop_indexes: % definitions are dropped already', (SELECT count(*) FROM bench_scale.dropped)
            USING HINT = 'Build them first: CALL bench_scale.build_indexes().';
    END IF;
    INSERT INTO bench_scale.dropped (rel, name, phase, bytes, build, undo)
    SELECT c.conrelid, c.conname, CASE c.contype WHEN 'f' THEN 2 ELSE 1 END,
           CASE c.contype WHEN 'f' THEN 0 ELSE pg_relation_size(c.conindid) END,
           format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
           format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)
      FROM pg_constraint c
     WHERE c.contype IN ('p', 'u', 'f', 'x')
       AND (c.conrelid IN (SELECT rel FROM bench_scale.replicated) OR c.confrelid IN (SELECT rel FROM bench_scale.replicated))
    UNION ALL
    SELECT i.indrelid, ic.relname, 1, pg_relation_size(i.indexrelid), pg_get_indexdef(i.indexrelid),
           format('DROP INDEX %s', i.indexrelid::regclass)
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid IN (SELECT rel FROM bench_scale.replicated)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'));
    FOR d IN SELECT * FROM bench_scale.dropped ORDER BY phase DESC, ord LOOP  -- foreign keys before the keys they use
        EXECUTE d.undo;
    END LOOP;
END $$;

-- Builds one kept definition (ord) and forgets it: what a second session may run beside this one.
CREATE OR REPLACE PROCEDURE bench_scale.build_index(o integer) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE (SELECT build FROM bench_scale.dropped WHERE ord = o);
    DELETE FROM bench_scale.dropped WHERE ord = o;
END $$;

-- Builds every kept definition, largest first, one transaction each.
CREATE OR REPLACE PROCEDURE bench_scale.build_indexes() LANGUAGE plpgsql AS $$
DECLARE
    o integer;
BEGIN
    FOR o IN SELECT ord FROM bench_scale.dropped ORDER BY phase, bytes DESC, ord LOOP
        CALL bench_scale.build_index(o);
        COMMIT;
    END LOOP;
END $$;

-- Copies k0, k0 + step, ... <= k1 of the base, one INSERT ... SELECT per table and copy, one
-- transaction per copy. Two sessions may run it at once on disjoint copies (step 2).
CREATE OR REPLACE PROCEDURE bench_scale.copy(k0 integer, k1 integer, step integer DEFAULT 1) LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR k IN k0..k1 BY step LOOP
        FOR r IN SELECT * FROM bench_scale.replicated ORDER BY ord LOOP
            EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %s,'
                           ' (SELECT %s AS k, strans(radians(mod(%s * 137.50776405, 360.0)), 0, 0, ''ZXZ'') AS turn) kk',
                           r.rel, r.columns, r.select_list, r.base, k, k);
        END LOOP;
        COMMIT;
        RAISE NOTICE 'bench_scale: copy % of the base written', k;
    END LOOP;
END $$;

-- All of it in one session: copies k0..k1 with the triggers off and the indexes dropped, then the
-- indexes and keys built and the triggers restored. (obsmeta-bench-scale runs the same pieces on
-- two sessions.)
CREATE OR REPLACE PROCEDURE bench_scale.replicate(k0 integer, k1 integer) LANGUAGE plpgsql AS $$
BEGIN
    CALL bench_scale.disable_triggers();
    CALL bench_scale.drop_indexes();
    COMMIT;
    CALL bench_scale.copy(k0, k1);
    CALL bench_scale.build_indexes();
    CALL bench_scale.restore_triggers();
    COMMIT;
END $$;

-- obsmeta.verify_obscore() on a sample (the whole table is a full recomputation, too long at
-- 10^7 rows): the ivoa.obscore rows of n random planes against obsmeta.obscore_source for the same
-- planes (the plane ids as a constant array, which the view's plan uses through its indexes),
-- compared as verify_obscore() compares them, counted by problem and differing columns.
CREATE OR REPLACE FUNCTION bench_scale.verify_obscore_sample(n integer)
    RETURNS TABLE (problem text, columns text[], rows bigint) LANGUAGE plpgsql AS $$
DECLARE
    planes uuid[];
BEGIN
    SELECT array_agg(caom_plane_id) INTO planes FROM (
        SELECT DISTINCT t.caom_plane_id FROM ivoa.obscore t TABLESAMPLE SYSTEM (least(100, greatest(0.01, 1000.0 * n / greatest(1, (
                   SELECT reltuples FROM pg_class WHERE oid = 'ivoa.obscore'::regclass)))))
         WHERE t.caom_plane_id IS NOT NULL LIMIT n) s;
    RETURN QUERY EXECUTE $q$
    WITH s AS (SELECT t.row_id,
                      to_jsonb(t) - ARRAY(SELECT c.column_name FROM obsmeta.obscore_column c WHERE c.value_expression IS NULL) AS j
                 FROM ivoa.obscore t WHERE t.caom_plane_id = ANY ($1)),
         w AS (SELECT x.row_id, to_jsonb(x) AS j FROM obsmeta.obscore_source x WHERE x.caom_plane_id = ANY ($1))
    SELECT CASE WHEN s.row_id IS NULL THEN 'missing' WHEN w.row_id IS NULL THEN 'extra'
                WHEN s.j IS DISTINCT FROM w.j THEN 'differs' ELSE 'same' END,
           CASE WHEN s.row_id IS NOT NULL AND w.row_id IS NOT NULL THEN
                ARRAY(SELECT e.key FROM jsonb_each(s.j) e WHERE e.value IS DISTINCT FROM w.j -> e.key ORDER BY e.key) END,
           count(*)
      FROM s FULL JOIN w ON w.row_id = s.row_id
     GROUP BY 1, 2 ORDER BY 1, 2 $q$ USING planes;
END $$;
