-- CAOM-2.4 interoperability: the checksum oracle through the database, checksum maintenance on
-- every change, XML export/import, bad input, the harvest feed and its embargo.
-- Reads the oracle ../shared/anchors/caom2/sample-derived-caom24.xml (relative to the repository root,
-- the runner's working directory; or $OBSMETA_SHARED_DIR/anchors/caom2/).
BEGIN;
SELECT plan(39);

\set obs '''2e9bfa08-630d-4df9-94dd-e139f7ee1a39'''
\set oracle `cat "${OBSMETA_SHARED_DIR:-../shared}/anchors/caom2/sample-derived-caom24.xml"`

-- 1. The oracle: every checksum in the document recomputes, in C++ and after storing it.
SELECT is((SELECT count(*)::int FROM caom2.check_observation_xml(:'oracle')), 0,
          'every checksum of the oracle document recomputes (31 meta + 31 acc)');
SELECT is(caom2.import_observation_xml(:'oracle'), :obs::uuid, 'the oracle imports');
SELECT is((SELECT meta_checksum || ' ' || acc_meta_checksum FROM caom2.observation WHERE obs_id = :obs),
          'md5:5a502c87acd929a940d995ff10f77c72 md5:b867568f4c08afe0717ab818486d82b0',
          'stored observation checksums equal the oracle''s');
CREATE TEMP TABLE oracle_sums AS
  SELECT x.id::uuid AS id, x.meta, x.acc
    FROM xmltable(xmlnamespaces('http://www.opencadc.org/caom2/xml/v2.4' AS c),
                  '//*[@c:id]' PASSING xmlparse(document :'oracle')
                  COLUMNS id text PATH '@c:id', meta text PATH '@c:metaChecksum', acc text PATH '@c:accMetaChecksum') x;
SELECT is((SELECT count(*)::int FROM oracle_sums), 31, 'the oracle has 31 entities');
CREATE TEMP VIEW stored_sums AS
  SELECT obs_id AS id, meta_checksum AS meta, acc_meta_checksum AS acc FROM caom2.observation
  UNION ALL SELECT plane_id, meta_checksum, acc_meta_checksum FROM caom2.plane
  UNION ALL SELECT artifact_id, meta_checksum, acc_meta_checksum FROM caom2.artifact
  UNION ALL SELECT part_id, meta_checksum, acc_meta_checksum FROM caom2.part
  UNION ALL SELECT chunk_id, meta_checksum, acc_meta_checksum FROM caom2.chunk;
SELECT set_eq('SELECT id, meta, acc FROM stored_sums WHERE id IN (SELECT id FROM oracle_sums)',
              'SELECT id, meta, acc FROM oracle_sums',
              'every stored meta and acc checksum (observation, 2 planes, 4 artifacts, 8 parts, 16 chunks) equals the oracle''s');
SELECT is_empty($$SELECT * FROM caom2.verify_checksums('2e9bfa08-630d-4df9-94dd-e139f7ee1a39')$$,
                'recomputation from the stored rows matches');

-- 2. Export after import: same content and checksums; the document reads back clean.
SELECT is((SELECT count(*)::int FROM caom2.check_observation_xml(caom2.observation_xml('TEST', 'observationID')::text)), 0,
          'the exported document''s checksums recompute');
SELECT set_eq($$SELECT x.id::uuid, x.meta, x.acc FROM xmltable(xmlnamespaces('http://www.opencadc.org/caom2/xml/v2.4' AS c),
                  '//*[@c:id]' PASSING caom2.observation_xml('TEST', 'observationID')
                  COLUMNS id text PATH '@c:id', meta text PATH '@c:metaChecksum', acc text PATH '@c:accMetaChecksum') x$$,
              'SELECT id, meta, acc FROM oracle_sums', 'export after import carries the oracle''s checksums');
SELECT is((xpath('count(//c:chunk)', caom2.observation_xml('TEST', 'observationID'),
                 ARRAY[ARRAY['c', 'http://www.opencadc.org/caom2/xml/v2.4']]))[1]::text, '16', 'export has the 16 chunks');
SELECT is((xpath('/c:Observation/c:members/c:observationURI/text()', caom2.observation_xml(:obs::uuid),
                 ARRAY[ARRAY['c', 'http://www.opencadc.org/caom2/xml/v2.4']]))::text[], ARRAY['caom:foo/bar', 'caom:foo/baz'],
          'members are exported');

-- 3. Maintenance: a change anywhere changes exactly the checksums above it, and they stay right.
CREATE TEMP TABLE before AS SELECT * FROM stored_sums;
UPDATE caom2.chunk SET position_resolution = 0.75 WHERE chunk_id = '10f443a1-4d2a-4db2-8f9b-263697fa9d6d';
SELECT is((SELECT count(*)::int FROM stored_sums s JOIN before b USING (id) WHERE s.meta IS DISTINCT FROM b.meta), 1,
          'one chunk value: one metaChecksum changes');
SELECT is((SELECT count(*)::int FROM stored_sums s JOIN before b USING (id) WHERE s.acc IS DISTINCT FROM b.acc), 5,
          '... and the acc of the chunk, its part, artifact, plane and observation');
SELECT is_empty($$SELECT * FROM caom2.verify_checksums('2e9bfa08-630d-4df9-94dd-e139f7ee1a39')$$, 'and all still recompute');
UPDATE caom2.chunk SET position_resolution = 0.5 WHERE chunk_id = '10f443a1-4d2a-4db2-8f9b-263697fa9d6d';
SELECT set_eq('SELECT id, meta, acc FROM stored_sums WHERE id IN (SELECT id FROM oracle_sums)', 'SELECT id, meta, acc FROM oracle_sums',
              'changing it back restores every oracle checksum');
DELETE FROM caom2.observation_member WHERE composite_id = :obs AND member_uri = 'caom:foo/baz';
SELECT isnt((SELECT meta_checksum FROM caom2.observation WHERE obs_id = :obs), 'md5:5a502c87acd929a940d995ff10f77c72',
            'removing a member changes the observation''s metaChecksum');
INSERT INTO caom2.observation_member VALUES (:obs, 'caom:foo/baz');
SELECT is((SELECT acc_meta_checksum FROM caom2.observation WHERE obs_id = :obs), 'md5:b867568f4c08afe0717ab818486d82b0',
          'adding it back restores the observation acc');
DELETE FROM caom2.provenance_input WHERE input_uri = 'caom:foo/bar/plane2' AND plane_id = '594de53e-1fe5-40bb-a940-d993f351d3f7';
SELECT is_empty($$SELECT * FROM caom2.verify_checksums('2e9bfa08-630d-4df9-94dd-e139f7ee1a39')$$, 'provenance inputs are maintained');
INSERT INTO caom2.provenance_input VALUES ('594de53e-1fe5-40bb-a940-d993f351d3f7', 'caom:foo/bar/plane2');
DELETE FROM caom2.part WHERE part_id = '033d7f7b-4876-46bc-ab5e-99215bec6252';
SELECT is_empty($$SELECT * FROM caom2.verify_checksums('2e9bfa08-630d-4df9-94dd-e139f7ee1a39')$$,
                'deleting a part (and its chunks) re-accumulates its ancestors');
UPDATE caom2.artifact SET acc_meta_checksum = 'md5:00000000000000000000000000000000'
 WHERE artifact_id = '57c7e76a-ab4d-47e3-b510-68b47d008789';
SELECT is_empty($$SELECT * FROM caom2.verify_checksums('2e9bfa08-630d-4df9-94dd-e139f7ee1a39')$$,
                'a direct write of a derived acc is ignored');

-- 4. Bad input: clear errors, nothing written.
SELECT throws_ok($$SELECT caom2.import_observation_xml('<caom2:Observation')$$, '2200M', NULL, 'malformed XML: 2200M');
SELECT throws_ok(format('SELECT caom2.import_observation_xml(%L)', replace(:'oracle', 'caom2/xml/v2.4', 'caom2/xml/v2.3')), '2200M',
                 'unknown namespace ''http://www.opencadc.org/caom2/xml/v2.3'' of <Observation>: expected http://www.opencadc.org/caom2/xml/v2.4',
                 'unknown namespace: 2200M with the namespace named');
SELECT throws_ok(format('SELECT caom2.import_observation_xml(%L)', replace(:'oracle', '<caom2:sequenceNumber>123', '<caom2:sequenceNumber>x')),
                 '2200N', NULL, 'schema-invalid value: 2200N');
SELECT throws_ok(format('SELECT caom2.import_observation_xml(%L)', replace(:'oracle', '<caom2:algorithm>', '<caom2:bogus/><caom2:algorithm>')),
                 '2200N', NULL, 'unexpected element: 2200N');
\set tampered `sed 's|<caom2:seeing>0.08</caom2:seeing>|<caom2:seeing>0.09</caom2:seeing>|' "${OBSMETA_SHARED_DIR:-../shared}/anchors/caom2/sample-derived-caom24.xml"`
SELECT acc_meta_checksum AS acc_before FROM caom2.observation WHERE obs_id = :obs \gset
SELECT throws_ok(format('SELECT caom2.import_observation_xml(%L, replace => true)', :'tampered'), 'XX001',
                 '2 checksum(s) of the CAOM-2.4 document do not match its content', 'a checksum mismatch is rejected by default');
SELECT is((SELECT acc_meta_checksum FROM caom2.observation WHERE obs_id = :obs), :'acc_before',
          'nothing of it was written');
SELECT is((SELECT count(*)::int FROM caom2.check_observation_xml(:'tampered')), 2,
          'check_observation_xml reports it (meta and acc of the observation)');
SET client_min_messages = error;
SELECT lives_ok(format('SELECT caom2.import_observation_xml(%L, on_mismatch => ''report'', replace => true)', :'tampered'),
                'with on_mismatch => report it is imported (with a WARNING)');
RESET client_min_messages;
SELECT is_empty($$SELECT * FROM caom2.verify_checksums('2e9bfa08-630d-4df9-94dd-e139f7ee1a39')$$,
                '... storing recomputed checksums');
SELECT throws_ok(format('SELECT caom2.import_observation_xml(%L)', :'oracle'), '23505', NULL,
                 'importing an existing observation needs replace');
SELECT lives_ok(format('SELECT caom2.import_observation_xml(%L, replace => true)', :'oracle'), 'replace restores the oracle');

-- 5. The harvest feed: paging and embargo.
SELECT is(caom2.import_observation_xml(
  '<c:Observation xmlns:c="http://www.opencadc.org/caom2/xml/v2.4" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
  ' xsi:type="c:SimpleObservation" c:id="aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"><c:collection>TEST</c:collection>'
  '<c:observationID>second</c:observationID><c:algorithm><c:name>exposure</c:name></c:algorithm></c:Observation>'),
  'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'a minimal SimpleObservation (no checksums, no release date) imports');
UPDATE caom2.observation SET max_last_modified = '2030-01-01' WHERE collection = 'TEST';
SELECT results_eq($$SELECT obs_id FROM caom2.observations_changed_since('2030-01-01', 10)$$,
                  ARRAY['2e9bfa08-630d-4df9-94dd-e139f7ee1a39'::uuid, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'],
                  'staff see both, in (max_last_modified, obs_id) order');
SELECT results_eq($$SELECT obs_id FROM caom2.observations_changed_since('2030-01-01', 1, '2e9bfa08-630d-4df9-94dd-e139f7ee1a39')$$,
                  ARRAY['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid], 'the next page starts after the last key');
SELECT is((SELECT acc_meta_checksum FROM caom2.observations_changed_since('2030-01-01', 1)),
          'md5:b867568f4c08afe0717ab818486d82b0', 'the feed carries accMetaChecksum');
SET LOCAL ROLE obsmeta_reader;
SELECT results_eq($$SELECT obs_id FROM caom2.observations_changed_since('2030-01-01', 10)$$,
                  ARRAY['2e9bfa08-630d-4df9-94dd-e139f7ee1a39'::uuid], 'a reader sees only the released observation');
SELECT throws_ok($$SELECT caom2.observation_xml('TEST', 'second')$$, 'P0002', 'observation caom:TEST/second not found',
                 'an unreleased observation''s document is not found for a reader');
RESET ROLE;
DELETE FROM caom2.observation WHERE collection = 'TEST';
INSERT INTO caom2.deleted_observation (id, collection, observation_id, last_modified)
VALUES (:obs, 'TEST', 'observationID', '2030-01-02'), ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'TEST', 'second', '2030-01-02');
SELECT is((SELECT meta_checksum FROM caom2.deleted_observations_since('2030-01-02', 1)),
          'md5:5a502c87acd929a940d995ff10f77c72', 'a tombstone carries the metaChecksum the observation had');
SELECT is((SELECT count(*)::int FROM caom2.deleted_observations_since('2030-01-02', 10)), 2, 'staff see both tombstones');
SET LOCAL ROLE obsmeta_reader;
SELECT results_eq($$SELECT id FROM caom2.deleted_observations_since('2030-01-02', 10)$$,
                  ARRAY['2e9bfa08-630d-4df9-94dd-e139f7ee1a39'::uuid],
                  'a reader sees the tombstone of the released observation only');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
