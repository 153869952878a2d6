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
is "$(sub_q "SELECT relation::text || ' ' || row_key::text || ' ' || stage || ' ' || sqlstate FROM obsmeta.quarantine")" \
   'hsc_repo.visit {"id": 903338, "instrument": "HSC"} translate 22P03' \
   "the bad row is quarantined: registry table, primary key, stage, SQLSTATE"
is "$(sub_q "SELECT region IS NOT NULL FROM gen3.visit WHERE instrument = 'HSC' AND id = 903338")" t \
   "gen3 keeps the visit's last good version"

echo "# the publisher fixes the row"
pub_q "UPDATE hsc_repo.visit SET region = '$good' WHERE instrument = 'HSC' AND id = 903338" >/dev/null || exit 1
wait_for_catchup "$pubdb" "$sub" 60 || exit 1
is "$(sub_q "SELECT count(*) FROM obsmeta.quarantine")" 0 "the fixed row is translated and leaves the quarantine"
is "$(sub_q "SELECT count(*) FROM obsmeta.verify_obscore()")" 0 "CAOM2 and ObsCore agree (verify_obscore)"

# the reference: the same final registry attached directly
fresh_database "$refdb" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$refdb" -f test/registry/hsc_config.sql \
  -f "$registry/hsc_registry_schema.sql" -f "$registry/hsc_registry_data.sql" -c "$changes" >/dev/null || exit 1
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
is "$(obscore_digest "$subdb")" "$(obscore_digest "$refdb")" "and the change after the restart converged"

echo "1..$checks"
[ "$failures" = 0 ] || { echo "# $failures of $checks checks failed"; exit 1; }
