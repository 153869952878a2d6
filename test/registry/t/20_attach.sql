-- attach_registry on the HSC registry made by real daf_butler: rows at attach time, then what a
-- Butler does later (metadata fixed, regions after the raws, a changed physical_filter, pruned
-- datasets, remove-runs, a new dataset type with its own tags table, collection chains and tags),
-- repeated translation, bad rows, detach, privileges. Conversion is run with obsmeta.convert()
-- (it otherwise runs at commit; the test rolls everything back).
BEGIN;
SELECT plan(49);
\i test/registry/hsc_config.sql

-- bad input to attach_registry
SELECT throws_ok($$SELECT obsmeta.attach_registry('no_such_schema')$$, '3F000', 'schema "no_such_schema" does not exist',
                 'attach: unknown schema');
CREATE SCHEMA not_a_registry;
SELECT throws_like($$SELECT obsmeta.attach_registry('not_a_registry', ARRAY['x'])$$,
                   'schema "not_a_registry" is not a Butler registry: no table instrument, %', 'attach: a schema without registry tables (42P01)');
SELECT throws_ok($$SELECT obsmeta.attach_registry('hsc_repo', ARRAY['HSC/(raw'])$$, '2201B',
                 'collection pattern "HSC/(raw" is not a valid regular expression', 'attach: a bad collection pattern');
CREATE ROLE obsmeta_test_reader_20 IN ROLE obsmeta_reader;
SET LOCAL ROLE obsmeta_test_reader_20;
SELECT throws_ok($$SELECT obsmeta.attach_registry('hsc_repo')$$, '42501', NULL, 'attach: not for readers');
RESET ROLE;

-- attach: every row already there
SELECT cmp_ok(obsmeta.attach_registry('hsc_repo'), '>', 0::bigint, 'attach translates the registry''s rows');
SELECT throws_ok($$SELECT obsmeta.attach_registry('hsc_repo')$$, '42710', 'registry schema "hsc_repo" is already attached',
                 'attach twice is refused');
SELECT is((SELECT count(*)::int FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
            WHERE c.relnamespace = 'hsc_repo'::regnamespace AND g.tgname = 'obsmeta_registry_capture'
              AND g.tgenabled = 'A' AND (g.tgtype & 1) = 1),
          17, 'capture triggers: row-level and ENABLE ALWAYS on the 17 followed tables (apply workers fire only those)');
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT results_eq($$SELECT (SELECT count(*) FROM gen3.exposure), (SELECT count(*) FROM gen3.visit),
                           (SELECT count(*) FROM gen3.visit_detector_region), (SELECT count(*) FROM gen3.dataset),
                           (SELECT count(*) FROM gen3.file_datastore_record), (SELECT count(*) FROM gen3.patch)$$,
                  $$VALUES (11::bigint, 11::bigint, 33::bigint, 68::bigint, 68::bigint, 1::bigint)$$,
                  'gen3 holds the registry''s exposures, visits, regions, datasets, file records, patches');
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 68, '68 ObsCore rows');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation');

-- decoding: TAI ns → UTC (35 s in 2013), data ID from the run's tags row, implied dimensions
SELECT is_empty($$SELECT e.id FROM hsc_repo.exposure e JOIN gen3.exposure g ON g.instrument = e.instrument AND g.id = e.id
                   WHERE g.timespan_begin IS DISTINCT FROM to_timestamp(lower(e.timespan) / 1e9) - interval '35 s'
                      OR g.timespan_end IS DISTINCT FROM to_timestamp(upper(e.timespan) / 1e9) - interval '35 s'$$,
                'exposure timespans: TAI ns → UTC, 35 s earlier in 2013');
SELECT is_empty($$SELECT d.id FROM hsc_repo.dataset d JOIN gen3.dataset g ON g.id = d.id
                   WHERE g.ingest_date IS DISTINCT FROM to_timestamp(d.ingest_date / 1e9) - interval '37 s'$$,
                'ingest_date (datasets manager 2.x: bigint TAI ns) → UTC, 37 s earlier in 2026');
