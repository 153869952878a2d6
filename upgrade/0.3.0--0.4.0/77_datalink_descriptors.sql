-- obsmeta.datalink_descriptors: the cutout service descriptor as a view, for DataLink services
-- (contrib/dachs) that read it through postgres_fdw. New objects only, as in schema/77_datalink.sql.
CREATE VIEW obsmeta.datalink_descriptors WITH (security_invoker = true) AS
SELECT s.service_def, s.access_url, s.standard_id, s.param_name, s.datatype, s.arraysize, s.xtype, s.unit,
       s.ucd, s.value_ref
  FROM obsmeta.datalink_cutout_service() s;
COMMENT ON VIEW obsmeta.datalink_descriptors IS
  'Service descriptors of the services named by service_def in obsmeta.datalink_links: endpoint, standardID, one row per input parameter (value_ref id: the ID column of the links table)';
GRANT SELECT ON obsmeta.datalink_descriptors TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
