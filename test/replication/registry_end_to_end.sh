#!/usr/bin/env bash
# A Butler registry replicated into obsmeta, end to end (doc/replication.md, "A Butler registry"):
# the publisher is restored from ../shared/anchors/rubin/registry, the subscriber holds obsmeta,
# the registry schema (schema only) and the subscription, and attaches the registry. The publisher
# then changes as a Butler would (a visit region updated, datasets pruned, a whole run removed, a
# new dataset type) and writes bad rows (a malformed base64 region, an out-of-range dec, an
# unknown instrument, a timespan ERFA cannot convert, a 100,000-vertex region, a dataset type
# whose datasets cannot be translated): each is quarantined with the registry table, its key and
# SQLSTATE, the subscription keeps streaming, the fixed rows (on the publisher, or after a
# configuration fix and obsmeta.retry_quarantined()) are translated, ObsCore and CAOM2 equal those
# of a reference database where the same final registry is attached without replication, and a
# subscriber restart, kill -9 of the apply worker mid-transaction and kill -9 of the subscriber's
# postmaster lose nothing.
# Needs: the extension installed, the subscriber cluster running (scripts/env.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
. scripts/env.sh
. scripts/publisher.sh
registry=../shared/anchors/rubin/registry
pubdb=obsmeta_pub_reg_e2e subdb=obsmeta_sub_reg_e2e refdb=obsmeta_ref_reg_e2e sub=obsmeta_sub_reg_e2e
failures=0 checks=0
is() {  # is GOT WANT DESCRIPTION
  checks=$((checks + 1))
  if [ "$1" = "$2" ]; then echo "ok $checks - $3"; else failures=$((failures + 1)); echo "not ok $checks - $3"; echo "#   got:  $1"; echo "#   want: $2"; return 1; fi
}
sub_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$subdb" -c "$1"; }
# The reference database lives in the subscriber's cluster, which the test crashes (kill -9): its
# commits must be durable there (the throwaway cluster runs with synchronous_commit = off, and a
# crash loses commits of the last moments, which the subscription re-sends but nobody re-sends the
# reference's).
ref_q() { PGOPTIONS='-c synchronous_commit=on' psql -X -q -At -v ON_ERROR_STOP=1 -d "$refdb" -c "$1"; }
pub_q() { pub_psql -At -d "$pubdb" -c "$1"; }
streaming() { sub_q "SELECT coalesce(bool_and(pid IS NOT NULL), false) FROM pg_stat_subscription WHERE subname = '$sub'"; }
obscore_digest() { psql -X -q -At -d "$1" -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(o::text, '|' ORDER BY o.obs_publisher_did), ''))
                                                 FROM ivoa.obscore o"; }
caom2_digest_sql="SELECT count(*) || ' ' || md5(coalesce(string_agg(obs_id || meta_checksum || coalesce(acc_meta_checksum, ''), ',' ORDER BY obs_id), ''))
                    FROM caom2.observation"
