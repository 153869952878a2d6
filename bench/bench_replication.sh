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
#  2. throughput: a night of --exposures exposures, replayed by each subscription alone (the other
#     disabled): a warm-up transaction (the night's first visit) and then the rest of the night in one
#     publisher transaction; registry rows per second of the night, from the warm-up visible until
#     the last row is visible (obsmeta: every published file's ObsCore row), and the apply worker's
#     own CPU (utime + stime of /proc/PID/stat) over the same span, obsmeta vs plain: CPU is what this
#     shared machine's load leaves comparable. Also "cold": the whole replay from ENABLE (a new apply
#     worker with empty caches). With --profile, obsmeta's apply worker is sampled (perf) over the
#     first replay. BENCH_BEFORE_NIGHT (environment): a command run before each night ($r: its
#     number), e.g. installing another build of obsmeta.so to compare two builds in one run.
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
# PostgreSQL 15's launcher starts apply workers at most once per wal_retrieve_retry_interval (5 s): the
# second subscription ENABLEd within 5 s of the first waited up to 5 s for its worker, which the cold
# (from ENABLE) times counted. The benchmark's subscriber starts them at once, and resets it on exit.
psql -X -q -d postgres -c "ALTER SYSTEM SET wal_retrieve_retry_interval = '50ms'" -c "SELECT pg_reload_conf()" >/dev/null
trap 'psql -X -q -d postgres -c "ALTER SYSTEM RESET wal_retrieve_retry_interval" -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true' EXIT
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
  perf report -i /tmp/bench_repl_perf.data --children --stdio --no-demangle -g none 2>/dev/null > /tmp/bench_repl_perf.txt || true
  total=$(perf report -i /tmp/bench_repl_perf.data --stdio --sort pid 2>/dev/null | awk '/^#/ {next} NF {print; exit}' || true)
  echo "apply worker profile (perf, inclusive share of its samples during the commits above; $total):"
  for f in apply_dispatch ExecSimpleRelationInsert obsmeta_registry_capture obsmeta_gen3_capture_row \
           _ZN7obsmeta12registry_sql28translate_under_apply_workerEv _ZN7obsmeta13gen3_to_caom224flush_under_apply_workerEv \
           obscore_flush obscore_apply pg_plan_queries CommitTransactionCommand; do
    grep -m1 -E "^ +[0-9.]+% +[0-9.]+% .*[ ]$f( \(inlined\))? *\$" /tmp/bench_repl_perf.txt | awk -v f="$f" '{printf "  %-70s %s\n", f, $1}' || true
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
echo "(left: the night, from its warm-up visit visible to its last row visible; right, cold: the whole replay from ENABLE,"
echo " a new apply worker with empty caches, warm-up visit included)"
printf '%-4s %9s %8s %7s %10s %9s %8s %10s %7s %9s | %6s %7s %7s %7s %9s\n' run rows plain_s cpu_s rows/s obsmeta_s cpu_s rows/s \
  ratio cpu_ratio rows plain_c obs_c ratio cpu_ratio
