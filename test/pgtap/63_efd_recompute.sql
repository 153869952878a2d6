-- The recomputation's reduction paths (src/efd_sql/recompute.cpp) against independent plain SQL:
-- mean/min/max/stddev/count are streamed from the stored chunks (a merge of time-sorted chunks with
-- begin-sorted windows, chunks inside a window reduced from their values alone), other methods
-- read decoded series. Edge cases: empty window, one sample, zero-length window, windows across
-- chunk borders, overlapping windows, window offsets, NaN values, unsorted and repeated arrival,
-- late samples, toasted chunks, overlapping chunks (chunk_seconds changed), exact numbers in jsonb.
BEGIN;
SELECT plan(34);
SET LOCAL obsmeta.conversion = 'statement';

INSERT INTO efd.channel (topic, field, kind, chunk_seconds) VALUES
    ('test.rc', 'fast', 'fast', NULL),       -- 50 Hz, 10 s chunks (inline rows); also 'first': decoded series
    ('test.rc', 'even', 'fast', NULL),       -- the same samples, statistics only: streamed, three window sets
    ('test.rc', 'slow', 'slow', NULL),       -- 1 Hz, 600 s chunks
    ('test.rc', 'nan', 'fast', NULL),        -- every third value NaN
    ('test.rc', 'none', 'fast', NULL),       -- no samples at all
    ('test.rc', 'big', 'fast', 600),         -- 50 Hz in 600 s chunks: ~180 kB rows, stored in TOAST
    ('test.rc', 'moved', 'fast', 60);        -- chunk_seconds changed to 10 below: overlapping chunks
CREATE TEMP TABLE ch AS SELECT id, field FROM efd.channel WHERE topic = 'test.rc';

-- 03:00–03:05 of telemetry, written in shuffled order, in three statements, with repeats.
CREATE TEMP TABLE s0 AS
SELECT c.id AS channel, c.field,
       '2031-03-04 03:00:00+00'::timestamptz + g * interval '20 ms' + (g % 7) * interval '1 ms' AS time,
       CASE WHEN c.field = 'nan' AND g % 3 = 0 THEN 'NaN'::float8 ELSE 40 + 5 * sin(g / 300.0) + (g % 11) * 0.01 END AS value
  FROM ch c CROSS JOIN generate_series(0, 14999) g WHERE c.field IN ('fast', 'even', 'nan', 'big', 'moved')
UNION ALL
SELECT c.id, c.field, '2031-03-04 03:00:00.5+00'::timestamptz + g * interval '1 s', 10 + (g % 13) * 0.25
  FROM ch c CROSS JOIN generate_series(0, 299) g WHERE c.field = 'slow';
INSERT INTO efd.sample (channel, time, value) SELECT channel, time, -1 FROM s0 WHERE field <> 'moved' ORDER BY random() LIMIT 20000;
INSERT INTO efd.sample (channel, time, value) SELECT channel, time, value FROM s0 WHERE field <> 'moved' ORDER BY random();
INSERT INTO efd.sample (channel, time, value) SELECT channel, time, value FROM s0 WHERE field = 'moved' AND time < '2031-03-04 03:02:30+00';
-- 'moved': the channel's chunks change from 60 s to 10 s; the rest of its samples (and corrected
-- repeats of some earlier ones) land in 10 s chunks that overlap the 60 s ones. The guard refuses
-- such a change once samples exist (60_efd_storage); disabled here to build the overlapping chunks
-- a database from before the guard may hold, which the reductions must still read right.
ALTER TABLE efd.channel DISABLE TRIGGER efd_channel_chunk_length;
UPDATE efd.channel SET chunk_seconds = 10 WHERE topic = 'test.rc' AND field = 'moved';
ALTER TABLE efd.channel ENABLE TRIGGER efd_channel_chunk_length;
INSERT INTO efd.sample (channel, time, value) SELECT channel, time, value + 1 FROM s0 WHERE field = 'moved' AND time >= '2031-03-04 03:02:20+00';

