-- Run on a database with obsmeta: prints the DDL of plain gen3-shaped tables (same columns, types,
-- defaults and primary keys; no obsmeta constraints, triggers or functions), for a publisher that
-- is not obsmeta: a pipeline's own database, whose bad rows obsmeta must survive.
SELECT 'CREATE SCHEMA IF NOT EXISTS gen3;'
UNION ALL
SELECT format('CREATE TABLE gen3.%I (%s, PRIMARY KEY (%s));', c.relname,
              (SELECT string_agg(format('%I %s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                                        CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                                        coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')), ', ' ORDER BY a.attnum)
                 FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
              (SELECT string_agg(format('%I', a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
                 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = c.oid AND i.indisprimary))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'gen3' AND c.relkind = 'r';
