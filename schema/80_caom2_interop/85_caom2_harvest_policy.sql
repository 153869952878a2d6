-- obsmeta install script, part 85: readers' policy on the tombstones of the harvest feed (after
-- caom2.tombstone_public, 84_caom2_harvest_feed.rerunnable.sql).
-- Readers see released tombstones (the table's own policy shows them none).
CREATE POLICY deleted_observation_released ON caom2.deleted_observation FOR SELECT TO PUBLIC
    USING (caom2.tombstone_public(id));
