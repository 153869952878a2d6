-- schema/05_functions.sql (issue 13): the boundary self-test is for superusers only; identifiers
-- that go into unique indexes are checked for size.
REVOKE EXECUTE ON FUNCTION obsmeta.boundary_selftest(text), obsmeta.boundary_live_objects() FROM PUBLIC;
CREATE FUNCTION obsmeta.check_identifier(column_name text, value text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_identifier' LANGUAGE C IMMUTABLE PARALLEL SAFE;
