-- obsmeta install script, part 72: keeping ivoa.obscore equal to obsmeta.obscore_source. This file
-- holds what runs once (the table of recorded keys); the functions and triggers are in
-- 72_obscore_maintenance_functions.rerunnable.sql, so that changing them needs no upgrade part.
--
-- Statement-level AFTER triggers (transition tables) on caom2.observation, plane, artifact, part
-- and chunk, on the holds and on the configuration collect the keys a statement touched and
-- recompute exactly those rows, set-based, in the same transaction:
--   * planes to recompute entirely (a plane or observation attribute that ObsCore shows changed);
--   * artifacts to recompute (the artifact, its part or its chunk changed);
--   * planes whose plane row (products without detectors) may have appeared or gone.
-- UPDATEs that change no column ObsCore uses (e.g. the conversion's max_last_modified touches)
-- cost a join of the transition tables and nothing else. A writer of several statements (the
-- conversion batch) can defer all this to its end: obsmeta.obscore_defer() ... obsmeta.obscore_flush()
-- (below) records the keys instead and recomputes every row once. The conversion writes CAOM2 under
-- per-observation advisory locks; the triggers (and the flush) run inside them, so concurrent
-- writers of one observation are serialized here too.

-- obsmeta.obscore_apply, which recomputes rows, is generated from the column declaration:
-- 72_obscore_apply.rerunnable.sql.

-- Maintenance deferred to the end of a batch of writes. A writer that changes CAOM2 in several
-- statements (the conversion: observations, planes, then artifact+part+chunk, plane positions,
-- checksums) calls obsmeta.obscore_defer() first: from then on, in its transaction, the triggers
-- only record the keys they would recompute, here; obsmeta.obscore_flush() recomputes each once
-- and ends the deferral. Rows belong to the writing transaction (its xid): other sessions never
-- see them, and a rollback (of the transaction or of a savepoint) takes them and the deferral
-- away with the writes they describe. Until the flush, ivoa.obscore lags the transaction's own
-- CAOM2 writes, so the flush must come before anything in the transaction reads ivoa.obscore.
-- kind: 'd' the deferral itself (id = the nil uuid), 'p' a plane to recompute whole, 'a' an
-- artifact, 'r' a plane whose plane row (products without detectors) may have appeared or gone.
CREATE UNLOGGED TABLE obsmeta.obscore_pending (
    txn   xid8 NOT NULL,
    kind  "char" NOT NULL CHECK (kind IN ('d', 'p', 'a', 'r')),
    id    uuid NOT NULL,
    PRIMARY KEY (txn, kind, id)
);
COMMENT ON TABLE obsmeta.obscore_pending IS
  'ivoa.obscore keys recorded by the maintenance triggers between obsmeta.obscore_defer() and obsmeta.obscore_flush(), per writing transaction (internal)';