-- The reductions: the five statistics of every channel; for 'even' also over windows padded by
-- 5 s before and 3 s after (two more window sets of the same channel); for 'fast' also 'first',
-- which puts the channel's statistics on the general path (decoded series).
INSERT INTO efd.reduction (output_name, method, channel, for_visit, source)
SELECT 'rc_' || c.field || '_' || m, m, c.id, false, 'test' FROM ch c CROSS JOIN unnest(ARRAY['mean', 'min', 'max', 'stddev', 'count']) m;
INSERT INTO efd.reduction (output_name, method, channel, for_visit, source, window_begin_offset, window_end_offset)
SELECT 'rc_even_padded_' || m, m, c.id, false, 'test', '-5 s', '3 s' FROM ch c CROSS JOIN unnest(ARRAY['mean', 'count']) m WHERE c.field = 'even';
INSERT INTO efd.reduction (output_name, method, channel, for_visit, source, window_end_offset)
SELECT 'rc_even_longer_max', 'max', c.id, false, 'test', '40 s' FROM ch c WHERE c.field = 'even';
INSERT INTO efd.reduction (output_name, method, channel, for_visit, source)
SELECT 'rc_fast_first', 'first', c.id, false, 'test' FROM ch c WHERE c.field = 'fast';

-- The exposures (inserted in one statement: one recomputation, one batch).
INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LSSTCam', 'r_57', 'r') ON CONFLICT DO NOTHING;
CREATE TEMP TABLE ex (id bigint, b timestamptz, e timestamptz, what text);
INSERT INTO ex VALUES
    (7100000000001, '2031-03-04 03:00:03.3+00', '2031-03-04 03:00:27.7+00', 'across chunk borders'),
    (7100000000002, '2031-03-04 03:00:10+00', '2031-03-04 03:00:20+00', 'on chunk borders'),
    (7100000000003, '2031-03-04 03:00:20+00', '2031-03-04 03:01:30+00', 'overlapping 1 and 2, several chunks'),
    (7100000000004, '2031-03-04 03:00:40.5+00', '2031-03-04 03:00:40.5+00', 'zero length, on a slow sample'),
    (7100000000005, '2031-03-04 03:01:40.2+00', '2031-03-04 03:01:41.1+00', 'one slow sample'),
    (7100000000006, '2031-03-04 03:10:00+00', '2031-03-04 03:10:30+00', 'after the telemetry: empty'),
    (7100000000007, '2031-03-04 02:59:50+00', '2031-03-04 03:00:01+00', 'starting before the telemetry'),
    (7100000000008, '2031-03-04 03:02:00+00', '2031-03-04 03:04:00+00', 'across the moved channel''s overlapping chunks'),
    (7100000000009, '2031-03-04 03:00:00+00', '2031-03-04 03:05:00+00', 'the whole span');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num, zenith_angle,
                           can_see_sky, timespan_begin, timespan_end)
SELECT 'LSSTCam', id, 'r_57', 'RC_' || id, 30, 'science', id - 7100000000000, 30, true, b, e FROM ex;

-- Independent reference: plain SQL over the stored samples (efd.samples), NaN excluded. (The
-- moved channel only where its windows start after its last 60 s chunk began: chunks are looked up
-- by the channel's current chunk length, so a chunk_seconds change is for channels without samples.)
CREATE TEMP TABLE expected AS
SELECT x.id AS exposure, c.field, m.name, m.value
  FROM ex x JOIN ch c ON c.field <> 'moved' OR x.id IN (7100000000008, 7100000000009)
 CROSS JOIN LATERAL (
       SELECT avg(value) AS mean, min(value) AS min, max(value) AS max, stddev_samp(value) AS stddev, count(*)::float8 AS n
         FROM efd.samples(c.id, x.b, x.e) WHERE value <> 'NaN'::float8) r
 CROSS JOIN LATERAL (VALUES ('mean', r.mean), ('min', r.min), ('max', r.max), ('stddev', r.stddev), ('count', r.n)) AS m(name, value);
CREATE TEMP TABLE got AS
SELECT v.exposure, substring(v.output_name FROM '^rc_([a-z]+)_') AS field, substring(v.output_name FROM '_([a-z]+)$') AS name, v.value
  FROM efd.exposure_value v WHERE v.exposure BETWEEN 7100000000001 AND 7100000000009
   AND v.output_name ~ '^rc_[a-z]+_(mean|min|max|stddev|count)$'
   AND (v.output_name NOT LIKE 'rc_moved_%' OR v.exposure IN (7100000000008, 7100000000009));

SELECT is((SELECT count(*) FROM expected e LEFT JOIN got g USING (exposure, field, name)
            WHERE e.value IS DISTINCT FROM g.value
              AND NOT (e.value IS NOT NULL AND g.value IS NOT NULL AND abs(e.value - g.value) <= 1e-9 * greatest(1, abs(e.value)))
              AND NOT (e.name = 'count' AND e.value = 0 AND g.value = 0)),
          0::bigint, 'every statistic of every exposure and channel equals plain SQL over the samples');
SELECT is((SELECT count(*) FROM got g WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE (e.exposure, e.field, e.name) = (g.exposure, g.field, g.name))),
          0::bigint, 'and nothing else was written');
