-- The C++/PostgreSQL boundary: every kind of failure thrown 5 C++ frames deep reaches the client
-- with the right SQLSTATE and message, every C++ object on the unwound stack is destroyed
-- (boundary_live_objects() = 0), and the session keeps working afterwards.
BEGIN;

CREATE FUNCTION pg_temp.error_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
  EXECUTE sql;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;

SELECT plan(27);

SELECT lives_ok($$SELECT obsmeta.boundary_selftest('ok')$$, 'ok: no error');
SELECT is(obsmeta.boundary_live_objects(), 0, 'ok: no live objects left');

SELECT throws_ok($$SELECT obsmeta.boundary_selftest('user_error')$$, '22023',
                 'selftest: obsmeta error thrown 5 frames deep', 'user_error: 22023 with its message');
SELECT is(obsmeta.boundary_live_objects(), 0, 'user_error: destructors ran');
DO $$
DECLARE d text; h text;
BEGIN
  PERFORM obsmeta.boundary_selftest('user_error');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  CREATE TEMP TABLE user_error_parts ON COMMIT DROP AS SELECT d AS detail, h AS hint;
END $$;
SELECT ok((SELECT length(detail) > 0 AND length(hint) > 0 FROM user_error_parts), 'user_error: DETAIL and HINT reach the client');

SELECT throws_ok($$SELECT obsmeta.boundary_selftest('std_exception')$$, 'XX000',
                 'obsmeta internal error: selftest: std::runtime_error thrown 5 frames deep',
                 'std::exception: XX000 carrying what()');
SELECT is(obsmeta.boundary_live_objects(), 0, 'std_exception: destructors ran');

SELECT throws_ok($$SELECT obsmeta.boundary_selftest('bad_alloc')$$, '53200', NULL, 'std::bad_alloc: 53200 out of memory');
SELECT is(obsmeta.boundary_live_objects(), 0, 'bad_alloc: destructors ran');

SELECT throws_ok($$SELECT obsmeta.boundary_selftest('unknown_exception')$$, 'XX000', NULL, 'unknown exception: XX000');
SELECT is(obsmeta.boundary_live_objects(), 0, 'unknown_exception: destructors ran');

SELECT throws_ok($$SELECT obsmeta.boundary_selftest('pg_error')$$, '22003', 'integer out of range',
                 'PostgreSQL error raised inside C++: 22003 integer out of range');
SELECT is(obsmeta.boundary_live_objects(), 0, 'pg_error: destructors ran (longjmp did not skip them)');

SELECT throws_ok($$SELECT obsmeta.boundary_selftest('spi_error')$$, '22012', 'division by zero',
                 'error inside SPI: 22012 division by zero');
SELECT is(obsmeta.boundary_live_objects(), 0, 'spi_error: destructors ran');
SELECT throws_ok($$SELECT obsmeta.boundary_selftest('spi_error')$$, '22012', 'division by zero',
                 'spi_error again: the kept plan survives its own failure');
SELECT is(obsmeta.boundary_live_objects(), 0, 'spi_error again: destructors ran');

SELECT throws_ok($$SELECT obsmeta.boundary_selftest('no_such_mode')$$, '22023', NULL, 'unknown mode: 22023');
SELECT is(obsmeta.boundary_selftest(NULL), NULL, 'STRICT: NULL mode returns NULL without entering C++');

-- Many failures in a row: no leak, no drift in the counter
DO $$
BEGIN
  FOR i IN 1..200 LOOP
    BEGIN
      PERFORM obsmeta.boundary_selftest((ARRAY['user_error', 'std_exception', 'bad_alloc', 'unknown_exception',
                                                'pg_error', 'spi_error'])[1 + i % 6]);
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
  END LOOP;
END $$;
SELECT is(obsmeta.boundary_live_objects(), 0, '200 mixed failures: no live objects left');
SELECT lives_ok($$SELECT obsmeta.boundary_selftest('ok')$$, 'the boundary still works after 200 failures');

-- The session keeps working: SPI, conversion and geometry after all those errors
SELECT is((SELECT count(*)::int FROM pg_class WHERE relname = 'exposure' AND relnamespace = 'gen3'::regnamespace), 1, 'plain SQL works after the errors');
SELECT ok(obsmeta.sphgeom_to_spoly(obsmeta.spoly_to_sphgeom('{(1d,1d),(2d,1d),(2d,2d)}'::spoly)) = '{(1d,1d),(2d,1d),(2d,2d)}'::spoly,
          'C++ geometry works after the errors');
SET LOCAL obsmeta.conversion = 'statement';
INSERT INTO gen3.physical_filter VALUES ('LSSTCam', 'r_57', 'r');
SELECT throws_ok($$INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id)
                   VALUES ('LSSTCam', 1, 'r_57', 'DUPX'), ('LSSTCam', 2, 'r_57', 'DUPX')$$,
                 '23505', NULL, 'a conversion failing inside SPI (unique violation) reports 23505');
SELECT is(obsmeta.boundary_live_objects(), 0, 'failed conversion: no live selftest objects');
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id) VALUES ('LSSTCam', 3, 'r_57', 'OK3');
SELECT is((SELECT observation_id FROM caom2.observation WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 3)), 'OK3',
          'after the failed conversion the next one works');
SELECT is((SELECT count(*)::int FROM caom2.observation), 1, 'and nothing of the failed one remains');

SELECT * FROM finish();
ROLLBACK;
