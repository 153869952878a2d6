-- obsmeta install script, part 78 (re-runnable): TAP_SCHEMA 1.1 rows for ivoa.obscore, caom2 and rubin.
-- obsmeta.register_tap_schema(target_schema) creates a TAP_SCHEMA 1.1 (schemas, tables, columns,
-- keys, key_columns) when the schema is absent, then replaces obsmeta's rows in it. ObsCore's
-- columns carry the IVOA ObsCore 1.1 descriptions, units, UCDs and utypes; CAOM2 and rubin columns
-- their COMMENTs and VOTable datatypes derived from their PostgreSQL types.

-- ObsCore's TAP_SCHEMA metadata: obsmeta.obscore_column_meta, a view of the columns' one
-- declaration (70_obscore/70_columns_declared.rerunnable.sql).

-- VOTable datatype / arraysize / xtype of a PostgreSQL column type (TAP 1.1, DALI).
CREATE OR REPLACE FUNCTION obsmeta.tap_datatype(t regtype, OUT datatype text, OUT arraysize text, OUT xtype text)
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE tn WHEN 'smallint' THEN 'short' WHEN 'integer' THEN 'int' WHEN 'bigint' THEN 'long'
                   WHEN 'real' THEN 'float' WHEN 'double precision' THEN 'double' WHEN 'boolean' THEN 'boolean'
                   WHEN 'spoint' THEN 'double' WHEN 'scircle' THEN 'double' WHEN 'spoly' THEN 'double'
                   ELSE 'char' END,
           CASE tn WHEN 'smallint' THEN NULL WHEN 'integer' THEN NULL WHEN 'bigint' THEN NULL WHEN 'real' THEN NULL
                   WHEN 'double precision' THEN NULL WHEN 'boolean' THEN NULL
                   WHEN 'uuid' THEN '36' WHEN 'spoint' THEN '2' WHEN 'scircle' THEN '3' ELSE '*' END,
           CASE tn WHEN 'timestamp with time zone' THEN 'timestamp' WHEN 'timestamp without time zone' THEN 'timestamp'
                   WHEN 'spoint' THEN 'point' WHEN 'scircle' THEN 'circle' WHEN 'spoly' THEN 'polygon' END
      FROM (SELECT format_type(t, NULL) AS tn) s $$;

CREATE OR REPLACE FUNCTION obsmeta.register_tap_schema(target_schema text DEFAULT 'tap_schema') RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
    s text := quote_ident(target_schema);
    n integer;
