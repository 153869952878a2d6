-- obsmeta install script, part 53: a Butler registry's run-time DDL on a subscriber. daf_butler
-- creates a dataset_tags_NNNNNNNN (and, for calibrations, dataset_calibs_NNNNNNNN) table when a
-- dataset type with a new dimension group is registered, and file_datastore_records when a Butler
-- first opens the datastore. DDL does not replicate, and an apply worker that receives rows for a
-- table missing on the subscriber stops with an error. So obsmeta creates what is missing from the
-- replicated dataset_type / dimension_graph_definition rows (a trigger on the registry's
-- dataset_type, installed by obsmeta.registry_follow_ddl), in the transaction that brings the new
-- dataset type, before any row of the new table can arrive; the subscription then needs
-- ALTER SUBSCRIPTION … REFRESH PUBLICATION (which copies the new table's rows), which cannot run
-- in a transaction: obsmeta.registry_refresh_statements lists it (psql: \gexec).

-- The column type of a dimension in a registry schema: as in its existing dataset_tags tables,
-- else its dimension table's key (id, else name), else text.
CREATE FUNCTION obsmeta.registry_dimension_type(registry name, dimension name) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(
        (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = registry::regnamespace AND c.relname LIKE 'dataset\_tags\_%' AND a.attname = dimension
            AND NOT a.attisdropped ORDER BY c.relname LIMIT 1),
        (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = registry::regnamespace AND c.relname = dimension AND a.attname IN ('id', 'name')
            AND NOT a.attisdropped ORDER BY a.attname LIMIT 1),
        'text') $$;

-- Creates the dataset_tags / dataset_calibs tables the registry's dataset types name and
-- file_datastore_records, where missing, shaped as daf_butler makes them (columns and primary key;
-- no foreign keys or exclusion constraints, which a replica must not enforce). Returns the
-- tables created.
CREATE FUNCTION obsmeta.registry_create_missing_tables(registry name) RETURNS SETOF text
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    t record;
    dims text;
BEGIN
    FOR t IN EXECUTE format('SELECT d.tag_association_table AS tags, d.calibration_association_table AS calibs,
                                    d.dimensions_key FROM %I.dataset_type d', registry) LOOP
        IF to_regclass(format('%I.%I', registry, t.tags)) IS NOT NULL
           AND (t.calibs IS NULL OR to_regclass(format('%I.%I', registry, t.calibs)) IS NOT NULL) THEN
            CONTINUE;
        END IF;
        EXECUTE format('SELECT string_agg(format(''%%I %%s NOT NULL'', g.dimension_name,
                                                 obsmeta.registry_dimension_type(%L, g.dimension_name)), '', '')
                          FROM %I.dimension_graph_definition g WHERE g.dimension_graph_id = $1', registry, registry)
           INTO dims USING t.dimensions_key;
        IF dims IS NULL THEN
            RAISE EXCEPTION 'dimension group % of dataset type table % has no dimensions in %.dimension_graph_definition',
                t.dimensions_key, t.tags, registry USING ERRCODE = '23503',
                HINT = 'The registry''s dimension_graph_definition rows must arrive before the dataset_type row that uses them.';
        END IF;
        IF to_regclass(format('%I.%I', registry, t.tags)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I (dataset_type_id bigint NOT NULL, dataset_id uuid NOT NULL,
                              collection_id bigint NOT NULL, %s, PRIMARY KEY (dataset_id, collection_id))',
                           registry, t.tags, dims);
            RETURN NEXT format('%I.%I', registry, t.tags);
        END IF;
        IF t.calibs IS NOT NULL AND to_regclass(format('%I.%I', registry, t.calibs)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I (id bigint PRIMARY KEY, dataset_type_id bigint NOT NULL,
                              dataset_id uuid NOT NULL, collection_id bigint NOT NULL, %s, timespan int8range NOT NULL)',
                           registry, t.calibs, dims);
            RETURN NEXT format('%I.%I', registry, t.calibs);
        END IF;
    END LOOP;
    IF to_regclass(format('%I.file_datastore_records', registry)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I.file_datastore_records (dataset_id uuid NOT NULL, path text NOT NULL,
                          formatter text NOT NULL, storage_class text NOT NULL, component varchar(32) NOT NULL,
                          checksum text, file_size bigint, PRIMARY KEY (dataset_id, component))', registry);
        RETURN NEXT format('%I.file_datastore_records', registry);
    END IF;
END $$;

-- The row trigger on <registry>.dataset_type: a new dataset type's tables exist before its rows
-- arrive. Under the apply worker a failure is quarantined (stage 'translate'), never raised.
CREATE FUNCTION obsmeta.registry_dataset_type_arrived() RETURNS trigger
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

-- Follows a registry schema's run-time DDL from now on: creates what is missing now and installs
-- the dataset_type trigger (ENABLE ALWAYS: it fires for the apply worker and for SQL writers).
CREATE FUNCTION obsmeta.registry_follow_ddl(registry name) RETURNS SETOF text
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    RETURN QUERY SELECT obsmeta.registry_create_missing_tables(registry);
    EXECUTE format('DROP TRIGGER IF EXISTS obsmeta_registry_ddl ON %I.dataset_type', registry);
    EXECUTE format('CREATE TRIGGER obsmeta_registry_ddl AFTER INSERT OR UPDATE ON %I.dataset_type
                      FOR EACH ROW EXECUTE FUNCTION obsmeta.registry_dataset_type_arrived()', registry);
    EXECUTE format('ALTER TABLE %I.dataset_type ENABLE ALWAYS TRIGGER obsmeta_registry_ddl', registry);
END $$;
COMMENT ON FUNCTION obsmeta.registry_follow_ddl(name) IS
  'Creates the registry schema''s missing dataset_tags/dataset_calibs/file_datastore_records tables and, from now on, those of every new dataset type as its dataset_type row arrives; returns the tables created';

-- The statements that make each subscription of this database that replicates the registry
-- schema pick up its tables that it does not know yet (run them outside a transaction block,
-- e.g. SELECT * FROM obsmeta.registry_refresh_statements('hsc_repo') \gexec).
CREATE FUNCTION obsmeta.registry_refresh_statements(registry name) RETURNS SETOF text
    LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT format('ALTER SUBSCRIPTION %I REFRESH PUBLICATION', s.subname)
      FROM pg_subscription s
     WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND EXISTS (SELECT 1 FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid
                    WHERE r.srsubid = s.oid AND c.relnamespace = registry::regnamespace)
       AND EXISTS (SELECT 1 FROM pg_class c
                    WHERE c.relnamespace = registry::regnamespace AND c.relkind = 'r'
                      AND (c.relname LIKE 'dataset\_tags\_%' OR c.relname LIKE 'dataset\_calibs\_%'
                           OR c.relname = 'file_datastore_records')
                      AND NOT EXISTS (SELECT 1 FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srrelid = c.oid))
     ORDER BY s.subname $$;

REVOKE ALL ON FUNCTION obsmeta.registry_create_missing_tables(name), obsmeta.registry_follow_ddl(name),
    obsmeta.registry_refresh_statements(name) FROM PUBLIC;
