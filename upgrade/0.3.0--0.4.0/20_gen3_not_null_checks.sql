-- 0.4.0: the gen3 columns obsmeta cannot convert without are CHECKs (obsmeta.check_not_null)
-- instead of NOT NULL, so that a NULL applied by a logical-replication apply worker (a publisher
-- whose table allows it) is quarantined instead of stopping the subscription
-- (schema/20_gen3_rows/20_gen3_mirror.sql). The function is created here too: the re-runnable
-- part that declares it (schema/00_foundation/05_functions.rerunnable.sql) runs after this one.
CREATE OR REPLACE FUNCTION obsmeta.check_not_null(table_name text, column_name text, value anyelement) RETURNS boolean
    AS 'MODULE_PATHNAME', 'obsmeta_check_not_null' LANGUAGE C IMMUTABLE PARALLEL SAFE;

ALTER TABLE gen3.exposure
    ALTER COLUMN physical_filter DROP NOT NULL, ALTER COLUMN obs_id DROP NOT NULL,
    ADD CONSTRAINT exposure_physical_filter_not_null CHECK (obsmeta.check_not_null('exposure', 'physical_filter', physical_filter)),
    ADD CONSTRAINT exposure_obs_id_not_null CHECK (obsmeta.check_not_null('exposure', 'obs_id', obs_id));
ALTER TABLE gen3.visit
    ALTER COLUMN physical_filter DROP NOT NULL, ALTER COLUMN name DROP NOT NULL,
    ADD CONSTRAINT visit_physical_filter_not_null CHECK (obsmeta.check_not_null('visit', 'physical_filter', physical_filter)),
    ADD CONSTRAINT visit_name_not_null CHECK (obsmeta.check_not_null('visit', 'name', name));
ALTER TABLE gen3.visit_detector_region
    ALTER COLUMN region DROP NOT NULL,
    ADD CONSTRAINT visit_detector_region_region_not_null CHECK (obsmeta.check_not_null('visit_detector_region', 'region', region));
ALTER TABLE gen3.dataset
    ALTER COLUMN dataset_type DROP NOT NULL, ALTER COLUMN run DROP NOT NULL,
    ADD CONSTRAINT dataset_dataset_type_not_null CHECK (obsmeta.check_not_null('dataset', 'dataset_type', dataset_type)),
    ADD CONSTRAINT dataset_run_not_null CHECK (obsmeta.check_not_null('dataset', 'run', run));
ALTER TABLE gen3.file_datastore_record
    ALTER COLUMN path DROP NOT NULL,
    ADD CONSTRAINT file_datastore_record_path_not_null CHECK (obsmeta.check_not_null('file_datastore_record', 'path', path));
