-- obsmeta install script, part 75 (re-runnable): the functions of the embargo's row-level security
-- and of holds (who sees what: 75_embargo_rls.sql, whose policies call them; it runs after this file).

---------------------------------------------------------------------------------------------------
-- Visibility of CAOM2 children (true only when public; reading as owner avoids policy recursion)
---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION obsmeta.plane_public(plane_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.plane p JOIN caom2.observation o ON o.obs_id = p.obs_id
                    WHERE p.plane_id = $1 AND p.meta_release <= now() AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = p.obs_id)) $$;
ALTER FUNCTION obsmeta.plane_public(uuid) COST 50;
CREATE OR REPLACE FUNCTION obsmeta.artifact_public(artifact_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.artifact a JOIN caom2.plane p ON p.plane_id = a.plane_id
                     JOIN caom2.observation o ON o.obs_id = p.obs_id
                    WHERE a.artifact_id = $1 AND p.meta_release <= now() AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = p.obs_id)) $$;
ALTER FUNCTION obsmeta.artifact_public(uuid) COST 75;
CREATE OR REPLACE FUNCTION obsmeta.part_public(part_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM caom2.part pt JOIN caom2.artifact a ON a.artifact_id = pt.artifact_id
                     JOIN caom2.plane p ON p.plane_id = a.plane_id
                     JOIN caom2.observation o ON o.obs_id = p.obs_id
                    WHERE pt.part_id = $1 AND p.meta_release <= now() AND o.meta_release <= now()
                      AND NOT EXISTS (SELECT 1 FROM obsmeta.embargo_hold h WHERE h.obs_id = p.obs_id)) $$;
ALTER FUNCTION obsmeta.part_public(uuid) COST 100;
COMMENT ON FUNCTION obsmeta.plane_public(uuid) IS 'true when the plane and its observation are public (released, not held)';
COMMENT ON FUNCTION obsmeta.artifact_public(uuid) IS 'true when the artifact''s plane is public';
COMMENT ON FUNCTION obsmeta.part_public(uuid) IS 'true when the part''s artifact is public';

-- For tables added later (rubin.*): one call puts the standard per-observation policy on a table.
CREATE OR REPLACE FUNCTION obsmeta.enable_embargo(tab regclass, obs_id_column name DEFAULT 'obs_id') RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tab);
    EXECUTE format('CREATE POLICY embargo_visible ON %s FOR SELECT TO PUBLIC USING ((SELECT obsmeta.sees_everything()) OR obsmeta.observation_public(%I))',
                   tab, obs_id_column);
    EXECUTE format('CREATE POLICY embargo_writer ON %s FOR ALL TO obsmeta_writer USING (true) WITH CHECK (true)', tab);
END $$;
COMMENT ON FUNCTION obsmeta.enable_embargo(regclass, name) IS
  'Enables row-level security on a table keyed by observation: staff/writers see all, others rows of public observations';
REVOKE EXECUTE ON FUNCTION obsmeta.enable_embargo(regclass, name) FROM PUBLIC;

---------------------------------------------------------------------------------------------------
-- Holds
---------------------------------------------------------------------------------------------------
-- The role that acts: the SET ROLE role if any, else the login.
CREATE OR REPLACE FUNCTION obsmeta.acting_role() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN current_setting('role') NOT IN ('none', '') THEN current_setting('role')
                ELSE session_user::text END $$;

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
COMMENT ON FUNCTION obsmeta.hold(uuid, text, boolean) IS
  'Holds an observation (and, by default, the derived observations it is a member of) back from readers, whatever its release date; logged. Returns the number of new holds';

CREATE OR REPLACE FUNCTION obsmeta.hold(collection text, observation_id text, reason text, include_derived boolean DEFAULT true)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    id uuid;
BEGIN
    SELECT o.obs_id INTO id FROM caom2.observation o WHERE o.collection = hold.collection AND o.observation_id = hold.observation_id;
    IF id IS NULL THEN
        RAISE EXCEPTION 'no observation % in collection %', observation_id, collection USING ERRCODE = '02000',
              HINT = 'to hold an observation before it arrives, pass its id: obsmeta.hold(obsmeta.exposure_obs_id(instrument, exposure), reason)';
    END IF;
    RETURN obsmeta.hold(id, reason, include_derived);
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
COMMENT ON FUNCTION obsmeta.release_hold(uuid, text, boolean) IS
  'Releases the hold on an observation (and by default on the derived observations it is a member of); logged. The rows appear to readers at once if their release date has passed. Returns the number of holds released';

CREATE OR REPLACE FUNCTION obsmeta.release_hold(collection text, observation_id text, reason text DEFAULT NULL,
                                     include_derived boolean DEFAULT true)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    id uuid;
BEGIN
    SELECT h.obs_id INTO id FROM obsmeta.embargo_hold h
     WHERE h.collection = release_hold.collection AND h.observation_id = release_hold.observation_id;
    IF id IS NULL THEN
        SELECT o.obs_id INTO id FROM caom2.observation o
         WHERE o.collection = release_hold.collection AND o.observation_id = release_hold.observation_id;
    END IF;
    IF id IS NULL THEN
        RETURN 0;
    END IF;
    RETURN obsmeta.release_hold(id, reason, include_derived);
END $$;

-- The embargo officer (and DBAs) hold and release; staff read the holds and the log.
REVOKE EXECUTE ON FUNCTION obsmeta.hold(uuid, text, boolean), obsmeta.hold(text, text, text, boolean),
       obsmeta.release_hold(uuid, text, boolean), obsmeta.release_hold(text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.hold(uuid, text, boolean), obsmeta.hold(text, text, text, boolean),
       obsmeta.release_hold(uuid, text, boolean), obsmeta.release_hold(text, text, text, boolean)
   TO obsmeta_embargo_officer;
