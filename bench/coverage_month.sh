#!/usr/bin/env bash
# Bucket MOC size and the cost of merging one visit into its hour, day and month as a month of a
# survey fills (bench/coverage_month.sql says how the visits are made and what is compared: the
# buckets rewritten per visit as before, against pieces merged before commit). Not part of the
# tests; prints same-run ratios, never asserts a time.
# Usage: bench/coverage_month.sh [--nights N (30)] [--visits-per-night N (800)]
# Uses the cluster of scripts/env.sh (database coverage_month, dropped at the end).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
nights=30 per_night=800
while [ $# -gt 0 ]; do
  case $1 in
    --nights) nights=$2; shift 2 ;;
    --visits-per-night) per_night=$2; shift 2 ;;
    *) echo "usage: $0 [--nights N] [--visits-per-night N]" >&2; exit 2 ;;
  esac
done
. scripts/env.sh
db=coverage_month
fresh_database "$db" >/dev/null 2>&1
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null' EXIT
psql -X -q -d "$db" -v nights="$nights" -v visits_per_night="$per_night" -f bench/coverage_month.sql
echo "load before: $(uptime)"
echo "$(psql -X -At -d "$db" -c "SELECT count(*) || ' visits, ' || count(DISTINCT band) || ' bands; footprint MOC ' || (SELECT round(avg(pg_column_size(moc))) FROM bench_visit_moc) || ' bytes a visit' FROM bench_visit")"
printf "%5s %6s %10s %9s %7s | %9s %9s %9s | %9s %9s %9s | %6s %6s %6s\n" night visits month_KB pieces_KB pieces \
  rw_ms pc_ms ratio rw_cpu pc_cpu ratio rw_WAL pc_WAL ratio
for ((n = 0; n < nights; n++)); do
  psql -X -q -d "$db" -c "CALL bench_night_run($n)"
  psql -X -At -F'|' -d "$db" -c "
    WITH m AS (SELECT band FROM bench_rewrite_bucket WHERE span = 'month' ORDER BY pg_column_size(moc) DESC LIMIT 1),
    r AS (SELECT way, percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) AS wall, avg(wal_bytes) AS wal, count(*) AS n
            FROM bench_result WHERE night = $n GROUP BY way),
    c AS (SELECT way, cpu_ms FROM bench_night WHERE night = $n)
    SELECT $n, (SELECT n FROM r WHERE way = 'pieces'),
           round((SELECT pg_column_size(moc) FROM bench_rewrite_bucket b, m WHERE b.span = 'month' AND b.band = m.band) / 1024.0, 1),
           round((SELECT sum(pg_column_size(moc)) FROM obsmeta.coverage_bucket b, m WHERE b.span = 'month' AND b.band = m.band) / 1024.0, 1),
           (SELECT count(*) FROM obsmeta.coverage_bucket b, m WHERE b.span = 'month' AND b.band = m.band),
           round((SELECT wall FROM r WHERE way = 'rewrite')::numeric, 2), round((SELECT wall FROM r WHERE way = 'pieces')::numeric, 2),
           round(((SELECT wall FROM r WHERE way = 'pieces') / (SELECT wall FROM r WHERE way = 'rewrite'))::numeric, 2),
           round(((SELECT cpu_ms FROM c WHERE way = 'rewrite') / (SELECT n FROM r WHERE way = 'rewrite'))::numeric, 2),
           round(((SELECT cpu_ms FROM c WHERE way = 'pieces') / (SELECT n FROM r WHERE way = 'pieces'))::numeric, 2),
           round(((SELECT cpu_ms FROM c WHERE way = 'pieces') / nullif((SELECT cpu_ms FROM c WHERE way = 'rewrite'), 0))::numeric, 2),
           round((SELECT wal FROM r WHERE way = 'rewrite') / 1024.0, 1), round((SELECT wal FROM r WHERE way = 'pieces') / 1024.0, 1),
           round((SELECT wal FROM r WHERE way = 'pieces') / (SELECT wal FROM r WHERE way = 'rewrite'), 2)" |
    awk -F'|' '{ printf "%5s %6s %10s %9s %7s | %9s %9s %9s | %9s %9s %9s | %6s %6s %6s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 }'
done
echo "(month: the band whose month MOC is largest; ms: median wall a visit; cpu: backend CPU a visit, mean over the night; WAL: KB a visit, mean)"
psql -X -At -d "$db" -c "
  SELECT 'equal unions: ' || bool_and(a.moc::text = b.moc)::text || ' over ' || count(*) || ' buckets'
    FROM bench_rewrite_bucket a
    JOIN (SELECT obs_collection, band, span, starts, sum(moc)::text AS moc FROM obsmeta.coverage_bucket GROUP BY 1, 2, 3, 4) b
      USING (obs_collection, band, span, starts)" | sed 's/^/the two ways: /'
psql -X -At -d "$db" -c "SELECT 'rewrite buckets ' || (SELECT count(*) FROM bench_rewrite_bucket) || ', pieces rows ' || count(*) FROM obsmeta.coverage_bucket"
echo "load after: $(uptime)"
