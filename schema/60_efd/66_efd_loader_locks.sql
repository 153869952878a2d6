-- obsmeta install script, part 66: the EFD loaders' locks.
--
-- A loader's read-merge-write of a chunk (src/efd_sql/chunk_store.cpp) and of an image's reduced
-- values (src/efd_sql/recompute.cpp) is serialised by row locks on this table's slots: 16,384 per
-- kind (two keys sharing a slot only wait for each other). A chunk key's slot is hashint8(key) &
-- 16383; an image key's slot is its low 14 bits (key & 16383): the recomputation's image keys are
-- the image id plus a per-(kind, instrument) offset, so a night's consecutive exposures and visits
-- lock consecutive slots, on one or two pages of this table. A row lock writes its page to the WAL
-- whole when it is the page's first change after a checkpoint: hashed slots put 100 exposures on
-- ~50 pages (400 kB of WAL, a fifth of a night's recomputation, bench_efd_influxdb).
-- They were advisory locks, which any role may take: a reader holding pg_advisory_xact_lock(<key>)
-- stalled every loader of that chunk or image (issue 13). Nobody but the extension owner may read
-- or lock these rows; efd.lock_loader_keys (SECURITY DEFINER, not executable by readers) takes a
-- call's slots in ascending order, so loaders that lock a statement's keys in one call never
-- deadlock with each other (chunks are locked before images, as before).
CREATE TABLE efd.loader_lock (
    kind  "char" NOT NULL CHECK (kind IN ('c', 'i')),   -- c: chunk, i: image
    slot  integer NOT NULL CHECK (slot BETWEEN 0 AND 16383),
    PRIMARY KEY (kind, slot)
);
INSERT INTO efd.loader_lock SELECT k, s FROM unnest(ARRAY['c', 'i']::"char"[]) k, generate_series(0, 16383) s;
COMMENT ON TABLE efd.loader_lock IS 'Row-lock slots of the EFD loaders'' chunk (c) and image (i) locks (efd.lock_loader_keys)';
REVOKE ALL ON efd.loader_lock FROM PUBLIC;

CREATE FUNCTION efd.lock_loader_keys(kind "char", keys bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM FROM efd.loader_lock l
      WHERE l.kind = lock_loader_keys.kind
        AND l.slot = ANY (SELECT CASE WHEN lock_loader_keys.kind = 'i' THEN k & 16383 ELSE hashint8(k) & 16383 END
                            FROM unnest(keys) k)
      ORDER BY l.slot FOR UPDATE;
END $$;
COMMENT ON FUNCTION efd.lock_loader_keys("char", bigint[]) IS
  'Takes the EFD loaders'' row locks of these chunk (c) or image (i) keys, in slot order, until the end of the transaction (internal)';
REVOKE EXECUTE ON FUNCTION efd.lock_loader_keys("char", bigint[]) FROM PUBLIC;
-- every role whose statements load or recompute EFD values (as for obsmeta.lock_observations)
GRANT EXECUTE ON FUNCTION efd.lock_loader_keys("char", bigint[])
   TO obsmeta_writer, obsmeta_staff, obsmeta_release_manager, obsmeta_embargo_officer;
