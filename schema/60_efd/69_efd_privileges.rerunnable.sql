-- obsmeta install script, part 69: EFD privileges and what pg_dump keeps.
-- Loaders insert samples (and register channels); everyone reads channels and specs; reduced
-- values are readable under the embargo policy; raw chunks are for staff and writers (readers get
-- an image's samples through efd.samples_for, which checks the embargo). Chunks, values and
-- Environment are written by obsmeta's triggers as the extension owner.
GRANT INSERT ON efd.sample TO obsmeta_writer;
GRANT SELECT, INSERT ON efd.channel TO obsmeta_writer;
GRANT SELECT ON efd.channel, efd.reduction TO obsmeta_staff, obsmeta_reader, obsmeta_writer;
GRANT SELECT ON efd.exposure_values, efd.visit_values, efd.exposure_value, efd.visit_value, efd.exposure_summary, efd.visit_summary
   TO obsmeta_staff, obsmeta_reader, obsmeta_writer;
GRANT SELECT ON efd.chunk, efd.image TO obsmeta_staff, obsmeta_writer;
-- efd.refresh() recomputes whatever is pending: writers', not PUBLIC's (issue 13)
REVOKE EXECUTE ON FUNCTION efd.refresh() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION efd.refresh() TO obsmeta_writer;

-- Configuration and data survive pg_dump (extension member tables are otherwise dumped empty).
-- The chunk partitions are created at run time, are not extension members and are dumped as
-- ordinary partitions of efd.chunk.
SELECT pg_catalog.pg_extension_config_dump('efd.channel', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('efd.reduction', 'WHERE source <> ''default''');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('efd.channel', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('efd.reduction', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump('efd.image', '');
SELECT pg_catalog.pg_extension_config_dump('efd.exposure_values', '');
SELECT pg_catalog.pg_extension_config_dump('efd.visit_values', '');
