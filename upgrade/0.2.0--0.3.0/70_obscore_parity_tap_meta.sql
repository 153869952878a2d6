-- 0.3.0: TAP_SCHEMA metadata of the two ObsCore columns added in 70_obscore_parity.sql (schema/78_tap_schema.sql).
-- Named 70_…: it must come before 70_obscore_s_region_geometry.sql, which rewrites the TAP_SCHEMAs
-- 0.2.0 wrote from these rows.
INSERT INTO obsmeta.obscore_column_meta
    (column_index, column_name, datatype, arraysize, xtype, unit, ucd, utype, principal, std, description) VALUES
 (44, 'dataproduct_subtype', 'char', '*', NULL, NULL, 'meta.code.class', 'obscore:ObsDataset.dataProductSubtype', 1, 1, 'Data product specific type'),
 (45, 'em_filter_name', 'char', '*', NULL, NULL, 'instr.filter', NULL, 1, 0, 'Filter (band) name, as dax_obscore exports it');
