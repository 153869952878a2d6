-- schema/69_efd_privileges.sql (issue 13): efd.refresh() is for writers, not PUBLIC.
REVOKE EXECUTE ON FUNCTION efd.refresh() FROM PUBLIC;
