-- Dataset types with publish = false are mirrored and ignored; deep_coadd datasets make a
-- DerivedObservation per (tract, patch, band) in collection LSST, removed with its last dataset.
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
\ir fixtures/lsstcam_visit.psql

SELECT plan(20);

-- publish = false
INSERT INTO obsmeta.dataset_type_config (dataset_type, publish) VALUES ('post_isr_image', false);
SELECT lives_ok($$INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
                  VALUES ('e0000000-0000-4000-8000-000000000010', 'post_isr_image', 'run', 'LSSTCam', 2025120100123, 10)$$,
                'a dataset of an unpublished type is accepted (same transaction as its config row)');
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size) VALUES ('e0000000-0000-4000-8000-000000000010', 'isr/10.fits', 5);
SELECT ok(EXISTS (SELECT 1 FROM gen3.dataset WHERE id = 'e0000000-0000-4000-8000-000000000010'), 'it is mirrored');
SELECT is_empty($$SELECT 1 FROM obsmeta.dataset_plane WHERE dataset_id = 'e0000000-0000-4000-8000-000000000010'$$, 'not mapped to a plane');
SELECT is_empty($$SELECT 1 FROM caom2.artifact WHERE lsst_dataset_id = 'e0000000-0000-4000-8000-000000000010'$$, 'no artifact');
SELECT is((SELECT count(*)::int FROM caom2.plane WHERE obs_id = obsmeta.exposure_obs_id('LSSTCam', 2025120100123)), 1,
          'the exposure still has only its raw plane');
SELECT is_empty('SELECT * FROM obsmeta.pending', 'an unpublished dataset (and its record) is not pending');

-- deep_coadd
INSERT INTO gen3.dataset (id, dataset_type, run, skymap, tract, patch, band)
VALUES ('f0000000-0000-4000-8000-000000009813', 'deep_coadd', 'LSSTCam/runs/DRP/DP1', 'lsst_cells_v1', 9813, 42, 'r');
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size)
VALUES ('f0000000-0000-4000-8000-000000009813', 'LSSTCam/runs/DRP/DP1/deep_coadd/9813/42/r/deep_coadd_9813_42_r.fits', 777);
SELECT results_eq(
  $$SELECT obs_id, obs_type, collection, observation_id, algorithm_name FROM caom2.observation WHERE collection = 'LSST'$$,
  $$SELECT obsmeta.coadd_obs_id('lsst_cells_v1', 9813, 42, 'r'), 'DerivedObservation'::text, 'LSST'::text, '9813_42_r'::text, 'coadd'::text$$,
  'deep_coadd: DerivedObservation LSST/9813_42_r');
SELECT results_eq(
  $$SELECT plane_id, product_id, calibration_level FROM caom2.plane WHERE obs_id = obsmeta.coadd_obs_id('lsst_cells_v1', 9813, 42, 'r')$$,
  $$SELECT obsmeta.plane_id(obsmeta.coadd_obs_id('lsst_cells_v1', 9813, 42, 'r'), 'deep_coadd'), 'deep_coadd'::text, 3$$,
  'deep_coadd plane, calibration level 3');
SELECT results_eq(
  $$SELECT energy_bounds_lower, energy_bounds_upper FROM caom2.plane WHERE obs_id = obsmeta.coadd_obs_id('lsst_cells_v1', 9813, 42, 'r')$$,
  $$SELECT em_min_m, em_max_m FROM obsmeta.band_wavelength WHERE band = 'r'$$,
  'deep_coadd energy bounds from its band');
SELECT is((SELECT uri FROM caom2.artifact WHERE lsst_dataset_id = 'f0000000-0000-4000-8000-000000009813'),
          'butler://f0000000-0000-4000-8000-000000009813',
          'deep_coadd (no instrument, so no instrument template) artifact uses the default butler://{dataset_id}');
SELECT is((SELECT meta_release FROM caom2.observation WHERE collection = 'LSST'), NULL::timestamptz,
          'a coadd has no release date until its Data Release');

-- an incomplete coadd data ID could never convert: it is rejected, naming the missing column
SELECT throws_ok($$INSERT INTO gen3.dataset (id, dataset_type, run, skymap, tract, band)
                   VALUES ('f0000000-0000-4000-8000-000000000001', 'deep_coadd', 'run', 'lsst_cells_v1', 9813, 'g')$$,
                 '23502', 'dataset of type "deep_coadd" has no patch in its data ID',
                 'deep_coadd without a patch is rejected (it could never become a plane)');
SELECT is((SELECT count(*)::int FROM caom2.observation WHERE collection = 'LSST'), 1, 'and makes no observation');

-- a second band of the same patch is a different observation
INSERT INTO gen3.dataset (id, dataset_type, run, skymap, tract, patch, band)
VALUES ('f0000000-0000-4000-8000-000000009814', 'deep_coadd', 'run', 'lsst_cells_v1', 9813, 42, 'i');
SELECT set_eq($$SELECT observation_id FROM caom2.observation WHERE collection = 'LSST'$$, ARRAY['9813_42_r', '9813_42_i'],
              'one coadd observation per (tract, patch, band)');

-- deleting the dataset removes plane and observation, with a tombstone
DELETE FROM gen3.dataset WHERE id = 'f0000000-0000-4000-8000-000000009813';
SELECT is_empty($$SELECT 1 FROM caom2.observation WHERE obs_id = obsmeta.coadd_obs_id('lsst_cells_v1', 9813, 42, 'r')
                  UNION ALL SELECT 1 FROM caom2.plane WHERE obs_id = obsmeta.coadd_obs_id('lsst_cells_v1', 9813, 42, 'r')$$,
                'deleted deep_coadd dataset: its plane and observation are gone');
SELECT ok(EXISTS (SELECT 1 FROM caom2.deleted_observation WHERE id = obsmeta.coadd_obs_id('lsst_cells_v1', 9813, 42, 'r')
                     AND collection = 'LSST' AND observation_id = '9813_42_r'),
          'deleted deep_coadd: tombstone');
SELECT ok(EXISTS (SELECT 1 FROM caom2.observation WHERE observation_id = '9813_42_i'), 'the other band''s coadd is untouched');

SELECT is_empty('SELECT * FROM obsmeta.verify_caom2()', 'no orphaned CAOM2 rows (obsmeta.verify_caom2)');
SELECT is_empty('SELECT * FROM obsmeta.verify_obscore()', 'ivoa.obscore equals its recomputation from CAOM2');
SELECT is_empty('SELECT o.obs_id, v.* FROM caom2.observation o CROSS JOIN LATERAL caom2.verify_checksums(o.obs_id) v',
                'every stored CAOM-2.4 checksum equals its recomputation');
SELECT * FROM finish();
ROLLBACK;
