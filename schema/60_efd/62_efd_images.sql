-- obsmeta install script, part 62: EFD values follow the images. Statement-level triggers on
-- gen3.exposure / gen3.visit keep efd.image (spans) and mark images for recomputation; a trigger
-- on caom2.observation fills Environment when an observation is created after its EFD values.
-- All ENABLE ALWAYS (they fire under logical replication too), named efd_* so that they run
-- before the conversion's obsmeta_capture_* triggers of the same event.

CREATE FUNCTION efd.image_rows_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    INSERT INTO efd.image AS i (kind, instrument, id, obs_id, span, zenith_angle)
    SELECT TG_TABLE_NAME, n.instrument, n.id,
           CASE TG_TABLE_NAME WHEN 'exposure' THEN obsmeta.exposure_obs_id(n.instrument, n.id)
                              ELSE obsmeta.visit_obs_id(n.instrument, n.id) END,
           CASE WHEN n.timespan_begin IS NOT NULL AND n.timespan_end IS NOT NULL
                THEN tstzrange(n.timespan_begin, n.timespan_end, '[]') END,
           n.zenith_angle
      FROM new_rows n
    ON CONFLICT (kind, instrument, id) DO UPDATE SET span = EXCLUDED.span, zenith_angle = EXCLUDED.zenith_angle;
    PERFORM efd.mark_images(TG_TABLE_NAME, array_agg(n.instrument), array_agg(n.id)) FROM new_rows n HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION efd.image_rows_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    instruments text[];
    ids bigint[];
BEGIN
    -- Keys that disappeared (an UPDATE of the key) lose their values.
    DELETE FROM efd.image i USING old_rows o
     WHERE i.kind = TG_TABLE_NAME AND i.instrument = o.instrument AND i.id = o.id
       AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.instrument = o.instrument AND n.id = o.id);
    IF TG_TABLE_NAME = 'exposure' THEN
        DELETE FROM efd.exposure_values v USING old_rows o WHERE v.instrument = o.instrument AND v.exposure = o.id
           AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.instrument = o.instrument AND n.id = o.id);
    ELSE
        DELETE FROM efd.visit_values v USING old_rows o WHERE v.instrument = o.instrument AND v.visit = o.id
           AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.instrument = o.instrument AND n.id = o.id);
    END IF;
    -- Only rows whose span or zenith angle changed are recomputed.
    SELECT array_agg(n.instrument), array_agg(n.id) INTO instruments, ids
      FROM new_rows n LEFT JOIN old_rows o ON o.instrument = n.instrument AND o.id = n.id
     WHERE o.id IS NULL
        OR (o.timespan_begin, o.timespan_end, o.zenith_angle) IS DISTINCT FROM (n.timespan_begin, n.timespan_end, n.zenith_angle);
    IF instruments IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO efd.image AS i (kind, instrument, id, obs_id, span, zenith_angle)
    SELECT TG_TABLE_NAME, n.instrument, n.id,
           CASE TG_TABLE_NAME WHEN 'exposure' THEN obsmeta.exposure_obs_id(n.instrument, n.id)
                              ELSE obsmeta.visit_obs_id(n.instrument, n.id) END,
           CASE WHEN n.timespan_begin IS NOT NULL AND n.timespan_end IS NOT NULL
                THEN tstzrange(n.timespan_begin, n.timespan_end, '[]') END,
           n.zenith_angle
      FROM new_rows n JOIN unnest(instruments, ids) AS k(instrument, id) ON k.instrument = n.instrument AND k.id = n.id
    ON CONFLICT (kind, instrument, id) DO UPDATE SET span = EXCLUDED.span, zenith_angle = EXCLUDED.zenith_angle;
    PERFORM efd.mark_images(TG_TABLE_NAME, instruments, ids);
    RETURN NULL;
END $$;

CREATE FUNCTION efd.image_rows_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    DELETE FROM efd.image i USING old_rows o WHERE i.kind = TG_TABLE_NAME AND i.instrument = o.instrument AND i.id = o.id;
    IF TG_TABLE_NAME = 'exposure' THEN
        DELETE FROM efd.exposure_values v USING old_rows o WHERE v.instrument = o.instrument AND v.exposure = o.id;
    ELSE
        DELETE FROM efd.visit_values v USING old_rows o WHERE v.instrument = o.instrument AND v.visit = o.id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION efd.observation_rows_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    PERFORM efd.fill_environment(ARRAY(SELECT n.obs_id FROM new_rows n));
    RETURN NULL;
END $$;

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['exposure', 'visit'] LOOP
        EXECUTE format('CREATE TRIGGER efd_image_insert AFTER INSERT ON gen3.%I REFERENCING NEW TABLE AS new_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION efd.image_rows_inserted()', t);
        EXECUTE format('CREATE TRIGGER efd_image_update AFTER UPDATE ON gen3.%I REFERENCING OLD TABLE AS old_rows
                          NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION efd.image_rows_updated()', t);
        EXECUTE format('CREATE TRIGGER efd_image_delete AFTER DELETE ON gen3.%I REFERENCING OLD TABLE AS old_rows
                          FOR EACH STATEMENT EXECUTE FUNCTION efd.image_rows_deleted()', t);
        EXECUTE format('ALTER TABLE gen3.%I ENABLE ALWAYS TRIGGER efd_image_insert, ENABLE ALWAYS TRIGGER efd_image_update,
                          ENABLE ALWAYS TRIGGER efd_image_delete', t);
    END LOOP;
END
$triggers$;
CREATE TRIGGER efd_fill_environment AFTER INSERT ON caom2.observation REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION efd.observation_rows_inserted();
ALTER TABLE caom2.observation ENABLE ALWAYS TRIGGER efd_fill_environment;
