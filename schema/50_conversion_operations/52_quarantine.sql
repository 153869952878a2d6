-- obsmeta install script, part 52: rows that logical replication delivered but that cannot be
-- converted (C++: src/replication/quarantine.cpp, src/gen3_to_caom2/apply_conversion.cpp).
-- Under a logical-replication apply worker an ERROR stops the subscription, which then retries the
-- same transaction forever. There, a row that breaks a gen3 constraint, names an unconfigured
-- instrument or dataset type, or fails to convert is kept where replication put it and listed
-- here instead; the rest of the transaction converts and the subscription keeps streaming. A row
-- leaves the list when it converts: when a later transaction writes it again (or, for 'convert',
-- converts its key), when it is deleted, or through obsmeta.retry_quarantined(). Plain-SQL
-- writers are never listed: they get the error.
CREATE TABLE obsmeta.quarantine (
    relation     regclass NOT NULL,
    row_key      jsonb NOT NULL,
    stage        text NOT NULL CHECK (stage IN ('check', 'capture', 'convert', 'translate')),
    sqlstate     text NOT NULL,
    message      text NOT NULL,
    detail       text,
    hint         text,
    first_failed timestamptz NOT NULL DEFAULT now(),
    last_failed  timestamptz NOT NULL DEFAULT now(),
    attempts     integer NOT NULL DEFAULT 1,
    PRIMARY KEY (relation, row_key)
);
COMMENT ON TABLE obsmeta.quarantine IS
  'Rows applied by logical replication that could not be converted (kept in their table): relation, primary key, where it failed (check: a gen3 constraint; capture: unconfigured instrument or dataset type; convert: the CAOM2 conversion; translate: a registry row into gen3), SQLSTATE and message, times, attempts';
COMMENT ON COLUMN obsmeta.quarantine.row_key IS 'The row''s primary key (replica identity if none), column name → value';

CREATE FUNCTION obsmeta.retry_quarantined(relation regclass DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME', 'obsmeta_retry_quarantined' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION obsmeta.retry_quarantined(regclass) IS
  'Writes every quarantined row (of one relation, or all) again unchanged and converts it, each in a subtransaction; returns how many left the list (converted or gone); the others stay with attempts + 1 and their new error';

CREATE FUNCTION obsmeta.gen3_capture_row() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_gen3_capture_row' LANGUAGE C;

-- Logical replication: the apply worker fires row triggers only (ENABLE REPLICA or ALWAYS), never
-- statement triggers, and its initial table sync's COPY fires row triggers too. So the gen3 tables
-- have a row-level capture trigger that fires only where session_replication_role = replica, and
-- the statement-level ones (part 40) fire everywhere else (ENABLE, the default): each row is
-- captured once, and ordinary writers keep the set-based statement path.
DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY obsmeta.gen3_converted_tables() LOOP  -- 20_gen3_rows/21_gen3_converted_tables.rerunnable.sql
        EXECUTE format('CREATE TRIGGER obsmeta_capture_row AFTER INSERT OR UPDATE OR DELETE ON gen3.%I
                          FOR EACH ROW EXECUTE FUNCTION obsmeta.gen3_capture_row()', t);
        EXECUTE format('ALTER TABLE gen3.%I ENABLE REPLICA TRIGGER obsmeta_capture_row', t);
    END LOOP;
END
$triggers$;

REVOKE ALL ON FUNCTION obsmeta.retry_quarantined(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.retry_quarantined(regclass) TO obsmeta_writer;
-- obsmeta.quarantine_touch and the gen3 tables' NULL-key trigger: 52_quarantine.rerunnable.sql
GRANT SELECT ON obsmeta.quarantine TO obsmeta_staff;
-- writers' own conversions remove rows that converted; retries update them
GRANT SELECT, INSERT, UPDATE, DELETE ON obsmeta.quarantine TO obsmeta_writer;
SELECT pg_catalog.pg_extension_config_dump('obsmeta.quarantine', '');
