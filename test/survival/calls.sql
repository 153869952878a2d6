-- Prints one SQL statement per line: calls of every function of the obsmeta extension that ROLE
-- (psql variable :'role') may EXECUTE, with NULLs, empty and extreme arguments. Run as a superuser;
-- the output is then run as that role by test/survival.sh. Functions taking or returning
-- internal/trigger values cannot be called from SQL and are left out.
WITH vals(typ, pos, v) AS (
  VALUES
  ('text'::regtype, 1, $$'LSSTCam'$$), ('text', 2, $$''$$), ('text', 3, $$'exposure'$$),
  ('text', 4, $$repeat('[', 100000)$$), ('text', 5, $$'NaN'$$), ('text', 6, $$repeat('x', 1000000)$$),
  ('name', 1, $$'obsmeta_reader'$$), ('name', 2, $$''$$),
  ('bigint', 1, '2025120100123'), ('bigint', 2, '0'), ('bigint', 3, '-1'),
  ('bigint', 4, '9223372036854775807'), ('bigint', 5, '(-9223372036854775807 - 1)'),
  ('integer', 1, '2'), ('integer', 2, '0'), ('integer', 3, '-1'), ('integer', 4, '2147483647'),
  ('integer', 5, '(-2147483647 - 1)'),
  ('double precision', 1, '1.5'), ('double precision', 2, '0'), ('double precision', 3, $$'NaN'$$),
  ('double precision', 4, $$'Infinity'$$), ('double precision', 5, $$'-Infinity'$$), ('double precision', 6, '1e308'),
  ('boolean', 1, 'true'), ('boolean', 2, 'false'),
  ('bytea', 1, $$'\x69'$$), ('bytea', 2, $$''$$), ('bytea', 3, $$'\x00'$$), ('bytea', 4, $$'\x70'$$),
  ('bytea', 5, $$decode(repeat('ff', 100000), 'hex')$$),
  ('timestamp with time zone', 1, $$'2025-12-02 03:00:00+00'$$), ('timestamp with time zone', 2, $$'infinity'$$),
  ('timestamp with time zone', 3, $$'-infinity'$$), ('timestamp with time zone', 4, $$'4713-01-01 00:00:00+00 BC'$$),
  ('timestamp with time zone', 5, $$'294276-12-31 23:59:59+00'$$),
  ('interval', 1, $$'30 s'$$), ('interval', 2, $$'0'$$), ('interval', 3, $$'-1 s'$$),
  ('interval', 4, $$'178000000 years'$$), ('interval', 5, $$'-178000000 years'$$),
  ('uuid', 1, $$'a0000000-0000-4000-8000-000000000010'$$), ('uuid', 2, $$'00000000-0000-0000-0000-000000000000'$$),
  ('xml', 1, $$'<a/>'$$), ('xml', 2, $$'<Observation xmlns="http://www.opencadc.org/caom2/xml/v2.4"/>'$$),
  ('spoly', 1, $$'{(0d,0d),(1d,0d),(0d,1d)}'$$),
  ('regclass', 1, $$'gen3.exposure'$$), ('regclass', 2, $$'pg_class'$$),
  ('regtype', 1, $$'int4'$$),
  ('text[]', 1, $$'{LSSTCam}'$$), ('text[]', 2, $$'{}'$$), ('text[]', 3, $$'{NULL}'$$),
  ('text[]', 4, $$array_fill(''::text, array[100000])$$),
  ('bigint[]', 1, $$'{2025120100123}'$$), ('bigint[]', 2, $$'{}'$$), ('bigint[]', 3, $$'{NULL}'$$),
  ('bigint[]', 4, $$array_fill(-1::bigint, array[100000])$$),
  ('integer[]', 1, $$'{2}'$$), ('integer[]', 2, $$'{}'$$), ('integer[]', 3, $$'{NULL}'$$),
  ('integer[]', 4, $$array_fill(2, array[100000])$$), ('integer[]', 5, $$'[5:4]={}'$$),
  ('uuid[]', 1, $$'{a0000000-0000-4000-8000-000000000010}'$$), ('uuid[]', 2, $$'{}'$$), ('uuid[]', 3, $$'{NULL}'$$),
  ('spoly[]', 1, $$array['{(0d,0d),(1d,0d),(0d,1d)}'::spoly]$$), ('spoly[]', 2, $$'{}'$$), ('spoly[]', 3, $$'{NULL}'$$)
),
funcs AS (
  SELECT p.oid, p.proretset, p.proargtypes::oid[] AS args, p.pronargs
    FROM pg_proc p
    JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'obsmeta'
   WHERE p.prokind = 'f' AND has_function_privilege(:'role', p.oid, 'EXECUTE')
     AND p.prorettype NOT IN ('trigger'::regtype, 'internal'::regtype, 'event_trigger'::regtype)
     AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
),
-- argument lists: 0 = every argument NULL; k >= 1 = every argument its type's k-th value (or the
-- last one when the type has fewer); -i = argument i NULL, the others their first value
variants AS (
  SELECT f.*, k FROM funcs f, generate_series(-f.pronargs, 6) k WHERE k <> 0 OR true
),
calls AS (
  SELECT v.oid, v.proretset, v.k,
         coalesce(string_agg(
           CASE WHEN v.k = 0 OR v.k = -a.i OR NOT EXISTS (SELECT 1 FROM vals WHERE typ = a.t)
                THEN format('NULL::%s', format_type(a.t, NULL))
                ELSE format('(%s)::%s',
                            (SELECT x.v FROM vals x WHERE x.typ = a.t
                              ORDER BY (x.pos = greatest(v.k, 1)) DESC, x.pos DESC LIMIT 1),
                            format_type(a.t, NULL)) END, ', ' ORDER BY a.i), '') AS arglist,
         bool_or(v.k > 1 AND a.t IS NOT NULL AND EXISTS (SELECT 1 FROM vals WHERE typ = a.t AND pos >= v.k)) AS new_values
    FROM variants v LEFT JOIN LATERAL unnest(v.args) WITH ORDINALITY a(t, i) ON true
   GROUP BY v.oid, v.proretset, v.k
)
SELECT format('SELECT count(*) FROM %s.%I(%s);', n.nspname, p.proname, c.arglist)
  FROM calls c JOIN pg_proc p ON p.oid = c.oid JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE c.k <= 1 OR c.new_values
 ORDER BY n.nspname, p.proname, c.k;
