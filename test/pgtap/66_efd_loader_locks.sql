-- The EFD loaders' locks are row locks of efd.loader_lock that readers cannot take (they were
-- advisory locks any role could take to stall loaders: issue 13). Readers can neither lock its
-- rows nor call the function that does; the isolation spec efd_reader_advisory_lock shows a
-- reader holding the old advisory key no longer blocks a loader.
BEGIN;
SELECT plan(5);

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

SELECT * FROM finish();
ROLLBACK;
