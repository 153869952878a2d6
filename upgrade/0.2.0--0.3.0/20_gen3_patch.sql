-- 0.3.0: gen3.patch (schema/20_gen3_mirror.sql), converted like the other mirror tables
-- (schema/40_conversion.sql), writable by writers and dumped with its rows (schema/90_privileges.sql).
CREATE TABLE gen3.patch (
    skymap text NOT NULL,
    tract  integer NOT NULL,
    id     integer NOT NULL,
    region bytea,
    PRIMARY KEY (skymap, tract, id),
    CONSTRAINT patch_region CHECK (obsmeta.check_region(region))
);
CREATE INDEX dataset_patch_idx ON gen3.dataset (skymap, tract, patch) WHERE patch IS NOT NULL;
COMMENT ON TABLE gen3.patch IS 'Butler skymap patches; a coadd dataset''s footprint is its patch region';
CREATE TRIGGER obsmeta_capture_insert AFTER INSERT ON gen3.patch
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture();
CREATE TRIGGER obsmeta_capture_update AFTER UPDATE ON gen3.patch
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture();
CREATE TRIGGER obsmeta_capture_delete AFTER DELETE ON gen3.patch
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture();
ALTER TABLE gen3.patch ENABLE ALWAYS TRIGGER obsmeta_capture_insert, ENABLE ALWAYS TRIGGER obsmeta_capture_update,
    ENABLE ALWAYS TRIGGER obsmeta_capture_delete;
GRANT SELECT, INSERT, UPDATE, DELETE ON gen3.patch TO obsmeta_writer;
GRANT SELECT ON gen3.patch TO obsmeta_staff;
SELECT pg_catalog.pg_extension_config_dump('gen3.patch', '');
