#!/usr/bin/env bash
# Logical replication of a Butler registry into obsmeta vs the same subscription into plain
# tables, same run, same machine (not part of the tests). The publisher holds daf_butler's own
# tables (schema from ../shared/anchors/rubin/registry); generated nights (obsmeta-sample-night,
# staged outside the publication) are written into it as a Butler writes them
# (bench/bench_replication_registry.sql): exposures, visits, visit_definition,
# visit_detector_region, datasets, tags rows, dataset_location, file_datastore_records; per
# detector and visit the raws, visit_image and eight sibling products (difference_image is
# published by obsmeta's default configuration, the seven others are not followed).
#  1. latency: ONE visit (~2,000 datasets) committed on the publisher in one transaction, until
#     its ObsCore rows are visible on the subscriber (both clocks are this machine's); the plain
#     subscription's latency for the same rows (its file records visible) measured at the same time;
#     medians of --repeat visits. With --profile, the apply worker is sampled (perf) during these
#     commits and its time split into translation (registry -> gen3), conversion (gen3 -> CAOM2)
#     and ObsCore maintenance.
#  2. throughput: a night of --exposures exposures, one publisher transaction, replayed by each
#     subscription alone (the other disabled): registry rows per second from enabling the
#     subscription until the last row is visible (obsmeta: every published file's ObsCore row).
# Usage: bench/bench_replication.sh [--exposures N (0: no throughput)] [--repeat R] [--latency VISITS (default R; 0: none)]
#                                   [--profile]   (cluster from scripts/env.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/env.sh
. scripts/publisher.sh
exposures=20 repeat=5 profile=0 latency=
while [ $# -gt 0 ]; do
  case $1 in
    --exposures) exposures=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --latency) latency=$2; shift 2 ;;
    --profile) profile=1; shift ;;
    *) echo "usage: $0 [--exposures N] [--repeat R] [--latency VISITS] [--profile]" >&2; exit 2 ;;
  esac
done
registry=../shared/anchors/rubin/registry
[ -x build/obsmeta-sample-night ] || build_tools "$here" obsmeta-sample-night
scripts/cluster.sh start
publisher_cluster start
pubdb=bench_repl_pub objdb=bench_repl_obsmeta plaindb=bench_repl_plain
runs="ARRAY['LSSTCam/raw/all', 'LSSTCam/runs/nightlyValidation/20251202']"
sub_psql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
pub_q() { pub_psql -At -d $pubdb -c "$1"; }
for db in $objdb $plaindb; do sub_psql -d "$db" -c "DROP SUBSCRIPTION IF EXISTS ${db}_sub" >/dev/null 2>&1 || true; done
pub_psql -d postgres -c "DROP DATABASE IF EXISTS $pubdb" -c "CREATE DATABASE $pubdb"
pub_psql -d $pubdb -f $registry/hsc_registry_schema.sql >/dev/null
# staging: gen3-shaped tables outside the publication, for the generator
fresh_database $objdb 2>/dev/null
sub_psql -d $objdb -f test/replication/gen3_publisher_tables.sql | sed 's/gen3\./staging./g; s/SCHEMA IF NOT EXISTS gen3/SCHEMA staging/' |
  pub_psql -d $pubdb >/dev/null
pub_psql -d $pubdb -f bench/bench_replication_registry.sql >/dev/null
build/obsmeta-sample-night --conninfo "$(pub_conninfo $pubdb)" --schema staging --exposures 1 --seed 1 --first-seq 9000 --no-convert >/dev/null
pub_q "SELECT staging.registry_static()" >/dev/null
pub_psql -d $pubdb -c "CREATE PUBLICATION bench FOR TABLES IN SCHEMA hsc_repo"
# the subscribers: the registry's schema; obsmeta follows it (doc/replication.md)
sub_psql -d postgres -c "DROP DATABASE IF EXISTS $plaindb" -c "CREATE DATABASE $plaindb"
for db in $objdb $plaindb; do sub_psql -d $db -f $registry/hsc_registry_schema.sql >/dev/null; done
sub_psql -d $objdb -c "INSERT INTO obsmeta.registry_config (registry_schema, collections) VALUES ('hsc_repo', $runs)" \
  -c "SELECT count(*) FROM obsmeta.registry_follow_ddl('hsc_repo')" >/dev/null
sub_psql -d $objdb -c "ALTER DATABASE $objdb SET track_functions = 'all'"  # for --profile (the apply worker reads it at start)
for db in $objdb $plaindb; do
  sub_psql -d $db -c "CREATE SUBSCRIPTION ${db}_sub CONNECTION '$(pub_conninfo $pubdb)' PUBLICATION bench" 2>/dev/null
  wait_for_sync $db ${db}_sub; wait_for_catchup $pubdb ${db}_sub