SELECT ok((SELECT count(*) FROM expected WHERE field = 'fast' AND name = 'count' AND value > 1000) >= 3,
          'the reference is not trivial (long windows of the fast channel)');

-- The edge cases, one by one.
SELECT is((SELECT value FROM got WHERE exposure = 7100000000006 AND field = 'fast' AND name = 'count'), 0::float8,
          'empty window: count 0');
SELECT ok(NOT EXISTS (SELECT 1 FROM got WHERE exposure = 7100000000006 AND name <> 'count'),
          'empty window: no mean, min, max, stddev');
SELECT is((SELECT array_agg(name ORDER BY name) FROM got WHERE exposure = 7100000000005 AND field = 'slow'),
          ARRAY['count', 'max', 'mean', 'min'], 'one sample: no stddev (ddof 1)');
SELECT is((SELECT value FROM got WHERE exposure = 7100000000005 AND field = 'slow' AND name = 'mean'),
          (SELECT value FROM efd.samples((SELECT id FROM ch WHERE field = 'slow'), '2031-03-04 03:01:40.2+00', '2031-03-04 03:01:41.1+00')),
          'one sample: its value');
SELECT is((SELECT value FROM got WHERE exposure = 7100000000004 AND field = 'slow' AND name = 'count'), 1::float8,
          'zero-length window on a sample: that sample');
SELECT is((SELECT value FROM got WHERE exposure = 7100000000004 AND field = 'fast' AND name = 'count'), 0::float8,
          'zero-length window between samples: none');
SELECT is((SELECT value FROM got WHERE exposure = 7100000000001 AND field = 'none' AND name = 'count'), 0::float8,
          'a channel without samples: count 0');
SELECT cmp_ok((SELECT value FROM got WHERE exposure = 7100000000009 AND field = 'nan' AND name = 'count'), '=',
              (SELECT count(*)::float8 FROM s0 WHERE field = 'nan' AND value <> 'NaN'), 'NaN values are not counted');
SELECT ok((SELECT value FROM got WHERE exposure = 7100000000009 AND field = 'nan' AND name = 'mean') <> 'NaN'::float8,
          'NaN values do not make the mean NaN');
SELECT is((SELECT value FROM got WHERE exposure = 7100000000009 AND field = 'fast' AND name = 'count'), 15000::float8,
          'shuffled, repeated and corrected samples: each stored once');
SELECT ok((SELECT value FROM got WHERE exposure = 7100000000009 AND field = 'fast' AND name = 'min') > 0,
          'the corrected values (written last) won');
SELECT ok((SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'efd.chunk_203103'::regclass) > 0
          AND EXISTS (SELECT 1 FROM efd.chunk c JOIN ch ON ch.id = c.channel WHERE ch.field = 'big' AND pg_column_size(c.data) > 8160),
          'the big channel''s chunks are in TOAST (and were read from there)');
SELECT ok((SELECT bool_and(pg_column_size(c.data) < 4000) FROM efd.chunk c JOIN ch ON ch.id = c.channel WHERE ch.field = 'fast'),
          '50 Hz chunks of 10 s stay small enough to live in their heap rows');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'efd.chunk_203103'::regclass), ARRAY['toast_tuple_target=8160'],
          'partitions keep rows up to a page inline');
