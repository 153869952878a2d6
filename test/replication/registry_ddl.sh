#!/usr/bin/env bash
# A real Butler registry (restored from ../shared/anchors/rubin/registry) published from a second
# cluster, subscribed by an obsmeta database holding the registry schema: the tables daf_butler
# creates at run time (file_datastore_records, dataset_tags_NNNNNNNN / dataset_calibs_NNNNNNNN
# of a new dataset type with a new dimension group) are created on the subscriber from the
# replicated rows, the subscription keeps streaming, and after the REFRESH PUBLICATION that
# obsmeta.registry_refresh_statements() gives, their rows arrive.
# Needs: the extension installed, the subscriber cluster running (scripts/env.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
. scripts/env.sh
. scripts/publisher.sh
registry=../shared/anchors/rubin/registry
pubdb=obsmeta_pub_registry subdb=obsmeta_sub_registry sub=obsmeta_sub_registry
failures=0 checks=0
is() {  # is GOT WANT DESCRIPTION
  checks=$((checks + 1))
  if [ "$1" = "$2" ]; then echo "ok $checks - $3"; else failures=$((failures + 1)); echo "not ok $checks - $3"; echo "#   got:  $1"; echo "#   want: $2"; fi
}
sub_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$subdb" -c "$1"; }
pub_q() { pub_psql -At -d "$pubdb" -c "$1"; }
streaming() { sub_q "SELECT coalesce(bool_and(pid IS NOT NULL), false) FROM pg_stat_subscription WHERE subname = '$sub'"; }

publisher_cluster start || exit 1
trap 'psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1; publisher_cluster stop' EXIT
psql -X -q -d "$subdb" -c "DROP SUBSCRIPTION IF EXISTS $sub" >/dev/null 2>&1
pub_psql -d postgres -c "DROP DATABASE IF EXISTS $pubdb" -c "CREATE DATABASE $pubdb" || exit 1
pub_psql -d "$pubdb" -f "$registry/hsc_registry_schema.sql" -f "$registry/hsc_registry_data.sql" >/dev/null || exit 1
pub_psql -d "$pubdb" -c "CREATE PUBLICATION obsmeta_registry FOR TABLES IN SCHEMA hsc_repo" || exit 1
fresh_database "$subdb" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" -f "$registry/hsc_registry_schema.sql" >/dev/null || exit 1
# restored before any Butler opened the datastore: file_datastore_records is not there yet
sub_q "DROP TABLE hsc_repo.file_datastore_records" || exit 1
is "$(sub_q "SELECT string_agg(t, ' ') FROM obsmeta.registry_follow_ddl('hsc_repo') AS t")" "hsc_repo.file_datastore_records" \
   "registry_follow_ddl creates the missing file_datastore_records"
psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" \
  -c "CREATE SUBSCRIPTION $sub CONNECTION '$(pub_conninfo "$pubdb")' PUBLICATION obsmeta_registry" 2>/dev/null || exit 1
wait_for_sync "$subdb" "$sub" && wait_for_catchup "$pubdb" "$sub" || exit 1
is "$(sub_q "SELECT (SELECT count(*) FROM hsc_repo.dataset) || ' ' || (SELECT count(*) FROM hsc_repo.file_datastore_records)")" "68 68" \
   "initial sync: 68 datasets and their 68 file records"

echo "# the Butler registers a dataset type with a new dimension group (and its calibration table), then writes a dataset"
pub_psql -d "$pubdb" <<'SQL' || exit 1
BEGIN;
INSERT INTO hsc_repo.dimension_graph_key (id) VALUES (4);
INSERT INTO hsc_repo.dimension_graph_definition (dimension_graph_id, dimension_name) VALUES (4, 'instrument'), (4, 'physical_filter');
CREATE TABLE hsc_repo.dataset_tags_00000004 (
    dataset_type_id bigint NOT NULL, dataset_id uuid NOT NULL, collection_id bigint NOT NULL,
    instrument character varying(32) NOT NULL, physical_filter character varying(32) NOT NULL,
    PRIMARY KEY (dataset_id, collection_id));
CREATE TABLE hsc_repo.dataset_calibs_00000004 (
    id bigserial PRIMARY KEY, dataset_type_id bigint NOT NULL, dataset_id uuid NOT NULL, collection_id bigint NOT NULL,
    instrument character varying(32) NOT NULL, physical_filter character varying(32) NOT NULL, timespan int8range NOT NULL);
INSERT INTO hsc_repo.dataset_type (id, name, storage_class, dimensions_key, tag_association_table, calibration_association_table)
VALUES (4, 'flat', 'ExposureF', 4, 'dataset_tags_00000004', 'dataset_calibs_00000004');
COMMIT;
INSERT INTO hsc_repo.dataset (id, dataset_type_id, ingest_date, run_id)
VALUES ('00000000-0000-4000-8000-00000000f1a7', 4, 1796280413845531000, 2);
INSERT INTO hsc_repo.dataset_tags_00000004 VALUES (4, '00000000-0000-4000-8000-00000000f1a7', 2, 'HSC', 'HSC-R');
INSERT INTO hsc_repo.dataset_calibs_00000004 (dataset_type_id, dataset_id, collection_id, instrument, physical_filter, timespan)
VALUES (4, '00000000-0000-4000-8000-00000000f1a7', 2, 'HSC', 'HSC-R', '[1796280413845531000,1796380413845531000)');
SQL
wait_for_catchup "$pubdb" "$sub" || exit 1
is "$(streaming)" t "the subscription keeps streaming"
is "$(sub_q "SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = 'hsc_repo.dataset_tags_00000004'::regclass AND a.attnum > 0")" \
   "dataset_type_id bigint, dataset_id uuid, collection_id bigint, instrument character varying(32), physical_filter character varying(32)" \
   "the new tags table exists on the subscriber, shaped as daf_butler's"
is "$(sub_q "SELECT count(*) FROM pg_attribute WHERE attrelid = 'hsc_repo.dataset_calibs_00000004'::regclass AND attname = 'timespan'")" 1 \
   "and the new calibration table"
is "$(sub_q "SELECT count(*) FROM obsmeta.registry_refresh_statements('hsc_repo')")" 1 "one REFRESH PUBLICATION to run"
sub_q "SELECT * FROM obsmeta.registry_refresh_statements('hsc_repo')" | psql -X -q -v ON_ERROR_STOP=1 -d "$subdb" || exit 1
wait_for_sync "$subdb" "$sub" && wait_for_catchup "$pubdb" "$sub" || exit 1
is "$(sub_q "SELECT (SELECT count(*) FROM hsc_repo.dataset_tags_00000004) || ' ' || (SELECT count(*) FROM hsc_repo.dataset_calibs_00000004)")" \
   "1 1" "after the refresh the new tables' rows arrived"
is "$(sub_q "SELECT count(*) FROM obsmeta.registry_refresh_statements('hsc_repo')")" 0 "nothing left to refresh"
pub_q "INSERT INTO hsc_repo.dataset_tags_00000004 VALUES (4, '00000000-0000-4000-8000-00000000f1a7', 1, 'HSC', 'HSC-R')" >/dev/null
wait_for_catchup "$pubdb" "$sub" || exit 1
is "$(settled "$subdb" "SELECT count(*) FROM hsc_repo.dataset_tags_00000004" 2)" 2 "and later rows stream"
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine")" 0 "nothing quarantined"

echo "1..$checks"
[ "$failures" = 0 ] || { echo "# $failures of $checks checks failed"; exit 1; }
