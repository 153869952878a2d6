-- 0.2.0 → 0.3.0, part of schema/53_registry_ddl.sql: the tables a new dataset type brings to an
-- attached registry on a subscriber get the registry's capture trigger as they are created.
CREATE OR REPLACE FUNCTION obsmeta.registry_dataset_type_arrived() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    PERFORM obsmeta.registry_create_missing_tables(TG_TABLE_SCHEMA);
    -- an attached registry's new tables get its capture trigger before their rows arrive
    IF EXISTS (SELECT 1 FROM obsmeta.registry_config r WHERE r.registry_schema = TG_TABLE_SCHEMA AND r.attached_at IS NOT NULL) THEN
        PERFORM obsmeta.registry_capture_tables(TG_TABLE_SCHEMA);
    END IF;
    DELETE FROM obsmeta.quarantine q WHERE q.relation = TG_RELID AND q.row_key = jsonb_build_object('id', NEW.id);
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    IF current_setting('session_replication_role') <> 'replica' THEN
        RAISE;
    END IF;
    DECLARE
        state text;
        msg text;
    BEGIN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        INSERT INTO obsmeta.quarantine AS q (relation, row_key, stage, sqlstate, message)
        VALUES (TG_RELID, jsonb_build_object('id', NEW.id), 'translate', state, msg)
        ON CONFLICT (relation, row_key) DO UPDATE
           SET sqlstate = excluded.sqlstate, message = excluded.message, last_failed = now(), attempts = q.attempts + 1;
    END;
    RETURN NULL;
END $$;