SELECT results_eq($$SELECT dataset_type, run, instrument, exposure, detector, physical_filter, band, day_obs
                      FROM gen3.dataset WHERE id = '57e68524-8eff-5787-ad73-9fc0c35fbe41'$$,
                  $$VALUES ('raw'::text, 'HSC/raw/all'::text, 'HSC'::text, 903334::bigint, 16, 'HSC-R'::text, 'r'::text, 20130617)$$,
                  'a raw: type and run by id, data ID from dataset_tags_00000003, physical_filter/band/day_obs from its exposure');
SELECT results_eq($$SELECT skymap, tract, patch, band, instrument FROM gen3.dataset WHERE dataset_type = '_mock_deepCoadd' ORDER BY band$$,
                  $$VALUES ('discrete/ci_hsc'::text, 0, 69, 'i'::text, NULL::text), ('discrete/ci_hsc', 0, 69, 'r', NULL)$$,
                  'coadds: data ID (band, skymap, tract, patch) from dataset_tags_00000002');
SELECT is((SELECT count(*)::int FROM caom2.chunk c JOIN caom2.part p ON p.part_id = c.part_id
             JOIN caom2.artifact a ON a.artifact_id = p.artifact_id JOIN gen3.dataset d ON d.id = a.lsst_dataset_id
            WHERE d.dataset_type = '_mock_deepCoadd'
              AND c.footprint = (SELECT obsmeta.sphgeom_to_spoly(obsmeta.region_from_base64(region)) FROM hsc_repo.patch
                                  WHERE skymap = 'discrete/ci_hsc' AND tract = 0 AND id = 69)),
          2, 'coadd chunk footprints are the patch region');

-- exposure metadata fixed later
UPDATE hsc_repo.exposure SET target_name = 'STRIPE82L-fixed' WHERE id = 903334;
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT DISTINCT target_name FROM ivoa.obscore WHERE lsst_exposure = 903334), 'STRIPE82L-fixed',
          'an exposure record fixed later reaches ObsCore');

-- a changed physical_filter reaches the datasets built on the exposure (and their spectral range)
UPDATE hsc_repo.exposure SET physical_filter = 'HSC-I' WHERE id = 903334;
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT results_eq($$SELECT DISTINCT physical_filter, band FROM gen3.dataset WHERE exposure = 903334$$,
                  $$VALUES ('HSC-I'::text, 'i'::text)$$, 'changed physical_filter: the datasets'' copies follow');
SELECT results_eq($$SELECT DISTINCT em_min, em_filter_name FROM ivoa.obscore WHERE lsst_exposure = 903334$$,
                  $$VALUES (690.0e-9::float8, 'i'::text)$$, 'changed physical_filter: ObsCore em_min and em_filter_name follow');
UPDATE hsc_repo.exposure SET physical_filter = 'HSC-R' WHERE id = 903334;

-- visit regions after the raws: the raws wait without a footprint, then get it
SAVEPOINT regions;
CREATE TEMP TABLE saved_regions AS SELECT * FROM hsc_repo.visit_detector_region WHERE visit = 903334;
DELETE FROM hsc_repo.visit_detector_region WHERE visit = 903334;
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE lsst_exposure = 903334 AND s_region IS NULL), 4,
          'raws whose visit regions are gone have no s_region');
INSERT INTO hsc_repo.visit_detector_region SELECT * FROM saved_regions;
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE lsst_exposure = 903334 AND s_region IS NOT NULL), 4,
          'regions written after the raws give them their footprints');
RELEASE SAVEPOINT regions;

-- repeated: translating everything again changes nothing
SELECT max(last_modified) AS before FROM caom2.observation \gset
SELECT is(obsmeta.registry_resync('hsc_repo'), 0::bigint, 'resync of an unchanged registry writes no gen3 row');
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT max(last_modified) FROM caom2.observation), :'before'::timestamptz, 'and no CAOM2 row');

