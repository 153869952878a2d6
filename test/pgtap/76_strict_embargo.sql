-- Strict embargo mode (schema/75_row_level_security/76_strict_embargo.sql, doc/strict_embargo.md). A reader with SQL
-- learns about hidden rows from the planner in the default mode: EXPLAIN ANALYZE counts the rows a
-- policy removed (an embargoed obs_id vs an unknown one, a cone on an embargoed footprint vs empty
-- sky) and estimates use statistics over all rows (an embargoed target_name vs an absent one).
-- Each of these side channels is shown OPEN in the default mode and CLOSED in strict mode, on every
-- protected relation; holds and release-date changes move rows at once, the release function
-- copies rows whose release time passed, staff see everything throughout, verify_obscore() stays empty.
BEGIN;
SELECT plan(52);
SET LOCAL obsmeta.conversion = 'statement';
CREATE ROLE se_reader LOGIN IN ROLE obsmeta_reader;
CREATE ROLE se_staff LOGIN IN ROLE obsmeta_staff;
CREATE ROLE se_officer LOGIN IN ROLE obsmeta_embargo_officer;

-- 24 public exposures (2020, RA 10-33°, target open_field; each also a visit observation) and 16 embargoed ones (now, RA 200-215°,
-- target secret_field), each a one-snap visit with two detectors; embargo period 30 days.
UPDATE obsmeta.instrument_config SET embargo_period = '30 days' WHERE instrument = 'LSSTCam';
CREATE TEMP TABLE se_exp ON COMMIT DROP AS
SELECT i, 2025120100000 + i AS id, format('MC_O_SE_%s', i) AS name, i > 24 AS hidden,
       CASE WHEN i > 24 THEN 200.0 + (i - 25) ELSE 10.0 + (i - 1) END AS ra,
       CASE WHEN i > 24 THEN date_trunc('second', now()) - interval '1 hour' + i * interval '1 minute'
            ELSE '2020-01-02 03:00:00+00'::timestamptz + i * interval '1 minute' END AS t
  FROM generate_series(1, 40) i;
GRANT SELECT ON se_exp TO PUBLIC;
INSERT INTO gen3.physical_filter (instrument, name, band) VALUES ('LSSTCam', 'r_57', 'r');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type, day_obs, seq_num,
                           target_name, tracking_ra, tracking_dec, can_see_sky, timespan_begin, timespan_end)
SELECT 'LSSTCam', id, 'r_57', name, 30.0, 'science', 20251201, i,
       CASE WHEN hidden THEN 'secret_field' ELSE 'open_field' END, ra + 0.2, -29.9, true, t, t + interval '30 s' FROM se_exp;
INSERT INTO gen3.visit (instrument, id, physical_filter, day_obs, name, seq_num, exposure_time, target_name, region,
                        timespan_begin, timespan_end)
SELECT 'LSSTCam', id, 'r_57', 20251201, name, i, 30.0, CASE WHEN hidden THEN 'secret_field' ELSE 'open_field' END,
       obsmeta.spoly_to_sphgeom(format('{(%sd,-30d),(%sd,-30d),(%sd,-29.8d),(%sd,-29.8d)}', ra, ra + 0.4, ra + 0.4, ra)::spoly),
       t, t + interval '30 s' FROM se_exp;
INSERT INTO gen3.visit_definition (instrument, exposure, visit) SELECT 'LSSTCam', id, id FROM se_exp;
INSERT INTO gen3.visit_detector_region (instrument, visit, detector, region)
SELECT 'LSSTCam', id, d, obsmeta.spoly_to_sphgeom(format('{(%sd,-30d),(%sd,-30d),(%sd,-29.8d),(%sd,-29.8d)}',
       ra + 0.2 * (d - 10), ra + 0.2 * (d - 9), ra + 0.2 * (d - 9), ra + 0.2 * (d - 10))::spoly)
  FROM se_exp, generate_series(10, 11) d;
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector, physical_filter, band, day_obs, ingest_date)
SELECT md5('se/' || id || '/' || d)::uuid, 'raw', 'LSSTCam/raw/all', 'LSSTCam', id, d, 'r_57', 'r', 20251201, t
  FROM se_exp, generate_series(10, 11) d;
