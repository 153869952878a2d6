-- obsmeta install script, part 05: functions used by the tables below (validation, geometry, ids).

-- Validation behind the gen3 CHECK constraints: true, or an error naming the offending value.
CREATE OR REPLACE FUNCTION obsmeta.check_timespan(timespan_begin timestamptz, timespan_end timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_timespan' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION obsmeta.check_nonnegative(name text, value double precision) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_nonnegative' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION obsmeta.check_nonnegative(name text, value bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_nonnegative_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION obsmeta.check_angle(name text, value double precision, low double precision, high double precision)
    RETURNS boolean AS 'MODULE_PATHNAME', 'obsmeta_check_angle' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION obsmeta.check_sky_position(ra_deg double precision, dec_deg double precision) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_sky_position' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION obsmeta.check_region(region bytea) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_region' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Geometry (C++, src/geom): Butler regions and detector footprints.
CREATE OR REPLACE FUNCTION obsmeta.sphgeom_to_spoly(region bytea) RETURNS spoly
    AS 'MODULE_PATHNAME', 'obsmeta_sphgeom_to_spoly' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.sphgeom_to_spoly(bytea) IS
  'An lsst.sphgeom region (ConvexPolygon; Circle, Box, Ellipse and unions by their convex outline) as a pg_sphere polygon';
CREATE OR REPLACE FUNCTION obsmeta.sphgeom_to_stcs(region bytea) RETURNS text
    AS 'MODULE_PATHNAME', 'obsmeta_sphgeom_to_stcs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION obsmeta.spoly_to_stcs(polygon spoly) RETURNS text
    AS 'MODULE_PATHNAME', 'obsmeta_spoly_to_stcs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION obsmeta.footprint_summary(footprints spoly[],
        OUT bounds spoly, OUT points jsonb, OUT center spoint, OUT area_deg2 double precision, OUT size_deg double precision,
        OUT samples jsonb)
    AS 'MODULE_PATHNAME', 'obsmeta_footprint_summary' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.footprint_summary(spoly[]) IS
  'Plane position from detector footprints: convex-hull bounds (and its points in degrees), centroid, summed area (deg^2), bounding-circle diameter (deg), and the footprints as CAOM-2.4 MultiPolygon samples';
CREATE OR REPLACE FUNCTION obsmeta.footprint_center_size(footprint spoly, OUT center spoint, OUT size_deg double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_footprint_center_size' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.footprint_center_size(spoly) IS
  'One detector footprint''s center and bounding-circle diameter (deg), exactly as footprint_summary computes them';

CREATE OR REPLACE FUNCTION obsmeta.sphgeom_bounding_circle(footprint spoly, OUT center spoint, OUT size_deg double precision)
    AS 'MODULE_PATHNAME', 'obsmeta_sphgeom_bounding_circle' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.sphgeom_bounding_circle(spoly) IS
  'lsst.sphgeom''s bounding circle of a convex polygon (area centroid, diameter in deg): ObsCore s_ra, s_dec, s_fov as dax_obscore computes them';

-- Deterministic ids: the CAOM2 entity made from a Butler key always has the same UUID, so
-- conversion needs no lookups and re-conversion finds its own rows. (Explicit ::text casts keep
-- the bodies immutable, so that the planner inlines them instead of calling them per row.)
CREATE OR REPLACE FUNCTION obsmeta.exposure_obs_id(instrument text, exposure bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('exposure/' || instrument || '/' || exposure::text)::uuid $$;
CREATE OR REPLACE FUNCTION obsmeta.visit_obs_id(instrument text, visit bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('visit/' || instrument || '/' || visit::text)::uuid $$;
CREATE OR REPLACE FUNCTION obsmeta.coadd_obs_id(skymap text, tract integer, patch integer, band text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT md5('coadd/' || skymap || '/' || tract::text || '/' || patch::text || '/' || band)::uuid $$;
CREATE OR REPLACE FUNCTION obsmeta.plane_id(obs_id uuid, product_id text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('plane/' || obs_id::text || '/' || product_id)::uuid $$;
CREATE OR REPLACE FUNCTION obsmeta.artifact_id(dataset_id uuid, component text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('artifact/' || dataset_id::text || '/' || component)::uuid $$;
CREATE OR REPLACE FUNCTION obsmeta.part_id(artifact_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('part/' || artifact_id::text || '/0')::uuid $$;
CREATE OR REPLACE FUNCTION obsmeta.chunk_id(artifact_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5('chunk/' || artifact_id::text || '/0')::uuid $$;
-- Lock key of an observation for obsmeta.lock_observations: its id's first 32 bits.
CREATE OR REPLACE FUNCTION obsmeta.lock_key(obs_id uuid) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ('x' || left(replace(obs_id::text, '-', ''), 8))::bit(32)::integer $$;

-- The conversion's per-observation locks: row locks on obsmeta.observation_lock's slots
-- (04_observation_locks.sql), taken in ascending slot order, so lockers never deadlock.
CREATE OR REPLACE FUNCTION obsmeta.lock_observations(keys integer[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM FROM obsmeta.observation_lock l WHERE l.slot = ANY (SELECT k & 16383 FROM unnest(keys) k)
      ORDER BY l.slot FOR UPDATE;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.lock_observations(integer[]) FROM PUBLIC;

-- Time as Modified Julian Date (UTC), CAOM2's time axis unit.
CREATE OR REPLACE FUNCTION obsmeta.mjd(t timestamptz) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT extract(epoch FROM (t - '1858-11-17 00:00:00+00'::timestamptz))::double precision / 86400.0 $$;

-- Artifact URI from the instrument's template: {path} {instrument} {dataset_id} {run} {dataset_type}.
CREATE OR REPLACE FUNCTION obsmeta.artifact_uri(template text, path text, dataset_id uuid, instrument text, run text, dataset_type text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(coalesce(template, 'butler://{dataset_id}'),
           '{path}', path), '{instrument}', coalesce(instrument, '')), '{dataset_id}', dataset_id::text),
           '{run}', run), '{dataset_type}', dataset_type) $$;

CREATE OR REPLACE FUNCTION obsmeta.content_type(path text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN path ~* '\.fits?(\.fz|\.gz)?$' THEN 'application/fits'
                WHEN path ~* '\.(json)$' THEN 'application/json'
                WHEN path ~* '\.(parq|parquet)$' THEN 'application/vnd.apache.parquet' END $$;
CREATE OR REPLACE FUNCTION obsmeta.spoly_to_sphgeom(polygon spoly) RETURNS bytea
    AS 'MODULE_PATHNAME', 'obsmeta_spoly_to_sphgeom' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION obsmeta.spoly_to_sphgeom(spoly) IS 'A convex pg_sphere polygon as an lsst.sphgeom ConvexPolygon encoding';

-- Self-test of the C++/PostgreSQL boundary (used by the test suite; harmless in production):
-- raises the chosen kind of error from 5 C++ frames deep, each owning an object with a destructor.
CREATE OR REPLACE FUNCTION obsmeta.boundary_selftest(mode text) RETURNS integer
    AS 'MODULE_PATHNAME', 'obsmeta_boundary_selftest' LANGUAGE C VOLATILE STRICT;
CREATE OR REPLACE FUNCTION obsmeta.boundary_live_objects() RETURNS integer
    AS 'MODULE_PATHNAME', 'obsmeta_boundary_live_objects' LANGUAGE C VOLATILE;
-- Test instruments, not an interface: superusers only (issue 13).
REVOKE EXECUTE ON FUNCTION obsmeta.boundary_selftest(text), obsmeta.boundary_live_objects() FROM PUBLIC;

-- obsmeta.check_identifier(column, value): identifiers that go into unique indexes are at most
-- 1024 bytes, so an oversized one fails with its column, size and a hint, not with the btree's
-- bare "index row size exceeds maximum" (issue 13).
CREATE OR REPLACE FUNCTION obsmeta.check_identifier(column_name text, value text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_identifier' LANGUAGE C IMMUTABLE PARALLEL SAFE;
