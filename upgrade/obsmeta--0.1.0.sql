-- obsmeta 0.1.0 as released (frozen: do not edit). Existing 0.1.0 installations are upgraded with
-- obsmeta--0.1.0--0.2.0.sql; test/upgrade.sh checks that 0.1.0 + upgrades equals a fresh install.
-- obsmeta install script, part 00: schemas and the three group roles.
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION obsmeta CASCADE" to load this file. \quit

DO $roles$
BEGIN
  -- NOLOGIN group roles; login roles of pipelines, staff and TAP servers are granted into them.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'obsmeta_writer') THEN
    CREATE ROLE obsmeta_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'obsmeta_staff') THEN
    CREATE ROLE obsmeta_staff NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'obsmeta_reader') THEN
    CREATE ROLE obsmeta_reader NOLOGIN;
  END IF;
END
$roles$;

CREATE SCHEMA obsmeta;
CREATE SCHEMA gen3;
CREATE SCHEMA caom2;

COMMENT ON SCHEMA obsmeta IS 'obsmeta configuration, status views and functions';
COMMENT ON SCHEMA gen3 IS 'Mirror of the Gen3 Butler registry rows that matter for image metadata (written by pipelines or replication)';
COMMENT ON SCHEMA caom2 IS 'CAOM-2.4 observations, maintained by obsmeta from the gen3 mirror';

GRANT USAGE ON SCHEMA obsmeta, gen3, caom2 TO obsmeta_writer, obsmeta_staff, obsmeta_reader;
-- obsmeta install script, part 05: functions used by the tables below (validation, geometry, ids).

