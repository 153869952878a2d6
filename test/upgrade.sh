#!/usr/bin/env bash
# Upgrade path: a database made with the previous release (its install script rebuilt by make
# from the release's commit, upgrade/releases.tsv; with a converted night in it) is upgraded
# with ALTER EXTENSION obsmeta UPDATE. Its catalog must then equal a fresh install's
# (test/upgrade/catalog.sql), its data must be intact (ivoa.obscore equals its recomputation, the
# spoly index answers cone searches as a sequential scan does), and conversion must go on.
#   test/upgrade.sh [FROM_VERSION]   default: the release before the current version
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
old=obsmeta_upgrade_old new=obsmeta_upgrade_new
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" obsmeta.control)
from=${1:-$(awk -F'\t' -v v="$version" '!/^#/ && $1 != "version" && $1 != v { last = $1 } END { print last }' upgrade/releases.tsv)}
commit=$(awk -F'\t' -v v="$from" '$1 == v { print $2 }' upgrade/releases.tsv)
[ -n "$commit" ] || { echo "upgrade: no release $from in upgrade/releases.tsv" >&2; exit 1; }
git cat-file -e "$commit^{commit}" 2>/dev/null || { echo "upgrade: commit $commit of $from is not in this clone (a shallow clone?)" >&2; exit 1; }

# The old release's install script, assembled by that release's own Makefile from its own tree
# (whatever its schema/ layout was); installed beside the current version for this test only (a
# real upgrade needs only the upgrade scripts).
old_script="$(pg_config --sharedir)/extension/obsmeta--$from.sql"
old_tree=$(mktemp -d)
trap 'rm -f "$old_script"; rm -rf "$old_tree"' EXIT
git archive "$commit" | tar -x -C "$old_tree"
make -s -C "$old_tree" "sql-install/obsmeta--$from.sql" >/dev/null
cp "$old_tree/sql-install/obsmeta--$from.sql" "$old_script"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $old" -c "CREATE DATABASE $old"
psql -X -q -v ON_ERROR_STOP=1 -d $old -c "CREATE EXTENSION obsmeta VERSION '$from' CASCADE" 2>/dev/null
build/obsmeta-sample-night --conninfo "$(conninfo $old)" --exposures 14 --copy >/dev/null
# a TAP_SCHEMA that the old release's register_tap_schema() wrote, as a TAP server would read it
psql -X -q -v ON_ERROR_STOP=1 -d $old -c "SELECT obsmeta.register_tap_schema('tap_schema')" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $old -c "ALTER EXTENSION obsmeta UPDATE"
fresh_database $new 2>/dev/null

. test/tap.sh
q() { psql -X -At -v ON_ERROR_STOP=1 -d $old -c "$1"; }
cones_agree() {  # 50 cones, index vs sequential scan, as counts
  local sql="SELECT string_agg((SELECT count(*) FROM ivoa.obscore o WHERE o.s_region && scircle(c.s_center, radians(0.3)))::text, ',' ORDER BY c.row_id)
               FROM (SELECT row_id, s_center FROM ivoa.obscore WHERE s_center IS NOT NULL ORDER BY row_id LIMIT 50) c"
  local with_index without_index
  with_index=$(psql -X -qAt -d $old -c "SET enable_seqscan = off; $sql")
  without_index=$(psql -X -qAt -d $old -c "SET enable_indexscan = off; SET enable_bitmapscan = off; $sql")
  # every cone is around a detector's own center: each finds at least that detector
  [ -n "$with_index" ] && [ "$with_index" = "$without_index" ] && ! [[ ",$with_index," == *",0,"* ]]
}

check "extension at $version after ALTER EXTENSION UPDATE from $from" [ "$(q "SELECT extversion FROM pg_extension WHERE extname = 'obsmeta'")" = "$version" ]
check "catalog of the upgraded database equals a fresh $version install" same_catalog $old $new
check "ivoa.obscore equals its recomputation after the upgrade" [ "$(q "SELECT count(*) FROM obsmeta.verify_obscore()")" = 0 ]
check "s_region index uses obsmeta.spoly_gist_ops" \
  [ "$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = 'ivoa' AND indexname = 'obscore_s_region_idx' AND indexdef LIKE '%obsmeta.spoly_gist_ops%'")" = 1 ]
check "cone searches through the rebuilt index match a sequential scan" cones_agree
check "s_region is the geometry (the alias s_region_spoly equal to it, the STC-S text in s_region_stcs)" \
  [ "$(q "SELECT count(*) FILTER (WHERE s_region IS NOT NULL AND s_region = s_region_spoly AND s_region_stcs LIKE 'POLYGON ICRS %') = count(*) FILTER (WHERE s_region IS NOT NULL) AND count(*) > 0 FROM ivoa.obscore")" = t ]
tap_schema_as_fresh() {
  q "SELECT obsmeta.register_tap_schema('tap_schema_fresh')" >/dev/null
  local cols="SELECT column_name, utype, ucd, unit, description, datatype, arraysize, xtype, principal, indexed, std, column_index
                FROM %s.columns WHERE table_name = 'ivoa.obscore'"
  [ "$(q "SELECT count(*) FROM (($(printf "$cols" tap_schema)) EXCEPT ($(printf "$cols" tap_schema_fresh))) d")" = 0 ] &&
  [ "$(q "SELECT count(*) FROM (($(printf "$cols" tap_schema_fresh)) EXCEPT ($(printf "$cols" tap_schema))) d")" = 0 ] &&
  [ "$(q "SELECT datatype || '/' || xtype || '/' || unit FROM tap_schema.columns WHERE table_name = 'ivoa.obscore' AND column_name = 's_region'")" = double/polygon/deg ]
}
check "the TAP_SCHEMA the old release wrote is rewritten as a fresh one (s_region a DALI polygon)" tap_schema_as_fresh
build/obsmeta-sample-night --conninfo "$(conninfo $old)" --exposures 2 --first-seq 900 --reuse-static --copy >/dev/null
check "conversion after the upgrade: new rows in ivoa.obscore, still equal to the recomputation" \
  [ "$(q "SELECT (SELECT count(*) FROM obsmeta.verify_obscore()) = 0 AND count(*) > 0 FROM ivoa.obscore o JOIN gen3.exposure e ON e.id = o.lsst_exposure WHERE e.seq_num >= 900")" = t ]
tap_summary