SELECT ok((SELECT count(*) FROM efd.chunk c JOIN ch ON ch.id = c.channel
            WHERE ch.field = 'moved' AND c.chunk_start < '2031-03-04 03:03:00+00' AND c.last_time >= '2031-03-04 03:02:20+00') >= 2,
          'the moved channel has overlapping chunks');

-- Window offsets: a second and third window set over the same channel.
SELECT is((SELECT count(*) FROM ex x
             CROSS JOIN LATERAL (SELECT count(*)::float8 AS n, avg(value) AS mean
                                   FROM efd.samples((SELECT id FROM ch WHERE field = 'even'), x.b - interval '5 s', x.e + interval '3 s')) r
              LEFT JOIN efd.exposure_values v ON v.exposure = x.id
             WHERE (v."values" ->> 'rc_even_padded_count')::float8 IS DISTINCT FROM r.n
                OR ((v."values" ->> 'rc_even_padded_mean')::float8 IS NULL) <> (r.mean IS NULL)
                OR abs((v."values" ->> 'rc_even_padded_mean')::float8 - r.mean) > 1e-9 * abs(r.mean)),
          0::bigint, 'padded windows (begin - 5 s, end + 3 s), streamed next to the unpadded ones');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 7100000000003 AND output_name = 'rc_even_longer_max'),
          (SELECT max(value) FROM efd.samples((SELECT id FROM ch WHERE field = 'even'), '2031-03-04 03:00:20+00', '2031-03-04 03:02:10+00')),
          'a third window set (end + 40 s)');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 7100000000002 AND output_name = 'rc_fast_first'),
          (SELECT value FROM efd.samples((SELECT id FROM ch WHERE field = 'fast'), '2031-03-04 03:00:10+00', '2031-03-04 03:00:20+00')
            ORDER BY time LIMIT 1), 'a general-path method next to the streamed ones');
-- The streamed statistics equal the general path's (efd.reduce decodes the series).
SELECT is((SELECT count(*) FROM got g JOIN ch ON ch.field = g.field JOIN ex ON ex.id = g.exposure
            WHERE g.name IN ('mean', 'stddev')
              AND abs(g.value - efd.reduce(ARRAY[ch.id], g.name, ex.b, ex.e)) > 1e-9 * greatest(1, abs(g.value))),
          0::bigint, 'streamed statistics equal efd.reduce over the decoded series');

-- The stored moments of each chunk equal its decoded values'.
SELECT is((SELECT count(*) FROM efd.chunk c JOIN ch ON ch.id = c.channel
             CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE value <> 'NaN') AS n, min(value) FILTER (WHERE value <> 'NaN') AS lo,
                                        max(value) FILTER (WHERE value <> 'NaN') AS hi, avg(value) FILTER (WHERE value <> 'NaN') AS mean
                                   FROM efd.samples(c.channel, c.first_time, c.last_time)) d
            WHERE ch.field <> 'moved'
              AND (c.n_valid IS DISTINCT FROM d.n::int OR c.v_min IS DISTINCT FROM d.lo OR c.v_max IS DISTINCT FROM d.hi
                   OR abs(c.v_shift + c.v_sum / nullif(c.n_valid, 0) - d.mean) > 1e-9 * abs(d.mean))),
          0::bigint, 'each chunk''s stored count, min, max and mean equal its samples''');
-- Windows take the stored moments of the chunks they contain (tampered moments change the mean of
-- the whole-span exposure), and decode chunks without stored moments.
CREATE TEMP TABLE even_before AS
SELECT exposure, value FROM efd.exposure_value WHERE output_name = 'rc_even_mean' AND exposure BETWEEN 7100000000001 AND 7100000000009;
UPDATE efd.chunk SET v_sum = v_sum + 1e6 WHERE channel = (SELECT id FROM ch WHERE field = 'even');
SELECT lives_ok($$SELECT efd.recompute('exposure', '2031-03-04 02:00:00+00', '2031-03-04 04:00:00+00')$$, 'recompute with tampered moments');
SELECT ok((SELECT value FROM efd.exposure_value WHERE exposure = 7100000000009 AND output_name = 'rc_even_mean')
          > (SELECT value FROM even_before WHERE exposure = 7100000000009) + 1000,
          'a window containing whole chunks uses their stored moments');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 7100000000004 AND output_name = 'rc_even_count'), 0::float8,
          '(a zero-length window uses none)');
