#!/usr/bin/env bash
# What the strict embargo mode (doc/strict_embargo.md) costs against the default mode (not a test;
# prints ratios measured in one run). Two databases load the same generated night of N exposures
# (tools/sample_night, all released by now); one of them is then put in strict mode. Measured:
#   maintenance per visit: K more exposures (gen3 COPY + conversion + ObsCore + EFD at commit), still
#            embargoed when written, into each database, alternating, R times: wall time per exposure;
#   release-time move: obsmeta.strict_embargo_release() copying every released observation of the
#            night into the readers' copies (as when their release times pass): time per exposure,
#            against the default mode's maintenance of one exposure (the default mode moves nothing);
#   cone search as a reader: 200 cones of 0.5° on the night's sky, R alternating rounds: ivoa.obscore under
#            row-level security (default) against released.obscore (strict).
#   bench/strict_embargo_cost.sh [N=60] [K=4] [R=3]   (needs build/obsmeta-sample-night, a running cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
n=${1:-60} k=${2:-4} r=${3:-3}
dbd=obsmeta_bench_strict_default dbs=obsmeta_bench_strict_strict
for db in $dbd $dbs; do
  fresh_database $db
  build/obsmeta-sample-night --conninfo "$(conninfo $db)" --exposures "$n" --copy >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -d $db -c "VACUUM ANALYZE"
done
psql -X -q -At -v ON_ERROR_STOP=1 -d $dbs -c "SET client_min_messages = warning" -c "SELECT obsmeta.enable_strict_embargo()" >/dev/null
psql -X -q -d $dbs -c "VACUUM ANALYZE"

now_ms() { date +%s%3N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# maintenance per visit: K new, embargoed exposures per round into each database
for db in $dbd $dbs; do
  psql -X -q -d $db -c "UPDATE obsmeta.instrument_config SET embargo_period = '100 years'"
done
declare -A per_exposure
for i in $(seq "$r"); do
  for db in $dbd $dbs; do
    t0=$(now_ms)
    build/obsmeta-sample-night --conninfo "$(conninfo $db)" --exposures "$k" --first-seq $((5000 + 100 * i)) \
      --seed $((7 + i)) --reuse-static --copy >/dev/null
    per_exposure[$db]+="$(awk -v ms=$(( $(now_ms) - t0 )) -v k="$k" 'BEGIN { printf "%.1f", ms / k }') "
  done
done
maint_d=$(echo ${per_exposure[$dbd]} | tr ' ' '\n' | median)
maint_s=$(echo ${per_exposure[$dbs]} | tr ' ' '\n' | median)
leaked=$(psql -X -qAt -d $dbs -c "SELECT count(*) FROM released.observation WHERE meta_release > now()")
echo "night: $n exposures ; medians of $r rounds; strict/default ratios"
echo "maintenance per exposure (K=$k embargoed exposures a round): default ${maint_d} ms, strict ${maint_s} ms: ratio $(ratio "$maint_s" "$maint_d") (embargoed rows in the readers' copy: $leaked)"

# release-time move: every released observation of the night copied again, as at its release time
moves=()
for _ in $(seq "$r"); do
  psql -X -q -d $dbs -c "TRUNCATE released.obscore, released.observation, released.plane, released.exposure, released.exposure_values" \
    -c "UPDATE obsmeta.strict_embargo SET released_until = '-infinity'"
  moves+=("$(psql -X -qAt -d $dbs -c '\timing on' -c "SELECT obsmeta.strict_embargo_release()" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
done
move_ms=$(printf '%s\n' "${moves[@]}" | median)
exposures=$(psql -X -qAt -d $dbs -c "SELECT count(*) FROM released.exposure")
obscore_rows=$(psql -X -qAt -d $dbs -c "SELECT count(*) FROM released.obscore")
move_per_exposure=$(awk -v ms="$move_ms" -v e="$exposures" 'BEGIN { printf "%.1f", ms / e }')
echo "release-time move: ${move_ms} ms for $exposures exposures ($obscore_rows ObsCore rows) = ${move_per_exposure} ms per exposure: $(ratio "$move_per_exposure" "$maint_d") x the default mode's maintenance of one exposure (default mode: no move)"

# cone search as a reader: the same 200 cones in both databases, each planned on its own (as a TAP
# server's queries are)
centers=$(psql -X -qAt -d $dbd -c "SELECT string_agg(format('(%s,%s)', long(s_center), lat(s_center)), ',')
                                     FROM (SELECT s_center FROM ivoa.obscore WHERE s_center IS NOT NULL ORDER BY md5(row_id::text) LIMIT 200) c")
cone_sql() { echo "DO \$\$ DECLARE c record; n bigint; total bigint := 0; BEGIN
  FOR c IN SELECT * FROM (VALUES $centers) v(ra, dec) LOOP
    EXECUTE format('SELECT count(*) FROM $1 o WHERE o.s_region && scircle(spoint(%s, %s), radians(0.5))', c.ra, c.dec) INTO n;
    total := total + n;
  END LOOP;
  RAISE NOTICE 'rows %', total; END \$\$"; }
cone_once() {  # cone_once DB RELATION: one round's wall time, as a reader
  psql -X -qAt -d "$1" -c "SET ROLE obsmeta_reader" -c '\timing on' -c "$(cone_sql "$2")" 2>/dev/null | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
hits() { psql -X -qAt -d "$1" -c "SET ROLE obsmeta_reader" -c "$(cone_sql "$2")" 2>&1 | sed -n 's/.*rows \([0-9]*\).*/\1/p'; }
hits_d=$(hits $dbd ivoa.obscore)
hits_s=$(hits $dbs released.obscore)
cone_once $dbd ivoa.obscore >/dev/null; cone_once $dbs released.obscore >/dev/null   # warm-up
cones_d=() cones_s=()
for _ in $(seq "$r"); do   # alternating, so that the machine's load falls on both alike
  cones_d+=("$(cone_once $dbd ivoa.obscore)"); cones_s+=("$(cone_once $dbs released.obscore)")
done
cone_d=$(printf '%s\n' "${cones_d[@]}" | median)
cone_s=$(printf '%s\n' "${cones_s[@]}" | median)

echo "cone search as reader (200 cones of 0.5 deg): default ${cone_d} ms ($hits_d rows), strict ${cone_s} ms ($hits_s rows): ratio $(ratio "$cone_s" "$cone_d")"
psql -X -q -d postgres -c "DROP DATABASE $dbd" -c "DROP DATABASE $dbs"