caom2_digest() { psql -X -q -At -d "$1" -c "$caom2_digest_sql"; }
caom2_rows() { psql -X -q -At -d "$1" -c "SELECT o.obs_id, o.meta_checksum, o.acc_meta_checksum, to_jsonb(o) - 'last_modified' - 'max_last_modified' - 'meta_checksum' - 'acc_meta_checksum'
                                              FROM caom2.observation o ORDER BY o.obs_id"; }
quarantined() { sub_q "SELECT coalesce(string_agg(relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate, '; ' ORDER BY relation::text, row_key::text), '')
                         FROM obsmeta.quarantine"; }
show_quarantine() { sub_q "SELECT relation, row_key, stage, sqlstate, attempts, left(message, 160) FROM obsmeta.quarantine ORDER BY 1, 2" | sed 's/^/#   /'; }
data_dir=${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}
subscriber_up() {  # until the subscriber accepts connections again (after a crash restart or start)
  local i
  for ((i = 0; i < 600; i++)); do psql -X -q -At -d "$subdb" -c "SELECT 1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "the subscriber did not come back" >&2; return 1
}
apply_worker() { sub_q "SELECT pid FROM pg_stat_subscription WHERE subname = '$sub' AND relid IS NULL"; }
# hold_visit_lock: a subscriber session holds a row lock on visit HSC/903338 (for 120 s), so that
# the apply worker blocks in the middle of a transaction that updates it; its pid in $holder
hold_visit_lock() {
  psql -X -q -d "$subdb" -c "BEGIN" -c "SELECT 1 FROM hsc_repo.visit WHERE instrument = 'HSC' AND id = 903338 FOR UPDATE" \
       -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
  holder=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(sub_q "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.relation = 'hsc_repo.visit'::regclass AND l.mode = 'RowShareLock' AND a.query LIKE '%pg_sleep%'")" = 1 ] && return 0
    sleep 0.1
  done
  return 1
}
# mid_transaction: until the apply worker has an open transaction (an xid) and waits for that lock
mid_transaction() {
  local i
  for ((i = 0; i < 600; i++)); do
    [ "$(sub_q "SELECT count(*) FROM pg_stat_activity WHERE pid = $(apply_worker) AND backend_xid IS NOT NULL AND wait_event_type = 'Lock'")" = 1 ] && return 0
    sleep 0.1
  done
  echo "the apply worker never waited for the lock mid-transaction" >&2; return 1
}

publisher_cluster start || exit 1
trap 'psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1; publisher_cluster stop' EXIT
psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1
pub_psql -d postgres -c "DROP DATABASE IF EXISTS $pubdb" -c "CREATE DATABASE $pubdb" || exit 1
pub_psql -d "$pubdb" -f "$registry/hsc_registry_schema.sql" -f "$registry/hsc_registry_data.sql" >/dev/null || exit 1
pub_psql -d "$pubdb" -c "CREATE PUBLICATION obsmeta_registry FOR TABLES IN SCHEMA hsc_repo" || exit 1

# the subscriber, as doc/replication.md tells a DBA
fresh_database "$subdb" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" -f test/registry/hsc_config.sql -f "$registry/hsc_registry_schema.sql" >/dev/null || exit 1
# quarantined rows are retried here by obsmeta.retry_quarantined() only (not by the apply worker's
# automatic retry), so that the test shows what that call does
psql -X -q -d "$subdb" -c "ALTER DATABASE $subdb SET obsmeta.quarantine_retry_interval = 86400" || exit 1
sub_q "SELECT count(*) FROM obsmeta.registry_follow_ddl('hsc_repo')" >/dev/null || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" \
  -c "CREATE SUBSCRIPTION $sub CONNECTION '$(pub_conninfo "$pubdb")' PUBLICATION obsmeta_registry" 2>/dev/null || exit 1
wait_for_sync "$subdb" "$sub" && wait_for_catchup "$pubdb" "$sub" || exit 1
sub_q "SELECT obsmeta.attach_registry('hsc_repo')" >/dev/null || exit 1
initial=$(sub_q "SELECT count(*) FROM ivoa.obscore")
is "$([ "$initial" -gt 0 ] && echo t)" t "attached after the initial sync: ObsCore rows ($initial)"

# what the Butler does on the publisher; the reference database gets the same final registry
changes="
UPDATE hsc_repo.visit v SET region = o.region FROM hsc_repo.visit o
 WHERE v.instrument = 'HSC' AND v.id = 903334 AND o.instrument = 'HSC' AND o.id = 903336;
CREATE TEMP TABLE pruned AS SELECT id FROM hsc_repo.dataset ORDER BY id LIMIT 2;
DELETE FROM hsc_repo.file_datastore_records WHERE dataset_id IN (SELECT id FROM pruned);
DELETE FROM hsc_repo.dataset_location WHERE dataset_id IN (SELECT id FROM pruned);
DELETE FROM hsc_repo.dataset WHERE id IN (SELECT id FROM pruned);"
pub_psql -d "$pubdb" -c "$changes" >/dev/null || exit 1
good=$(pub_q "SELECT region FROM hsc_repo.visit WHERE instrument = 'HSC' AND id = 903338")
pub_q "UPDATE hsc_repo.visit SET region = 'not*base64!' WHERE instrument = 'HSC' AND id = 903338" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(streaming)" t "a malformed registry region does not stop the subscription"
want='hsc_repo.visit {"id": 903338, "instrument": "HSC"} translate 22P03'
is "$(settled "$subdb" "SELECT relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate FROM obsmeta.quarantine" "$want")" \
   "$want" \
   "the bad row is quarantined: registry table, primary key, stage, SQLSTATE"
is "$(sub_q "SELECT region IS NOT NULL FROM gen3.visit WHERE instrument = 'HSC' AND id = 903338")" t \
   "gen3 keeps the visit's last good version"

echo "# the publisher fixes the row"
pub_q "UPDATE hsc_repo.visit SET region = '$good' WHERE instrument = 'HSC' AND id = 903338" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "$subdb" "SELECT count(*) FROM obsmeta.quarantine" 0)" 0 "the fixed row is translated and leaves the quarantine"
is "$(sub_q "SELECT count(*) FROM obsmeta.verify_obscore()")" 0 "CAOM2 and ObsCore agree (verify_obscore)"

echo "# a registry value gen3 refuses (dec out of range): its translation fails and is halved down to that row"
dec=$(pub_q "SELECT tracking_dec FROM hsc_repo.exposure WHERE instrument = 'HSC' AND id = 903334")
pub_psql -d "$pubdb" -c "UPDATE hsc_repo.exposure SET tracking_dec = 95 WHERE instrument = 'HSC' AND id = 903334;
                         UPDATE hsc_repo.visit SET zenith_angle = zenith_angle WHERE instrument = 'HSC' AND id = 903336;" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
want='hsc_repo.exposure {"id": 903334, "instrument": "HSC"} translate 22003'
is "$(settled "$subdb" "SELECT string_agg(relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate, '; ') FROM obsmeta.quarantine" "$want")" \
   "$want" "quarantined alone (not the transaction's other row) under the registry table and key"
is "$(sub_q "SELECT tracking_dec::text FROM gen3.exposure WHERE instrument = 'HSC' AND id = 903334")" "$dec" "gen3 keeps the last good dec"
is "$(streaming)" t "still streaming"
pub_q "UPDATE hsc_repo.exposure SET tracking_dec = $dec WHERE instrument = 'HSC' AND id = 903334" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "$subdb" "SELECT count(*) FROM obsmeta.quarantine" 0)" 0 "fixed on the publisher: translated, out of the quarantine"

