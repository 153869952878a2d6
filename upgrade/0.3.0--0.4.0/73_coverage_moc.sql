-- 0.3.0 -> 0.4.0, part 73: stored unions of the coverage cells per collection, band and release
-- day and month (schema/70_obscore/73_coverage_moc.sql), which ivoa.coverage reads instead of
-- every plane's cell, as pieces (a bucket is the union of its rows), and the lock slots of their
-- rewrites. The functions, triggers and view are re-runnable
-- (73_coverage_union.rerunnable.sql); post/73_coverage_buckets.sql fills the buckets.
ALTER TABLE obsmeta.coverage_cell
    ADD COLUMN release_hour timestamp GENERATED ALWAYS AS (date_trunc('hour', visible_from AT TIME ZONE 'UTC')) STORED;
CREATE INDEX coverage_cell_bucket ON obsmeta.coverage_cell (obs_collection, band, release_hour);
CREATE INDEX coverage_cell_release_hour ON obsmeta.coverage_cell (release_hour);

CREATE TABLE obsmeta.coverage_bucket (
    obs_collection  text NOT NULL,
    band            text NOT NULL,
    span            text NOT NULL CHECK (span IN ('hour', 'day', 'month')),
    starts          timestamp NOT NULL CHECK (starts = date_trunc(span, starts)),  -- UTC
    moc             smoc NOT NULL,
    n_rows          bigint NOT NULL,
    released        timestamptz GENERATED ALWAYS AS
                        ((starts + CASE span WHEN 'hour' THEN interval '1 hour' WHEN 'day' THEN interval '1 day'
                                             ELSE interval '1 month' END) AT TIME ZONE 'UTC') STORED
);
CREATE INDEX coverage_bucket_key ON obsmeta.coverage_bucket (obs_collection, band, span, starts);  -- a bucket's pieces
CREATE INDEX coverage_bucket_span ON obsmeta.coverage_bucket (span, starts);  -- this month's days, today's hours
COMMENT ON TABLE obsmeta.coverage_bucket IS
  'Union of the coverage cells of one collection, band and release hour, day or month (the union of its rows); maintained with obsmeta.coverage_cell (internal: read ivoa.coverage)';
CREATE TABLE obsmeta.coverage_bucket_lock (slot integer PRIMARY KEY);
INSERT INTO obsmeta.coverage_bucket_lock SELECT generate_series(0, 4095);
COMMENT ON TABLE obsmeta.coverage_bucket_lock IS 'Row-lock slots of the coverage buckets'' rewrites (obsmeta.coverage_bucket_slot)';
REVOKE ALL ON obsmeta.coverage_bucket_lock FROM PUBLIC;
ALTER TABLE obsmeta.coverage_bucket ENABLE ROW LEVEL SECURITY;
CREATE POLICY coverage_bucket_everything ON obsmeta.coverage_bucket FOR SELECT TO obsmeta_staff, obsmeta_writer USING (true);
CREATE POLICY coverage_bucket_released ON obsmeta.coverage_bucket FOR SELECT TO PUBLIC USING (released <= now());
GRANT SELECT ON obsmeta.coverage_bucket TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
