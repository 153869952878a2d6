#!/usr/bin/env bash
# Logical replication into obsmeta vs the same subscription into plain tables, same run, same
# machine (not part of the tests):
#  1. throughput: a generated night (one publisher transaction) is replayed by each subscription
#     alone (the other disabled): rows per second from enabling the subscription until the last
#     row is visible on the subscriber (obsmeta: every file's ObsCore row; plain: every file
#     record), with obsmeta converting and without; the ratio of the two;
#  2. latency: one visit's rows (its exposures, regions, datasets and files) committed on the
#     publisher in one transaction, until its ObsCore rows are visible on the subscriber (both
#     clocks are this machine's); the plain subscription's latency for the same rows beside it.
# Usage: bench/bench_replication.sh [--exposures N] [--repeat R]   (cluster from scripts/env.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/env.sh
. scripts/publisher.sh
exposures=20 repeat=3
while [ $# -gt 0 ]; do
  case $1 in
    --exposures) exposures=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "usage: $0 [--exposures N] [--repeat R]" >&2; exit 2 ;;
  esac
done
[ -x build/obsmeta-sample-night ] || build_tools "$here" obsmeta-sample-night
scripts/cluster.sh start
publisher_cluster start
pubdb=bench_repl_pub objdb=bench_repl_obsmeta plaindb=bench_repl_plain
sub_psql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
for db in $objdb $plaindb; do sub_psql -d "$db" -c "DROP SUBSCRIPTION IF EXISTS ${db}_sub" >/dev/null 2>&1 || true; done
fresh_database $objdb 2>/dev/null
sub_psql -d postgres -c "DROP DATABASE IF EXISTS $plaindb" -c "CREATE DATABASE $plaindb"
pub_psql -d postgres -c "DROP DATABASE IF EXISTS $pubdb" -c "CREATE DATABASE $pubdb"
sub_psql -d $objdb -f test/replication/gen3_publisher_tables.sql > /tmp/bench_repl_ddl_$$.sql
pub_psql -d $pubdb -f /tmp/bench_repl_ddl_$$.sql
sub_psql -d $plaindb -f /tmp/bench_repl_ddl_$$.sql
rm -f /tmp/bench_repl_ddl_$$.sql
pub_psql -d $pubdb -c "CREATE PUBLICATION bench FOR TABLES IN SCHEMA gen3" -c "CREATE SCHEMA staging"
for db in $objdb $plaindb; do
  sub_psql -d $db -c "CREATE SUBSCRIPTION ${db}_sub CONNECTION '$(pub_conninfo $pubdb)' PUBLICATION bench" 2>/dev/null
done
# the instrument, filters and detectors first (shared by every night)
build/obsmeta-sample-night --conninfo "$(pub_conninfo $pubdb)" --exposures 1 --seed 1 --first-seq 9000 --no-convert >/dev/null
for db in $objdb $plaindb; do wait_for_sync $db ${db}_sub; wait_for_catchup $pubdb ${db}_sub; done

