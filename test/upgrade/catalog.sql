-- What the obsmeta extension consists of, one line per fact, for comparing an upgraded database
-- with a fresh install: member objects, function bodies and settings, columns, indexes,
-- constraints, triggers, policies, views, privileges, comments, operator classes, dumped tables.
WITH members AS (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'obsmeta')
), rels AS (
    SELECT c.oid, c.oid::regclass::text AS name FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
)
SELECT 'member ' || pg_describe_object(classid, objid, objsubid) FROM members
UNION ALL
SELECT format('function %s %s %s', p.oid::regprocedure, md5(pg_get_functiondef(p.oid)), coalesce(p.proacl::text, ''))
  FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid WHERE p.prokind IN ('f', 'p')
UNION ALL
SELECT format('aggregate %s %s %s %s %s', a.aggfnoid::regprocedure, a.aggtransfn, a.aggfinalfn, a.aggtranstype::regtype, coalesce(p.proacl::text, ''))
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT format('column %s.%s %s %s %s', r.name, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              coalesce(pg_get_expr(d.adbin, d.adrelid), ''))
  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
UNION ALL
SELECT format('relation %s %s rls=%s/%s %s %s', r.name, c.relkind, c.relrowsecurity, c.relforcerowsecurity,
              coalesce(c.relacl::text, ''), coalesce(array_to_string(c.reloptions, ','), ''))
  FROM rels r JOIN pg_class c ON c.oid = r.oid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM rels r JOIN pg_index i ON i.indrelid = r.oid
UNION ALL
SELECT format('constraint %s %s %s', r.name, c.conname, pg_get_constraintdef(c.oid)) FROM rels r JOIN pg_constraint c ON c.conrelid = r.oid
UNION ALL
SELECT format('trigger %s %s', pg_get_triggerdef(t.oid), t.tgenabled) FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
UNION ALL
SELECT format('policy %s %s %s %s %s %s', r.name, p.polname, p.polcmd, p.polroles::regrole[],
              coalesce(pg_get_expr(p.polqual, p.polrelid), ''), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''))
  FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
UNION ALL
SELECT format('view %s %s', r.name, md5(pg_get_viewdef(r.oid))) FROM rels r JOIN pg_class c ON c.oid = r.oid AND c.relkind IN ('v', 'm')
UNION ALL
SELECT format('comment %s %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), md5(d.description))
  FROM pg_description d
 WHERE (d.classoid, d.objoid) IN (SELECT classid, objid FROM members)
UNION ALL
SELECT format('schema %s %s', n.nspname, coalesce(n.nspacl::text, ''))
  FROM pg_namespace n JOIN members m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
UNION ALL
SELECT format('operator %s %s %s %s', f.opfname, o.amopstrategy, o.amopopr::regoperator, o.amoppurpose)
  FROM pg_opfamily f JOIN members m ON m.classid = 'pg_opfamily'::regclass AND m.objid = f.oid JOIN pg_amop o ON o.amopfamily = f.oid
UNION ALL
SELECT format('support %s %s %s', f.opfname, p.amprocnum, p.amproc::regprocedure)
  FROM pg_opfamily f JOIN members m ON m.classid = 'pg_opfamily'::regclass AND m.objid = f.oid JOIN pg_amproc p ON p.amprocfamily = f.oid
UNION ALL
SELECT format('dumped %s %s', c::regclass, coalesce(e.extcondition[i], ''))
  FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY AS u(c, i) WHERE e.extname = 'obsmeta'
UNION ALL
SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'obsmeta'
ORDER BY 1;
