-- DataLink 1.1 links of ivoa.obscore datasets (obsmeta.datalink(id), obsmeta.datalink_links):
-- #this with the configured HTTP URL and the file's type and length, #progenitor/#derivation
-- between a visit_image and its raw, #auxiliary EFD values, the #cutout service descriptor;
-- DataLink mode of ObsCore's access_url; row-level security through the function and the view
-- (an embargoed dataset or related product yields nothing to a reader); bad input.
BEGIN;
SELECT plan(27);
SET LOCAL obsmeta.conversion = 'statement';
CREATE ROLE oc_dl_reader LOGIN IN ROLE obsmeta_reader;
CREATE ROLE oc_dl_staff LOGIN IN ROLE obsmeta_staff;

SELECT has_function('obsmeta', 'datalink', ARRAY['text'], 'obsmeta.datalink(id) exists');
SELECT has_view('obsmeta', 'datalink_links', 'obsmeta.datalink_links exists');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'obsmeta.datalink_links'::regclass), ARRAY['security_invoker=true'],
          'the view runs as its caller (row-level security applies)');

UPDATE obsmeta.obscore_config SET direct_url_template = 'https://files.example.org/{path}';
UPDATE obsmeta.datalink_config SET cutout_url = 'https://cutout.example.org/sync',
       efd_url_template = 'https://efd.example.org/{kind}/{instrument}/{id}';
\ir fixtures/lsstcam_visit.psql
CREATE TEMP TABLE dl_ids ON COMMIT DROP AS
SELECT (SELECT obs_publisher_did FROM ivoa.obscore WHERE calib_level = 1 AND lsst_detector = 10) AS raw10,
       (SELECT obs_publisher_did FROM ivoa.obscore WHERE calib_level = 1 AND lsst_detector = 11) AS raw11,
       (SELECT obs_publisher_did FROM ivoa.obscore WHERE calib_level = 2 AND lsst_detector = 10) AS vi10;
GRANT SELECT ON dl_ids TO PUBLIC;

-- #this -----------------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT l.id, l.access_url, l.content_type, l.content_length, l.service_def, l.error_message
      FROM dl_ids, obsmeta.datalink(dl_ids.raw11) l WHERE l.semantics = '#this'$$,
  $$SELECT d.raw11, 'https://files.example.org/LSSTCam/raw/all/raw/20251201/MC_O_20251201_000123/raw_MC_O_20251201_000123_R02_S02.fits',
           a.content_type, a.content_length, NULL::text, NULL::text
      FROM dl_ids d, caom2.artifact a JOIN ivoa.obscore o ON o.caom_artifact_id = a.artifact_id WHERE o.obs_publisher_did = d.raw11$$,
  '#this: the file from the HTTP template, with the artifact''s content type and length');
SELECT is((SELECT count(DISTINCT l.id)::int FROM dl_ids, obsmeta.datalink(dl_ids.raw10) l), 1, 'every row carries the requested ID');

-- #progenitor / #derivation between the visit_image and its raw (same detector) -----------------
SELECT results_eq(
  $$SELECT l.semantics, l.access_url FROM dl_ids, obsmeta.datalink(dl_ids.raw10) l WHERE l.semantics IN ('#progenitor', '#derivation')$$,
  $$SELECT '#derivation'::text, o.access_url FROM dl_ids, ivoa.obscore o WHERE o.obs_publisher_did = dl_ids.vi10$$,
  'raw detector 10: #derivation to the visit_image of detector 10');
SELECT results_eq(
  $$SELECT l.semantics, l.access_url FROM dl_ids, obsmeta.datalink(dl_ids.vi10) l WHERE l.semantics IN ('#progenitor', '#derivation')$$,
  $$SELECT '#progenitor'::text, o.access_url FROM dl_ids, ivoa.obscore o WHERE o.obs_publisher_did = dl_ids.raw10$$,
  'visit_image detector 10: #progenitor to the raw of detector 10 (not the raw of detector 11)');
SELECT is_empty($$SELECT 1 FROM dl_ids, obsmeta.datalink(dl_ids.raw11) l WHERE l.semantics IN ('#progenitor', '#derivation')$$,
                'raw detector 11 has no visit_image: no #derivation');

-- #cutout service descriptor --------------------------------------------------------------------
SELECT results_eq(
  $$SELECT l.service_def, l.access_url, l.content_type FROM dl_ids, obsmeta.datalink(dl_ids.raw10) l WHERE l.semantics = '#cutout'$$,
  $$VALUES ('cutout'::text, NULL::text, 'application/fits'::text)$$,
  '#cutout: a service descriptor row (service_def, no access_url)');
SELECT results_eq(
  $$SELECT DISTINCT service_def, access_url, standard_id FROM obsmeta.datalink_cutout_service()$$,
  $$VALUES ('cutout'::text, 'https://cutout.example.org/sync'::text, 'ivo://ivoa.net/std/SODA#sync-1.0'::text)$$,
  'the descriptor: the configured endpoint, SODA sync');
SELECT set_eq($$SELECT param_name FROM obsmeta.datalink_cutout_service()$$, ARRAY['ID', 'CIRCLE', 'POLYGON', 'POS'],
              'the descriptor''s input parameters');
-- the view a DataLink service reads (contrib/dachs: through postgres_fdw on the staff server)
SET LOCAL ROLE oc_dl_reader;
SELECT results_eq(
  $$SELECT service_def, access_url, standard_id, param_name, datatype, arraysize, xtype, unit, ucd, value_ref
      FROM obsmeta.datalink_descriptors ORDER BY param_name$$,
  $$SELECT * FROM obsmeta.datalink_cutout_service() ORDER BY param_name$$,
  'reader: obsmeta.datalink_descriptors is the descriptor, one row per input parameter');
