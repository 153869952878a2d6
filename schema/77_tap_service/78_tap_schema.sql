-- obsmeta install script, part 78: TAP_SCHEMA 1.1 rows for ivoa.obscore, caom2 and rubin.
-- obsmeta.register_tap_schema(target_schema) creates a TAP_SCHEMA 1.1 (schemas, tables, columns,
-- keys, key_columns) when the schema is absent, then replaces obsmeta's rows in it. ObsCore's
-- columns carry the IVOA ObsCore 1.1 descriptions, units, UCDs and utypes; CAOM2 and rubin columns
-- their COMMENTs and VOTable datatypes derived from their PostgreSQL types.

-- ObsCore 1.1 (IVOA REC, table 6 / Rubin's ObsCore-v1.1 tables), optional and Rubin columns.
CREATE TABLE obsmeta.obscore_column_meta (
    column_name  text PRIMARY KEY,
    column_index integer NOT NULL UNIQUE,
    datatype     text NOT NULL,
    arraysize    text,
    xtype        text,
    unit         text,
    ucd          text,
    utype        text,
    principal    integer NOT NULL DEFAULT 1,
    std          integer NOT NULL DEFAULT 1,
    description  text NOT NULL
);
COMMENT ON TABLE obsmeta.obscore_column_meta IS 'TAP_SCHEMA metadata of the public columns of ivoa.obscore (used by obsmeta.register_tap_schema)';
INSERT INTO obsmeta.obscore_column_meta
    (column_index, column_name, datatype, arraysize, xtype, unit, ucd, utype, principal, std, description) VALUES
 ( 1, 'dataproduct_type', 'char', '*', NULL, NULL, 'meta.code.class', 'obscore:ObsDataset.dataProductType', 1, 1, 'Data product (file content) primary type'),
 ( 2, 'calib_level', 'int', NULL, NULL, NULL, 'meta.code;obs.calib', 'obscore:ObsDataset.calibLevel', 1, 1, 'Calibration level of the observation: in {0, 1, 2, 3, 4}'),
 ( 3, 'obs_collection', 'char', '*', NULL, NULL, 'meta.id', 'obscore:DataID.collection', 1, 1, 'Name of the data collection'),
 ( 4, 'obs_id', 'char', '*', NULL, NULL, 'meta.id', 'obscore:DataID.observationID', 1, 1, 'Internal ID given by the ObsTAP service'),
 ( 5, 'obs_publisher_did', 'char', '*', NULL, NULL, 'meta.ref.ivoid', 'obscore:Curation.publisherDID', 1, 1, 'ID for the Dataset given by the publisher'),
 ( 6, 'access_url', 'char', '*', NULL, NULL, 'meta.ref.url', 'obscore:Access.reference', 1, 1, 'URL used to access dataset'),
 ( 7, 'access_format', 'char', '*', NULL, NULL, 'meta.code.mime', 'obscore:Access.format', 1, 1, 'Content format of the dataset'),
 ( 8, 'access_estsize', 'long', NULL, NULL, 'kbyte', 'phys.size;meta.file', 'obscore:Access.size', 1, 1, 'Estimated size of dataset: in kilobytes'),
 ( 9, 'target_name', 'char', '*', NULL, NULL, 'meta.id;src', 'obscore:Target.name', 1, 1, 'Object of interest'),
 (10, 's_ra', 'double', NULL, NULL, 'deg', 'pos.eq.ra', 'obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1', 1, 1, 'Central Spatial Position in ICRS; Right ascension'),
 (11, 's_dec', 'double', NULL, NULL, 'deg', 'pos.eq.dec', 'obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2', 1, 1, 'Central Spatial Position in ICRS; Declination'),
 (12, 's_fov', 'double', NULL, NULL, 'deg', 'phys.angSize;instr.fov', 'obscore:Char.SpatialAxis.Coverage.Bounds.Extent.diameter', 1, 1, 'Estimated size of the covered region as the diameter of a containing circle'),
 (13, 's_region', 'double', '*', 'polygon', 'deg', 'pos.outline;obs.field', 'obscore:Char.SpatialAxis.Coverage.Support.Area', 1, 1, 'Sky region covered by the data product (expressed in ICRS frame)'),
 (14, 's_resolution', 'double', NULL, NULL, 'arcsec', 'pos.angResolution', 'obscore:Char.SpatialAxis.Resolution.Refval.value', 1, 1, 'Spatial resolution of data as FWHM of PSF'),
 (15, 's_xel1', 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.SpatialAxis.numBins1', 1, 1, 'Number of elements along the first coordinate of the spatial axis'),
 (16, 's_xel2', 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.SpatialAxis.numBins2', 1, 1, 'Number of elements along the second coordinate of the spatial axis'),
 (17, 't_min', 'double', NULL, NULL, 'd', 'time.start;obs.exposure', 'obscore:Char.TimeAxis.Coverage.Bounds.Limits.StartTime', 1, 1, 'Start time in MJD'),
 (18, 't_max', 'double', NULL, NULL, 'd', 'time.end;obs.exposure', 'obscore:Char.TimeAxis.Coverage.Bounds.Limits.StopTime', 1, 1, 'Stop time in MJD'),
 (19, 't_exptime', 'double', NULL, NULL, 's', 'time.duration;obs.exposure', 'obscore:Char.TimeAxis.Coverage.Support.Extent', 1, 1, 'Total exposure time'),
 (20, 't_resolution', 'double', NULL, NULL, 's', 'time.resolution', 'obscore:Char.TimeAxis.Resolution.Refval.value', 1, 1, 'Temporal resolution FWHM'),
 (21, 't_xel', 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.TimeAxis.numBins', 1, 1, 'Number of elements along the time axis'),
 (22, 'em_min', 'double', NULL, NULL, 'm', 'em.wl;stat.min', 'obscore:Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit', 1, 1, 'start in spectral coordinates'),
 (23, 'em_max', 'double', NULL, NULL, 'm', 'em.wl;stat.max', 'obscore:Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit', 1, 1, 'stop in spectral coordinates'),
 (24, 'em_res_power', 'double', NULL, NULL, NULL, 'spect.resolution', 'obscore:Char.SpectralAxis.Resolution.ResolPower.refVal', 1, 1, 'Value of the resolving power along the spectral axis (R)'),
 (25, 'em_xel', 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.SpectralAxis.numBins', 1, 1, 'Number of elements along the spectral axis'),
 (26, 'o_ucd', 'char', '*', NULL, NULL, 'meta.ucd', 'obscore:Char.ObservableAxis.ucd', 1, 1, 'Nature of the observable axis'),
 (27, 'pol_states', 'char', '*', NULL, NULL, 'meta.code;phys.polarization', 'obscore:Char.PolarizationAxis.stateList', 1, 1, 'List of polarization states present in the data file'),
 (28, 'pol_xel', 'long', NULL, NULL, NULL, 'meta.number', 'obscore:Char.PolarizationAxis.numBins', 1, 1, 'Number of elements along the polarization axis'),
 (29, 'facility_name', 'char', '*', NULL, NULL, 'meta.id;instr.tel', 'obscore:Provenance.ObsConfig.Facility.name', 1, 1, 'The name of the facility, telescope, or space craft used for the observation'),
 (30, 'instrument_name', 'char', '*', NULL, NULL, 'meta.id;instr', 'obscore:Provenance.ObsConfig.Instrument.name', 1, 1, 'The name of the instrument used for the observation'),
 (31, 'obs_release_date', 'char', '*', 'timestamp', NULL, 'time.release', 'obscore:Curation.releaseDate', 1, 1, 'Observation release date (ISO 8601)'),
 (32, 'obs_creator_did', 'char', '*', NULL, NULL, 'meta.id', 'obscore:DataID.creatorDID', 0, 1, 'IVOA dataset identifier given by the creator'),
 (33, 'preview', 'char', '*', NULL, NULL, 'meta.ref.url;meta.preview', NULL, 0, 1, 'URL of a preview (low-resolution quick-look) image of the dataset'),
 (34, 'lsst_visit', 'long', NULL, NULL, NULL, 'meta.id;obs', NULL, 1, 0, 'Rubin: Butler visit id of the dataset (NULL for raws and coadds)'),
 (35, 'lsst_exposure', 'long', NULL, NULL, NULL, 'meta.id;obs', NULL, 1, 0, 'Rubin: Butler exposure id of the dataset (raws)'),
 (36, 'lsst_detector', 'int', NULL, NULL, NULL, 'meta.id;instr.det', NULL, 1, 0, 'Rubin: detector id of this image (NULL for products without detector)'),
 (37, 'lsst_band', 'char', '*', NULL, NULL, 'instr.bandpass', NULL, 1, 0, 'Rubin: abstract filter band (u, g, r, i, z, y)'),
 (38, 'lsst_physical_filter', 'char', '*', NULL, NULL, 'instr.filter', NULL, 1, 0, 'Rubin: physical filter used for the observation'),
 (39, 'lsst_tract', 'int', NULL, NULL, NULL, 'meta.id', NULL, 1, 0, 'Rubin: skymap tract of a coadd'),
 (40, 'lsst_patch', 'int', NULL, NULL, NULL, 'meta.id', NULL, 1, 0, 'Rubin: skymap patch (within its tract) of a coadd'),
 (41, 's_region_stcs', 'char', '*', NULL, NULL, 'pos.outline;obs.field', NULL, 0, 0, 'Sky region covered by the data product as STC-S text (POLYGON ICRS ra dec ..., degrees)'),
 (42, 's_center', 'double', '2', 'point', 'deg', 'pos.eq;meta.main', NULL, 0, 0, 'Central position (s_ra, s_dec) as a point (pg_sphere spoint; GiST-indexed) for ADQL geometry'),
 (43, 's_region_spoly', 'double', '*', 'polygon', 'deg', 'pos.outline;obs.field', NULL, 0, 0, 'Deprecated alias of s_region (its name in obsmeta 0.2.0); not indexed: use s_region'),
 (44, 'dataproduct_subtype', 'char', '*', NULL, NULL, 'meta.code.class', 'obscore:ObsDataset.dataProductSubtype', 1, 1, 'Data product specific type'),
 (45, 'em_filter_name', 'char', '*', NULL, NULL, 'instr.filter', NULL, 1, 0, 'Filter (band) name, as dax_obscore exports it');

-- VOTable datatype / arraysize / xtype of a PostgreSQL column type (TAP 1.1, DALI).
CREATE FUNCTION obsmeta.tap_datatype(t regtype, OUT datatype text, OUT arraysize text, OUT xtype text)
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

CREATE FUNCTION obsmeta.register_tap_schema(target_schema text DEFAULT 'tap_schema') RETURNS integer
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
