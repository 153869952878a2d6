-- obsmeta install script, part 80: CAOM-2.4 metaChecksum / accMetaChecksum, maintained in C++.
--
-- Every caom2.observation, plane, artifact, part and chunk row carries meta_checksum and
-- acc_meta_checksum computed exactly as opencadc's CAOM-2.4 libraries compute them (see
-- doc/caom2_interop.md): a BEFORE ROW trigger sets meta_checksum from the row (and, for a chunk,
-- acc_meta_checksum); an AFTER STATEMENT trigger with transition tables recomputes, set-based and
-- bottom-up, acc_meta_checksum of the rows whose children changed (part <- chunks, artifact <- parts,
-- plane <- artifacts, observation <- planes), writing only values that differ. Members
-- (observation_member) and provenance inputs (provenance_input) are part of their owner's
-- metaChecksum: their statement trigger recomputes it. The UPDATEs the propagation makes fire the
-- triggers again; they return at once while the propagation runs.

CREATE OR REPLACE FUNCTION caom2.acc_checksum(meta text, child_accs text[]) RETURNS text
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_acc_checksum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION caom2.acc_checksum(text, text[]) IS
    'CAOM-2.4 accMetaChecksum step: md5 over the 16 bytes of meta and of each child acc (pass them ordered by child id, uuid order)';

CREATE OR REPLACE FUNCTION caom2.checksum_row() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_checksum_row' LANGUAGE C;
COMMENT ON FUNCTION caom2.checksum_row() IS 'BEFORE ROW trigger: sets meta_checksum (and a chunk''s acc_meta_checksum)';
CREATE OR REPLACE FUNCTION caom2.checksum_propagate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_checksum_propagate' LANGUAGE C;
COMMENT ON FUNCTION caom2.checksum_propagate() IS
    'AFTER STATEMENT trigger: recomputes acc_meta_checksum bottom-up where children changed (and owners'' meta_checksum for members / inputs)';

CREATE OR REPLACE FUNCTION caom2.verify_checksums(obs_id uuid)
    RETURNS TABLE (entity text, id uuid, which text, stored text, computed text)
    AS 'MODULE_PATHNAME', 'obsmeta_caom2_verify_checksums' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION caom2.verify_checksums(uuid) IS
    'Recomputes every checksum of one stored observation (as the caller sees it) and lists those that differ from the stored ones; no rows: all match';

DO $triggers$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['observation', 'plane', 'artifact', 'part', 'chunk'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER caom2_checksum_row BEFORE INSERT OR UPDATE ON caom2.%I
                        FOR EACH ROW EXECUTE FUNCTION caom2.checksum_row()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['observation', 'plane', 'artifact', 'part', 'chunk', 'observation_member', 'provenance_input'] LOOP
        -- one trigger per event: a trigger with transition tables fires once per event anyway
        EXECUTE format('CREATE OR REPLACE TRIGGER caom2_checksum_ins AFTER INSERT ON caom2.%I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION caom2.checksum_propagate()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER caom2_checksum_upd AFTER UPDATE ON caom2.%I
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION caom2.checksum_propagate()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER caom2_checksum_del AFTER DELETE ON caom2.%I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION caom2.checksum_propagate()', t);
    END LOOP;
END
$triggers$;
