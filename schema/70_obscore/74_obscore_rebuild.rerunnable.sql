-- obsmeta install script, part 74 (re-runnable): what follows from the one declaration of
-- ivoa.obscore's columns (obsmeta.obscore_column, 70_columns_declared.rerunnable.sql), made again
-- after it changed. Every install and update calls it last (99_finish/99_obscore_rebuild.rerunnable.sql),
-- so a column declared there reaches the table, obsmeta.obscore_source, obsmeta.obscore_apply and
-- the stored rows with no upgrade part of its own; refresh_obscore(), verify_obscore() and
-- TAP_SCHEMA read the declaration as they run.

-- Adds the declared columns ivoa.obscore lacks (at its end, in declared order; released.obscore,
-- the strict embargo mode's copy, gets them too, as LIKE copied the others: type, NOT NULL,
-- default), creates obsmeta.obscore_source and obsmeta.obscore_apply from the declaration, and
-- when columns were added computes them for the stored rows (refresh_obscore(); the strict mode's
-- triggers carry the rows to its copy). Returns the number of columns added.
CREATE OR REPLACE FUNCTION obsmeta.obscore_rebuild() RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    c record;
    added integer := 0;
    last_stored record;
BEGIN
    SELECT d.column_name, d.ordinal_position INTO last_stored
      FROM obsmeta.obscore_column d
      JOIN pg_attribute a ON a.attrelid = 'ivoa.obscore'::regclass AND a.attname = d.column_name AND NOT a.attisdropped
     ORDER BY d.ordinal_position DESC LIMIT 1;
    FOR c IN SELECT d.column_name, d.ordinal_position, d.definition FROM obsmeta.obscore_column d
              WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                                 WHERE a.attrelid = 'ivoa.obscore'::regclass AND a.attname = d.column_name
                                   AND a.attnum > 0 AND NOT a.attisdropped)
              ORDER BY d.ordinal_position LOOP
        IF c.ordinal_position < last_stored.ordinal_position THEN
            -- a fresh install would put it elsewhere than ALTER TABLE can: the two would differ
            RAISE EXCEPTION 'ObsCore column "%" is declared at ordinal_position %, before column "%" (%) that ivoa.obscore has',
                            c.column_name, c.ordinal_position, last_stored.column_name, last_stored.ordinal_position
                  USING ERRCODE = 'invalid_table_definition',
                        HINT = format('ivoa.obscore gains columns only at its end: declare "%s" with an ordinal_position after %s.',
                                      c.column_name, last_stored.ordinal_position);
        END IF;
        EXECUTE format('ALTER TABLE ivoa.obscore ADD COLUMN %I %s', c.column_name, c.definition);
        IF to_regclass('released.obscore') IS NOT NULL THEN
            EXECUTE (SELECT format('ALTER TABLE released.obscore ADD COLUMN %I %s%s%s', a.attname,
                                   format_type(a.atttypid, a.atttypmod),
                                   CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                                   CASE WHEN a.attgenerated = '' AND ad.adbin IS NOT NULL
                                        THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END)
                       FROM pg_attribute a
                       LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                      WHERE a.attrelid = 'ivoa.obscore'::regclass AND a.attname = c.column_name);
        END IF;
        added := added + 1;
        last_stored := c;
    END LOOP;
    PERFORM obsmeta.obscore_source_rebuild();
    -- each value must have its column's type: obscore_apply and refresh_obscore insert it as it is
    SELECT v.attname, format_type(v.atttypid, v.atttypmod) AS value_type, format_type(t.atttypid, t.atttypmod) AS column_type
      INTO c
      FROM pg_attribute v
      JOIN pg_attribute t ON t.attrelid = 'ivoa.obscore'::regclass AND t.attname = v.attname
     WHERE v.attrelid = 'obsmeta.obscore_source'::regclass AND v.attnum > 0
       AND (v.atttypid, v.atttypmod) IS DISTINCT FROM (t.atttypid, t.atttypmod)
     ORDER BY v.attnum LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ObsCore column "%": its value_expression gives %, the column is %', c.attname, c.value_type, c.column_type
              USING ERRCODE = 'datatype_mismatch',
                    HINT = format('Cast the expression in obsmeta.obscore_column: (...)::%s.', c.column_type);
    END IF;
    PERFORM obsmeta.obscore_apply_rebuild();
    IF added > 0 THEN
        PERFORM obsmeta.refresh_obscore();
    END IF;
    RETURN added;
END $$;
COMMENT ON FUNCTION obsmeta.obscore_rebuild() IS
  'After a change of obsmeta.obscore_column: adds the declared columns ivoa.obscore lacks (and fills them), creates obsmeta.obscore_source and obsmeta.obscore_apply from the declaration; returns the number of columns added';
REVOKE EXECUTE ON FUNCTION obsmeta.obscore_rebuild() FROM PUBLIC;
