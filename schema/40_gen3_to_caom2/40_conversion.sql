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
-- only on single-event triggers). They fire where session_replication_role is origin or local
-- (ENABLE, the default); a logical-replication apply worker fires row triggers only, and the
-- row-level capture trigger of part 52 captures its rows instead.
DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY obsmeta.gen3_converted_tables() LOOP  -- 20_gen3_rows/21_gen3_converted_tables.rerunnable.sql
        EXECUTE format('CREATE TRIGGER obsmeta_capture_insert AFTER INSERT ON gen3.%I
                          REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture()', t);
        EXECUTE format('CREATE TRIGGER obsmeta_capture_update AFTER UPDATE ON gen3.%I
                          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture()', t);
        EXECUTE format('CREATE TRIGGER obsmeta_capture_delete AFTER DELETE ON gen3.%I
                          REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION obsmeta.gen3_capture()', t);
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
