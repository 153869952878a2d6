-- Embargo by row-level security, seen from a TAP server's login (member of obsmeta_reader), a
-- staff login and a writer: an embargoed or held observation must not show in direct selects,
-- joins, aggregates, EXISTS, the extension's functions and views, SECURITY DEFINER paths, error
-- messages or unique-violation probes; moving its release time into the past makes it appear;
-- holds hide it again (and are logged) until released. Login roles are created in the transaction.
BEGIN;
SELECT plan(52);
SET LOCAL obsmeta.conversion = 'statement';

CREATE ROLE oc_tap_login LOGIN IN ROLE obsmeta_reader;
CREATE ROLE oc_staff_login LOGIN IN ROLE obsmeta_staff;
CREATE ROLE oc_officer_login LOGIN IN ROLE obsmeta_embargo_officer;

SELECT has_role(r, 'group role ' || r) FROM unnest(ARRAY['obsmeta_reader', 'obsmeta_staff', 'obsmeta_writer', 'obsmeta_embargo_officer']) r;
SELECT is_empty($$SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname IN ('caom2', 'ivoa', 'rubin') AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity$$,
                'row-level security is enabled on every caom2, ivoa and rubin table');
SELECT is_empty($$SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'efd'::regnamespace
                   AND c.relname IN ('exposure_values', 'visit_values') AND NOT c.relrowsecurity$$,
                'and on the per-exposure/visit EFD tables');

-- An observation whose release is far in the future (embargo of 1000 years)
UPDATE obsmeta.instrument_config SET embargo_period = '1000 years' WHERE instrument = 'LSSTCam';
\ir fixtures/lsstcam_visit.psql
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 3, 'the superuser (owner) sees the 3 rows');

-- as the TAP server -------------------------------------------------------------------------
SET LOCAL ROLE oc_tap_login;
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 0, 'reader: no embargoed ObsCore row');
SELECT is((SELECT count(*)::int FROM caom2.observation) + (SELECT count(*)::int FROM caom2.plane)
          + (SELECT count(*)::int FROM caom2.artifact) + (SELECT count(*)::int FROM caom2.part)
          + (SELECT count(*)::int FROM caom2.chunk) + (SELECT count(*)::int FROM caom2.observation_member)
          + (SELECT count(*)::int FROM caom2.provenance_input) + (SELECT count(*)::int FROM caom2.deleted_observation), 0,
          'reader: no embargoed row in any caom2 table');
SELECT is((SELECT count(*)::int FROM ivoa.obscore o JOIN caom2.plane p ON p.plane_id = o.caom_plane_id), 0, 'reader: joins find nothing');
SELECT results_eq($$SELECT count(*)::int, max(obs_id), sum(access_estsize) FROM ivoa.obscore$$,
                  $$VALUES (0, NULL::text, NULL::numeric)$$, 'reader: aggregates see nothing');
SELECT ok(NOT EXISTS (SELECT 1 FROM caom2.observation WHERE observation_id = 'MC_O_20251201_000123'), 'reader: EXISTS is false');
SELECT ok(NOT obsmeta.observation_visible(obsmeta.exposure_obs_id('LSSTCam', 2025120100123))
          AND NOT obsmeta.observation_public(obsmeta.exposure_obs_id('LSSTCam', 2025120100123))
          AND NOT obsmeta.plane_public(obsmeta.plane_id(obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'raw'))
          AND NOT obsmeta.artifact_public(obsmeta.artifact_id('a0000000-0000-4000-8000-000000000010', '__NULL_STRING__')),
          'reader: the visibility functions (SECURITY DEFINER) answer false for an embargoed observation, as for a missing one');
SELECT lives_ok($$SELECT observation_id::int FROM caom2.observation$$,
                'reader: a failing cast on embargoed values raises nothing (the rows are filtered first)');
