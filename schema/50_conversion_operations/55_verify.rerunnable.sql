-- obsmeta install script, part 55: consistency checks the tests (and DBAs) run.
CREATE OR REPLACE FUNCTION obsmeta.verify_caom2() RETURNS TABLE (problem text, row_count bigint)
    LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT 'artifact without its plane', count(*) FROM caom2.artifact a
     WHERE NOT EXISTS (SELECT 1 FROM caom2.plane p WHERE p.plane_id = a.plane_id) HAVING count(*) > 0
    UNION ALL
    SELECT 'part without its artifact', count(*) FROM caom2.part p
     WHERE NOT EXISTS (SELECT 1 FROM caom2.artifact a WHERE a.artifact_id = p.artifact_id) HAVING count(*) > 0
    UNION ALL
    SELECT 'chunk without its part', count(*) FROM caom2.chunk c
     WHERE NOT EXISTS (SELECT 1 FROM caom2.part p WHERE p.part_id = c.part_id) HAVING count(*) > 0
    UNION ALL
    SELECT 'converted dataset without its plane', count(*) FROM obsmeta.dataset_plane dp
     WHERE NOT EXISTS (SELECT 1 FROM caom2.plane p WHERE p.plane_id = dp.plane_id) HAVING count(*) > 0 $$;
COMMENT ON FUNCTION obsmeta.verify_caom2() IS 'Orphaned CAOM2 rows (none expected): one row per kind of problem';