echo "# butler remove-runs HSC/raw/all: the run's datastore records and locations, then the run's collection (cascading to its datasets and tags rows)"
raw_rows=$(sub_q "SELECT count(*) FROM ivoa.obscore WHERE dataproduct_subtype = 'lsst.raw'")
removerun="
BEGIN;
CREATE TEMP TABLE removed AS SELECT d.id FROM hsc_repo.dataset d JOIN hsc_repo.collection c ON c.collection_id = d.run_id
 WHERE c.name = 'HSC/raw/all';
DELETE FROM hsc_repo.file_datastore_records WHERE dataset_id IN (SELECT id FROM removed);
DELETE FROM hsc_repo.dataset_location WHERE dataset_id IN (SELECT id FROM removed);
DELETE FROM hsc_repo.collection WHERE name = 'HSC/raw/all';
COMMIT;"
pub_psql -d "$pubdb" -c "$removerun" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(pub_q "SELECT count(*) FROM hsc_repo.run r JOIN hsc_repo.collection c USING (collection_id) WHERE c.name = 'HSC/raw/all'")" 0 "(the publisher removed the run)"
is "$([ "$raw_rows" -gt 0 ] && sub_q "SELECT count(*) FROM gen3.dataset WHERE run = 'HSC/raw/all'")" 0 \
   "the removed run's $raw_rows raws left gen3"