-- a pruned dataset (butler prune-datasets --purge: location, file record, dataset; tags cascade)
DELETE FROM hsc_repo.dataset_location WHERE dataset_id = '1b3a4c19-dffa-4942-af1d-b123a1497a00';
DELETE FROM hsc_repo.file_datastore_records WHERE dataset_id = '1b3a4c19-dffa-4942-af1d-b123a1497a00';
DELETE FROM hsc_repo.dataset WHERE id = '1b3a4c19-dffa-4942-af1d-b123a1497a00';
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT results_eq($$SELECT (SELECT count(*) FROM gen3.dataset WHERE id = '1b3a4c19-dffa-4942-af1d-b123a1497a00'),
                           (SELECT count(*) FROM ivoa.obscore)$$, $$VALUES (0::bigint, 67::bigint)$$,
                  'a pruned dataset leaves gen3 and ObsCore');

-- a new dataset type with a new dimension group: its tags table appears at run time
CREATE TABLE hsc_repo.dataset_tags_00000004 (LIKE hsc_repo.dataset_tags_00000003 INCLUDING ALL);
INSERT INTO hsc_repo.dataset_type (id, name, storage_class, dimensions_key, tag_association_table)
VALUES (4, 'postISRCCD', 'Exposure', 3, 'dataset_tags_00000004');
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'hsc_repo.dataset_tags_00000004'::regclass
              AND tgname = 'obsmeta_registry_capture' AND tgenabled = 'A'),
          1, 'a tags table that appears later gets its capture trigger with the dataset_type row');

-- a dataset of a type obsmeta does not follow (postISRCCD is not in dataset_type_config): its
-- dataset, tags and datastore rows are dropped by the capture at once, not checked or translated,
-- so not even a value obsmeta could not decode (an ingest_date ERFA cannot convert) stops its writer
SELECT lives_ok($$INSERT INTO hsc_repo.dataset (id, dataset_type_id, ingest_date, run_id)
                  VALUES ('00000000-0000-4000-8000-0000000000a1', 4, -1000000000000000000, 1);
                  INSERT INTO hsc_repo.dataset_tags_00000004 (dataset_type_id, dataset_id, collection_id, instrument, detector, exposure)
                  VALUES (4, '00000000-0000-4000-8000-0000000000a1', 1, 'HSC', 10, 903334);
                  INSERT INTO hsc_repo.file_datastore_records (dataset_id, path, formatter, storage_class, component, checksum, file_size)
                  VALUES ('00000000-0000-4000-8000-0000000000a1', 'postISRCCD/a1.fits', 'f', 'Exposure', '__NULL_STRING__', NULL, 1)$$,
                'a dataset of a type obsmeta does not follow, with its tags and file rows, is not decoded');
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT results_eq($$SELECT (SELECT count(*) FROM gen3.dataset WHERE id = '00000000-0000-4000-8000-0000000000a1'),
                           (SELECT count(*) FROM gen3.file_datastore_record WHERE dataset_id = '00000000-0000-4000-8000-0000000000a1'),
                           (SELECT count(*) FROM ivoa.obscore)$$,
                  $$VALUES (0::bigint, 0::bigint, 67::bigint)$$, 'it reaches neither gen3 nor ObsCore');
SELECT throws_like($$UPDATE hsc_repo.dataset SET ingest_date = -1000000000000000000 WHERE id = '57e68524-8eff-5787-ad73-9fc0c35fbe41'$$,
                   '%-1000000000000000000 ns (1938-04-24T22:13:20.000000000 TAI) cannot be converted to UTC%',
                   'the same ingest_date on a followed dataset is refused (22008)');
DELETE FROM hsc_repo.file_datastore_records WHERE dataset_id = '00000000-0000-4000-8000-0000000000a1';
DELETE FROM hsc_repo.dataset_tags_00000004 WHERE dataset_id = '00000000-0000-4000-8000-0000000000a1';
DELETE FROM hsc_repo.dataset WHERE id = '00000000-0000-4000-8000-0000000000a1';

-- collections: a CHAINED collection over the raws, then a TAGGED one inside it
UPDATE obsmeta.registry_config SET collections = ARRAY['HSC/defaults'] WHERE registry_schema = 'hsc_repo';
INSERT INTO hsc_repo.collection (collection_id, name, type) VALUES (10, 'HSC/defaults', 3), (11, 'HSC/tagged', 2);
INSERT INTO hsc_repo.collection_chain (parent, position, child) VALUES (10, 0, 1);
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT results_eq($$SELECT dataproduct_subtype, count(*)::int FROM ivoa.obscore GROUP BY 1$$,
                  $$VALUES ('lsst.raw'::text, 33)$$, 'a CHAINED collection of HSC/raw/all selects the raws only');
