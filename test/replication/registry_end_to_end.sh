#!/usr/bin/env bash
# A Butler registry replicated into obsmeta, end to end (doc/replication.md, "A Butler registry"):
# the publisher is restored from ../shared/anchors/rubin/registry, the subscriber holds obsmeta,
# the registry schema (schema only) and the subscription, and attaches the registry. The publisher
# then changes as a Butler would (a visit region updated, datasets pruned) and writes one bad row
# (a malformed base64 region): the bad row is quarantined with the registry table, its key and
# SQLSTATE, the subscription keeps streaming, the fixed row is translated, ObsCore equals that of a
# reference database where the same final registry is attached without replication, and a
# subscriber restart loses nothing.
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
  if [ "$1" = "$2" ]; then echo "ok $checks - $3"; else failures=$((failures + 1)); echo "not ok $checks - $3"; echo "#   got:  $1"; echo "#   want: $2"; fi
}
sub_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$subdb" -c "$1"; }
ref_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$refdb" -c "$1"; }
pub_q() { pub_psql -At -d "$pubdb" -c "$1"; }
# settled QUERY WANT: the query's value once it equals WANT, or after 30 s (bounded wait: the
# publisher may see the subscriber's flush report just before the apply transaction is visible)
settled() {
  local got i
  for ((i = 0; i < 300; i++)); do got=$(sub_q "$1"); [ "$got" = "$2" ] && break; sleep 0.1; done
  echo "$got"
}
streaming() { sub_q "SELECT coalesce(bool_and(pid IS NOT NULL), false) FROM pg_stat_subscription WHERE subname = '$sub'"; }
obscore_digest() { psql -X -q -At -d "$1" -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(o::text, '|' ORDER BY o.obs_publisher_did), ''))
                                                 FROM ivoa.obscore o"; }

publisher_cluster start || exit 1
trap 'psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1; publisher_cluster stop' EXIT
psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1
pub_psql -d postgres -c "DROP DATABASE IF EXISTS $pubdb" -c "CREATE DATABASE $pubdb" || exit 1
pub_psql -d "$pubdb" -f "$registry/hsc_registry_schema.sql" -f "$registry/hsc_registry_data.sql" >/dev/null || exit 1
pub_psql -d "$pubdb" -c "CREATE PUBLICATION obsmeta_registry FOR TABLES IN SCHEMA hsc_repo" || exit 1

# the subscriber, as doc/replication.md tells a DBA
fresh_database "$subdb" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" -f test/registry/hsc_config.sql -f "$registry/hsc_registry_schema.sql" >/dev/null || exit 1
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
is "$(settled "SELECT relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate FROM obsmeta.quarantine" "$want")" \
   "$want" \
   "the bad row is quarantined: registry table, primary key, stage, SQLSTATE"
is "$(sub_q "SELECT region IS NOT NULL FROM gen3.visit WHERE instrument = 'HSC' AND id = 903338")" t \
   "gen3 keeps the visit's last good version"

echo "# the publisher fixes the row"
pub_q "UPDATE hsc_repo.visit SET region = '$good' WHERE instrument = 'HSC' AND id = 903338" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "SELECT count(*) FROM obsmeta.quarantine" 0)" 0 "the fixed row is translated and leaves the quarantine"
is "$(sub_q "SELECT count(*) FROM obsmeta.verify_obscore()")" 0 "CAOM2 and ObsCore agree (verify_obscore)"

echo "# a registry value gen3 refuses (dec out of range): its translation fails and is halved down to that row"
dec=$(pub_q "SELECT tracking_dec FROM hsc_repo.exposure WHERE instrument = 'HSC' AND id = 903334")
pub_psql -d "$pubdb" -c "UPDATE hsc_repo.exposure SET tracking_dec = 95 WHERE instrument = 'HSC' AND id = 903334;
                         UPDATE hsc_repo.visit SET zenith_angle = zenith_angle WHERE instrument = 'HSC' AND id = 903336;" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
want='hsc_repo.exposure {"id": 903334, "instrument": "HSC"} translate 22003'
is "$(settled "SELECT string_agg(relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate, '; ') FROM obsmeta.quarantine" "$want")" \
   "$want" "quarantined alone (not the transaction's other row) under the registry table and key"
is "$(sub_q "SELECT tracking_dec::text FROM gen3.exposure WHERE instrument = 'HSC' AND id = 903334")" "$dec" "gen3 keeps the last good dec"
is "$(streaming)" t "still streaming"
pub_q "UPDATE hsc_repo.exposure SET tracking_dec = $dec WHERE instrument = 'HSC' AND id = 903334" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "SELECT count(*) FROM obsmeta.quarantine" 0)" 0 "fixed on the publisher: translated, out of the quarantine"

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
is "$(settled "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('hsc_repo.dataset_tags_00000004')
                 AND tgname = 'obsmeta_registry_capture' AND tgenabled = 'A'" 1)" 1 \
   "the new tags table is created on the subscriber with the registry's capture trigger (ENABLE ALWAYS)"
sub_q "SELECT * FROM obsmeta.registry_refresh_statements('hsc_repo')" | psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" || exit 1
wait_for_sync "$subdb" "$sub" || exit 1
pub_psql -d "$pubdb" -c "$newrows" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(settled "SELECT count(*) FROM hsc_repo.dataset_tags_00000004" 1)" 1 "its rows arrive after the refresh"
is "$(streaming)" t "still streaming"

# the reference: the same final registry attached directly
fresh_database "$refdb" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$refdb" -f test/registry/hsc_config.sql \
  -f "$registry/hsc_registry_schema.sql" -f "$registry/hsc_registry_data.sql" -c "$changes" -c "$newtype" -c "$newrows" >/dev/null || exit 1
ref_q "SELECT obsmeta.attach_registry('hsc_repo')" >/dev/null || exit 1
is "$(obscore_digest "$subdb")" "$(obscore_digest "$refdb")" "ObsCore equals that of the same registry attached without replication"

echo "# a subscriber restart loses nothing"
subscriber_restart || exit 1
pub_q "UPDATE hsc_repo.visit SET region = o.region FROM hsc_repo.visit o
        WHERE visit.instrument = 'HSC' AND visit.id = 903336 AND o.instrument = 'HSC' AND o.id = 903338" >/dev/null || exit 1
ref_q "UPDATE hsc_repo.visit SET region = o.region FROM hsc_repo.visit o
        WHERE visit.instrument = 'HSC' AND visit.id = 903336 AND o.instrument = 'HSC' AND o.id = 903338" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(streaming)" t "streaming after the restart"
ref_digest=$(obscore_digest "$refdb")
is "$(settled "SELECT count(*) || ' ' || md5(coalesce(string_agg(o::text, '|' ORDER BY o.obs_publisher_did), '')) FROM ivoa.obscore o" "$ref_digest")" \
   "$ref_digest" "and the change after the restart converged"
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine")" 0 "nothing quarantined at the end"

echo "1..$checks"
[ "$failures" = 0 ] || { echo "# $failures of $checks checks failed"; exit 1; }