RESET ROLE;
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'obsmeta.datalink_descriptors'::regclass), ARRAY['security_invoker=true'],
          'obsmeta.datalink_descriptors runs as its caller');

-- #auxiliary: reduced EFD values of the exposure, when there are any -----------------------------
INSERT INTO efd.exposure_values (instrument, exposure, obs_id, "values")
VALUES ('LSSTCam', 2025120100123, obsmeta.exposure_obs_id('LSSTCam', 2025120100123), '{}')
ON CONFLICT (instrument, exposure) DO UPDATE SET "values" = '{}';
SELECT is_empty($$SELECT 1 FROM dl_ids, obsmeta.datalink(dl_ids.raw10) l WHERE l.semantics = '#auxiliary'$$,
                'no #auxiliary link while the exposure has no EFD values');
UPDATE efd.exposure_values SET "values" = '{"airmass_mean": 1.2, "seeing_mean": 0.7}' WHERE exposure = 2025120100123;
SELECT results_eq(
  $$SELECT l.access_url, l.content_type, l.local_semantics FROM dl_ids, obsmeta.datalink(dl_ids.raw10) l WHERE l.semantics = '#auxiliary'$$,
  $$VALUES ('https://efd.example.org/exposure/LSSTCam/2025120100123'::text, 'application/json'::text, 'efd-exposure'::text)$$,
  '#auxiliary: the exposure''s reduced EFD values');

-- DataLink mode: ObsCore's access_url is the DataLink service; related products link to theirs ------
UPDATE obsmeta.obscore_config SET access_mode = 'datalink',
       datalink_url_template = 'https://dl.example.org/links?ID={obs_publisher_did_encoded}';
SELECT results_eq(
  $$SELECT o.access_url, o.access_format FROM dl_ids, ivoa.obscore o WHERE o.obs_publisher_did = dl_ids.raw10$$,
  $$SELECT 'https://dl.example.org/links?ID=' || obsmeta.url_encode(raw10), 'application/x-votable+xml;content=datalink'::text FROM dl_ids$$,
  'DataLink mode: ObsCore access_url points at the DataLink service');
SELECT results_eq(
  $$SELECT l.access_url, l.content_type FROM dl_ids, obsmeta.datalink(dl_ids.raw10) l WHERE l.semantics = '#derivation'$$,
  $$SELECT 'https://dl.example.org/links?ID=' || obsmeta.url_encode(vi10), 'application/x-votable+xml;content=datalink'::text FROM dl_ids$$,
  'DataLink mode: a related product links to its own DataLink document');
SELECT ok((SELECT l.access_url LIKE 'https://files.example.org/%' FROM dl_ids, obsmeta.datalink(dl_ids.raw10) l WHERE l.semantics = '#this'),
          'DataLink mode: #this is still the file');

-- row-level security ---------------------------------------------------------------------------
SELECT obsmeta.hold(caom_obs_id, 'datalink test') FROM dl_ids, ivoa.obscore WHERE obs_publisher_did = dl_ids.vi10;
SET LOCAL ROLE oc_dl_reader;
SELECT is_empty($$SELECT * FROM dl_ids, obsmeta.datalink(dl_ids.vi10)$$, 'reader: a held dataset yields no link through the function');
SELECT is_empty($$SELECT * FROM dl_ids, obsmeta.datalink_links l WHERE l.id = dl_ids.vi10$$, '... nor through the view');
SELECT ok((SELECT count(*) > 0 AND count(*) FILTER (WHERE semantics = '#derivation') = 0 AND count(*) FILTER (WHERE semantics = '#auxiliary') = 1
             FROM dl_ids, obsmeta.datalink(dl_ids.raw10)),
          'reader: the raw''s links do not reveal its held visit_image');
RESET ROLE;
SET LOCAL ROLE oc_dl_staff;
SELECT ok((SELECT count(*) FILTER (WHERE semantics = '#this') = 1 FROM dl_ids, obsmeta.datalink(dl_ids.vi10))
          AND (SELECT count(*) FILTER (WHERE semantics = '#derivation') = 1 FROM dl_ids, obsmeta.datalink(dl_ids.raw10)),
          'staff: the held dataset and the link to it');
RESET ROLE;
SELECT obsmeta.hold(caom_obs_id, 'datalink test: the raw') FROM dl_ids, ivoa.obscore WHERE obs_publisher_did = dl_ids.raw10;
SET LOCAL ROLE oc_dl_reader;
SELECT is_empty($$SELECT * FROM dl_ids, obsmeta.datalink(dl_ids.raw10)$$, 'reader: a held raw yields nothing (nor its EFD link)');
RESET ROLE;

-- bad input ------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM obsmeta.datalink(NULL)$$, '22004', NULL, 'a NULL identifier: 22004 null_value_not_allowed');
SELECT throws_ok($$SELECT * FROM obsmeta.datalink(repeat('x', 1000000))$$, '22023', NULL, 'a 1 MB identifier: 22023, not a crash');
SELECT is_empty($$SELECT * FROM obsmeta.datalink('ivo://nowhere/?nothing')$$, 'an unknown identifier: no row');
SELECT throws_ok($$UPDATE obsmeta.datalink_config SET cutout_url = 'javascript:alert(1)'$$, '23514', NULL,
                 'a cutout endpoint that is not http(s): check_violation');

SELECT * FROM finish();
ROLLBACK;