is "$(settled "$subdb" "SELECT count(*) FROM ivoa.obscore WHERE dataproduct_subtype = 'lsst.raw'" 0)" 0 "and ObsCore"
is "$(sub_q "SELECT count(*) FROM obsmeta.verify_obscore()")" 0 "CAOM2 and ObsCore agree (verify_obscore)"
is "$(streaming)" t "still streaming"

echo "# an exposure of an instrument obsmeta is not configured for"
decam="
INSERT INTO hsc_repo.instrument (name, visit_max, visit_system, exposure_max, detector_max, class_name)
VALUES ('DECam', 6000000, 0, 6000000, 62, 'lsst.obs.decam.DarkEnergyCamera');
INSERT INTO hsc_repo.physical_filter (instrument, name, band) VALUES ('DECam', 'r DECam SDSS c0002 6415.0 1480.0', 'r');
INSERT INTO hsc_repo.day_obs (instrument, id, timespan) VALUES ('DECam', 20240101, '[1704067237000000000,1704153637000000000)');
INSERT INTO hsc_repo.\"group\" (instrument, name) VALUES ('DECam', '2024-01-01T12:00:00');
INSERT INTO hsc_repo.exposure (instrument, id, day_obs, \"group\", physical_filter, obs_id, exposure_time, dark_time,
    observation_type, observation_reason, seq_num, seq_start, seq_end, target_name, science_program, tracking_ra,
    tracking_dec, sky_angle, azimuth, zenith_angle, has_simulated, can_see_sky, timespan)
VALUES ('DECam', 2024010100001, 20240101, '2024-01-01T12:00:00', 'r DECam SDSS c0002 6415.0 1480.0', 'DECam_00000001', 30, 30,
    'science', 'science', 1, 1, 1, 'HD 1', 'BLOCK-1', 10.5, -30.2, 0, 120, 30, false, true,
    '[1704110437000000000,1704110467000000000)');"
decam_config="INSERT INTO obsmeta.instrument_config (instrument, collection, facility_name, telescope_name, embargo_period, artifact_uri_template)
VALUES ('DECam', 'obs-collection', 'CTIO', 'Blanco', interval '0', 'butler://hsc_repo/{path}');"
pub_psql -d "$pubdb" -c "$decam" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(streaming)" t "an unknown instrument does not stop the subscription"
want='hsc_repo.exposure {"id": 2024010100001, "instrument": "DECam"} translate 23503'
is "$(settled "$subdb" "SELECT string_agg(relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate, '; ') FROM obsmeta.quarantine" "$want")" \
   "$want" "the exposure is quarantined under the registry table and key (23503)"
is "$(sub_q "SELECT message LIKE '%unknown instrument \"DECam\"%' AND hint LIKE '%instrument_config%' FROM obsmeta.quarantine")" t \
   "with the instrument in its message and a hint"
show_quarantine
echo "# the DBA adds the instrument on the subscriber and retries"
sub_q "$decam_config" >/dev/null || exit 1
is "$(sub_q "SELECT obsmeta.retry_quarantined()")" 1 "retry_quarantined() after the configuration fix: the row left the list"
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine")" 0 "nothing quarantined"
is "$(sub_q "SELECT obs_id FROM gen3.exposure WHERE instrument = 'DECam'")" DECam_00000001 "the exposure is translated"

echo "# rows that depend on a quarantined row: a new exposure whose timespan ERFA cannot convert, and its raw, in one transaction"
late_exposure="INSERT INTO hsc_repo.\"group\" (instrument, name) VALUES ('HSC', '903400');
INSERT INTO hsc_repo.exposure SELECT instrument, 903400, day_obs, '903400', physical_filter, 'HSCA90340000', exposure_time, dark_time,
    observation_type, observation_reason, 903400, 903400, 903400, target_name, science_program, tracking_ra, tracking_dec, sky_angle,
    azimuth, zenith_angle, has_simulated, can_see_sky, timespan FROM hsc_repo.exposure WHERE instrument = 'HSC' AND id = 903334;"
