-- obsmeta install script, part 65: EFD images under logical replication. The statement-level
-- triggers of part 62 keep efd.image for ordinary writers; a logical-replication apply worker fires
-- row triggers only, so this row-level trigger (ENABLE REPLICA: it fires only where
-- session_replication_role = replica, where part 62's never fire) does the same for one row. A
-- timespan that ends before it begins gets no span here: the row is quarantined by its capture.
CREATE FUNCTION efd.image_row_replicated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.instrument, OLD.id) IS DISTINCT FROM (NEW.instrument, NEW.id)) THEN
        DELETE FROM efd.image i WHERE i.kind = TG_TABLE_NAME AND i.instrument = OLD.instrument AND i.id = OLD.id;
        IF TG_TABLE_NAME = 'exposure' THEN
            DELETE FROM efd.exposure_values v WHERE v.instrument = OLD.instrument AND v.exposure = OLD.id;
        ELSE
            DELETE FROM efd.visit_values v WHERE v.instrument = OLD.instrument AND v.visit = OLD.id;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN NULL;
    END IF;
    -- only a new image, or one whose span or zenith angle changed, is recomputed
    IF TG_OP = 'UPDATE' AND (OLD.instrument, OLD.id) = (NEW.instrument, NEW.id)
       AND (OLD.timespan_begin, OLD.timespan_end, OLD.zenith_angle)
           IS NOT DISTINCT FROM (NEW.timespan_begin, NEW.timespan_end, NEW.zenith_angle) THEN
        RETURN NULL;
    END IF;
    INSERT INTO efd.image AS i (kind, instrument, id, obs_id, span, zenith_angle)
    VALUES (TG_TABLE_NAME, NEW.instrument, NEW.id,
            CASE TG_TABLE_NAME WHEN 'exposure' THEN obsmeta.exposure_obs_id(NEW.instrument, NEW.id)
                               ELSE obsmeta.visit_obs_id(NEW.instrument, NEW.id) END,
            CASE WHEN NEW.timespan_begin <= NEW.timespan_end
                 THEN tstzrange(NEW.timespan_begin, NEW.timespan_end, '[]') END,
            NEW.zenith_angle)
    ON CONFLICT (kind, instrument, id) DO UPDATE SET span = EXCLUDED.span, zenith_angle = EXCLUDED.zenith_angle;
    PERFORM efd.mark_images(TG_TABLE_NAME, ARRAY[NEW.instrument], ARRAY[NEW.id]);
    RETURN NULL;
END $$;

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['exposure', 'visit'] LOOP
        EXECUTE format('CREATE TRIGGER efd_image_row AFTER INSERT OR UPDATE OR DELETE ON gen3.%I
                          FOR EACH ROW EXECUTE FUNCTION efd.image_row_replicated()', t);
        EXECUTE format('ALTER TABLE gen3.%I ENABLE REPLICA TRIGGER efd_image_row', t);
    END LOOP;
END
$triggers$;
