-- The one declaration of ivoa.obscore's columns (obsmeta.obscore_column): the table, the column
-- lists of obsmeta.obscore_apply and the TAP_SCHEMA metadata all follow from it.
BEGIN;
SELECT plan(7);

SELECT is((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
            WHERE a.attrelid = 'ivoa.obscore'::regclass AND a.attnum > 0 AND NOT a.attisdropped),
          (SELECT array_agg(column_name ORDER BY ordinal_position) FROM obsmeta.obscore_column),
          'ivoa.obscore has the declared columns, in the declared order');
SELECT is_empty($$SELECT c.column_name FROM obsmeta.obscore_column c
                    JOIN pg_attribute a ON a.attrelid = 'ivoa.obscore'::regclass AND a.attname = c.column_name
                   WHERE c.written = (a.attgenerated <> '' OR EXISTS (SELECT 1 FROM pg_index i
                                        WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)))$$,
                'obscore_apply writes every column but the key and the generated one');
-- each of its upserts (whole planes only; planes, artifacts and plane rows)
SELECT cmp_ok((SELECT count(*) FROM pg_proc p, regexp_matches(p.prosrc, 'ON CONFLICT', 'g') m
                WHERE p.oid = 'obsmeta.obscore_apply(uuid[], uuid[], uuid[])'::regprocedure), '>=', 1::bigint,
              'obscore_apply upserts');
SELECT is_empty($$SELECT c.column_name, m.n FROM obsmeta.obscore_column c, pg_proc p,
                         regexp_matches(p.prosrc, 'DO UPDATE SET(.*?)WHERE ROW', 'g') WITH ORDINALITY AS m(part, n)
                   WHERE p.oid = 'obsmeta.obscore_apply(uuid[], uuid[], uuid[])'::regprocedure
                     AND c.written <> (m.part[1] ~ ('\mEXCLUDED\.' || c.column_name || '\M'))$$,
                'each upsert of obscore_apply sets exactly the columns declared written');
SELECT is_empty($$SELECT c.column_name, m.n FROM obsmeta.obscore_column c, pg_proc p,
                         regexp_matches(p.prosrc, 'WHERE ROW(.*?)IS DISTINCT FROM', 'g') WITH ORDINALITY AS m(part, n)
                   WHERE p.oid = 'obsmeta.obscore_apply(uuid[], uuid[], uuid[])'::regprocedure
                     AND c.compared <> (m.part[1] ~ ('\mt\.' || c.column_name || '\M'))$$,
                'each upsert of obscore_apply compares exactly the columns declared compared (not the pg_sphere values)');
SELECT set_eq($$SELECT column_name FROM obsmeta.obscore_column_meta$$,
              $$SELECT column_name FROM obsmeta.obscore_column WHERE column_index IS NOT NULL$$,
              'the TAP_SCHEMA metadata is the declaration''s published columns');
SELECT is_empty($$SELECT m.column_name FROM obsmeta.obscore_column_meta m
                   WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = 'ivoa.obscore'::regclass
                                        AND a.attname = m.column_name AND NOT a.attisdropped)$$,
                'every published column is a column of ivoa.obscore');

SELECT * FROM finish();
ROLLBACK;