late_raw="INSERT INTO hsc_repo.collection_summary_dataset_type (collection_id, dataset_type_id) VALUES (2, 3) ON CONFLICT DO NOTHING;
INSERT INTO hsc_repo.dataset (id, dataset_type_id, ingest_date, run_id) VALUES ('00000000-0000-4000-8000-0000000e0001', 3, 1796280413845531000, 2);
INSERT INTO hsc_repo.dataset_tags_00000003 VALUES (3, '00000000-0000-4000-8000-0000000e0001', 2, 'HSC', 0, 903400);
INSERT INTO hsc_repo.file_datastore_records (dataset_id, path, formatter, storage_class, component, checksum, file_size)
VALUES ('00000000-0000-4000-8000-0000000e0001', 'HSC/raw/all/raw/20130617/HSCA90340000-000.fits',
        'lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter', 'Exposure', '__NULL_STRING__', NULL, 18000000);"
late_timespan=$(pub_q "SELECT timespan FROM hsc_repo.exposure WHERE instrument = 'HSC' AND id = 903334")
pub_psql -d "$pubdb" -c "BEGIN" -c "$late_exposure" \
  -c "UPDATE hsc_repo.exposure SET timespan = '[-1000000000000000000,-999999970000000000)' WHERE instrument = 'HSC' AND id = 903400" \
  -c "$late_raw" -c "COMMIT" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(streaming)" t "still streaming"
want='hsc_repo.exposure {"id": 903400, "instrument": "HSC"} translate 22008'
is "$(settled "$subdb" "SELECT string_agg(relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate, '; ') FROM obsmeta.quarantine" "$want")" \
   "$want" "the exposure is quarantined, alone"
is "$(sub_q "SELECT waiting_for FROM obsmeta.pending WHERE mirror_table = 'gen3.dataset' AND mirror_key = '00000000-0000-4000-8000-0000000e0001'")" \
   "gen3.exposure HSC/903400" "its raw waits in obsmeta.pending for the exposure"
pub_q "UPDATE hsc_repo.exposure SET timespan = '$late_timespan' WHERE instrument = 'HSC' AND id = 903400" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "$subdb" "SELECT (SELECT count(*) FROM obsmeta.quarantine) + (SELECT count(*) FROM obsmeta.pending)" 0)" 0 \
   "fixed on the publisher: the exposure leaves the quarantine and its raw the pending rows"
is "$(sub_q "SELECT count(*) FROM ivoa.obscore WHERE obs_publisher_did LIKE '%00000000-0000-4000-8000-0000000e0001'")" 1 \
   "the raw that waited converted (its ObsCore row)"

echo "# one transaction: a timespan ERFA cannot convert, a 100,000-vertex visit region, and a good change"
timespan=$(pub_q "SELECT timespan FROM hsc_repo.exposure WHERE instrument = 'HSC' AND id = 903336")
region=$(pub_q "SELECT region FROM hsc_repo.visit WHERE instrument = 'HSC' AND id = 903334")
goodchange="UPDATE hsc_repo.exposure SET target_name = 'STRIPE82L-e2e' WHERE instrument = 'HSC' AND id = 903338;"
# a convex polygon of 100,000 vertices around the visit (lsst.sphgeom encoding: 'p', then unit
# vectors as little-endian doubles), as base64 text
perl -MMIME::Base64 -e '
  my $n = 100000; my ($ra, $dec) = (5.59, 0.0); my $bytes = "p";
  for my $i (0 .. $n - 1) { my $t = 6.283185307179586 * $i / $n;
    my ($lon, $lat) = ($ra + 0.003 * cos($t), $dec + 0.003 * sin($t));
    $bytes .= pack("d<3", cos($lat) * cos($lon), cos($lat) * sin($lon), sin($lat)); }
  print "BEGIN;\nUPDATE hsc_repo.exposure SET timespan = \x27[-1000000000000000000,-999999970000000000)\x27 WHERE instrument = \x27HSC\x27 AND id = 903336;\n",
        "UPDATE hsc_repo.visit SET region = \x27", encode_base64($bytes, ""), "\x27 WHERE instrument = \x27HSC\x27 AND id = 903334;\n"' \
  > "${TMPDIR:-/tmp}/obsmeta_registry_bad_$$.sql"
