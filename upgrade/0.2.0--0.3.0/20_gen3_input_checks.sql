-- schema/20_gen3_mirror.sql (issue 13): a detector region is required (a NULL one silently dropped
-- the footprint; the upgrade stops here if such rows exist: delete them or give them their region
-- first), and obs_id / visit name are at most 1024 bytes.
ALTER TABLE gen3.visit_detector_region ALTER COLUMN region SET NOT NULL;
ALTER TABLE gen3.exposure ADD CONSTRAINT exposure_obs_id_size CHECK (obsmeta.check_identifier('obs_id', obs_id));
ALTER TABLE gen3.visit ADD CONSTRAINT visit_name_size CHECK (obsmeta.check_identifier('name', name));
