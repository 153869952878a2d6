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
row=$(mktemp)
trap 'rm -f "$row" "$ext/obsmeta--$version--$with.sql" "$ext/obsmeta--$with.sql"' EXIT
# the column: the observing day of the row's dataset, read by key (not among the view's sources)
cat > "$row" <<'SQL'
INSERT INTO obsmeta.obscore_column
    (ordinal_position, column_name, definition, value_expression, written, compared,
     column_index, datatype, arraysize, xtype, unit, ucd, utype, principal, std, description)
SELECT max(ordinal_position) + 1, 'lsst_day_obs', 'integer',
       '(SELECT ds.day_obs FROM gen3.dataset ds WHERE ds.id = x.dataset_id)', true, true,
       max(column_index) + 1, 'int', NULL, NULL, NULL, 'time.epoch;obs', NULL, 0, 0, 'Rubin: observing day of the dataset'
  FROM obsmeta.obscore_column
ON CONFLICT (column_name) DO NOTHING;
SQL
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

fails=0 n=0
check() {  # check DESCRIPTION COMMAND...: one TAP line
  n=$((n + 1))
  if "${@:2}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fails=$((fails + 1)); fi
}
q() { psql -X -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }
check "an update with the column declared applies" \
  psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER EXTENSION obsmeta UPDATE TO '$with'"
check "ivoa.obscore and released.obscore have the column" \
  [ "$(q "SELECT count(*) FROM pg_attribute WHERE attname = 'lsst_day_obs' AND attrelid IN ('ivoa.obscore'::regclass, 'released.obscore'::regclass)")" = 2 ]
check "the stored rows are filled" \
  [ "$(q "SELECT count(*) > 0 AND count(*) = count(lsst_day_obs) FROM ivoa.obscore WHERE caom_artifact_id IS NOT NULL")" = t ]
check "ivoa.obscore equals its recomputation" [ "$(q "SELECT count(*) FROM obsmeta.verify_obscore()")" = 0 ]
same_catalog() {
  diff <(psql -X -At -d $db -f test/upgrade/catalog.sql) <(psql -X -At -d $fresh -f test/upgrade/catalog.sql) | head -20
  [ "${PIPESTATUS[0]}" = 0 ]
}
check "the catalog after the update equals a fresh install's with the column" same_catalog
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