UPDATE efd.chunk SET n_valid = NULL WHERE channel = (SELECT id FROM ch WHERE field = 'even');
SELECT lives_ok($$SELECT efd.recompute('exposure', '2031-03-04 02:00:00+00', '2031-03-04 04:00:00+00')$$, 'recompute without stored moments');
SELECT is((SELECT count(*) FROM even_before b JOIN efd.exposure_value v ON v.exposure = b.exposure AND v.output_name = 'rc_even_mean'
            WHERE abs(v.value - b.value) > 1e-9 * abs(b.value)),
          0::bigint, 'chunks without stored moments are decoded: the same means');

-- Late samples inside exposure 2's window: only the affected values change (merge path).
INSERT INTO efd.sample (channel, time, value)
SELECT id, '2031-03-04 03:00:15.0105+00', 1000 FROM ch WHERE field = 'fast';
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 7100000000002 AND output_name = 'rc_fast_max'), 1000::float8,
          'a late sample recomputes the window it falls in');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 7100000000002 AND output_name = 'rc_fast_count'),
          (SELECT value FROM expected WHERE exposure = 7100000000002 AND field = 'fast' AND name = 'count') + 1,
          'its count grows by one');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 7100000000002 AND output_name = 'rc_slow_mean'),
          (SELECT value FROM got WHERE exposure = 7100000000002 AND field = 'slow' AND name = 'mean'),
          'the other channels'' values stay');
SELECT is((SELECT v_max FROM efd.chunk WHERE channel = (SELECT id FROM ch WHERE field = 'fast') AND chunk_start = '2031-03-04 03:00:10+00'),
          1000::float8, 'the rewritten chunk''s stored moments include the late sample');

-- Numbers in the jsonb objects read back exactly, as JSON text of the float8 would.
INSERT INTO efd.channel (topic, field, kind) VALUES ('test.rc', 'exact', 'slow');
INSERT INTO efd.sample (channel, time, value)
SELECT efd.channel_id('test.rc', 'exact'), '2031-03-04 04:00:00+00'::timestamptz + g * interval '10 s', v
  FROM unnest(ARRAY[0.1, -2.5e-300, 1.2345678901234568e+20, 5e-324, 1.7976931348623157e308, 0, 123.456, -7]::float8[]) WITH ORDINALITY AS u(v, g);
INSERT INTO efd.reduction (output_name, method, channel, for_visit, source)
VALUES ('rc_exact_mean', 'mean', efd.channel_id('test.rc', 'exact'), false, 'test');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num, zenith_angle,
                           can_see_sky, timespan_begin, timespan_end)
SELECT 'LSSTCam', 7100000000100 + g, 'r_57', 'RC_X' || g, 1, 'science', 100 + g, 30, true,
       '2031-03-04 04:00:00+00'::timestamptz + g * interval '10 s' - interval '1 s',
       '2031-03-04 04:00:00+00'::timestamptz + g * interval '10 s' + interval '1 s'
  FROM generate_series(1, 8) g;
SELECT is((SELECT array_agg(("values" -> 'rc_exact_mean')::text ORDER BY exposure) FROM efd.exposure_values
            WHERE exposure BETWEEN 7100000000101 AND 7100000000108),
          (SELECT array_agg((v::text)::jsonb::text ORDER BY g)
             FROM unnest(ARRAY[0.1, -2.5e-300, 1.2345678901234568e+20, 5e-324, 1.7976931348623157e308, 0, 123.456, -7]::float8[])
                  WITH ORDINALITY AS u(v, g)),
          'single values are stored as the numeric their shortest text gives');

-- the recomputation runs as the efd schema's owner with JIT off (efd_sql/owner.cpp): the caller's
-- identity and settings come back with its end
SET LOCAL jit = on;
SELECT efd.recompute('exposure', '2031-03-04 02:00:00+00', '2031-03-04 04:00:00+00');
SELECT is(concat_ws(' | ', current_user, current_setting('jit')), concat_ws(' | ', session_user, 'on'),
          'the EFD owner scope gives the caller''s identity and jit back');

SELECT * FROM finish();
ROLLBACK;
