-- EFD sample storage: the insert face (INSERT and COPY), compact chunks, duplicates stored once,
-- out-of-order and late samples merged, partitions by month, bad input rejected with clear errors.
BEGIN;
SELECT plan(28);

INSERT INTO efd.channel (topic, field, unit, kind) VALUES ('test.topic', 'x', 'deg', 'fast'), ('test.topic', 'y', NULL, 'slow');
SELECT efd.channel_id('test.topic', 'x') AS cx, efd.channel_id('test.topic', 'y') AS cy \gset

-- 1000 samples at 50 Hz by id, in reverse time order, then a repeat of 100 of them.
INSERT INTO efd.sample (channel, time, value)
SELECT :cx, '2025-06-01 03:00:00+00'::timestamptz + g * interval '20 ms', g FROM generate_series(999, 0, -1) g;
INSERT INTO efd.sample (channel, time, value)
SELECT :cx, '2025-06-01 03:00:00+00'::timestamptz + g * interval '20 ms', g FROM generate_series(0, 99) g;
SELECT is((SELECT count(*) FROM efd.sample), 0::bigint, 'the insert face stays empty');
SELECT is((SELECT sum(n_samples) FROM efd.chunk WHERE channel = :cx), 1000::bigint, 'duplicates (same channel and time) are stored once');
SELECT is((SELECT count(*) FROM efd.samples(:cx, '2025-06-01 03:00:00+00', '2025-06-01 04:00:00+00')), 1000::bigint,
          'all samples read back');
SELECT ok((SELECT bool_and(t1 < t2) FROM (SELECT "time" AS t1, lead("time") OVER (ORDER BY "time") AS t2
             FROM efd.samples(:cx, '2025-06-01 03:00:00+00', '2025-06-01 04:00:00+00')) s WHERE t2 IS NOT NULL),
          'samples come back in time order');
SELECT ok((SELECT sum(length(data))::float / sum(n_samples) FROM efd.chunk WHERE channel = :cx) < 12,
          'fewer than 12 bytes per sample in the chunks');

-- A corrected repeat: the last written value wins.
INSERT INTO efd.sample (channel, time, value) VALUES (:cx, '2025-06-01 03:00:00+00', 42);
SELECT is((SELECT value FROM efd.samples(:cx, '2025-06-01 03:00:00+00', '2025-06-01 03:00:00+00')), 42::float8,
          'a repeated sample with a new value replaces the old one');

-- By name, with NULL and NaN values (missing samples) and across chunk boundaries.
INSERT INTO efd.sample (topic, field, time, value) VALUES
    ('test.topic', 'y', '2025-06-01 02:59:59+00', 1), ('test.topic', 'y', '2025-06-01 03:00:01+00', NULL),
    ('test.topic', 'y', '2025-06-01 03:00:02+00', 'NaN'), ('test.topic', 'y', '2025-06-01 03:00:03+00', 3);
SELECT is((SELECT count(*) FROM efd.chunk WHERE channel = :cy), 2::bigint, 'slow channel: 600 s chunks, two of them here');
SELECT is(efd.count(:cy, '2025-06-01 02:00:00+00', '2025-06-01 04:00:00+00'), 2::bigint, 'NULL and NaN values are missing samples');
SELECT is(efd.mean(:cy, '2025-06-01 02:00:00+00', '2025-06-01 04:00:00+00'), 2::float8, 'NaN-ignoring mean');

-- COPY goes through the same path.
COPY efd.sample (channel, time, value) FROM STDIN;
2	2025-07-15 00:00:00+00	10
2	2025-07-15 00:00:00.02+00	11
2	2025-07-15 00:00:00.04+00	12
\.
SELECT is(efd.max(2, '2025-07-15', '2025-07-16'), 12::float8, 'COPY into efd.sample stores the samples');
SELECT has_table('efd', 'chunk_202507', 'a monthly partition is created on demand');
SELECT has_table('efd', 'chunk_202506', 'one partition per month');
SELECT is((SELECT count(*) FROM pg_inherits WHERE inhparent = 'efd.chunk'::regclass), 2::bigint, 'two partitions');

-- Bad input: clear errors, nothing else lost.
SELECT throws_ok($$INSERT INTO efd.sample (channel, time, value) VALUES (999999, now(), 1)$$, '23503',
                 'unknown EFD channel id 999999', 'unknown channel id');
