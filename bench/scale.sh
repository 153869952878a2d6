#!/usr/bin/env bash
# The scale curve (not part of the tests; about an hour and ~40 GB of disk at 10^7 rows): a fresh
# database, bench/scale_replicate.sql, obsmeta-bench-scale, and its plot.
# Usage: bench/scale.sh [--db NAME] [--png FILE (default doc/scale_curve.png; its table beside it, .tsv)]
#                      [obsmeta-bench-scale options, e.g. --sizes 100000,1000000]
# Runs nice'd (the cluster's postmaster too, so every backend it starts from now on, parallel
# workers included) against the cluster of scripts/env.sh (started if needed); the database stays
# for a look afterwards (drop it: psql -c "DROP DATABASE bench_scale"; at 10^7 rows rather stop and
# delete the cluster: scripts/cluster.sh stop).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/env.sh
db=bench_scale png=doc/scale_curve.png args=()
while [ $# -gt 0 ]; do
  case $1 in
    --db) db=$2; shift 2 ;;
    --png) png=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
build_tools "$here" obsmeta-bench-scale
scripts/cluster.sh start
renice -n 10 -p "$(head -1 "${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}/postmaster.pid")" >/dev/null
fresh_database "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f bench/scale_replicate.sql
# the table as TSV beside the plot, rewritten after every size (a run stopped early keeps it:
# plot it with /usr/bin/python3 bench/plot_scale.py TSV PNG)
tsv=${png%.png}.tsv
# obsmeta-bench-scale switches the cluster's durability (ALTER SYSTEM: fsync, full_page_writes,
# synchronous_commit off while it fills) and resets it at its end. Stopped early (Ctrl-C, kill, an
# error) it would leave them off for every later user of the cluster: on any exit this stops the
# tool and resets them. (Run in the background and waited for, so that a signal to this script is
# handled at once, not when the tool ends; kill -9 of this script cannot be caught.)
bench_pid=
restore_durability() {
  if [ -n "$bench_pid" ]; then kill "$bench_pid" 2>/dev/null || true; wait "$bench_pid" 2>/dev/null || true; fi
  psql -X -q -d postgres -c "ALTER SYSTEM RESET fsync" -c "ALTER SYSTEM RESET full_page_writes" \
       -c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" >/dev/null ||
    echo "bench/scale.sh: could not reset fsync, full_page_writes, synchronous_commit (ALTER SYSTEM RESET them)" >&2
}
trap restore_durability EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
nice -n 10 build/obsmeta-bench-scale --conninfo "$(conninfo "$db")" --tsv "$tsv" "${args[@]}" &
bench_pid=$!
wait "$bench_pid"
bench_pid=
/usr/bin/python3 bench/plot_scale.py "$tsv" "$png"