-- Validation behind the gen3 CHECK constraints: true, or an error naming the offending value.
CREATE FUNCTION obsmeta.check_timespan(timespan_begin timestamptz, timespan_end timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_timespan' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION obsmeta.check_nonnegative(name text, value double precision) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_nonnegative' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION obsmeta.check_nonnegative(name text, value bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_nonnegative_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION obsmeta.check_angle(name text, value double precision, low double precision, high double precision)
    RETURNS boolean AS 'MODULE_PATHNAME', 'obsmeta_check_angle' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION obsmeta.check_sky_position(ra_deg double precision, dec_deg double precision) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_sky_position' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION obsmeta.check_region(region bytea) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_region' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Geometry (C++, src/geom): Butler regions and detector footprints.
CREATE FUNCTION obsmeta.sphgeom_to_spoly(region bytea) RETURNS spoly
    AS 'MODULE_PATHNAME', 'obsmeta_sphgeom_to_spoly' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.sphgeom_to_spoly(bytea) IS
  'An lsst.sphgeom region (ConvexPolygon; Circle, Box, Ellipse and unions by their convex outline) as a pg_sphere polygon';
CREATE FUNCTION obsmeta.sphgeom_to_stcs(region bytea) RETURNS text
    AS 'MODULE_PATHNAME', 'obsmeta_sphgeom_to_stcs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION obsmeta.spoly_to_stcs(polygon spoly) RETURNS text
    AS 'MODULE_PATHNAME', 'obsmeta_spoly_to_stcs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION obsmeta.footprint_summary(footprints spoly[],
        OUT bounds spoly, OUT points jsonb, OUT center spoint, OUT area_deg2 double precision, OUT size_deg double precision,
        OUT samples jsonb)
    AS 'MODULE_PATHNAME', 'obsmeta_footprint_summary' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.footprint_summary(spoly[]) IS
  'Plane position from detector footprints: convex-hull bounds (and its points in degrees), centroid, summed area (deg^2), bounding-circle diameter (deg), and the footprints as CAOM-2.4 MultiPolygon samples';
CREATE FUNCTION obsmeta.footprint_center_size(footprint spoly, OUT center spoint, OUT size_deg double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_footprint_center_size' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.footprint_center_size(spoly) IS
  'One detector footprint''s center and bounding-circle diameter (deg), exactly as footprint_summary computes them';

-- Deterministic ids: the CAOM2 entity made from a Butler key always has the same UUID, so
-- conversion needs no lookups and re-conversion finds its own rows. (Explicit ::text casts keep
-- the bodies immutable, so that the planner inlines them instead of calling them per row.)
CREATE FUNCTION obsmeta.exposure_obs_id(instrument text, exposure bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('exposure/' || instrument || '/' || exposure::text)::uuid $$;
CREATE FUNCTION obsmeta.visit_obs_id(instrument text, visit bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('visit/' || instrument || '/' || visit::text)::uuid $$;
CREATE FUNCTION obsmeta.coadd_obs_id(skymap text, tract integer, patch integer, band text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT md5('coadd/' || skymap || '/' || tract::text || '/' || patch::text || '/' || band)::uuid $$;
CREATE FUNCTION obsmeta.plane_id(obs_id uuid, product_id text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('plane/' || obs_id::text || '/' || product_id)::uuid $$;
CREATE FUNCTION obsmeta.artifact_id(dataset_id uuid, component text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('artifact/' || dataset_id::text || '/' || component)::uuid $$;
CREATE FUNCTION obsmeta.part_id(artifact_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('part/' || artifact_id::text || '/0')::uuid $$;
CREATE FUNCTION obsmeta.chunk_id(artifact_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('chunk/' || artifact_id::text || '/0')::uuid $$;
-- Lock key of an observation for pg_advisory_xact_lock(class, key): its id's first 32 bits.
CREATE FUNCTION obsmeta.lock_key(obs_id uuid) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ('x' || left(replace(obs_id::text, '-', ''), 8))::bit(32)::integer $$;

-- Time as Modified Julian Date (UTC), CAOM2's time axis unit.
CREATE FUNCTION obsmeta.mjd(t timestamptz) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT extract(epoch FROM (t - '1858-11-17 00:00:00+00'::timestamptz))::double precision / 86400.0 $$;

-- Artifact URI from the instrument's template: {path} {instrument} {dataset_id} {run} {dataset_type}.
CREATE FUNCTION obsmeta.artifact_uri(template text, path text, dataset_id uuid, instrument text, run text, dataset_type text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(coalesce(template, 'butler://{dataset_id}'),
           '{path}', path), '{instrument}', coalesce(instrument, '')), '{dataset_id}', dataset_id::text),
           '{run}', run), '{dataset_type}', dataset_type) $$;

CREATE FUNCTION obsmeta.content_type(path text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN path ~* '\.fits?(\.fz|\.gz)?$' THEN 'application/fits'
                WHEN path ~* '\.(json)$' THEN 'application/json'
                WHEN path ~* '\.(parq|parquet)$' THEN 'application/vnd.apache.parquet' END $$;
CREATE FUNCTION obsmeta.spoly_to_sphgeom(polygon spoly) RETURNS bytea
    AS 'MODULE_PATHNAME', 'obsmeta_spoly_to_sphgeom' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.spoly_to_sphgeom(spoly) IS 'A convex pg_sphere polygon as an lsst.sphgeom ConvexPolygon encoding';

-- Self-test of the C++/PostgreSQL boundary (used by the test suite; harmless in production):
-- raises the chosen kind of error from 5 C++ frames deep, each owning an object with a destructor.
CREATE FUNCTION obsmeta.boundary_selftest(mode text) RETURNS integer
    AS 'MODULE_PATHNAME', 'obsmeta_boundary_selftest' LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION obsmeta.boundary_live_objects() RETURNS integer
    AS 'MODULE_PATHNAME', 'obsmeta_boundary_live_objects' LANGUAGE C VOLATILE;
-- obsmeta install script, part 10: configuration (per instrument, per dataset type, per band).
-- Rubin defaults are inserted here; DBAs edit the rows. All three tables are dumped by pg_dump
-- (pg_extension_config_dump) so that a DBA's edits survive dump/restore.

CREATE TABLE obsmeta.instrument_config (
    instrument            text PRIMARY KEY,
    collection            text NOT NULL,
    facility_name         text NOT NULL,
    telescope_name        text NOT NULL,
    -- geocentric (ITRF) position of the telescope in metres, as CAOM2 Telescope.geoLocation{X,Y,Z}
    geo_location_x        double precision,
    geo_location_y        double precision,
    geo_location_z        double precision,
    embargo_period        interval NOT NULL DEFAULT interval '80 hours',
    -- {path} {instrument} {dataset_id} {run} {dataset_type} are replaced
    artifact_uri_template text NOT NULL DEFAULT 'butler://embargo/{path}',
    CONSTRAINT instrument_config_embargo CHECK (embargo_period >= interval '0')
);
COMMENT ON TABLE obsmeta.instrument_config IS
  'One row per instrument obsmeta converts: CAOM2 collection, telescope and location, embargo period, artifact URI template';

-- Cerro Pachon, WGS84 lon -70.749417, lat -30.244639, height 2663 m, as geocentric XYZ.
INSERT INTO obsmeta.instrument_config
    (instrument, collection, facility_name, telescope_name, geo_location_x, geo_location_y, geo_location_z)
VALUES
    ('LSSTCam',    'LSSTCam',    'Rubin-LSST', 'Rubin:Simonyi', 1818938.943, -5208470.951, -3195172.084),
    ('LSSTComCam', 'LSSTComCam', 'Rubin-LSST', 'Rubin:Simonyi', 1818938.943, -5208470.951, -3195172.084),
    ('LATISS',     'LATISS',     'Rubin-LSST', 'Rubin:1.2m',    1818938.943, -5208470.951, -3195172.084);

CREATE TABLE obsmeta.dataset_type_config (
    dataset_type      text PRIMARY KEY,
    -- false: rows of this type are mirrored but not converted (not an error)
    publish           boolean NOT NULL DEFAULT true,
    product_id        text,
    calibration_level integer,
    -- which CAOM2 observation a dataset of this type belongs to
    observation_level text,
    data_product_type text NOT NULL DEFAULT 'image',
    product_type      text NOT NULL DEFAULT 'science',
    -- CAOM2 collection of coadd observations (exposure/visit products use the instrument's)
    collection        text,
    CONSTRAINT dataset_type_config_level CHECK (observation_level IN ('exposure', 'visit', 'coadd')),
    CONSTRAINT dataset_type_config_calib CHECK (calibration_level BETWEEN -1 AND 4),
    CONSTRAINT dataset_type_config_published CHECK
        (NOT publish OR (product_id IS NOT NULL AND calibration_level IS NOT NULL AND observation_level IS NOT NULL)),
    CONSTRAINT dataset_type_config_coadd CHECK (observation_level IS DISTINCT FROM 'coadd' OR collection IS NOT NULL)
);
COMMENT ON TABLE obsmeta.dataset_type_config IS
  'Dataset types obsmeta knows: published ones become CAOM2 planes (product, calibration level, observation level); a type missing here is rejected';

INSERT INTO obsmeta.dataset_type_config
    (dataset_type, publish, product_id, calibration_level, observation_level, collection) VALUES
    ('raw',              true, 'raw',              1, 'exposure', NULL),
    ('visit_image',      true, 'visit_image',      2, 'visit',    NULL),
    ('calexp',           true, 'visit_image',      2, 'visit',    NULL),
    ('difference_image', true, 'difference_image', 3, 'visit',    NULL),
    ('deep_coadd',       true, 'deep_coadd',       3, 'coadd',    'LSST');

-- Spectral range of each band (metres), CAOM2 Plane.energy.bounds and ObsCore em_min/em_max.
-- Rubin values as in dax_obscore's USDF configuration.
CREATE TABLE obsmeta.band_wavelength (
    band     text PRIMARY KEY,
    em_min_m double precision,
    em_max_m double precision,
    CONSTRAINT band_wavelength_order CHECK (em_min_m IS NULL OR em_max_m IS NULL OR (em_min_m > 0 AND em_min_m < em_max_m))
);
INSERT INTO obsmeta.band_wavelength VALUES
    ('u', 330.0e-9, 400.0e-9), ('g', 402.0e-9, 552.0e-9), ('r', 552.0e-9, 691.0e-9),
    ('i', 691.0e-9, 818.0e-9), ('z', 818.0e-9, 922.0e-9), ('y', 922.0e-9, 1060.0e-9),
    ('white', NULL, NULL), ('unknown', NULL, NULL);

SELECT pg_catalog.pg_extension_config_dump('obsmeta.instrument_config', '');
SELECT pg_catalog.pg_extension_config_dump('obsmeta.dataset_type_config', '');
SELECT pg_catalog.pg_extension_config_dump('obsmeta.band_wavelength', '');

-- pg_dump keeps every configuration row; on restore CREATE EXTENSION has already inserted the
-- defaults, so an inserted row replaces the row with the same key instead of colliding with it.
CREATE FUNCTION obsmeta.config_replace_row() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('DELETE FROM %I.%I WHERE %I = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0])
      USING to_jsonb(NEW) ->> TG_ARGV[0];
    RETURN NEW;
END $$;
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.instrument_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('instrument');
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.dataset_type_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('dataset_type');
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.band_wavelength
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('band');
-- obsmeta install script, part 20: the gen3 mirror.
-- Names follow daf_butler's dimension universe. Times are timestamptz (UTC; the loader converts
-- from the Butler's TAI), regions are the lsst.sphgeom encoding as bytea. There are no foreign keys
-- between mirror tables on purpose: rows may arrive in any order, and a child whose parent is
-- missing waits (see obsmeta.pending) until the parent arrives.

CREATE TABLE gen3.instrument (
    name          text PRIMARY KEY,
    visit_max     bigint,
    exposure_max  bigint,
    detector_max  integer,
    class_name    text
);

CREATE TABLE gen3.physical_filter (
    instrument text NOT NULL,
    name       text NOT NULL,
    band       text,
    PRIMARY KEY (instrument, name)
);

CREATE TABLE gen3.detector (
    instrument   text NOT NULL,
    id           integer NOT NULL,
    full_name    text,
    name_in_raft text,
    raft         text,
    purpose      text,
    PRIMARY KEY (instrument, id)
);

CREATE TABLE gen3.day_obs (
    instrument     text NOT NULL,
    id             integer NOT NULL,
    timespan_begin timestamptz,
    timespan_end   timestamptz,
    PRIMARY KEY (instrument, id),
    CONSTRAINT day_obs_timespan CHECK (obsmeta.check_timespan(timespan_begin, timespan_end))
);

CREATE TABLE gen3.exposure (
    instrument         text NOT NULL,
    id                 bigint NOT NULL,
    physical_filter    text NOT NULL,
    obs_id             text NOT NULL,
    exposure_time      double precision,
    dark_time          double precision,
    observation_type   text,
    observation_reason text,
    day_obs            integer,
    seq_num            integer,
    seq_start          integer,
    seq_end            integer,
    "group"            text,
    target_name        text,
    science_program    text,
    tracking_ra        double precision,
    tracking_dec       double precision,
    sky_angle          double precision,
    azimuth            double precision,
    zenith_angle       double precision,
    has_simulated      boolean,
    can_see_sky        boolean,
    timespan_begin     timestamptz,
    timespan_end       timestamptz,
    PRIMARY KEY (instrument, id),
    -- obs_id names the CAOM2 observation: two exposures cannot share one
    CONSTRAINT exposure_obs_id_key UNIQUE (instrument, obs_id),
    CONSTRAINT exposure_timespan CHECK (obsmeta.check_timespan(timespan_begin, timespan_end)),
    CONSTRAINT exposure_times CHECK (obsmeta.check_nonnegative('exposure_time', exposure_time)
                                     AND obsmeta.check_nonnegative('dark_time', dark_time)),
    CONSTRAINT exposure_pointing CHECK (obsmeta.check_sky_position(tracking_ra, tracking_dec)
                                        AND obsmeta.check_angle('zenith_angle', zenith_angle, 0, 180)
                                        AND obsmeta.check_angle('azimuth', azimuth, -360, 360))
);
CREATE INDEX exposure_physical_filter_idx ON gen3.exposure (instrument, physical_filter);

CREATE TABLE gen3.visit (
    instrument         text NOT NULL,
    id                 bigint NOT NULL,
    physical_filter    text NOT NULL,
    day_obs            integer,
    name               text NOT NULL,
    seq_num            integer,
    exposure_time      double precision,
    target_name        text,
    observation_reason text,
    science_program    text,
    azimuth            double precision,
    zenith_angle       double precision,
    region             bytea,
    timespan_begin     timestamptz,
    timespan_end       timestamptz,
    PRIMARY KEY (instrument, id),
    CONSTRAINT visit_name_key UNIQUE (instrument, name),
    CONSTRAINT visit_timespan CHECK (obsmeta.check_timespan(timespan_begin, timespan_end)),
    CONSTRAINT visit_times CHECK (obsmeta.check_nonnegative('exposure_time', exposure_time)),
    CONSTRAINT visit_region CHECK (obsmeta.check_region(region)),
    CONSTRAINT visit_pointing CHECK (obsmeta.check_angle('zenith_angle', zenith_angle, 0, 180)
                                     AND obsmeta.check_angle('azimuth', azimuth, -360, 360))
);
CREATE INDEX visit_physical_filter_idx ON gen3.visit (instrument, physical_filter);

CREATE TABLE gen3.visit_definition (
    instrument text NOT NULL,
    exposure   bigint NOT NULL,
    visit      bigint NOT NULL,
    PRIMARY KEY (instrument, exposure, visit)
);
CREATE INDEX visit_definition_visit_idx ON gen3.visit_definition (instrument, visit);

CREATE TABLE gen3.visit_detector_region (
    instrument text NOT NULL,
    visit      bigint NOT NULL,
    detector   integer NOT NULL,
    region     bytea,
    PRIMARY KEY (instrument, visit, detector),
    CONSTRAINT visit_detector_region_region CHECK (obsmeta.check_region(region))
);

-- One row per Butler dataset; the data ID is flattened into nullable columns.
CREATE TABLE gen3.dataset (
    id              uuid PRIMARY KEY,
    dataset_type    text NOT NULL,
    run             text NOT NULL,
    instrument      text,
    exposure        bigint,
    visit           bigint,
    detector        integer,
    physical_filter text,
    band            text,
    day_obs         integer,
    skymap          text,
    tract           integer,
    patch           integer,
    ingest_date     timestamptz
);
-- The conversion finds a data ID's datasets through these (a region is per visit and detector).
CREATE INDEX dataset_exposure_idx ON gen3.dataset (instrument, exposure, detector) WHERE exposure IS NOT NULL;
CREATE INDEX dataset_visit_idx ON gen3.dataset (instrument, visit, detector) WHERE visit IS NOT NULL;

CREATE TABLE gen3.file_datastore_record (
    dataset_id    uuid NOT NULL,
    component     text NOT NULL DEFAULT '__NULL_STRING__',
    path          text NOT NULL,
    formatter     text,
    storage_class text,
    checksum      text,
    file_size     bigint,
    PRIMARY KEY (dataset_id, component),
    CONSTRAINT file_datastore_record_size CHECK (obsmeta.check_nonnegative('file_size', file_size))
);

COMMENT ON TABLE gen3.exposure IS 'Butler exposure dimension records; each becomes a CAOM2 SimpleObservation';
COMMENT ON TABLE gen3.visit IS 'Butler visit dimension records; each becomes a CAOM2 DerivedObservation';
COMMENT ON TABLE gen3.dataset IS 'Butler datasets (data ID flattened); configured dataset types become CAOM2 planes';
COMMENT ON TABLE gen3.file_datastore_record IS 'Butler file datastore records; each becomes a CAOM2 artifact';
-- obsmeta install script, part 30: the CAOM-2.4 model tables (schema caom2).
--
-- One table per CAOM-2.4 entity (Observation, Plane, Artifact, Part, Chunk) plus the two
-- value-list tables (DerivedObservation.members, Plane.provenance.inputs) and the
-- deleted-observation tombstones that harvesters poll.
--
-- Naming: column = snake_case of the CAOM-2.4 attribute path, embedded objects flattened with
-- their role name as prefix (Plane.provenance.runID -> provenance_run_id,
-- Chunk.position.axis.function.refCoord.coord1.pix -> position_axis_function_ref_coord_coord1_pix).
-- The entity id (CaomEntity.id) is <entity>_id (observation: obs_id); the parent's id is the FK.
-- Keyword and group lists are text[] in document order. Dates (IVOA yyyy-MM-dd'T'HH:mm:ss.SSS,
-- UTC) are timestamptz. jsonb is used only for variable-length lists; each jsonb column's
-- shape is given in its COMMENT. Numbers in jsonb are JSON numbers written with the shortest
-- round-trip representation of the double, so they read back bit-identical.
--
-- Geometry: pg_sphere values are derived, for queries only. A degrees -> radians -> degrees round
-- trip is not exact for every double, so every CAOM-2.4 coordinate is also stored exactly
-- (doubles / jsonb) and export and checksums must use the exact columns.
--
-- Columns under "-- obsmeta extension (not CAOM-2.4)" and the DERIVED columns are not CAOM-2.4
-- attributes: they are excluded from metaChecksum / accMetaChecksum and from XML export.
-- CAOM-2.4 attributes not stored: none. (Telescope.trackingMode does not exist in 2.4.)

---------------------------------------------------------------------------------------------------
-- Observation (SimpleObservation / DerivedObservation)
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.observation (
    obs_id                        uuid PRIMARY KEY,
    obs_type                      text NOT NULL
        CHECK (obs_type IN ('SimpleObservation', 'DerivedObservation')),
    collection                    text NOT NULL,
    observation_id                text NOT NULL,
    uri                           text GENERATED ALWAYS AS ('caom:' || collection || '/' || observation_id) STORED,
    meta_release                  timestamptz,
    meta_read_groups              text[],
    sequence_number               integer,
    algorithm_name                text NOT NULL,
    type                          text,
    intent                        text CHECK (intent IN ('science', 'calibration')),
    -- Proposal
    proposal_id                   text,
    proposal_pi                   text,
    proposal_project              text,
    proposal_title                text,
    proposal_keywords             text[],
    -- Target
    target_name                   text,
    target_target_id              text,
    target_type                   text CHECK (target_type IN ('object', 'field')),
    target_standard               boolean,
    target_redshift               double precision,
    target_moving                 boolean,
    target_keywords               text[],
    -- TargetPosition
    target_position_coordsys      text,
    target_position_equinox       double precision,
    target_position_cval1         double precision,
    target_position_cval2         double precision,
    target_position_coordinates   spoint,
    -- Requirements
    requirements_flag             text CHECK (requirements_flag IN ('fail')),
    -- Telescope
    telescope_name                text,
    telescope_geo_location_x      double precision,
    telescope_geo_location_y      double precision,
    telescope_geo_location_z      double precision,
    telescope_keywords            text[],
    -- Instrument
    instrument_name               text,
    instrument_keywords           text[],
    -- Environment
    environment_seeing            double precision,
    environment_humidity          double precision,
    environment_elevation         double precision,
    environment_tau               double precision,
    environment_wavelength_tau    double precision,
    environment_ambient_temp      double precision,
    environment_photometric       boolean,
    -- CaomEntity
    last_modified                 timestamptz NOT NULL DEFAULT now(),
    max_last_modified             timestamptz NOT NULL DEFAULT now(),
    meta_checksum                 text,
    acc_meta_checksum             text,
    meta_producer                 text,
    CONSTRAINT observation_collection_observation_id_key UNIQUE (collection, observation_id),
    CONSTRAINT observation_uri_key UNIQUE (uri),
    CONSTRAINT observation_target_position_check
        CHECK ((target_position_cval1 IS NULL) = (target_position_cval2 IS NULL))
);

CREATE INDEX observation_max_last_modified_idx ON caom2.observation (max_last_modified, obs_id);

COMMENT ON TABLE caom2.observation IS
    'CAOM-2.4 Observation (one row per SimpleObservation or DerivedObservation); written by obsmeta only';
COMMENT ON COLUMN caom2.observation.obs_id IS 'CaomEntity.id of the Observation';
COMMENT ON COLUMN caom2.observation.obs_type IS 'xsi:type of the Observation: SimpleObservation or DerivedObservation';
COMMENT ON COLUMN caom2.observation.uri IS
    'Observation URI caom:{collection}/{observationID}; GENERATED from collection and observation_id (do not insert it)';
COMMENT ON COLUMN caom2.observation.meta_release IS 'metaRelease (UTC): when the metadata become public';
COMMENT ON COLUMN caom2.observation.meta_read_groups IS 'metaReadGroups: group URIs (ivo://authority/service?group) allowed to read the metadata before meta_release';
COMMENT ON COLUMN caom2.observation.type IS 'Observation.type (e.g. FITS OBSTYPE: science, bias, flat, dark, field, ...)';
COMMENT ON COLUMN caom2.observation.target_target_id IS 'Target.targetID (URI)';
COMMENT ON COLUMN caom2.observation.target_position_cval1 IS 'TargetPosition.coordinates.cval1 (degrees, exact value as stored in CAOM)';
COMMENT ON COLUMN caom2.observation.target_position_cval2 IS 'TargetPosition.coordinates.cval2 (degrees, exact value as stored in CAOM)';
COMMENT ON COLUMN caom2.observation.target_position_coordinates IS
    'DERIVED (query helper): spoint of (target_position_cval1, target_position_cval2); export uses the cval columns';
COMMENT ON COLUMN caom2.observation.telescope_geo_location_x IS 'Telescope.geoLocationX: geocentric X (metres)';
COMMENT ON COLUMN caom2.observation.telescope_geo_location_y IS 'Telescope.geoLocationY: geocentric Y (metres)';
COMMENT ON COLUMN caom2.observation.telescope_geo_location_z IS 'Telescope.geoLocationZ: geocentric Z (metres)';
COMMENT ON COLUMN caom2.observation.environment_seeing IS 'Environment.seeing: FWHM (arcsec)';
COMMENT ON COLUMN caom2.observation.environment_humidity IS 'Environment.humidity (fraction, 0..1)';
COMMENT ON COLUMN caom2.observation.environment_elevation IS 'Environment.elevation: telescope elevation (degrees)';
COMMENT ON COLUMN caom2.observation.environment_tau IS 'Environment.tau: zenith optical depth';
COMMENT ON COLUMN caom2.observation.environment_wavelength_tau IS 'Environment.wavelengthTau: wavelength at which tau was measured (metres)';
COMMENT ON COLUMN caom2.observation.environment_ambient_temp IS 'Environment.ambientTemp (degrees Celsius)';
COMMENT ON COLUMN caom2.observation.last_modified IS 'CaomEntity.lastModified: last change of this row''s CAOM attributes';
COMMENT ON COLUMN caom2.observation.max_last_modified IS 'CaomEntity.maxLastModified: max last_modified over the observation and all its children (harvesting cursor)';
COMMENT ON COLUMN caom2.observation.meta_checksum IS 'CaomEntity.metaChecksum, e.g. md5:<hex>';
COMMENT ON COLUMN caom2.observation.acc_meta_checksum IS 'CaomEntity.accMetaChecksum (this entity and all children), e.g. md5:<hex>';
COMMENT ON COLUMN caom2.observation.meta_producer IS 'CaomEntity.metaProducer: URI of the software that produced the metadata';

---------------------------------------------------------------------------------------------------
-- DerivedObservation.members
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.observation_member (
    composite_id  uuid NOT NULL REFERENCES caom2.observation (obs_id) ON DELETE CASCADE,
    member_uri    text NOT NULL CHECK (member_uri LIKE 'caom:%/%'),
    PRIMARY KEY (composite_id, member_uri)
);

CREATE INDEX observation_member_member_uri_idx ON caom2.observation_member (member_uri);

COMMENT ON TABLE caom2.observation_member IS
    'CAOM-2.4 DerivedObservation.members: one row per member ObservationURI of a composite (derived) observation';
COMMENT ON COLUMN caom2.observation_member.composite_id IS 'obs_id of the DerivedObservation';
COMMENT ON COLUMN caom2.observation_member.member_uri IS
    'member ObservationURI caom:{collection}/{observationID} (matches caom2.observation.uri of the member when it is stored here)';

---------------------------------------------------------------------------------------------------
-- Plane
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.plane (
    plane_id                              uuid PRIMARY KEY,
    obs_id                                uuid NOT NULL REFERENCES caom2.observation (obs_id) ON DELETE CASCADE,
    product_id                            text NOT NULL,
    creator_id                            text,
    meta_release                          timestamptz,
    meta_read_groups                      text[],
    data_release                          timestamptz,
    data_read_groups                      text[],
    data_product_type                     text,
    calibration_level                     integer CHECK (calibration_level BETWEEN -1 AND 4),
    -- Provenance (inputs: caom2.provenance_input)
    provenance_name                       text,
    provenance_version                    text,
    provenance_project                    text,
    provenance_producer                   text,
    provenance_run_id                     text,
    provenance_reference                  text,
    provenance_last_executed              timestamptz,
    provenance_keywords                   text[],
    -- Observable
    observable_ucd                        text,
    -- Metrics
    metrics_source_number_density         double precision,
    metrics_background                    double precision,
    metrics_background_stddev             double precision,
    metrics_flux_density_limit            double precision,
    metrics_mag_limit                     double precision,
    metrics_sample_snr                    double precision,
    -- DataQuality
    quality_flag                          text CHECK (quality_flag IN ('junk')),
    -- Position
    position_bounds_points                jsonb,
    position_bounds_samples               jsonb,
    position_bounds_circle_center_cval1   double precision,
    position_bounds_circle_center_cval2   double precision,
    position_bounds_circle_radius         double precision,
    position_bounds                       spoly,
    position_bounds_circle                scircle,
    position_dimension_naxis1             bigint,
    position_dimension_naxis2             bigint,
    position_resolution                   double precision,
    position_resolution_bounds_lower      double precision,
    position_resolution_bounds_upper      double precision,
    position_sample_size                  double precision,
    position_time_dependent               boolean,
    position_center                       spoint,
    position_area_deg2                    double precision,
    position_size_deg                     double precision,
    -- Energy
    energy_bounds_lower                   double precision,
    energy_bounds_upper                   double precision,
    energy_bounds_samples                 jsonb,
    energy_dimension                      bigint,
    energy_resolving_power                double precision,
    energy_resolving_power_bounds_lower   double precision,
    energy_resolving_power_bounds_upper   double precision,
    energy_sample_size                    double precision,
    energy_bandpass_name                  text,
    energy_energy_bands                   text[],
    energy_rest_wav                       double precision,
    energy_transition_species             text,
    energy_transition_transition          text,
    -- Time
    time_bounds_lower                     double precision,
    time_bounds_upper                     double precision,
    time_bounds_samples                   jsonb,
    time_dimension                        bigint,
    time_resolution                       double precision,
    time_resolution_bounds_lower          double precision,
    time_resolution_bounds_upper          double precision,
    time_sample_size                      double precision,
    time_exposure                         double precision,
    -- Polarization
    polarization_states                   text[],
    polarization_dimension                bigint,
    -- CustomAxis
    custom_ctype                          text,
    custom_bounds_lower                   double precision,
    custom_bounds_upper                   double precision,
    custom_bounds_samples                 jsonb,
    custom_dimension                      bigint,
    -- CaomEntity
    last_modified                         timestamptz NOT NULL DEFAULT now(),
    max_last_modified                     timestamptz NOT NULL DEFAULT now(),
    meta_checksum                         text,
    acc_meta_checksum                     text,
    meta_producer                         text,
    CONSTRAINT plane_obs_id_product_id_key UNIQUE (obs_id, product_id),
    CONSTRAINT plane_position_bounds_one_shape CHECK (
        position_bounds_points IS NULL OR position_bounds_circle_radius IS NULL),
    CONSTRAINT plane_position_bounds_circle_complete CHECK (
        (position_bounds_circle_radius IS NULL) = (position_bounds_circle_center_cval1 IS NULL)
        AND (position_bounds_circle_radius IS NULL) = (position_bounds_circle_center_cval2 IS NULL)),
    CONSTRAINT plane_position_bounds_pgsphere_one_shape CHECK (
        position_bounds IS NULL OR position_bounds_circle IS NULL),
    CONSTRAINT plane_position_circle_radius_check CHECK (position_bounds_circle_radius >= 0),
    CONSTRAINT plane_energy_bounds_check CHECK (energy_bounds_lower <= energy_bounds_upper),
    CONSTRAINT plane_energy_bounds_complete CHECK (
        (energy_bounds_lower IS NULL) = (energy_bounds_upper IS NULL)),
    CONSTRAINT plane_energy_resolving_power_bounds_check CHECK (
        energy_resolving_power_bounds_lower <= energy_resolving_power_bounds_upper),
    CONSTRAINT plane_energy_bands_check CHECK (energy_energy_bands <@ ARRAY[
        'Radio', 'Millimeter', 'Infrared', 'Optical', 'UV', 'EUV', 'X-ray', 'Gamma-ray']::text[]),
    CONSTRAINT plane_time_bounds_check CHECK (time_bounds_lower <= time_bounds_upper),
    CONSTRAINT plane_time_bounds_complete CHECK (
        (time_bounds_lower IS NULL) = (time_bounds_upper IS NULL)),
    CONSTRAINT plane_time_resolution_bounds_check CHECK (
        time_resolution_bounds_lower <= time_resolution_bounds_upper),
    CONSTRAINT plane_position_resolution_bounds_check CHECK (
        position_resolution_bounds_lower <= position_resolution_bounds_upper),
    CONSTRAINT plane_custom_bounds_check CHECK (custom_bounds_lower <= custom_bounds_upper),
    CONSTRAINT plane_polarization_states_check CHECK (polarization_states <@ ARRAY[
        'I', 'Q', 'U', 'V', 'RR', 'LL', 'RL', 'LR', 'XX', 'YY', 'XY', 'YX',
        'POLI', 'FPOLI', 'EPOLI', 'CPOLI', 'NPOLI']::text[])
);

-- plane (obs_id) is covered by the unique index plane_obs_id_product_id_key.
CREATE INDEX plane_position_bounds_idx ON caom2.plane USING gist (position_bounds);
CREATE INDEX plane_position_bounds_circle_idx ON caom2.plane USING gist (position_bounds_circle);
CREATE INDEX plane_position_center_idx ON caom2.plane USING gist (position_center);

COMMENT ON TABLE caom2.plane IS
    'CAOM-2.4 Plane: one product of one observation (e.g. the raw of an exposure, the visit_image of a visit)';
COMMENT ON COLUMN caom2.plane.plane_id IS 'CaomEntity.id of the Plane';
COMMENT ON COLUMN caom2.plane.obs_id IS 'owning Observation';
COMMENT ON COLUMN caom2.plane.creator_id IS 'creatorID: IVOA publisher DID of the product (ivo://authority/path?productID)';
COMMENT ON COLUMN caom2.plane.meta_release IS 'metaRelease (UTC)';
COMMENT ON COLUMN caom2.plane.meta_read_groups IS 'metaReadGroups: group URIs';
COMMENT ON COLUMN caom2.plane.data_release IS 'dataRelease (UTC): when the data (artifacts) become public';
COMMENT ON COLUMN caom2.plane.data_read_groups IS 'dataReadGroups: group URIs';
COMMENT ON COLUMN caom2.plane.data_product_type IS 'dataProductType (open vocabulary: image, cube, spectrum, ...)';
COMMENT ON COLUMN caom2.plane.calibration_level IS 'calibrationLevel: -1 planned, 0 raw instrumental, 1 raw standard, 2 calibrated, 3 product, 4 analysis product';
COMMENT ON COLUMN caom2.plane.provenance_run_id IS 'Provenance.runID (for obsmeta: the Butler RUN collection)';
COMMENT ON COLUMN caom2.plane.provenance_reference IS 'Provenance.reference (URI)';
COMMENT ON COLUMN caom2.plane.provenance_last_executed IS 'Provenance.lastExecuted (UTC)';
COMMENT ON COLUMN caom2.plane.observable_ucd IS 'Observable.ucd: UCD of the observable quantity (e.g. phot.count)';
COMMENT ON COLUMN caom2.plane.metrics_source_number_density IS 'Metrics.sourceNumberDensity (sources per square degree)';
COMMENT ON COLUMN caom2.plane.metrics_background IS 'Metrics.background (Jy/pix)';
COMMENT ON COLUMN caom2.plane.metrics_background_stddev IS 'Metrics.backgroundStddev (Jy/pix)';
COMMENT ON COLUMN caom2.plane.metrics_flux_density_limit IS 'Metrics.fluxDensityLimit (Jy)';
COMMENT ON COLUMN caom2.plane.metrics_mag_limit IS 'Metrics.magLimit (AB mag)';
COMMENT ON COLUMN caom2.plane.metrics_sample_snr IS 'Metrics.sampleSNR';
COMMENT ON COLUMN caom2.plane.quality_flag IS 'DataQuality.flag (only value: junk)';
COMMENT ON COLUMN caom2.plane.position_bounds_points IS
    'Position.bounds when xsi:type=caom2:Polygon: the Polygon points, exact (degrees, ICRS). jsonb shape: [[cval1, cval2], ...] (>= 3, document order). NULL for circles.';
COMMENT ON COLUMN caom2.plane.position_bounds_samples IS
    'Position.bounds (Polygon) samples: the MultiPolygon vertices, exact. jsonb shape: [[cval1, cval2, type], ...] in document order; type is the SegmentType code as in CAOM-2.4 documents: 0 = CLOSE, 1 = LINE, 2 = MOVE. NULL for circles.';
COMMENT ON COLUMN caom2.plane.position_bounds_circle_center_cval1 IS 'Position.bounds when xsi:type=caom2:Circle: center.cval1 (degrees, exact)';
COMMENT ON COLUMN caom2.plane.position_bounds_circle_center_cval2 IS 'Position.bounds when xsi:type=caom2:Circle: center.cval2 (degrees, exact)';
COMMENT ON COLUMN caom2.plane.position_bounds_circle_radius IS 'Position.bounds when xsi:type=caom2:Circle: radius (degrees, exact)';
COMMENT ON COLUMN caom2.plane.position_bounds IS
    'DERIVED (query helper): the Polygon bounds points as a pg_sphere spoly; NULL for circles. Export uses position_bounds_points.';
COMMENT ON COLUMN caom2.plane.position_bounds_circle IS
    'DERIVED (query helper): the Circle bounds as a pg_sphere scircle; NULL for polygons. Export uses the position_bounds_circle_* doubles.';
COMMENT ON COLUMN caom2.plane.position_dimension_naxis1 IS 'Position.dimension.naxis1 (pixels)';
COMMENT ON COLUMN caom2.plane.position_dimension_naxis2 IS 'Position.dimension.naxis2 (pixels)';
COMMENT ON COLUMN caom2.plane.position_resolution IS 'Position.resolution (arcsec)';
COMMENT ON COLUMN caom2.plane.position_resolution_bounds_lower IS 'Position.resolutionBounds.lower (arcsec)';
COMMENT ON COLUMN caom2.plane.position_resolution_bounds_upper IS 'Position.resolutionBounds.upper (arcsec)';
COMMENT ON COLUMN caom2.plane.position_sample_size IS 'Position.sampleSize: pixel size (arcsec)';
COMMENT ON COLUMN caom2.plane.position_time_dependent IS 'Position.timeDependent';
COMMENT ON COLUMN caom2.plane.position_center IS
    'DERIVED by obsmeta for ObsCore/TAP (not CAOM-2.4): center of the bounds (spoint)';
COMMENT ON COLUMN caom2.plane.position_area_deg2 IS
    'DERIVED by obsmeta for ObsCore/TAP (not CAOM-2.4): area of the bounds (square degrees)';
COMMENT ON COLUMN caom2.plane.position_size_deg IS
    'DERIVED by obsmeta for ObsCore/TAP (not CAOM-2.4): diameter of the bounding circle (degrees), ObsCore s_fov';
COMMENT ON COLUMN caom2.plane.energy_bounds_lower IS 'Energy.bounds.lower: shortest wavelength (metres, barycentric)';
COMMENT ON COLUMN caom2.plane.energy_bounds_upper IS 'Energy.bounds.upper: longest wavelength (metres, barycentric)';
COMMENT ON COLUMN caom2.plane.energy_bounds_samples IS
    'Energy.bounds.samples (SampledInterval samples), wavelength in metres. jsonb shape: [[lower, upper], ...] in document order.';
COMMENT ON COLUMN caom2.plane.energy_dimension IS 'Energy.dimension: number of spectral pixels';
COMMENT ON COLUMN caom2.plane.energy_resolving_power IS 'Energy.resolvingPower (lambda / delta lambda)';
COMMENT ON COLUMN caom2.plane.energy_resolving_power_bounds_lower IS 'Energy.resolvingPowerBounds.lower';
COMMENT ON COLUMN caom2.plane.energy_resolving_power_bounds_upper IS 'Energy.resolvingPowerBounds.upper';
COMMENT ON COLUMN caom2.plane.energy_sample_size IS 'Energy.sampleSize: spectral pixel size (metres)';
COMMENT ON COLUMN caom2.plane.energy_bandpass_name IS 'Energy.bandpassName (e.g. the Rubin band or physical filter)';
COMMENT ON COLUMN caom2.plane.energy_energy_bands IS 'Energy.energyBands: EnergyBand values (Radio, Millimeter, Infrared, Optical, UV, EUV, X-ray, Gamma-ray)';
COMMENT ON COLUMN caom2.plane.energy_rest_wav IS 'Energy.restwav: rest wavelength of the target transition (metres)';
COMMENT ON COLUMN caom2.plane.energy_transition_species IS 'Energy.transition.species';
COMMENT ON COLUMN caom2.plane.energy_transition_transition IS 'Energy.transition.transition';
COMMENT ON COLUMN caom2.plane.time_bounds_lower IS 'Time.bounds.lower: start (MJD, UTC)';
COMMENT ON COLUMN caom2.plane.time_bounds_upper IS 'Time.bounds.upper: end (MJD, UTC)';
COMMENT ON COLUMN caom2.plane.time_bounds_samples IS
    'Time.bounds.samples (SampledInterval samples), MJD. jsonb shape: [[lower, upper], ...] in document order.';
COMMENT ON COLUMN caom2.plane.time_dimension IS 'Time.dimension: number of time samples';
COMMENT ON COLUMN caom2.plane.time_resolution IS 'Time.resolution (days)';
COMMENT ON COLUMN caom2.plane.time_resolution_bounds_lower IS 'Time.resolutionBounds.lower (days)';
COMMENT ON COLUMN caom2.plane.time_resolution_bounds_upper IS 'Time.resolutionBounds.upper (days)';
COMMENT ON COLUMN caom2.plane.time_sample_size IS 'Time.sampleSize (days)';
COMMENT ON COLUMN caom2.plane.time_exposure IS 'Time.exposure: effective exposure time (seconds)';
COMMENT ON COLUMN caom2.plane.polarization_states IS 'Polarization.states: PolarizationState values (I, Q, U, V, RR, ...)';
COMMENT ON COLUMN caom2.plane.polarization_dimension IS 'Polarization.dimension: number of polarization states';
COMMENT ON COLUMN caom2.plane.custom_ctype IS 'CustomAxis.ctype';
COMMENT ON COLUMN caom2.plane.custom_bounds_lower IS 'CustomAxis.bounds.lower (units of custom_ctype)';
COMMENT ON COLUMN caom2.plane.custom_bounds_upper IS 'CustomAxis.bounds.upper (units of custom_ctype)';
COMMENT ON COLUMN caom2.plane.custom_bounds_samples IS
    'CustomAxis.bounds.samples. jsonb shape: [[lower, upper], ...] in document order.';
COMMENT ON COLUMN caom2.plane.custom_dimension IS 'CustomAxis.dimension';
COMMENT ON COLUMN caom2.plane.max_last_modified IS 'max last_modified over the plane and its artifacts, parts and chunks';

---------------------------------------------------------------------------------------------------
-- Plane.provenance.inputs
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.provenance_input (
    plane_id   uuid NOT NULL REFERENCES caom2.plane (plane_id) ON DELETE CASCADE,
    input_uri  text NOT NULL CHECK (input_uri LIKE 'caom:%/%/%'),
    PRIMARY KEY (plane_id, input_uri)
);

CREATE INDEX provenance_input_input_uri_idx ON caom2.provenance_input (input_uri);

COMMENT ON TABLE caom2.provenance_input IS
    'CAOM-2.4 Plane.provenance.inputs: one row per input PlaneURI of a plane''s provenance';
COMMENT ON COLUMN caom2.provenance_input.input_uri IS 'input PlaneURI caom:{collection}/{observationID}/{productID}';

---------------------------------------------------------------------------------------------------
-- Artifact
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.artifact (
    artifact_id           uuid PRIMARY KEY,
    plane_id              uuid NOT NULL,  -- → caom2.plane; see 35_caom2_integrity.sql
    uri                   text NOT NULL,
    product_type          text NOT NULL,
    release_type          text NOT NULL CHECK (release_type IN ('data', 'meta')),
    content_release       timestamptz,
    content_read_groups   text[],
    content_type          text,
    content_length        bigint CHECK (content_length >= 0),
    content_checksum      text,
    -- CaomEntity
    last_modified         timestamptz NOT NULL DEFAULT now(),
    max_last_modified     timestamptz NOT NULL DEFAULT now(),
    meta_checksum         text,
    acc_meta_checksum     text,
    meta_producer         text,
    -- obsmeta extension (not CAOM-2.4)
    lsst_dataset_id       uuid,
    lsst_component        text,
    CONSTRAINT artifact_plane_id_uri_key UNIQUE (plane_id, uri)
);

-- artifact (plane_id) is covered by the unique index artifact_plane_id_uri_key.
CREATE INDEX artifact_lsst_dataset_id_idx ON caom2.artifact (lsst_dataset_id);

COMMENT ON TABLE caom2.artifact IS 'CAOM-2.4 Artifact: one file of a plane (for Rubin: one detector-level dataset file)';
COMMENT ON COLUMN caom2.artifact.artifact_id IS 'CaomEntity.id of the Artifact';
COMMENT ON COLUMN caom2.artifact.uri IS 'Artifact.uri: the file''s URI (from the configured template on the datastore path)';
COMMENT ON COLUMN caom2.artifact.product_type IS 'Artifact.productType (open vocabulary: science, calibration, auxiliary, preview, thumbnail, noise, weight, ...)';
COMMENT ON COLUMN caom2.artifact.release_type IS 'Artifact.releaseType: data (access governed by plane data_release) or meta (by meta_release)';
COMMENT ON COLUMN caom2.artifact.content_release IS 'Artifact.contentRelease (UTC): overrides the plane release for this file';
COMMENT ON COLUMN caom2.artifact.content_read_groups IS 'Artifact.contentReadGroups: group URIs';
COMMENT ON COLUMN caom2.artifact.content_type IS 'Artifact.contentType: MIME type';
COMMENT ON COLUMN caom2.artifact.content_length IS 'Artifact.contentLength (bytes)';
COMMENT ON COLUMN caom2.artifact.content_checksum IS 'Artifact.contentChecksum URI, e.g. md5:<hex>';
COMMENT ON COLUMN caom2.artifact.lsst_dataset_id IS 'obsmeta extension (not CAOM-2.4, not checksummed): the Butler dataset id (gen3.dataset.id) of the file';
COMMENT ON COLUMN caom2.artifact.lsst_component IS 'obsmeta extension (not CAOM-2.4, not checksummed): the datastore component of the file (gen3.file_datastore_record.component)';

---------------------------------------------------------------------------------------------------
-- Part
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.part (
    part_id             uuid PRIMARY KEY,
    artifact_id         uuid NOT NULL,  -- → caom2.artifact; see 35_caom2_integrity.sql
    name                text NOT NULL,
    product_type        text,
    -- CaomEntity
    last_modified       timestamptz NOT NULL DEFAULT now(),
    max_last_modified   timestamptz NOT NULL DEFAULT now(),
    meta_checksum       text,
    acc_meta_checksum   text,
    meta_producer       text,
    CONSTRAINT part_artifact_id_name_key UNIQUE (artifact_id, name)
);

-- part (artifact_id) is covered by the unique index part_artifact_id_name_key.

COMMENT ON TABLE caom2.part IS 'CAOM-2.4 Part: one part of an artifact (e.g. a FITS HDU; name is the HDU number or EXTNAME)';
COMMENT ON COLUMN caom2.part.part_id IS 'CaomEntity.id of the Part';
COMMENT ON COLUMN caom2.part.product_type IS 'Part.productType (open vocabulary, as Artifact.productType)';

---------------------------------------------------------------------------------------------------
-- Chunk (with its WCS)
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.chunk (
    chunk_id                                   uuid PRIMARY KEY,
    part_id                                    uuid NOT NULL,  -- → caom2.part; see 35_caom2_integrity.sql
    product_type                               text,
    naxis                                      integer,
    observable_axis                            integer,
    position_axis_1                            integer,
    position_axis_2                            integer,
    energy_axis                                integer,
    time_axis                                  integer,
    polarization_axis                          integer,
    custom_axis                                integer,
    -- observable: ObservableAxis
    observable_dependent_axis_ctype            text,
    observable_dependent_axis_cunit            text,
    observable_dependent_bin                   bigint,
    observable_independent_axis_ctype          text,
    observable_independent_axis_cunit          text,
    observable_independent_bin                 bigint,
    -- position: SpatialWCS (axis: CoordAxis2D)
    position_coordsys                          text,
    position_equinox                           double precision,
    position_resolution                        double precision,
    position_axis_axis1_ctype                  text,
    position_axis_axis1_cunit                  text,
    position_axis_axis2_ctype                  text,
    position_axis_axis2_cunit                  text,
    position_axis_error1_syser                 double precision,
    position_axis_error1_rnder                 double precision,
    position_axis_error2_syser                 double precision,
    position_axis_error2_rnder                 double precision,
    position_axis_range_start_coord1_pix       double precision,
    position_axis_range_start_coord1_val       double precision,
    position_axis_range_start_coord2_pix       double precision,
    position_axis_range_start_coord2_val       double precision,
    position_axis_range_end_coord1_pix         double precision,
    position_axis_range_end_coord1_val         double precision,
    position_axis_range_end_coord2_pix         double precision,
    position_axis_range_end_coord2_val         double precision,
    position_axis_bounds_circle_center_coord1  double precision,
    position_axis_bounds_circle_center_coord2  double precision,
    position_axis_bounds_circle_radius         double precision,
    position_axis_bounds_polygon               jsonb,
    position_axis_function_dimension_naxis1    bigint,
    position_axis_function_dimension_naxis2    bigint,
    position_axis_function_ref_coord_coord1_pix double precision,
    position_axis_function_ref_coord_coord1_val double precision,
    position_axis_function_ref_coord_coord2_pix double precision,
    position_axis_function_ref_coord_coord2_val double precision,
    position_axis_function_cd11                double precision,
    position_axis_function_cd12                double precision,
    position_axis_function_cd21                double precision,
    position_axis_function_cd22                double precision,
    -- energy: SpectralWCS (axis: CoordAxis1D)
    energy_axis_axis_ctype                     text,
    energy_axis_axis_cunit                     text,
    energy_axis_error_syser                    double precision,
    energy_axis_error_rnder                    double precision,
    energy_axis_range_start_pix                double precision,
    energy_axis_range_start_val                double precision,
    energy_axis_range_end_pix                  double precision,
    energy_axis_range_end_val                  double precision,
    energy_axis_bounds_samples                 jsonb,
    energy_axis_function_naxis                 bigint,
    energy_axis_function_delta                 double precision,
    energy_axis_function_ref_coord_pix         double precision,
    energy_axis_function_ref_coord_val         double precision,
    energy_specsys                             text,
    energy_ssysobs                             text,
    energy_ssyssrc                             text,
    energy_restfrq                             double precision,
    energy_restwav                             double precision,
    energy_velosys                             double precision,
    energy_zsource                             double precision,
    energy_velang                              double precision,
    energy_bandpass_name                       text,
    energy_resolving_power                     double precision,
    energy_transition_species                  text,
    energy_transition_transition               text,
    -- time: TemporalWCS (axis: CoordAxis1D)
    time_axis_axis_ctype                       text,
    time_axis_axis_cunit                       text,
    time_axis_error_syser                      double precision,
    time_axis_error_rnder                      double precision,
    time_axis_range_start_pix                  double precision,
    time_axis_range_start_val                  double precision,
    time_axis_range_end_pix                    double precision,
    time_axis_range_end_val                    double precision,
    time_axis_bounds_samples                   jsonb,
    time_axis_function_naxis                   bigint,
    time_axis_function_delta                   double precision,
    time_axis_function_ref_coord_pix           double precision,
    time_axis_function_ref_coord_val           double precision,
    time_timesys                               text,
    time_trefpos                               text,
    time_mjdref                                double precision,
    time_exposure                              double precision,
    time_resolution                            double precision,
    -- polarization: PolarizationWCS (axis: CoordAxis1D)
    polarization_axis_axis_ctype               text,
    polarization_axis_axis_cunit               text,
    polarization_axis_error_syser              double precision,
    polarization_axis_error_rnder              double precision,
    polarization_axis_range_start_pix          double precision,
    polarization_axis_range_start_val          double precision,
    polarization_axis_range_end_pix            double precision,
    polarization_axis_range_end_val            double precision,
    polarization_axis_bounds_samples           jsonb,
    polarization_axis_function_naxis           bigint,
    polarization_axis_function_delta           double precision,
    polarization_axis_function_ref_coord_pix   double precision,
    polarization_axis_function_ref_coord_val   double precision,
    -- custom: CustomWCS (axis: CoordAxis1D)
    custom_axis_axis_ctype                     text,
    custom_axis_axis_cunit                     text,
    custom_axis_error_syser                    double precision,
    custom_axis_error_rnder                    double precision,
    custom_axis_range_start_pix                double precision,
    custom_axis_range_start_val                double precision,
    custom_axis_range_end_pix                  double precision,
    custom_axis_range_end_val                  double precision,
    custom_axis_bounds_samples                 jsonb,
    custom_axis_function_naxis                 bigint,
    custom_axis_function_delta                 double precision,
    custom_axis_function_ref_coord_pix         double precision,
    custom_axis_function_ref_coord_val         double precision,
    -- CaomEntity
    last_modified                              timestamptz NOT NULL DEFAULT now(),
    max_last_modified                          timestamptz NOT NULL DEFAULT now(),
    meta_checksum                              text,
    acc_meta_checksum                          text,
    meta_producer                              text,
    -- obsmeta extension (not CAOM-2.4)
    lsst_detector                              integer,
    footprint                                  spoly,
    CONSTRAINT chunk_position_bounds_one_shape CHECK (
        position_axis_bounds_polygon IS NULL OR position_axis_bounds_circle_radius IS NULL)
);

CREATE INDEX chunk_part_id_idx ON caom2.chunk (part_id);

COMMENT ON TABLE caom2.chunk IS
    'CAOM-2.4 Chunk: the WCS of (a subset of) a part; for Rubin one chunk per detector image, carrying its position WCS';
COMMENT ON COLUMN caom2.chunk.chunk_id IS 'CaomEntity.id of the Chunk';
COMMENT ON COLUMN caom2.chunk.naxis IS 'Chunk.naxis: number of axes of the data array';
COMMENT ON COLUMN caom2.chunk.observable_axis IS 'Chunk.observableAxis: 1-based index of the observable axis in the data array';
COMMENT ON COLUMN caom2.chunk.position_axis_1 IS 'Chunk.positionAxis1: 1-based index of the first spatial axis';
COMMENT ON COLUMN caom2.chunk.position_axis_2 IS 'Chunk.positionAxis2: 1-based index of the second spatial axis';
COMMENT ON COLUMN caom2.chunk.energy_axis IS 'Chunk.energyAxis: 1-based index of the spectral axis (the SpectralWCS is in energy_axis_axis_* etc.)';
COMMENT ON COLUMN caom2.chunk.time_axis IS 'Chunk.timeAxis: 1-based index of the time axis';
COMMENT ON COLUMN caom2.chunk.polarization_axis IS 'Chunk.polarizationAxis: 1-based index of the polarization axis';
COMMENT ON COLUMN caom2.chunk.custom_axis IS 'Chunk.customAxis: 1-based index of the custom axis';
COMMENT ON COLUMN caom2.chunk.observable_dependent_bin IS 'ObservableAxis.dependent.bin (pixel index)';
COMMENT ON COLUMN caom2.chunk.observable_independent_bin IS 'ObservableAxis.independent.bin (pixel index)';
COMMENT ON COLUMN caom2.chunk.position_equinox IS 'SpatialWCS.equinox (Julian years)';
COMMENT ON COLUMN caom2.chunk.position_resolution IS 'SpatialWCS.resolution (arcsec)';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_circle_center_coord1 IS
    'SpatialWCS.axis.bounds when it is a CoordCircle2D: center.coord1 (world coordinates, exact)';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_circle_center_coord2 IS
    'SpatialWCS.axis.bounds when it is a CoordCircle2D: center.coord2';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_circle_radius IS
    'SpatialWCS.axis.bounds when it is a CoordCircle2D: radius';
COMMENT ON COLUMN caom2.chunk.position_axis_bounds_polygon IS
    'SpatialWCS.axis.bounds when it is a CoordPolygon2D: the vertices (ValueCoord2D). jsonb shape: [[coord1, coord2], ...] (>= 3, document order).';
COMMENT ON COLUMN caom2.chunk.position_axis_function_dimension_naxis1 IS 'CoordFunction2D.dimension.naxis1 (pixels)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_dimension_naxis2 IS 'CoordFunction2D.dimension.naxis2 (pixels)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord1_pix IS 'CoordFunction2D.refCoord.coord1.pix (CRPIX1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord1_val IS 'CoordFunction2D.refCoord.coord1.val (CRVAL1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord2_pix IS 'CoordFunction2D.refCoord.coord2.pix (CRPIX2)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_ref_coord_coord2_val IS 'CoordFunction2D.refCoord.coord2.val (CRVAL2)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd11 IS 'CoordFunction2D.cd11 (CD1_1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd12 IS 'CoordFunction2D.cd12 (CD1_2)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd21 IS 'CoordFunction2D.cd21 (CD2_1)';
COMMENT ON COLUMN caom2.chunk.position_axis_function_cd22 IS 'CoordFunction2D.cd22 (CD2_2)';
COMMENT ON COLUMN caom2.chunk.energy_axis_bounds_samples IS
    'SpectralWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.energy_specsys IS 'SpectralWCS.specsys (FITS SPECSYS)';
COMMENT ON COLUMN caom2.chunk.energy_restfrq IS 'SpectralWCS.restfrq (Hz)';
COMMENT ON COLUMN caom2.chunk.energy_restwav IS 'SpectralWCS.restwav (metres)';
COMMENT ON COLUMN caom2.chunk.energy_velosys IS 'SpectralWCS.velosys (m/s)';
COMMENT ON COLUMN caom2.chunk.energy_velang IS 'SpectralWCS.velang (degrees)';
COMMENT ON COLUMN caom2.chunk.time_axis_bounds_samples IS
    'TemporalWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.time_mjdref IS 'TemporalWCS.mjdref (MJD)';
COMMENT ON COLUMN caom2.chunk.time_exposure IS 'TemporalWCS.exposure (seconds)';
COMMENT ON COLUMN caom2.chunk.time_resolution IS 'TemporalWCS.resolution (seconds)';
COMMENT ON COLUMN caom2.chunk.polarization_axis_bounds_samples IS
    'PolarizationWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.custom_axis_bounds_samples IS
    'CustomWCS.axis.bounds.samples (CoordRange1D list). jsonb shape: [[start_pix, start_val, end_pix, end_val], ...] in document order.';
COMMENT ON COLUMN caom2.chunk.lsst_detector IS 'obsmeta extension (not CAOM-2.4, not checksummed): the Butler detector id of this image';
COMMENT ON COLUMN caom2.chunk.footprint IS
    'obsmeta extension (not CAOM-2.4, not checksummed): the detector''s sky footprint (from the Butler region) as a pg_sphere spoly';

---------------------------------------------------------------------------------------------------
-- Deleted observations (tombstones)
---------------------------------------------------------------------------------------------------
CREATE TABLE caom2.deleted_observation (
    id              uuid PRIMARY KEY,
    collection      text NOT NULL,
    observation_id  text NOT NULL,
    last_modified   timestamptz NOT NULL DEFAULT now(),
    meta_checksum   text
);

CREATE INDEX deleted_observation_last_modified_idx ON caom2.deleted_observation (last_modified, id);

COMMENT ON TABLE caom2.deleted_observation IS
    'Tombstones of deleted CAOM-2.4 observations (CAOM DeletedObservation), for harvesters: poll by (last_modified, id)';
COMMENT ON COLUMN caom2.deleted_observation.id IS 'obs_id of the deleted observation';
COMMENT ON COLUMN caom2.deleted_observation.last_modified IS 'when the observation was deleted';
COMMENT ON COLUMN caom2.deleted_observation.meta_checksum IS 'metaChecksum of the observation when it was deleted';
-- obsmeta install script, part 35: integrity of artifact → plane, part → artifact, chunk → part.
-- These three links are not foreign keys: obsmeta writes thousands of artifacts, parts and chunks
-- per conversion, and the per-row foreign-key checks (a locking lookup of the parent for each row)
-- were two thirds of their insert cost. obsmeta is the only writer and creates parents first;
-- deletes cascade set-based through the statement triggers below, and obsmeta.verify_caom2()
-- reports any orphan (the tests call it after every scenario).

CREATE FUNCTION caom2.cascade_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    CASE TG_TABLE_NAME
        WHEN 'plane' THEN
            DELETE FROM caom2.artifact a USING old_rows o WHERE a.plane_id = o.plane_id;
        WHEN 'artifact' THEN
            DELETE FROM caom2.part p USING old_rows o WHERE p.artifact_id = o.artifact_id;
        WHEN 'part' THEN
            DELETE FROM caom2.chunk c USING old_rows o WHERE c.part_id = o.part_id;
    END CASE;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION caom2.cascade_delete() IS 'Deletes the artifacts, parts or chunks of deleted planes, artifacts or parts';

CREATE TRIGGER cascade_delete AFTER DELETE ON caom2.plane
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION caom2.cascade_delete();
CREATE TRIGGER cascade_delete AFTER DELETE ON caom2.artifact
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION caom2.cascade_delete();
CREATE TRIGGER cascade_delete AFTER DELETE ON caom2.part
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION caom2.cascade_delete();
-- obsmeta install script, part 40: the gen3 → CAOM2 conversion (C++: src/gen3_to_caom2).

-- Which plane each mirrored dataset became; lets a deleted dataset find its plane.
CREATE TABLE obsmeta.dataset_plane (
    dataset_id uuid PRIMARY KEY,
    plane_id   uuid NOT NULL,
    obs_id     uuid NOT NULL
);
CREATE INDEX dataset_plane_plane_idx ON obsmeta.dataset_plane (plane_id, dataset_id);
CREATE INDEX dataset_plane_obs_idx ON obsmeta.dataset_plane (obs_id);
COMMENT ON TABLE obsmeta.dataset_plane IS 'The CAOM2 plane (and observation) each converted gen3 dataset belongs to';

-- The observation a dataset belongs to, by its type's observation level.
CREATE FUNCTION obsmeta.dataset_obs_id(d gen3.dataset, t obsmeta.dataset_type_config) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE t.observation_level
             WHEN 'exposure' THEN obsmeta.exposure_obs_id(d.instrument, d.exposure)
             WHEN 'visit' THEN obsmeta.visit_obs_id(d.instrument, d.visit)
             WHEN 'coadd' THEN obsmeta.coadd_obs_id(d.skymap, d.tract, d.patch, d.band)
           END $$;

CREATE FUNCTION obsmeta.convert() RETURNS bigint
    AS 'MODULE_PATHNAME', 'obsmeta_convert' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION obsmeta.convert() IS
  'Converts the gen3 rows written so far in this transaction to CAOM2 now (otherwise it happens at commit); returns the number of CAOM2 rows written';

CREATE FUNCTION obsmeta.gen3_capture() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_gen3_capture' LANGUAGE C;
CREATE FUNCTION obsmeta.config_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_config_changed' LANGUAGE C;

-- One statement-level trigger per event and mirror table (PostgreSQL allows transition tables
-- only on single-event triggers). ENABLE ALWAYS: they fire for logical replication too.
DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['exposure', 'visit', 'physical_filter', 'visit_definition',
                             'visit_detector_region', 'dataset', 'file_datastore_record'] LOOP
        EXECUTE format('CREATE TRIGGER obsmeta_capture_insert AFTER INSERT ON gen3.%I
                          REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture()', t);
        EXECUTE format('CREATE TRIGGER obsmeta_capture_update AFTER UPDATE ON gen3.%I
                          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture()', t);
        EXECUTE format('CREATE TRIGGER obsmeta_capture_delete AFTER DELETE ON gen3.%I
                          REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture()', t);
        EXECUTE format('ALTER TABLE gen3.%I ENABLE ALWAYS TRIGGER obsmeta_capture_insert,
                          ENABLE ALWAYS TRIGGER obsmeta_capture_update, ENABLE ALWAYS TRIGGER obsmeta_capture_delete', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['instrument_config', 'dataset_type_config'] LOOP
        EXECUTE format('CREATE TRIGGER obsmeta_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obsmeta.%I
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.config_changed()', t);
    END LOOP;
END
$triggers$;

CREATE FUNCTION obsmeta.reconvert(instrument text DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME', 'obsmeta_reconvert' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION obsmeta.reconvert(text) IS
  'Converts every gen3 row of the instrument (NULL: of all) again, e.g. after a configuration change; writes only what differs';
REVOKE EXECUTE ON FUNCTION obsmeta.reconvert(text) FROM PUBLIC;
-- obsmeta install script, part 45: who may see an observation's rows (embargo), and holds.
--
-- Staff, writers and superusers see everything at once; everyone else sees an observation when
-- its meta_release has passed and no hold is on it. Release happens by time alone: the
-- row-level-security predicates (75_embargo_rls.sql, 60_efd.sql) compare release times with now().
-- Holds are kept here (obsmeta.embargo_hold, one row per held observation) and every hold and
-- release is logged in obsmeta.embargo_log; obsmeta.hold() / obsmeta.release_hold() are in
-- 75_embargo_rls.sql.

DO $roles$
BEGIN
  -- NOLOGIN group role of the people allowed to hold observations back and release them.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'obsmeta_embargo_officer') THEN
    CREATE ROLE obsmeta_embargo_officer NOLOGIN;
  END IF;
END
$roles$;

-- Active holds: an observation listed here is hidden from readers whatever its release date. A
-- hold may name an observation that does not exist yet (its id is deterministic, e.g.
-- obsmeta.exposure_obs_id('LSSTCam', 2025120100123)): it applies as soon as the rows arrive.
CREATE TABLE obsmeta.embargo_hold (
    obs_id          uuid PRIMARY KEY,
    collection      text,
    observation_id  text,
    reason          text NOT NULL,
    held_by         text NOT NULL,
    held_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE obsmeta.embargo_hold IS
  'Observations held back past their release date (one row per active hold); written by obsmeta.hold() / obsmeta.release_hold()';

-- The audit log: who, when, why. Rows are only ever appended (by the hold functions).
CREATE TABLE obsmeta.embargo_log (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    action          text NOT NULL CHECK (action IN ('hold', 'release')),
    obs_id          uuid NOT NULL,
    collection      text,
    observation_id  text,
    reason          text,
    done_by         text NOT NULL,
    session_user_name text NOT NULL,
    done_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX embargo_log_obs_id_idx ON obsmeta.embargo_log (obs_id, done_at);
COMMENT ON TABLE obsmeta.embargo_log IS
  'Audit log of embargo holds and releases: action, observation, reason, the role that did it (done_by: the SET ROLE role or the login) and the login (session_user_name), when';

SELECT pg_catalog.pg_extension_config_dump('obsmeta.embargo_hold', '');
SELECT pg_catalog.pg_extension_config_dump('obsmeta.embargo_log', '');
SELECT pg_catalog.pg_extension_config_dump('obsmeta.embargo_log_id_seq', '');

-- true for superusers and members of obsmeta_staff / obsmeta_writer (evaluated as current_user).
-- Policies call it as (SELECT obsmeta.sees_everything()) so that it runs once per query.
CREATE FUNCTION obsmeta.sees_everything() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.pg_has_role(current_user, 'obsmeta_staff', 'MEMBER')
        OR pg_catalog.pg_has_role(current_user, 'obsmeta_writer', 'MEMBER')
        OR coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) $$;
COMMENT ON FUNCTION obsmeta.sees_everything() IS
  'true when the current role sees embargoed rows: superusers and members of obsmeta_staff or obsmeta_writer';

-- true when the observation exists, its meta_release has passed and no hold is on it. It reads
-- as its owner, so row-level security policies of the caom2 tables can use it without recursion;
-- it answers true only for what a reader may see anyway (an embargoed, held or missing
-- observation all answer false), so calling it reveals nothing.
CREATE FUNCTION obsmeta.observation_public(obs_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.observation o
                    WHERE o.obs_id = $1 AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = $1)) $$;
ALTER FUNCTION obsmeta.observation_public(uuid) COST 50;
COMMENT ON FUNCTION obsmeta.observation_public(uuid) IS
  'true when the observation is public: it exists, its meta_release has passed and no hold is on it';

-- The predicate of the per-observation policies (EFD reductions, rubin tables, caom2 children).
CREATE FUNCTION obsmeta.observation_visible(obs_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT obsmeta.sees_everything() OR obsmeta.observation_public($1) $$;
COMMENT ON FUNCTION obsmeta.observation_visible(uuid) IS
  'true when the current role may see rows of this observation: staff/writers/superusers always, others once it is public (released, not held)';
-- obsmeta install script, part 46: releases of processing results (Prompt Processing, Data Releases).
--
-- Every row of the rubin result tables (47_rubin_results.sql) names the release that produced it.
-- 'prompt' (Prompt Processing, within hours of the observation) exists by default; each Data
-- Release (dp1, dr1, dr2, ...) is registered before its results are loaded.
--
-- Which release is "current" for an image (doc/rubin_results.md):
--   among the releases that have a value for that image and are not retracted, the one with the
--   highest precedence wins. Precedence: prompt lowest; Data Releases (and previews) ordered by
--   public_date, a release without a public_date (loaded, not yet scheduled) above all dated ones;
--   ties by created_at, then name. The views rubin.*_current apply this rule to the rows the caller
--   may see (staff: every release, including loaded-but-unpublished ones; readers: public releases
--   only); CAOM2 carries the rule applied to the public releases only (48_rubin_into_caom2.sql).
-- Who sees a release's rows (row-level security, 47_rubin_results.sql):
--   prompt: with the image (its observation's embargo and holds);
--   a Data Release: once its public_date has passed, and the image itself is public;
--   a retracted release: staff and writers only.

DO $roles$
BEGIN
  -- NOLOGIN group role of the people who register, publish and retract releases.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'obsmeta_release_manager') THEN
    CREATE ROLE obsmeta_release_manager NOLOGIN;
  END IF;
END
$roles$;

CREATE TABLE obsmeta.release (
    name              text PRIMARY KEY,
    kind              text NOT NULL,
    public_date       timestamptz,
    retracted_at      timestamptz,
    retracted         boolean GENERATED ALWAYS AS (retracted_at IS NOT NULL) STORED,
    retraction_reason text,
    description       text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- the order of "current best": prompt lowest, then Data Releases by public date (unscheduled last)
    precedence        timestamptz GENERATED ALWAYS AS (
                          CASE WHEN kind = 'prompt' THEN '-infinity'::timestamptz
                               ELSE coalesce(public_date, 'infinity'::timestamptz) END) STORED,
    -- when CAOM2 last took this release's values as public (NULL: not yet); see obsmeta.apply_releases()
    caom2_applied_at  timestamptz,
    CONSTRAINT release_name_format CHECK (name ~ '^[a-z][a-z0-9_.-]{0,62}$'),
    CONSTRAINT release_kind CHECK (kind IN ('prompt', 'data_preview', 'data_release')),
    CONSTRAINT release_prompt_has_no_date CHECK (kind <> 'prompt' OR public_date IS NULL),
    CONSTRAINT release_public_date_finite CHECK (public_date IS NULL OR (public_date > '-infinity' AND public_date < 'infinity'))
);
-- One prompt release: Prompt Processing revises its own rows in place (ON CONFLICT DO UPDATE).
CREATE UNIQUE INDEX release_one_prompt ON obsmeta.release (kind) WHERE kind = 'prompt';

COMMENT ON TABLE obsmeta.release IS
  'Releases of image-processing results: prompt (Prompt Processing) and the Data Releases; rubin result rows name one';
COMMENT ON COLUMN obsmeta.release.name IS 'Release name used in the rubin result tables, e.g. prompt, dp1, dr1 (lower case)';
COMMENT ON COLUMN obsmeta.release.kind IS 'prompt | data_preview | data_release';
COMMENT ON COLUMN obsmeta.release.public_date IS
  'When a Data Release becomes public (UTC); NULL: not scheduled yet. Always NULL for prompt: its rows are public with their image (embargo)';
COMMENT ON COLUMN obsmeta.release.retracted_at IS 'When the release was retracted (NULL: not retracted); its rows stay, for staff';
COMMENT ON COLUMN obsmeta.release.retracted IS 'true when retracted (retracted_at is set)';
COMMENT ON COLUMN obsmeta.release.precedence IS
  'Order of "current best" (higher wins): -infinity for prompt, public_date for a Data Release, infinity while unscheduled; ties by created_at, name';
COMMENT ON COLUMN obsmeta.release.caom2_applied_at IS
  'When CAOM2 last took this release''s values as public (set by the apply; NULL if never)';

INSERT INTO obsmeta.release (name, kind, description)
VALUES ('prompt', 'prompt', 'Prompt Processing: per-visit and per-detector results within hours of the observation');

SELECT pg_catalog.pg_extension_config_dump('obsmeta.release', '');

-- pg_dump keeps every release row; on restore CREATE EXTENSION has already inserted 'prompt', so
-- an inserted prompt row replaces that row's values instead of colliding with it. (Any other
-- existing name collides: registering dr1 twice is an error, not a silent change of its date.)
CREATE FUNCTION obsmeta.release_replace_row() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE obsmeta.release r
       SET kind = NEW.kind, public_date = NEW.public_date, retracted_at = NEW.retracted_at,
           retraction_reason = NEW.retraction_reason, description = NEW.description, created_at = NEW.created_at,
           caom2_applied_at = NEW.caom2_applied_at
     WHERE r.name = NEW.name;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER release_replace_row BEFORE INSERT ON obsmeta.release
    FOR EACH ROW WHEN (NEW.kind = 'prompt') EXECUTE FUNCTION obsmeta.release_replace_row();

-- The releases whose rows a reader may see now (not retracted; prompt, or public_date passed).
-- Policies call it as (SELECT obsmeta.visible_releases()): once per query.
CREATE FUNCTION obsmeta.visible_releases() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(r.name ORDER BY r.name), '{}')
      FROM obsmeta.release r
     WHERE r.retracted_at IS NULL AND (r.kind = 'prompt' OR r.public_date <= now()) $$;
COMMENT ON FUNCTION obsmeta.visible_releases() IS
  'Names of the releases whose rows readers may see now: not retracted, and prompt or past their public_date';

GRANT SELECT ON obsmeta.release TO obsmeta_reader, obsmeta_staff, obsmeta_writer, obsmeta_release_manager;
GRANT INSERT, UPDATE, DELETE ON obsmeta.release TO obsmeta_release_manager;
GRANT USAGE ON SCHEMA obsmeta, caom2 TO obsmeta_release_manager;
-- obsmeta install script, part 47: Rubin image-processing results (schema rubin).
--
-- What the observatory's Exposure and Visit tables held beyond CAOM2 — achieved image quality,
-- astrometric solutions, photometric zero points — as tables joinable to CAOM2, one row per
-- (instrument, visit[, detector], release). Column names, units and descriptions follow Rubin's
-- consolidated database (sdm_schemas cdb_lsstcam: ccdvisit1_quicklook, visit1_quicklook, exposure).
-- Prompt Processing writes its rows tagged 'prompt' with plain SQL (INSERT ... ON CONFLICT DO
-- UPDATE revises them); a Data Release bulk-loads its rows (COPY) tagged with its name. Every
-- release's rows stay: rubin.*_current pick the current best (46_releases.sql), CAOM2 carries the
-- public current best (48_rubin_into_caom2.sql).
--
-- Input checks: every measured value must be finite and in range (obsmeta.check_measurement,
-- 22003, naming column, range, unit and value; NULL means "not measured"); the WCS is all or
-- nothing; the release must be registered and not retracted; the instrument configured; the
-- detector known (statement trigger rubin_check_*, 23503 / 55000). Results for a visit that is not
-- mirrored or converted yet are accepted and kept: they reach CAOM2 when its plane appears.

-- true for NULL or a finite value in [low, high] (NULL bounds: unbounded); otherwise 22003 naming
-- the column, the range with its unit and the value (C++: src/rubin_results/checks.cpp).
CREATE FUNCTION obsmeta.check_measurement(name text, value double precision, low double precision,
                                          high double precision, unit text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_measurement' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.check_measurement(text, double precision, double precision, double precision, text) IS
  'CHECK helper: true for NULL or a finite value in [low, high]; otherwise an error naming column, range, unit and value';

CREATE SCHEMA rubin;
COMMENT ON SCHEMA rubin IS
  'Rubin extension tables joinable to CAOM2: image-processing results per visit and detector and release, exposure/visit content';
GRANT USAGE ON SCHEMA rubin TO obsmeta_writer, obsmeta_staff, obsmeta_reader, obsmeta_release_manager;

---------------------------------------------------------------------------------------------------
-- Results per detector and visit (consdb ccdvisit1_quicklook + the astrometric solution)
---------------------------------------------------------------------------------------------------
CREATE TABLE rubin.detector_visit_result (
    instrument                   text NOT NULL,
    visit                        bigint NOT NULL,
    detector                     integer NOT NULL,
    release                      text NOT NULL,
    s_ra                         double precision CHECK (obsmeta.check_measurement('s_ra', s_ra, 0, 360, 'deg')),
    s_dec                        double precision CHECK (obsmeta.check_measurement('s_dec', s_dec, -90, 90, 'deg')),
    zenith_distance              double precision CHECK (obsmeta.check_measurement('zenith_distance', zenith_distance, 0, 180, 'deg')),
    photometric_calib            double precision CHECK (obsmeta.check_measurement('photometric_calib', photometric_calib, 0, NULL, 'nJy/count')),
    psf_sigma                    double precision CHECK (obsmeta.check_measurement('psf_sigma', psf_sigma, 0, NULL, 'pixel')),
    psf_area                     double precision CHECK (obsmeta.check_measurement('psf_area', psf_area, 0, NULL, 'pixel**2')),
    psf_ixx                      double precision CHECK (obsmeta.check_measurement('psf_ixx', psf_ixx, 0, NULL, 'pixel**2')),
    psf_ixy                      double precision CHECK (obsmeta.check_measurement('psf_ixy', psf_ixy, NULL, NULL, 'pixel**2')),
    psf_iyy                      double precision CHECK (obsmeta.check_measurement('psf_iyy', psf_iyy, 0, NULL, 'pixel**2')),
    pixel_scale                  double precision CHECK (obsmeta.check_measurement('pixel_scale', pixel_scale, 0, NULL, 'arcsec/pixel')),
    sky_bg                       double precision CHECK (obsmeta.check_measurement('sky_bg', sky_bg, NULL, NULL, 'count')),
    sky_noise                    double precision CHECK (obsmeta.check_measurement('sky_noise', sky_noise, 0, NULL, 'count')),
    zero_point                   double precision CHECK (obsmeta.check_measurement('zero_point', zero_point, NULL, NULL, 'mag')),
    stats_mag_lim                double precision CHECK (obsmeta.check_measurement('stats_mag_lim', stats_mag_lim, NULL, NULL, 'mag')),
    eff_time                     double precision CHECK (obsmeta.check_measurement('eff_time', eff_time, 0, NULL, 's')),
    eff_time_psf_sigma_scale     double precision CHECK (obsmeta.check_measurement('eff_time_psf_sigma_scale', eff_time_psf_sigma_scale, 0, NULL, '')),
    eff_time_sky_bg_scale        double precision CHECK (obsmeta.check_measurement('eff_time_sky_bg_scale', eff_time_sky_bg_scale, 0, NULL, '')),
    eff_time_zero_point_scale    double precision CHECK (obsmeta.check_measurement('eff_time_zero_point_scale', eff_time_zero_point_scale, 0, NULL, '')),
    mean_var                     double precision CHECK (obsmeta.check_measurement('mean_var', mean_var, 0, NULL, 'count**2')),
    astrom_offset_mean           double precision CHECK (obsmeta.check_measurement('astrom_offset_mean', astrom_offset_mean, 0, NULL, 'arcsec')),
    astrom_offset_std            double precision CHECK (obsmeta.check_measurement('astrom_offset_std', astrom_offset_std, 0, NULL, 'arcsec')),
    n_psf_star                   integer CHECK (obsmeta.check_nonnegative('n_psf_star', n_psf_star::bigint)),
    n_astrom_star                integer CHECK (obsmeta.check_nonnegative('n_astrom_star', n_astrom_star::bigint)),
    low_snr_source_count         integer CHECK (obsmeta.check_nonnegative('low_snr_source_count', low_snr_source_count::bigint)),
    high_snr_source_count        integer CHECK (obsmeta.check_nonnegative('high_snr_source_count', high_snr_source_count::bigint)),
    psf_star_delta_e1_median     double precision CHECK (obsmeta.check_measurement('psf_star_delta_e1_median', psf_star_delta_e1_median, NULL, NULL, '')),
    psf_star_delta_e2_median     double precision CHECK (obsmeta.check_measurement('psf_star_delta_e2_median', psf_star_delta_e2_median, NULL, NULL, '')),
    wcs_ctype1                   text NOT NULL DEFAULT 'RA---TAN',
    wcs_ctype2                   text NOT NULL DEFAULT 'DEC--TAN',
    wcs_naxis1                   integer CHECK (obsmeta.check_nonnegative('wcs_naxis1', wcs_naxis1::bigint) AND obsmeta.check_measurement('wcs_naxis1', wcs_naxis1, 1, NULL, 'pixel')),
    wcs_naxis2                   integer CHECK (obsmeta.check_nonnegative('wcs_naxis2', wcs_naxis2::bigint) AND obsmeta.check_measurement('wcs_naxis2', wcs_naxis2, 1, NULL, 'pixel')),
    wcs_crpix1                   double precision CHECK (obsmeta.check_measurement('wcs_crpix1', wcs_crpix1, NULL, NULL, 'pixel')),
    wcs_crpix2                   double precision CHECK (obsmeta.check_measurement('wcs_crpix2', wcs_crpix2, NULL, NULL, 'pixel')),
    wcs_crval1                   double precision CHECK (obsmeta.check_measurement('wcs_crval1', wcs_crval1, 0, 360, 'deg')),
    wcs_crval2                   double precision CHECK (obsmeta.check_measurement('wcs_crval2', wcs_crval2, -90, 90, 'deg')),
    wcs_cd1_1                    double precision CHECK (obsmeta.check_measurement('wcs_cd1_1', wcs_cd1_1, NULL, NULL, 'deg/pixel')),
    wcs_cd1_2                    double precision CHECK (obsmeta.check_measurement('wcs_cd1_2', wcs_cd1_2, NULL, NULL, 'deg/pixel')),
    wcs_cd2_1                    double precision CHECK (obsmeta.check_measurement('wcs_cd2_1', wcs_cd2_1, NULL, NULL, 'deg/pixel')),
    wcs_cd2_2                    double precision CHECK (obsmeta.check_measurement('wcs_cd2_2', wcs_cd2_2, NULL, NULL, 'deg/pixel')),
    run                          text,
    loaded_at                    timestamptz NOT NULL DEFAULT now(),
    -- derived (stored): FWHM and ellipticity of the PSF, the CAOM2 keys
    psf_fwhm                     double precision GENERATED ALWAYS AS (
        2.3548200450309493 * psf_sigma
        * coalesce(pixel_scale, 3600.0 * sqrt(abs(wcs_cd1_1 * wcs_cd2_2 - wcs_cd1_2 * wcs_cd2_1)))) STORED,
    psf_e1                       double precision GENERATED ALWAYS AS ((psf_ixx - psf_iyy) / nullif(psf_ixx + psf_iyy, 0)) STORED,
    psf_e2                       double precision GENERATED ALWAYS AS (2.0 * psf_ixy / nullif(psf_ixx + psf_iyy, 0)) STORED,
    psf_e                        double precision GENERATED ALWAYS AS (
        sqrt((psf_ixx - psf_iyy) ^ 2 + 4.0 * psf_ixy ^ 2) / nullif(psf_ixx + psf_iyy, 0)) STORED,
    obs_id                       uuid GENERATED ALWAYS AS (obsmeta.visit_obs_id(instrument, visit)) STORED,
    plane_id                     uuid GENERATED ALWAYS AS (
        obsmeta.plane_id(obsmeta.visit_obs_id(instrument, visit), 'visit_image')) STORED,
    PRIMARY KEY (instrument, visit, detector, release),
    CONSTRAINT detector_visit_result_wcs_complete CHECK (
        num_nulls(wcs_naxis1, wcs_naxis2, wcs_crpix1, wcs_crpix2, wcs_crval1, wcs_crval2,
                  wcs_cd1_1, wcs_cd1_2, wcs_cd2_1, wcs_cd2_2) IN (0, 10)),
    CONSTRAINT detector_visit_result_wcs_invertible CHECK (
        wcs_cd1_1 IS NULL OR wcs_cd1_1 * wcs_cd2_2 - wcs_cd1_2 * wcs_cd2_1 <> 0),
    CONSTRAINT detector_visit_result_wcs_ctype CHECK (
        wcs_ctype1 ~ '^RA--' AND wcs_ctype2 ~ '^DEC-' AND length(wcs_ctype1) = 8 AND length(wcs_ctype2) = 8)
);
CREATE INDEX detector_visit_result_plane_idx ON rubin.detector_visit_result (plane_id, detector);
CREATE INDEX detector_visit_result_release_idx ON rubin.detector_visit_result (release);

COMMENT ON TABLE rubin.detector_visit_result IS
  'Image-processing results per detector, visit and release (consdb ccdvisit1_quicklook columns, plus the astrometric solution); written by Prompt Processing (release prompt) and Data Releases';
COMMENT ON COLUMN rubin.detector_visit_result.instrument IS 'Instrument name (gen3.instrument.name), e.g. LSSTCam';
COMMENT ON COLUMN rubin.detector_visit_result.visit IS 'Identifier of the visit (gen3.visit.id)';
COMMENT ON COLUMN rubin.detector_visit_result.detector IS 'Number of the detector in the focal plane (gen3.detector.id)';
COMMENT ON COLUMN rubin.detector_visit_result.release IS 'Release that produced the values (obsmeta.release.name): prompt, dp1, dr1, ...';
COMMENT ON COLUMN rubin.detector_visit_result.s_ra IS 'Central Spatial Position in ICRS; computed right ascension of the detector center. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.s_dec IS 'Central Spatial Position in ICRS; computed declination of the detector center. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.zenith_distance IS 'Zenith distance at observation mid-point. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.photometric_calib IS 'Conversion from DN to nanojansky. [nJy/count]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_sigma IS 'PSF model second-moments determinant radius (center of chip). [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_area IS 'PSF area. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_ixx IS 'PSF Ixx moment. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_ixy IS 'PSF Ixy moment. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_iyy IS 'PSF Iyy moment. [pixel**2]';
COMMENT ON COLUMN rubin.detector_visit_result.pixel_scale IS 'Measured detector pixel scale. [arcsec/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.sky_bg IS 'Average sky background. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.sky_noise IS 'RMS noise of the sky background. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.zero_point IS 'Photometric zero point: AB magnitude of a source giving one count (DN) in the image. [mag]';
COMMENT ON COLUMN rubin.detector_visit_result.stats_mag_lim IS 'Magnitude limit at fixed SNR (default SNR=5) calculated from exposure summary stats (AB). [mag]';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time IS 'Effective exposure time calculated from PSF sigma, sky background, and zero point. [s]';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time_psf_sigma_scale IS 'Scale factor for effective exposure time based on PSF sigma.';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time_sky_bg_scale IS 'Scale factor for effective exposure time based on sky background.';
COMMENT ON COLUMN rubin.detector_visit_result.eff_time_zero_point_scale IS 'Scale factor for effective exposure time based on zero point.';
COMMENT ON COLUMN rubin.detector_visit_result.mean_var IS 'Mean of the variance plane. [count**2]';
COMMENT ON COLUMN rubin.detector_visit_result.astrom_offset_mean IS 'Mean offset of astrometric calibration matches. [arcsec]';
COMMENT ON COLUMN rubin.detector_visit_result.astrom_offset_std IS 'Standard deviation of offsets of astrometric calibration matches. [arcsec]';
COMMENT ON COLUMN rubin.detector_visit_result.n_psf_star IS 'Number of stars used for PSF model. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.n_astrom_star IS 'Number of reference-catalog matches used for the astrometric fit (obsmeta; not in consdb). [count]';
COMMENT ON COLUMN rubin.detector_visit_result.low_snr_source_count IS 'Count of low signal-to-noise-ratio sources. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.high_snr_source_count IS 'Count of high signal-to-noise-ratio sources. [count]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_star_delta_e1_median IS 'Median E1 residual (starE1 - psfE1) for PSF stars.';
COMMENT ON COLUMN rubin.detector_visit_result.psf_star_delta_e2_median IS 'Median E2 residual (starE2 - psfE2) for PSF stars.';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_ctype1 IS 'Astrometric solution: FITS CTYPE1 of the first sky axis (default RA---TAN).';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_ctype2 IS 'Astrometric solution: FITS CTYPE2 of the second sky axis (default DEC--TAN).';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_naxis1 IS 'Astrometric solution: image width NAXIS1. [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_naxis2 IS 'Astrometric solution: image height NAXIS2. [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crpix1 IS 'Astrometric solution: reference pixel CRPIX1 (FITS, 1-based). [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crpix2 IS 'Astrometric solution: reference pixel CRPIX2 (FITS, 1-based). [pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crval1 IS 'Astrometric solution: ICRS right ascension CRVAL1 at the reference pixel. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_crval2 IS 'Astrometric solution: ICRS declination CRVAL2 at the reference pixel. [deg]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd1_1 IS 'Astrometric solution: linear transformation matrix element CD1_1. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd1_2 IS 'Astrometric solution: CD1_2. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd2_1 IS 'Astrometric solution: CD2_1. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.wcs_cd2_2 IS 'Astrometric solution: CD2_2. [deg/pixel]';
COMMENT ON COLUMN rubin.detector_visit_result.run IS 'Butler RUN collection that produced the values (provenance)';
COMMENT ON COLUMN rubin.detector_visit_result.loaded_at IS 'When the row was written';
COMMENT ON COLUMN rubin.detector_visit_result.psf_fwhm IS
  'DERIVED: PSF FWHM = 2 sqrt(2 ln 2) psf_sigma pixel_scale (pixel scale from the WCS when pixel_scale is NULL) [arcsec]';
COMMENT ON COLUMN rubin.detector_visit_result.psf_e1 IS 'DERIVED: PSF ellipticity (distortion) e1 = (Ixx - Iyy) / (Ixx + Iyy)';
COMMENT ON COLUMN rubin.detector_visit_result.psf_e2 IS 'DERIVED: PSF ellipticity (distortion) e2 = 2 Ixy / (Ixx + Iyy)';
COMMENT ON COLUMN rubin.detector_visit_result.psf_e IS 'DERIVED: PSF ellipticity modulus sqrt(e1^2 + e2^2)';
COMMENT ON COLUMN rubin.detector_visit_result.obs_id IS 'DERIVED: caom2.observation.obs_id of the visit (obsmeta.visit_obs_id)';
COMMENT ON COLUMN rubin.detector_visit_result.plane_id IS 'DERIVED: caom2.plane.plane_id of the visit''s visit_image plane';

---------------------------------------------------------------------------------------------------
-- Results per visit (consdb visit1_quicklook: medians and totals across detectors)
---------------------------------------------------------------------------------------------------
CREATE TABLE rubin.visit_result (
    instrument                   text NOT NULL,
    visit                        bigint NOT NULL,
    release                      text NOT NULL,
    n_inputs                     integer CHECK (obsmeta.check_nonnegative('n_inputs', n_inputs::bigint)),
    pixel_scale_median           double precision CHECK (obsmeta.check_measurement('pixel_scale_median', pixel_scale_median, 0, NULL, 'arcsec/pixel')),
    psf_sigma_median             double precision CHECK (obsmeta.check_measurement('psf_sigma_median', psf_sigma_median, 0, NULL, 'pixel')),
    psf_area_median              double precision CHECK (obsmeta.check_measurement('psf_area_median', psf_area_median, 0, NULL, 'pixel**2')),
    psf_ixx_median               double precision CHECK (obsmeta.check_measurement('psf_ixx_median', psf_ixx_median, 0, NULL, 'pixel**2')),
    psf_ixy_median               double precision CHECK (obsmeta.check_measurement('psf_ixy_median', psf_ixy_median, NULL, NULL, 'pixel**2')),
    psf_iyy_median               double precision CHECK (obsmeta.check_measurement('psf_iyy_median', psf_iyy_median, 0, NULL, 'pixel**2')),
    sky_bg_median                double precision CHECK (obsmeta.check_measurement('sky_bg_median', sky_bg_median, NULL, NULL, 'count')),
    sky_noise_median             double precision CHECK (obsmeta.check_measurement('sky_noise_median', sky_noise_median, 0, NULL, 'count')),
    zero_point_median            double precision CHECK (obsmeta.check_measurement('zero_point_median', zero_point_median, NULL, NULL, 'mag')),
    stats_mag_lim_median         double precision CHECK (obsmeta.check_measurement('stats_mag_lim_median', stats_mag_lim_median, NULL, NULL, 'mag')),
    eff_time_median              double precision CHECK (obsmeta.check_measurement('eff_time_median', eff_time_median, 0, NULL, 's')),
    mean_var_median              double precision CHECK (obsmeta.check_measurement('mean_var_median', mean_var_median, 0, NULL, 'count**2')),
    astrom_offset_mean_median    double precision CHECK (obsmeta.check_measurement('astrom_offset_mean_median', astrom_offset_mean_median, 0, NULL, 'arcsec')),
    astrom_offset_std_median     double precision CHECK (obsmeta.check_measurement('astrom_offset_std_median', astrom_offset_std_median, 0, NULL, 'arcsec')),
    astrom_ra                    double precision CHECK (obsmeta.check_measurement('astrom_ra', astrom_ra, 0, 360, 'deg')),
    astrom_dec                   double precision CHECK (obsmeta.check_measurement('astrom_dec', astrom_dec, -90, 90, 'deg')),
    astrom_sky_rotation          double precision CHECK (obsmeta.check_measurement('astrom_sky_rotation', astrom_sky_rotation, NULL, NULL, 'deg')),
    n_psf_star_median            integer CHECK (obsmeta.check_nonnegative('n_psf_star_median', n_psf_star_median::bigint)),
    n_psf_star_total             integer CHECK (obsmeta.check_nonnegative('n_psf_star_total', n_psf_star_total::bigint)),
    low_snr_source_count_total   integer CHECK (obsmeta.check_nonnegative('low_snr_source_count_total', low_snr_source_count_total::bigint)),
    high_snr_source_count_total  integer CHECK (obsmeta.check_nonnegative('high_snr_source_count_total', high_snr_source_count_total::bigint)),
    run                          text,
    loaded_at                    timestamptz NOT NULL DEFAULT now(),
    psf_fwhm_median              double precision GENERATED ALWAYS AS (
        2.3548200450309493 * psf_sigma_median * pixel_scale_median) STORED,
    psf_e1_median                double precision GENERATED ALWAYS AS (
        (psf_ixx_median - psf_iyy_median) / nullif(psf_ixx_median + psf_iyy_median, 0)) STORED,
    psf_e2_median                double precision GENERATED ALWAYS AS (
        2.0 * psf_ixy_median / nullif(psf_ixx_median + psf_iyy_median, 0)) STORED,
    obs_id                       uuid GENERATED ALWAYS AS (obsmeta.visit_obs_id(instrument, visit)) STORED,
    plane_id                     uuid GENERATED ALWAYS AS (
        obsmeta.plane_id(obsmeta.visit_obs_id(instrument, visit), 'visit_image')) STORED,
    PRIMARY KEY (instrument, visit, release)
);
CREATE INDEX visit_result_plane_idx ON rubin.visit_result (plane_id);
CREATE INDEX visit_result_release_idx ON rubin.visit_result (release);

COMMENT ON TABLE rubin.visit_result IS
  'Image-processing results per visit and release (consdb visit1_quicklook columns: medians and totals across detectors); written by Prompt Processing (release prompt) and Data Releases';
COMMENT ON COLUMN rubin.visit_result.instrument IS 'Instrument name (gen3.instrument.name), e.g. LSSTCam';
COMMENT ON COLUMN rubin.visit_result.visit IS 'Identifier of the visit (gen3.visit.id)';
COMMENT ON COLUMN rubin.visit_result.release IS 'Release that produced the values (obsmeta.release.name): prompt, dp1, dr1, ...';
COMMENT ON COLUMN rubin.visit_result.n_inputs IS 'Number of CCDs used to compute the visit aggregates. [count]';
COMMENT ON COLUMN rubin.visit_result.pixel_scale_median IS 'Measured detector pixel scale (median across all detectors). [arcsec/pixel]';
COMMENT ON COLUMN rubin.visit_result.psf_sigma_median IS 'PSF sigma (median across all detectors). [pixel]';
COMMENT ON COLUMN rubin.visit_result.psf_area_median IS 'PSF area (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.psf_ixx_median IS 'PSF Ixx moment (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.psf_ixy_median IS 'PSF Ixy moment (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.psf_iyy_median IS 'PSF Iyy moment (median across all detectors). [pixel**2]';
COMMENT ON COLUMN rubin.visit_result.sky_bg_median IS 'Average sky background (median across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.sky_noise_median IS 'RMS noise of the sky background (median across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.zero_point_median IS 'Photometric zero point (median across all detectors): AB magnitude of a source giving one count. [mag]';
COMMENT ON COLUMN rubin.visit_result.stats_mag_lim_median IS 'Magnitude limit at fixed SNR (default SNR=5) calculated from exposure summary stats (median across all detectors; AB). [mag]';
COMMENT ON COLUMN rubin.visit_result.eff_time_median IS 'Effective exposure time (median across all detectors). [s]';
COMMENT ON COLUMN rubin.visit_result.mean_var_median IS 'Mean of the variance plane (median across all detectors). [count**2]';
COMMENT ON COLUMN rubin.visit_result.astrom_offset_mean_median IS 'Mean offset of astrometric calibration matches (median across all detectors). [arcsec]';
COMMENT ON COLUMN rubin.visit_result.astrom_offset_std_median IS 'Standard deviation of offsets of astrometric calibration matches (median across all detectors). [arcsec]';
COMMENT ON COLUMN rubin.visit_result.astrom_ra IS 'Central Spatial Position in ICRS; right ascension of the center of the central CCD from the astrometric fit. [deg]';
COMMENT ON COLUMN rubin.visit_result.astrom_dec IS 'Central Spatial Position in ICRS; declination of the center of the central CCD from the astrometric fit. [deg]';
COMMENT ON COLUMN rubin.visit_result.astrom_sky_rotation IS 'Fitted sky rotation angle based on plate solving (compare rubin.exposure.sky_rotation, the targeted one). [deg]';
COMMENT ON COLUMN rubin.visit_result.n_psf_star_median IS 'Number of stars used for PSF model (median across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.n_psf_star_total IS 'Number of stars used for PSF model (total across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.low_snr_source_count_total IS 'Count of low signal-to-noise-ratio sources (total across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.high_snr_source_count_total IS 'Count of high signal-to-noise-ratio sources (total across all detectors). [count]';
COMMENT ON COLUMN rubin.visit_result.run IS 'Butler RUN collection that produced the values (provenance)';
COMMENT ON COLUMN rubin.visit_result.loaded_at IS 'When the row was written';
COMMENT ON COLUMN rubin.visit_result.psf_fwhm_median IS
  'DERIVED: PSF FWHM from the medians, 2 sqrt(2 ln 2) psf_sigma_median pixel_scale_median [arcsec]';
COMMENT ON COLUMN rubin.visit_result.psf_e1_median IS 'DERIVED: PSF ellipticity e1 from the median moments';
COMMENT ON COLUMN rubin.visit_result.psf_e2_median IS 'DERIVED: PSF ellipticity e2 from the median moments';
COMMENT ON COLUMN rubin.visit_result.obs_id IS 'DERIVED: caom2.observation.obs_id of the visit (obsmeta.visit_obs_id)';
COMMENT ON COLUMN rubin.visit_result.plane_id IS 'DERIVED: caom2.plane.plane_id of the visit''s visit_image plane';

SELECT pg_catalog.pg_extension_config_dump('rubin.detector_visit_result', '');
SELECT pg_catalog.pg_extension_config_dump('rubin.visit_result', '');

---------------------------------------------------------------------------------------------------
-- Input checks that need other tables: one set-based pass over each statement's rows
---------------------------------------------------------------------------------------------------
CREATE FUNCTION obsmeta.rubin_check_results() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bad record;
    tab text := TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
BEGIN
    SELECT n.instrument INTO bad FROM (SELECT DISTINCT instrument FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM obsmeta.instrument_config c WHERE c.instrument = n.instrument) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown instrument "%" in %', bad.instrument, tab USING ERRCODE = '23503',
              HINT = 'Results are accepted for the instruments configured in obsmeta.instrument_config.';
    END IF;

    SELECT n.release, r.name IS NULL AS unknown INTO bad
      FROM (SELECT DISTINCT release FROM new_rows) n LEFT JOIN obsmeta.release r ON r.name = n.release
     WHERE r.name IS NULL OR r.retracted_at IS NOT NULL
     ORDER BY 2 DESC, 1 LIMIT 1;
    IF FOUND AND bad.unknown THEN
        RAISE EXCEPTION 'unknown release "%" in %', bad.release, tab USING ERRCODE = '23503',
              HINT = 'Register the release first: INSERT INTO obsmeta.release (name, kind, public_date) VALUES (''dr1'', ''data_release'', NULL) (role obsmeta_release_manager).';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'release "%" is retracted: no results can be written to it (%)', bad.release, tab
              USING ERRCODE = '55000',
              HINT = 'Register a new release, or undo the retraction with obsmeta.restore_release(name).';
    END IF;

    IF TG_TABLE_NAME = 'detector_visit_result' THEN
        -- Known detector: in gen3.detector; or, while none of the instrument's detectors are
        -- mirrored yet, 0 <= detector < gen3.instrument.detector_max.
        SELECT n.instrument, n.detector, n.visit INTO bad
          FROM (SELECT instrument, detector, min(visit) AS visit FROM new_rows GROUP BY 1, 2) n
         WHERE NOT EXISTS (SELECT 1 FROM gen3.detector d WHERE d.instrument = n.instrument AND d.id = n.detector)
           AND NOT (NOT EXISTS (SELECT 1 FROM gen3.detector d WHERE d.instrument = n.instrument)
                    AND coalesce(n.detector >= 0 AND n.detector < (SELECT i.detector_max FROM gen3.instrument i
                                                                   WHERE i.name = n.instrument), false))
         ORDER BY 1, 2 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'unknown detector % of instrument "%" in % (visit %)', bad.detector, bad.instrument, tab, bad.visit
                  USING ERRCODE = '23503',
                  HINT = 'The detector must be in gen3.detector (before any detector of the instrument is mirrored: 0 <= detector < gen3.instrument.detector_max).';
        END IF;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION obsmeta.rubin_check_results() IS
  'Statement trigger of the rubin result tables: rejects unknown instruments, unknown or retracted releases and unknown detectors';

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['detector_visit_result', 'visit_result'] LOOP
        EXECUTE format('CREATE TRIGGER rubin_check_insert AFTER INSERT ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_check_results()', t);
        EXECUTE format('CREATE TRIGGER rubin_check_update AFTER UPDATE ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_check_results()', t);
        EXECUTE format('ALTER TABLE rubin.%I ENABLE ALWAYS TRIGGER rubin_check_insert, ENABLE ALWAYS TRIGGER rubin_check_update', t);
    END LOOP;
END
$triggers$;

---------------------------------------------------------------------------------------------------
-- Who sees which rows
---------------------------------------------------------------------------------------------------
-- Staff, writers, superusers: every row. Everyone else: a row of a visible release (not retracted;
-- prompt, or a Data Release past its public_date) whose image (the visit's observation) is public:
-- released and not held. (So a Data Release's rows appear at its public date, or later if the
-- image itself is still embargoed or held; prompt rows appear with the image.)
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['detector_visit_result', 'visit_result'] LOOP
        EXECUTE format('ALTER TABLE rubin.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY result_visible ON rubin.%I FOR SELECT TO PUBLIC
                          USING ((SELECT obsmeta.sees_everything())
                                 OR (release = ANY ((SELECT obsmeta.visible_releases())::text[]) AND obsmeta.observation_public(obs_id)))$p$, t);
        EXECUTE format('CREATE POLICY result_writer ON rubin.%I FOR ALL TO obsmeta_writer USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$policies$;

GRANT SELECT ON rubin.detector_visit_result, rubin.visit_result TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
GRANT INSERT, UPDATE, DELETE ON rubin.detector_visit_result, rubin.visit_result TO obsmeta_writer;

---------------------------------------------------------------------------------------------------
-- Current best, per release, comparison
---------------------------------------------------------------------------------------------------
-- security_invoker: the caller's row-level security applies, so "current" is the best among the
-- rows the caller may see (readers: public releases; staff: every non-retracted release).
CREATE VIEW rubin.detector_visit_current WITH (security_invoker = true) AS
SELECT DISTINCT ON (r.instrument, r.visit, r.detector)
       r.*, rel.kind AS release_kind, rel.public_date AS release_public_date
  FROM rubin.detector_visit_result r
  JOIN obsmeta.release rel ON rel.name = r.release
 WHERE rel.retracted_at IS NULL
 ORDER BY r.instrument, r.visit, r.detector, rel.precedence DESC, rel.created_at DESC, rel.name DESC;
COMMENT ON VIEW rubin.detector_visit_current IS
  'Current best results per detector and visit: the row of the highest-precedence non-retracted release the caller may see (Data Releases by public date over prompt)';
COMMENT ON COLUMN rubin.detector_visit_current.release_kind IS 'Kind of the release the values come from (prompt, data_preview, data_release)';
COMMENT ON COLUMN rubin.detector_visit_current.release_public_date IS 'Public date of that release (NULL for prompt: public with the image)';

CREATE VIEW rubin.visit_current WITH (security_invoker = true) AS
SELECT DISTINCT ON (r.instrument, r.visit)
       r.*, rel.kind AS release_kind, rel.public_date AS release_public_date
  FROM rubin.visit_result r
  JOIN obsmeta.release rel ON rel.name = r.release
 WHERE rel.retracted_at IS NULL
 ORDER BY r.instrument, r.visit, rel.precedence DESC, rel.created_at DESC, rel.name DESC;
COMMENT ON VIEW rubin.visit_current IS
  'Current best results per visit: the row of the highest-precedence non-retracted release the caller may see (Data Releases by public date over prompt)';
COMMENT ON COLUMN rubin.visit_current.release_kind IS 'Kind of the release the values come from (prompt, data_preview, data_release)';
COMMENT ON COLUMN rubin.visit_current.release_public_date IS 'Public date of that release (NULL for prompt: public with the image)';

-- Named-release access with a clear error for a misspelt release (a plain WHERE release = 'dr1'
-- on the tables works too and returns nothing for an unknown name).
CREATE FUNCTION obsmeta.require_release(name text) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM obsmeta.release r WHERE r.name = require_release.name) THEN
        RAISE EXCEPTION 'unknown release "%"', name USING ERRCODE = '42704',
              HINT = 'The releases are listed in obsmeta.release.';
    END IF;
    RETURN name;
END $$;

CREATE FUNCTION rubin.detector_visit_release(release text) RETURNS SETOF rubin.detector_visit_result
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.* FROM rubin.detector_visit_result r WHERE r.release = obsmeta.require_release($1) $$;
COMMENT ON FUNCTION rubin.detector_visit_release(text) IS
  'The per-detector results of one release (rows the caller may see); error 42704 for an unknown release';
CREATE FUNCTION rubin.visit_release(release text) RETURNS SETOF rubin.visit_result
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.* FROM rubin.visit_result r WHERE r.release = obsmeta.require_release($1) $$;
COMMENT ON FUNCTION rubin.visit_release(text) IS
  'The per-visit results of one release (rows the caller may see); error 42704 for an unknown release';

-- Two releases side by side, per detector and visit (a key present in one release only shows NULLs
-- for the other).
CREATE FUNCTION rubin.compare_detector_visit(release_a text, release_b text)
    RETURNS TABLE (instrument text, visit bigint, detector integer,
                   psf_fwhm_a double precision, psf_fwhm_b double precision,
                   psf_e_a double precision, psf_e_b double precision,
                   zero_point_a double precision, zero_point_b double precision,
                   stats_mag_lim_a double precision, stats_mag_lim_b double precision,
                   sky_bg_a double precision, sky_bg_b double precision,
                   sky_noise_a double precision, sky_noise_b double precision,
                   eff_time_a double precision, eff_time_b double precision,
                   astrom_offset_std_a double precision, astrom_offset_std_b double precision,
                   wcs_offset_arcsec double precision)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(a.instrument, b.instrument), coalesce(a.visit, b.visit), coalesce(a.detector, b.detector),
           a.psf_fwhm, b.psf_fwhm, a.psf_e, b.psf_e, a.zero_point, b.zero_point, a.stats_mag_lim, b.stats_mag_lim,
           a.sky_bg, b.sky_bg, a.sky_noise, b.sky_noise, a.eff_time, b.eff_time,
           a.astrom_offset_std, b.astrom_offset_std,
           -- angle between the two solutions' CRVALs (haversine), arcsec
           3600.0 * degrees(2.0 * asin(least(1.0, sqrt(
               sin(radians(b.wcs_crval2 - a.wcs_crval2) / 2.0) ^ 2
               + cos(radians(a.wcs_crval2)) * cos(radians(b.wcs_crval2)) * sin(radians(b.wcs_crval1 - a.wcs_crval1) / 2.0) ^ 2))))
      FROM (SELECT * FROM rubin.detector_visit_result x WHERE x.release = obsmeta.require_release($1)) a
      FULL JOIN (SELECT * FROM rubin.detector_visit_result y WHERE y.release = obsmeta.require_release($2)) b
        ON a.instrument = b.instrument AND a.visit = b.visit AND a.detector = b.detector $$;
COMMENT ON FUNCTION rubin.compare_detector_visit(text, text) IS
  'Two releases'' per-detector results side by side (rows the caller may see), with the angular offset of their WCS reference points (arcsec)';

CREATE FUNCTION rubin.compare_visit(release_a text, release_b text)
    RETURNS TABLE (instrument text, visit bigint,
                   psf_fwhm_median_a double precision, psf_fwhm_median_b double precision,
                   zero_point_median_a double precision, zero_point_median_b double precision,
                   stats_mag_lim_median_a double precision, stats_mag_lim_median_b double precision,
                   sky_bg_median_a double precision, sky_bg_median_b double precision,
                   eff_time_median_a double precision, eff_time_median_b double precision,
                   astrom_offset_std_median_a double precision, astrom_offset_std_median_b double precision)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(a.instrument, b.instrument), coalesce(a.visit, b.visit),
           a.psf_fwhm_median, b.psf_fwhm_median, a.zero_point_median, b.zero_point_median,
           a.stats_mag_lim_median, b.stats_mag_lim_median, a.sky_bg_median, b.sky_bg_median,
           a.eff_time_median, b.eff_time_median, a.astrom_offset_std_median, b.astrom_offset_std_median
      FROM (SELECT * FROM rubin.visit_result x WHERE x.release = obsmeta.require_release($1)) a
      FULL JOIN (SELECT * FROM rubin.visit_result y WHERE y.release = obsmeta.require_release($2)) b
        ON a.instrument = b.instrument AND a.visit = b.visit $$;
COMMENT ON FUNCTION rubin.compare_visit(text, text) IS
  'Two releases'' per-visit results side by side (rows the caller may see)';

GRANT SELECT ON rubin.detector_visit_current, rubin.visit_current TO obsmeta_reader, obsmeta_staff, obsmeta_writer;

---------------------------------------------------------------------------------------------------
-- Exposure and visit content that CAOM2 does not carry (consdb exposure / visit1 names)
---------------------------------------------------------------------------------------------------
-- Airmass of a line of sight at zenith distance z (degrees): Kasten & Young (1989), good to the
-- horizon; NULL outside [0, 90].
CREATE FUNCTION obsmeta.airmass(zenith_distance_deg double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN $1 >= 0 AND $1 <= 90
                THEN 1.0 / (cos(radians($1)) + 0.50572 * power(96.07995 - $1, -1.6364)) END $$;
COMMENT ON FUNCTION obsmeta.airmass(double precision) IS
  'Relative airmass at a zenith distance in degrees (Kasten & Young 1989); NULL below the horizon';

-- Views over the mirror, read as their owner and filtered by the image's visibility
-- (security_barrier: a reader's own conditions cannot see rows the filter removed).
CREATE VIEW rubin.exposure WITH (security_barrier = true) AS
SELECT e.instrument, e.id AS exposure_id, e.obs_id AS exposure_name, e.day_obs, e.seq_num,
       e.physical_filter, pf.band,
       CASE WHEN e.can_see_sky THEN e.tracking_ra END AS s_ra,
       CASE WHEN e.can_see_sky THEN e.tracking_dec END AS s_dec,
       e.sky_angle AS sky_rotation, e.azimuth, 90.0 - e.zenith_angle AS altitude, e.zenith_angle AS zenith_distance,
       obsmeta.airmass(e.zenith_angle) AS airmass,
       e.timespan_begin AS obs_start, e.timespan_end AS obs_end,
       e.timespan_begin + (e.timespan_end - e.timespan_begin) / 2 AS exp_midpt,
       obsmeta.mjd(e.timespan_begin) AS obs_start_mjd, obsmeta.mjd(e.timespan_end) AS obs_end_mjd,
       obsmeta.mjd(e.timespan_begin + (e.timespan_end - e.timespan_begin) / 2) AS exp_midpt_mjd,
       e.exposure_time AS exp_time, e.dark_time, e."group" AS group_id, e.observation_type AS img_type,
       e.science_program, e.observation_reason, e.target_name, e.can_see_sky, e.has_simulated AS simulated,
       obsmeta.exposure_obs_id(e.instrument, e.id) AS obs_id
  FROM gen3.exposure e
  LEFT JOIN gen3.physical_filter pf ON pf.instrument = e.instrument AND pf.name = e.physical_filter
 WHERE (SELECT obsmeta.sees_everything()) OR obsmeta.observation_public(obsmeta.exposure_obs_id(e.instrument, e.id));
COMMENT ON VIEW rubin.exposure IS
  'Information from observatory systems about each raw image (consdb exposure names), from the gen3 mirror; rows of public observations (staff: all)';
COMMENT ON COLUMN rubin.exposure.instrument IS 'Instrument name';
COMMENT ON COLUMN rubin.exposure.exposure_id IS 'Unique identifier (gen3.exposure.id)';
COMMENT ON COLUMN rubin.exposure.exposure_name IS 'Official name of the exposure (obs_id; caom2.observation.observation_id)';
COMMENT ON COLUMN rubin.exposure.day_obs IS 'Day of observation';
COMMENT ON COLUMN rubin.exposure.seq_num IS 'Sequence number';
COMMENT ON COLUMN rubin.exposure.physical_filter IS 'ID of physical filter, the filter associated with a particular instrument';
COMMENT ON COLUMN rubin.exposure.band IS 'Name of the band used to take the exposure';
COMMENT ON COLUMN rubin.exposure.s_ra IS 'Central Spatial Position in ICRS; tracking right ascension of the boresight (NULL when the exposure cannot see the sky) [deg]';
COMMENT ON COLUMN rubin.exposure.s_dec IS 'Central Spatial Position in ICRS; tracking declination of the boresight [deg]';
COMMENT ON COLUMN rubin.exposure.sky_rotation IS 'Targeted sky rotation angle [deg]';
COMMENT ON COLUMN rubin.exposure.azimuth IS 'Azimuth of the boresight (as recorded by the Butler) [deg]';
COMMENT ON COLUMN rubin.exposure.altitude IS 'Altitude of the boresight, 90 - zenith_distance [deg]';
COMMENT ON COLUMN rubin.exposure.zenith_distance IS 'Zenith distance of the boresight (the Butler''s zenith_angle) [deg]';
COMMENT ON COLUMN rubin.exposure.airmass IS 'Airmass of the line of sight at zenith_distance (Kasten & Young 1989)';
COMMENT ON COLUMN rubin.exposure.obs_start IS 'Start time of the exposure (UTC)';
COMMENT ON COLUMN rubin.exposure.obs_end IS 'End time of the exposure (UTC)';
COMMENT ON COLUMN rubin.exposure.exp_midpt IS 'Midpoint time of the exposure (UTC)';
COMMENT ON COLUMN rubin.exposure.obs_start_mjd IS 'Start of the exposure, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.exposure.obs_end_mjd IS 'End of the exposure, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.exposure.exp_midpt_mjd IS 'Midpoint of the exposure, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.exposure.exp_time IS 'Duration of the exposure [s]';
COMMENT ON COLUMN rubin.exposure.dark_time IS 'Duration from last clear to readout [s]';
COMMENT ON COLUMN rubin.exposure.group_id IS 'Identifier for the group that this exposure is part of';
COMMENT ON COLUMN rubin.exposure.img_type IS 'Type of exposure taken (science, bias, flat, ...)';
COMMENT ON COLUMN rubin.exposure.science_program IS 'Science program';
COMMENT ON COLUMN rubin.exposure.observation_reason IS 'Reason for the observation';
COMMENT ON COLUMN rubin.exposure.target_name IS 'Target of the observation';
COMMENT ON COLUMN rubin.exposure.can_see_sky IS 'Whether the observation can see sky or not';
COMMENT ON COLUMN rubin.exposure.simulated IS 'Were any control system components simulated?';
COMMENT ON COLUMN rubin.exposure.obs_id IS 'caom2.observation.obs_id of the exposure';

CREATE VIEW rubin.visit WITH (security_barrier = true) AS
SELECT v.instrument, v.id AS visit_id, v.name AS visit_name, v.day_obs, v.seq_num, v.physical_filter, pf.band,
       CASE WHEN e.can_see_sky THEN e.tracking_ra END AS s_ra,
       CASE WHEN e.can_see_sky THEN e.tracking_dec END AS s_dec,
       e.sky_angle AS sky_rotation, v.azimuth, 90.0 - v.zenith_angle AS altitude, v.zenith_angle AS zenith_distance,
       obsmeta.airmass(v.zenith_angle) AS airmass,
       v.timespan_begin AS obs_start, v.timespan_end AS obs_end,
       v.timespan_begin + (v.timespan_end - v.timespan_begin) / 2 AS exp_midpt,
       obsmeta.mjd(v.timespan_begin + (v.timespan_end - v.timespan_begin) / 2) AS exp_midpt_mjd,
       v.exposure_time AS exp_time, n.n_exposures,
       v.science_program, v.observation_reason, v.target_name,
       obsmeta.visit_obs_id(v.instrument, v.id) AS obs_id
  FROM gen3.visit v
  LEFT JOIN gen3.physical_filter pf ON pf.instrument = v.instrument AND pf.name = v.physical_filter
  LEFT JOIN LATERAL (SELECT count(*)::int AS n_exposures, min(vd.exposure) AS first_exposure
                       FROM gen3.visit_definition vd WHERE vd.instrument = v.instrument AND vd.visit = v.id) n ON true
  LEFT JOIN gen3.exposure e ON e.instrument = v.instrument AND e.id = n.first_exposure
 WHERE (SELECT obsmeta.sees_everything()) OR obsmeta.observation_public(obsmeta.visit_obs_id(v.instrument, v.id));
COMMENT ON VIEW rubin.visit IS
  'Information from observatory systems about each visit (consdb visit1 names), from the gen3 mirror; rows of public observations (staff: all)';
COMMENT ON COLUMN rubin.visit.instrument IS 'Instrument name';
COMMENT ON COLUMN rubin.visit.visit_id IS 'Unique identifier (gen3.visit.id)';
COMMENT ON COLUMN rubin.visit.visit_name IS 'Name of the visit (gen3.visit.name)';
COMMENT ON COLUMN rubin.visit.day_obs IS 'Day of observation';
COMMENT ON COLUMN rubin.visit.seq_num IS 'Sequence number';
COMMENT ON COLUMN rubin.visit.physical_filter IS 'ID of physical filter';
COMMENT ON COLUMN rubin.visit.band IS 'Name of the band';
COMMENT ON COLUMN rubin.visit.s_ra IS 'Central Spatial Position in ICRS; tracking right ascension of the first exposure [deg]';
COMMENT ON COLUMN rubin.visit.s_dec IS 'Central Spatial Position in ICRS; tracking declination of the first exposure [deg]';
COMMENT ON COLUMN rubin.visit.sky_rotation IS 'Targeted sky rotation angle of the first exposure [deg]';
COMMENT ON COLUMN rubin.visit.azimuth IS 'Azimuth of the boresight (as recorded by the Butler) [deg]';
COMMENT ON COLUMN rubin.visit.altitude IS 'Altitude of the boresight, 90 - zenith_distance [deg]';
COMMENT ON COLUMN rubin.visit.zenith_distance IS 'Zenith distance of the boresight (the Butler''s zenith_angle) [deg]';
COMMENT ON COLUMN rubin.visit.airmass IS 'Airmass of the line of sight at zenith_distance (Kasten & Young 1989)';
COMMENT ON COLUMN rubin.visit.obs_start IS 'Start time of the visit (UTC)';
COMMENT ON COLUMN rubin.visit.obs_end IS 'End time of the visit (UTC)';
COMMENT ON COLUMN rubin.visit.exp_midpt IS 'Midpoint time of the visit (UTC)';
COMMENT ON COLUMN rubin.visit.exp_midpt_mjd IS 'Midpoint of the visit, MJD (UTC) [d]';
COMMENT ON COLUMN rubin.visit.exp_time IS 'Exposure time of the visit [s]';
COMMENT ON COLUMN rubin.visit.n_exposures IS 'Number of exposures in the visit (gen3.visit_definition)';
COMMENT ON COLUMN rubin.visit.science_program IS 'Science program';
COMMENT ON COLUMN rubin.visit.observation_reason IS 'Reason for the observation';
COMMENT ON COLUMN rubin.visit.target_name IS 'Target of the observation';
COMMENT ON COLUMN rubin.visit.obs_id IS 'caom2.observation.obs_id of the visit';

GRANT SELECT ON rubin.exposure, rubin.visit TO obsmeta_reader, obsmeta_staff, obsmeta_writer;

-- The current views show the tables' columns: give them the same descriptions (TAP_SCHEMA).
DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT v.view, a.attname, col_description(t.oid, a.attnum) AS d
               FROM (VALUES ('rubin.detector_visit_current', 'rubin.detector_visit_result'),
                            ('rubin.visit_current', 'rubin.visit_result')) AS v(view, tab)
               JOIN pg_class t ON t.oid = v.tab::regclass
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
              WHERE col_description(t.oid, a.attnum) IS NOT NULL LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', c.view, c.attname, c.d);
    END LOOP;
END
$comments$;
-- obsmeta install script, part 48: the current best results in CAOM2 (and so in ObsCore).
--
-- CAOM2 holds one value per plane and chunk, visible to whoever may see the plane, so it carries
-- the PUBLIC current best: the highest-precedence release (46_releases.sql) that has a value for
-- the image, is not retracted, and is prompt or past its public_date. (A loaded Data Release that
-- is not public yet never reaches CAOM2: readers could otherwise see its values early.)
--
-- What is filled (doc/rubin_results.md has the formulas):
--   caom2.plane of a visit's visit_image (from rubin.visit_result):
--     position_resolution = psf_fwhm_median (arcsec; ObsCore s_resolution), position_sample_size =
--     pixel_scale_median, metrics_mag_limit, metrics_flux_density_limit, metrics_background,
--     metrics_background_stddev, metrics_sample_snr, metrics_source_number_density;
--   caom2.chunk of each visit_image artifact of detector D (from rubin.detector_visit_result):
--     the SpatialWCS from the astrometric solution (naxis, position axes, ICRS, ctype/cunit,
--     CoordFunction2D dimension/refCoord/CD, errors from the astrometric scatter) and
--     position_resolution = psf_fwhm.
-- Writes are UPDATEs of rows whose values differ; they set last_modified and max_last_modified of
-- the changed rows and max_last_modified of their parents (chunk → part → artifact → plane →
-- observation), under the conversion's per-observation advisory locks (taken in key order).
--
-- When: at the end of every statement that writes results of a public release (triggers
-- rubin_fill_caom2_* on the rubin tables); when a release is published, retracted, restored or
-- re-dated (trigger on obsmeta.release); when a plane or chunk is created — results that arrived
-- before their image apply then (triggers rubin_* on caom2.plane and caom2.chunk); and, for a
-- Data Release whose public_date was set in the future, at obsmeta.apply_releases() after that
-- date (the rubin tables themselves release on time by row-level security alone).

CREATE FUNCTION obsmeta.rubin_lock_planes(planes uuid[]) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_advisory_xact_lock(1868723053, k)
      FROM (SELECT DISTINCT obsmeta.lock_key(p.obs_id) AS k FROM caom2.plane p WHERE p.plane_id = ANY ($1) ORDER BY 1) s $$;

-- Plane Position resolution / sample size and Metrics of the given visit_image planes. With
-- only_with_results, planes without a public result are left alone (used for new planes).
CREATE FUNCTION obsmeta.rubin_apply_planes(planes uuid[], only_with_results boolean DEFAULT false) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF planes IS NULL OR cardinality(planes) = 0 THEN
        RETURN 0;
    END IF;
    PERFORM obsmeta.rubin_lock_planes(planes);
    WITH k AS (SELECT DISTINCT plane_id FROM unnest(planes) AS k(plane_id)),
    best AS (
        SELECT DISTINCT ON (r.plane_id) r.*
          FROM k JOIN rubin.visit_result r ON r.plane_id = k.plane_id
          JOIN obsmeta.release rel ON rel.name = r.release
         WHERE rel.retracted_at IS NULL AND (rel.kind = 'prompt' OR rel.public_date <= now())
         ORDER BY r.plane_id, rel.precedence DESC, rel.created_at DESC, rel.name DESC
    ),
    want AS (
        SELECT p.plane_id,
               b.psf_fwhm_median AS position_resolution,
               b.pixel_scale_median AS position_sample_size,
               b.stats_mag_lim_median AS metrics_mag_limit,
               3631.0 * 10.0::float8 ^ (-0.4 * b.stats_mag_lim_median) AS metrics_flux_density_limit,
               b.sky_bg_median * 3631.0 * 10.0::float8 ^ (-0.4 * b.zero_point_median) AS metrics_background,
               b.sky_noise_median * 3631.0 * 10.0::float8 ^ (-0.4 * b.zero_point_median) AS metrics_background_stddev,
               b.sky_bg_median / nullif(b.sky_noise_median, 0) AS metrics_sample_snr,
               (b.low_snr_source_count_total + b.high_snr_source_count_total)::float8
                   / nullif(p.position_area_deg2, 0) AS metrics_source_number_density
          FROM k JOIN caom2.plane p ON p.plane_id = k.plane_id
          LEFT JOIN best b ON b.plane_id = k.plane_id
         WHERE NOT only_with_results OR b.plane_id IS NOT NULL
    ),
    changed AS (
        UPDATE caom2.plane p
           SET (position_resolution, position_sample_size, metrics_mag_limit, metrics_flux_density_limit,
                metrics_background, metrics_background_stddev, metrics_sample_snr, metrics_source_number_density,
                last_modified, max_last_modified)
             = ROW(w.position_resolution, w.position_sample_size, w.metrics_mag_limit, w.metrics_flux_density_limit,
                   w.metrics_background, w.metrics_background_stddev, w.metrics_sample_snr,
                   w.metrics_source_number_density, now(), now())
          FROM want w
         WHERE p.plane_id = w.plane_id
           AND ROW(p.position_resolution, p.position_sample_size, p.metrics_mag_limit, p.metrics_flux_density_limit,
                   p.metrics_background, p.metrics_background_stddev, p.metrics_sample_snr,
                   p.metrics_source_number_density)
               IS DISTINCT FROM
               ROW(w.position_resolution, w.position_sample_size, w.metrics_mag_limit, w.metrics_flux_density_limit,
                   w.metrics_background, w.metrics_background_stddev, w.metrics_sample_snr,
                   w.metrics_source_number_density)
        RETURNING p.obs_id
    ),
    observations AS (
        UPDATE caom2.observation o SET max_last_modified = now()
         WHERE o.obs_id IN (SELECT obs_id FROM changed) AND o.max_last_modified < now()
        RETURNING o.obs_id
    )
    SELECT count(*) INTO n FROM changed;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.rubin_apply_planes(uuid[], boolean) IS
  'Writes the public current best per-visit results into the given visit_image planes (resolution, sample size, Metrics); returns the number of planes changed';

-- Chunk SpatialWCS and resolution of the given (visit_image plane, detector) pairs.
CREATE FUNCTION obsmeta.rubin_apply_chunks(planes uuid[], detectors integer[], only_with_results boolean DEFAULT false)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF planes IS NULL OR cardinality(planes) = 0 THEN
        RETURN 0;
    END IF;
    PERFORM obsmeta.rubin_lock_planes(planes);
    WITH k AS (SELECT DISTINCT plane_id, detector FROM unnest(planes, detectors) AS k(plane_id, detector)),
    best AS (
        SELECT DISTINCT ON (r.plane_id, r.detector) r.*
          FROM k JOIN rubin.detector_visit_result r ON r.plane_id = k.plane_id AND r.detector = k.detector
          JOIN obsmeta.release rel ON rel.name = r.release
         WHERE rel.retracted_at IS NULL AND (rel.kind = 'prompt' OR rel.public_date <= now())
         ORDER BY r.plane_id, r.detector, rel.precedence DESC, rel.created_at DESC, rel.name DESC
    ),
    want AS (
        SELECT c.chunk_id,
               CASE WHEN x.wcs THEN 2 END AS naxis,
               CASE WHEN x.wcs THEN 1 END AS position_axis_1,
               CASE WHEN x.wcs THEN 2 END AS position_axis_2,
               CASE WHEN x.wcs THEN 'ICRS' END AS position_coordsys,
               CASE WHEN x.wcs THEN b.psf_fwhm END AS position_resolution,
               CASE WHEN x.wcs THEN b.wcs_ctype1 END AS position_axis_axis1_ctype,
               CASE WHEN x.wcs THEN 'deg' END AS position_axis_axis1_cunit,
               CASE WHEN x.wcs THEN b.wcs_ctype2 END AS position_axis_axis2_ctype,
               CASE WHEN x.wcs THEN 'deg' END AS position_axis_axis2_cunit,
               CASE WHEN x.wcs THEN b.astrom_offset_mean / 3600.0 END AS position_axis_error1_syser,
               CASE WHEN x.wcs THEN b.astrom_offset_std / 3600.0 END AS position_axis_error1_rnder,
               CASE WHEN x.wcs THEN b.astrom_offset_mean / 3600.0 END AS position_axis_error2_syser,
               CASE WHEN x.wcs THEN b.astrom_offset_std / 3600.0 END AS position_axis_error2_rnder,
               b.wcs_naxis1::bigint AS naxis1, b.wcs_naxis2::bigint AS naxis2,
               b.wcs_crpix1 AS crpix1, b.wcs_crval1 AS crval1, b.wcs_crpix2 AS crpix2, b.wcs_crval2 AS crval2,
               b.wcs_cd1_1 AS cd11, b.wcs_cd1_2 AS cd12, b.wcs_cd2_1 AS cd21, b.wcs_cd2_2 AS cd22
          FROM k
          JOIN caom2.artifact a ON a.plane_id = k.plane_id
          JOIN caom2.part pt ON pt.artifact_id = a.artifact_id
          JOIN caom2.chunk c ON c.part_id = pt.part_id AND c.lsst_detector = k.detector
          LEFT JOIN best b ON b.plane_id = k.plane_id AND b.detector = k.detector
          CROSS JOIN LATERAL (SELECT b.wcs_crval1 IS NOT NULL AS wcs) x
         WHERE NOT only_with_results OR b.plane_id IS NOT NULL
    ),
    chunks AS (
        UPDATE caom2.chunk c
           SET (naxis, position_axis_1, position_axis_2, position_coordsys, position_resolution,
                position_axis_axis1_ctype, position_axis_axis1_cunit, position_axis_axis2_ctype, position_axis_axis2_cunit,
                position_axis_error1_syser, position_axis_error1_rnder, position_axis_error2_syser, position_axis_error2_rnder,
                position_axis_function_dimension_naxis1, position_axis_function_dimension_naxis2,
                position_axis_function_ref_coord_coord1_pix, position_axis_function_ref_coord_coord1_val,
                position_axis_function_ref_coord_coord2_pix, position_axis_function_ref_coord_coord2_val,
                position_axis_function_cd11, position_axis_function_cd12, position_axis_function_cd21,
                position_axis_function_cd22, last_modified, max_last_modified)
             = ROW(w.naxis, w.position_axis_1, w.position_axis_2, w.position_coordsys, w.position_resolution,
                   w.position_axis_axis1_ctype, w.position_axis_axis1_cunit, w.position_axis_axis2_ctype,
                   w.position_axis_axis2_cunit, w.position_axis_error1_syser, w.position_axis_error1_rnder,
                   w.position_axis_error2_syser, w.position_axis_error2_rnder, w.naxis1, w.naxis2,
                   w.crpix1, w.crval1, w.crpix2, w.crval2, w.cd11, w.cd12, w.cd21, w.cd22, now(), now())
          FROM want w
         WHERE c.chunk_id = w.chunk_id
           AND ROW(c.naxis, c.position_axis_1, c.position_axis_2, c.position_coordsys, c.position_resolution,
                   c.position_axis_axis1_ctype, c.position_axis_axis1_cunit, c.position_axis_axis2_ctype,
                   c.position_axis_axis2_cunit, c.position_axis_error1_syser, c.position_axis_error1_rnder,
                   c.position_axis_error2_syser, c.position_axis_error2_rnder,
                   c.position_axis_function_dimension_naxis1, c.position_axis_function_dimension_naxis2,
                   c.position_axis_function_ref_coord_coord1_pix, c.position_axis_function_ref_coord_coord1_val,
                   c.position_axis_function_ref_coord_coord2_pix, c.position_axis_function_ref_coord_coord2_val,
                   c.position_axis_function_cd11, c.position_axis_function_cd12, c.position_axis_function_cd21,
                   c.position_axis_function_cd22)
               IS DISTINCT FROM
               ROW(w.naxis, w.position_axis_1, w.position_axis_2, w.position_coordsys, w.position_resolution,
                   w.position_axis_axis1_ctype, w.position_axis_axis1_cunit, w.position_axis_axis2_ctype,
                   w.position_axis_axis2_cunit, w.position_axis_error1_syser, w.position_axis_error1_rnder,
                   w.position_axis_error2_syser, w.position_axis_error2_rnder, w.naxis1, w.naxis2,
                   w.crpix1, w.crval1, w.crpix2, w.crval2, w.cd11, w.cd12, w.cd21, w.cd22)
        RETURNING c.part_id
    ),
    part_ids AS (SELECT DISTINCT part_id FROM chunks),
    parts AS (
        UPDATE caom2.part p SET max_last_modified = now()
         WHERE p.part_id IN (SELECT part_id FROM part_ids) AND p.max_last_modified < now()
        RETURNING p.part_id
    ),
    artifact_ids AS (SELECT DISTINCT pt.artifact_id FROM part_ids i JOIN caom2.part pt ON pt.part_id = i.part_id),
    artifacts AS (
        UPDATE caom2.artifact a SET max_last_modified = now()
         WHERE a.artifact_id IN (SELECT artifact_id FROM artifact_ids) AND a.max_last_modified < now()
        RETURNING a.artifact_id
    ),
    plane_ids AS (SELECT DISTINCT a.plane_id FROM artifact_ids i JOIN caom2.artifact a ON a.artifact_id = i.artifact_id),
    planes_touched AS (
        UPDATE caom2.plane p SET max_last_modified = now()
         WHERE p.plane_id IN (SELECT plane_id FROM plane_ids) AND p.max_last_modified < now()
        RETURNING p.plane_id
    ),
    observations AS (
        UPDATE caom2.observation o SET max_last_modified = now()
         WHERE o.obs_id IN (SELECT p.obs_id FROM plane_ids i JOIN caom2.plane p ON p.plane_id = i.plane_id)
           AND o.max_last_modified < now()
        RETURNING o.obs_id
    )
    SELECT count(*) INTO n FROM chunks;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.rubin_apply_chunks(uuid[], integer[], boolean) IS
  'Writes the public current best per-detector results (astrometric solution as SpatialWCS, PSF FWHM as resolution) into the chunks of the given visit_image planes and detectors; returns the number of chunks changed';

-- Everything the given releases touch (or all results when names is NULL).
CREATE FUNCTION obsmeta.rubin_apply_releases(names text[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    planes uuid[];
    dplanes uuid[];
    dets integer[];
    n integer;
BEGIN
    SELECT array_agg(DISTINCT r.plane_id) INTO planes
      FROM rubin.visit_result r WHERE names IS NULL OR r.release = ANY (names);
    SELECT array_agg(s.plane_id), array_agg(s.detector) INTO dplanes, dets
      FROM (SELECT DISTINCT r.plane_id, r.detector FROM rubin.detector_visit_result r
             WHERE names IS NULL OR r.release = ANY (names)) s;
    n := obsmeta.rubin_apply_planes(planes) + obsmeta.rubin_apply_chunks(dplanes, dets);
    UPDATE obsmeta.release r SET caom2_applied_at = now()
     WHERE (names IS NULL OR r.name = ANY (names))
       AND r.retracted_at IS NULL AND r.kind <> 'prompt' AND r.public_date <= now()
       AND r.caom2_applied_at IS DISTINCT FROM now();
    RETURN n;
END $$;

---------------------------------------------------------------------------------------------------
-- Triggers: results written, releases changed, planes and chunks created
---------------------------------------------------------------------------------------------------
-- Rows of a release that is not public (or retracted) cannot change CAOM2: they are skipped, so
-- bulk-loading a Data Release before its public date costs no CAOM2 work.
CREATE FUNCTION obsmeta.rubin_results_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    public_releases text[] := ARRAY(SELECT r.name FROM obsmeta.release r
                                     WHERE r.retracted_at IS NULL AND (r.kind = 'prompt' OR r.public_date <= now()));
    planes uuid[];
    dets integer[];
BEGIN
    IF TG_TABLE_NAME = 'visit_result' THEN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT plane_id) INTO planes FROM new_rows WHERE release = ANY (public_releases);
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT plane_id) INTO planes FROM old_rows WHERE release = ANY (public_releases);
        ELSE
            SELECT array_agg(DISTINCT plane_id) INTO planes
              FROM (SELECT plane_id, release FROM new_rows UNION ALL SELECT plane_id, release FROM old_rows) s
             WHERE release = ANY (public_releases);
        END IF;
        PERFORM obsmeta.rubin_apply_planes(planes);
    ELSE
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(plane_id), array_agg(detector) INTO planes, dets
              FROM (SELECT DISTINCT plane_id, detector FROM new_rows WHERE release = ANY (public_releases)) s;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(plane_id), array_agg(detector) INTO planes, dets
              FROM (SELECT DISTINCT plane_id, detector FROM old_rows WHERE release = ANY (public_releases)) s;
        ELSE
            SELECT array_agg(plane_id), array_agg(detector) INTO planes, dets
              FROM (SELECT plane_id, detector FROM new_rows WHERE release = ANY (public_releases)
                    UNION SELECT plane_id, detector FROM old_rows WHERE release = ANY (public_releases)) s;
        END IF;
        PERFORM obsmeta.rubin_apply_chunks(planes, dets);
    END IF;
    RETURN NULL;
END $$;

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['detector_visit_result', 'visit_result'] LOOP
        EXECUTE format('CREATE TRIGGER rubin_fill_caom2_insert AFTER INSERT ON rubin.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_results_changed()', t);
        EXECUTE format('CREATE TRIGGER rubin_fill_caom2_update AFTER UPDATE ON rubin.%I
                          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_results_changed()', t);
        EXECUTE format('CREATE TRIGGER rubin_fill_caom2_delete AFTER DELETE ON rubin.%I REFERENCING OLD TABLE AS old_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_results_changed()', t);
        EXECUTE format('ALTER TABLE rubin.%I ENABLE ALWAYS TRIGGER rubin_fill_caom2_insert,
                          ENABLE ALWAYS TRIGGER rubin_fill_caom2_update, ENABLE ALWAYS TRIGGER rubin_fill_caom2_delete', t);
    END LOOP;
END
$triggers$;

-- A release published, re-dated, retracted or restored: everything it has values for is re-decided.
CREATE FUNCTION obsmeta.rubin_release_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    changed text[];
BEGIN
    SELECT array_agg(n.name) INTO changed
      FROM new_rows n JOIN old_rows o ON o.name = n.name
     WHERE ROW(n.kind, n.public_date, n.retracted_at) IS DISTINCT FROM ROW(o.kind, o.public_date, o.retracted_at);
    IF changed IS NOT NULL THEN
        PERFORM obsmeta.rubin_apply_releases(changed);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rubin_release_changed AFTER UPDATE ON obsmeta.release
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_release_changed();

-- A release with results keeps its name and its row (retract it instead of deleting it).
CREATE FUNCTION obsmeta.rubin_release_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.name = OLD.name THEN
        RETURN NEW;
    END IF;
    SELECT (SELECT count(*) FROM rubin.visit_result r WHERE r.release = OLD.name)
         + (SELECT count(*) FROM rubin.detector_visit_result r WHERE r.release = OLD.name) INTO n;
    IF n > 0 THEN
        RAISE EXCEPTION 'release "%" has % result rows: it cannot be % ', OLD.name, n,
              CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renamed' END
              USING ERRCODE = '23503',
              HINT = 'Retract it with obsmeta.retract_release(name, reason) (its rows stay, for staff), or delete its rows first.';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER rubin_release_guard BEFORE UPDATE OR DELETE ON obsmeta.release
    FOR EACH ROW EXECUTE FUNCTION obsmeta.rubin_release_guard();

-- New visit_image planes: results that arrived first apply now. A plane's area (set after its
-- chunks) changes its source density: re-apply then.
-- Not for the rows of a CAOM-2.4 document being imported (obsmeta.caom2_import is on only then; a
-- session cannot set it): caom2.import_observation_xml stores the document exactly as given, and
-- the results apply again at the next event that re-decides them (doc/caom2_interop.md).
CREATE FUNCTION obsmeta.rubin_plane_arrived() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    planes uuid[];
BEGIN
    IF current_setting('obsmeta.caom2_import', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.plane_id) INTO planes FROM new_rows n
         WHERE n.product_id = 'visit_image'
           AND EXISTS (SELECT 1 FROM rubin.visit_result r WHERE r.plane_id = n.plane_id);
    ELSE
        SELECT array_agg(n.plane_id) INTO planes FROM new_rows n JOIN old_rows o ON o.plane_id = n.plane_id
         WHERE n.position_area_deg2 IS DISTINCT FROM o.position_area_deg2
           AND EXISTS (SELECT 1 FROM rubin.visit_result r WHERE r.plane_id = n.plane_id);
    END IF;
    PERFORM obsmeta.rubin_apply_planes(planes, true);
    RETURN NULL;
END $$;
CREATE TRIGGER rubin_plane_insert AFTER INSERT ON caom2.plane REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_plane_arrived();
CREATE TRIGGER rubin_plane_update AFTER UPDATE ON caom2.plane REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_plane_arrived();

-- New chunks of a visit_image: their detector's results apply now (not during a CAOM-2.4 import,
-- as above).
CREATE FUNCTION obsmeta.rubin_chunk_arrived() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    planes uuid[];
    dets integer[];
BEGIN
    IF current_setting('obsmeta.caom2_import', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM rubin.detector_visit_result) THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(s.plane_id), array_agg(s.lsst_detector) INTO planes, dets
      FROM (SELECT DISTINCT a.plane_id, n.lsst_detector
              FROM new_rows n JOIN caom2.part pt ON pt.part_id = n.part_id
              JOIN caom2.artifact a ON a.artifact_id = pt.artifact_id
             WHERE n.lsst_detector IS NOT NULL
               AND EXISTS (SELECT 1 FROM rubin.detector_visit_result r
                            WHERE r.plane_id = a.plane_id AND r.detector = n.lsst_detector)) s;
    PERFORM obsmeta.rubin_apply_chunks(planes, dets, true);
    RETURN NULL;
END $$;
CREATE TRIGGER rubin_chunk_insert AFTER INSERT ON caom2.chunk REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.rubin_chunk_arrived();

-- ENABLE ALWAYS: CAOM2 written by a conversion under logical replication (session_replication_role
-- = replica) gets its results too.
ALTER TABLE caom2.plane ENABLE ALWAYS TRIGGER rubin_plane_insert, ENABLE ALWAYS TRIGGER rubin_plane_update;
ALTER TABLE caom2.chunk ENABLE ALWAYS TRIGGER rubin_chunk_insert;
ALTER TABLE obsmeta.release ENABLE ALWAYS TRIGGER rubin_release_changed, ENABLE ALWAYS TRIGGER rubin_release_guard;

---------------------------------------------------------------------------------------------------
-- Release management
---------------------------------------------------------------------------------------------------
CREATE FUNCTION obsmeta.release_row(name text) RETURNS obsmeta.release
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release;
BEGIN
    SELECT * INTO r FROM obsmeta.release x WHERE x.name = release_row.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown release "%"', name USING ERRCODE = '42704',
              HINT = 'The releases are listed in obsmeta.release.';
    END IF;
    RETURN r;
END $$;

CREATE FUNCTION obsmeta.publish_release(name text, public_date timestamptz DEFAULT now()) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release := obsmeta.release_row(name);
BEGIN
    IF r.kind = 'prompt' THEN
        RAISE EXCEPTION 'release "%" is the prompt release: its rows are public with their images', name
              USING ERRCODE = '22023', HINT = 'Only Data Releases have a public date.';
    END IF;
    IF public_date IS NULL THEN
        RAISE EXCEPTION 'a public date is needed' USING ERRCODE = '22004';
    END IF;
    UPDATE obsmeta.release x SET public_date = publish_release.public_date WHERE x.name = publish_release.name;
    RETURN public_date;
END $$;
COMMENT ON FUNCTION obsmeta.publish_release(text, timestamptz) IS
  'Sets a Data Release''s public date (default now). Its rows become visible to readers at that date; CAOM2 takes its values at once if the date has passed, else at obsmeta.apply_releases() after it';

CREATE FUNCTION obsmeta.retract_release(name text, reason text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release := obsmeta.release_row(name);
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a retraction needs a reason' USING ERRCODE = '22023';
    END IF;
    IF r.retracted_at IS NULL THEN
        UPDATE obsmeta.release x SET retracted_at = now(), retraction_reason = reason WHERE x.name = retract_release.name;
    END IF;
END $$;
COMMENT ON FUNCTION obsmeta.retract_release(text, text) IS
  'Retracts a release: its rows stay (staff see them) but leave the current views and CAOM2, where the previous best returns';

CREATE FUNCTION obsmeta.restore_release(name text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r obsmeta.release := obsmeta.release_row(name);
BEGIN
    IF r.retracted_at IS NOT NULL THEN
        UPDATE obsmeta.release x SET retracted_at = NULL, retraction_reason = NULL WHERE x.name = restore_release.name;
    END IF;
END $$;
COMMENT ON FUNCTION obsmeta.restore_release(text) IS 'Undoes a retraction';

-- Catch-up for Data Releases whose public_date has passed since CAOM2 last looked (a release dated
-- in the future when it was published). Cheap when there is nothing to do; call it from any
-- scheduler, or by hand on release day.
CREATE FUNCTION obsmeta.apply_releases() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    due text[];
BEGIN
    SELECT array_agg(r.name) INTO due FROM obsmeta.release r
     WHERE r.kind <> 'prompt' AND r.retracted_at IS NULL AND r.public_date <= now()
       AND (r.caom2_applied_at IS NULL OR r.caom2_applied_at < r.public_date);
    IF due IS NULL THEN
        RETURN 0;
    END IF;
    RETURN obsmeta.rubin_apply_releases(due);
END $$;
COMMENT ON FUNCTION obsmeta.apply_releases() IS
  'Brings CAOM2 up to date with Data Releases that became public since it last looked; returns the number of planes and chunks changed';

CREATE FUNCTION obsmeta.apply_rubin_results(release text DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF release IS NOT NULL THEN
        PERFORM obsmeta.release_row(release);
    END IF;
    RETURN obsmeta.rubin_apply_releases(CASE WHEN release IS NOT NULL THEN ARRAY[release] END);
END $$;
COMMENT ON FUNCTION obsmeta.apply_rubin_results(text) IS
  'Re-decides the CAOM2 values of every image with results (of one release, or all): a repair tool; returns the number of planes and chunks changed';

REVOKE EXECUTE ON FUNCTION obsmeta.publish_release(text, timestamptz), obsmeta.retract_release(text, text),
       obsmeta.restore_release(text), obsmeta.apply_releases(), obsmeta.apply_rubin_results(text),
       obsmeta.rubin_apply_planes(uuid[], boolean), obsmeta.rubin_apply_chunks(uuid[], integer[], boolean),
       obsmeta.rubin_apply_releases(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.publish_release(text, timestamptz), obsmeta.retract_release(text, text),
       obsmeta.restore_release(text), obsmeta.apply_releases(), obsmeta.apply_rubin_results(text)
   TO obsmeta_release_manager;
GRANT EXECUTE ON FUNCTION obsmeta.apply_releases() TO obsmeta_writer, obsmeta_staff;
-- obsmeta install script, part 50: rows that wait for their parents.
-- Computed from the mirror itself, so it is never stale: a row is listed exactly while the parent
-- it needs is missing, and converts (and leaves this view) in the transaction that brings it.
CREATE VIEW obsmeta.pending AS
SELECT 'gen3.exposure'::text AS mirror_table, e.instrument || '/' || e.id AS mirror_key,
       'gen3.physical_filter ' || e.instrument || '/' || e.physical_filter AS waiting_for
  FROM gen3.exposure e
 WHERE NOT EXISTS (SELECT 1 FROM gen3.physical_filter f WHERE f.instrument = e.instrument AND f.name = e.physical_filter)
UNION ALL
SELECT 'gen3.visit', v.instrument || '/' || v.id, 'gen3.physical_filter ' || v.instrument || '/' || v.physical_filter
  FROM gen3.visit v
 WHERE NOT EXISTS (SELECT 1 FROM gen3.physical_filter f WHERE f.instrument = v.instrument AND f.name = v.physical_filter)
UNION ALL
SELECT 'gen3.visit_definition', vd.instrument || '/' || vd.exposure || '/' || vd.visit,
       CASE WHEN NOT EXISTS (SELECT 1 FROM gen3.exposure e WHERE e.instrument = vd.instrument AND e.id = vd.exposure)
            THEN 'gen3.exposure ' || vd.instrument || '/' || vd.exposure
            ELSE 'gen3.visit ' || vd.instrument || '/' || vd.visit END
  FROM gen3.visit_definition vd
 WHERE NOT EXISTS (SELECT 1 FROM gen3.exposure e WHERE e.instrument = vd.instrument AND e.id = vd.exposure)
    OR NOT EXISTS (SELECT 1 FROM gen3.visit v WHERE v.instrument = vd.instrument AND v.id = vd.visit)
UNION ALL
SELECT 'gen3.visit_detector_region', g.instrument || '/' || g.visit || '/' || g.detector,
       'gen3.visit ' || g.instrument || '/' || g.visit
  FROM gen3.visit_detector_region g
 WHERE NOT EXISTS (SELECT 1 FROM gen3.visit v WHERE v.instrument = g.instrument AND v.id = g.visit)
UNION ALL
SELECT 'gen3.dataset', d.id::text,
       CASE t.observation_level
         WHEN 'exposure' THEN 'gen3.exposure ' || d.instrument || '/' || d.exposure
         WHEN 'visit' THEN 'gen3.visit ' || d.instrument || '/' || d.visit
         ELSE 'a complete coadd data ID (skymap, tract, patch, band)' END
  FROM gen3.dataset d
  JOIN obsmeta.dataset_type_config t ON t.dataset_type = d.dataset_type AND t.publish
 WHERE NOT EXISTS (SELECT 1 FROM obsmeta.dataset_plane dp WHERE dp.dataset_id = d.id)
UNION ALL
SELECT 'gen3.file_datastore_record', r.dataset_id || '/' || r.component, 'gen3.dataset ' || r.dataset_id
  FROM gen3.file_datastore_record r
 WHERE NOT EXISTS (SELECT 1 FROM gen3.dataset d WHERE d.id = r.dataset_id);
COMMENT ON VIEW obsmeta.pending IS
  'Mirror rows not (yet) converted because a parent row is missing; each converts when its parent arrives';
-- obsmeta install script, part 55: consistency checks the tests (and DBAs) run.
CREATE FUNCTION obsmeta.verify_caom2() RETURNS TABLE (problem text, row_count bigint)
    LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT 'artifact without its plane', count(*) FROM caom2.artifact a
     WHERE NOT EXISTS (SELECT 1 FROM caom2.plane p WHERE p.plane_id = a.plane_id) HAVING count(*) > 0
    UNION ALL
    SELECT 'part without its artifact', count(*) FROM caom2.part p
     WHERE NOT EXISTS (SELECT 1 FROM caom2.artifact a WHERE a.artifact_id = p.artifact_id) HAVING count(*) > 0
    UNION ALL
    SELECT 'chunk without its part', count(*) FROM caom2.chunk c
     WHERE NOT EXISTS (SELECT 1 FROM caom2.part p WHERE p.part_id = c.part_id) HAVING count(*) > 0
    UNION ALL
    SELECT 'converted dataset without its plane', count(*) FROM obsmeta.dataset_plane dp
     WHERE NOT EXISTS (SELECT 1 FROM caom2.plane p WHERE p.plane_id = dp.plane_id) HAVING count(*) > 0 $$;
COMMENT ON FUNCTION obsmeta.verify_caom2() IS 'Orphaned CAOM2 rows (none expected): one row per kind of problem';
-- obsmeta install script, part 60: EFD telemetry (C++: src/efd, src/efd_sql; see doc/efd.md).
-- Channels, compact time-chunked sample storage behind an insert-only face, reduction specs, and
-- the per-exposure / per-visit values they produce.
CREATE SCHEMA efd;
COMMENT ON SCHEMA efd IS 'EFD telemetry: channels, samples (compact chunks), reduction specs, per-exposure/visit reduced values';
GRANT USAGE ON SCHEMA efd TO obsmeta_writer, obsmeta_staff, obsmeta_reader;

CREATE TABLE efd.channel (
    id            integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    topic         text NOT NULL,
    field         text NOT NULL,
    sal_index     integer,
    unit          text,
    kind          text NOT NULL DEFAULT 'fast' CHECK (kind IN ('fast', 'slow')),
    chunk_seconds integer CHECK (chunk_seconds > 0 AND 86400 % chunk_seconds = 0),
    description   text,
    builtin       boolean NOT NULL DEFAULT false,
    CONSTRAINT channel_topic_field_sal_index_key UNIQUE NULLS NOT DISTINCT (topic, field, sal_index)
);
COMMENT ON TABLE efd.channel IS 'A telemetry quantity: EFD topic and field (array fields flattened: one channel per element, e.g. temperatureItem0), optionally one sensor instance (SAL salIndex)';
COMMENT ON COLUMN efd.channel.sal_index IS 'SAL salIndex of the sensor instance (e.g. ESS 301 = weather tower); NULL when the topic has none';
COMMENT ON COLUMN efd.channel.kind IS 'fast (10-100 Hz, e.g. mount encoders) or slow (~1 Hz and events); sets the default chunk length';
COMMENT ON COLUMN efd.channel.chunk_seconds IS 'Length of a storage chunk (divides a day); NULL = 10 s for fast, 600 s for slow channels (a chunk row then stays below a page and is read without TOAST). Fixed once the channel has samples';

-- The samples, in compact chunks: one row per channel and chunk_seconds-aligned interval, times as
-- bit-packed delta-of-deltas and values as bit-packed XORs (src/efd/chunk_codec). Partitioned by
-- month so that old telemetry can be detached; partitions are created on demand
-- (efd.ensure_partition) with toast_tuple_target = 8160: a chunk of up to ~8 kB stays in its heap
-- row, uncompressed, so that reductions decode it in place (no TOAST fetch, no copy).
CREATE TABLE efd.chunk (
    channel     integer NOT NULL REFERENCES efd.channel (id) ON DELETE CASCADE,
    chunk_start timestamptz NOT NULL,
    first_time  timestamptz NOT NULL,
    last_time   timestamptz NOT NULL,
    n_samples   integer NOT NULL,
    data        bytea NOT NULL,
    -- Moments of the chunk's non-NaN values (count, min, max, and the sums of (value - shift) and of
    -- its square, shift = the first value): a window that contains the whole chunk takes them as
    -- they are, without reading or decoding data. NULL: not computed (the chunk is decoded).
    n_valid     integer,
    v_min       double precision,
    v_max       double precision,
    v_shift     double precision,
    v_sum       double precision,
    v_sum_sq    double precision,
    PRIMARY KEY (channel, chunk_start) INCLUDE (first_time, last_time, n_valid, v_min, v_max, v_shift, v_sum, v_sum_sq)
) PARTITION BY RANGE (chunk_start);
ALTER TABLE efd.chunk ALTER COLUMN data SET STORAGE EXTERNAL;  -- already compact: skip TOAST compression
COMMENT ON TABLE efd.chunk IS 'EFD samples of one channel and time interval, encoded (read them with efd.samples or efd.samples_for); monthly partitions efd.chunk_YYYYMM';
COMMENT ON COLUMN efd.chunk.n_valid IS 'Number of non-NaN values; with v_min, v_max, v_shift, v_sum (of value - v_shift) and v_sum_sq (of its square) the moments that mean/min/max/stddev/count merge for windows containing the chunk (in the primary key''s index: read by index-only scans)';

-- Stored chunks are found by the channel's chunk length (chunk_seconds, or the default of its kind):
-- changing it once samples exist would hide them from every reduction, so it is refused.
CREATE FUNCTION efd.channel_chunk_length_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    old_len integer := coalesce(OLD.chunk_seconds, CASE OLD.kind WHEN 'fast' THEN 10 ELSE 600 END);
    new_len integer := coalesce(NEW.chunk_seconds, CASE NEW.kind WHEN 'fast' THEN 10 ELSE 600 END);
BEGIN
    IF old_len <> new_len AND EXISTS (SELECT 1 FROM efd.chunk c WHERE c.channel = OLD.id) THEN
        RAISE EXCEPTION 'EFD channel % (%.%) has stored samples in % s chunks; its chunk length cannot become % s',
                        OLD.id, OLD.topic, OLD.field, old_len, new_len
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set chunk_seconds (or kind) before loading samples, or create a new channel.';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER efd_channel_chunk_length BEFORE UPDATE OF chunk_seconds, kind ON efd.channel
    FOR EACH ROW EXECUTE FUNCTION efd.channel_chunk_length_guard();

CREATE FUNCTION efd.ensure_partition(t timestamptz) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    m_start timestamptz := date_trunc('month', t, 'UTC');
    name text := 'chunk_' || to_char(t AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
    IF to_regclass('efd.' || name) IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('efd.chunk partitions'));
        IF to_regclass('efd.' || name) IS NULL THEN
            EXECUTE format('CREATE TABLE efd.%I PARTITION OF efd.chunk FOR VALUES FROM (%L) TO (%L) '
                           'WITH (toast_tuple_target = 8160)', name, m_start, m_start + interval '1 month');
        END IF;
    END IF;
    RETURN ('efd.' || name)::regclass;
END $$;
COMMENT ON FUNCTION efd.ensure_partition(timestamptz) IS 'Creates the monthly partition of efd.chunk holding time t if missing';
REVOKE EXECUTE ON FUNCTION efd.ensure_partition(timestamptz) FROM PUBLIC;

-- The insert face: INSERT or COPY samples here. Rows are never stored in this table: a C++ row
-- trigger buffers them and the statement's end merges them into efd.chunk (duplicates of a
-- (channel, time) are stored once, the last written value winning).
CREATE TABLE efd.sample (
    channel   integer,
    time      timestamptz,
    value     double precision,
    topic     text,
    field     text,
    sal_index integer
);
COMMENT ON TABLE efd.sample IS 'Write EFD samples here (INSERT or COPY): channel id, or topic + field (+ sal_index); time; value (NULL or NaN = missing). Always reads empty: samples go to efd.chunk';

CREATE FUNCTION efd.sample_buffer() RETURNS trigger AS 'MODULE_PATHNAME', 'obsmeta_efd_sample_buffer' LANGUAGE C;
-- jit off: the flush and recomputation statements are small and set-based; JIT compilation would
-- cost more than it saves (their cost estimates over arrays are often high).
CREATE FUNCTION efd.sample_flush() RETURNS trigger AS 'MODULE_PATHNAME', 'obsmeta_efd_sample_flush' LANGUAGE C SET jit = off;
CREATE TRIGGER efd_sample_buffer BEFORE INSERT ON efd.sample FOR EACH ROW EXECUTE FUNCTION efd.sample_buffer();
CREATE TRIGGER efd_sample_flush AFTER INSERT ON efd.sample FOR EACH STATEMENT EXECUTE FUNCTION efd.sample_flush();
ALTER TABLE efd.sample ENABLE ALWAYS TRIGGER efd_sample_buffer, ENABLE ALWAYS TRIGGER efd_sample_flush;

-- What to precompute per exposure / visit.
CREATE TABLE efd.reduction (
    id                  integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    output_name         text NOT NULL UNIQUE,
    method              text NOT NULL CHECK (method IN ('mean', 'min', 'max', 'stddev', 'count', 'first', 'last',
                            'most_recent_value', 'twmean_locf', 'twmean_linear', 'interpolate', 'locf',
                            'rms_from_polynomial_fit')),
    channel             integer NOT NULL REFERENCES efd.channel (id) ON DELETE CASCADE,
    pooled_channels     integer[] NOT NULL DEFAULT '{}',
    unpivot             boolean NOT NULL DEFAULT false,
    for_exposure        boolean NOT NULL DEFAULT true,
    for_visit           boolean NOT NULL DEFAULT true,
    window_begin_offset interval NOT NULL DEFAULT '0',
    window_end_offset   interval NOT NULL DEFAULT '0',
    anchor              text NOT NULL DEFAULT 'middle' CHECK (anchor IN ('begin', 'middle', 'end')),
    reach               interval NOT NULL DEFAULT '10 minutes' CHECK (reach >= interval '0'),
    ddof                integer NOT NULL DEFAULT 1 CHECK (ddof >= 0),
    degree              integer NOT NULL DEFAULT 1 CHECK (degree BETWEEN 0 AND 20),
    fit_basis           text NOT NULL DEFAULT 'index' CHECK (fit_basis IN ('index', 'time')),
    pre_aggregate       interval CHECK (pre_aggregate > interval '0'),
    environment         text CHECK (environment IN ('seeing', 'humidity', 'elevation', 'tau', 'wavelength_tau',
                            'ambient_temp', 'photometric')),
    environment_scale   double precision NOT NULL DEFAULT 1,
    unit                text,
    ucd                 text,
    description         text,
    in_summary          boolean NOT NULL DEFAULT false,
    source              text NOT NULL DEFAULT 'user',
    enabled             boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX reduction_environment_key ON efd.reduction (environment) WHERE enabled AND environment IS NOT NULL;
COMMENT ON TABLE efd.reduction IS 'A reduction precomputed for every exposure and/or visit into efd.exposure_value / efd.visit_value (see doc/efd.md for each method''s exact semantics)';
COMMENT ON COLUMN efd.reduction.channel IS 'The channel reduced (the first one when several are pooled)';
COMMENT ON COLUMN efd.reduction.pooled_channels IS 'Further channels pooled into the same output (several sensors or sensor instances)';
COMMENT ON COLUMN efd.reduction.unpivot IS 'One value per channel (field) instead of one pooled value (Rubin store_unpivoted)';
COMMENT ON COLUMN efd.reduction.window_begin_offset IS 'Added to the image''s begin: negative pads the window or looks back (Rubin start_offset)';
COMMENT ON COLUMN efd.reduction.window_end_offset IS 'Added to the image''s end: positive pads the window';
COMMENT ON COLUMN efd.reduction.anchor IS 'Where interpolate / locf are evaluated: window begin, middle or end';
COMMENT ON COLUMN efd.reduction.reach IS 'How far outside the window interpolate, locf and the time-weighted means look for samples';
COMMENT ON COLUMN efd.reduction.pre_aggregate IS 'Rubin pre_aggregate_interval: samples first reduced in bins of this length (mean, min, max)';
COMMENT ON COLUMN efd.reduction.environment IS 'The CAOM2 Environment attribute this output fills (value times environment_scale)';

-- Images (exposures and visits) with their time spans: maintained from gen3 by obsmeta's
-- triggers; lets late samples find the images they affect.
CREATE TABLE efd.image (
    kind         text NOT NULL CHECK (kind IN ('exposure', 'visit')),
    instrument   text NOT NULL,
    id           bigint NOT NULL,
    obs_id       uuid NOT NULL,
    span         tstzrange,
    zenith_angle double precision,
    PRIMARY KEY (kind, instrument, id)
);
CREATE INDEX image_span_idx ON efd.image USING gist (span);
CREATE INDEX image_obs_id_idx ON efd.image (obs_id);
COMMENT ON TABLE efd.image IS 'Exposures and visits with a timespan (from gen3), indexed by time; written by obsmeta only';

-- Reduced values: one row per image, its outputs in a jsonb object {output_name: value} (an
-- unpivoted output holds an object {field: value}; NaN is stored as the string "NaN"). One row per
-- image keeps writing a night's values cheap (a row per value costs more than the reduction
-- itself); the views efd.exposure_value / efd.visit_value give one row per value.
CREATE TABLE efd.exposure_values (
    instrument  text NOT NULL,
    exposure    bigint NOT NULL,
    obs_id      uuid NOT NULL,
    "values"    jsonb NOT NULL DEFAULT '{}',
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instrument, exposure)
);
CREATE INDEX exposure_values_obs_id_idx ON efd.exposure_values (obs_id);
COMMENT ON TABLE efd.exposure_values IS 'Reduced EFD values per exposure as {output_name: value}; follows the exposure''s embargo (row-level security)';
COMMENT ON COLUMN efd.exposure_values.obs_id IS 'The exposure''s CAOM2 observation (obsmeta.exposure_obs_id): the row is visible when it is';

CREATE TABLE efd.visit_values (
    instrument  text NOT NULL,
    visit       bigint NOT NULL,
    obs_id      uuid NOT NULL,
    "values"    jsonb NOT NULL DEFAULT '{}',
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instrument, visit)
);
CREATE INDEX visit_values_obs_id_idx ON efd.visit_values (obs_id);
-- The objects (hundreds of numbers each) are compressed with lz4 where the server has it: pglz,
-- the default, costs more CPU than reducing the telemetry does. Without lz4 they are not compressed.
DO $$
BEGIN
    ALTER TABLE efd.exposure_values ALTER COLUMN "values" SET COMPRESSION lz4;
    ALTER TABLE efd.visit_values ALTER COLUMN "values" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    ALTER TABLE efd.exposure_values ALTER COLUMN "values" SET STORAGE EXTERNAL;
    ALTER TABLE efd.visit_values ALTER COLUMN "values" SET STORAGE EXTERNAL;
END
$$;
COMMENT ON TABLE efd.visit_values IS 'Reduced EFD values per visit as {output_name: value}; follows the visit''s embargo (row-level security)';

-- Embargo: a row is visible exactly when its observation is.
ALTER TABLE efd.exposure_values ENABLE ROW LEVEL SECURITY;
ALTER TABLE efd.visit_values ENABLE ROW LEVEL SECURITY;
CREATE POLICY exposure_values_visible ON efd.exposure_values FOR SELECT TO PUBLIC USING (obsmeta.observation_visible(obs_id));
CREATE POLICY visit_values_visible ON efd.visit_values FOR SELECT TO PUBLIC USING (obsmeta.observation_visible(obs_id));

-- One row per value (security_invoker: the embargo policy applies to the caller).
CREATE VIEW efd.exposure_value WITH (security_invoker = true) AS
SELECT v.instrument, v.exposure, o.key AS output_name, coalesce(f.key, '') AS field,
       (coalesce(f.value, o.value) #>> '{}')::double precision AS value, v.obs_id, v.computed_at
  FROM efd.exposure_values v
 CROSS JOIN LATERAL jsonb_each(v."values") o
  LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(o.value) = 'object' THEN o.value END) f ON true;
COMMENT ON VIEW efd.exposure_value IS 'Reduced EFD values, one row per exposure, output and (unpivoted outputs) field';
CREATE VIEW efd.visit_value WITH (security_invoker = true) AS
SELECT v.instrument, v.visit, o.key AS output_name, coalesce(f.key, '') AS field,
       (coalesce(f.value, o.value) #>> '{}')::double precision AS value, v.obs_id, v.computed_at
  FROM efd.visit_values v
 CROSS JOIN LATERAL jsonb_each(v."values") o
  LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(o.value) = 'object' THEN o.value END) f ON true;
COMMENT ON VIEW efd.visit_value IS 'Reduced EFD values, one row per visit, output and (unpivoted outputs) field';

-- Values of a removed or renamed reduction go with it. (A statement trigger instead of a foreign
-- key: a per-row RI check would double the cost of writing values.)
CREATE FUNCTION efd.reduction_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    UPDATE efd.exposure_values v SET "values" = v."values" - gone.names
      FROM (SELECT array_agg(o.output_name) AS names FROM old_rows o
             WHERE NOT EXISTS (SELECT 1 FROM efd.reduction r WHERE r.output_name = o.output_name)) gone
     WHERE gone.names IS NOT NULL AND v."values" ?| gone.names;
    UPDATE efd.visit_values v SET "values" = v."values" - gone.names
      FROM (SELECT array_agg(o.output_name) AS names FROM old_rows o
             WHERE NOT EXISTS (SELECT 1 FROM efd.reduction r WHERE r.output_name = o.output_name)) gone
     WHERE gone.names IS NOT NULL AND v."values" ?| gone.names;
    RETURN NULL;
END $$;
CREATE TRIGGER efd_reduction_deleted AFTER DELETE ON efd.reduction REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION efd.reduction_changed();
CREATE TRIGGER efd_reduction_updated AFTER UPDATE ON efd.reduction REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION efd.reduction_changed();
-- obsmeta install script, part 61: EFD functions — reductions over a channel and time range,
-- aggregates, raw samples, recomputation and CAOM2 Environment.

-- One reduction over one or several pooled channels and a window [window_begin, window_end]
-- (both included). Methods and their exact semantics: doc/efd.md.
CREATE FUNCTION efd.reduce(channels integer[], method text, window_begin timestamptz, window_end timestamptz,
                           reach interval DEFAULT '10 minutes', anchor text DEFAULT 'middle', ddof integer DEFAULT 1,
                           degree integer DEFAULT 1, fit_basis text DEFAULT 'index', pre_aggregate interval DEFAULT NULL)
    RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_reduce' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION efd.reduce(integer[], text, timestamptz, timestamptz, interval, text, integer, integer, text, interval) IS
  'EFD reduction (mean, min, max, stddev, count, first, last, most_recent_value, twmean_locf, twmean_linear, interpolate, locf, rms_from_polynomial_fit) of channels over [window_begin, window_end]';

CREATE FUNCTION efd.mean(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'mean', window_begin, window_end) $$;
CREATE FUNCTION efd.min(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'min', window_begin, window_end) $$;
CREATE FUNCTION efd.max(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'max', window_begin, window_end) $$;
CREATE FUNCTION efd.stddev(channel integer, window_begin timestamptz, window_end timestamptz, ddof integer DEFAULT 1)
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT efd.reduce(ARRAY[channel], 'stddev', window_begin, window_end, ddof => ddof) $$;
CREATE FUNCTION efd.count(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'count', window_begin, window_end)::bigint $$;
CREATE FUNCTION efd.first(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'first', window_begin, window_end) $$;
CREATE FUNCTION efd.last(channel integer, window_begin timestamptz, window_end timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT efd.reduce(ARRAY[channel], 'last', window_begin, window_end) $$;
CREATE FUNCTION efd.twmean(channel integer, window_begin timestamptz, window_end timestamptz,
                           interpolation text DEFAULT 'locf', reach interval DEFAULT '10 minutes')
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT efd.reduce(ARRAY[channel], CASE interpolation WHEN 'linear' THEN 'twmean_linear' WHEN 'locf' THEN 'twmean_locf'
                                       ELSE 'twmean_' || interpolation END, window_begin, window_end, reach => reach) $$;
CREATE FUNCTION efd.interpolate(channel integer, at timestamptz, reach interval DEFAULT '10 minutes')
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT efd.reduce(ARRAY[channel], 'interpolate', at, at, reach => reach, anchor => 'begin') $$;
CREATE FUNCTION efd.locf(channel integer, at timestamptz, reach interval DEFAULT '10 minutes')
    RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT efd.reduce(ARRAY[channel], 'locf', at, at, reach => reach, anchor => 'begin') $$;

-- A channel's id by name.
CREATE FUNCTION efd.channel_id(topic text, field text, sal_index integer DEFAULT NULL) RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.id FROM efd.channel c WHERE c.topic = $1 AND c.field = $2 AND c.sal_index IS NOT DISTINCT FROM $3 $$;

-- Raw samples of a channel in [from, to], in time order (needs SELECT on efd.chunk: staff, writers).
CREATE FUNCTION efd.samples(channel integer, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE ("time" timestamptz, value double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_efd_samples' LANGUAGE C STABLE STRICT;

-- Raw samples of a channel over an exposure's / visit's span ± padding, for anyone who may see
-- the image (embargo); nothing for an image one may not see or that does not exist.
CREATE FUNCTION efd.image_samples(kind text, instrument text, id bigint, channel integer, padding interval)
    RETURNS TABLE ("time" timestamptz, value double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_efd_image_samples' LANGUAGE C STABLE;
CREATE FUNCTION efd.samples_for(instrument text, exposure bigint, channel integer, padding interval DEFAULT '0')
    RETURNS TABLE ("time" timestamptz, value double precision) LANGUAGE sql STABLE
    AS $$ SELECT * FROM efd.image_samples('exposure', instrument, exposure, channel, padding) $$;
CREATE FUNCTION efd.samples_for_visit(instrument text, visit bigint, channel integer, padding interval DEFAULT '0')
    RETURNS TABLE ("time" timestamptz, value double precision) LANGUAGE sql STABLE
    AS $$ SELECT * FROM efd.image_samples('visit', instrument, visit, channel, padding) $$;
COMMENT ON FUNCTION efd.samples_for(text, bigint, integer, interval) IS
  'Samples of a channel during an exposure (± padding), in time order; empty when the exposure is unknown or embargoed for the caller';

-- Aggregates over (time, value) rows.
CREATE FUNCTION efd.agg_add_value(internal, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_value' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION efd.agg_add(internal, timestamptz, double precision) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION efd.agg_add_window(internal, timestamptz, double precision, timestamptz, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_window' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION efd.agg_add_at(internal, timestamptz, double precision, timestamptz) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_at' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION efd.agg_add_fit(internal, timestamptz, double precision, integer, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_add_fit' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION efd.agg_nanmean(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanmean' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_nanmin(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanmin' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_nanmax(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanmax' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_nanstddev(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_nanstddev' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_twmean_locf(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_twmean_locf' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_twmean_linear(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_twmean_linear' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_interpolate(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_interpolate' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_locf(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_locf' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_most_recent_value(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_most_recent_value' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION efd.agg_rms_from_polynomial_fit(internal) RETURNS double precision AS 'MODULE_PATHNAME', 'obsmeta_efd_agg_rms_from_polynomial_fit' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE efd.nanmean(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanmean);
CREATE AGGREGATE efd.nanmin(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanmin);
CREATE AGGREGATE efd.nanmax(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanmax);
CREATE AGGREGATE efd.nanstddev(double precision) (SFUNC = efd.agg_add_value, STYPE = internal, FINALFUNC = efd.agg_nanstddev);
CREATE AGGREGATE efd.twmean_locf(timestamptz, double precision, timestamptz, timestamptz)
    (SFUNC = efd.agg_add_window, STYPE = internal, FINALFUNC = efd.agg_twmean_locf);
CREATE AGGREGATE efd.twmean_linear(timestamptz, double precision, timestamptz, timestamptz)
    (SFUNC = efd.agg_add_window, STYPE = internal, FINALFUNC = efd.agg_twmean_linear);
CREATE AGGREGATE efd.interpolate(timestamptz, double precision, timestamptz)
    (SFUNC = efd.agg_add_at, STYPE = internal, FINALFUNC = efd.agg_interpolate);
CREATE AGGREGATE efd.locf(timestamptz, double precision, timestamptz)
    (SFUNC = efd.agg_add_at, STYPE = internal, FINALFUNC = efd.agg_locf);
CREATE AGGREGATE efd.most_recent_value(timestamptz, double precision)
    (SFUNC = efd.agg_add, STYPE = internal, FINALFUNC = efd.agg_most_recent_value);
CREATE AGGREGATE efd.rms_from_polynomial_fit(timestamptz, double precision, integer, text)
    (SFUNC = efd.agg_add_fit, STYPE = internal, FINALFUNC = efd.agg_rms_from_polynomial_fit);

-- Recomputation.
CREATE FUNCTION efd.mark_images(kind text, instruments text[], ids bigint[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'obsmeta_efd_mark_images' LANGUAGE C VOLATILE SET jit = off;
COMMENT ON FUNCTION efd.mark_images(text, text[], bigint[]) IS 'Internal: images whose EFD values are recomputed at statement end or commit';
REVOKE EXECUTE ON FUNCTION efd.mark_images(text, text[], bigint[]) FROM PUBLIC;
CREATE FUNCTION efd.refresh() RETURNS bigint AS 'MODULE_PATHNAME', 'obsmeta_efd_refresh' LANGUAGE C VOLATILE SET jit = off;
COMMENT ON FUNCTION efd.refresh() IS 'Writes buffered samples and recomputes the affected images'' EFD values now (otherwise at commit); returns the number of values computed';
CREATE FUNCTION efd.recompute(kind text DEFAULT NULL, "from" timestamptz DEFAULT '-infinity', "to" timestamptz DEFAULT 'infinity')
    RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM efd.mark_images(k, array_agg(i.instrument), array_agg(i.id))
       FROM unnest(ARRAY['exposure', 'visit']) AS k
       JOIN efd.image i ON i.kind = k AND i.span && tstzrange("from", "to", '[]')
      WHERE recompute.kind IS NULL OR k = recompute.kind
      GROUP BY k;
    RETURN efd.refresh();
END $$;
COMMENT ON FUNCTION efd.recompute(text, timestamptz, timestamptz) IS
  'Recomputes every EFD value of the images overlapping [from, to] (e.g. after changing efd.reduction); returns the number of values computed';
REVOKE EXECUTE ON FUNCTION efd.recompute(text, timestamptz, timestamptz) FROM PUBLIC;

-- CAOM2 Environment of observations from their images' EFD values (outputs with an environment
-- role), elevation falling back to 90 - zenith angle. Writes only rows whose values change.
CREATE FUNCTION efd.fill_environment(obs_ids uuid[]) RETURNS integer
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
WITH img AS (SELECT i.* FROM efd.image i WHERE i.obs_id = ANY (obs_ids)),
roles AS (SELECT r.output_name, r.environment, r.environment_scale FROM efd.reduction r
           WHERE r.enabled AND r.environment IS NOT NULL),
vals AS (
    SELECT img.obs_id, roles.environment, (v."values" ->> roles.output_name)::double precision * roles.environment_scale AS value
      FROM img JOIN efd.exposure_values v ON img.kind = 'exposure' AND v.instrument = img.instrument AND v.exposure = img.id
     CROSS JOIN roles WHERE jsonb_typeof(v."values" -> roles.output_name) IN ('number', 'string')
    UNION ALL
    SELECT img.obs_id, roles.environment, (v."values" ->> roles.output_name)::double precision * roles.environment_scale
      FROM img JOIN efd.visit_values v ON img.kind = 'visit' AND v.instrument = img.instrument AND v.visit = img.id
     CROSS JOIN roles WHERE jsonb_typeof(v."values" -> roles.output_name) IN ('number', 'string')),
env AS (
    SELECT img.obs_id,
           max(vals.value) FILTER (WHERE vals.environment = 'seeing') AS seeing,
           max(vals.value) FILTER (WHERE vals.environment = 'humidity') AS humidity,
           coalesce(max(vals.value) FILTER (WHERE vals.environment = 'elevation'), 90 - img.zenith_angle) AS elevation,
           max(vals.value) FILTER (WHERE vals.environment = 'tau') AS tau,
           max(vals.value) FILTER (WHERE vals.environment = 'wavelength_tau') AS wavelength_tau,
           max(vals.value) FILTER (WHERE vals.environment = 'ambient_temp') AS ambient_temp,
           bool_or(vals.value <> 0) FILTER (WHERE vals.environment = 'photometric') AS photometric
      FROM img LEFT JOIN vals ON vals.obs_id = img.obs_id
     GROUP BY img.obs_id, img.zenith_angle),
changed AS (
    UPDATE caom2.observation o
       SET environment_seeing = env.seeing, environment_humidity = env.humidity, environment_elevation = env.elevation,
           environment_tau = env.tau, environment_wavelength_tau = env.wavelength_tau,
           environment_ambient_temp = env.ambient_temp, environment_photometric = env.photometric,
           last_modified = now(), max_last_modified = now()
      FROM env
     WHERE o.obs_id = env.obs_id
       AND (o.environment_seeing, o.environment_humidity, o.environment_elevation, o.environment_tau,
            o.environment_wavelength_tau, o.environment_ambient_temp, o.environment_photometric)
           IS DISTINCT FROM (env.seeing, env.humidity, env.elevation, env.tau, env.wavelength_tau, env.ambient_temp,
                             env.photometric)
    RETURNING 1)
SELECT count(*)::integer FROM changed $$;
REVOKE EXECUTE ON FUNCTION efd.fill_environment(uuid[]) FROM PUBLIC;
-- obsmeta install script, part 62: EFD values follow the images. Statement-level triggers on
-- gen3.exposure / gen3.visit keep efd.image (spans) and mark images for recomputation; a trigger
-- on caom2.observation fills Environment when an observation is created after its EFD values.
-- All ENABLE ALWAYS (they fire under logical replication too), named efd_* so that they run
-- before the conversion's obsmeta_capture_* triggers of the same event.

CREATE FUNCTION efd.image_rows_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    INSERT INTO efd.image AS i (kind, instrument, id, obs_id, span, zenith_angle)
    SELECT TG_TABLE_NAME, n.instrument, n.id,
           CASE TG_TABLE_NAME WHEN 'exposure' THEN obsmeta.exposure_obs_id(n.instrument, n.id)
                              ELSE obsmeta.visit_obs_id(n.instrument, n.id) END,
           CASE WHEN n.timespan_begin IS NOT NULL AND n.timespan_end IS NOT NULL
                THEN tstzrange(n.timespan_begin, n.timespan_end, '[]') END,
           n.zenith_angle
      FROM new_rows n
    ON CONFLICT (kind, instrument, id) DO UPDATE SET span = EXCLUDED.span, zenith_angle = EXCLUDED.zenith_angle;
    PERFORM efd.mark_images(TG_TABLE_NAME, array_agg(n.instrument), array_agg(n.id)) FROM new_rows n HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION efd.image_rows_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    instruments text[];
    ids bigint[];
BEGIN
    -- Keys that disappeared (an UPDATE of the key) lose their values.
    DELETE FROM efd.image i USING old_rows o
     WHERE i.kind = TG_TABLE_NAME AND i.instrument = o.instrument AND i.id = o.id
       AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.instrument = o.instrument AND n.id = o.id);
    IF TG_TABLE_NAME = 'exposure' THEN
        DELETE FROM efd.exposure_values v USING old_rows o WHERE v.instrument = o.instrument AND v.exposure = o.id
           AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.instrument = o.instrument AND n.id = o.id);
    ELSE
        DELETE FROM efd.visit_values v USING old_rows o WHERE v.instrument = o.instrument AND v.visit = o.id
           AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.instrument = o.instrument AND n.id = o.id);
    END IF;
    -- Only rows whose span or zenith angle changed are recomputed.
    SELECT array_agg(n.instrument), array_agg(n.id) INTO instruments, ids
      FROM new_rows n LEFT JOIN old_rows o ON o.instrument = n.instrument AND o.id = n.id
     WHERE o.id IS NULL
        OR (o.timespan_begin, o.timespan_end, o.zenith_angle) IS DISTINCT FROM (n.timespan_begin, n.timespan_end, n.zenith_angle);
    IF instruments IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO efd.image AS i (kind, instrument, id, obs_id, span, zenith_angle)
    SELECT TG_TABLE_NAME, n.instrument, n.id,
           CASE TG_TABLE_NAME WHEN 'exposure' THEN obsmeta.exposure_obs_id(n.instrument, n.id)
                              ELSE obsmeta.visit_obs_id(n.instrument, n.id) END,
           CASE WHEN n.timespan_begin IS NOT NULL AND n.timespan_end IS NOT NULL
                THEN tstzrange(n.timespan_begin, n.timespan_end, '[]') END,
           n.zenith_angle
      FROM new_rows n JOIN unnest(instruments, ids) AS k(instrument, id) ON k.instrument = n.instrument AND k.id = n.id
    ON CONFLICT (kind, instrument, id) DO UPDATE SET span = EXCLUDED.span, zenith_angle = EXCLUDED.zenith_angle;
    PERFORM efd.mark_images(TG_TABLE_NAME, instruments, ids);
    RETURN NULL;
END $$;

CREATE FUNCTION efd.image_rows_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    DELETE FROM efd.image i USING old_rows o WHERE i.kind = TG_TABLE_NAME AND i.instrument = o.instrument AND i.id = o.id;
    IF TG_TABLE_NAME = 'exposure' THEN
        DELETE FROM efd.exposure_values v USING old_rows o WHERE v.instrument = o.instrument AND v.exposure = o.id;
    ELSE
        DELETE FROM efd.visit_values v USING old_rows o WHERE v.instrument = o.instrument AND v.visit = o.id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION efd.observation_rows_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    PERFORM efd.fill_environment(ARRAY(SELECT n.obs_id FROM new_rows n));
    RETURN NULL;
END $$;

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['exposure', 'visit'] LOOP
        EXECUTE format('CREATE TRIGGER efd_image_insert AFTER INSERT ON gen3.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION efd.image_rows_inserted()', t);
        EXECUTE format('CREATE TRIGGER efd_image_update AFTER UPDATE ON gen3.%I REFERENCING OLD TABLE AS old_rows
                          NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION efd.image_rows_updated()', t);
        EXECUTE format('CREATE TRIGGER efd_image_delete AFTER DELETE ON gen3.%I REFERENCING OLD TABLE AS old_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION efd.image_rows_deleted()', t);
        EXECUTE format('ALTER TABLE gen3.%I ENABLE ALWAYS TRIGGER efd_image_insert, ENABLE ALWAYS TRIGGER efd_image_update,
                          ENABLE ALWAYS TRIGGER efd_image_delete', t);
    END LOOP;
END
$triggers$;
CREATE TRIGGER efd_fill_environment AFTER INSERT ON caom2.observation REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION efd.observation_rows_inserted();
ALTER TABLE caom2.observation ENABLE ALWAYS TRIGGER efd_fill_environment;
-- obsmeta install script, part 63: importer of Rubin's transformed-EFD configuration
-- (lsst-dm/consdb transformed_efd/config/config_<instrument>.yaml), parsed in C++.
CREATE FUNCTION efd.parse_consdb_config(yaml text)
    RETURNS TABLE (ordinal integer, name text, tables text[], function text, ddof integer, degree integer,
                   fit_basis text, start_offset_hours double precision, pre_aggregate_seconds double precision,
                   store_unpivoted boolean, subset_field text, subset_values integer[], datatype text, unit text,
                   ucd text, description text, topics text[], fields text[], version text)
    AS 'MODULE_PATHNAME', 'obsmeta_efd_parse_consdb_config' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION efd.parse_consdb_config(text) IS
  'The output columns of a consdb transformed-EFD config file (YAML text), one row per column; topics[i]/fields[i] list each field';

-- Registers the channels the configuration reads (one per topic, field and salIndex instance) and
-- upserts one efd.reduction per output column (source = p_source); reductions of that source no
-- longer in the file are removed. Returns the number of reductions in the file.
CREATE FUNCTION efd.import_consdb_config(yaml text, p_source text DEFAULT 'consdb:lsstcam') RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    bad record;
BEGIN
    CREATE TEMP TABLE efd_import ON COMMIT DROP AS SELECT * FROM efd.parse_consdb_config(yaml);
    SELECT * INTO bad FROM efd_import WHERE subset_field IS NOT NULL AND subset_field <> 'salIndex' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'column "%": subset_field "%" is not supported', bad.name, bad.subset_field
            USING ERRCODE = 'feature_not_supported', HINT = 'obsmeta selects sensor instances by salIndex (efd.channel.sal_index).';
    END IF;
    SELECT * INTO bad FROM efd_import WHERE function NOT IN ('mean', 'min', 'max', 'stddev', 'count', 'first', 'last',
        'most_recent_value', 'twmean_locf', 'twmean_linear', 'interpolate', 'locf', 'rms_from_polynomial_fit') LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'column "%": unknown function "%"', bad.name, bad.function USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Each column's input channels, in file order.
    CREATE TEMP TABLE efd_import_channel ON COMMIT DROP AS
    SELECT c.name, f.ord, f.topic, f.field, s.sal_index, s.sord, c.unit
      FROM efd_import c
      CROSS JOIN LATERAL unnest(c.topics, c.fields) WITH ORDINALITY AS f(topic, field, ord)
      CROSS JOIN LATERAL unnest(CASE WHEN cardinality(c.subset_values) = 0 THEN ARRAY[NULL::integer]
                                     ELSE c.subset_values END) WITH ORDINALITY AS s(sal_index, sord)
     WHERE f.field IS DISTINCT FROM c.subset_field;

    INSERT INTO efd.channel (topic, field, sal_index, unit, kind)
    SELECT DISTINCT ON (topic, field, sal_index) topic, field, sal_index, nullif(unit, ''),
           CASE WHEN topic ~ '(logevent_|\.ESS\.|\.DIMM\.|\.MTAOS\.)' THEN 'slow' ELSE 'fast' END
      FROM efd_import_channel
     ORDER BY topic, field, sal_index, name
    ON CONFLICT ON CONSTRAINT channel_topic_field_sal_index_key DO NOTHING;

    INSERT INTO efd.reduction AS r (output_name, method, channel, pooled_channels, unpivot, for_exposure, for_visit,
                                    window_begin_offset, ddof, degree, fit_basis, pre_aggregate, unit, ucd, description,
                                    source)
    SELECT c.name, c.function, ch.ids[1], ch.ids[2:], c.store_unpivoted,
           c.tables && ARRAY['exposure_efd', 'exposure_efd_unpivoted'],
           c.tables && ARRAY['visit1_efd', 'visit1_efd_unpivoted'],
           coalesce(c.start_offset_hours, 0) * interval '1 hour', coalesce(c.ddof, 1), coalesce(c.degree, 1),
           coalesce(c.fit_basis, 'index'), c.pre_aggregate_seconds * interval '1 second',
           nullif(c.unit, ''), c.ucd, c.description, p_source
      FROM efd_import c
      CROSS JOIN LATERAL (
          SELECT array_agg(e.id ORDER BY ic.ord, ic.sord) AS ids
            FROM efd_import_channel ic
            JOIN efd.channel e ON e.topic = ic.topic AND e.field = ic.field AND e.sal_index IS NOT DISTINCT FROM ic.sal_index
           WHERE ic.name = c.name) ch
    ON CONFLICT (output_name) DO UPDATE SET
        method = EXCLUDED.method, channel = EXCLUDED.channel, pooled_channels = EXCLUDED.pooled_channels,
        unpivot = EXCLUDED.unpivot, for_exposure = EXCLUDED.for_exposure, for_visit = EXCLUDED.for_visit,
        window_begin_offset = EXCLUDED.window_begin_offset, ddof = EXCLUDED.ddof, degree = EXCLUDED.degree,
        fit_basis = EXCLUDED.fit_basis, pre_aggregate = EXCLUDED.pre_aggregate, unit = EXCLUDED.unit,
        ucd = EXCLUDED.ucd, description = EXCLUDED.description, source = EXCLUDED.source;

    DELETE FROM efd.reduction r WHERE r.source = p_source AND NOT EXISTS (SELECT 1 FROM efd_import c WHERE c.name = r.output_name);
    SELECT count(*) INTO n FROM efd_import;
    DROP TABLE efd_import, efd_import_channel;
    RETURN n;
END $$;
COMMENT ON FUNCTION efd.import_consdb_config(text, text) IS
  'Imports Rubin''s transformed-EFD config (YAML text): channels per topic/field/salIndex and one efd.reduction per output column; run efd.recompute() afterwards for existing images';
REVOKE EXECUTE ON FUNCTION efd.import_consdb_config(text, text) FROM PUBLIC;
-- obsmeta install script, part 64: Rubin's default EFD channels and reductions (builtin rows; the
-- LSSTCam transformed-EFD set can be added with efd.import_consdb_config).
INSERT INTO efd.channel (topic, field, sal_index, unit, kind, description, builtin) VALUES
    ('lsst.sal.MTMount.azimuth', 'actualPosition', NULL, 'deg', 'fast', 'Mount azimuth', true),
    ('lsst.sal.MTMount.elevation', 'actualPosition', NULL, 'deg', 'fast', 'Mount elevation', true),
    ('lsst.sal.MTRotator.rotation', 'actualPosition', NULL, 'deg', 'fast', 'Camera rotator angle', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 111, 'deg_C', 'slow', 'Dome temperature (ESS 111)', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 112, 'deg_C', 'slow', 'Dome temperature (ESS 112)', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 113, 'deg_C', 'slow', 'Dome temperature (ESS 113)', true),
    ('lsst.sal.ESS.temperature', 'temperatureItem0', 301, 'deg_C', 'slow', 'Outside air temperature (weather tower)', true),
    ('lsst.sal.ESS.relativeHumidity', 'relativeHumidityItem', 301, '%', 'slow', 'Outside relative humidity (weather tower)', true),
    ('lsst.sal.ESS.pressure', 'pressureItem0', 301, 'Pa', 'slow', 'Outside air pressure (weather tower)', true),
    ('lsst.sal.ESS.airFlow', 'speed', 301, 'm/s', 'slow', 'Wind speed (weather tower)', true),
    ('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', NULL, 'arcsec', 'slow', 'DIMM seeing FWHM', true);

INSERT INTO efd.reduction (output_name, method, channel, pooled_channels, anchor, reach, environment, environment_scale,
                           unit, ucd, description, in_summary, source)
SELECT d.output_name, d.method, efd.channel_id(d.topic, d.field, d.sal_index),
       coalesce((SELECT array_agg(efd.channel_id(d.topic, d.field, p)) FROM unnest(d.pooled) p), '{}'),
       d.anchor, d.reach::interval, d.environment, d.scale, d.unit, d.ucd, d.description, true, 'default'
  FROM (VALUES
    ('mount_azimuth_mean', 'mean', 'lsst.sal.MTMount.azimuth', 'actualPosition', NULL::int, NULL::int[], 'middle', '10 min', NULL, 1.0, 'deg', 'pos.az.azi;stat.mean', 'Mean mount azimuth during the exposure'),
    ('mount_elevation_mean', 'mean', 'lsst.sal.MTMount.elevation', 'actualPosition', NULL, NULL, 'middle', '10 min', NULL, 1.0, 'deg', 'pos.az.alt;stat.mean', 'Mean mount elevation during the exposure'),
    ('mount_elevation_mid', 'interpolate', 'lsst.sal.MTMount.elevation', 'actualPosition', NULL, NULL, 'middle', '10 s', 'elevation', 1.0, 'deg', 'pos.az.alt', 'Mount elevation at mid-exposure (linear interpolation)'),
    ('rotator_angle_mean', 'mean', 'lsst.sal.MTRotator.rotation', 'actualPosition', NULL, NULL, 'middle', '10 min', NULL, 1.0, 'deg', 'pos.posAng;stat.mean', 'Mean camera rotator angle'),
    ('dome_temperature_mean', 'mean', 'lsst.sal.ESS.temperature', 'temperatureItem0', 111, ARRAY[112, 113], 'middle', '10 min', NULL, 1.0, 'deg_C', 'phys.temperature;stat.mean', 'Mean dome temperature (ESS 111-113 pooled)'),
    ('outside_temperature_mean', 'twmean_locf', 'lsst.sal.ESS.temperature', 'temperatureItem0', 301, NULL, 'middle', '10 min', 'ambient_temp', 1.0, 'deg_C', 'phys.temperature;stat.mean', 'Time-weighted mean outside air temperature'),
    ('outside_humidity_mean', 'twmean_locf', 'lsst.sal.ESS.relativeHumidity', 'relativeHumidityItem', 301, NULL, 'middle', '10 min', 'humidity', 0.01, '%', 'phys.atmol.humidity;stat.mean', 'Time-weighted mean outside relative humidity'),
    ('outside_pressure_mean', 'twmean_locf', 'lsst.sal.ESS.pressure', 'pressureItem0', 301, NULL, 'middle', '10 min', NULL, 1.0, 'Pa', 'phys.pressure;stat.mean', 'Time-weighted mean outside air pressure'),
    ('wind_speed_mean', 'mean', 'lsst.sal.ESS.airFlow', 'speed', 301, NULL, 'middle', '10 min', NULL, 1.0, 'm/s', 'phys.veloc;stat.mean', 'Mean wind speed'),
    ('wind_speed_max', 'max', 'lsst.sal.ESS.airFlow', 'speed', 301, NULL, 'middle', '10 min', NULL, 1.0, 'm/s', 'phys.veloc;stat.max', 'Maximum wind speed'),
    ('dimm_seeing', 'locf', 'lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', NULL, NULL, 'middle', '15 min', 'seeing', 1.0, 'arcsec', 'instr.obsty.seeing', 'Latest DIMM seeing at mid-exposure (within 15 min)')
  ) AS d(output_name, method, topic, field, sal_index, pooled, anchor, reach, environment, scale, unit, ucd, description);

-- Joinable columns for ObsCore users (lsst_exposure / lsst_visit): the default outputs, one
-- column each. security_invoker: the embargo (row-level security) applies to the caller.
DO $views$
DECLARE
    -- the default outputs above, in the order of their columns
    outputs text[] := ARRAY['mount_azimuth_mean', 'mount_elevation_mean', 'mount_elevation_mid', 'rotator_angle_mean',
                            'dome_temperature_mean', 'outside_temperature_mean', 'outside_humidity_mean',
                            'outside_pressure_mean', 'wind_speed_mean', 'wind_speed_max', 'dimm_seeing'];
    columns text;
BEGIN
    SELECT string_agg(format('("values" ->> %L)::double precision AS %I', o, o), ', ' ORDER BY i)
      INTO columns FROM unnest(outputs) WITH ORDINALITY AS u(o, i);
    EXECUTE format('CREATE VIEW efd.exposure_summary WITH (security_invoker = true) AS
                    SELECT instrument, exposure, obs_id, %s FROM efd.exposure_values', columns);
    EXECUTE format('CREATE VIEW efd.visit_summary WITH (security_invoker = true) AS
                    SELECT instrument, visit, obs_id, %s FROM efd.visit_values', columns);
END
$views$;
COMMENT ON VIEW efd.exposure_summary IS 'Default EFD outputs per exposure as columns; join on (instrument, exposure) = ivoa.obscore lsst_exposure';
COMMENT ON VIEW efd.visit_summary IS 'Default EFD outputs per visit as columns; join on (instrument, visit) = ivoa.obscore lsst_visit';
-- obsmeta install script, part 69: EFD privileges and what pg_dump keeps.
-- Loaders insert samples (and register channels); everyone reads channels and specs; reduced
-- values are readable under the embargo policy; raw chunks are for staff and writers (readers get
-- an image's samples through efd.samples_for, which checks the embargo). Chunks, values and
-- Environment are written by obsmeta's triggers as the extension owner.
GRANT INSERT ON efd.sample TO obsmeta_writer;
GRANT SELECT, INSERT ON efd.channel TO obsmeta_writer;
GRANT SELECT ON efd.channel, efd.reduction TO obsmeta_staff, obsmeta_reader, obsmeta_writer;
GRANT SELECT ON efd.exposure_values, efd.visit_values, efd.exposure_value, efd.visit_value, efd.exposure_summary, efd.visit_summary
   TO obsmeta_staff, obsmeta_reader, obsmeta_writer;
GRANT SELECT ON efd.chunk, efd.image TO obsmeta_staff, obsmeta_writer;
GRANT EXECUTE ON FUNCTION efd.refresh() TO obsmeta_writer;

-- Configuration and data survive pg_dump (extension member tables are otherwise dumped empty).
-- The chunk partitions are created at run time, are not extension members and are dumped as
-- ordinary partitions of efd.chunk.
SELECT pg_catalog.pg_extension_config_dump('efd.channel', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('efd.reduction', 'WHERE source <> ''default''');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('efd.channel', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('efd.reduction', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump('efd.image', '');
SELECT pg_catalog.pg_extension_config_dump('efd.exposure_values', '');
SELECT pg_catalog.pg_extension_config_dump('efd.visit_values', '');
-- obsmeta install script, part 70: ivoa.obscore (IVOA ObsCore 1.1 + Rubin columns), a stored
-- table derived from CAOM2 (see doc/obscore.md).
--
-- Granularity: one row per detector-level artifact (an artifact whose chunk has lsst_detector:
-- s_region = that detector's footprint, access_url = that file) and one row per plane for
-- products with no detector (coadds), as long as the plane has at least one artifact.
-- obsmeta.obscore_source computes the rows from CAOM2; 72_obscore_maintenance.sql keeps
-- ivoa.obscore equal to it, statement by statement, in the writer's transaction.
CREATE SCHEMA ivoa;
COMMENT ON SCHEMA ivoa IS 'IVOA tables published to TAP servers: obscore (ObsCore 1.1), maintained by obsmeta';
GRANT USAGE ON SCHEMA ivoa TO obsmeta_writer, obsmeta_staff, obsmeta_reader;

-- How ObsCore identifiers and access URLs are made (one row). Templates replace {uri} (the
-- artifact URI), {path} (the URI without scheme://authority/), {dataset_id} (the Butler dataset
-- id, or the plane id for a plane without one), {artifact_id}, {plane_id}, {collection},
-- {obs_id} (ObsCore obs_id), {product_id}, {detector}, and in access URLs also
-- {obs_publisher_did} and {obs_publisher_did_encoded} (percent-encoded for a query string).
CREATE TABLE obsmeta.obscore_config (
    singleton               boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    publisher_did_template  text NOT NULL DEFAULT 'ivo://org.rubinobs/obsmeta?{dataset_id}',
    creator_did_template    text,
    -- 'direct': access_url is the file (direct_url_template), access_format its MIME type;
    -- 'datalink': access_url is a DataLink service (datalink_url_template), access_format the
    -- DataLink MIME type.
    access_mode             text NOT NULL DEFAULT 'direct' CHECK (access_mode IN ('direct', 'datalink')),
    direct_url_template     text NOT NULL DEFAULT '{uri}',
    datalink_url_template   text NOT NULL DEFAULT 'https://localhost/api/datalink/links?ID={obs_publisher_did_encoded}',
    preview_template        text,
    -- facility_name when the instrument is not in obsmeta.instrument_config (e.g. coadds)
    default_facility_name   text NOT NULL DEFAULT 'Rubin-LSST'
);
INSERT INTO obsmeta.obscore_config DEFAULT VALUES;
COMMENT ON TABLE obsmeta.obscore_config IS
  'ivoa.obscore identifiers and access: publisher DID template, direct file or DataLink access_url template, preview template (one row; changing it rebuilds ivoa.obscore)';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.obscore_config', '');
-- pg_restore inserts the dumped row after CREATE EXTENSION inserted the default: it replaces it.
CREATE FUNCTION obsmeta.obscore_config_replace() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM obsmeta.obscore_config;
    RETURN NEW;
END $$;
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.obscore_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.obscore_config_replace();

CREATE FUNCTION obsmeta.url_encode(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(CASE WHEN ch ~ '^[A-Za-z0-9._~-]$' THEN ch
                                    ELSE regexp_replace(upper(encode(convert_to(ch, 'UTF8'), 'hex')), '(..)', '%\1', 'g') END,
                               '' ORDER BY i), '')
      FROM regexp_split_to_table(s, '') WITH ORDINALITY AS t(ch, i) $$;

-- Template expansion, in two forms that give the same text: obscore_expand is plain SQL that the
-- planner inlines into obsmeta.obscore_source (no function call per row; the one regular
-- expression, for {path}, runs only when the template has {path}); it expands every placeholder
-- but the two publisher-DID ones, which it replaces by '' (there is no DID to put there). Templates
-- that use the publisher DID (access URL, preview) go to obscore_expand_did, which percent-encodes
-- it for {obs_publisher_did_encoded} only when asked.
CREATE FUNCTION obsmeta.obscore_expand(template text, uri text, dataset_id uuid, artifact_id uuid, plane_id uuid,
                                       collection text, obs_id text, product_id text, detector integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN strpos(template, '{') = 0 THEN template ELSE
      replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(template,
        '{uri}', coalesce(uri, '')),
        '{path}', CASE WHEN strpos(template, '{path}') > 0
                       THEN coalesce(regexp_replace(uri, '^[A-Za-z][A-Za-z0-9+.-]*://[^/]*/', ''), '') ELSE '' END),
        '{dataset_id}', coalesce(dataset_id::text, '')),
        '{artifact_id}', coalesce(artifact_id::text, '')),
        '{plane_id}', coalesce(plane_id::text, '')),
        '{collection}', coalesce(collection, '')),
        '{obs_id}', coalesce(obs_id, '')),
        '{product_id}', coalesce(product_id, '')),
        '{detector}', coalesce(detector::text, '')),
        '{obs_publisher_did_encoded}', ''),
        '{obs_publisher_did}', '')
    END $$;

CREATE FUNCTION obsmeta.obscore_expand_did(template text, uri text, dataset_id uuid, artifact_id uuid, plane_id uuid,
                                           collection text, obs_id text, product_id text, detector integer,
                                           publisher_did text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    r text := template;
BEGIN
    IF r IS NULL OR strpos(r, '{') = 0 THEN
        RETURN r;
    END IF;
    IF strpos(r, '{uri}') > 0 THEN r := replace(r, '{uri}', coalesce(uri, '')); END IF;
    IF strpos(r, '{path}') > 0 THEN
        r := replace(r, '{path}', coalesce(regexp_replace(uri, '^[A-Za-z][A-Za-z0-9+.-]*://[^/]*/', ''), ''));
    END IF;
    IF strpos(r, '{dataset_id}') > 0 THEN r := replace(r, '{dataset_id}', coalesce(dataset_id::text, '')); END IF;
    IF strpos(r, '{artifact_id}') > 0 THEN r := replace(r, '{artifact_id}', coalesce(artifact_id::text, '')); END IF;
    IF strpos(r, '{plane_id}') > 0 THEN r := replace(r, '{plane_id}', coalesce(plane_id::text, '')); END IF;
    IF strpos(r, '{collection}') > 0 THEN r := replace(r, '{collection}', coalesce(collection, '')); END IF;
    IF strpos(r, '{obs_id}') > 0 THEN r := replace(r, '{obs_id}', coalesce(obs_id, '')); END IF;
    IF strpos(r, '{product_id}') > 0 THEN r := replace(r, '{product_id}', coalesce(product_id, '')); END IF;
    IF strpos(r, '{detector}') > 0 THEN r := replace(r, '{detector}', coalesce(detector::text, '')); END IF;
    -- percent-encoding is not free: only when the template asks for it
    IF strpos(r, '{obs_publisher_did_encoded}') > 0 THEN
        r := replace(r, '{obs_publisher_did_encoded}', coalesce(obsmeta.url_encode(publisher_did), ''));
    END IF;
    IF strpos(r, '{obs_publisher_did}') > 0 THEN r := replace(r, '{obs_publisher_did}', coalesce(publisher_did, '')); END IF;
    RETURN r;
END $$;

CREATE TABLE ivoa.obscore (
    -- ObsCore 1.1 mandatory columns
    dataproduct_type      text,
    calib_level           integer,
    obs_collection        text NOT NULL,
    obs_id                text NOT NULL,
    obs_publisher_did     text NOT NULL,
    access_url            text,
    access_format         text,
    access_estsize        bigint,
    target_name           text,
    s_ra                  double precision,
    s_dec                 double precision,
    s_fov                 double precision,
    s_region              text,
    s_resolution          double precision,
    s_xel1                bigint,
    s_xel2                bigint,
    t_min                 double precision,
    t_max                 double precision,
    t_exptime             double precision,
    t_resolution          double precision,
    t_xel                 bigint,
    em_min                double precision,
    em_max                double precision,
    em_res_power          double precision,
    em_xel                bigint,
    o_ucd                 text,
    pol_states            text,
    pol_xel               bigint,
    facility_name         text,
    instrument_name       text,
    -- ObsCore 1.1 optional columns
    obs_release_date      timestamp,              -- UTC (DALI timestamp: no zone); see the comment below
    obs_creator_did       text,
    preview               text,
    -- Rubin columns
    lsst_visit            bigint,
    lsst_exposure         bigint,
    lsst_detector         integer,
    lsst_band             text,
    lsst_physical_filter  text,
    lsst_tract            integer,
    lsst_patch            integer,
    -- pg_sphere forms for ADQL geometry
    s_region_spoly        spoly,
    s_center              spoint,
    -- obsmeta bookkeeping (not ObsCore; not in TAP_SCHEMA)
    row_id                uuid PRIMARY KEY,
    caom_obs_id           uuid NOT NULL,
    caom_plane_id         uuid NOT NULL,
    caom_artifact_id      uuid,
    visible_from          timestamptz NOT NULL
);
CREATE INDEX obscore_s_region_spoly_idx ON ivoa.obscore USING gist (s_region_spoly);
CREATE INDEX obscore_s_center_idx ON ivoa.obscore USING gist (s_center);
CREATE INDEX obscore_caom_plane_id_idx ON ivoa.obscore (caom_plane_id);
CREATE INDEX obscore_caom_obs_id_idx ON ivoa.obscore (caom_obs_id);
CREATE INDEX obscore_obs_id_idx ON ivoa.obscore (obs_id);
CREATE INDEX obscore_obs_publisher_did_idx ON ivoa.obscore (obs_publisher_did);

COMMENT ON TABLE ivoa.obscore IS
  'IVOA ObsCore 1.1 (+ Rubin lsst_* columns): one row per detector image file, one per plane of products without detectors (coadds). Maintained by obsmeta from caom2; row-level security hides embargoed rows';
COMMENT ON COLUMN ivoa.obscore.obs_release_date IS
    'Observation release date (UTC; the plane''s dataRelease). timestamp without time zone, as DALI timestamps and CAOM2 store it: TAP servers serialize it as yyyy-mm-ddThh:mm:ss[.fff] (a timestamptz would come out with a +00:00 offset, which DALI forbids)';
COMMENT ON COLUMN ivoa.obscore.s_region IS 'Sky region of the data (ADQL/STC-S POLYGON ICRS, degrees)';
COMMENT ON COLUMN ivoa.obscore.s_region_spoly IS 'Sky region as a pg_sphere spoly (GiST-indexed; TAP servers translate ADQL geometry to it)';
COMMENT ON COLUMN ivoa.obscore.s_center IS 'Central position (s_ra, s_dec) as a pg_sphere spoint (GiST-indexed)';
COMMENT ON COLUMN ivoa.obscore.row_id IS 'obsmeta: the CAOM2 artifact id of a detector row, the plane id of a plane row';
COMMENT ON COLUMN ivoa.obscore.caom_obs_id IS 'obsmeta: caom2.observation.obs_id of the row';
COMMENT ON COLUMN ivoa.obscore.caom_plane_id IS 'obsmeta: caom2.plane.plane_id of the row';
COMMENT ON COLUMN ivoa.obscore.caom_artifact_id IS 'obsmeta: caom2.artifact.artifact_id of a detector row (NULL for plane rows)';
COMMENT ON COLUMN ivoa.obscore.visible_from IS
  'obsmeta: when readers may see the row: the later of the observation''s and plane''s meta_release; infinity while held or without a release date';

-- ObsCore's obs_id: the exposure obs_id, the visit name, or {tract}_{patch}_{band} for coadds.
CREATE FUNCTION obsmeta.obscore_obs_id(algorithm_name text, observation_id text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN algorithm_name = 'visit' THEN regexp_replace(observation_id, '_visit$', '') ELSE observation_id END $$;

-- The rows ivoa.obscore must hold, computed from CAOM2 (and the Butler data IDs in gen3.dataset
-- for the lsst_* columns). Filter it by caom_plane_id or row_id: both are pushed into the joins.
CREATE VIEW obsmeta.obscore_source AS
WITH cfg AS (SELECT * FROM obsmeta.obscore_config LIMIT 1)
SELECT x.dataproduct_type, x.calib_level, x.obs_collection, x.obs_id, x.obs_publisher_did,
       CASE WHEN strpos(x.url_template, '{obs_publisher_did') > 0
            THEN obsmeta.obscore_expand_did(x.url_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                            x.obs_collection, x.obs_id, x.product_id, x.lsst_detector, x.obs_publisher_did)
            ELSE obsmeta.obscore_expand(x.url_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                        x.obs_collection, x.obs_id, x.product_id, x.lsst_detector)
       END AS access_url,
       CASE cfg.access_mode WHEN 'direct' THEN x.content_type
            ELSE 'application/x-votable+xml;content=datalink' END AS access_format,
       (x.content_length + 1023) / 1024 AS access_estsize,
       x.target_name,
       degrees(long(x.center)) AS s_ra, degrees(lat(x.center)) AS s_dec, x.size_deg AS s_fov,
       obsmeta.spoly_to_stcs(x.region) AS s_region,
       x.s_resolution, x.s_xel1, x.s_xel2, x.t_min, x.t_max, x.t_exptime, x.t_resolution, x.t_xel,
       x.em_min, x.em_max, x.em_res_power, x.em_xel, x.o_ucd, x.pol_states, x.pol_xel,
       coalesce(x.facility_name, cfg.default_facility_name) AS facility_name, x.instrument_name,
       x.obs_release_date,
       obsmeta.obscore_expand(cfg.creator_did_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                              x.obs_collection, x.obs_id, x.product_id, x.lsst_detector) AS obs_creator_did,
       CASE WHEN strpos(cfg.preview_template, '{obs_publisher_did') > 0
            THEN obsmeta.obscore_expand_did(cfg.preview_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                            x.obs_collection, x.obs_id, x.product_id, x.lsst_detector, x.obs_publisher_did)
            ELSE obsmeta.obscore_expand(cfg.preview_template, x.uri, x.dataset_id, x.artifact_id, x.caom_plane_id,
                                        x.obs_collection, x.obs_id, x.product_id, x.lsst_detector)
       END AS preview,
       x.lsst_visit, x.lsst_exposure, x.lsst_detector, x.lsst_band, x.lsst_physical_filter, x.lsst_tract, x.lsst_patch,
       x.region AS s_region_spoly, x.center AS s_center,
       x.row_id, x.caom_obs_id, x.caom_plane_id, x.caom_artifact_id, x.visible_from
  FROM cfg CROSS JOIN LATERAL (
    SELECT b.*,
           CASE cfg.access_mode WHEN 'direct' THEN cfg.direct_url_template ELSE cfg.datalink_url_template END AS url_template,
           obsmeta.obscore_expand(cfg.publisher_did_template, b.uri, b.dataset_id, b.artifact_id, b.caom_plane_id,
                                  b.obs_collection, b.obs_id, b.product_id, b.lsst_detector) AS obs_publisher_did
      FROM (
        -- detector rows: one per artifact whose (first) chunk names a detector
        SELECT a.artifact_id AS row_id, o.obs_id AS caom_obs_id, p.plane_id AS caom_plane_id,
               a.artifact_id AS caom_artifact_id, a.artifact_id, a.uri, a.content_type, a.content_length,
               coalesce(a.lsst_dataset_id, p.plane_id) AS dataset_id, p.product_id,
               p.data_product_type AS dataproduct_type, p.calibration_level AS calib_level,
               o.collection AS obs_collection, obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id) AS obs_id,
               o.target_name, fs.center, fs.size_deg, c.footprint AS region,
               coalesce(c.position_resolution, p.position_resolution) AS s_resolution,
               c.position_axis_function_dimension_naxis1 AS s_xel1, c.position_axis_function_dimension_naxis2 AS s_xel2,
               p.time_bounds_lower AS t_min, p.time_bounds_upper AS t_max, p.time_exposure AS t_exptime,
               p.time_resolution AS t_resolution, p.time_dimension AS t_xel,
               p.energy_bounds_lower AS em_min, p.energy_bounds_upper AS em_max,
               p.energy_resolving_power AS em_res_power, p.energy_dimension AS em_xel,
               p.observable_ucd AS o_ucd,
               CASE WHEN p.polarization_states IS NOT NULL THEN '/' || array_to_string(p.polarization_states, '/') || '/' END AS pol_states,
               p.polarization_dimension AS pol_xel,
               ic.facility_name, o.instrument_name, p.data_release AT TIME ZONE 'UTC' AS obs_release_date,
               d.visit AS lsst_visit, d.exposure AS lsst_exposure, c.lsst_detector,
               coalesce(pf.band, d.band) AS lsst_band, p.energy_bandpass_name AS lsst_physical_filter,
               d.tract AS lsst_tract, d.patch AS lsst_patch,
               CASE WHEN o.meta_release IS NULL OR p.meta_release IS NULL
                      OR EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = o.obs_id)
                    THEN 'infinity'::timestamptz ELSE greatest(o.meta_release, p.meta_release) END AS visible_from
          FROM caom2.artifact a
          CROSS JOIN LATERAL (
                SELECT ch.* FROM caom2.part pt JOIN caom2.chunk ch ON ch.part_id = pt.part_id
                 WHERE pt.artifact_id = a.artifact_id AND ch.lsst_detector IS NOT NULL
                 ORDER BY pt.name, ch.chunk_id LIMIT 1) c
          JOIN caom2.plane p ON p.plane_id = a.plane_id
          JOIN caom2.observation o ON o.obs_id = p.obs_id
          LEFT JOIN LATERAL obsmeta.footprint_center_size(c.footprint) fs ON true
          LEFT JOIN gen3.dataset d ON d.id = a.lsst_dataset_id
          LEFT JOIN gen3.physical_filter pf ON pf.instrument = d.instrument AND pf.name = p.energy_bandpass_name
          LEFT JOIN obsmeta.instrument_config ic ON ic.instrument = o.instrument_name
        UNION ALL
        -- plane rows: products without detectors (one row per plane that has an artifact)
        SELECT p.plane_id, o.obs_id, p.plane_id, NULL::uuid, a.artifact_id, a.uri, a.content_type, a.content_length,
               coalesce(a.lsst_dataset_id, p.plane_id), p.product_id,
               p.data_product_type, p.calibration_level,
               o.collection, obsmeta.obscore_obs_id(o.algorithm_name, o.observation_id),
               o.target_name, p.position_center, p.position_size_deg, p.position_bounds,
               p.position_resolution, p.position_dimension_naxis1, p.position_dimension_naxis2,
               p.time_bounds_lower, p.time_bounds_upper, p.time_exposure, p.time_resolution, p.time_dimension,
               p.energy_bounds_lower, p.energy_bounds_upper, p.energy_resolving_power, p.energy_dimension,
               p.observable_ucd,
               CASE WHEN p.polarization_states IS NOT NULL THEN '/' || array_to_string(p.polarization_states, '/') || '/' END,
               p.polarization_dimension,
               ic.facility_name, o.instrument_name, p.data_release AT TIME ZONE 'UTC',
               d.visit, d.exposure, NULL::integer,
               coalesce(pf.band, d.band), p.energy_bandpass_name, d.tract, d.patch,
               CASE WHEN o.meta_release IS NULL OR p.meta_release IS NULL
                      OR EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = o.obs_id)
                    THEN 'infinity'::timestamptz ELSE greatest(o.meta_release, p.meta_release) END
          FROM caom2.plane p
          JOIN caom2.observation o ON o.obs_id = p.obs_id
          -- the plane's file (the first by URI, if it has several)
          CROSS JOIN LATERAL (SELECT ar.* FROM caom2.artifact ar WHERE ar.plane_id = p.plane_id ORDER BY ar.uri LIMIT 1) a
          LEFT JOIN gen3.dataset d ON d.id = a.lsst_dataset_id
          LEFT JOIN gen3.physical_filter pf ON pf.instrument = d.instrument AND pf.name = p.energy_bandpass_name
          LEFT JOIN obsmeta.instrument_config ic ON ic.instrument = o.instrument_name
          -- a plane with a detector image has detector rows instead (LIMIT: probed per plane)
          LEFT JOIN LATERAL (SELECT true AS found FROM caom2.artifact a2
                               JOIN caom2.part pt ON pt.artifact_id = a2.artifact_id
                               JOIN caom2.chunk ch ON ch.part_id = pt.part_id
                              WHERE a2.plane_id = p.plane_id AND ch.lsst_detector IS NOT NULL LIMIT 1) det ON true
         WHERE det.found IS NULL
      ) b
  ) x;
COMMENT ON VIEW obsmeta.obscore_source IS
  'The rows ivoa.obscore must hold, computed from caom2 (internal; obsmeta.verify_obscore() compares the two)';
-- obsmeta install script, part 72: keeping ivoa.obscore equal to obsmeta.obscore_source.
--
-- Statement-level AFTER triggers (transition tables) on caom2.observation, plane, artifact, part
-- and chunk, on the holds and on the configuration collect the keys a statement touched and
-- recompute exactly those rows, set-based, in the same transaction:
--   * planes to recompute entirely (a plane or observation attribute that ObsCore shows changed);
--   * artifacts to recompute (the artifact, its part or its chunk changed);
--   * planes whose plane row (products without detectors) may have appeared or gone.
-- UPDATEs that change no column ObsCore uses (e.g. the conversion's max_last_modified touches)
-- cost a join of the transition tables and nothing else. A writer of several statements (the
-- conversion batch) can defer all this to its end: obsmeta.obscore_defer() ... obsmeta.obscore_flush()
-- (below) records the keys instead and recomputes every row once. The conversion writes CAOM2 under
-- per-observation advisory locks; the triggers (and the flush) run inside them, so concurrent
-- writers of one observation are serialized here too.

-- Recomputes the ivoa.obscore rows of whole planes (full_planes), of artifacts (their detector
-- rows) and the plane rows of planes (plane_rows) from obsmeta.obscore_source, set-based, and
-- writes only what differs: DELETE of rows gone, INSERT of new rows, UPDATE of rows whose columns
-- changed (the pg_sphere values, which have no equality operator, follow from s_region / s_ra /
-- s_dec and are not compared). Every step is an index probe per key (enable_seqscan off, a
-- generic plan kept for the session: the just-bulk-loaded statistics never turn a probe into a
-- scan). Returns the number of rows deleted, inserted or updated.
CREATE FUNCTION obsmeta.obscore_apply(full_planes uuid[], artifacts uuid[], plane_rows uuid[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    -- key-driven: index probes per key, whatever the statistics say; hash joins stay allowed for
    -- CTEs (no index there)
    SET enable_seqscan = off SET enable_material = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    keys uuid[] := coalesce(artifacts, '{}') || coalesce(plane_rows, '{}');
    n bigint;
BEGIN
    full_planes := coalesce(full_planes, '{}');
    IF cardinality(full_planes) = 0 AND cardinality(keys) = 0 THEN
        RETURN 0;
    END IF;
    WITH want AS MATERIALIZED (
        SELECT s.* FROM obsmeta.obscore_source s WHERE s.caom_plane_id = ANY (full_planes)
        UNION ALL
        SELECT s.* FROM obsmeta.obscore_source s WHERE s.row_id = ANY (keys) AND NOT s.caom_plane_id = ANY (full_planes)
    ), gone AS (
        DELETE FROM ivoa.obscore t
         WHERE (t.caom_plane_id = ANY (full_planes) OR t.row_id = ANY (keys))
           AND NOT EXISTS (SELECT 1 FROM want w WHERE w.row_id = t.row_id)
        RETURNING 1
    ), put AS (
        INSERT INTO ivoa.obscore AS t SELECT * FROM want ORDER BY row_id
        ON CONFLICT (row_id) DO UPDATE SET
            (dataproduct_type, calib_level, obs_collection, obs_id, obs_publisher_did, access_url, access_format,
             access_estsize, target_name, s_ra, s_dec, s_fov, s_region, s_resolution, s_xel1, s_xel2, t_min, t_max,
             t_exptime, t_resolution, t_xel, em_min, em_max, em_res_power, em_xel, o_ucd, pol_states, pol_xel,
             facility_name, instrument_name, obs_release_date, obs_creator_did, preview, lsst_visit, lsst_exposure,
             lsst_detector, lsst_band, lsst_physical_filter, lsst_tract, lsst_patch, s_region_spoly, s_center,
             caom_obs_id, caom_plane_id, caom_artifact_id, visible_from)
          = ROW(EXCLUDED.dataproduct_type, EXCLUDED.calib_level, EXCLUDED.obs_collection, EXCLUDED.obs_id,
             EXCLUDED.obs_publisher_did, EXCLUDED.access_url, EXCLUDED.access_format, EXCLUDED.access_estsize,
             EXCLUDED.target_name, EXCLUDED.s_ra, EXCLUDED.s_dec, EXCLUDED.s_fov, EXCLUDED.s_region, EXCLUDED.s_resolution,
             EXCLUDED.s_xel1, EXCLUDED.s_xel2, EXCLUDED.t_min, EXCLUDED.t_max, EXCLUDED.t_exptime, EXCLUDED.t_resolution,
             EXCLUDED.t_xel, EXCLUDED.em_min, EXCLUDED.em_max, EXCLUDED.em_res_power, EXCLUDED.em_xel, EXCLUDED.o_ucd,
             EXCLUDED.pol_states, EXCLUDED.pol_xel, EXCLUDED.facility_name, EXCLUDED.instrument_name,
             EXCLUDED.obs_release_date, EXCLUDED.obs_creator_did, EXCLUDED.preview, EXCLUDED.lsst_visit,
             EXCLUDED.lsst_exposure, EXCLUDED.lsst_detector, EXCLUDED.lsst_band, EXCLUDED.lsst_physical_filter,
             EXCLUDED.lsst_tract, EXCLUDED.lsst_patch, EXCLUDED.s_region_spoly, EXCLUDED.s_center,
             EXCLUDED.caom_obs_id, EXCLUDED.caom_plane_id, EXCLUDED.caom_artifact_id, EXCLUDED.visible_from)
         WHERE ROW(t.dataproduct_type, t.calib_level, t.obs_collection, t.obs_id, t.obs_publisher_did, t.access_url,
                   t.access_format, t.access_estsize, t.target_name, t.s_ra, t.s_dec, t.s_fov, t.s_region, t.s_resolution,
                   t.s_xel1, t.s_xel2, t.t_min, t.t_max, t.t_exptime, t.t_resolution, t.t_xel, t.em_min, t.em_max,
                   t.em_res_power, t.em_xel, t.o_ucd, t.pol_states, t.pol_xel, t.facility_name, t.instrument_name,
                   t.obs_release_date, t.obs_creator_did, t.preview, t.lsst_visit, t.lsst_exposure, t.lsst_detector,
                   t.lsst_band, t.lsst_physical_filter, t.lsst_tract, t.lsst_patch, t.caom_obs_id, t.caom_plane_id,
                   t.caom_artifact_id, t.visible_from)
               IS DISTINCT FROM
               ROW(EXCLUDED.dataproduct_type, EXCLUDED.calib_level, EXCLUDED.obs_collection, EXCLUDED.obs_id,
                   EXCLUDED.obs_publisher_did, EXCLUDED.access_url, EXCLUDED.access_format, EXCLUDED.access_estsize,
                   EXCLUDED.target_name, EXCLUDED.s_ra, EXCLUDED.s_dec, EXCLUDED.s_fov, EXCLUDED.s_region,
                   EXCLUDED.s_resolution, EXCLUDED.s_xel1, EXCLUDED.s_xel2, EXCLUDED.t_min, EXCLUDED.t_max,
                   EXCLUDED.t_exptime, EXCLUDED.t_resolution, EXCLUDED.t_xel, EXCLUDED.em_min, EXCLUDED.em_max,
                   EXCLUDED.em_res_power, EXCLUDED.em_xel, EXCLUDED.o_ucd, EXCLUDED.pol_states, EXCLUDED.pol_xel,
                   EXCLUDED.facility_name, EXCLUDED.instrument_name, EXCLUDED.obs_release_date, EXCLUDED.obs_creator_did,
                   EXCLUDED.preview, EXCLUDED.lsst_visit, EXCLUDED.lsst_exposure, EXCLUDED.lsst_detector,
                   EXCLUDED.lsst_band, EXCLUDED.lsst_physical_filter, EXCLUDED.lsst_tract, EXCLUDED.lsst_patch,
                   EXCLUDED.caom_obs_id, EXCLUDED.caom_plane_id, EXCLUDED.caom_artifact_id, EXCLUDED.visible_from)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put) INTO n;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.obscore_apply(uuid[], uuid[], uuid[]) IS
  'Recomputes the ivoa.obscore rows of whole planes, of artifacts, and the plane rows of planes; returns the rows deleted, inserted or updated (internal, used by the maintenance triggers and obsmeta.obscore_flush())';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_apply(uuid[], uuid[], uuid[]) FROM PUBLIC;

-- Maintenance deferred to the end of a batch of writes. A writer that changes CAOM2 in several
-- statements (the conversion: observations, planes, then artifact+part+chunk, plane positions,
-- checksums) calls obsmeta.obscore_defer() first: from then on, in its transaction, the triggers
-- only record the keys they would recompute, here; obsmeta.obscore_flush() recomputes each once
-- and ends the deferral. Rows belong to the writing transaction (its xid): other sessions never
-- see them, and a rollback (of the transaction or of a savepoint) takes them and the deferral
-- away with the writes they describe. Until the flush, ivoa.obscore lags the transaction's own
-- CAOM2 writes, so the flush must come before anything in the transaction reads ivoa.obscore.
-- kind: 'd' the deferral itself (id = the nil uuid), 'p' a plane to recompute whole, 'a' an
-- artifact, 'r' a plane whose plane row (products without detectors) may have appeared or gone.
CREATE UNLOGGED TABLE obsmeta.obscore_pending (
    txn   xid8 NOT NULL,
    kind  "char" NOT NULL CHECK (kind IN ('d', 'p', 'a', 'r')),
    id    uuid NOT NULL,
    PRIMARY KEY (txn, kind, id)
);
COMMENT ON TABLE obsmeta.obscore_pending IS
  'ivoa.obscore keys recorded by the maintenance triggers between obsmeta.obscore_defer() and obsmeta.obscore_flush(), per writing transaction (internal)';

-- true while this transaction defers ObsCore maintenance
CREATE FUNCTION obsmeta.obscore_deferred() RETURNS boolean
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT EXISTS (SELECT 1 FROM obsmeta.obscore_pending p
                    WHERE p.txn = pg_current_xact_id_if_assigned() AND p.kind = 'd'
                      AND p.id = '00000000-0000-0000-0000-000000000000') $$;
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_deferred() FROM PUBLIC;

-- Returns true when this call began the deferral, false when the transaction was deferring already
-- (the conversion then leaves the flush to whoever began it).
CREATE FUNCTION obsmeta.obscore_defer() RETURNS boolean
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
    WITH began AS (
        INSERT INTO obsmeta.obscore_pending (txn, kind, id)
        VALUES (pg_current_xact_id(), 'd', '00000000-0000-0000-0000-000000000000') ON CONFLICT DO NOTHING
        RETURNING true)
    SELECT EXISTS (SELECT 1 FROM began) $$;
COMMENT ON FUNCTION obsmeta.obscore_defer() IS
  'From now until obsmeta.obscore_flush(), this transaction''s CAOM2 writes only record which ivoa.obscore rows to recompute (for a writer that changes CAOM2 in several statements, e.g. the conversion); true when this call began the deferral';

-- Called by the triggers with what a statement changed: recorded while deferred, applied otherwise.
CREATE FUNCTION obsmeta.obscore_maintain(full_planes uuid[], artifacts uuid[], plane_rows uuid[]) RETURNS void
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
            UNION ALL SELECT 'a'::"char", x FROM unnest(artifacts) x
            UNION ALL SELECT 'r'::"char", x FROM unnest(plane_rows) x) AS k(kind, id)
     WHERE k.id IS NOT NULL
    ON CONFLICT DO NOTHING;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_maintain(uuid[], uuid[], uuid[]) FROM PUBLIC;

CREATE FUNCTION obsmeta.obscore_flush() RETURNS bigint
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
    RETURN obsmeta.obscore_apply(planes, artifacts, plane_rows);
END $$;
COMMENT ON FUNCTION obsmeta.obscore_flush() IS
  'Applies the ivoa.obscore changes recorded since obsmeta.obscore_defer() in this transaction, each row recomputed once, and ends the deferral; returns the rows deleted, inserted or updated';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_defer(), obsmeta.obscore_flush() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.obscore_defer(), obsmeta.obscore_flush() TO obsmeta_writer;

-- One trigger function per CAOM2 table; TG_OP tells which transition tables exist.
CREATE FUNCTION obsmeta.obscore_on_observation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    planes uuid[];
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
        DELETE FROM ivoa.obscore t USING (SELECT o.obs_id FROM old_rows o LEFT JOIN new_rows n ON n.obs_id = o.obs_id
                                           WHERE n.obs_id IS NULL) o
         WHERE t.caom_obs_id = o.obs_id;
    END IF;
    PERFORM obsmeta.obscore_maintain(planes, NULL, NULL);
    RETURN NULL;
END $$;

CREATE FUNCTION obsmeta.obscore_on_plane() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$"
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    planes uuid[];
    plane_rows uuid[];
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
        DELETE FROM ivoa.obscore t USING (SELECT o.plane_id FROM old_rows o LEFT JOIN new_rows n ON n.plane_id = o.plane_id
                                           WHERE n.plane_id IS NULL) o
         WHERE t.caom_plane_id = o.plane_id;
    END IF;
    PERFORM obsmeta.obscore_maintain(planes, NULL, plane_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION obsmeta.obscore_on_artifact() RETURNS trigger
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
CREATE FUNCTION obsmeta.obscore_on_part_or_chunk() RETURNS trigger
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
CREATE FUNCTION obsmeta.obscore_on_hold() RETURNS trigger
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
CREATE FUNCTION obsmeta.obscore_on_config() RETURNS trigger
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
            EXECUTE format('CREATE TRIGGER obscore_%s AFTER %s ON %I.%I REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION %s()',
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
        EXECUTE format('CREATE TRIGGER obscore_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obsmeta.%I
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_config()', t.tab);
    END LOOP;
END
$triggers$;

-- Truncating CAOM2 (only a DBA would) empties ivoa.obscore as well.
CREATE FUNCTION obsmeta.obscore_on_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM obsmeta.refresh_obscore();
    RETURN NULL;
END $$;
CREATE TRIGGER obscore_truncate AFTER TRUNCATE ON caom2.observation FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_truncate();
CREATE TRIGGER obscore_truncate AFTER TRUNCATE ON caom2.plane FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_truncate();
CREATE TRIGGER obscore_truncate AFTER TRUNCATE ON caom2.artifact FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.obscore_on_truncate();

-- Full rebuild: only the rows that differ are written, so TAP readers are never blocked and an
-- up-to-date table is left untouched. Returns the number of rows inserted, updated or deleted.
CREATE FUNCTION obsmeta.refresh_obscore() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
DECLARE
    n_deleted bigint;
    n_written bigint;
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
    DELETE FROM ivoa.obscore t USING obscore_want w
     WHERE w.row_id = t.row_id
       AND (to_jsonb(t) - 's_region_spoly' - 's_center') IS DISTINCT FROM (to_jsonb(w) - 's_region_spoly' - 's_center');
    INSERT INTO ivoa.obscore SELECT w.* FROM obscore_want w
     WHERE NOT EXISTS (SELECT 1 FROM ivoa.obscore t WHERE t.row_id = w.row_id)
     ORDER BY w.row_id;
    GET DIAGNOSTICS n_written = ROW_COUNT;
    DROP TABLE obscore_want;
    RETURN n_deleted + n_written;
END $$;
COMMENT ON FUNCTION obsmeta.refresh_obscore() IS
  'Rebuilds ivoa.obscore from caom2 (writing only rows that differ); returns the number of rows deleted plus rows (re)written';
REVOKE EXECUTE ON FUNCTION obsmeta.refresh_obscore() FROM PUBLIC;

-- Stored rows that differ from a full recomputation (none expected): the row, what is wrong,
-- and for differing rows the columns that differ.
CREATE FUNCTION obsmeta.verify_obscore()
    RETURNS TABLE (row_id uuid, obs_publisher_did text, problem text, columns text[])
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, "$pgsphere$" AS $$
    WITH s AS (SELECT t.row_id, t.obs_publisher_did, to_jsonb(t) AS j FROM ivoa.obscore t),
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
-- obsmeta install script, part 75: embargo by row-level security, and holds.
--
-- Who sees what (every table below has ROW LEVEL SECURITY enabled; the owner — the superuser
-- that created the extension — and superusers bypass it):
--   obsmeta_staff, obsmeta_writer (and superusers): every row (obsmeta.sees_everything()).
--   everyone else (obsmeta_reader, TAP servers): a row once its release time has passed and no
--   hold is on its observation. Release happens by time alone: the predicates compare with now().
-- ivoa.obscore: one stored column, visible_from (the release time, or infinity while held), so
-- the readers' policy is a plain comparison that costs nothing next to a cone search; staff and
-- writers have a policy of their own (true). Being "staff" there means having the privileges of
-- obsmeta_staff (membership with INHERIT, or SET ROLE), as for any PostgreSQL policy role.
-- caom2: observation by its meta_release, plane by its own meta_release and its observation,
-- artifact/provenance_input by their plane, part by its artifact, chunk by its part,
-- observation_member by its composite observation, deleted_observation never (tombstones may
-- name observations that were never public). These call SECURITY DEFINER functions that answer
-- true only for public rows (an index probe per row: see doc/obscore.md for the cost).

---------------------------------------------------------------------------------------------------
-- Visibility of CAOM2 children (true only when public; reading as owner avoids policy recursion)
---------------------------------------------------------------------------------------------------
CREATE FUNCTION obsmeta.plane_public(plane_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.plane p JOIN caom2.observation o ON o.obs_id = p.obs_id
                    WHERE p.plane_id = $1 AND p.meta_release <= now() AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = p.obs_id)) $$;
ALTER FUNCTION obsmeta.plane_public(uuid) COST 50;
CREATE FUNCTION obsmeta.artifact_public(artifact_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.artifact a JOIN caom2.plane p ON p.plane_id = a.plane_id
                     JOIN caom2.observation o ON o.obs_id = p.obs_id
                    WHERE a.artifact_id = $1 AND p.meta_release <= now() AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = p.obs_id)) $$;
ALTER FUNCTION obsmeta.artifact_public(uuid) COST 75;
CREATE FUNCTION obsmeta.part_public(part_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.part pt JOIN caom2.artifact a ON a.artifact_id = pt.artifact_id
                     JOIN caom2.plane p ON p.plane_id = a.plane_id
                     JOIN caom2.observation o ON o.obs_id = p.obs_id
                    WHERE pt.part_id = $1 AND p.meta_release <= now() AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = p.obs_id)) $$;
ALTER FUNCTION obsmeta.part_public(uuid) COST 100;
COMMENT ON FUNCTION obsmeta.plane_public(uuid) IS 'true when the plane and its observation are public (released, not held)';
COMMENT ON FUNCTION obsmeta.artifact_public(uuid) IS 'true when the artifact''s plane is public';
COMMENT ON FUNCTION obsmeta.part_public(uuid) IS 'true when the part''s artifact is public';

---------------------------------------------------------------------------------------------------
-- Policies
---------------------------------------------------------------------------------------------------
-- ivoa.obscore: two policies, chosen by role when a query is planned. Members of obsmeta_staff and
-- obsmeta_writer get USING (true), which the planner folds away (their queries are planned as if
-- there were no policy); everyone else gets one comparison of a stored column with now(), checked
-- on the rows the query's own (GiST) index scan returns. Release by time alone, no function call,
-- no per-query subplan: row-level security costs a TAP cone search nothing measurable.
ALTER TABLE ivoa.obscore ENABLE ROW LEVEL SECURITY;
CREATE POLICY obscore_everything ON ivoa.obscore FOR SELECT TO obsmeta_staff, obsmeta_writer USING (true);
CREATE POLICY obscore_visible ON ivoa.obscore FOR SELECT TO PUBLIC USING (visible_from <= now());

DO $policies$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('observation',        '(meta_release <= now() AND obsmeta.observation_public(obs_id))'),
        ('plane',              '(meta_release <= now() AND obsmeta.observation_public(obs_id))'),
        ('artifact',           'obsmeta.plane_public(plane_id)'),
        ('provenance_input',   'obsmeta.plane_public(plane_id)'),
        ('part',               'obsmeta.artifact_public(artifact_id)'),
        ('chunk',              'obsmeta.part_public(part_id)'),
        ('observation_member', 'obsmeta.observation_public(composite_id)'),
        ('deleted_observation', 'false')) AS v(tab, pred) LOOP
        EXECUTE format('ALTER TABLE caom2.%I ENABLE ROW LEVEL SECURITY', t.tab);
        EXECUTE format('CREATE POLICY %I ON caom2.%I FOR SELECT TO PUBLIC USING ((SELECT obsmeta.sees_everything()) OR %s)',
                       t.tab || '_visible', t.tab, t.pred);
        -- the conversion runs as the writing role: it reads and writes every row
        EXECUTE format('CREATE POLICY %I ON caom2.%I FOR ALL TO obsmeta_writer USING (true) WITH CHECK (true)',
                       t.tab || '_writer', t.tab);
    END LOOP;
END
$policies$;

-- For tables added later (rubin.*): one call puts the standard per-observation policy on a table.
CREATE FUNCTION obsmeta.enable_embargo(tab regclass, obs_id_column name DEFAULT 'obs_id') RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tab);
    EXECUTE format('CREATE POLICY embargo_visible ON %s FOR SELECT TO PUBLIC USING ((SELECT obsmeta.sees_everything()) OR obsmeta.observation_public(%I))',
                   tab, obs_id_column);
    EXECUTE format('CREATE POLICY embargo_writer ON %s FOR ALL TO obsmeta_writer USING (true) WITH CHECK (true)', tab);
END $$;
COMMENT ON FUNCTION obsmeta.enable_embargo(regclass, name) IS
  'Enables row-level security on a table keyed by observation: staff/writers see all, others rows of public observations';
REVOKE EXECUTE ON FUNCTION obsmeta.enable_embargo(regclass, name) FROM PUBLIC;

-- GiST indexes under row-level security: PostgreSQL evaluates a query's own conditions after the
-- policy's unless their functions are LEAKPROOF, and then cannot use an index for them. The
-- pg_sphere containment/overlap predicates on points, circles, polygons and boxes raise no
-- data-dependent errors and return only a boolean, so they are marked LEAKPROOF: a reader's
-- cone search uses the GiST index on ivoa.obscore as staff's does.
DO $leakproof$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT DISTINCT o.oprcode::regprocedure
          FROM pg_operator o
          JOIN pg_depend d ON d.classid = 'pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
          JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_sphere'
         WHERE o.oprname IN ('@', '~', '&&', '<@', '@>')
           AND o.oprresult = 'boolean'::regtype
           AND (SELECT bool_and(t.typname IN ('spoint', 'scircle', 'spoly', 'sbox'))
                  FROM pg_type t WHERE t.oid IN (o.oprleft, o.oprright))
    LOOP
        EXECUTE format('ALTER FUNCTION %s LEAKPROOF', f);
    END LOOP;
END
$leakproof$;

---------------------------------------------------------------------------------------------------
-- Holds
---------------------------------------------------------------------------------------------------
-- The role that acts: the SET ROLE role if any, else the login.
CREATE FUNCTION obsmeta.acting_role() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN current_setting('role') NOT IN ('none', '') THEN current_setting('role')
                ELSE session_user::text END $$;

CREATE FUNCTION obsmeta.hold(obs_id uuid, reason text, include_derived boolean DEFAULT true) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning AS $$
DECLARE
    n integer;
    who text := obsmeta.acting_role();
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a hold needs a reason' USING ERRCODE = '22023';
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS obsmeta_hold_ids (obs_id uuid PRIMARY KEY) ON COMMIT DROP;
    TRUNCATE obsmeta_hold_ids;
    INSERT INTO obsmeta_hold_ids VALUES (hold.obs_id);
    IF include_derived THEN  -- the visits (derived observations) made from it show the same sky
        INSERT INTO obsmeta_hold_ids
        SELECT m.composite_id FROM caom2.observation o JOIN caom2.observation_member m ON m.member_uri = o.uri
         WHERE o.obs_id = hold.obs_id ON CONFLICT DO NOTHING;
    END IF;
    -- the conversion's per-observation locks, in its order: a concurrent conversion of these
    -- observations either finished before (and is re-hidden here) or sees the hold
    PERFORM pg_advisory_xact_lock(1868723053, k) FROM (SELECT DISTINCT obsmeta.lock_key(i.obs_id) AS k FROM obsmeta_hold_ids i ORDER BY 1) s;
    WITH added AS (
        INSERT INTO obsmeta.embargo_hold (obs_id, collection, observation_id, reason, held_by)
        SELECT i.obs_id, o.collection, o.observation_id, reason, who
          FROM obsmeta_hold_ids i LEFT JOIN caom2.observation o ON o.obs_id = i.obs_id
         ORDER BY i.obs_id
        ON CONFLICT ON CONSTRAINT embargo_hold_pkey DO NOTHING
        RETURNING embargo_hold.obs_id, embargo_hold.collection, embargo_hold.observation_id
    )
    INSERT INTO obsmeta.embargo_log (action, obs_id, collection, observation_id, reason, done_by, session_user_name)
    SELECT 'hold', a.obs_id, a.collection, a.observation_id, reason, who, session_user FROM added a;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.hold(uuid, text, boolean) IS
  'Holds an observation (and, by default, the derived observations it is a member of) back from readers, whatever its release date; logged. Returns the number of new holds';

CREATE FUNCTION obsmeta.hold(collection text, observation_id text, reason text, include_derived boolean DEFAULT true)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    id uuid;
BEGIN
    SELECT o.obs_id INTO id FROM caom2.observation o WHERE o.collection = hold.collection AND o.observation_id = hold.observation_id;
    IF id IS NULL THEN
        RAISE EXCEPTION 'no observation % in collection %', observation_id, collection USING ERRCODE = '02000',
              HINT = 'to hold an observation before it arrives, pass its id: obsmeta.hold(obsmeta.exposure_obs_id(instrument, exposure), reason)';
    END IF;
    RETURN obsmeta.hold(id, reason, include_derived);
END $$;

CREATE FUNCTION obsmeta.release_hold(obs_id uuid, reason text DEFAULT NULL, include_derived boolean DEFAULT true)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning AS $$
DECLARE
    n integer;
    who text := obsmeta.acting_role();
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS obsmeta_hold_ids (obs_id uuid PRIMARY KEY) ON COMMIT DROP;
    TRUNCATE obsmeta_hold_ids;
    INSERT INTO obsmeta_hold_ids VALUES (release_hold.obs_id);
    IF include_derived THEN
        INSERT INTO obsmeta_hold_ids
        SELECT m.composite_id FROM caom2.observation o JOIN caom2.observation_member m ON m.member_uri = o.uri
         WHERE o.obs_id = release_hold.obs_id ON CONFLICT DO NOTHING;
    END IF;
    PERFORM pg_advisory_xact_lock(1868723053, k) FROM (SELECT DISTINCT obsmeta.lock_key(i.obs_id) AS k FROM obsmeta_hold_ids i ORDER BY 1) s;
    WITH removed AS (
        DELETE FROM obsmeta.embargo_hold h USING obsmeta_hold_ids i WHERE h.obs_id = i.obs_id
        RETURNING h.obs_id, h.collection, h.observation_id
    )
    INSERT INTO obsmeta.embargo_log (action, obs_id, collection, observation_id, reason, done_by, session_user_name)
    SELECT 'release', r.obs_id, r.collection, r.observation_id, reason, who, session_user FROM removed r;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.release_hold(uuid, text, boolean) IS
  'Releases the hold on an observation (and by default on the derived observations it is a member of); logged. The rows appear to readers at once if their release date has passed. Returns the number of holds released';

CREATE FUNCTION obsmeta.release_hold(collection text, observation_id text, reason text DEFAULT NULL,
                                     include_derived boolean DEFAULT true)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    id uuid;
BEGIN
    SELECT h.obs_id INTO id FROM obsmeta.embargo_hold h
     WHERE h.collection = release_hold.collection AND h.observation_id = release_hold.observation_id;
    IF id IS NULL THEN
        SELECT o.obs_id INTO id FROM caom2.observation o
         WHERE o.collection = release_hold.collection AND o.observation_id = release_hold.observation_id;
    END IF;
    IF id IS NULL THEN
        RETURN 0;
    END IF;
    RETURN obsmeta.release_hold(id, reason, include_derived);
END $$;

-- The embargo officer (and DBAs) hold and release; staff read the holds and the log.
REVOKE EXECUTE ON FUNCTION obsmeta.hold(uuid, text, boolean), obsmeta.hold(text, text, text, boolean),
       obsmeta.release_hold(uuid, text, boolean), obsmeta.release_hold(text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.hold(uuid, text, boolean), obsmeta.hold(text, text, text, boolean),
       obsmeta.release_hold(uuid, text, boolean), obsmeta.release_hold(text, text, text, boolean)
   TO obsmeta_embargo_officer;
GRANT SELECT ON obsmeta.embargo_hold, obsmeta.embargo_log TO obsmeta_staff, obsmeta_embargo_officer;
GRANT USAGE ON SCHEMA obsmeta, caom2 TO obsmeta_embargo_officer;

---------------------------------------------------------------------------------------------------
-- Privileges of ivoa.obscore, and functions that must not answer readers about embargoed rows
---------------------------------------------------------------------------------------------------
GRANT SELECT ON ivoa.obscore TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
-- They read CAOM2 / gen3 as their caller or report counts; staff and writers use them.
REVOKE EXECUTE ON FUNCTION obsmeta.verify_caom2() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.verify_caom2(), obsmeta.verify_obscore() TO obsmeta_staff, obsmeta_writer;
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
 (13, 's_region', 'char', '*', 'adql:REGION', NULL, 'pos.outline;obs.field', 'obscore:Char.SpatialAxis.Coverage.Support.Area', 1, 1, 'Sky region covered by the data product (expressed in ICRS frame)'),
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
 (41, 's_region_spoly', 'double', '*', 'polygon', 'deg', 'pos.outline;obs.field', NULL, 0, 0, 'Sky region as a polygon (pg_sphere spoly; GiST-indexed) for ADQL geometry'),
 (42, 's_center', 'double', '2', 'point', 'deg', 'pos.eq;meta.main', NULL, 0, 0, 'Central position (s_ra, s_dec) as a point (pg_sphere spoint; GiST-indexed) for ADQL geometry');

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
-- obsmeta install script, part 79: the search_path of the 7x functions that use pg_sphere.
-- They are created with the placeholder schema "$pgsphere$" (a missing schema in a search_path is
-- ignored); here it becomes the schema pg_sphere is installed in, which is known only now.
DO $fix$
DECLARE
    f record;
    sphere text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname = 'pg_sphere');
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
              WHERE p.pronamespace = 'obsmeta'::regnamespace
                AND p.proconfig @> ARRAY['search_path=pg_catalog, "$pgsphere$"'] LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I', f.fn, sphere);
    END LOOP;
END
$fix$;
-- obsmeta install script, part 80: CAOM-2.4 metaChecksum / accMetaChecksum, maintained in C++.
--
-- Every caom2.observation, plane, artifact, part and chunk row carries meta_checksum and
-- acc_meta_checksum computed exactly as opencadc's CAOM-2.4 libraries compute them (see
-- doc/caom2_interop.md): a BEFORE ROW trigger sets meta_checksum from the row (and, for a chunk,
-- acc_meta_checksum); an AFTER STATEMENT trigger with transition tables recomputes, set-based and
-- bottom-up, acc_meta_checksum of the rows whose children changed (part <- chunks, artifact <- parts,
-- plane <- artifacts, observation <- planes), writing only values that differ. Members
-- (observation_member) and provenance inputs (provenance_input) are part of their owner's
-- metaChecksum: their statement trigger recomputes it. The UPDATEs the propagation makes fire the
-- triggers again; they return at once while the propagation runs.

CREATE FUNCTION caom2.acc_checksum(meta text, child_accs text[]) RETURNS text
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_acc_checksum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caom2.acc_checksum(text, text[]) IS
    'CAOM-2.4 accMetaChecksum step: md5 over the 16 bytes of meta and of each child acc (pass them ordered by child id, uuid order)';

CREATE FUNCTION caom2.checksum_row() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_checksum_row' LANGUAGE C;
COMMENT ON FUNCTION caom2.checksum_row() IS 'BEFORE ROW trigger: sets meta_checksum (and a chunk''s acc_meta_checksum)';
CREATE FUNCTION caom2.checksum_propagate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_checksum_propagate' LANGUAGE C;
COMMENT ON FUNCTION caom2.checksum_propagate() IS
    'AFTER STATEMENT trigger: recomputes acc_meta_checksum bottom-up where children changed (and owners'' meta_checksum for members / inputs)';

CREATE FUNCTION caom2.verify_checksums(obs_id uuid)
    RETURNS TABLE (entity text, id uuid, which text, stored text, computed text)
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_verify_checksums' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.verify_checksums(uuid) IS
    'Recomputes every checksum of one stored observation (as the caller sees it) and lists those that differ from the stored ones; no rows: all match';

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['observation', 'plane', 'artifact', 'part', 'chunk'] LOOP
        EXECUTE format('CREATE TRIGGER caom2_checksum_row BEFORE INSERT OR UPDATE ON caom2.%I
                        FOR EACH ROW EXECUTE FUNCTION caom2.checksum_row()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['observation', 'plane', 'artifact', 'part', 'chunk', 'observation_member', 'provenance_input'] LOOP
        -- one trigger per event: a trigger with transition tables fires once per event anyway
        EXECUTE format('CREATE TRIGGER caom2_checksum_ins AFTER INSERT ON caom2.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION caom2.checksum_propagate()', t);
        EXECUTE format('CREATE TRIGGER caom2_checksum_upd AFTER UPDATE ON caom2.%I
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION caom2.checksum_propagate()', t);
        EXECUTE format('CREATE TRIGGER caom2_checksum_del AFTER DELETE ON caom2.%I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION caom2.checksum_propagate()', t);
    END LOOP;
END
$triggers$;
-- obsmeta install script, part 82: CAOM-2.4 XML documents (namespace
-- http://www.opencadc.org/caom2/xml/v2.4), written and read in C++ with libxml2.

CREATE FUNCTION caom2.observation_xml(collection text, observation_id text) RETURNS xml
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_observation_xml' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.observation_xml(text, text) IS
    'The CAOM-2.4 XML document of one observation the caller may see (error P0002 when missing or embargoed)';
CREATE FUNCTION caom2.observation_xml(obs_id uuid) RETURNS xml
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_observation_xml_by_id' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.observation_xml(uuid) IS 'caom2.observation_xml by observation id';

CREATE FUNCTION caom2.check_observation_xml(doc text)
    RETURNS TABLE (entity text, id uuid, which text, stored text, computed text)
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_check_observation_xml' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.check_observation_xml(text) IS
    'Reads a CAOM-2.4 document without storing it and lists its checksums that do not match its content';

CREATE FUNCTION caom2.import_observation_xml(doc text, on_mismatch text DEFAULT 'reject', replace boolean DEFAULT false)
    RETURNS uuid
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_import_observation_xml' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION caom2.import_observation_xml(text, text, boolean) IS
    'Loads a CAOM-2.4 document into caom2 (on_mismatch: reject | report; replace: replace an existing observation); returns its id';
CREATE FUNCTION caom2.import_observation_xml(doc xml, on_mismatch text DEFAULT 'reject', replace boolean DEFAULT false)
    RETURNS uuid LANGUAGE sql VOLATILE STRICT AS
    $$ SELECT caom2.import_observation_xml($1::text, $2, $3) $$;

REVOKE EXECUTE ON FUNCTION caom2.import_observation_xml(text, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION caom2.import_observation_xml(xml, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caom2.import_observation_xml(text, text, boolean) TO obsmeta_writer;
GRANT EXECUTE ON FUNCTION caom2.import_observation_xml(xml, text, boolean) TO obsmeta_writer;
-- obsmeta install script, part 84: the harvest feed for partner archives.
--
-- A harvester asks for observations changed since a time, in maxLastModified order, pages with the
-- last (max_last_modified, obs_id) it saw, fetches each document with caom2.observation_xml and
-- checks its accMetaChecksum; it learns of deletions from caom2.deleted_observations_since. Both
-- run with the caller's privileges and show only what the caller may see: observations through
-- obsmeta.observation_visible (released, not held), tombstones only of observations that were
-- public when deleted (their release time is recorded at deletion, below) and are not held.
--
-- Paging is stable: rows are ordered by (max_last_modified, id) and the next page starts strictly
-- after the last key seen. Timestamps are transaction start times, so a transaction that commits
-- late can add rows with an earlier max_last_modified than rows already harvested: harvesters
-- should start each run a little before their last high-water mark (doc/caom2_interop.md).

-- The release time of each deleted observation, recorded at deletion (caom2.deleted_observation
-- keeps only its identity), so that tombstones of never-released observations do not leak.
CREATE TABLE caom2.deleted_observation_release (
    id             uuid PRIMARY KEY,
    meta_release   timestamptz,
    meta_checksum  text,
    deleted_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE caom2.deleted_observation_release IS
    'obsmeta bookkeeping (not CAOM-2.4): meta_release and metaChecksum of each deleted observation, for the tombstone feed''s embargo check';
SELECT pg_catalog.pg_extension_config_dump('caom2.deleted_observation_release', '');
ALTER TABLE caom2.deleted_observation_release ENABLE ROW LEVEL SECURITY;  -- no policy: read via the function below

CREATE FUNCTION caom2.record_deleted_observations() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO caom2.deleted_observation_release AS r (id, meta_release, meta_checksum)
    SELECT o.obs_id, o.meta_release, o.meta_checksum FROM old_rows o
    ON CONFLICT (id) DO UPDATE SET meta_release = EXCLUDED.meta_release, meta_checksum = EXCLUDED.meta_checksum,
                                   deleted_at = EXCLUDED.deleted_at;
    -- tombstones written by the same statement (the conversion's DELETE ... RETURNING -> INSERT)
    UPDATE caom2.deleted_observation d SET meta_checksum = o.meta_checksum
      FROM old_rows o WHERE d.id = o.obs_id AND d.meta_checksum IS DISTINCT FROM o.meta_checksum;
    RETURN NULL;
END $$;
CREATE TRIGGER caom2_harvest_deleted AFTER DELETE ON caom2.observation REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION caom2.record_deleted_observations();

-- tombstones written later than the deletion get the observation's metaChecksum too
CREATE FUNCTION caom2.tombstone_checksum() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.meta_checksum IS NULL THEN
        NEW.meta_checksum := (SELECT r.meta_checksum FROM caom2.deleted_observation_release r WHERE r.id = NEW.id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER caom2_harvest_tombstone BEFORE INSERT OR UPDATE ON caom2.deleted_observation
    FOR EACH ROW EXECUTE FUNCTION caom2.tombstone_checksum();

-- true when the tombstone's observation had been released when it was deleted and no hold is on it.
-- Answers true only for what any reader may see, so calling it reveals nothing.
CREATE FUNCTION caom2.tombstone_public(id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.deleted_observation_release r
                    WHERE r.id = $1 AND r.meta_release <= r.deleted_at AND r.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = $1)) $$;
COMMENT ON FUNCTION caom2.tombstone_public(uuid) IS
    'true when a deleted observation had been public (released, not held): its tombstone may be shown to readers';

-- Readers see released tombstones (the table's own policy shows them none).
CREATE POLICY deleted_observation_released ON caom2.deleted_observation FOR SELECT TO PUBLIC
    USING (caom2.tombstone_public(id));

CREATE FUNCTION caom2.observations_changed_since(since timestamptz, max_rows integer DEFAULT 1000,
                                                 after_id uuid DEFAULT NULL)
    RETURNS TABLE (obs_id uuid, collection text, observation_id text, uri text, max_last_modified timestamptz,
                   acc_meta_checksum text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT o.obs_id, o.collection, o.observation_id, o.uri, o.max_last_modified, o.acc_meta_checksum
      FROM caom2.observation o
     WHERE (CASE WHEN after_id IS NULL THEN o.max_last_modified >= since
                 ELSE (o.max_last_modified, o.obs_id) > (since, after_id) END)
       AND obsmeta.observation_visible(o.obs_id)
     ORDER BY o.max_last_modified, o.obs_id
     LIMIT greatest(max_rows, 0) $$;
COMMENT ON FUNCTION caom2.observations_changed_since(timestamptz, integer, uuid) IS
    'Harvest feed: observations the caller may see with max_last_modified >= since (or, with after_id, after the key (since, after_id)), in (max_last_modified, obs_id) order';

CREATE FUNCTION caom2.deleted_observations_since(since timestamptz, max_rows integer DEFAULT 1000,
                                                 after_id uuid DEFAULT NULL)
    RETURNS TABLE (id uuid, collection text, observation_id text, uri text, last_modified timestamptz,
                   meta_checksum text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.id, d.collection, d.observation_id, 'caom:' || d.collection || '/' || d.observation_id,
           d.last_modified, d.meta_checksum
      FROM caom2.deleted_observation d
     WHERE (CASE WHEN after_id IS NULL THEN d.last_modified >= since
                 ELSE (d.last_modified, d.id) > (since, after_id) END)
       AND (obsmeta.sees_everything() OR caom2.tombstone_public(d.id))
     ORDER BY d.last_modified, d.id
     LIMIT greatest(max_rows, 0) $$;
COMMENT ON FUNCTION caom2.deleted_observations_since(timestamptz, integer, uuid) IS
    'Harvest feed of deletions: tombstones the caller may see with last_modified >= since (or after the key (since, after_id)), in (last_modified, id) order';

GRANT EXECUTE ON FUNCTION caom2.observations_changed_since(timestamptz, integer, uuid),
                          caom2.deleted_observations_since(timestamptz, integer, uuid) TO PUBLIC;
-- obsmeta install script, part 90: privileges of the group roles, and what pg_dump keeps.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA gen3 TO obsmeta_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA gen3 TO obsmeta_staff;
GRANT SELECT ON ALL TABLES IN SCHEMA caom2 TO obsmeta_staff, obsmeta_reader;
GRANT SELECT ON obsmeta.pending, obsmeta.dataset_plane TO obsmeta_writer, obsmeta_staff;
GRANT SELECT ON obsmeta.instrument_config, obsmeta.dataset_type_config, obsmeta.band_wavelength
   TO obsmeta_writer, obsmeta_staff, obsmeta_reader;
REVOKE EXECUTE ON FUNCTION obsmeta.convert() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.convert() TO obsmeta_writer;
-- Writers convert through the triggers, which write caom2 and obsmeta.dataset_plane as the writer.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA caom2 TO obsmeta_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON obsmeta.dataset_plane TO obsmeta_writer;

-- The mirror and CAOM2 are data, not schema: pg_dump must keep their rows (extension member
-- tables are otherwise dumped empty). obsmeta.dataset_plane is derived and rebuilt on restore,
-- which must run as one transaction (pg_restore --single-transaction, psql -1): the restored
-- gen3 rows are then re-converted at commit, find CAOM2 identical, and change nothing.
DO $dump$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname IN ('gen3', 'caom2') AND c.relkind = 'r' LOOP
        PERFORM pg_catalog.pg_extension_config_dump(format('%I.%I', r.nspname, r.relname)::regclass, '');
    END LOOP;
END
$dump$;
