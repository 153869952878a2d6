-- The EFD embargo: a reader receives no sample, and no value reduced from samples, of a time when an
-- image they may not see (embargoed or held) was being taken, through any EFD function or relation
-- they can reach, whatever the padding (up to obsmeta.max_efd_padding, a day by default). Every function of schema efd a reader may EXECUTE and every
-- relation they may SELECT is found in the catalog and probed, so a new one cannot be forgotten.
--
-- Telemetry: channel A has value 1 every 10 s, except during the hidden images where it is the
-- marker 777777; channel B is A without the hidden times' samples. A reader's answer about A must
-- equal staff's about B (what A would be had the hidden images never been taken), and no reader
-- answer may contain the marker.
BEGIN;
SELECT plan(15);
SET LOCAL obsmeta.conversion = 'statement';
-- Probes pad by 400 days, past the default obsmeta.max_efd_padding (one day): the embargo must hold
-- for any padding a DBA allows, so the limit is raised here (as superuser; readers cannot).
LOAD 'obsmeta';  -- defines the setting
SET LOCAL obsmeta.max_efd_padding = '400d';

-- Times: now() is the transaction's start, fixed for the whole test. LSSTCam's embargo period p.
SELECT embargo_period AS p FROM obsmeta.instrument_config WHERE instrument = 'LSSTCam' \gset
SELECT now() - :'p'::interval - interval '1 hour' AS t0 \gset
-- released: 1 at t0; 4 five hours earlier (far from every hidden image)
-- embargoed: 2, ending 20 s after its release time passes, i.e. still embargoed now
-- held: 3, released by time, half an hour before 1
CREATE TEMP TABLE probe_image (n int, id bigint, b timestamptz, e timestamptz, hidden boolean) ON COMMIT DROP;
INSERT INTO probe_image VALUES
    (1, 2025110100001, :'t0', :'t0'::timestamptz + interval '30 s', false),
    (2, 2025110100002, :'t0'::timestamptz + interval '1 hour' - interval '10 s', :'t0'::timestamptz + interval '1 hour' + interval '20 s', true),
    (3, 2025110100003, :'t0'::timestamptz - interval '30 min', :'t0'::timestamptz - interval '29 min 30 s', true),
    (4, 2025110100004, :'t0'::timestamptz - interval '5 hours', :'t0'::timestamptz - interval '5 hours' + interval '30 s', false);
GRANT SELECT ON probe_image TO PUBLIC;

INSERT INTO efd.channel (topic, field, kind, chunk_seconds) VALUES ('probe.embargo', 'a', 'slow', 600), ('probe.embargo', 'b', 'slow', 600);
SELECT efd.channel_id('probe.embargo', 'a') AS ch_a, efd.channel_id('probe.embargo', 'b') AS ch_b \gset
INSERT INTO efd.sample (channel, time, value)
SELECT c.ch, s.t, CASE WHEN h.n IS NULL THEN 1 ELSE 777777 END
  FROM generate_series(:'t0'::timestamptz - interval '6 hours', :'t0'::timestamptz + interval '2 hours', interval '10 s') s(t)
  LEFT JOIN probe_image h ON h.hidden AND s.t BETWEEN h.b AND h.e
 CROSS JOIN (VALUES (:ch_a), (:ch_b)) c(ch)
 WHERE c.ch = :ch_a OR h.n IS NULL;

-- Reductions of both channels whose windows reach the neighbours (offsets and reach of 2 hours).
INSERT INTO efd.reduction (output_name, method, channel, window_begin_offset, window_end_offset, anchor, reach)
SELECT format('probe_%s_%s', m.method, c.name), m.method, c.ch, m.b::interval, m.e::interval, m.anchor, m.reach::interval
  FROM (VALUES ('max', '-2 hours', '2 hours', 'middle', '0'), ('mean', '-2 hours', '0', 'middle', '0'),
               ('most_recent_value', '-2 hours', '0', 'middle', '0'), ('locf', '0', '0', 'begin', '2 hours'),
               ('first', '0', '2 hours', 'middle', '0'), ('twmean_locf', '0', '0', 'middle', '2 hours')) m(method, b, e, anchor, reach)
 CROSS JOIN (VALUES ('a', :ch_a), ('b', :ch_b)) c(name, ch);

-- The images (exposures; image 1 is also a one-snap visit), converted at statement end.
INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LSSTCam', 'r_57', 'r');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, seq_num, zenith_angle,
                           can_see_sky, timespan_begin, timespan_end)
SELECT 'LSSTCam', id, 'r_57', 'MC_O_' || id, 30, 'science', n, 20, true, b, e FROM probe_image;
INSERT INTO gen3.visit (instrument, id, physical_filter, name, seq_num, exposure_time, timespan_begin, timespan_end)
SELECT 'LSSTCam', id, 'r_57', 'MC_O_' || id, n, 30, b, e FROM probe_image WHERE n = 1;
INSERT INTO gen3.visit_definition (instrument, exposure, visit) VALUES ('LSSTCam', 2025110100001, 2025110100001);
SELECT obsmeta.hold('LSSTCam', 'MC_O_2025110100003', 'EFD embargo test');

