-- The recomputation writes each image's jsonb object without PostgreSQL's JSON code (pure C++,
-- src/efd/jsonb_object, on several threads): the stored bytes must be the bytes PostgreSQL makes
-- of the same pairs, for every kind of value — numbers small and large, negative, integral,
-- NaN (a string), unpivoted outputs (nested objects), more than 32 keys (jsonb stores every 32nd
-- entry as an offset), images with and without values — and on more images than one thread takes.
BEGIN;
SELECT plan(6);
SET LOCAL obsmeta.conversion = 'statement';
CREATE EXTENSION IF NOT EXISTS pageinspect;

INSERT INTO efd.channel (topic, field, sal_index, kind) VALUES
    ('test.js', 'tiny', NULL, 'fast'), ('test.js', 'huge', NULL, 'fast'), ('test.js', 'neg', NULL, 'fast'),
    ('test.js', 'whole', NULL, 'slow'), ('test.js', 'pair', 1, 'slow'), ('test.js', 'pair', 2, 'slow');
CREATE TEMP TABLE ch AS SELECT id, field, sal_index FROM efd.channel WHERE topic = 'test.js';

-- 20 minutes of telemetry: 50 Hz noisy values of very different magnitudes, 1 Hz integral ones.
INSERT INTO efd.sample (channel, time, value)
SELECT c.id, '2032-05-06 01:00:00+00'::timestamptz + g * interval '20 ms',
       CASE c.field WHEN 'tiny' THEN 1e-12 * (1 + sin(g / 7.0)) WHEN 'huge' THEN 3e250 * (2 + cos(g / 5.0))
                    ELSE -12345.678 - sin(g / 3.0) / 7 END
  FROM ch c CROSS JOIN generate_series(0, 59999) g WHERE c.field IN ('tiny', 'huge', 'neg');
INSERT INTO efd.sample (channel, time, value)
SELECT c.id, '2032-05-06 01:00:00.5+00'::timestamptz + g * interval '1 s', (g % 9) * 100 + coalesce(c.sal_index, 0)
  FROM ch c CROSS JOIN generate_series(0, 1199) g WHERE c.field IN ('whole', 'pair');

-- 27 outputs over the fast channels, 4 over a slow one; an unpivoted mean of the pair (a nested object); a polynomial
-- fit of degree 3 over a window that holds 2 values (NaN, as Rubin); every output for exposures only.
INSERT INTO efd.reduction (output_name, method, channel, for_visit, source)
SELECT c.field || '_' || m || k, m, c.id, false, 'test'
  FROM ch c CROSS JOIN unnest(ARRAY['mean', 'min', 'max', 'stddev', 'count', 'first', 'last']) m CROSS JOIN generate_series(1, 2) k
 WHERE c.field IN ('tiny', 'huge', 'neg') AND (k = 1 OR m IN ('mean', 'max'));  -- 27
INSERT INTO efd.reduction (output_name, method, channel, for_visit, source)
SELECT 'whole_' || m, m, c.id, false, 'test' FROM ch c CROSS JOIN unnest(ARRAY['mean', 'max', 'count', 'last']) m WHERE c.field = 'whole';
INSERT INTO efd.reduction (output_name, method, channel, pooled_channels, unpivot, for_visit, source)
SELECT 'pair_mean', 'mean', min(id), ARRAY[max(id)], true, false, 'test' FROM ch WHERE field = 'pair';
INSERT INTO efd.reduction (output_name, method, channel, degree, window_end_offset, for_visit, source)
SELECT 'whole_fit', 'rms_from_polynomial_fit', c.id, 3, '-28 s', false, 'test' FROM ch c WHERE c.field = 'whole';

-- 30 exposures of 30 s every 36 s (more than one thread's share), and one after the telemetry.
INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LSSTCam', 'r_57', 'r') ON CONFLICT DO NOTHING;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num, zenith_angle,
                           can_see_sky, timespan_begin, timespan_end)
SELECT 'LSSTCam', 2032050600000 + g, 'r_57', 'JS_' || g, 30, 'science', g, 30, true,
       '2032-05-06 01:00:10+00'::timestamptz + g * interval '36 s', '2032-05-06 01:00:40+00'::timestamptz + g * interval '36 s'
  FROM generate_series(0, 29) g
UNION ALL
SELECT 'LSSTCam', 2032050600099, 'r_57', 'JS_99', 30, 'science', 99, 30, true, '2032-05-06 03:00:00+00', '2032-05-06 03:00:30+00';
CREATE TEMP TABLE v AS
SELECT exposure, "values" FROM efd.exposure_values WHERE instrument = 'LSSTCam' AND exposure BETWEEN 2032050600000 AND 2032050600099;

SELECT is((SELECT count(*) FROM v), 31::bigint, 'every exposure has its object');
SELECT is((SELECT count(*) FROM v WHERE (SELECT count(*) FROM jsonb_object_keys("values")) = 33), 30::bigint,
          '33 outputs in each exposure with telemetry (more than 32 keys)');
SELECT ok((SELECT "values" ? 'tiny_count1' AND NOT "values" ? 'tiny_mean1' FROM v WHERE exposure = 2032050600099),
          'an exposure without telemetry: count 0 only');
SELECT is((SELECT count(*) FROM v WHERE "values" = "values"::text::jsonb
                                   AND jsonb_typeof("values"->'pair_mean') = 'object' AND "values"->>'whole_fit' = 'NaN'
                                   AND ("values"->>'huge_max1')::float8 > 1e250 AND ("values"->>'tiny_min1')::float8 < 1e-11
                                   AND ("values"->>'neg_mean1')::float8 < -12345),
          30::bigint, 'the objects equal jsonb_in''s of their text: nested objects, NaN, large, small and negative numbers');

-- The bytes: each object (~1 kB: stored uncompressed) and the object PostgreSQL builds of the same
-- pairs (jsonb_object_agg, its numbers numeric_in's of the shortest decimal of the double, which
-- float8out prints) stored side by side, and read back raw from the heap page (a tuple's data is
-- the datum itself).
SET LOCAL extra_float_digits = 1;
CREATE FUNCTION pg_temp.canonical(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_object_agg(key, CASE jsonb_typeof(value)
                                              WHEN 'number' THEN to_jsonb((value::text::float8)::text::numeric)
                                              WHEN 'object' THEN pg_temp.canonical(value) ELSE value END), '{}')
      FROM jsonb_each(j) $$;
CREATE TEMP TABLE raw (exposure bigint, j jsonb);
ALTER TABLE raw ALTER j SET STORAGE PLAIN;
INSERT INTO raw SELECT exposure, "values" FROM v;
INSERT INTO raw SELECT exposure, pg_temp.canonical("values") FROM v;
CREATE TEMP TABLE raw_bytes AS
SELECT r.exposure, p.t_data
  FROM generate_series(0, pg_relation_size('raw') / current_setting('block_size')::int - 1) b
 CROSS JOIN LATERAL heap_page_items(get_raw_page('raw', b::int)) p
  JOIN raw r ON r.ctid = ('(' || b || ',' || p.lp || ')')::tid;
SELECT is((SELECT count(*) FROM raw_bytes), 62::bigint, 'every object read raw');
SELECT is((SELECT count(*) FROM (SELECT exposure FROM raw_bytes GROUP BY exposure HAVING count(DISTINCT t_data) = 1) x), 31::bigint,
          'each stored object is byte for byte what PostgreSQL builds of its pairs');

SELECT * FROM finish();
ROLLBACK;
