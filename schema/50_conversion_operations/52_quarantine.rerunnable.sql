-- obsmeta install script, part 52 (re-runnable): the quarantine's functions that change with the
-- version (the table, the retry and the gen3 capture triggers: 52_quarantine.sql).

-- Writes the listed row again unchanged (UPDATE … SET key = key), so that its triggers run as for
-- a new write; returns the number of rows found (0: the row is gone). A row listed with a NULL key
-- value was never stored (obsmeta.quarantine_null_key): nothing to write again, and it is not
-- gone either, so the entry's own error is raised again (it stays listed until deleted).
CREATE OR REPLACE FUNCTION obsmeta.quarantine_touch(rel regclass, key jsonb) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    condition text;
    first_column name;
    n bigint;
    listed obsmeta.quarantine;
BEGIN
    IF EXISTS (SELECT FROM jsonb_each(key) e WHERE jsonb_typeof(e.value) = 'null') THEN
        SELECT * INTO listed FROM obsmeta.quarantine q WHERE q.relation = rel AND q.row_key = key;
        RAISE EXCEPTION '%', coalesce(listed.message, format('null key value in %s %s', rel, key))
              USING ERRCODE = '23502', DETAIL = coalesce(listed.detail, ''), HINT = coalesce(listed.hint, '');
    END IF;
    SELECT string_agg(format('%I = ($1 ->> %L)::%s', a.attname, a.attname, format_type(a.atttypid, a.atttypmod)),
                      ' AND ' ORDER BY a.attnum),
           (array_agg(a.attname ORDER BY a.attnum))[1]
      INTO condition, first_column
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname = ANY (ARRAY(SELECT jsonb_object_keys(key)));
    IF condition IS NULL THEN
        RAISE EXCEPTION 'quarantine key % names no column of %', key, rel USING ERRCODE = '42703';
    END IF;
    EXECUTE format('UPDATE %s SET %I = %I WHERE %s', rel, first_column, first_column, condition) USING key;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION obsmeta.quarantine_touch(regclass, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.quarantine_touch(regclass, jsonb) TO obsmeta_writer;

-- Under the apply worker a row with NULL in a primary-key column (from a publisher keyed
-- differently) would stop the subscription at PostgreSQL's NOT NULL: this BEFORE trigger, which
-- fires only there (ENABLE REPLICA), skips it and lists it with the whole row in `detail`
-- (src/replication/null_key_trigger.cpp). Other writers get PostgreSQL's error as before.
CREATE OR REPLACE FUNCTION obsmeta.quarantine_null_key() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_quarantine_null_key' LANGUAGE C;
DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY obsmeta.gen3_converted_tables() LOOP  -- 20_gen3_rows/21_gen3_converted_tables.rerunnable.sql
        EXECUTE format('CREATE OR REPLACE TRIGGER obsmeta_null_key BEFORE INSERT OR UPDATE ON gen3.%I
                          FOR EACH ROW EXECUTE FUNCTION obsmeta.quarantine_null_key()', t);
        EXECUTE format('ALTER TABLE gen3.%I ENABLE REPLICA TRIGGER obsmeta_null_key', t);
    END LOOP;
END
$triggers$;