CREATE ROLE efd_embargo_reader IN ROLE obsmeta_reader;
SELECT ok(obsmeta.observation_public(obsmeta.exposure_obs_id('LSSTCam', 2025110100001))
          AND NOT obsmeta.observation_public(obsmeta.exposure_obs_id('LSSTCam', 2025110100002))
          AND NOT obsmeta.observation_public(obsmeta.exposure_obs_id('LSSTCam', 2025110100003))
          AND obsmeta.observation_public(obsmeta.exposure_obs_id('LSSTCam', 2025110100004)),
          'set-up: images 1 and 4 released, 2 embargoed, 3 held');

-- Arguments of a probe call, by parameter name and type: the released image 1, channel A (B for
-- the reference), paddings, reaches and windows reaching into the hidden images. NULL: a type or
-- name this test does not know (the probe then fails: teach it the new function's arguments).
CREATE FUNCTION pg_temp.probe_arg(name text, type regtype, ch int) RETURNS text LANGUAGE sql AS $$
SELECT CASE
    WHEN type = 'text'::regtype THEN CASE
        WHEN name = 'kind' THEN quote_literal('exposure')
        WHEN name = 'instrument' THEN quote_literal('LSSTCam')
        WHEN name = 'method' THEN quote_literal('max')
        WHEN name = 'anchor' THEN quote_literal('middle')
        WHEN name = 'fit_basis' THEN quote_literal('index')
        WHEN name = 'interpolation' THEN quote_literal('locf')
        WHEN name = 'topic' THEN quote_literal('probe.embargo')
        WHEN name = 'field' THEN quote_literal('a')
        WHEN name = 'yaml' THEN quote_literal('columns: []')
        WHEN name = 'p_source' THEN quote_literal('probe') END
    WHEN type = 'bigint'::regtype AND name IN ('exposure', 'visit', 'id') THEN '2025110100001'
    WHEN type = 'integer'::regtype AND name = 'channel' THEN ch::text
    WHEN type = 'integer'::regtype AND name IN ('ddof', 'degree') THEN '1'
    WHEN type = 'integer'::regtype AND name = 'sal_index' THEN 'NULL::integer'
    WHEN type = 'integer[]'::regtype AND name = 'channels' THEN format('ARRAY[%s]', ch)
    WHEN type = 'jsonb'::regtype AND name = 'outputs' THEN quote_literal('{"probe_max_a": 1, "probe_locf_a": 1}') || '::jsonb'
    WHEN type = 'interval'::regtype AND name IN ('padding', 'reach') THEN quote_literal('1 day') || '::interval'
    WHEN type = 'interval'::regtype AND name = 'pre_aggregate' THEN 'NULL::interval'
    WHEN type = 'timestamptz'::regtype AND name IN ('window_begin', 'from') THEN
        quote_literal((SELECT min(b) - interval '1 hour' FROM probe_image)) || '::timestamptz'
    WHEN type = 'timestamptz'::regtype AND name IN ('window_end', 'to') THEN
        quote_literal((SELECT max(e) + interval '1 hour' FROM probe_image)) || '::timestamptz'
    WHEN type = 'timestamptz'::regtype AND name = 'at' THEN
        quote_literal((SELECT b + interval '15 s' FROM probe_image WHERE n = 2)) || '::timestamptz'
END $$;

-- Every function of schema efd the reader may execute (not aggregates, triggers or internal
-- support functions): one call with all its arguments.
CREATE TEMP TABLE probe_call ON COMMIT DROP AS
SELECT p.oid::regprocedure AS fn,
       format('SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text)::text, %L) FROM %s(%s) r', '[]',
              p.oid::regproc, string_agg(pg_temp.probe_arg(a.name, a.type, :ch_a), ', ' ORDER BY a.ord)) AS reader_sql,
       format('SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text)::text, %L) FROM %s(%s) r', '[]',
              p.oid::regproc, string_agg(pg_temp.probe_arg(a.name, a.type, :ch_b), ', ' ORDER BY a.ord)) AS reference_sql,
       bool_and(pg_temp.probe_arg(a.name, a.type, :ch_a) IS NOT NULL) OR count(a.ord) = 0 AS known
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'efd'
  LEFT JOIN LATERAL unnest(p.proargtypes::regtype[], p.proargnames[1 : p.pronargs]) WITH ORDINALITY a(type, name, ord) ON true
 WHERE p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
   AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
   AND has_function_privilege('obsmeta_reader', p.oid, 'EXECUTE')
 GROUP BY p.oid;
GRANT SELECT ON probe_call TO PUBLIC;

SELECT is((SELECT string_agg(fn::text, ', ') FROM probe_call WHERE NOT known), NULL,
          'every EFD function a reader may execute has probe arguments');
SELECT ok((SELECT count(*) FROM probe_call WHERE fn::text LIKE 'efd.samples_for%' OR fn::text LIKE 'efd.reduce%') >= 3,
          'the probe finds samples_for, samples_for_visit and reduce');

-- Each call as the reader (about A) and as staff (about B). A reader's error is no leak if it is a
-- refusal (42501: the range functions read efd.chunk, which readers may not).
CREATE FUNCTION pg_temp.run_probes() RETURNS TABLE (fn regprocedure, reader text, reference text, err text)
    LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM probe_call WHERE known ORDER BY 1 LOOP
        fn := c.fn; reader := NULL; reference := NULL; err := NULL;
        BEGIN
            SET LOCAL ROLE efd_embargo_reader;
            EXECUTE c.reader_sql INTO reader;
            RESET ROLE;
        EXCEPTION WHEN OTHERS THEN
            err := SQLSTATE || ' ' || SQLERRM;
            RESET ROLE;
        END;
        BEGIN
            EXECUTE c.reference_sql INTO reference;
        EXCEPTION WHEN OTHERS THEN
            reference := 'error ' || SQLSTATE;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
CREATE TEMP TABLE probe_result ON COMMIT DROP AS SELECT * FROM pg_temp.run_probes();

SELECT is_empty($$SELECT fn, err FROM probe_result WHERE err IS NOT NULL AND err NOT LIKE '42501 %'$$,
                'no reader probe fails other than by refusal');
SELECT is_empty($$SELECT fn, left(reader, 200) FROM probe_result WHERE reader LIKE '%777777%' OR err LIKE '%777777%'$$,
                'no reader answer contains a sample of a hidden time');
SELECT is_empty($$SELECT fn, left(reader, 120), left(reference, 120) FROM probe_result
                   WHERE err IS NULL AND reader IS DISTINCT FROM reference$$,
                'every reader answer equals the answer without the hidden times');
SELECT ok((SELECT reader FROM probe_result WHERE fn = 'efd.samples_for(text,bigint,integer,interval)'::regprocedure) LIKE '[{%',
          'not vacuous: samples_for with padding gives the reader the public samples');

-- Direct probes: paddings reaching into the embargoed image 2 only, the held image 3 only, none.
SET LOCAL ROLE efd_embargo_reader;
SELECT is((SELECT count(*) FILTER (WHERE value = 777777) || '/' || count(*)
             FROM efd.samples_for('LSSTCam', 2025110100001, :ch_a, '1 hour')),
          '0/' || (SELECT count(*) FROM generate_series(:'t0'::timestamptz - interval '1 hour', :'t0'::timestamptz + interval '1 hour 30 s', interval '10 s') t
                    WHERE NOT EXISTS (SELECT 1 FROM probe_image h WHERE h.hidden AND t BETWEEN h.b AND h.e)),
          'samples_for, padding over the embargoed and the held image: every public sample, no hidden one');
SELECT is((SELECT count(*) FROM efd.samples_for_visit('LSSTCam', 2025110100001, :ch_a, '1 day') WHERE value <> 1), 0::bigint,
          'samples_for_visit with a day of padding (the largest allowed by default): no hidden sample');
SELECT is((SELECT count(*) FROM efd.image_samples('exposure', 'LSSTCam', 2025110100001, :ch_a, '40 min') WHERE value <> 1), 0::bigint,
          'image_samples reaching the held image: no hidden sample');
SELECT is(ARRAY[efd.values_public('exposure', 'LSSTCam', 2025110100002, '{}'), efd.values_public('exposure', 'LSSTCam', 2025110100009, '{}'),
                efd.values_public('exposure', 'LSSTCam', 2025110100004, '{}')],
          ARRAY[false, false, true], 'values_public: an embargoed and an absent image answer alike');
RESET ROLE;

-- Every relation of schema efd the reader may read: no hidden sample's trace.
CREATE FUNCTION pg_temp.read_relations() RETURNS TABLE (rel regclass, leaked bigint, n bigint) LANGUAGE plpgsql AS $$
DECLARE
    r regclass;
BEGIN
    FOR r IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'efd'
              WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND has_table_privilege('obsmeta_reader', c.oid, 'SELECT') ORDER BY 1 LOOP
        rel := r;
        SET LOCAL ROLE efd_embargo_reader;
        EXECUTE format('SELECT count(*) FILTER (WHERE to_jsonb(t)::text LIKE %L), count(*) FROM %s t', '%777777%', r) INTO leaked, n;
        RESET ROLE;
        RETURN NEXT;
    END LOOP;
END $$;
SELECT is_empty($$SELECT * FROM pg_temp.read_relations() WHERE leaked > 0$$,
                'no relation a reader may read shows a value reduced from a hidden time');
SET LOCAL ROLE efd_embargo_reader;
SELECT is((SELECT array_agg(exposure ORDER BY exposure) FROM efd.exposure_values WHERE "values" ? 'probe_max_a'),
          ARRAY[2025110100004::bigint],
          'values reduced over a hidden time are hidden (image 1), the far image''s are visible (image 4)');
SELECT is((SELECT value FROM efd.exposure_value WHERE exposure = 2025110100004 AND output_name = 'probe_max_a'), 1::float8,
          'and they are the public telemetry''s');
RESET ROLE;
SELECT is((SELECT count(*) FROM efd.exposure_values WHERE "values" ? 'probe_max_a'), 4::bigint, 'staff see every image''s values');

SELECT * FROM finish();
ROLLBACK;
