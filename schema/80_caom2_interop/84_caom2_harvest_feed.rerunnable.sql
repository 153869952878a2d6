-- obsmeta install script, part 84 (re-runnable): the harvest feed's functions and the triggers that
-- record each deleted observation's release time (its table: 84_caom2_harvest.sql).

CREATE OR REPLACE FUNCTION caom2.record_deleted_observations() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO caom2.deleted_observation_release AS r (id, meta_release, meta_checksum)
    SELECT o.obs_id, o.meta_release, o.meta_checksum FROM old_rows o
    ON CONFLICT (id) DO UPDATE SET meta_release = EXCLUDED.meta_release, meta_checksum = EXCLUDED.meta_checksum,
                                   deleted_at = EXCLUDED.deleted_at;
    -- tombstones written by the same statement (the conversion's DELETE ... RETURNING -> INSERT)
    UPDATE caom2.deleted_observation d SET meta_checksum = o.meta_checksum
      FROM old_rows o WHERE d.id = o.obs_id AND d.meta_checksum IS DISTINCT FROM o.meta_checksum;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER caom2_harvest_deleted AFTER DELETE ON caom2.observation REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION caom2.record_deleted_observations();

-- tombstones written later than the deletion get the observation's metaChecksum too
CREATE OR REPLACE FUNCTION caom2.tombstone_checksum() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.meta_checksum IS NULL THEN
        NEW.meta_checksum := (SELECT r.meta_checksum FROM caom2.deleted_observation_release r WHERE r.id = NEW.id);
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER caom2_harvest_tombstone BEFORE INSERT OR UPDATE ON caom2.deleted_observation
    FOR EACH ROW EXECUTE FUNCTION caom2.tombstone_checksum();

-- true when the tombstone's observation had been released when it was deleted and no hold is on it.
-- Answers true only for what any reader may see, so calling it reveals nothing.
CREATE OR REPLACE FUNCTION caom2.tombstone_public(id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.deleted_observation_release r
                    WHERE r.id = $1 AND r.meta_release <= r.deleted_at AND r.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = $1)) $$;
COMMENT ON FUNCTION caom2.tombstone_public(uuid) IS
    'true when a deleted observation had been public (released, not held): its tombstone may be shown to readers';

CREATE OR REPLACE FUNCTION caom2.observations_changed_since(since timestamptz, max_rows integer DEFAULT 1000,
                                                 after_id uuid DEFAULT NULL)
    RETURNS TABLE (obs_id uuid, collection text, observation_id text, uri text, max_last_modified timestamptz,
                   acc_meta_checksum text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT o.obs_id, o.collection, o.observation_id, o.uri, o.max_last_modified, o.acc_meta_checksum
      FROM caom2.observation o
     WHERE (CASE WHEN after_id IS NULL THEN o.max_last_modified >= since
                 ELSE (o.max_last_modified, o.obs_id) > (since, after_id) END)
       AND obsmeta.observation_visible(o.obs_id)
     ORDER BY o.max_last_modified, o.obs_id
     LIMIT greatest(max_rows, 0) $$;
COMMENT ON FUNCTION caom2.observations_changed_since(timestamptz, integer, uuid) IS
    'Harvest feed: observations the caller may see with max_last_modified >= since (or, with after_id, after the key (since, after_id)), in (max_last_modified, obs_id) order';

CREATE OR REPLACE FUNCTION caom2.deleted_observations_since(since timestamptz, max_rows integer DEFAULT 1000,
                                                 after_id uuid DEFAULT NULL)
    RETURNS TABLE (id uuid, collection text, observation_id text, uri text, last_modified timestamptz,
                   meta_checksum text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.id, d.collection, d.observation_id, 'caom:' || d.collection || '/' || d.observation_id,
           d.last_modified, d.meta_checksum
      FROM caom2.deleted_observation d
     WHERE (CASE WHEN after_id IS NULL THEN d.last_modified >= since
                 ELSE (d.last_modified, d.id) > (since, after_id) END)
       AND (obsmeta.sees_everything() OR caom2.tombstone_public(d.id))
     ORDER BY d.last_modified, d.id
     LIMIT greatest(max_rows, 0) $$;
COMMENT ON FUNCTION caom2.deleted_observations_since(timestamptz, integer, uuid) IS
    'Harvest feed of deletions: tombstones the caller may see with last_modified >= since (or after the key (since, after_id)), in (last_modified, id) order';

GRANT EXECUTE ON FUNCTION caom2.observations_changed_since(timestamptz, integer, uuid),
                          caom2.deleted_observations_since(timestamptz, integer, uuid) TO PUBLIC;
