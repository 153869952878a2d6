-- The public contract of the install script: schemas, tables, roles, functions, the conversion
-- setting and the capture triggers (statement-level for ordinary writers, row-level ENABLE REPLICA
-- for logical replication's apply worker, which fires row triggers only).
BEGIN;
SELECT plan(23);

SELECT has_schema(s, 'schema ' || s || ' exists') FROM unnest(ARRAY['gen3', 'caom2', 'obsmeta']) AS s;

SELECT set_eq($$SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'gen3' AND c.relkind = 'r'$$,
              ARRAY['instrument', 'physical_filter', 'detector', 'day_obs', 'exposure', 'visit', 'visit_definition',
                    'visit_detector_region', 'dataset', 'file_datastore_record', 'patch'],
              'gen3 mirror has exactly the documented tables');
SELECT set_has($$SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'caom2' AND c.relkind = 'r'$$,
               $$SELECT unnest(ARRAY['observation', 'plane', 'artifact', 'part', 'chunk', 'observation_member',
                                     'provenance_input', 'deleted_observation'])$$,
               'caom2 has the CAOM-2.4 tables of the contract');
SELECT has_view('obsmeta', 'pending', 'obsmeta.pending exists');
SELECT columns_are('obsmeta', 'pending', ARRAY['mirror_table', 'mirror_key', 'waiting_for'], 'obsmeta.pending columns');
SELECT col_is_pk('gen3', 'file_datastore_record', ARRAY['dataset_id', 'component'], 'datastore record pk (dataset_id, component)');
SELECT col_is_pk('gen3', 'exposure', ARRAY['instrument', 'id'], 'exposure pk (instrument, id)');

SELECT has_role(r, 'role ' || r || ' exists') FROM unnest(ARRAY['obsmeta_writer', 'obsmeta_staff', 'obsmeta_reader']) AS r;

SELECT has_function('obsmeta', f, 'function obsmeta.' || f || ' exists')
  FROM unnest(ARRAY['convert', 'exposure_obs_id', 'visit_obs_id', 'plane_id', 'artifact_id', 'spoly_to_sphgeom',
                    'sphgeom_to_spoly']) AS f;

-- The setting is defined when the library loads (first call of any obsmeta C function in the session).
SELECT obsmeta.boundary_live_objects() IS NOT NULL AS library_loaded \gset
SELECT is(current_setting('obsmeta.conversion'), 'commit', 'conversion runs at commit by default');

-- 8 mirror tables x insert/update/delete, statement-level, fired where the role is origin or local
SELECT is((SELECT count(*)::int FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'gen3' AND t.tgname LIKE 'obsmeta_capture_%' AND t.tgenabled = 'O'
             AND t.tgtype & 1 = 0),
          24, 'the statement-level capture triggers fire for ordinary writers (ENABLE ORIGIN)');
-- and one row-level trigger per mirror table for the apply worker (row triggers only)
SELECT is((SELECT count(*)::int FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'gen3' AND t.tgname = 'obsmeta_capture_row' AND t.tgenabled = 'R'
             AND t.tgtype & 1 = 1),
          8, 'a row-level capture trigger on every mirror table fires under logical replication (ENABLE REPLICA)');
-- the tables are named once (obsmeta.gen3_converted_tables()) for all these triggers
SELECT set_eq($$SELECT c.relname::text, t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'gen3' AND (t.tgname LIKE 'obsmeta_capture_%' OR t.tgname = 'obsmeta_null_key')$$,
              $$SELECT t, g FROM unnest(obsmeta.gen3_converted_tables()) t,
                       unnest(ARRAY['obsmeta_capture_insert', 'obsmeta_capture_update', 'obsmeta_capture_delete',
                                    'obsmeta_capture_row', 'obsmeta_null_key']) g$$,
              'the capture and NULL-key triggers are on exactly the tables obsmeta.gen3_converted_tables() names');

SELECT * FROM finish();
ROLLBACK;