echo "$goodchange COMMIT;" >> "${TMPDIR:-/tmp}/obsmeta_registry_bad_$$.sql"
pub_psql -d "$pubdb" -f "${TMPDIR:-/tmp}/obsmeta_registry_bad_$$.sql" >/dev/null || exit 1
rm -f "${TMPDIR:-/tmp}/obsmeta_registry_bad_$$.sql"
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(streaming)" t "still streaming"
want='hsc_repo.exposure {"id": 903336, "instrument": "HSC"} translate 22008; hsc_repo.visit {"id": 903334, "instrument": "HSC"} translate 54000'
is "$(settled "$subdb" "SELECT string_agg(relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate, '; ' ORDER BY relation::text) FROM obsmeta.quarantine" "$want")" \
   "$want" "timespan out of range (22008) and 100,000 vertices (54000) quarantined under their registry rows"
is "$(sub_q "SELECT string_agg((message LIKE '%-1000000000000000000 ns%')::text || '/' || (message LIKE '%more than 10000 vertices%')::text, ' ' ORDER BY relation::text) FROM obsmeta.quarantine")" \
   "true/false false/true" "their messages name the offending value (the time; the vertex limit)"
show_quarantine
is "$(sub_q "SELECT target_name FROM gen3.exposure WHERE instrument = 'HSC' AND id = 903338")" STRIPE82L-e2e "the transaction's good change is translated"
pub_psql -d "$pubdb" -c "UPDATE hsc_repo.exposure SET timespan = '$timespan' WHERE instrument = 'HSC' AND id = 903336" \
                    -c "UPDATE hsc_repo.visit SET region = '$region' WHERE instrument = 'HSC' AND id = 903334" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "$subdb" "SELECT count(*) FROM obsmeta.quarantine" 0)" 0 "fixed on the publisher: translated, out of the quarantine"

echo "# a dataset type whose datasets cannot all be translated (one has an ingest date ERFA cannot convert)"
calexp=$(pub_q "SELECT d.id FROM hsc_repo.dataset d JOIN hsc_repo.dataset_type t ON t.id = d.dataset_type_id WHERE t.name = '_mock_calexp' ORDER BY d.id LIMIT 1")
calexp_type=$(pub_q "SELECT id FROM hsc_repo.dataset_type WHERE name = '_mock_calexp'")
ingest=$(pub_q "SELECT ingest_date FROM hsc_repo.dataset WHERE id = '$calexp'")
pub_q "UPDATE hsc_repo.dataset SET ingest_date = -9000000000000000000 WHERE id = '$calexp'" >/dev/null || exit 1
pub_q "UPDATE hsc_repo.dataset_type SET storage_class = storage_class WHERE id = $calexp_type" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
want="hsc_repo.dataset {\"id\": \"$calexp\"} translate 22008; hsc_repo.dataset_type {\"id\": $calexp_type} translate 22008"
is "$(settled "$subdb" "SELECT string_agg(relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate, '; ' ORDER BY relation::text) FROM obsmeta.quarantine" "$want")" \
   "$want" "the dataset and the dataset type row are quarantined, each under its primary key"
