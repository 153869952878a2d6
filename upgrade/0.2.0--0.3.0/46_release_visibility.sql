-- schema/46_releases.sql (issue 13): readers see only the releases whose rows they may see.
ALTER TABLE obsmeta.release ENABLE ROW LEVEL SECURITY;
CREATE POLICY release_all ON obsmeta.release TO obsmeta_staff, obsmeta_writer, obsmeta_release_manager
    USING (true) WITH CHECK (true);
CREATE POLICY release_public ON obsmeta.release FOR SELECT TO PUBLIC
    USING (retracted_at IS NULL AND (kind = 'prompt' OR public_date <= now()));
