-- obsmeta install script, part 11: configuration rows replaced by key (10_config.sql).
-- pg_dump keeps every configuration row; on restore CREATE EXTENSION has already inserted the
-- defaults, so an inserted row replaces the row with the same key instead of colliding with it.
CREATE OR REPLACE FUNCTION obsmeta.config_replace_row() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
DECLARE
    key text;
    condition text := 'true';
BEGIN
    -- TG_ARGV: the key columns
    FOREACH key IN ARRAY TG_ARGV LOOP
        condition := condition || format(' AND %I::text = ($1 ->> %L)', key, key);
    END LOOP;
    EXECUTE format('DELETE FROM %I.%I WHERE %s', TG_TABLE_SCHEMA, TG_TABLE_NAME, condition) USING to_jsonb(NEW);
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.instrument_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('instrument');
CREATE OR REPLACE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.dataset_type_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('dataset_type');
CREATE OR REPLACE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.band_wavelength
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('band');
CREATE OR REPLACE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.physical_filter_wavelength
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('instrument', 'physical_filter');
