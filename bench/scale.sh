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
nice -n 10 build/obsmeta-bench-scale --conninfo "$(conninfo "$db")" --tsv "$tsv" "${args[@]}"
/usr/bin/python3 bench/plot_scale.py "$tsv" "$png"