done
sub_psql -d $objdb -c "SELECT obsmeta.attach_registry('hsc_repo')" >/dev/null

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
apply_worker() { sub_psql -d $objdb -c "SELECT pid FROM pg_stat_subscription WHERE subname = '${objdb}_sub' AND relid IS NULL"; }
# stage DAYS SEED FIRST_SEQ: a generated night in staging (its visit_image siblings added)
stage() {
  pub_q "TRUNCATE staging.exposure, staging.visit, staging.visit_definition, staging.visit_detector_region,
                  staging.dataset, staging.file_datastore_record" >/dev/null
  build/obsmeta-sample-night --conninfo "$(pub_conninfo $pubdb)" --schema staging --exposures "$1" --seed "$2" \
    --first-seq "$3" --reuse-static --no-convert >/dev/null
  pub_q "SELECT staging.add_products()" >/dev/null
}
# published DATASET-CONDITION: the staged files obsmeta publishes (its ObsCore rows) among the datasets d
published() { pub_q "SELECT count(*) FROM staging.dataset d JOIN staging.file_datastore_record r ON r.dataset_id = d.id
                      WHERE d.dataset_type IN ('raw', 'visit_image', 'difference_image') AND ($1)"; }
uptime_load() { uptime | sed 's/.*load average: //'; }

latency=${latency:-$repeat}
if [ "$latency" -gt 0 ]; then
echo "== latency: one visit (~2,000 datasets) in one publisher transaction, until its ObsCore rows are visible on the subscriber"
echo "machine load before: $(uptime_load)"
printf '%-4s %8s %9s %9s %10s %10s\n' run visit datasets obscore plain_s obsmeta_s
stage 14 201 50000
lat_obs=() lat_plain=()
if [ "$profile" = 1 ]; then
  worker=$(apply_worker)
  perf record -F 499 --call-graph dwarf,16384 -p "$worker" -o /tmp/bench_repl_perf.data >/dev/null 2>&1 &
  perf_pid=$!
  sub_psql -d $objdb -c "SELECT pg_stat_reset()" >/dev/null
fi
# the staged visits with ~2,000 datasets (theirs and their exposures'), one per repetition
mapfile -t visits < <(pub_q "SELECT v.id FROM staging.visit v
   WHERE (SELECT count(*) FROM staging.dataset d WHERE d.visit = v.id
             OR d.exposure IN (SELECT exposure FROM staging.visit_definition WHERE visit = v.id)) BETWEEN 1800 AND 2200
   ORDER BY v.id LIMIT $latency")
[ "${#visits[@]}" -gt 0 ] || { echo "no staged visit has ~2,000 datasets" >&2; exit 1; }
for ((r = 0; r < ${#visits[@]}; r++)); do
  v=${visits[$r]}
  in_visit="d.visit = $v OR d.exposure IN (SELECT exposure FROM staging.visit_definition WHERE visit = $v)"
  datasets=$(pub_q "SELECT count(*) FROM staging.dataset d WHERE $in_visit")
  want_obs=$(published "$in_visit")
  want_plain=$(( $(sub_psql -d $plaindb -c "SELECT count(*) FROM hsc_repo.file_datastore_records") +
                 $(pub_q "SELECT count(*) FROM staging.file_datastore_record r JOIN staging.dataset d ON d.id = r.dataset_id WHERE $in_visit") ))
  # both subscribers wait for the rows first (each in its own session), then the publisher commits
  poll() {  # poll DB COUNT-QUERY WANT FILE
    sub_psql -d "$1" > "$4" <<SQL
DO \$\$ BEGIN WHILE ($2) < $3 LOOP PERFORM pg_sleep(0.005); END LOOP; END \$\$;
SELECT extract(epoch FROM clock_timestamp());
SQL
  }
  poll $objdb "SELECT count(*) FROM ivoa.obscore WHERE lsst_visit = $v OR lsst_exposure IN
                 (SELECT exposure FROM gen3.visit_definition WHERE visit = $v)" "$want_obs" /tmp/bench_repl_obs_$$ &
  polls=$!
  poll $plaindb "SELECT count(*) FROM hsc_repo.file_datastore_records" "$want_plain" /tmp/bench_repl_plain_$$ &
  polls="$polls $!"
  sleep 0.5
  committed=$(pub_psql -At -d $pubdb <<SQL | tail -1
BEGIN;
SELECT staging.publish_visits(ARRAY[$v]::bigint[]);
COMMIT;
SELECT extract(epoch FROM clock_timestamp());
SQL
)
  wait $polls
  seen_obs=$(tail -1 /tmp/bench_repl_obs_$$) seen_plain=$(tail -1 /tmp/bench_repl_plain_$$)
  rm -f /tmp/bench_repl_obs_$$ /tmp/bench_repl_plain_$$
  lat_obs+=("$(calc "$seen_obs - $committed")") lat_plain+=("$(calc "$seen_plain - $committed")")
  printf '%-4s %8s %9s %9s %10.3f %10.3f\n' "$((r + 1))" "$v" "$datasets" "$want_obs" "${lat_plain[$r]}" "${lat_obs[$r]}"
done
echo "median: plain $(printf '%s\n' "${lat_plain[@]}" | median) s, obsmeta $(printf '%s\n' "${lat_obs[@]}" | median) s (goal: one visit <= 2 s); load after: $(uptime_load)"
if [ "$profile" = 1 ]; then
  kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true
  # inclusive samples of the apply worker: translation, conversion, ObsCore maintenance (inside the conversion)
  perf report -i /tmp/bench_repl_perf.data --children --stdio --no-demangle 2>/dev/null > /tmp/bench_repl_perf.txt || true
  total=$(perf report -i /tmp/bench_repl_perf.data --stdio --sort pid 2>/dev/null | awk '/^#/ {next} NF {print; exit}' || true)
  echo "apply worker profile (perf, inclusive share of its samples during the commits above; $total):"
  for f in apply_dispatch ExecSimpleRelationInsert obsmeta_registry_capture obsmeta_gen3_capture_row \
           _ZN7obsmeta12registry_sql28translate_under_apply_workerEv _ZN7obsmeta13gen3_to_caom224flush_under_apply_workerEv \
           obscore_flush obscore_apply CommitTransactionCommand; do
    grep -m1 -E "^ +[0-9.]+% +[0-9.]+% .*[ ]$f\$" /tmp/bench_repl_perf.txt | awk -v f="$f" '{printf "  %-70s %s\n", f, $1}' || true
  done
  sub_psql -d $objdb -c "SELECT '  obscore functions (pg_stat_user_functions, total ms): ' ||
     coalesce(string_agg(funcname || ' ' || round(total_time)::text, ', ' ORDER BY total_time DESC), 'none')
     FROM pg_stat_user_functions WHERE schemaname = 'obsmeta' AND total_time > 50"
  echo "  (whole report: /tmp/bench_repl_perf.txt)"
fi
fi

[ "$exposures" -gt 0 ] || { for db in $objdb $plaindb; do sub_psql -d $db -c "DROP SUBSCRIPTION ${db}_sub" >/dev/null; done; publisher_cluster stop; exit 0; }
echo "== throughput: a night of $exposures exposures, one publisher transaction, replayed by each subscription alone"
echo "machine load before: $(uptime_load)"
printf '%-4s %10s %12s %14s %12s %14s %8s\n' run rows plain_s plain_rows/s obsmeta_s obsmeta_rows/s ratio
ratios=()
replay() {  # replay DB QUERY WANT: enables DB's subscription, waits until QUERY reaches WANT; prints the seconds
  local db=$1 query=$2 want=$3 t0 seen
  t0=$(now)
  sub_psql -d "$db" -c "ALTER SUBSCRIPTION ${db}_sub ENABLE"
  seen=$(sub_psql -d "$db" <<SQL | tail -1
DO \$\$ BEGIN WHILE ($query) < $want LOOP PERFORM pg_sleep(0.01); END LOOP; END \$\$;
SELECT extract(epoch FROM clock_timestamp());
SQL
)
  calc "$seen - $t0"
}
for ((r = 1; r <= repeat; r++)); do
  stage "$exposures" $((100 + r)) $((1000 * r))
  for db in $objdb $plaindb; do sub_psql -d $db -c "ALTER SUBSCRIPTION ${db}_sub DISABLE"; done
  sleep 1
  rows=$(pub_q "SELECT staging.publish_visits(ARRAY(SELECT id FROM staging.visit), ARRAY(SELECT id FROM staging.exposure))")
  files=$(pub_q "SELECT count(*) FROM hsc_repo.file_datastore_records")
  obscore=$(( $(sub_psql -d $objdb -c "SELECT count(*) FROM ivoa.obscore") + $(published true) ))
  t_plain=$(replay $plaindb "SELECT count(*) FROM hsc_repo.file_datastore_records" "$files")
  t_obs=$(replay $objdb "SELECT count(*) FROM ivoa.obscore" "$obscore")
  ratio=$(calc "$t_plain / $t_obs")
  ratios+=("$ratio")
  printf '%-4s %10d %12.2f %14.0f %12.2f %14.0f %8.3f\n' "$r" "$rows" "$t_plain" "$(calc "$rows / $t_plain")" \
    "$t_obs" "$(calc "$rows / $t_obs")" "$ratio"
done
echo "obsmeta keeps $(printf '%s\n' "${ratios[@]}" | median) of the plain apply throughput (median; goal >= 0.333); load after: $(uptime_load)"
sub_psql -d $objdb -c "SELECT 'obsmeta side: ' || (SELECT count(*) FROM ivoa.obscore) || ' ObsCore rows, ' || (SELECT count(*) FROM obsmeta.quarantine) || ' quarantined, ' || (SELECT count(*) FROM obsmeta.pending) || ' pending, verify_obscore: ' || (SELECT count(*) FROM obsmeta.verify_obscore())"
for db in $objdb $plaindb; do sub_psql -d $db -c "DROP SUBSCRIPTION ${db}_sub" >/dev/null; done
publisher_cluster stop
