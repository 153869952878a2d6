-- schema/05_functions.sql, 48_rubin_into_caom2.sql, 75_embargo_rls.sql, 90_privileges.sql (issue 13):
-- the conversion's per-observation locks become row locks on obsmeta.observation_lock, which
-- readers cannot take (advisory locks can be taken by anyone: a reader could stall writers).
CREATE TABLE obsmeta.observation_lock (slot integer PRIMARY KEY);
INSERT INTO obsmeta.observation_lock SELECT generate_series(0, 16383);
COMMENT ON TABLE obsmeta.observation_lock IS 'Row-lock slots of the conversion''s per-observation locks (obsmeta.lock_observations)';
REVOKE ALL ON obsmeta.observation_lock FROM PUBLIC;
CREATE FUNCTION obsmeta.lock_observations(keys integer[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM FROM obsmeta.observation_lock l WHERE l.slot = ANY (SELECT k & 16383 FROM unnest(keys) k)
      ORDER BY l.slot FOR UPDATE;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.lock_observations(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.lock_observations(integer[])
   TO obsmeta_writer, obsmeta_staff, obsmeta_release_manager, obsmeta_embargo_officer;
CREATE OR REPLACE FUNCTION obsmeta.rubin_lock_planes(planes uuid[]) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT obsmeta.lock_observations(ARRAY(SELECT obsmeta.lock_key(p.obs_id) FROM caom2.plane p WHERE p.plane_id = ANY ($1))) $$;
CREATE OR REPLACE FUNCTION obsmeta.hold(obs_id uuid, reason text, include_derived boolean DEFAULT true) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning AS $$
DECLARE
    n integer;
    who text := obsmeta.acting_role();
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a hold needs a reason' USING ERRCODE = '22023';
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS obsmeta_hold_ids (obs_id uuid PRIMARY KEY) ON COMMIT DROP;
    TRUNCATE obsmeta_hold_ids;
    INSERT INTO obsmeta_hold_ids VALUES (hold.obs_id);
    IF include_derived THEN  -- the visits (derived observations) made from it show the same sky
        INSERT INTO obsmeta_hold_ids
        SELECT m.composite_id FROM caom2.observation o JOIN caom2.observation_member m ON m.member_uri = o.uri
         WHERE o.obs_id = hold.obs_id ON CONFLICT DO NOTHING;
    END IF;
    -- the conversion's per-observation locks, in its order: a concurrent conversion of these
    -- observations either finished before (and is re-hidden here) or sees the hold
    PERFORM obsmeta.lock_observations(ARRAY(SELECT obsmeta.lock_key(i.obs_id) FROM obsmeta_hold_ids i));
    WITH added AS (
        INSERT INTO obsmeta.embargo_hold (obs_id, collection, observation_id, reason, held_by)
        SELECT i.obs_id, o.collection, o.observation_id, reason, who
          FROM obsmeta_hold_ids i LEFT JOIN caom2.observation o ON o.obs_id = i.obs_id
         ORDER BY i.obs_id
        ON CONFLICT ON CONSTRAINT embargo_hold_pkey DO NOTHING
        RETURNING embargo_hold.obs_id, embargo_hold.collection, embargo_hold.observation_id
    )
    INSERT INTO obsmeta.embargo_log (action, obs_id, collection, observation_id, reason, done_by, session_user_name)
    SELECT 'hold', a.obs_id, a.collection, a.observation_id, reason, who, session_user FROM added a;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
CREATE OR REPLACE FUNCTION obsmeta.release_hold(obs_id uuid, reason text DEFAULT NULL, include_derived boolean DEFAULT true)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning AS $$
DECLARE
    n integer;
    who text := obsmeta.acting_role();
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS obsmeta_hold_ids (obs_id uuid PRIMARY KEY) ON COMMIT DROP;
    TRUNCATE obsmeta_hold_ids;
    INSERT INTO obsmeta_hold_ids VALUES (release_hold.obs_id);
    IF include_derived THEN
        INSERT INTO obsmeta_hold_ids
        SELECT m.composite_id FROM caom2.observation o JOIN caom2.observation_member m ON m.member_uri = o.uri
         WHERE o.obs_id = release_hold.obs_id ON CONFLICT DO NOTHING;
    END IF;
    PERFORM obsmeta.lock_observations(ARRAY(SELECT obsmeta.lock_key(i.obs_id) FROM obsmeta_hold_ids i));
    WITH removed AS (
        DELETE FROM obsmeta.embargo_hold h USING obsmeta_hold_ids i WHERE h.obs_id = i.obs_id
        RETURNING h.obs_id, h.collection, h.observation_id
    )
    INSERT INTO obsmeta.embargo_log (action, obs_id, collection, observation_id, reason, done_by, session_user_name)
    SELECT 'release', r.obs_id, r.collection, r.observation_id, reason, who, session_user FROM removed r;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
