-- obsmeta install script, part 49: the conversion's statements checked without running them
-- (C++: src/gen3_to_caom2/check_statements.cpp; pgTAP 41_conversion_statements).
CREATE OR REPLACE FUNCTION obsmeta.check_conversion_statements()
    RETURNS TABLE (statement text, sqlstate text, error text)
    AS 'MODULE_PATHNAME', 'obsmeta_check_conversion_statements' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION obsmeta.check_conversion_statements() IS
    'Every statement of the gen3 → CAOM2 conversion prepared and planned (not run), each in a subtransaction: one row per statement, sqlstate and error NULL when it prepares';
REVOKE EXECUTE ON FUNCTION obsmeta.check_conversion_statements() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.check_conversion_statements() TO obsmeta_staff, obsmeta_writer;
