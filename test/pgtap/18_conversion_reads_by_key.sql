-- The conversion of a batch reads the rows of its keys, not the archive: converting one more
-- exposure into an archive of many reads a number of caom2 / mapping / gen3 rows proportional to
-- the exposure, however large the archive (before: the checksum recomputation and the dataset
-- lookups hashed whole tables, a cost that grew with every night). Counted with the
-- transaction's own table statistics (rows fetched by index and by sequential scan), not timed.
BEGIN;
SELECT plan(6);

\ir fixtures/add_exposures.psql

-- the archive: 30 exposures x 20 detectors x 2 dataset types (1,200 artifacts, parts, chunks)
SELECT pg_temp.add_exposures(4000000000, 30, 20);
SELECT cmp_ok(obsmeta.convert(), '>', 3600::bigint, 'the archive converted');
SELECT is((SELECT count(*)::int FROM caom2.artifact), 1200, '1,200 artifacts in the archive');

-- ObsCore maintenance (its own triggers and flush, schema/72) is left out of the count: with
-- statistics that lag it still reads whole tables, which is not the conversion's part.
DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['observation', 'plane', 'artifact', 'part', 'chunk'] LOOP
    EXECUTE format('ALTER TABLE caom2.%I DISABLE TRIGGER obscore_insert, DISABLE TRIGGER obscore_update, '
                   'DISABLE TRIGGER obscore_delete', t);
  END LOOP;
END $$;

CREATE TEMP TABLE before_batch AS
SELECT r AS rel, pg_temp.rows_read(r) AS n
  FROM unnest(ARRAY['caom2.part', 'caom2.artifact', 'obsmeta.dataset_plane', 'gen3.dataset']::regclass[]) r;

-- one more exposure: 40 datasets, 40 artifacts, parts and chunks
SELECT pg_temp.add_exposures(4000001000, 1, 20);
SELECT cmp_ok(obsmeta.convert(), '>', 120::bigint, 'the new exposure converted');

-- generous bound (a few reads per key: the writes' own index probes, the checksums, ObsCore),
-- far below the archive's 1,200 rows per table
SELECT is((SELECT array_agg(b.rel::text || ' ' || (pg_temp.rows_read(b.rel) - b.n) ORDER BY b.rel::text)
             FILTER (WHERE pg_temp.rows_read(b.rel) - b.n > 400) FROM before_batch b),
          NULL, 'converting 40 datasets read at most 400 rows of part, artifact, dataset_plane and dataset (archive: 1,200 each)');

SELECT is((SELECT count(*)::int FROM caom2.artifact), 1240, 'its 40 artifacts are written');
-- their parts and artifacts took accMetaChecksum at insert (not recomputed at the end): right?
SELECT is((SELECT count(*)::int FROM caom2.artifact a
            WHERE a.acc_meta_checksum IS DISTINCT FROM caom2.acc_checksum(a.meta_checksum,
                    ARRAY(SELECT p.acc_meta_checksum FROM caom2.part p WHERE p.artifact_id = a.artifact_id ORDER BY p.part_id)))
          + (SELECT count(*)::int FROM caom2.part p
              WHERE p.acc_meta_checksum IS DISTINCT FROM caom2.acc_checksum(p.meta_checksum,
                      ARRAY(SELECT c.acc_meta_checksum FROM caom2.chunk c WHERE c.part_id = p.part_id ORDER BY c.chunk_id))),
          0, 'every part''s and artifact''s accMetaChecksum equals its recomputation from its children');

SELECT * FROM finish();
ROLLBACK;
