-- obsmeta install script, part 77 (re-runnable): obsmeta.datalink_cutout_service()'s descriptors
-- as a view, what a DataLink service reads beside obsmeta.datalink_links (a view, unlike a
-- function, can be a foreign table of another database, as on contrib/dachs's staff server). One
-- row per input parameter of each service a links row names in service_def.
CREATE OR REPLACE VIEW obsmeta.datalink_descriptors WITH (security_invoker = true) AS
SELECT s.service_def, s.access_url, s.standard_id, s.param_name, s.datatype, s.arraysize, s.xtype, s.unit,
       s.ucd, s.value_ref
  FROM obsmeta.datalink_cutout_service() s;
COMMENT ON VIEW obsmeta.datalink_descriptors IS
  'Service descriptors of the services named by service_def in obsmeta.datalink_links: endpoint, standardID, one row per input parameter (value_ref id: the ID column of the links table)';
GRANT SELECT ON obsmeta.datalink_descriptors TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
