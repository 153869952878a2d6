-- obsmeta install script, part 76: the optional strict embargo mode (doc/strict_embargo.md).
--
-- Default mode (75_embargo_rls.sql): readers query the tables that hold every row, and row-level
-- security removes the hidden ones by time. A reader with SQL then learns about hidden rows from
-- the planner (EXPLAIN ANALYZE's "Rows Removed by Filter", estimates from statistics over all rows).
-- Strict mode, for databases that give readers SQL: readers lose SELECT on every relation that
-- holds hidden rows and read copies in schema `released` that hold public rows only (ObsCore,
-- caom2 observation and plane, rubin exposure, EFD per-exposure values). Their queries touch no
-- hidden row, so plans, EXPLAIN ANALYZE, estimates and statistics say nothing about them. The
-- copies are kept by statement-level triggers like ivoa.obscore's (they exist only in strict
-- mode), holds move rows at once, and rows whose release time passes are copied by
-- obsmeta.strict_embargo_release(), which a pg_cron job calls each minute (or any scheduler).
-- Staff, writers and the maintenance keep using the full tables: nothing changes for them.

CREATE SCHEMA released;
COMMENT ON SCHEMA released IS
  'Strict embargo mode: readers'' copies of the protected relations, public rows only (empty in default mode)';

CREATE TABLE released.obscore (LIKE ivoa.obscore INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING STORAGE);
CREATE TABLE released.observation (LIKE caom2.observation INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING STORAGE);
CREATE TABLE released.plane (LIKE caom2.plane INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING STORAGE);
CREATE INDEX ON released.plane (obs_id);
CREATE TABLE released.exposure_values (LIKE efd.exposure_values INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING STORAGE);
CREATE TABLE released.exposure AS SELECT * FROM rubin.exposure WITH NO DATA;
ALTER TABLE released.exposure ADD PRIMARY KEY (instrument, exposure_id);
CREATE INDEX ON released.exposure (obs_id);
CREATE INDEX ON released.exposure (target_name);
COMMENT ON TABLE released.obscore IS 'ivoa.obscore''s public rows (strict embargo mode)';
COMMENT ON TABLE released.observation IS 'caom2.observation''s public rows (strict embargo mode)';
COMMENT ON TABLE released.plane IS 'caom2.plane''s public rows (strict embargo mode)';
COMMENT ON TABLE released.exposure_values IS 'efd.exposure_values'' public rows (strict embargo mode)';
COMMENT ON TABLE released.exposure IS 'rubin.exposure''s public rows (strict embargo mode)';
GRANT USAGE ON SCHEMA released TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA released TO obsmeta_reader, obsmeta_staff, obsmeta_writer;

-- The mode: one row while strict mode is on, none in the default mode (dumped: scripts/restore.sh
-- re-enables it, which refills the copies; no row at install, so the restored row is the only one).
CREATE TABLE obsmeta.strict_embargo (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    released_until  timestamptz NOT NULL   -- release times up to here are copied
);
COMMENT ON TABLE obsmeta.strict_embargo IS
  'Strict embargo mode: a row while it is on (obsmeta.enable_strict_embargo), with the release time up to which rows were copied';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.strict_embargo', '');
GRANT SELECT ON obsmeta.strict_embargo TO obsmeta_staff, obsmeta_embargo_officer;

-- The mode's functions (enable, disable, sync, release): 76_strict_embargo_functions.rerunnable.sql.
