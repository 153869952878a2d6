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
