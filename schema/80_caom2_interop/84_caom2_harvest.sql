-- obsmeta install script, part 84: the harvest feed for partner archives.
--
-- A harvester asks for observations changed since a time, in maxLastModified order, pages with the
-- last (max_last_modified, obs_id) it saw, fetches each document with caom2.observation_xml and
-- checks its accMetaChecksum; it learns of deletions from caom2.deleted_observations_since. Both
-- run with the caller's privileges and show only what the caller may see: observations through
-- obsmeta.observation_visible (released, not held), tombstones only of observations that were
-- public when deleted (their release time is recorded at deletion, below) and are not held.
--
-- Paging is stable: rows are ordered by (max_last_modified, id) and the next page starts strictly
-- after the last key seen. Timestamps are transaction start times, so a transaction that commits
-- late can add rows with an earlier max_last_modified than rows already harvested: harvesters
-- should start each run a little before their last high-water mark (doc/caom2_interop.md).

-- The release time of each deleted observation, recorded at deletion (caom2.deleted_observation
-- keeps only its identity), so that tombstones of never-released observations do not leak.
CREATE TABLE caom2.deleted_observation_release (
    id             uuid PRIMARY KEY,
    meta_release   timestamptz,
    meta_checksum  text,
    deleted_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE caom2.deleted_observation_release IS
    'obsmeta bookkeeping (not CAOM-2.4): meta_release and metaChecksum of each deleted observation, for the tombstone feed''s embargo check';
SELECT pg_catalog.pg_extension_config_dump('caom2.deleted_observation_release', '');
ALTER TABLE caom2.deleted_observation_release ENABLE ROW LEVEL SECURITY;  -- no policy: read via caom2.tombstone_public
-- The feed's functions and triggers: 84_caom2_harvest_feed.rerunnable.sql; readers' policy on the
-- tombstones: 85_caom2_harvest_policy.sql.
