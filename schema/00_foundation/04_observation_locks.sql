-- obsmeta install script, part 04: the slots of the conversion's per-observation locks.
-- The conversion's per-observation locks are row locks on this table's 16,384 slots (a key's
-- low 14 bits; two observations sharing a slot only wait for each other). They were advisory
-- locks, which any role may take: a reader holding pg_advisory_xact_lock(<key>) stalled every
-- writer of that observation (issue 13). Nobody but the extension owner may read or lock these
-- rows; obsmeta.lock_observations (SECURITY DEFINER, not executable by readers) takes them in
-- ascending slot order, so lockers never deadlock with each other.
CREATE TABLE obsmeta.observation_lock (slot integer PRIMARY KEY);
INSERT INTO obsmeta.observation_lock SELECT generate_series(0, 16383);
COMMENT ON TABLE obsmeta.observation_lock IS 'Row-lock slots of the conversion''s per-observation locks (obsmeta.lock_observations)';
REVOKE ALL ON obsmeta.observation_lock FROM PUBLIC;