show_quarantine
pub_q "UPDATE hsc_repo.dataset SET ingest_date = $ingest WHERE id = '$calexp'" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "$subdb" "SELECT count(*) FROM obsmeta.quarantine WHERE relation = 'hsc_repo.dataset'::regclass" 0)" 0 "the dataset, fixed on the publisher, is translated"
is "$(sub_q "SELECT obsmeta.retry_quarantined()")" 1 "retry_quarantined() translates the dataset type row again"
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine")" 0 "nothing quarantined"

echo "# the Butler registers a dataset type with a new dimension group (a new tags table) and writes a dataset"
newtype="
BEGIN;
INSERT INTO hsc_repo.dimension_graph_key (id) VALUES (4);
INSERT INTO hsc_repo.dimension_graph_definition (dimension_graph_id, dimension_name) VALUES (4, 'instrument'), (4, 'physical_filter');
CREATE TABLE hsc_repo.dataset_tags_00000004 (
    dataset_type_id bigint NOT NULL, dataset_id uuid NOT NULL, collection_id bigint NOT NULL,
    instrument character varying(32) NOT NULL, physical_filter character varying(32) NOT NULL,
    PRIMARY KEY (dataset_id, collection_id));
INSERT INTO hsc_repo.dataset_type (id, name, storage_class, dimensions_key, tag_association_table)
VALUES (4, 'flat', 'ExposureF', 4, 'dataset_tags_00000004');
COMMIT;"
newrows="
INSERT INTO hsc_repo.dataset (id, dataset_type_id, ingest_date, run_id)
VALUES ('00000000-0000-4000-8000-00000000f1a7', 4, 1796280413845531000, 2);
INSERT INTO hsc_repo.dataset_tags_00000004 VALUES (4, '00000000-0000-4000-8000-00000000f1a7', 2, 'HSC', 'HSC-R');"
pub_psql -d "$pubdb" -c "$newtype" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "$subdb" "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('hsc_repo.dataset_tags_00000004')
                 AND tgname = 'obsmeta_registry_capture' AND tgenabled = 'A'" 1)" 1 \
   "the new tags table is created on the subscriber with the registry's capture trigger (ENABLE ALWAYS)"
sub_q "SELECT * FROM obsmeta.registry_refresh_statements('hsc_repo')" | psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" || exit 1
wait_for_sync "$subdb" "$sub" || exit 1
pub_psql -d "$pubdb" -c "$newrows" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "$subdb" "SELECT count(*) FROM hsc_repo.dataset_tags_00000004" 1)" 1 "its rows arrive after the refresh"
is "$(streaming)" t "still streaming"

# the reference: the same final registry attached directly
fresh_database "$refdb" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$refdb" -f test/registry/hsc_config.sql -c "$decam_config" \
  -f "$registry/hsc_registry_schema.sql" -f "$registry/hsc_registry_data.sql" -c "$changes" -c "$removerun" -c "$decam" -c "$late_exposure" -c "$late_raw" \
  -c "$goodchange" -c "$newtype" -c "$newrows" >/dev/null || exit 1
ref_q "SELECT obsmeta.attach_registry('hsc_repo')" >/dev/null || exit 1
is "$(obscore_digest "$subdb")" "$(obscore_digest "$refdb")" "ObsCore equals that of the same registry attached without replication"
is "$(caom2_digest "$subdb")" "$(caom2_digest "$refdb")" "and CAOM2 (observations' checksums)" ||
  diff <(caom2_rows "$refdb") <(caom2_rows "$subdb") | sed 's/^/#   /'

echo "# a subscriber restart loses nothing"
subscriber_restart || exit 1
pub_q "UPDATE hsc_repo.visit SET region = o.region FROM hsc_repo.visit o
        WHERE visit.instrument = 'HSC' AND visit.id = 903336 AND o.instrument = 'HSC' AND o.id = 903338" >/dev/null || exit 1
ref_q "UPDATE hsc_repo.visit SET region = o.region FROM hsc_repo.visit o
        WHERE visit.instrument = 'HSC' AND visit.id = 903336 AND o.instrument = 'HSC' AND o.id = 903338" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(streaming)" t "streaming after the restart"
