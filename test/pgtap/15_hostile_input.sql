-- Issue 13: arguments that crashed the server or ran it out of memory, and the limits on inputs
-- that can grow without bound (SQLSTATE 54000 with the value and a hint naming the setting).
-- Each of these crashed the backend (and so restarted the cluster) or exhausted memory before.
BEGIN;
SELECT plan(17);

\ir fixtures/error_with_hint.psql

\ir fixtures/lsstcam_visit.psql
INSERT INTO efd.sample (topic, field, time, value)
SELECT 'lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', '2025-12-02 03:00:00+00'::timestamptz + i * interval '5 s', 0.7 + i
  FROM generate_series(0, 5) i;
SELECT efd.channel_id('lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm') AS dimm \gset

-- 1. set-returning functions with NULL arguments (SIGSEGV: no result set up)
SELECT is((SELECT count(*) FROM efd.samples_for(NULL, 2025120100123, :dimm)), 0::bigint, 'samples_for(NULL, …): no rows, no crash');
SELECT is((SELECT count(*) FROM efd.samples_for_visit(NULL, 2025120100123, :dimm)), 0::bigint, 'samples_for_visit(NULL, …): no rows');
SELECT is((SELECT count(*) FROM efd.image_samples('exposure', 'LSSTCam', 2025120100123, NULL, '1 s')), 0::bigint, 'image_samples(…, NULL channel, …): no rows');
SELECT is((SELECT count(*) FROM efd.samples_for('LSSTCam', 2025120100123, :dimm, NULL)), 6::bigint, 'a NULL padding is no padding');

-- 2. 100,000 nested YAML sequences (stack overflow): a clean 54000 naming obsmeta.max_yaml_depth
SELECT matches(pg_temp.error_of($$SELECT count(*) FROM efd.parse_consdb_config('columns: ' || repeat('[', 100000) || repeat(']', 100000))$$),
               '^54000: the configuration''s YAML nesting is 65 levels or more, more than obsmeta.max_yaml_depth \(64\) / .*obsmeta.max_yaml_depth',
               'deep YAML: 54000 with the limit and the setting');
SET LOCAL obsmeta.max_yaml_bytes = 100;
SELECT matches(pg_temp.error_of($$SELECT count(*) FROM efd.parse_consdb_config(repeat('#', 101))$$),
               '^54000: the configuration is 101 bytes, more than obsmeta.max_yaml_bytes \(100\)', 'YAML size limit');
RESET obsmeta.max_yaml_bytes;

-- 3. efd.reduce over a huge channel array (23 GB, OOM kill): duplicates pooled once, length limited
SELECT is(efd.reduce(array[:dimm, :dimm, :dimm], 'count', '2025-12-02 03:00:00+00', '2025-12-02 03:01:00+00'),
          efd.reduce(array[:dimm], 'count', '2025-12-02 03:00:00+00', '2025-12-02 03:01:00+00'),
          'a channel named three times is pooled once');
SELECT is(efd.reduce(array_fill(:dimm, array[10000]), 'mean', '2025-12-02 03:00:00+00', '2025-12-02 03:01:00+00'),
          3.2::float8, '10,000 copies of one channel (the default limit): the mean of its 6 samples');
SET LOCAL obsmeta.max_efd_array_length = 100;
SELECT matches(pg_temp.error_of(format($$SELECT efd.reduce(array_fill(%s, array[101]), 'mean', now() - interval '1 h', now())$$, :dimm)),
               '^54000: efd.reduce''s channel array is 101 elements, more than obsmeta.max_efd_array_length \(100\) / .*SET obsmeta.max_efd_array_length',
               'channel array above obsmeta.max_efd_array_length: 54000, value, limit, hint');
RESET obsmeta.max_efd_array_length;
SELECT matches(pg_temp.error_of($$SELECT efd.reduce(array_agg(2), 'mean', now() - interval '1 h', now()) FROM generate_series(1, 1000000)$$),
               '^54000: efd.reduce''s channel array is 1000000 elements', 'the issue''s 10^6-element reproducer: 54000');
SELECT matches(pg_temp.error_of(format($$SELECT count(*) FROM efd.samples_for('LSSTCam', 2025120100123, %s, '2 days')$$, :dimm)),
               '^54000: padding is 172800 s, more than obsmeta.max_efd_padding \(86400\)', 'padding above obsmeta.max_efd_padding');
SELECT matches(pg_temp.error_of(format($$SELECT efd.reduce(array[%s], 'twmean_locf', now() - interval '1 h', now(), reach => '178000000 years')$$, :dimm)),
               '^54000: reach is \d+ s, more than obsmeta.max_efd_padding', 'a reach of 178 million years: 54000, no overflow');

-- 8. CAOM-2.4 documents: size and element depth
SELECT matches(pg_temp.error_of($$SELECT count(*) FROM caom2.check_observation_xml('<Observation xmlns="http://www.opencadc.org/caom2/xml/v2.4">' || repeat('<a>', 70) || repeat('</a>', 70) || '</Observation>')$$),
               '^54000: CAOM-2.4 document: elements are nested more than 64 levels deep \(obsmeta.max_xml_depth = 64\)', 'XML depth above obsmeta.max_xml_depth: 54000');
SELECT matches(pg_temp.error_of($$SELECT count(*) FROM caom2.check_observation_xml(repeat('<a>', 300) || repeat('</a>', 300))$$),
               '^2200M: malformed XML', '300 levels: libxml2 refuses it itself');
SET LOCAL obsmeta.max_xml_bytes = 100;
SELECT matches(pg_temp.error_of($$SELECT count(*) FROM caom2.check_observation_xml(repeat(' ', 101))$$),
               '^54000: the CAOM-2.4 document is 101 bytes, more than obsmeta.max_xml_bytes \(100\)', 'XML size above obsmeta.max_xml_bytes: 54000');
RESET obsmeta.max_xml_bytes;

-- the limits are superuser settings: a reader cannot raise them
SET LOCAL ROLE obsmeta_reader;
SELECT matches(pg_temp.error_of($$SET obsmeta.max_efd_array_length = 100000000$$), '^42501: ', 'readers cannot raise a limit');
RESET ROLE;
SELECT is(current_setting('obsmeta.max_efd_array_length'), '10000', 'default limit');

SELECT * FROM finish();
ROLLBACK;
