-- 0.3.0 -> 0.4.0, after the re-runnable parts: the coverage buckets from the existing cells.
SELECT obsmeta.coverage_buckets_rebuild();
