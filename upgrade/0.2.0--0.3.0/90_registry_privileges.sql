-- 0.2.0 → 0.3.0, part of schema/90_privileges.sql: attached registries (part 25): the translation runs as
-- whoever writes the registry rows (a pipeline, or the subscription's apply worker), who must be a
-- writer; only its selection state is written.
GRANT SELECT ON obsmeta.registry_config TO obsmeta_writer, obsmeta_staff;
GRANT UPDATE (selected_collections) ON obsmeta.registry_config TO obsmeta_writer;
GRANT EXECUTE ON FUNCTION obsmeta.registry_capture_tables(name) TO obsmeta_writer;
