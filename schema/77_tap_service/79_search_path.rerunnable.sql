-- obsmeta install script, part 79: the search_path of the 7x functions that use pg_sphere.
-- They are created with the placeholder schema "$pgsphere$" (a missing schema in a search_path is
-- ignored); here it becomes the schema pg_sphere is installed in, which is known only now.
DO $fix$
DECLARE
    f record;
    sphere text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                     WHERE e.extname = 'pg_sphere');
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
              WHERE p.pronamespace = 'obsmeta'::regnamespace
                AND p.proconfig @> ARRAY['search_path=pg_catalog, "$pgsphere$"'] LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I', f.fn, sphere);
    END LOOP;
END
$fix$;
