-- Error contract for bad gen3 input: SQLSTATE, a message naming the offending value, and a HINT.
-- error_of() returns 'SQLSTATE: message' (or 'no error'); hint_of()/detail_of() the HINT/DETAIL
-- read with GET STACKED DIAGNOSTICS.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
INSERT INTO gen3.physical_filter VALUES ('LSSTCam', 'r_57', 'r');

CREATE FUNCTION pg_temp.error_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
  EXECUTE sql;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;
CREATE FUNCTION pg_temp.hint_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  EXECUTE sql;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
  RETURN h;
END $$;
CREATE FUNCTION pg_temp.detail_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
  EXECUTE sql;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN d;
END $$;
-- An exposure insert with one column overridden.
CREATE FUNCTION pg_temp.exposure_sql(col text, val text) RETURNS text LANGUAGE sql AS $$
  SELECT format('INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, exposure_time, observation_type,
                   tracking_ra, tracking_dec, zenith_angle, can_see_sky, timespan_begin, timespan_end)
                 SELECT instrument, id, physical_filter, obs_id, exposure_time, observation_type,
                   tracking_ra, tracking_dec, zenith_angle, can_see_sky, timespan_begin, timespan_end
                   FROM (SELECT %s) AS r', string_agg(
      CASE WHEN c = col THEN val || ' AS ' || c ELSE d || ' AS ' || c END, ', '))
    FROM (VALUES ('instrument', '''LSSTCam''::text'), ('id', '2025120100999::bigint'), ('physical_filter', '''r_57''::text'),
                 ('obs_id', '''MC_O_20251201_000999''::text'), ('exposure_time', '30::float8'),
                 ('observation_type', '''science''::text'), ('tracking_ra', '10::float8'), ('tracking_dec', '-30::float8'),
                 ('zenith_angle', '30::float8'), ('can_see_sky', 'true'),
                 ('timespan_begin', '''2025-12-02 03:00:00+00''::timestamptz'),
                 ('timespan_end', '''2025-12-02 03:00:30+00''::timestamptz')) AS v(c, d) $$;

SELECT plan(36);

SELECT is(pg_temp.error_of(pg_temp.exposure_sql('id', '2025120100998::bigint')), 'no error',
          'the template exposure is valid (so each case below fails for its one bad value)');

-- Pointing and angles: 22003, naming the column and the value
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('tracking_ra', '''NaN''::float8')), '^22003: tracking_ra NaN ',
               'NaN tracking_ra: 22003 naming tracking_ra NaN');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('tracking_ra', '361.5::float8')), '^22003: tracking_ra 361.5 ',
               'tracking_ra 361.5: 22003 naming the value');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('tracking_ra', '-0.25::float8')), '^22003: tracking_ra -0.25 ',
               'negative tracking_ra: 22003 naming the value');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('tracking_dec', '-90.5::float8')), '^22003: tracking_dec -90.5 ',
               'tracking_dec -90.5: 22003 naming the value');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('tracking_dec', '''NaN''::float8')), '^22003: tracking_dec NaN ',
               'NaN tracking_dec: 22003');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('tracking_dec', '''Infinity''::float8')), '^22003: tracking_dec Infinity ',
               'infinite tracking_dec: 22003');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('zenith_angle', '''NaN''::float8')), '^22003: zenith_angle NaN ',
               'NaN zenith_angle: 22003');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('zenith_angle', '180.25::float8')), '^22003: zenith_angle 180.25 ',
               'zenith_angle 180.25: 22003 naming the value');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('zenith_angle', '-1::float8')), '^22003: zenith_angle -1 ',
               'negative zenith_angle: 22003');

-- Times and sizes
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('timespan_end', '''2025-12-02 02:59:59+00''::timestamptz')),
               '^22023: timespan_end 2025-12-02 02:59:59.* is before timespan_begin 2025-12-02 03:00:00',
               'timespan_end before timespan_begin: 22023 naming both times');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('timespan_end', '''infinity''::timestamptz')), '^22007: .*infinity',
               'infinite timespan: 22007 naming it');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('exposure_time', '-0.5::float8')), '^22003: exposure_time .*-0.5$',
               'negative exposure_time: 22003 naming exposure_time and the value');
