-- Last: every ivoa.obscore row recomputed with 0.3.0's definitions (bounding-circle s_ra/s_dec/s_fov,
-- physical-filter ranges, dataproduct_subtype, em_filter_name, s_region geometry), once the
-- search_path of the functions is set (79_search_path.sql).
SELECT obsmeta.obscore_apply(ARRAY(SELECT plane_id FROM caom2.plane), NULL, NULL);