SELECT throws_ok($$INSERT INTO efd.sample (topic, field, time, value) VALUES ('no.such', 'f', now(), 1)$$, '23503',
                 'unknown EFD channel no.such / f', 'unknown channel name');
SELECT throws_ok($$INSERT INTO efd.sample (topic, field, sal_index, time, value) VALUES ('test.topic', 'x', 7, now(), 1)$$, '23503',
                 'unknown EFD channel test.topic / x (salIndex 7)', 'a channel name with the wrong salIndex');
SELECT throws_like(format($$INSERT INTO efd.sample (channel, time, value) VALUES (%s, 'infinity', 1)$$, :cx),
                   'EFD sample time must be finite, not infinity%', 'non-finite time');
SELECT throws_ok(format($$INSERT INTO efd.sample (channel, time, value) VALUES (%s, NULL, 1)$$, :cx), '23502', NULL, 'missing time');
SELECT throws_ok(format($$INSERT INTO efd.sample (channel, time, value) VALUES (%s, now(), 'abc')$$, :cx), '22P02', NULL,
                 'a value of the wrong type');
SELECT throws_like(format($$INSERT INTO efd.sample (channel, time, value) VALUES (%s, now(), 'Infinity')$$, :cx),
                   'EFD sample value must be finite or NaN, not Infinity%', 'infinite value');
SELECT throws_ok($$INSERT INTO efd.sample (time, value) VALUES (now(), 1)$$, '23502', 'EFD sample has no channel', 'no channel at all');
-- A bad row in a multi-row statement rejects the statement; earlier data stay; a later statement
-- does not see the failed statement's buffered rows.
SAVEPOINT before_bad;
SELECT throws_ok(format($$INSERT INTO efd.sample (channel, time, value) VALUES (%1$s, '2025-06-01 05:00:00+00', 5), (%1$s, 'infinity', 1)$$, :cx),
                 '22008', NULL, 'a statement with one bad row fails');
ROLLBACK TO SAVEPOINT before_bad;
INSERT INTO efd.sample (channel, time, value) VALUES (:cx, '2025-06-01 05:00:01+00', 6);
SELECT is((SELECT array_agg(value ORDER BY "time") FROM efd.samples(:cx, '2025-06-01 04:59:00+00', '2025-06-01 05:01:00+00')),
          ARRAY[6]::float8[], 'rows of the failed statement are not stored later');
SELECT is((SELECT sum(n_samples) FROM efd.chunk WHERE channel = :cx AND chunk_start < '2025-06-01 04:00:00+00'), 1000::bigint,
          'earlier samples are intact');

-- A subtransaction that aborts while samples are buffered (under a logical-replication apply
-- worker: the subtransaction of a quarantined row) drops only what it buffered itself: each row's
-- value comes from a function whose exception block rolls back a subtransaction after the earlier
-- rows were buffered.
CREATE FUNCTION pg_temp.value_after_a_failed_subtransaction(g integer) RETURNS float8 LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM 1 / 0;
    EXCEPTION WHEN division_by_zero THEN NULL;
    END;
    RETURN g;
END $$;
INSERT INTO efd.sample (channel, time, value)
SELECT :cx, '2025-06-01 06:00:00+00'::timestamptz + g * interval '1 s', pg_temp.value_after_a_failed_subtransaction(g)
  FROM generate_series(1, 10) g;
SELECT is((SELECT array_agg(value ORDER BY "time") FROM efd.samples(:cx, '2025-06-01 06:00:00+00', '2025-06-01 06:01:00+00')),
          ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]::float8[], 'samples buffered before a rolled-back subtransaction are kept');

-- the chunk length is fixed once samples exist (a change would hide them from every reduction)
SELECT throws_ok(format('UPDATE efd.channel SET chunk_seconds = 60 WHERE id = %s', :cx), '55000', NULL,
                 'a channel with samples keeps its chunk length');
SELECT throws_ok(format('UPDATE efd.channel SET kind = ''slow'' WHERE id = %s', :cx), '55000', NULL,
                 '...also through its kind''s default');
INSERT INTO efd.channel (topic, field, kind) VALUES ('test.topic', 'empty', 'fast');
UPDATE efd.channel SET chunk_seconds = 60 WHERE topic = 'test.topic' AND field = 'empty';
SELECT is((SELECT chunk_seconds FROM efd.channel WHERE topic = 'test.topic' AND field = 'empty'), 60,
          'a channel without samples may change it');
SELECT * FROM finish();
ROLLBACK;