ratios=() cpu_plain=() cpu_obs=() cpu_ratios=() cold_ratios=() cold_cpu_plain=() cold_cpu_obs=() cold_cpu_ratios=()
# worker_cpu DB: CPU seconds (utime + stime, /proc/PID/stat) of DB's apply worker since it started
worker_cpu() {
  local pid
  pid=$(sub_psql -d "$1" -c "SELECT pid FROM pg_stat_subscription WHERE subname = '${1}_sub' AND relid IS NULL")
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat"
}
replay() {  # replay DB QUERY WARM WANT WARM_LSN WANT_LSN: enables DB's subscription, waits until it has
            # committed the warm-up visit's publisher transaction (WARM_LSN, an LSN inside it) and then the
            # night's (WANT_LSN), and checks that QUERY then counts WARM and WANT rows (obsmeta converts in the
            # apply transaction: its ObsCore rows are visible at that commit). Waiting polls the subscription's
            # replication origin, the same cheap read for both sides (a count(*) every 5 ms was a busy core's
            # worth of seq scans beside the apply worker). Prints wall and apply-worker CPU seconds of the night
            # (from the warm-up visible) and of the whole replay (from ENABLE: a new apply worker, cold caches)
  local db=$1 query=$2 warm=$3 want=$4 warm_lsn=$5 want_lsn=$6 t0 tw seen cw ce
  t0=$(now)
  sub_psql -d "$db" -c "ALTER SUBSCRIPTION ${db}_sub ENABLE"
  if [ "$profile" = 1 ] && [ "$db" = "$objdb" ] && [ "$r" = 1 ]; then  # the first night's obsmeta apply worker
    local pid=
    while [ -z "$pid" ]; do pid=$(sub_psql -d "$db" -c "SELECT pid FROM pg_stat_subscription WHERE subname = '${db}_sub' AND relid IS NULL"); done
    perf record -F 499 --call-graph dwarf,16384 -p "$pid" -o /tmp/bench_repl_night_perf.data >/dev/null 2>&1 &
    night_perf=$!
  fi
  wait_until() {  # wait_until LSN COUNT
    sub_psql -d "$db" <<SQL | tail -1
DO \$\$ BEGIN
  WHILE coalesce(pg_replication_origin_progress((SELECT 'pg_' || oid FROM pg_subscription WHERE subname = '${db}_sub'), false),
                 '0/0') < '$1'::pg_lsn LOOP PERFORM pg_sleep(0.002); END LOOP; END \$\$;
SELECT extract(epoch FROM clock_timestamp());
SQL
    local n; n=$(sub_psql -d "$db" -c "$query")
    [ "$n" -ge "$2" ] || echo "bench_replication: $db committed the transaction but $query = $n < $2" >&2
  }
  tw=$(wait_until "$warm_lsn" "$warm"); cw=$(worker_cpu "$db")
  seen=$(wait_until "$want_lsn" "$want"); ce=$(worker_cpu "$db")
  if [ -n "${night_perf:-}" ]; then kill -INT "$night_perf" 2>/dev/null || true; wait "$night_perf" 2>/dev/null || true; fi
  echo "$(calc "$seen - $tw") $(calc "$ce - $cw") $(calc "$seen - $t0") $ce"
}
for ((r = 1; r <= repeat; r++)); do
  stage "$exposures" $((100 + r)) $((1000 * r))
  for db in $objdb $plaindb; do sub_psql -d $db -c "ALTER SUBSCRIPTION ${db}_sub DISABLE"; done
  ${BENCH_BEFORE_NIGHT:+eval "$BENCH_BEFORE_NIGHT"}  # e.g. install another build of obsmeta.so for this night (A/B)
  sleep 1
  # a warm-up transaction first (the first visit), then the night (the rest) in one transaction
  first=$(pub_q "SELECT min(id) FROM staging.visit")
  obs0=$(sub_psql -d $objdb -c "SELECT count(*) FROM ivoa.obscore") files0=$(pub_q "SELECT count(*) FROM hsc_repo.file_datastore_records")
  # (each publish is one transaction; pg_current_wal_insert_lsn() after it, inside it, is below its commit record)
  read -r warm_rows warm_lsn < <(pub_q "SELECT staging.publish_visits(ARRAY[$first]::bigint[]) || ' ' || pg_current_wal_insert_lsn()")
  warm_files=$(pub_q "SELECT count(*) FROM hsc_repo.file_datastore_records")
  read -r rows night_lsn < <(pub_q "SELECT staging.publish_visits(ARRAY(SELECT id FROM staging.visit WHERE id <> $first),
                  ARRAY(SELECT id FROM staging.exposure WHERE id NOT IN (SELECT exposure FROM staging.visit_definition WHERE visit = $first)))
                  || ' ' || pg_current_wal_insert_lsn()")
  files=$(pub_q "SELECT count(*) FROM hsc_repo.file_datastore_records")
  warm_obs=$(( obs0 + $(published "d.visit = $first OR d.exposure IN (SELECT exposure FROM staging.visit_definition WHERE visit = $first)") ))
  obscore=$(( obs0 + $(published true) ))
  read -r t_plain c_plain tc_plain cc_plain < <(replay $plaindb "SELECT count(*) FROM hsc_repo.file_datastore_records" "$warm_files" "$files" "$warm_lsn" "$night_lsn")
  read -r t_obs c_obs tc_obs cc_obs < <(replay $objdb "SELECT count(*) FROM ivoa.obscore" "$warm_obs" "$obscore" "$warm_lsn" "$night_lsn")
  ratio=$(calc "$t_plain / $t_obs") cpu_ratio=$(calc "$c_plain / $c_obs") cold_ratio=$(calc "$tc_plain / $tc_obs")
  cold_cpu_ratio=$(calc "$cc_plain / $cc_obs")
  ratios+=("$ratio") cpu_plain+=("$c_plain") cpu_obs+=("$c_obs") cpu_ratios+=("$cpu_ratio")
  cold_ratios+=("$cold_ratio") cold_cpu_plain+=("$cc_plain") cold_cpu_obs+=("$cc_obs") cold_cpu_ratios+=("$cold_cpu_ratio")
  printf '%-4s %9d %8.2f %7.2f %10.0f %9.2f %8.2f %10.0f %7.3f %9.3f | %6d %7.2f %7.2f %7.3f %9.3f\n' "$r" "$rows" "$t_plain" "$c_plain" \
    "$(calc "$rows / $t_plain")" "$t_obs" "$c_obs" "$(calc "$rows / $t_obs")" "$ratio" "$cpu_ratio" \
    "$((rows + warm_rows))" "$cc_plain" "$cc_obs" "$cold_ratio" "$cold_cpu_ratio"
