-- obsmeta install script, part 46 (re-runnable): the functions and trigger of obsmeta.release
-- (46_releases.sql).

-- pg_dump keeps every release row; on restore CREATE EXTENSION has already inserted 'prompt', so
-- an inserted prompt row replaces that row's values instead of colliding with it. (Any other
-- existing name collides: registering dr1 twice is an error, not a silent change of its date.)
CREATE OR REPLACE FUNCTION obsmeta.release_replace_row() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE obsmeta.release r
       SET kind = NEW.kind, public_date = NEW.public_date, retracted_at = NEW.retracted_at,
           retraction_reason = NEW.retraction_reason, description = NEW.description, created_at = NEW.created_at,
           caom2_applied_at = NEW.caom2_applied_at
     WHERE r.name = NEW.name;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER release_replace_row BEFORE INSERT ON obsmeta.release
    FOR EACH ROW WHEN (NEW.kind = 'prompt') EXECUTE FUNCTION obsmeta.release_replace_row();

-- The releases whose rows a reader may see now (not retracted; prompt, or public_date passed).
-- Policies call it as (SELECT obsmeta.visible_releases()): once per query.
CREATE OR REPLACE FUNCTION obsmeta.visible_releases() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(r.name ORDER BY r.name), '{}')
      FROM obsmeta.release r
     WHERE r.retracted_at IS NULL AND (r.kind = 'prompt' OR r.public_date <= now()) $$;
COMMENT ON FUNCTION obsmeta.visible_releases() IS
  'Names of the releases whose rows readers may see now: not retracted, and prompt or past their public_date';
