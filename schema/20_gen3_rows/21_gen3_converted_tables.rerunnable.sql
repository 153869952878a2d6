-- obsmeta install script, part 21 (re-runnable): the gen3 mirror tables whose rows the conversion
-- captures, named once for the triggers made for each of them: the statement-level capture
-- triggers (40_gen3_to_caom2/40_conversion.sql), the row-level capture trigger and the NULL-key
-- trigger that fire under a logical-replication apply worker (50_conversion_operations/52_quarantine*.sql).
CREATE OR REPLACE FUNCTION obsmeta.gen3_converted_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['exposure', 'visit', 'physical_filter', 'visit_definition',
                 'visit_detector_region', 'dataset', 'file_datastore_record', 'patch'] $$;
COMMENT ON FUNCTION obsmeta.gen3_converted_tables() IS
  'The gen3 mirror tables whose rows the conversion captures (internal: the capture and NULL-key triggers are made for each)';
REVOKE EXECUTE ON FUNCTION obsmeta.gen3_converted_tables() FROM PUBLIC;
