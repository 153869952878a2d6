-- obsmeta install script, part 90: privileges of the group roles, and what pg_dump keeps.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA gen3 TO obsmeta_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA gen3 TO obsmeta_staff;
GRANT SELECT ON ALL TABLES IN SCHEMA caom2 TO obsmeta_staff, obsmeta_reader;
GRANT SELECT ON obsmeta.pending, obsmeta.dataset_plane TO obsmeta_writer, obsmeta_staff;
GRANT SELECT ON obsmeta.instrument_config, obsmeta.dataset_type_config, obsmeta.band_wavelength
   TO obsmeta_writer, obsmeta_staff, obsmeta_reader;
GRANT SELECT ON obsmeta.physical_filter_wavelength TO obsmeta_writer, obsmeta_staff, obsmeta_reader;
REVOKE EXECUTE ON FUNCTION obsmeta.convert() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.convert() TO obsmeta_writer;
-- the conversion's per-observation locks: every role that converts, not readers (05_functions.rerunnable.sql)
GRANT EXECUTE ON FUNCTION obsmeta.lock_observations(integer[])
   TO obsmeta_writer, obsmeta_staff, obsmeta_release_manager, obsmeta_embargo_officer;
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

-- Attached registries: the translation runs as whoever writes the registry rows (a pipeline, or
-- the subscription's apply worker), who must be a writer; only its selection state is written.
GRANT SELECT ON obsmeta.registry_config TO obsmeta_writer, obsmeta_staff;
GRANT UPDATE (selected_collections) ON obsmeta.registry_config TO obsmeta_writer;
GRANT EXECUTE ON FUNCTION obsmeta.registry_capture_tables(name) TO obsmeta_writer;