done
if [ "$profile" = 1 ] && [ -f /tmp/bench_repl_night_perf.data ]; then
  perf report -i /tmp/bench_repl_night_perf.data --children --stdio --no-demangle -g none 2>/dev/null > /tmp/bench_repl_night_perf.txt || true
  echo "obsmeta's apply worker over the first night (perf, inclusive share of its samples; whole report: /tmp/bench_repl_night_perf.txt):"
  for f in apply_dispatch ExecSimpleRelationInsert obsmeta_registry_capture obsmeta_gen3_capture_row \
           _ZN7obsmeta12registry_sql28translate_under_apply_workerEv _ZN7obsmeta13gen3_to_caom224flush_under_apply_workerEv \
           obscore_flush obscore_apply pg_plan_queries CommitTransactionCommand; do
    grep -m1 -E "^ +[0-9.]+% +[0-9.]+% .*[ ]$f( \(inlined\))? *\$" /tmp/bench_repl_night_perf.txt | awk -v f="$f" '{printf "  %-70s %s\n", f, $1}' || true
  done
fi
echo "obsmeta keeps $(printf '%s\n' "${ratios[@]}" | median) of the plain apply throughput (median, wall; goal >= 0.333); load after: $(uptime_load)"
echo "apply worker CPU per night (medians): plain $(printf '%s\n' "${cpu_plain[@]}" | median) s, obsmeta $(printf '%s\n' "${cpu_obs[@]}" | median) s; plain/obsmeta $(printf '%s\n' "${cpu_ratios[@]}" | median) (the throughput ratio a machine with a free core for each apply worker would see)"
echo "cold (from ENABLE, medians): wall ratio $(printf '%s\n' "${cold_ratios[@]}" | median); CPU plain $(printf '%s\n' "${cold_cpu_plain[@]}" | median) s, obsmeta $(printf '%s\n' "${cold_cpu_obs[@]}" | median) s, plain/obsmeta $(printf '%s\n' "${cold_cpu_ratios[@]}" | median)"
sub_psql -d $objdb -c "SELECT 'obsmeta side: ' || (SELECT count(*) FROM ivoa.obscore) || ' ObsCore rows, ' || (SELECT count(*) FROM obsmeta.quarantine) || ' quarantined, ' || (SELECT count(*) FROM obsmeta.pending) || ' pending, verify_obscore: ' || (SELECT count(*) FROM obsmeta.verify_obscore())"
for db in $objdb $plaindb; do sub_psql -d $db -c "DROP SUBSCRIPTION ${db}_sub" >/dev/null; done
publisher_cluster stop