INSERT INTO hsc_repo.collection_summary_dataset_type VALUES (11, 1);
INSERT INTO hsc_repo.collection_summary_instrument VALUES (11, 'HSC');
INSERT INTO hsc_repo.dataset_tags_00000001 (dataset_type_id, dataset_id, collection_id, instrument, detector, visit)
SELECT dataset_type_id, dataset_id, 11, instrument, detector, visit FROM hsc_repo.dataset_tags_00000001
 WHERE collection_id = 2 AND visit = 903342;
INSERT INTO hsc_repo.collection_chain (parent, position, child) VALUES (10, 1, 11);
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT results_eq($$SELECT dataproduct_subtype, count(*)::int FROM ivoa.obscore GROUP BY 1 ORDER BY 1$$,
                  $$VALUES ('lsst.calexp'::text, 3), ('lsst.raw', 33)$$,
                  'a TAGGED collection added to the chain brings its calexps, with their RUN data IDs');
SELECT is((SELECT DISTINCT run FROM gen3.dataset WHERE dataset_type = '_mock_calexp'), 'HSC/runs/ci_hsc',
          'a tagged dataset keeps its RUN');
DELETE FROM hsc_repo.dataset_tags_00000001 WHERE collection_id = 11;
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT count(*)::int FROM ivoa.obscore WHERE dataproduct_subtype = 'lsst.calexp'), 0,
          'untagged: the calexps leave');

-- regular expressions (full match, as Butler collection queries)
UPDATE obsmeta.registry_config SET collections = ARRAY['HSC/runs/.*'] WHERE registry_schema = 'hsc_repo';
SELECT cmp_ok(obsmeta.registry_resync('hsc_repo'), '>', 0::bigint, 'resync after a selection change');
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT count(*)::int FROM ivoa.obscore), 34, 'HSC/runs/.* selects the 34 remaining ci_hsc datasets');
UPDATE obsmeta.registry_config SET collections = ARRAY['HSC/raw/all', 'HSC/runs/ci_hsc'] WHERE registry_schema = 'hsc_repo';
SELECT obsmeta.registry_resync('hsc_repo') >= 0 AS resynced \gset

-- butler remove-runs HSC/runs/ci_hsc: locations and file records, then the RUN (datasets and tags cascade)
DELETE FROM hsc_repo.dataset_location l USING hsc_repo.dataset d WHERE d.id = l.dataset_id AND d.run_id = 2;
DELETE FROM hsc_repo.file_datastore_records r USING hsc_repo.dataset d WHERE d.id = r.dataset_id AND d.run_id = 2;
DELETE FROM hsc_repo.collection WHERE collection_id = 2;
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT results_eq($$SELECT (SELECT count(*) FROM gen3.dataset WHERE run = 'HSC/runs/ci_hsc'),
                           (SELECT count(*) FROM ivoa.obscore), (SELECT count(*) FROM caom2.observation WHERE algorithm_name = 'coadd')$$,
                  $$VALUES (0::bigint, 33::bigint, 0::bigint)$$, 'remove-runs: the run''s datasets, their ObsCore rows and the coadd observations go');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore still equals its recomputation');

-- datasets manager 1.x: ingest_date is a TIMESTAMP (UTC)
ALTER TABLE hsc_repo.dataset ALTER COLUMN ingest_date TYPE timestamp USING to_timestamp(ingest_date / 1e9) AT TIME ZONE 'UTC';
UPDATE hsc_repo.dataset SET ingest_date = '2020-01-02 03:04:05' WHERE id = '57e68524-8eff-5787-ad73-9fc0c35fbe41';
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT is((SELECT ingest_date FROM gen3.dataset WHERE id = '57e68524-8eff-5787-ad73-9fc0c35fbe41'),
          '2020-01-02 03:04:05+00'::timestamptz, 'ingest_date as TIMESTAMP (datasets manager 1.x) is taken as UTC');