BEGIN
    IF to_regnamespace(s) IS NULL THEN
        EXECUTE format('CREATE SCHEMA %s', s);
        EXECUTE format('COMMENT ON SCHEMA %s IS %L', s, 'TAP_SCHEMA 1.1: the tables and columns a TAP service publishes');
    END IF;
    EXECUTE format($ddl$
      CREATE TABLE IF NOT EXISTS %1$s.schemas (
          schema_name text PRIMARY KEY, utype text, description text, schema_index integer);
      CREATE TABLE IF NOT EXISTS %1$s.tables (
          schema_name text NOT NULL, table_name text PRIMARY KEY, table_type text NOT NULL, utype text,
          description text, table_index integer);
      CREATE TABLE IF NOT EXISTS %1$s.columns (
          table_name text NOT NULL, column_name text NOT NULL, utype text, ucd text, unit text, description text,
          datatype text NOT NULL, arraysize text, xtype text, "size" integer, principal integer NOT NULL,
          indexed integer NOT NULL, std integer NOT NULL, column_index integer, PRIMARY KEY (table_name, column_name));
      CREATE TABLE IF NOT EXISTS %1$s.keys (
          key_id text PRIMARY KEY, from_table text NOT NULL, target_table text NOT NULL, utype text, description text);
      CREATE TABLE IF NOT EXISTS %1$s.key_columns (
          key_id text NOT NULL, from_column text NOT NULL, target_column text NOT NULL)
    $ddl$, s);

    -- obsmeta's schemas and what hangs on them are replaced
    CREATE TEMP TABLE obsmeta_tap_tables ON COMMIT DROP AS
    SELECT n.nspname::text AS schema_name, n.nspname || '.' || c.relname AS table_name, c.oid AS relid,
           CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS table_type,
           CASE WHEN n.nspname = 'ivoa' AND c.relname = 'obscore' THEN 'ivo://ivoa.net/std/ObsCore#table-1.1' END AS utype,
           obj_description(c.oid, 'pg_class') AS description,
           row_number() OVER (ORDER BY n.nspname <> 'ivoa', n.nspname, c.relname)::int AS table_index
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v')
       AND ((n.nspname = 'ivoa' AND c.relname = 'obscore') OR n.nspname IN ('caom2', 'rubin'));

    EXECUTE format('DELETE FROM %1$s.key_columns WHERE key_id IN (SELECT key_id FROM %1$s.keys
                      WHERE from_table IN (SELECT table_name FROM obsmeta_tap_tables) OR target_table IN (SELECT table_name FROM obsmeta_tap_tables))', s);
    EXECUTE format('DELETE FROM %1$s.keys WHERE from_table IN (SELECT table_name FROM obsmeta_tap_tables)
                      OR target_table IN (SELECT table_name FROM obsmeta_tap_tables)', s);
    EXECUTE format('DELETE FROM %1$s.columns WHERE table_name IN (SELECT table_name FROM obsmeta_tap_tables)', s);
    EXECUTE format('DELETE FROM %1$s.tables WHERE table_name IN (SELECT table_name FROM obsmeta_tap_tables)', s);
    EXECUTE format('DELETE FROM %1$s.schemas WHERE schema_name IN (SELECT DISTINCT schema_name FROM obsmeta_tap_tables)', s);

    EXECUTE format($ins$
      INSERT INTO %1$s.schemas (schema_name, utype, description, schema_index)
      SELECT DISTINCT t.schema_name, NULL::text, obj_description(t.schema_name::regnamespace, 'pg_namespace'),
             CASE t.schema_name WHEN 'ivoa' THEN 1 WHEN 'caom2' THEN 2 ELSE 3 END
        FROM obsmeta_tap_tables t$ins$, s);
    EXECUTE format($ins$
      INSERT INTO %1$s.tables (schema_name, table_name, table_type, utype, description, table_index)
      SELECT schema_name, table_name, table_type, utype, description, table_index FROM obsmeta_tap_tables$ins$, s);
    -- ivoa.obscore: the curated ObsCore metadata (bookkeeping columns are not published)
    EXECUTE format($ins$
      INSERT INTO %1$s.columns (table_name, column_name, utype, ucd, unit, description, datatype, arraysize, xtype,
                                "size", principal, indexed, std, column_index)
      SELECT 'ivoa.obscore', m.column_name, m.utype, m.ucd, m.unit, m.description, m.datatype, m.arraysize, m.xtype,
             NULL, m.principal,
             CASE WHEN EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                                WHERE i.indrelid = 'ivoa.obscore'::regclass AND a.attname = m.column_name) THEN 1 ELSE 0 END,
             m.std, m.column_index
        FROM obsmeta.obscore_column_meta m
       WHERE EXISTS (SELECT 1 FROM obsmeta_tap_tables t WHERE t.table_name = 'ivoa.obscore')$ins$, s);
    -- caom2 and rubin: from the catalogue and the column comments
    EXECUTE format($ins$
      INSERT INTO %1$s.columns (table_name, column_name, utype, ucd, unit, description, datatype, arraysize, xtype,
                                "size", principal, indexed, std, column_index)
      SELECT t.table_name, a.attname, NULL, NULL, NULL, col_description(t.relid, a.attnum),
             d.datatype, d.arraysize, d.xtype, NULL, 1,
             CASE WHEN EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = t.relid AND i.indkey[0] = a.attnum) THEN 1 ELSE 0 END,
             0, a.attnum
        FROM obsmeta_tap_tables t
        JOIN pg_attribute a ON a.attrelid = t.relid AND a.attnum > 0 AND NOT a.attisdropped
        CROSS JOIN LATERAL obsmeta.tap_datatype(a.atttypid::regtype) d
       WHERE t.table_name <> 'ivoa.obscore'$ins$, s);
    -- foreign keys between published tables, and caom2's documented links without constraints
    EXECUTE format($ins$
      WITH fk AS (
        SELECT ft.table_name AS from_table, tt.table_name AS target_table, fa.attname AS from_column, ta.attname AS target_column
          FROM pg_constraint k
          JOIN obsmeta_tap_tables ft ON ft.relid = k.conrelid
          JOIN obsmeta_tap_tables tt ON tt.relid = k.confrelid
          JOIN pg_attribute fa ON fa.attrelid = k.conrelid AND fa.attnum = k.conkey[1]
          JOIN pg_attribute ta ON ta.attrelid = k.confrelid AND ta.attnum = k.confkey[1]
         WHERE k.contype = 'f' AND cardinality(k.conkey) = 1
        UNION
        SELECT v.f, v.t, v.fc, v.tc FROM (VALUES ('caom2.artifact', 'caom2.plane', 'plane_id', 'plane_id'),
                                                 ('caom2.part', 'caom2.artifact', 'artifact_id', 'artifact_id'),
                                                 ('caom2.chunk', 'caom2.part', 'part_id', 'part_id')) AS v(f, t, fc, tc)
         WHERE EXISTS (SELECT 1 FROM obsmeta_tap_tables x WHERE x.table_name = v.f)
      ), ins AS (
        INSERT INTO %1$s.keys (key_id, from_table, target_table, utype, description)
        SELECT from_table || '.' || from_column, from_table, target_table, NULL, from_column || ' references ' || target_table
          FROM fk
        RETURNING key_id
      )
      INSERT INTO %1$s.key_columns (key_id, from_column, target_column)
      SELECT from_table || '.' || from_column, from_column, target_column FROM fk$ins$, s);

    EXECUTE format('GRANT USAGE ON SCHEMA %1$s TO obsmeta_reader, obsmeta_staff, obsmeta_writer', s);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %1$s TO obsmeta_reader, obsmeta_staff, obsmeta_writer', s);
    SELECT count(*) INTO n FROM obsmeta_tap_tables;
    DROP TABLE obsmeta_tap_tables;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.register_tap_schema(text) IS
  'Writes TAP_SCHEMA 1.1 rows (schemas, tables, columns, keys, key_columns) for ivoa.obscore and the caom2 and rubin tables into target_schema, creating it if absent; returns the number of tables registered';
REVOKE EXECUTE ON FUNCTION obsmeta.register_tap_schema(text) FROM PUBLIC;
