#!/usr/bin/env bash
# A visit's coverage maintenance in instructions (callgrind; not part of the tests): what
# obsmeta.coverage_recompute did before the stored unions (main a5c8e33: a MOC per row, a union per
# plane in two steps; copied below as pg_temp.cells_before) against obsmeta.coverage_cells_write (a MOC per distinct footprint, a
# union per distinct set of footprints) and obsmeta.coverage_recompute (those cells and the hour,
# day and month buckets they enter), in a single-user backend, same database, same visits.
# Each variant runs in its own backend over the same --visits visits (each as a new visit: its
# cells deleted first, rolled back after); a run with no call at all is subtracted. The buckets are
# measured twice: as a revisit (the visit's footprints are in its hour, day and month already, as
# for a field observed again) and on new sky (the visit taken out of its buckets first).
# Usage: bench/coverage_cost.sh [--rows N (default 8000: the archive, converted for real)] [--visits N (default 6)]
# A throwaway cluster beside the one of scripts/env.sh (its own directories, removed at the end).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
rows=8000 visits=6
while [ $# -gt 0 ]; do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --visits) visits=$2; shift 2 ;;
    *) echo "usage: $0 [--rows N] [--visits N]" >&2; exit 2 ;;
  esac
done
export OBSMETA_CLUSTER_DIR=${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}-callgrind
export OBSMETA_SOCKET_DIR=${OBSMETA_SOCKET_DIR:-/tmp/obsmeta-socket}-callgrind
export PGHOST=$OBSMETA_SOCKET_DIR
. scripts/env.sh
data=$OBSMETA_CLUSTER_DIR db=coverage_cost
work=$(mktemp -d)
chmod 755 "$work"
trap 'scripts/cluster.sh stop; rm -rf "$work"' EXIT
build_tools "$here" obsmeta-bench-scale >/dev/null
scripts/cluster.sh start
fresh_database "$db" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f bench/scale_replicate.sql
build/obsmeta-bench-scale --conninfo "$(conninfo "$db")" --sizes "$rows" --visits 1 --cones 1 --rounds 1 --radii 0.5 >/dev/null
psql -X -q -d "$db" -c "VACUUM ANALYZE"
echo "archive: $(psql -X -At -d "$db" -c "SELECT count(*) || ' ObsCore rows, ' || (SELECT count(*) FROM obsmeta.coverage_cell) || ' plane cells, ' || (SELECT count(*) FROM obsmeta.coverage_bucket) || ' buckets' FROM ivoa.obscore")"
su postgres -s /bin/bash -c "'$(pg_config --bindir)/pg_ctl' -D '$data' -m fast -w stop" >/dev/null

# One backend's statements (single-user mode, -j: a statement ends with a semicolon and an empty line).
script() {  # script CALL [SETUP] → SQL that runs CALL(planes) for each visit as a new visit
  cat <<SQL
CREATE FUNCTION pg_temp.cells_before(planes uuid[]) RETURNS integer LANGUAGE plpgsql AS \$f\$
DECLARE
    n integer;
    ord integer := (SELECT moc_order FROM obsmeta.coverage_config);
BEGIN
    DELETE FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes);
    INSERT INTO obsmeta.coverage_cell (caom_plane_id, obs_collection, band, visible_from, moc, n_rows)
    SELECT g.caom_plane_id, min(g.obs_collection), coalesce(min(g.band), ''), min(g.visible_from),
           sum(g.moc), sum(g.n)::bigint
      FROM (SELECT o.caom_plane_id, min(o.obs_collection) AS obs_collection, min(o.lsst_band) AS band,
                   min(o.visible_from) AS visible_from, sum(smoc(ord, o.s_region)) AS moc, count(*) AS n
              FROM ivoa.obscore o
             WHERE o.caom_plane_id = ANY (planes) AND o.s_region IS NOT NULL
             GROUP BY o.caom_plane_id, get_byte(uuid_send(o.row_id), 15) & 15) g
     GROUP BY g.caom_plane_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END \$f\$;

DO \$d\$
DECLARE
    v text;
    planes uuid[];
BEGIN
    FOR v IN SELECT o.obs_id FROM ivoa.obscore o GROUP BY o.obs_id ORDER BY o.obs_id DESC LIMIT $visits LOOP
        planes := ARRAY(SELECT DISTINCT o.caom_plane_id FROM ivoa.obscore o WHERE o.obs_id = v);
        BEGIN
            $2
            DELETE FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes);
            $1
            RAISE EXCEPTION 'undo';
        EXCEPTION WHEN raise_exception THEN NULL;
        END;
    END LOOP;
END \$d\$;

SQL
}
declare -A ir
new_sky="PERFORM obsmeta.coverage_buckets_apply(ARRAY(SELECT t FROM obsmeta.coverage_cell t WHERE t.caom_plane_id = ANY (planes)), '{}');"
for variant in none cells_before coverage_cells_write coverage_recompute none_new_sky coverage_recompute_new_sky; do
  setup=""
  case $variant in
    none) call="NULL;" ;;
    cells_before) call="PERFORM pg_temp.cells_before(planes);" ;;
    none_new_sky) call="NULL;" setup=$new_sky ;;
    coverage_recompute_new_sky) call="PERFORM obsmeta.coverage_recompute(planes);" setup=$new_sky ;;
    *) call="PERFORM obsmeta.$variant(planes);" ;;
  esac
  script "$call" "$setup" > "$work/$variant.sql"
  su postgres -s /bin/bash -c "valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      '$(pg_config --bindir)/postgres' --single -j -D '$data' -c search_path=public $db < '$work/$variant.sql'" \
      > "$work/$variant.out" 2> "$work/$variant.err"
  ir[$variant]=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/$variant.err")
  if grep -q "ERROR" "$work/$variant.out"; then grep ERROR "$work/$variant.out" >&2; exit 1; fi
done
per_visit() { echo $(( (${ir[$1]} - ${ir[${2:-none}]}) / visits )); }
old=$(per_visit cells_before) cells=$(per_visit coverage_cells_write) full=$(per_visit coverage_recompute)
full_new=$(per_visit coverage_recompute_new_sky none_new_sky)
printf "instructions a visit (%d visits, callgrind, single-user backend):\n" "$visits"
printf "  before: cells (a MOC per row, a union per plane):            %12d\n" "$old"
printf "  now: cells (a MOC per footprint, a union per footprint set):   %10d  (%.2fx of before)\n" "$cells" "$(awk -v a="$cells" -v b="$old" 'BEGIN { print a / b }')"
printf "  now: cells + hour/day/month buckets (coverage_recompute), revisit: %4d  (%.2fx of before)\n" "$full" "$(awk -v a="$full" -v b="$old" 'BEGIN { print a / b }')"
printf "  now: the same on new sky (buckets grow):                      %10d  (%.2fx of before)\n" "$full_new" "$(awk -v a="$full_new" -v b="$old" 'BEGIN { print a / b }')"
