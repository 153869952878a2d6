-- obsmeta install script, part 35: integrity of artifact → plane, part → artifact, chunk → part.
-- These three links are not foreign keys: obsmeta writes thousands of artifacts, parts and chunks
-- per conversion, and the per-row foreign-key checks (a locking lookup of the parent for each row)
-- were two thirds of their insert cost. obsmeta is the only writer and creates parents first;
-- deletes cascade set-based through the statement triggers below, and obsmeta.verify_caom2()
-- reports any orphan (the tests call it after every scenario).

CREATE OR REPLACE FUNCTION caom2.cascade_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    CASE TG_TABLE_NAME
        WHEN 'plane' THEN
            DELETE FROM caom2.artifact a USING old_rows o WHERE a.plane_id = o.plane_id;
        WHEN 'artifact' THEN
            DELETE FROM caom2.part p USING old_rows o WHERE p.artifact_id = o.artifact_id;
        WHEN 'part' THEN
            DELETE FROM caom2.chunk c USING old_rows o WHERE c.part_id = o.part_id;
    END CASE;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION caom2.cascade_delete() IS 'Deletes the artifacts, parts or chunks of deleted planes, artifacts or parts';

CREATE OR REPLACE TRIGGER cascade_delete AFTER DELETE ON caom2.plane
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION caom2.cascade_delete();
CREATE OR REPLACE TRIGGER cascade_delete AFTER DELETE ON caom2.artifact
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION caom2.cascade_delete();
CREATE OR REPLACE TRIGGER cascade_delete AFTER DELETE ON caom2.part
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION caom2.cascade_delete();
