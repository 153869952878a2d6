#!/usr/bin/env bash
# The re-runnable parts of schema/ (NN_topic.rerunnable.sql, schema/README.md) are applied again by
# every update to the version under way. Here they are applied again, as an extension update script
# (a detour to a test version and back), to a database that has them already, with a converted
# night in it: the update must succeed and leave the catalog equal to a fresh install's
# (test/upgrade/catalog.sql), and ivoa.obscore equal to its recomputation.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
db=obsmeta_rerunnable fresh=obsmeta_rerunnable_fresh
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" obsmeta.control)
detour="$version-rerun"
ext="$(pg_config --sharedir)/extension"
trap 'rm -f "$ext/obsmeta--$version--$detour.sql" "$ext/obsmeta--$detour--$version.sql"' EXIT
find schema -name '*.rerunnable.sql' | LC_ALL=C sort | xargs cat > "$ext/obsmeta--$version--$detour.sql"
: > "$ext/obsmeta--$detour--$version.sql"

fresh_database $db
fresh_database $fresh
build/obsmeta-sample-night --conninfo "$(conninfo $db)" --exposures 4 --copy >/dev/null

. test/tap.sh
q() { psql -X -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }
check "the re-runnable parts apply again to an installed database" \
  psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER EXTENSION obsmeta UPDATE TO '$detour'" -c "ALTER EXTENSION obsmeta UPDATE TO '$version'"
check "the catalog after applying them again equals a fresh install's" same_catalog $db $fresh
check "ivoa.obscore equals its recomputation" [ "$(q "SELECT count(*) FROM obsmeta.verify_obscore()")" = 0 ]
tap_summary