INSERT INTO gen3.file_datastore_record (dataset_id, component, path, storage_class, file_size)
SELECT md5('se/' || id || '/' || d)::uuid, '__NULL_STRING__', format('se/%s_%s.fits', name, d), 'Exposure', 1000
  FROM se_exp, generate_series(10, 11) d;
INSERT INTO efd.exposure_values (instrument, exposure, obs_id, "values")
SELECT 'LSSTCam', id, obsmeta.exposure_obs_id('LSSTCam', id), '{"se": 1}' FROM se_exp ON CONFLICT DO NOTHING;
ANALYZE ivoa.obscore, caom2.observation, caom2.plane, gen3.exposure, efd.exposure_values;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE obs_id LIKE 'MC_O_SE_%'), 80, 'fixture: 80 ObsCore rows (40 exposures x 2 detectors)');

-- What the planner tells a reader: rows removed by filters (EXPLAIN ANALYZE) and the estimate (EXPLAIN).
CREATE FUNCTION pg_temp.removed(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE r text; n bigint := 0; BEGIN
    FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        n := n + coalesce((regexp_match(r, 'Rows Removed by (?:Filter|Index Recheck|Join Filter): (\d+)'))[1]::bigint, 0);
    END LOOP; RETURN n; END $$;
CREATE FUNCTION pg_temp.estimate(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE j json; BEGIN EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j; RETURN (j -> 0 -> 'Plan' ->> 'Plan Rows')::bigint; END $$;
GRANT EXECUTE ON FUNCTION pg_temp.removed(text), pg_temp.estimate(text) TO PUBLIC;
SET LOCAL enable_seqscan = off;   -- the index paths a real (large) table would use

-- Default mode: every side channel is open --------------------------------------------------------
SET LOCAL ROLE se_reader;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE obs_id LIKE 'MC_O_SE_%'), 48, 'default: a reader sees the 48 public rows');
SELECT cmp_ok(pg_temp.removed($$SELECT * FROM ivoa.obscore WHERE obs_id = 'MC_O_SE_30'$$), '>',
              pg_temp.removed($$SELECT * FROM ivoa.obscore WHERE obs_id = 'MC_O_SE_99'$$),
              'default OPEN: ivoa.obscore, rows removed for an embargoed obs_id > for an unknown one');
SELECT cmp_ok(pg_temp.removed($$SELECT * FROM ivoa.obscore WHERE s_region && scircle(spoint(radians(205.1), radians(-29.9)), radians(0.05))$$), '>',
              pg_temp.removed($$SELECT * FROM ivoa.obscore WHERE s_region && scircle(spoint(radians(300.1), radians(-29.9)), radians(0.05))$$),
              'default OPEN: ivoa.obscore, a 0.05° cone on an embargoed footprint removes rows, one on empty sky none');
SELECT cmp_ok(pg_temp.estimate($$SELECT * FROM ivoa.obscore WHERE target_name = 'secret_field'$$), '>',
              pg_temp.estimate($$SELECT * FROM ivoa.obscore WHERE target_name = 'absent_field'$$),
              'default OPEN: ivoa.obscore, the estimate for an embargoed target_name > for an absent one');
SELECT cmp_ok(pg_temp.removed($$SELECT * FROM caom2.observation WHERE observation_id = 'MC_O_SE_30'$$), '>',
              pg_temp.removed($$SELECT * FROM caom2.observation WHERE observation_id = 'MC_O_SE_99'$$),
              'default OPEN: caom2.observation, rows removed for an embargoed id');
SELECT cmp_ok(pg_temp.estimate($$SELECT * FROM caom2.observation WHERE target_name = 'secret_field'$$), '>',
              pg_temp.estimate($$SELECT * FROM caom2.observation WHERE target_name = 'absent_field'$$),
              'default OPEN: caom2.observation, the estimate for an embargoed target_name');
