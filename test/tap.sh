# Sourced by the shell test scripts (from the repository root): TAP lines from checks, the count
# at the end, and the comparison of two databases' obsmeta catalogs.
fails=0 n=0
check() {  # check DESCRIPTION COMMAND...: one TAP line, ok when the command succeeds
  n=$((n + 1))
  if "${@:2}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fails=$((fails + 1)); fi
}
same_catalog() {  # same_catalog DB1 DB2: test/upgrade/catalog.sql gives the same lines (the first differences shown)
  diff <(psql -X -At -d "$1" -f test/upgrade/catalog.sql) <(psql -X -At -d "$2" -f test/upgrade/catalog.sql) | head -20
  [ "${PIPESTATUS[0]}" = 0 ]
}
tap_summary() {  # the count line; fails when a check failed
  echo "$((n - fails)) passed, $fails failed"
  [ "$fails" = 0 ]
}
