-- 0.3.0: dax_obscore's per-dataset-type ObsCore settings and physical-filter spectral ranges
-- (schema/10_config.sql; the SELECT grant from schema/90_privileges.sql).
ALTER TABLE obsmeta.dataset_type_config
    ADD COLUMN dataproduct_subtype text, ADD COLUMN obscore_obs_id_template text, ADD COLUMN access_url_template text;

-- Spectral range of a physical filter (metres): taken before its band's, as dax_obscore's
-- spectral_ranges are looked up by physical_filter first, then by band.
CREATE TABLE obsmeta.physical_filter_wavelength (
    instrument      text NOT NULL,
    physical_filter text NOT NULL,
    em_min_m        double precision NOT NULL,
    em_max_m        double precision NOT NULL,
    PRIMARY KEY (instrument, physical_filter),
    CONSTRAINT physical_filter_wavelength_order CHECK (em_min_m > 0 AND em_min_m < em_max_m)
);
COMMENT ON TABLE obsmeta.physical_filter_wavelength IS
  'Spectral range of a physical filter (m), used instead of its band''s (obsmeta.band_wavelength); reconvert after a change';

SELECT pg_catalog.pg_extension_config_dump('obsmeta.physical_filter_wavelength', '');

-- config_replace_row takes several key columns now
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
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.physical_filter_wavelength
    FOR EACH ROW EXECUTE FUNCTION obsmeta.config_replace_row('instrument', 'physical_filter');
GRANT SELECT ON obsmeta.physical_filter_wavelength TO obsmeta_writer, obsmeta_staff, obsmeta_reader;