ref_digest=$(obscore_digest "$refdb")
is "$(settled "$subdb" "SELECT count(*) || ' ' || md5(coalesce(string_agg(o::text, '|' ORDER BY o.obs_publisher_did), '')) FROM ivoa.obscore o" "$ref_digest")" \
   "$ref_digest" "and the change after the restart converged"
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine")" 0 "nothing quarantined at the end"

both() { pub_q "$1" >/dev/null && ref_q "$1" >/dev/null; }
converged() {  # converged WHAT: the subscriber equals the reference, nothing listed or waiting
  local ref_digest; ref_digest=$(obscore_digest "$refdb")
  is "$(settled "$subdb" "SELECT count(*) || ' ' || md5(coalesce(string_agg(o::text, '|' ORDER BY o.obs_publisher_did), '')) FROM ivoa.obscore o" "$ref_digest")" \
     "$ref_digest" "$1: ObsCore equals the reference's"
  # settled too: ObsCore shows no proposal_id, so its equality does not yet say the last change converted
  local ref_caom2; ref_caom2=$(caom2_digest "$refdb")
  is "$(settled "$subdb" "$caom2_digest_sql" "$ref_caom2")" "$ref_caom2" "$1: CAOM2 observations (checksums) equal the reference's" ||
    diff <(caom2_rows "$refdb") <(caom2_rows "$subdb") | sed 's/^/#   /'
  is "$(sub_q "SELECT count(*) FROM obsmeta.verify_obscore()")" 0 "$1: verify_obscore() is empty"
  is "$(sub_q "SELECT (SELECT count(*) FROM obsmeta.quarantine) + (SELECT count(*) FROM obsmeta.pending)")" 0 "$1: nothing quarantined or pending"
}

echo "# kill -9 of the apply worker in the middle of a transaction"
hold_visit_lock || { echo "could not lock the visit" >&2; exit 1; }
both "UPDATE hsc_repo.exposure SET science_program = 'o13015-k' WHERE instrument = 'HSC';
      UPDATE hsc_repo.visit SET science_program = 'o13015-k' WHERE instrument = 'HSC'" || exit 1
mid_transaction || exit 1
worker=$(apply_worker)
is "$(sub_q "SELECT science_program FROM hsc_repo.exposure WHERE instrument = 'HSC' AND id = 903338")" o13015 "(the transaction is not visible yet)"
kill -9 "$worker"
wait "$holder" 2>/dev/null
subscriber_up || exit 1
wait_for_catchup "$pubdb" "$sub" 120 || exit 1
is "$(streaming)" t "streaming again after the crash restart"
is "$(apply_worker | grep -c "^$worker\$")" 0 "(a new apply worker)"
converged "after kill -9 of the apply worker"

echo "# kill -9 of the subscriber's postmaster in the middle of a transaction"
hold_visit_lock || { echo "could not lock the visit" >&2; exit 1; }
both "UPDATE hsc_repo.exposure SET science_program = 'o13015-p' WHERE instrument = 'HSC';
      UPDATE hsc_repo.visit SET science_program = 'o13015-p' WHERE instrument = 'HSC'" || exit 1
mid_transaction || exit 1
postmaster=$(head -1 "$data_dir/postmaster.pid")
kill -9 "$postmaster"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
# start it again (pg_ctl status may still see the dying postmaster, and a start fails while its
# backends hold the shared memory: try until it answers)
for ((i = 0; i < 120; i++)); do
  psql -X -q -At -d "$subdb" -c "SELECT 1" >/dev/null 2>&1 && break
  scripts/cluster.sh start >/dev/null 2>&1; sleep 1
done
subscriber_up || exit 1
wait_for_catchup "$pubdb" "$sub" 120 || exit 1
is "$(streaming)" t "streaming again after the postmaster was killed and started"
converged "after kill -9 of the postmaster"

echo "1..$checks"
[ "$failures" = 0 ] || { echo "# $failures of $checks checks failed"; exit 1; }
