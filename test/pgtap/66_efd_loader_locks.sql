-- The EFD loaders' locks are row locks of efd.loader_lock that readers cannot take (they were
-- advisory locks any role could take to stall loaders: issue 13). Readers can neither lock its
-- rows nor call the function that does; the isolation spec efd_reader_advisory_lock shows a
-- reader holding the old advisory key no longer blocks a loader.
BEGIN;
SELECT plan(8);

SELECT is((SELECT count(*) FROM efd.loader_lock), 32768::bigint, 'efd.loader_lock has 16,384 slots for chunks and 16,384 for images');
SET LOCAL ROLE obsmeta_reader;
SELECT throws_ok($$SELECT FROM efd.loader_lock WHERE slot = 0 FOR UPDATE$$, '42501', NULL,
                 'a reader cannot lock (or read) efd.loader_lock');
SELECT throws_ok($$SELECT efd.lock_loader_keys('c', ARRAY[1::bigint])$$, '42501', NULL,
                 'a reader cannot call efd.lock_loader_keys');
RESET ROLE;
SET LOCAL ROLE obsmeta_writer;
SELECT lives_ok($$SELECT efd.lock_loader_keys('i', ARRAY[3::bigint, 1, 2, 1])$$, 'a writer (a loader) takes loader locks');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()), 0::bigint,
          'taking loader locks takes no advisory lock');

-- A night's consecutive images lock consecutive slots, a page or two of efd.loader_lock (hashed
-- slots spread 100 images over ~50 pages, each written whole to the WAL after a checkpoint).
SELECT efd.lock_loader_keys('i', ARRAY(SELECT 7000000100000 + g FROM generate_series(0, 99) g));
SELECT cmp_ok((SELECT count(DISTINCT (l.ctid::text::point)[0]) FROM efd.loader_lock l
                WHERE l.kind = 'i' AND l.xmax = pg_current_xact_id()::xid), '<=', 3::bigint,
              '100 consecutive image keys lock rows on at most 3 pages of efd.loader_lock');

-- A loader's statement and an image's recompute, in this transaction, hold no advisory lock after:
-- the chunk and image locks they take are all row locks (before 0.4.0 both were advisory).
SET LOCAL obsmeta.conversion = 'statement';
INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name)
VALUES ('LockCam', 'LockCam', 'Rubin-LSST', 'Rubin:Simonyi');
INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LockCam', 'r_57', 'r');
INSERT INTO efd.channel (topic, field, kind) VALUES ('lock.test', 'value', 'slow');
INSERT INTO efd.reduction (output_name, method, channel) SELECT 'lock_test_mean', 'mean', c.id FROM efd.channel c WHERE c.topic = 'lock.test';
INSERT INTO efd.sample (topic, field, time, value)
SELECT 'lock.test', 'value', '2039-07-01 00:00:00+00'::timestamptz + n * interval '2 s', n FROM generate_series(1, 10) n;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, observation_type, can_see_sky, timespan_begin, timespan_end)
VALUES ('LockCam', 1, 'r_57', 'LOCK_1', 'science', true, '2039-07-01 00:00:00+00', '2039-07-01 00:00:30+00');
SELECT ok(EXISTS (SELECT FROM efd.exposure_values WHERE instrument = 'LockCam'), 'the image''s EFD values were computed (its recompute ran)');
SELECT is((SELECT count(*) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()), 0::bigint,
          'loading samples and recomputing an image took no advisory lock');

SELECT * FROM finish();
ROLLBACK;
