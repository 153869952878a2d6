-- obsmeta install script, part 76 (re-runnable): the strict embargo mode's functions (what the mode
-- is, its copies and its state: 76_strict_embargo.sql).

-- What readers may not SELECT in strict mode: every relation granted to them that holds (or reads)
-- rows of hidden observations. Public rows of ivoa.obscore, caom2 observation and plane,
-- rubin.exposure and efd.exposure_values are in `released`; the others are not offered.
CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_protected() RETURNS SETOF regclass
    LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'caom2' AND c.relkind IN ('r', 'v', 'p')
    UNION ALL
    SELECT to_regclass(r) FROM unnest(ARRAY[
        'ivoa.obscore', 'ivoa.coverage', 'obsmeta.coverage_cell', 'obsmeta.coverage_bucket', 'obsmeta.datalink_links',
        'rubin.exposure', 'rubin.visit', 'rubin.detector_visit_result', 'rubin.visit_result',
        'rubin.detector_visit_current', 'rubin.visit_current',
        'efd.exposure_values', 'efd.visit_values', 'efd.exposure_value', 'efd.visit_value',
        'efd.exposure_summary', 'efd.visit_summary']) r
     WHERE to_regclass(r) IS NOT NULL $$;
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_protected() FROM PUBLIC;

---------------------------------------------------------------------------------------------------
-- Copying: the public rows of some observations, relation by relation
---------------------------------------------------------------------------------------------------
-- Replaces the copies' rows of these observations by the public rows of the full relations. kinds:
-- which copies (obscore, observation, plane, exposure, exposure_values). Takes the conversion's
-- per-observation locks, so two syncs of one observation (a writer's trigger, the release job, a
-- hold) do not both insert.
CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_sync(ids uuid[], kinds text[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint := 0;
    k bigint;
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN 0;
    END IF;
    PERFORM obsmeta.lock_observations(ARRAY(SELECT DISTINCT obsmeta.lock_key(i) FROM unnest(ids) i ORDER BY 1));
    IF 'obscore' = ANY (kinds) THEN
        DELETE FROM released.obscore t WHERE t.caom_obs_id = ANY (ids);
        INSERT INTO released.obscore SELECT s.* FROM ivoa.obscore s
         WHERE s.caom_obs_id = ANY (ids) AND s.visible_from <= now() ORDER BY s.row_id;
        GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    END IF;
    IF 'observation' = ANY (kinds) THEN
        DELETE FROM released.observation t WHERE t.obs_id = ANY (ids);
        INSERT INTO released.observation SELECT s.* FROM caom2.observation s
         WHERE s.obs_id = ANY (ids) AND s.meta_release <= now() AND obsmeta.observation_public(s.obs_id);
        GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    END IF;
    IF 'plane' = ANY (kinds) THEN
        DELETE FROM released.plane t WHERE t.obs_id = ANY (ids);
        INSERT INTO released.plane SELECT s.* FROM caom2.plane s
         WHERE s.obs_id = ANY (ids) AND s.meta_release <= now() AND obsmeta.observation_public(s.obs_id);
        GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    END IF;
    IF 'exposure' = ANY (kinds) THEN
        -- rubin.exposure is a view over gen3.exposure: found by name through the observation
        DELETE FROM released.exposure t WHERE t.obs_id = ANY (ids);
        INSERT INTO released.exposure SELECT x.* FROM caom2.observation o
          JOIN obsmeta.instrument_config ic ON ic.collection = o.collection
          JOIN rubin.exposure x ON x.instrument = ic.instrument AND x.exposure_name = o.observation_id
         WHERE o.obs_id = ANY (ids) AND x.obs_id = o.obs_id AND obsmeta.observation_public(o.obs_id);
        GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    END IF;
    IF 'exposure_values' = ANY (kinds) THEN
        DELETE FROM released.exposure_values t WHERE t.obs_id = ANY (ids);
        INSERT INTO released.exposure_values SELECT s.* FROM efd.exposure_values s
         WHERE s.obs_id = ANY (ids) AND obsmeta.observation_public(s.obs_id);
        GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    END IF;
    RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_sync(uuid[], text[]) FROM PUBLIC;
COMMENT ON FUNCTION obsmeta.strict_embargo_sync(uuid[], text[]) IS
  'Strict embargo mode: replaces the released.* rows of these observations by the public rows of the full relations (internal)';

-- The triggers: each statement on a full relation re-copies the observations it touched, into the
-- copies that depend on that relation. TG_ARGV[0]: the copies; TG_ARGV[1]: the observation id of a
-- row. They exist only in strict mode (obsmeta.strict_embargo_set_triggers, below): a disabled
-- trigger with transition tables would still make every write collect its rows. They fire ALWAYS:
-- a logical-replication apply worker's writes count too. pg_dump does not keep triggers on
-- extension tables: scripts/restore.sh re-enables strict mode, which creates them again.
CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_on_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ids uuid[];
    more uuid[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('SELECT array_agg(DISTINCT %s) FROM new_rows', TG_ARGV[1]) INTO ids;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        EXECUTE format('SELECT array_agg(DISTINCT %s) FROM old_rows', TG_ARGV[1]) INTO more;
        ids := ARRAY(SELECT DISTINCT i FROM unnest(coalesce(ids, '{}') || more) i);
    END IF;
    PERFORM obsmeta.strict_embargo_sync(ids, string_to_array(TG_ARGV[0], ','));
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_on_change() FROM PUBLIC;

-- Every copy refilled from the full relations (enabling strict mode; a truncated full relation).
CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_refill() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    TRUNCATE released.obscore, released.observation, released.plane, released.exposure, released.exposure_values;
    PERFORM obsmeta.strict_embargo_sync(ARRAY(SELECT o.obs_id FROM caom2.observation o),
                                        ARRAY['obscore', 'observation', 'plane', 'exposure', 'exposure_values']);
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_refill() FROM PUBLIC;
-- Truncating a full relation (only a DBA would) refills every copy from what is left.
CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_on_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM obsmeta.strict_embargo_refill();
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_on_truncate() FROM PUBLIC;

CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_sources() RETURNS TABLE (rel regclass, kinds text, id_expr text)
    LANGUAGE sql IMMUTABLE AS $$
    VALUES ('ivoa.obscore'::regclass, 'obscore', 'caom_obs_id'),
           -- a plane's, an exposure's and its EFD values' visibility follow the observation's
           ('caom2.observation', 'observation,plane,exposure,exposure_values', 'obs_id'),
           ('caom2.plane', 'plane', 'obs_id'),
           ('gen3.exposure', 'exposure', 'obsmeta.exposure_obs_id(instrument, id)'),
           ('efd.exposure_values', 'exposure_values', 'obs_id'),
           ('obsmeta.embargo_hold', 'obscore,observation,plane,exposure,exposure_values', 'obs_id') $$;
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_sources() FROM PUBLIC;


---------------------------------------------------------------------------------------------------
-- Release: rows whose release time passed since the last run
---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_release() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    since timestamptz;
    ids uuid[];
    n bigint;
BEGIN
    -- one release at a time; the row lock also orders it with enable/disable
    SELECT s.released_until INTO since FROM obsmeta.strict_embargo s FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    -- an observation whose own or a plane's release time passed (ObsCore's visible_from is the later
    -- of the two; a lifted hold re-copies at once, through the trigger on obsmeta.embargo_hold)
    ids := ARRAY(SELECT o.obs_id FROM caom2.observation o WHERE o.meta_release > since AND o.meta_release <= now()
                 UNION
                 SELECT p.obs_id FROM caom2.plane p WHERE p.meta_release > since AND p.meta_release <= now());
    n := obsmeta.strict_embargo_sync(ids, ARRAY['obscore', 'observation', 'plane', 'exposure', 'exposure_values']);
    UPDATE obsmeta.strict_embargo SET released_until = now();
    RETURN n;
END $$;
COMMENT ON FUNCTION obsmeta.strict_embargo_release() IS
  'Strict embargo mode: copies into released.* the rows whose release time passed since the last call; returns the rows copied. Called each minute by the pg_cron job, or by any scheduler';
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_release() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION obsmeta.strict_embargo_release() TO obsmeta_staff, obsmeta_embargo_officer;

---------------------------------------------------------------------------------------------------
-- On and off
---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION obsmeta.strict_embargo_set_triggers(enable boolean) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog SET client_min_messages = warning AS $$
DECLARE
    s record;
    ev text;
BEGIN
    FOR s IN SELECT * FROM obsmeta.strict_embargo_sources() LOOP
        FOREACH ev IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
            EXECUTE format('DROP TRIGGER IF EXISTS strict_embargo_%s ON %s', ev, s.rel);
            CONTINUE WHEN NOT enable;
            EXECUTE format('CREATE OR REPLACE TRIGGER strict_embargo_%s AFTER %s ON %s REFERENCING %s FOR EACH STATEMENT '
                           'EXECUTE FUNCTION obsmeta.strict_embargo_on_change(%L, %L)',
                           ev, ev, s.rel,
                           CASE ev WHEN 'insert' THEN 'NEW TABLE AS new_rows' WHEN 'delete' THEN 'OLD TABLE AS old_rows'
                                   ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
                           s.kinds, s.id_expr);
            EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER strict_embargo_%s', s.rel, ev);
        END LOOP;
        EXECUTE format('DROP TRIGGER IF EXISTS strict_embargo_truncate ON %s', s.rel);
        CONTINUE WHEN NOT enable;
        EXECUTE format('CREATE OR REPLACE TRIGGER strict_embargo_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT '
                       'EXECUTE FUNCTION obsmeta.strict_embargo_on_truncate()', s.rel);
        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER strict_embargo_truncate', s.rel);
    END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION obsmeta.strict_embargo_set_triggers(boolean) FROM PUBLIC;

-- Turns strict mode on (or re-applies it, e.g. after a restore): triggers on, copies rebuilt from
-- the public rows, readers' SELECT on the protected relations revoked, and, when pg_cron is in
-- this database, a job that calls obsmeta.strict_embargo_release() each minute. Returns what it did.
CREATE OR REPLACE FUNCTION obsmeta.enable_strict_embargo() RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r regclass;
    job text := 'obsmeta_strict_embargo_' || current_database();
    scheduled text := 'no pg_cron in this database: call obsmeta.strict_embargo_release() each minute from a scheduler';
BEGIN
    LOCK TABLE obsmeta.strict_embargo IN EXCLUSIVE MODE;
    PERFORM obsmeta.strict_embargo_set_triggers(true);
    INSERT INTO obsmeta.strict_embargo (released_until) VALUES (now())
    ON CONFLICT (singleton) DO UPDATE SET released_until = EXCLUDED.released_until;
    PERFORM obsmeta.strict_embargo_refill();
    FOR r IN SELECT * FROM obsmeta.strict_embargo_protected() LOOP
        EXECUTE format('REVOKE SELECT ON %s FROM obsmeta_reader', r);
    END LOOP;
    IF to_regproc('cron.schedule_in_database') IS NOT NULL THEN
        EXECUTE 'SELECT cron.schedule_in_database($1, ''* * * * *'', ''SELECT obsmeta.strict_embargo_release()'', $2)'
          USING job, current_database();
        scheduled := format('pg_cron job %s calls obsmeta.strict_embargo_release() each minute', job);
    END IF;
    RETURN 'strict embargo mode on; ' || scheduled;
END $$;
COMMENT ON FUNCTION obsmeta.enable_strict_embargo() IS
  'Strict embargo mode on: readers read the public copies in schema released and no longer the full relations (doc/strict_embargo.md)';

CREATE OR REPLACE FUNCTION obsmeta.disable_strict_embargo() RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r regclass;
    job text := 'obsmeta_strict_embargo_' || current_database();
BEGIN
    LOCK TABLE obsmeta.strict_embargo IN EXCLUSIVE MODE;
    FOR r IN SELECT * FROM obsmeta.strict_embargo_protected() LOOP
        EXECUTE format('GRANT SELECT ON %s TO obsmeta_reader', r);
    END LOOP;
    PERFORM obsmeta.strict_embargo_set_triggers(false);
    DELETE FROM obsmeta.strict_embargo;
    TRUNCATE released.obscore, released.observation, released.plane, released.exposure, released.exposure_values;
    IF to_regclass('cron.job') IS NOT NULL THEN
        EXECUTE 'SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = $1' USING job;
    END IF;
    RETURN 'strict embargo mode off: readers read the full relations under row-level security';
END $$;
COMMENT ON FUNCTION obsmeta.disable_strict_embargo() IS
  'Strict embargo mode off: readers read the full relations under row-level security again (the default mode)';
REVOKE EXECUTE ON FUNCTION obsmeta.enable_strict_embargo(), obsmeta.disable_strict_embargo() FROM PUBLIC;