-- bad rows are refused by the statement that writes them, with the value and a hint
SELECT throws_like($$UPDATE hsc_repo.visit SET region = 'cQ==' WHERE id = 903334$$,
                   'invalid registry region in hsc_repo.visit.region of row HSC/903334: sphgeom region byte 0 is 0x71%',
                   'a malformed region (22P03)');
SELECT throws_ok($$UPDATE hsc_repo.visit SET region = 'not base64!' WHERE id = 903334$$, '22P03', NULL,
                 'region text that is not base64');
SAVEPOINT few_vertices;
SET LOCAL obsmeta.max_region_vertices = 3;
SELECT throws_ok($$UPDATE hsc_repo.visit SET region = region WHERE id = 903334$$, '54000',
                 'invalid registry region in hsc_repo.visit.region of row HSC/903334: sphgeom region has more than 3 vertices (obsmeta.max_region_vertices = 3)',
                 'a region over obsmeta.max_region_vertices (54000), as in gen3');
ROLLBACK TO SAVEPOINT few_vertices;
SELECT throws_like($$UPDATE hsc_repo.exposure SET timespan = int8range(-1000000000000000000, 0) WHERE id = 903334$$,
                   '%-1000000000000000000 ns (1938-04-24T22:13:20.000000000 TAI) cannot be converted to UTC%',
                   'a timespan before UTC existed (22008)');
SELECT throws_ok($$UPDATE hsc_repo.exposure SET obs_id = NULL WHERE id = 903334$$, '23502',
                 'registry exposure HSC/903334 has no obs_id', 'an exposure without obs_id');
SAVEPOINT unknown;
DELETE FROM obsmeta.instrument_config WHERE instrument = 'HSC';
SELECT throws_ok($$UPDATE hsc_repo.visit SET zenith_angle = 1 WHERE id = 903334$$, '23503',
                 'unknown instrument "HSC" in registry table hsc_repo.visit', 'an instrument obsmeta is not configured for');
ROLLBACK TO SAVEPOINT unknown;
SELECT lives_ok($$SELECT obsmeta.convert()$$, 'the transaction goes on after refused rows');

-- as a logical-replication apply worker writes (session_replication_role = replica): still followed
SET LOCAL session_replication_role = replica;
UPDATE hsc_repo.exposure SET target_name = 'replicated' WHERE id = 903336;
SELECT obsmeta.convert() >= 0 AS converted \gset
SET LOCAL session_replication_role = origin;
SELECT is((SELECT DISTINCT target_name FROM ivoa.obscore WHERE lsst_exposure = 903336), 'replicated',
          'rows written with session_replication_role = replica (as the apply worker) are followed');

-- detach: triggers gone, gen3 rows stay, later registry changes are not followed
SELECT is(obsmeta.detach_registry('hsc_repo'), 18, 'detach drops the 18 capture triggers (one on the new tags table)');
SELECT is((SELECT count(*)::int FROM gen3.dataset), 33, 'detach keeps the gen3 rows');
UPDATE hsc_repo.exposure SET target_name = 'after detach' WHERE id = 903336;
SELECT obsmeta.convert() >= 0 AS converted \gset
SELECT isnt((SELECT target_name FROM gen3.exposure WHERE id = 903336), 'after detach', 'a detached registry is not followed');
SELECT throws_ok($$SELECT obsmeta.detach_registry('hsc_repo')$$, '42704', 'registry schema "hsc_repo" is not attached',
                 'detach twice');
-- capture triggers without an attachment (e.g. its configuration row deleted) refuse to translate
CREATE TRIGGER obsmeta_registry_capture AFTER INSERT OR UPDATE OR DELETE ON hsc_repo.exposure
    FOR EACH ROW EXECUTE FUNCTION obsmeta.registry_capture('exposure');
UPDATE hsc_repo.exposure SET target_name = 'orphan' WHERE id = 903336;
SELECT throws_ok($$SELECT obsmeta.convert()$$, '55000', 'registry schema "hsc_repo" has obsmeta capture triggers but is not attached',
                 'rows captured for a schema that is not attached are refused, not translated with an empty selection');

SELECT * FROM finish();
ROLLBACK;