SELECT lives_ok($$SELECT 1 / (lsst_detector - 10) FROM ivoa.obscore$$, 'reader: division by an embargoed value raises nothing');
-- a reader's own (not leakproof) function must never see an embargoed value
CREATE TEMP TABLE spied (v text);
CREATE FUNCTION pg_temp.spy(v text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS $$
BEGIN INSERT INTO pg_temp.spied VALUES (v); RETURN true; END $$;
SELECT count(*) FROM ivoa.obscore WHERE pg_temp.spy(obs_id);
SELECT count(*) FROM caom2.observation WHERE pg_temp.spy(observation_id);
SELECT count(*) FROM caom2.artifact WHERE pg_temp.spy(uri);
SELECT is((SELECT count(*)::int FROM pg_temp.spied), 0,
          'reader: a cheap user function in WHERE is never called with an embargoed value');
SELECT throws_ok($$INSERT INTO caom2.observation (obs_id, obs_type, collection, observation_id, algorithm_name)
                   VALUES (obsmeta.exposure_obs_id('LSSTCam', 2025120100123), 'SimpleObservation', 'LSSTCam', 'MC_O_20251201_000123', 'x')$$,
                 '42501', NULL, 'reader: a unique-violation probe on caom2 fails on privileges, not on the key');
SELECT throws_ok($$INSERT INTO ivoa.obscore (obs_collection, obs_id, obs_publisher_did, row_id, caom_obs_id, caom_plane_id, visible_from)
                   SELECT 'LSSTCam', 'x', 'x', obsmeta.artifact_id('a0000000-0000-4000-8000-000000000010', '__NULL_STRING__'), gen_random_uuid(), gen_random_uuid(), now()$$,
                 '42501', NULL, 'reader: a unique-violation probe on ivoa.obscore fails on privileges');
SELECT throws_ok($$INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('LSSTCam', 2025120100123, 'r_57', 'x')$$,
                 '42501', NULL, 'reader: a unique-violation probe on gen3 fails on privileges');
SELECT throws_ok($$SELECT * FROM obsmeta.verify_obscore()$$, '42501', NULL, 'reader may not run verify_obscore()');
SELECT throws_ok($$SELECT * FROM obsmeta.verify_caom2()$$, '42501', NULL, 'reader may not run verify_caom2() (counts of hidden rows)');
SELECT throws_ok($$SELECT obsmeta.refresh_obscore()$$, '42501', NULL, 'reader may not run refresh_obscore()');
SELECT throws_ok($$SELECT * FROM obsmeta.pending$$, '42501', NULL, 'reader may not read obsmeta.pending (a view over gen3)');
SELECT throws_ok($$SELECT * FROM obsmeta.dataset_plane$$, '42501', NULL, 'reader may not read obsmeta.dataset_plane');
SELECT throws_ok($$SELECT * FROM obsmeta.embargo_hold$$, '42501', NULL, 'reader may not read the holds');
SELECT throws_ok($$SELECT * FROM gen3.exposure$$, '42501', NULL, 'reader may not read the gen3 mirror');
SELECT throws_ok($$SELECT obsmeta.hold(obsmeta.exposure_obs_id('LSSTCam', 1), 'x')$$, '42501', NULL, 'reader may not hold');
SELECT throws_ok($$SELECT obsmeta.register_tap_schema('x')$$, '42501', NULL, 'reader may not write TAP_SCHEMA');
-- the GiST index serves a reader's cone search (pg_sphere predicates are LEAKPROOF)
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; o text := ''; BEGIN FOR r IN EXECUTE 'EXPLAIN ' || q LOOP o := o || r || ' '; END LOOP; RETURN o; END $$;
SET LOCAL enable_seqscan = off;
SELECT ok(pg_temp.plan_of($$SELECT obs_id FROM ivoa.obscore
           WHERE s_region && scircle(spoint(radians(10.1), radians(-29.9)), radians(0.1))$$) ~ 'obscore_s_region_idx',
          'reader: the cone search uses the GiST index under row-level security');
SELECT ok(pg_temp.plan_of($$SELECT obs_id FROM ivoa.obscore
           WHERE s_region && scircle(spoint(radians(10.1), radians(-29.9)), radians(0.1))$$) ~ 'Filter: \(visible_from <= now\(\)\)'
          AND pg_temp.plan_of($$SELECT obs_id FROM ivoa.obscore
           WHERE s_region && scircle(spoint(radians(10.1), radians(-29.9)), radians(0.1))$$) !~ 'SubPlan|InitPlan',
          'reader: the ObsCore policy is one column comparison on the rows the index returns (no subplan, no function)');
RESET ROLE;
SET LOCAL ROLE oc_staff_login;
SELECT ok(pg_temp.plan_of($$SELECT obs_id FROM ivoa.obscore
           WHERE s_region && scircle(spoint(radians(10.1), radians(-29.9)), radians(0.1))$$) !~ 'visible_from|SubPlan|InitPlan',
          'staff: the cone search is planned without any policy condition');
RESET enable_seqscan;
RESET ROLE;

SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.prosecdef AND p.pronamespace IN ('obsmeta'::regnamespace, 'caom2'::regnamespace, 'ivoa'::regnamespace)
                     AND has_function_privilege('obsmeta_reader', p.oid, 'EXECUTE')
                     AND p.prorettype <> 'trigger'::regtype
                     AND p.proname NOT IN ('observation_public', 'plane_public', 'artifact_public', 'part_public', 'tombstone_public',
                                           -- names only the public releases (readers may read obsmeta.release anyway)
                                           'visible_releases')$$,
                'the only SECURITY DEFINER functions a reader can call are the visibility predicates (true only for public rows)');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.prosecdef AND p.pronamespace IN ('obsmeta'::regnamespace, 'caom2'::regnamespace, 'ivoa'::regnamespace, 'efd'::regnamespace)
                     AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')$$,
                'every SECURITY DEFINER function sets its search_path');

-- staff and writers see it from the first minute -------------------------------------------------
SET LOCAL ROLE oc_staff_login;
SELECT is((SELECT count(*)::int FROM ivoa.obscore) * 100 + (SELECT count(*)::int FROM caom2.chunk), 303,
          'staff: all 3 ObsCore rows and all 3 chunks');
