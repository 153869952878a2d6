-- obsmeta install script, part 73: sky coverage maps (IVOA MOC, pg_sphere smoc) of ivoa.obscore
-- per collection and band, for what each role may see: the tables and who may read them. The
-- maintenance, the view ivoa.coverage and the exports: 73_coverage_union.rerunnable.sql.
--
-- Stored:
--   obsmeta.coverage_cell: the MOC (at obsmeta.coverage_config.moc_order) of the ivoa.obscore
--     rows of one CAOM2 plane (its rows share collection, band and visible_from), recomputed for
--     the planes a statement on ivoa.obscore touched;
--   obsmeta.coverage_bucket: the union of the cells of one collection, band and release hour
--     (UTC hour of visible_from; held planes: 'infinity'), of its hours per day and of its days
--     per month, kept with the cells, as pieces: a bucket is the union of its rows. A grown cell
--     appends a piece (no lock: pieces commute), merged with the bucket's others at a commit once
--     there are enough; a shrunk, moved or deleted one recomputes its hour, day and month into one
--     piece under the bucket's lock slot (obsmeta.coverage_bucket_lock).
-- A reader unions the months that have ended, this month's days that have ended, today's hours
-- that have ended and this hour's released cells: at most ~24 + 31 + one per month of the archive,
-- whatever the number of planes, and a release time passing shows without any job. Staff and
-- writers union every month.
CREATE TABLE obsmeta.coverage_config (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    moc_order  integer NOT NULL DEFAULT 10 CHECK (moc_order BETWEEN 0 AND 20)   -- order 20: cells of 0.2 arcsec
);
INSERT INTO obsmeta.coverage_config DEFAULT VALUES;
COMMENT ON TABLE obsmeta.coverage_config IS
  'HEALPix order of the coverage MOCs (one row; changing it recomputes obsmeta.coverage_cell)';
SELECT pg_catalog.pg_extension_config_dump('obsmeta.coverage_config', '');
CREATE FUNCTION obsmeta.coverage_config_replace() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM obsmeta.coverage_config;
    RETURN NEW;
END $$;
CREATE TRIGGER config_replace_row BEFORE INSERT ON obsmeta.coverage_config
    FOR EACH ROW EXECUTE FUNCTION obsmeta.coverage_config_replace();

CREATE TABLE obsmeta.coverage_cell (
    caom_plane_id   uuid PRIMARY KEY,
    obs_collection  text NOT NULL,
    band            text NOT NULL,          -- lsst_band, '' for none
    visible_from    timestamptz NOT NULL,   -- as ivoa.obscore.visible_from (infinity while held)
    moc             smoc NOT NULL,
    n_rows          bigint NOT NULL,
    release_hour    timestamp GENERATED ALWAYS AS (date_trunc('hour', visible_from AT TIME ZONE 'UTC')) STORED  -- its bucket (UTC)
);
CREATE INDEX coverage_cell_bucket ON obsmeta.coverage_cell (obs_collection, band, release_hour);
CREATE INDEX coverage_cell_release_hour ON obsmeta.coverage_cell (release_hour);  -- this hour's cells, for readers
COMMENT ON TABLE obsmeta.coverage_cell IS
  'MOC of the ivoa.obscore rows of one plane; maintained by triggers on ivoa.obscore (internal: read ivoa.coverage)';

-- span 'hour': the cells of one release hour; 'day': the hours of one day; 'month': the days of
-- one month (UTC, starts its first instant). released: the end of the span, from when every cell
-- in it is visible to readers. A bucket may have several rows (pieces): its MOC is their union,
-- its n_rows their sum.
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

-- The locks of the buckets' rewrites (a recomputation, a merge of pieces): row locks on 4,096
-- slots (obsmeta.coverage_bucket_slot), taken in ascending slot order. Writers that only add
-- pieces take none. Nobody but the extension owner may read or lock them (a reader holding a
-- lock could stall writers).
CREATE TABLE obsmeta.coverage_bucket_lock (slot integer PRIMARY KEY);
INSERT INTO obsmeta.coverage_bucket_lock SELECT generate_series(0, 4095);
COMMENT ON TABLE obsmeta.coverage_bucket_lock IS 'Row-lock slots of the coverage buckets'' rewrites (obsmeta.coverage_bucket_slot)';
REVOKE ALL ON obsmeta.coverage_bucket_lock FROM PUBLIC;

-- What the caller may see: row-level security on cells and buckets, the same rule as
-- ivoa.obscore's (staff and writers everything, everyone else what is already released: a
-- bucket once its span has ended); the view runs as the caller.
ALTER TABLE obsmeta.coverage_cell ENABLE ROW LEVEL SECURITY;
CREATE POLICY coverage_everything ON obsmeta.coverage_cell FOR SELECT TO obsmeta_staff, obsmeta_writer USING (true);
CREATE POLICY coverage_visible ON obsmeta.coverage_cell FOR SELECT TO PUBLIC USING (visible_from <= now());
ALTER TABLE obsmeta.coverage_bucket ENABLE ROW LEVEL SECURITY;
CREATE POLICY coverage_bucket_everything ON obsmeta.coverage_bucket FOR SELECT TO obsmeta_staff, obsmeta_writer USING (true);
CREATE POLICY coverage_bucket_released ON obsmeta.coverage_bucket FOR SELECT TO PUBLIC USING (released <= now());
GRANT SELECT ON obsmeta.coverage_cell, obsmeta.coverage_bucket, obsmeta.coverage_config TO obsmeta_reader, obsmeta_staff, obsmeta_writer;
