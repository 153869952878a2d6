#!/usr/bin/env bash
# An ObsCore column added in one place (schema/README.md, "Adding an ObsCore column"): a row in
# 70_obscore/70_columns_declared.rerunnable.sql and nothing else. Two extension versions are made
# from schema/ as `make` makes them, with that one row added after the declaration: an update
# script (the re-runnable parts, as every update to the version under way applies them) and an
# install script. A database with a converted night is updated; another is installed fresh. The
# update must add the column to ivoa.obscore and released.obscore, fill it (ivoa.obscore equal to
# its recomputation) and leave the catalog equal to the fresh install's (test/upgrade/catalog.sql).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
db=obsmeta_new_column fresh=obsmeta_new_column_fresh
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" obsmeta.control)
with="$version-newcolumn"
ext="$(pg_config --sharedir)/extension"
declared=schema/70_obscore/70_columns_declared.rerunnable.sql
row=test/pgtap/fixtures/obscore_column_day_obs.psql  # lsst_day_obs, read by key (not among the view's sources)
trap 'rm -f "$ext/obsmeta--$version--$with.sql" "$ext/obsmeta--$with.sql"' EXIT
with_row() {  # with_row FILE...: the files concatenated, the row right after the declaration
  local f
  for f in "$@"; do cat "$f"; if [ "$f" = "$declared" ]; then cat "$row"; fi; done
}
with_row $(find schema -name '*.sql' | LC_ALL=C sort) > "$ext/obsmeta--$with.sql"
with_row $(find schema -name '*.rerunnable.sql' | LC_ALL=C sort) > "$ext/obsmeta--$version--$with.sql"

fresh_database $db
build/obsmeta-sample-night --conninfo "$(conninfo $db)" --exposures 4 --copy >/dev/null
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $fresh" -c "CREATE DATABASE $fresh"
psql -X -q -v ON_ERROR_STOP=1 -d $fresh -c "CREATE EXTENSION pg_sphere" -c "CREATE EXTENSION obsmeta VERSION '$with'" >/dev/null

. test/tap.sh
q() { psql -X -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }
check "an update with the column declared applies" \
  psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER EXTENSION obsmeta UPDATE TO '$with'"
check "ivoa.obscore and released.obscore have the column" \
  [ "$(q "SELECT count(*) FROM pg_attribute WHERE attname = 'lsst_day_obs' AND attrelid IN ('ivoa.obscore'::regclass, 'released.obscore'::regclass)")" = 2 ]
check "the stored rows are filled" \
  [ "$(q "SELECT count(*) > 0 AND count(*) = count(lsst_day_obs) FROM ivoa.obscore WHERE caom_artifact_id IS NOT NULL")" = t ]
check "ivoa.obscore equals its recomputation" [ "$(q "SELECT count(*) FROM obsmeta.verify_obscore()")" = 0 ]
check "the catalog after the update equals a fresh install's with the column" same_catalog $db $fresh
tap_summary