SELECT cmp_ok(pg_temp.removed(format('SELECT * FROM caom2.plane WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100030))), '>',
              pg_temp.removed(format('SELECT * FROM caom2.plane WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100099))),
              'default OPEN: caom2.plane, rows removed for an embargoed observation');
SELECT cmp_ok(pg_temp.removed($$SELECT * FROM rubin.exposure WHERE exposure_name = 'MC_O_SE_30'$$), '>',
              pg_temp.removed($$SELECT * FROM rubin.exposure WHERE exposure_name = 'MC_O_SE_99'$$),
              'default OPEN: rubin.exposure, rows removed for an embargoed exposure');
SELECT cmp_ok(pg_temp.estimate($$SELECT * FROM rubin.exposure WHERE target_name = 'secret_field'$$), '>',
              pg_temp.estimate($$SELECT * FROM rubin.exposure WHERE target_name = 'absent_field'$$),
              'default OPEN: rubin.exposure, the estimate for an embargoed target_name');
SELECT cmp_ok(pg_temp.removed(format('SELECT * FROM efd.exposure_values WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100030))), '>',
              pg_temp.removed(format('SELECT * FROM efd.exposure_values WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100099))),
              'default OPEN: efd.exposure_values, rows removed for an embargoed exposure');
RESET ROLE;

-- Strict mode --------------------------------------------------------------------------------------
SELECT is_empty($$SELECT c.relname, a.attnum, a.attname, a.atttypid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                   WHERE c.oid IN ('ivoa.obscore'::regclass, 'caom2.observation'::regclass, 'caom2.plane'::regclass,
                                   'rubin.exposure'::regclass, 'efd.exposure_values'::regclass) AND a.attnum > 0 AND NOT a.attisdropped
                  EXCEPT
                  SELECT c.relname, a.attnum, a.attname, a.atttypid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                   WHERE c.relnamespace = 'released'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped$$,
                'every copy in released has its relation''s columns, in order (a column added to one must be added to the other)');
CREATE TEMP TABLE acl_before ON COMMIT DROP AS
SELECT c.oid, (SELECT array_agg(x::text ORDER BY x::text) FROM aclexplode(c.relacl) x) AS acl FROM pg_class c WHERE c.relnamespace IN ('caom2'::regnamespace, 'ivoa'::regnamespace,
       'rubin'::regnamespace, 'efd'::regnamespace, 'obsmeta'::regnamespace, 'released'::regnamespace);
SELECT matches(obsmeta.enable_strict_embargo(), '^strict embargo mode on', 'enable_strict_embargo()');
SELECT results_eq($$SELECT (SELECT count(*) FROM released.obscore WHERE obs_id LIKE 'MC_O_SE_%'),
                           (SELECT count(*) FROM released.observation WHERE observation_id LIKE 'MC_O_SE_%'),
                           (SELECT count(*) FROM released.exposure WHERE exposure_name LIKE 'MC_O_SE_%'),
                           (SELECT count(*) FROM released.exposure_values v JOIN se_exp e ON e.id = v.exposure)$$,
                  $$VALUES (48::bigint, 48::bigint, 24::bigint, 24::bigint)$$,
                  'the copies hold exactly the public rows');
SELECT ok((SELECT count(*) FROM released.plane p JOIN released.observation o USING (obs_id) WHERE o.observation_id LIKE 'MC_O_SE_%') > 0
          AND NOT EXISTS (SELECT 1 FROM released.plane p JOIN se_exp e ON p.obs_id = obsmeta.exposure_obs_id('LSSTCam', e.id) WHERE e.hidden),
          'released.plane holds the public planes and no embargoed one');
ANALYZE released.obscore, released.observation, released.plane, released.exposure, released.exposure_values;

SET LOCAL ROLE se_reader;
SELECT throws_ok(format('SELECT 1 FROM %s LIMIT 0', r), '42501', NULL, 'strict: a reader may not read ' || r)
  FROM unnest(ARRAY['ivoa.obscore', 'caom2.observation', 'caom2.plane', 'caom2.artifact', 'rubin.exposure',
                    'rubin.visit_result', 'efd.exposure_values', 'efd.exposure_value', 'ivoa.coverage',
                    'obsmeta.coverage_bucket']) r;
SELECT is(pg_temp.removed($$SELECT * FROM released.obscore WHERE obs_id = 'MC_O_SE_30'$$),
          pg_temp.removed($$SELECT * FROM released.obscore WHERE obs_id = 'MC_O_SE_99'$$),
          'strict CLOSED: released.obscore, an embargoed obs_id removes no more rows than an unknown one');
SELECT is(pg_temp.removed($$SELECT * FROM released.obscore WHERE s_region && scircle(spoint(radians(205.1), radians(-29.9)), radians(0.05))$$),
          pg_temp.removed($$SELECT * FROM released.obscore WHERE s_region && scircle(spoint(radians(300.1), radians(-29.9)), radians(0.05))$$),
          'strict CLOSED: released.obscore, a cone on an embargoed footprint is like one on empty sky');
SELECT is(pg_temp.estimate($$SELECT * FROM released.obscore WHERE target_name = 'secret_field'$$),
          pg_temp.estimate($$SELECT * FROM released.obscore WHERE target_name = 'absent_field'$$),
          'strict CLOSED: released.obscore, an embargoed target_name estimates as an absent one');
SELECT is(pg_temp.removed($$SELECT * FROM released.observation WHERE observation_id = 'MC_O_SE_30'$$),
          pg_temp.removed($$SELECT * FROM released.observation WHERE observation_id = 'MC_O_SE_99'$$),
          'strict CLOSED: released.observation, rows removed');
SELECT is(pg_temp.estimate($$SELECT * FROM released.observation WHERE target_name = 'secret_field'$$),
          pg_temp.estimate($$SELECT * FROM released.observation WHERE target_name = 'absent_field'$$),
          'strict CLOSED: released.observation, estimate');
SELECT is(pg_temp.removed(format('SELECT * FROM released.plane WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100030))),
          pg_temp.removed(format('SELECT * FROM released.plane WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100099))),
          'strict CLOSED: released.plane, rows removed');
SELECT is(pg_temp.removed($$SELECT * FROM released.exposure WHERE exposure_name = 'MC_O_SE_30'$$),
          pg_temp.removed($$SELECT * FROM released.exposure WHERE exposure_name = 'MC_O_SE_99'$$),
          'strict CLOSED: released.exposure, rows removed');
SELECT is(pg_temp.estimate($$SELECT * FROM released.exposure WHERE target_name = 'secret_field'$$),
          pg_temp.estimate($$SELECT * FROM released.exposure WHERE target_name = 'absent_field'$$),
          'strict CLOSED: released.exposure, estimate');
SELECT is(pg_temp.removed(format('SELECT * FROM released.exposure_values WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100030))),
          pg_temp.removed(format('SELECT * FROM released.exposure_values WHERE obs_id = %L', obsmeta.exposure_obs_id('LSSTCam', 2025120100099))),
          'strict CLOSED: released.exposure_values, rows removed');
SELECT is_empty($$SELECT 1 FROM pg_stats WHERE schemaname IN ('released', 'ivoa', 'caom2', 'efd') AND 'secret_field' = ANY (most_common_vals::text::text[])$$,
                'strict CLOSED: no statistic a reader can read names an embargoed value');
RESET ROLE;

-- Staff see everything at once, in the full relations
SET LOCAL ROLE se_staff;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE obs_id LIKE 'MC_O_SE_%'), 80, 'strict: staff see all 80 ObsCore rows');
RESET ROLE;

-- A new embargoed visit written in strict mode does not reach the copies; a public one does
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, observation_type, target_name, can_see_sky, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100041, 'r_57', 'MC_O_SE_41', 'science', 'secret_field', true, now(), now() + interval '30 s'),
       ('LSSTCam', 2025120100042, 'r_57', 'MC_O_SE_42', 'science', 'open_field', true, '2020-02-01', '2020-02-01 00:00:30');
SELECT results_eq($$SELECT exposure_name FROM released.exposure WHERE exposure_name IN ('MC_O_SE_41', 'MC_O_SE_42')$$,
                  $$VALUES ('MC_O_SE_42')$$, 'strict: a new public exposure is copied at once, a new embargoed one is not');

-- Holds move rows at once, both ways
SET LOCAL ROLE se_officer;
SELECT is(obsmeta.hold('LSSTCam', 'MC_O_SE_5', 'strict test', false), 1, 'an officer holds a public exposure');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM released.obscore WHERE obs_id = 'MC_O_SE_5')
          + (SELECT count(*)::int FROM released.observation WHERE observation_id = 'MC_O_SE_5')
          + (SELECT count(*)::int FROM released.exposure WHERE exposure_name = 'MC_O_SE_5')
          + (SELECT count(*)::int FROM released.exposure_values WHERE exposure = 2025120100005), 0,
          'strict: the held exposure left every copy at once');
SET LOCAL ROLE se_officer;
SELECT is(obsmeta.release_hold('LSSTCam', 'MC_O_SE_5', 'done', false), 1, 'the officer lifts the hold');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM released.obscore WHERE obs_id = 'MC_O_SE_5'), 2, 'strict: lifting the hold copies its rows back at once');

-- A release-date change moves rows at once
UPDATE caom2.observation SET meta_release = now() + interval '1 day' WHERE observation_id = 'MC_O_SE_6';
SELECT is((SELECT count(*)::int FROM released.observation WHERE observation_id = 'MC_O_SE_6')
          + (SELECT count(*)::int FROM released.obscore WHERE obs_id = 'MC_O_SE_6'), 0,
          'strict: moving a release date into the future removes the rows from the copies');

-- The release function copies what became public since its last run: here an embargoed
-- observation whose release time is moved to "just passed" while its triggers are off, as when
-- the clock passes it (triggers only see writes)
SELECT obsmeta.strict_embargo_set_triggers(false);
UPDATE caom2.observation SET meta_release = now() - interval '1 second' WHERE observation_id = 'MC_O_SE_30';
UPDATE caom2.plane SET meta_release = now() - interval '1 second' WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100030);
SELECT obsmeta.strict_embargo_set_triggers(true);
UPDATE obsmeta.strict_embargo SET released_until = now() - interval '1 minute';
SELECT is((SELECT count(*)::int FROM released.observation WHERE observation_id = 'MC_O_SE_30'), 0, 'before the release function runs, not copied');
SELECT cmp_ok(obsmeta.strict_embargo_release(), '>', 0::bigint, 'strict_embargo_release() copies rows');
SELECT results_eq($$SELECT (SELECT count(*) FROM released.observation WHERE observation_id = 'MC_O_SE_30'),
                           (SELECT count(*) FROM released.exposure WHERE exposure_name = 'MC_O_SE_30'),
                           (SELECT count(*) FROM released.exposure_values WHERE exposure = 2025120100030)$$,
                  $$VALUES (1::bigint, 1::bigint, 1::bigint)$$, 'after it, the observation, its exposure and EFD values are there');
SELECT is(obsmeta.strict_embargo_release(), 0::bigint, 'a second run copies nothing more');
CREATE TEMP TABLE obscore_copy_before ON COMMIT DROP AS SELECT count(*) AS n FROM released.obscore;
TRUNCATE efd.exposure_values;
SELECT results_eq($$SELECT (SELECT count(*) FROM released.exposure_values), (SELECT count(*) FROM released.obscore)$$,
                  $$SELECT 0::bigint, n FROM obscore_copy_before$$,
                  'strict: truncating a full relation (EFD values) empties its copy, the others are refilled as they were');
SELECT is_empty($$SELECT * FROM obsmeta.verify_obscore()$$, 'verify_obscore() is empty in strict mode');

-- Back to the default mode
SELECT matches(obsmeta.disable_strict_embargo(), '^strict embargo mode off', 'disable_strict_embargo()');
SELECT ok(has_table_privilege('obsmeta_reader', 'ivoa.obscore', 'SELECT') AND has_table_privilege('obsmeta_reader', 'caom2.plane', 'SELECT')
          AND NOT EXISTS (SELECT 1 FROM released.obscore), 'default again: readers read the full relations, the copies are empty');
SELECT is_empty($$SELECT b.oid::regclass FROM acl_before b JOIN pg_class c ON c.oid = b.oid
                   WHERE (SELECT array_agg(x::text ORDER BY x::text) FROM aclexplode(c.relacl) x) IS DISTINCT FROM b.acl$$,
                'default again: every privilege is as before strict mode');
SELECT is_empty($$SELECT tgname FROM pg_trigger WHERE tgname LIKE 'strict_embargo_%'$$, 'default again: no strict-mode trigger is left');

SELECT * FROM finish();
ROLLBACK;
