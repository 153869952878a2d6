-- obsmeta install script, part 25: a Butler registry as a second face (C++: src/registry_sql).
-- gen3.* stays the plain-SQL face for pipelines. A registry schema, holding daf_butler's own tables
-- (filled by a logical-replication subscription, or the registry itself), is attached: row
-- triggers on its tables record changed keys, and before commit those rows are translated INTO
-- gen3 rows, which then convert to CAOM2/ObsCore like any gen3 write: one conversion path.

-- Decoders of the registry's encodings (C++; the leap seconds come from ERFA).
CREATE FUNCTION obsmeta.tai_ns_to_utc(tai_ns bigint) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'obsmeta_tai_ns_to_utc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.tai_ns_to_utc(bigint) IS
  'A Butler instant (TAI nanoseconds since 1970-01-01T00:00:00 TAI, e.g. dataset.ingest_date) as UTC, leap seconds from ERFA';
CREATE FUNCTION obsmeta.timespan_begin_utc(timespan int8range) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'obsmeta_timespan_begin_utc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.timespan_begin_utc(int8range) IS
  'Begin of a Butler timespan (int8range of TAI ns, [begin, end)) as UTC; NULL when empty or unbounded below';
CREATE FUNCTION obsmeta.timespan_end_utc(timespan int8range) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'obsmeta_timespan_end_utc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.timespan_end_utc(int8range) IS
  'End (exclusive) of a Butler timespan as UTC; NULL when empty or unbounded above';
CREATE FUNCTION obsmeta.region_from_base64(region text) RETURNS bytea
    AS 'MODULE_PATHNAME', 'obsmeta_region_from_base64' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.region_from_base64(text) IS
  'A registry region (base64 text of an lsst.sphgeom encoding) as sphgeom bytes, checked';

-- Which registries feed obsmeta, and how (a DBA may insert the row before attach_registry).
CREATE TABLE obsmeta.registry_config (
    registry_schema         name PRIMARY KEY,
    -- the collections dax_obscore's `collections` would name: exact names or regular expressions
    -- (matched against the whole name); CHAINED collections are expanded, RUN and TAGGED ones searched
    collections             text[] NOT NULL,
    -- the file datastore's records table (daf_butler `records.table`; it may appear later)
    datastore_records_table name NOT NULL DEFAULT 'file_datastore_records',
    -- set by attach_registry; NULL: configured, not attached
    attached_at             timestamptz,
    -- the RUN/TAGGED collection ids the selection resolved to at the last translation
    selected_collections    bigint[] NOT NULL DEFAULT '{}',
    CONSTRAINT registry_config_collections CHECK (cardinality(collections) > 0)
);
COMMENT ON TABLE obsmeta.registry_config IS
  'Butler registries attached to obsmeta (obsmeta.attach_registry): schema, collection selection, datastore records table';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.registry_config', '');

CREATE FUNCTION obsmeta.registry_capture() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_registry_capture' LANGUAGE C;
CREATE FUNCTION obsmeta.registry_resync(registry_schema name) RETURNS bigint
    AS 'MODULE_PATHNAME', 'obsmeta_registry_resync' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION obsmeta.registry_resync(name) IS
  'Translates every row of an attached registry into gen3 again (after TRUNCATE, or a load with triggers disabled); returns gen3 rows written';

-- The registry tables obsmeta follows, and the kind of key each one's trigger records.
CREATE FUNCTION obsmeta.registry_table_kind(table_name name, datastore_records_table name) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN table_name IN ('instrument', 'physical_filter', 'detector', 'day_obs', 'exposure', 'visit',
                                    'visit_definition', 'visit_detector_region', 'patch', 'dataset', 'dataset_type')
                THEN table_name::text
                WHEN table_name IN ('collection', 'collection_chain') THEN 'collection'
                WHEN table_name ~ '^dataset_tags_[0-9]+$' THEN 'dataset_tags'
                WHEN table_name = datastore_records_table THEN 'datastore_records' END $$;

-- Creates the capture trigger on every followed table of the schema that lacks it (a tags table
-- or the records table that appeared since); returns how many it created. Row-level and ENABLE
-- ALWAYS: a logical-replication apply worker fires only row triggers, and only ALWAYS/REPLICA ones.
CREATE FUNCTION obsmeta.registry_capture_tables(registry_schema name) RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    cfg obsmeta.registry_config;
    t record;
    created integer := 0;
