-- 0.2.0's statement-level capture triggers were ENABLE ALWAYS (they fired for logical replication's
-- table sync only); the row-level trigger of part 52 (52_quarantine.sql) captures replicated rows now.
DO $enable$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['exposure', 'visit', 'physical_filter', 'visit_definition',
                             'visit_detector_region', 'dataset', 'file_datastore_record', 'patch'] LOOP
        EXECUTE format('ALTER TABLE gen3.%I ENABLE TRIGGER obsmeta_capture_insert,
                          ENABLE TRIGGER obsmeta_capture_update, ENABLE TRIGGER obsmeta_capture_delete', t);
    END LOOP;
END
$enable$;