SELECT matches(pg_temp.error_of(pg_temp.exposure_sql('exposure_time', '''NaN''::float8')), '^22003: exposure_time .*NaN$',
               'NaN exposure_time: 22003');
SELECT matches(pg_temp.error_of($$INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size)
                                  VALUES ('a0000000-0000-4000-8000-0000000000ff', 'x.fits', -5)$$),
               '^22003: file_size .*-5$', 'negative file_size: 22003 naming file_size and the value');
SELECT matches(pg_temp.error_of($$INSERT INTO gen3.visit (instrument, id, physical_filter, name, timespan_begin, timespan_end)
                                  VALUES ('LSSTCam', 7, 'r_57', 'v7', '2025-12-02 03:00:00+00', '2025-12-01 03:00:00+00')$$),
               '^22023: timespan_end ', 'visit timespan_end before begin: 22023');

-- Regions
SELECT matches(pg_temp.error_of($$INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 1, 10, '\xdeadbeef')$$),
               '^22P03: invalid sphgeom region', 'garbage region bytes: 22P03 invalid sphgeom region');
SELECT matches(pg_temp.detail_of($$INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 1, 10, '\xdeadbeef')$$),
               'deadbeef', 'the DETAIL shows the offending bytes');
SELECT matches(pg_temp.error_of(format($$INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 1, 10, %L::bytea)$$,
                 substring(obsmeta.spoly_to_sphgeom('{(10d,-30d),(10.2d,-30d),(10.2d,-29.8d),(10d,-29.8d)}'::spoly) FROM 1 FOR 60))),
               '^22P03: invalid sphgeom region', 'truncated ConvexPolygon: 22P03');
SELECT matches(pg_temp.error_of($$INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 1, 10, '\x')$$),
               '^22P03: invalid sphgeom region', 'empty region: 22P03');
SELECT matches(pg_temp.error_of($$INSERT INTO gen3.visit (instrument, id, physical_filter, name, region)
                                  VALUES ('LSSTCam', 8, 'r_57', 'v8', '\x70')$$),
               '^22P03: invalid sphgeom region', 'ConvexPolygon without vertices in gen3.visit.region: 22P03');
SELECT matches(pg_temp.error_of($$SELECT obsmeta.sphgeom_to_spoly('\x63ff')$$),
               '^22P03: invalid sphgeom region', 'sphgeom_to_spoly of malformed bytes: 22P03 (no crash)');

-- Unknown instrument / dataset type: 23503 with the exact contract message
SELECT is(pg_temp.error_of(pg_temp.exposure_sql('instrument', '''HSC''::text')),
          '23503: unknown instrument "HSC" in gen3.exposure', 'unknown instrument in gen3.exposure');
SELECT is(pg_temp.error_of($$INSERT INTO gen3.visit (instrument, id, physical_filter, name) VALUES ('HSC', 1, 'HSC-R', 'v')$$),
          '23503: unknown instrument "HSC" in gen3.visit', 'unknown instrument in gen3.visit');
SELECT is(pg_temp.error_of($$INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
                             VALUES ('a0000000-0000-4000-8000-0000000000fe', 'raw', 'HSC/raw/all', 'HSC', 1, 1)$$),
          '23503: unknown instrument "HSC" in gen3.dataset', 'unknown instrument in gen3.dataset');
SELECT is(pg_temp.error_of($$INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
                             VALUES ('a0000000-0000-4000-8000-0000000000fd', 'bogus_type', 'r', 'LSSTCam', 1, 1)$$),
          '23503: unknown dataset type "bogus_type" in gen3.dataset', 'unknown dataset type');
SELECT is(pg_temp.error_of($$INSERT INTO gen3.dataset (id, dataset_type, run, instrument, detector)
                             VALUES ('a0000000-0000-4000-8000-0000000000fc', 'raw', 'r', 'LSSTCam', 1)$$),
          '23502: dataset of type "raw" has no exposure in its data ID', 'a raw dataset without an exposure (it could never convert)');
SELECT is(pg_temp.error_of($$INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
                             VALUES ('a0000000-0000-4000-8000-0000000000fb', 'visit_image', 'r', 'LSSTCam', 5, 1)$$),
          '23502: dataset of type "visit_image" has no visit in its data ID', 'a visit_image dataset without a visit');
SELECT is(pg_temp.error_of(format('UPDATE gen3.exposure SET instrument = %L WHERE id = 2025120100998', 'HSC')),
          '23503: unknown instrument "HSC" in gen3.exposure', 'an UPDATE to an unknown instrument is rejected too');

-- HINTs exist (read with GET STACKED DIAGNOSTICS)
SELECT ok(length(pg_temp.hint_of(pg_temp.exposure_sql('tracking_dec', '95::float8'))) > 0, 'pointing error has a HINT');
SELECT ok(length(pg_temp.hint_of(pg_temp.exposure_sql('timespan_end', '''2025-12-01''::timestamptz'))) > 0, 'timespan error has a HINT');
SELECT ok(length(pg_temp.hint_of($$INSERT INTO gen3.visit_detector_region VALUES ('LSSTCam', 1, 10, '\xdeadbeef')$$)) > 0,
          'region error has a HINT');
SELECT matches(pg_temp.hint_of(pg_temp.exposure_sql('instrument', '''HSC''::text')), 'obsmeta.instrument_config',
               'unknown-instrument HINT says where to add it');
SELECT ok(length(pg_temp.hint_of($$INSERT INTO gen3.dataset (id, dataset_type, run) VALUES ('a0000000-0000-4000-8000-0000000000fc', 'bogus_type', 'r')$$)) > 0,
          'unknown-dataset-type error has a HINT');

-- None of the failed statements left anything behind
SELECT is((SELECT count(*)::int FROM gen3.exposure), 1, 'only the valid template exposure was stored');
SELECT is((SELECT count(*)::int FROM caom2.observation), 1, 'and only it was converted');

SELECT * FROM finish();
ROLLBACK;