RESET ROLE;
SET LOCAL ROLE obsmeta_writer;
SELECT is((SELECT count(*)::int FROM caom2.artifact) * 10 + (SELECT count(*)::int FROM ivoa.obscore), 33,
          'writer: all artifacts and all ObsCore rows');
RESET ROLE;

-- release by time: the release time moves into the past --------------------------------------
UPDATE caom2.observation SET meta_release = now() - interval '1 minute';
UPDATE caom2.plane SET meta_release = now() - interval '1 minute', data_release = now() - interval '1 minute';
SET LOCAL ROLE oc_tap_login;
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 3, 'reader: released rows appear, no job needed');
SELECT is((SELECT count(*)::int FROM caom2.observation) * 1000 + (SELECT count(*)::int FROM caom2.plane) * 100
          + (SELECT count(*)::int FROM caom2.artifact) * 10 + (SELECT count(*)::int FROM caom2.chunk), 2233,
          'reader: released caom2 rows appear (2 observations, 2 planes, 3 artifacts, 3 chunks)');
SELECT ok(obsmeta.observation_public(obsmeta.exposure_obs_id('LSSTCam', 2025120100123)), 'reader: observation_public() is true once released');
RESET ROLE;

-- a plane whose own release is later stays hidden while its observation is public
UPDATE caom2.plane SET meta_release = now() + interval '1 day' WHERE product_id = 'visit_image';
SET LOCAL ROLE oc_tap_login;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE calib_level = 2) + (SELECT count(*)::int FROM caom2.plane WHERE product_id = 'visit_image'), 0,
          'reader: a plane released later than its observation stays hidden (ObsCore and caom2)');
RESET ROLE;
UPDATE caom2.plane SET meta_release = now() - interval '1 minute' WHERE product_id = 'visit_image';

-- holds ------------------------------------------------------------------------------------------
SET LOCAL ROLE oc_officer_login;
SELECT is(obsmeta.hold('LSSTCam', 'MC_O_20251201_000123', 'satellite trail under review'), 2,
          'officer holds the exposure and, with it, the visit made from it');
RESET ROLE;
SET LOCAL ROLE oc_tap_login;
SELECT is((SELECT count(*)::int FROM ivoa.obscore) + (SELECT count(*)::int FROM caom2.observation) + (SELECT count(*)::int FROM caom2.chunk), 0,
          'reader: held observations vanish from ObsCore and caom2 although released');
RESET ROLE;
SET LOCAL ROLE oc_staff_login;
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 3, 'staff still see held rows');
SELECT results_eq($$SELECT action, observation_id, reason, done_by FROM obsmeta.embargo_log ORDER BY observation_id$$,
                  $$VALUES ('hold'::text, 'MC_O_20251201_000123'::text, 'satellite trail under review'::text, 'oc_officer_login'::text),
                           ('hold', 'MC_O_20251201_000123_visit', 'satellite trail under review', 'oc_officer_login')$$,
                  'staff read the audit log: who, what, why (and when: done_at)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE visible_from = 'infinity'), 3, 'a hold sets visible_from to infinity');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after the hold');

SET LOCAL ROLE oc_officer_login;
SELECT is(obsmeta.release_hold('LSSTCam', 'MC_O_20251201_000123', 'reviewed: fine'), 2, 'officer releases both holds');
RESET ROLE;
SET LOCAL ROLE oc_tap_login;
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 3, 'reader: released holds appear at once');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM obsmeta.embargo_log WHERE action = 'release' AND reason = 'reviewed: fine'), 2, 'releases are logged');

-- a hold placed before the data arrive
SELECT is(obsmeta.hold(obsmeta.exposure_obs_id('LSSTCam', 2025120100124), 'hold before ingest'), 1, 'a future observation can be held by its id');
UPDATE obsmeta.instrument_config SET embargo_period = '0 hours' WHERE instrument = 'LSSTCam';
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, timespan_begin, timespan_end)
VALUES ('LSSTCam', 2025120100124, 'r_57', 'MC_O_20251201_000124', '2025-12-02 03:01:00+00', '2025-12-02 03:01:30+00');
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector, physical_filter, band)
VALUES ('a0000000-0000-4000-8000-000000000124', 'raw', 'r', 'LSSTCam', 2025120100124, 10, 'r_57', 'r');
INSERT INTO gen3.file_datastore_record (dataset_id, component, path, file_size)
VALUES ('a0000000-0000-4000-8000-000000000124', '__NULL_STRING__', 'raw124.fits', 10);
SET LOCAL ROLE oc_tap_login;
SELECT is((SELECT count(*)::int FROM caom2.observation WHERE observation_id = 'MC_O_20251201_000124')
          + (SELECT count(*)::int FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000124'), 0,
          'reader: an observation held before it arrived stays hidden although its release date passed');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE obs_id = 'MC_O_20251201_000124'), 1, 'its ObsCore row exists');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'verify: nothing differs after all scenarios');

SELECT * FROM finish();
ROLLBACK;