BEGIN
    SELECT * INTO cfg FROM obsmeta.registry_config r WHERE r.registry_schema = $1 AND r.attached_at IS NOT NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'registry schema "%" is not attached', $1 USING ERRCODE = '42704',
              HINT = 'Attach it first: SELECT obsmeta.attach_registry(''' || $1 || ''');';
    END IF;
    FOR t IN SELECT c.relname, obsmeta.registry_table_kind(c.relname, cfg.datastore_records_table) AS kind
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = cfg.registry_schema AND c.relkind IN ('r', 'p')
                AND obsmeta.registry_table_kind(c.relname, cfg.datastore_records_table) IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'obsmeta_registry_capture')
              ORDER BY c.relname LOOP
        EXECUTE format('CREATE TRIGGER obsmeta_registry_capture AFTER INSERT OR UPDATE OR DELETE ON %I.%I
                          FOR EACH ROW EXECUTE FUNCTION obsmeta.registry_capture(%L)', cfg.registry_schema, t.relname, t.kind);
        EXECUTE format('ALTER TABLE %I.%I ENABLE ALWAYS TRIGGER obsmeta_registry_capture', cfg.registry_schema, t.relname);
        created := created + 1;
    END LOOP;
    RETURN created;
END $$;

CREATE FUNCTION obsmeta.attach_registry(registry_schema name, collections text[] DEFAULT NULL,
                                        datastore_records_table name DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    missing text;
    pattern text;
    cfg obsmeta.registry_config;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) THEN
        RAISE EXCEPTION 'schema "%" does not exist', $1 USING ERRCODE = '3F000',
              HINT = 'Name the schema holding the registry''s tables (daf_butler registry.namespace).';
    END IF;
    SELECT string_agg(w, ', ') INTO missing
      FROM unnest(ARRAY['instrument', 'physical_filter', 'detector', 'day_obs', 'exposure', 'visit', 'visit_definition',
                        'visit_detector_region', 'patch', 'dataset', 'dataset_type', 'collection', 'collection_chain']) w
     WHERE to_regclass(quote_ident($1) || '.' || quote_ident(w)) IS NULL;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'schema "%" is not a Butler registry: no table %', $1, missing USING ERRCODE = '42P01',
              HINT = 'obsmeta reads registries made by daf_butler''s default managers (dimensions universe 7 or later).';
    END IF;
    SELECT * INTO cfg FROM obsmeta.registry_config r WHERE r.registry_schema = $1;
    IF FOUND AND cfg.attached_at IS NOT NULL THEN
        RAISE EXCEPTION 'registry schema "%" is already attached', $1 USING ERRCODE = '42710',
              HINT = 'SELECT obsmeta.registry_resync(''' || $1 || ''') translates it again; detach_registry to detach.';
    END IF;
    IF collections IS NULL AND NOT FOUND THEN
        RAISE EXCEPTION 'no collections for registry schema "%"', $1 USING ERRCODE = '22023',
              HINT = 'Name them as dax_obscore''s configuration does: attach_registry(''' || $1 ||
                     ''', collections => ARRAY[''HSC/runs/ci_hsc'']), or insert an obsmeta.registry_config row first.';
    END IF;
    FOREACH pattern IN ARRAY coalesce(collections, cfg.collections) LOOP
        BEGIN
            PERFORM '' ~ pattern;
        EXCEPTION WHEN invalid_regular_expression THEN
            RAISE EXCEPTION 'collection pattern "%" is not a valid regular expression', pattern USING ERRCODE = '2201B',
                  HINT = 'Collections are exact names or regular expressions matched against the whole name.';
        END;
    END LOOP;
    INSERT INTO obsmeta.registry_config AS r (registry_schema, collections, datastore_records_table, attached_at)
    VALUES ($1, coalesce(collections, cfg.collections),
            coalesce(datastore_records_table, cfg.datastore_records_table, 'file_datastore_records'), now())
    ON CONFLICT ON CONSTRAINT registry_config_pkey DO UPDATE
       SET collections = EXCLUDED.collections, datastore_records_table = EXCLUDED.datastore_records_table,
           attached_at = EXCLUDED.attached_at, selected_collections = '{}';
    PERFORM obsmeta.registry_capture_tables($1);
    RETURN obsmeta.registry_resync($1);
END $$;
COMMENT ON FUNCTION obsmeta.attach_registry(name, text[], name) IS
  'Follows a Butler registry schema: its rows (now and later: inserts, updates, deletes) are translated into gen3 and converted; returns gen3 rows written';

CREATE FUNCTION obsmeta.detach_registry(registry_schema name) RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    t record;
    dropped integer := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM obsmeta.registry_config r WHERE r.registry_schema = $1 AND r.attached_at IS NOT NULL) THEN
        RAISE EXCEPTION 'registry schema "%" is not attached', $1 USING ERRCODE = '42704',
              HINT = 'SELECT registry_schema FROM obsmeta.registry_config WHERE attached_at IS NOT NULL lists attached registries.';
    END IF;
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND g.tgname = 'obsmeta_registry_capture' ORDER BY 1 LOOP
        EXECUTE format('DROP TRIGGER obsmeta_registry_capture ON %I.%I', $1, t.relname);
        dropped := dropped + 1;
    END LOOP;
    UPDATE obsmeta.registry_config r SET attached_at = NULL, selected_collections = '{}' WHERE r.registry_schema = $1;
    RETURN dropped;
END $$;
COMMENT ON FUNCTION obsmeta.detach_registry(name) IS
  'Stops following a registry schema (drops its capture triggers); the gen3 rows and CAOM2 made from it stay';

REVOKE EXECUTE ON FUNCTION obsmeta.attach_registry(name, text[], name), obsmeta.detach_registry(name),
                           obsmeta.registry_resync(name), obsmeta.registry_capture_tables(name) FROM PUBLIC;