gen3_rows() { pub_psql -At -d $pubdb -c "SELECT (SELECT count(*) FROM gen3.exposure) + (SELECT count(*) FROM gen3.visit)
  + (SELECT count(*) FROM gen3.visit_definition) + (SELECT count(*) FROM gen3.visit_detector_region)
  + (SELECT count(*) FROM gen3.dataset) + (SELECT count(*) FROM gen3.file_datastore_record)"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# replay DB QUERY WANT: enables DB's subscription and waits until QUERY (a count) reaches WANT on
# the subscriber (polled in one session: each test sees what has committed); prints the seconds
replay() {
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

echo "== throughput: a night of $exposures exposures, one publisher transaction, replayed by each subscription alone"
printf '%-4s %10s %12s %14s %12s %14s %8s\n' run rows plain_s plain_rows/s obsmeta_s obsmeta_rows/s ratio
ratios=()
for ((r = 1; r <= repeat; r++)); do
  for db in $objdb $plaindb; do sub_psql -d $db -c "ALTER SUBSCRIPTION ${db}_sub DISABLE"; done
  sleep 1
  before=$(gen3_rows)
  build/obsmeta-sample-night --conninfo "$(pub_conninfo $pubdb)" --exposures "$exposures" --seed $((100 + r)) \
    --first-seq $((1000 * r)) --reuse-static --no-convert >/dev/null
  rows=$(( $(gen3_rows) - before ))
  files=$(pub_psql -At -d $pubdb -c "SELECT count(*) FROM gen3.file_datastore_record")
  # plain: every file record is there; obsmeta: every file's ObsCore row is visible (same commit
  # as its CAOM2 rows)
  t_plain=$(replay $plaindb "SELECT count(*) FROM gen3.file_datastore_record" "$files")
  t_obs=$(replay $objdb "SELECT count(*) FROM ivoa.obscore" "$files")
  ratio=$(calc "$t_plain / $t_obs")
  ratios+=("$ratio")
  printf '%-4s %10d %12.2f %14.0f %12.2f %14.0f %8.3f\n' "$r" "$rows" "$t_plain" "$(calc "$rows / $t_plain")" \
    "$t_obs" "$(calc "$rows / $t_obs")" "$ratio"
done
echo "obsmeta keeps $(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') of the plain apply throughput (median; goal >= 0.333)"
sub_psql -d $objdb -c "SELECT 'obsmeta side: ' || (SELECT count(*) FROM ivoa.obscore) || ' ObsCore rows, ' || (SELECT count(*) FROM obsmeta.quarantine) || ' quarantined, verify_obscore: ' || (SELECT count(*) FROM obsmeta.verify_obscore())"

echo "== latency: one transaction of ~2,000 datasets (the generator's visits have 378-945) until its ObsCore rows are visible on the subscriber"
printf '%-4s %8s %8s %12s %12s\n' run visits datasets plain_s obsmeta_s
for ((r = 1; r <= repeat; r++)); do
  # stage a night on the publisher outside the publication, then publish one visit of it in one transaction
  pub_psql -d $pubdb -c "DROP SCHEMA staging CASCADE" -c "CREATE SCHEMA staging"
  pub_psql -At -d $pubdb -c "SELECT format('CREATE TABLE staging.%I (LIKE gen3.%I);', relname, relname) FROM pg_class
                               WHERE relnamespace = 'gen3'::regnamespace AND relkind = 'r'" | pub_psql -d $pubdb
  build/obsmeta-sample-night --conninfo "$(pub_conninfo $pubdb)" --schema staging --exposures 14 --seed $((200 + r)) \
    --first-seq $((50000 + 100 * r)) --no-convert >/dev/null
  # the first visits of the night whose datasets (theirs and their exposures' raws) reach ~2,000
  visits=$(pub_psql -At -d $pubdb -c "WITH per_visit AS (
      SELECT v.id, (SELECT count(*) FROM staging.dataset d WHERE d.visit = v.id
                       OR d.exposure IN (SELECT exposure FROM staging.visit_definition WHERE visit = v.id)) AS n
        FROM staging.visit v),
    running AS (SELECT id, n, sum(n) OVER (ORDER BY id) AS total FROM per_visit)
    SELECT '{' || string_agg(id::text, ',' ORDER BY id) || '}' FROM running WHERE total - n < 2000")
  in_visits="(d.visit = ANY ('$visits') OR d.exposure IN (SELECT exposure FROM staging.visit_definition WHERE visit = ANY ('$visits')))"
  datasets=$(pub_psql -At -d $pubdb -c "SELECT count(*) FROM staging.dataset d WHERE $in_visits")
  obscore_rows=$(pub_psql -At -d $pubdb -c "SELECT count(*) FROM staging.dataset d JOIN staging.file_datastore_record r ON r.dataset_id = d.id
      WHERE $in_visits")
  visit=$(echo "$visits" | tr -d '{}' | tr ',' '\n' | wc -l)
  # both subscribers wait for the rows first (each in its own session), then the publisher commits
  poll() {  # poll DB COUNT-QUERY FILE
    sub_psql -d "$1" > "$3" <<SQL
DO \$\$ BEGIN WHILE ($2) < $obscore_rows LOOP PERFORM pg_sleep(0.005); END LOOP; END \$\$;
SELECT extract(epoch FROM clock_timestamp());
SQL
  }
  poll $objdb "SELECT count(*) FROM ivoa.obscore WHERE lsst_visit = ANY ('$visits') OR lsst_exposure IN
                 (SELECT exposure FROM gen3.visit_definition WHERE visit = ANY ('$visits'))" /tmp/bench_repl_obs_$$ &
  poll $plaindb "SELECT count(*) FROM gen3.file_datastore_record r JOIN gen3.dataset d ON d.id = r.dataset_id
                 WHERE d.visit = ANY ('$visits') OR d.exposure IN (SELECT exposure FROM gen3.visit_definition WHERE visit = ANY ('$visits'))" /tmp/bench_repl_plain_$$ &
  sleep 0.5
  committed=$(pub_psql -At -d $pubdb <<SQL | tail -1
BEGIN;
INSERT INTO gen3.exposure SELECT * FROM staging.exposure WHERE id IN (SELECT exposure FROM staging.visit_definition WHERE visit = ANY ('$visits'));
INSERT INTO gen3.visit SELECT * FROM staging.visit WHERE id = ANY ('$visits');
INSERT INTO gen3.visit_definition SELECT * FROM staging.visit_definition WHERE visit = ANY ('$visits');
INSERT INTO gen3.visit_detector_region SELECT * FROM staging.visit_detector_region WHERE visit = ANY ('$visits');
INSERT INTO gen3.dataset SELECT * FROM staging.dataset d WHERE $in_visits;
INSERT INTO gen3.file_datastore_record SELECT r.* FROM staging.file_datastore_record r JOIN gen3.dataset d ON d.id = r.dataset_id
 WHERE $in_visits;
COMMIT;
SELECT extract(epoch FROM clock_timestamp());
SQL
)
  wait
  seen_obs=$(tail -1 /tmp/bench_repl_obs_$$) seen_plain=$(tail -1 /tmp/bench_repl_plain_$$)
  rm -f /tmp/bench_repl_obs_$$ /tmp/bench_repl_plain_$$
  printf '%-4s %8s %8s %12.3f %12.3f\n' "$r" "$visit" "$datasets" "$(calc "$seen_plain - $committed")" \
    "$(calc "$seen_obs - $committed")"
done
echo "(goal: one visit <= 2 s)"
for db in $objdb $plaindb; do sub_psql -d $db -c "DROP SUBSCRIPTION ${db}_sub" >/dev/null; done
publisher_cluster stop
