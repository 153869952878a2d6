#!/usr/bin/env bash
# No argument from any role crashes the server: every obsmeta function that obsmeta_reader,
# obsmeta_writer or obsmeta_staff may EXECUTE is called, as that role, with NULLs, empty and
# extreme arguments (test/survival/calls.sql). Errors are expected; a crashed backend is not: the
# test fails if a call loses its connection, the postmaster restarted, or the server log says a
# process was terminated by a signal. Statements that run into statement_timeout are listed.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
db=obsmeta_survival
fresh_database $db
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL' >/dev/null || exit 1
BEGIN;
\i test/pgtap/fixtures/lsstcam_visit.psql
COMMIT;
INSERT INTO efd.sample (topic, field, time, value)
SELECT 'lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', '2025-12-02 03:00:00+00'::timestamptz + i * interval '5 s', 0.7
  FROM generate_series(0, 10) i;
SQL
log=$(psql -X -At -d $db -c "SELECT current_setting('data_directory') || '/server.log'")
log_offset=$(stat -c %s "$log" 2>/dev/null || echo 0)
started=$(psql -X -At -d $db -c "SELECT pg_postmaster_start_time()")
failed=0 calls=0
for role in obsmeta_reader obsmeta_writer obsmeta_staff; do
  script=$(mktemp /tmp/obsmeta-survival.XXXXXX)
  psql -X -At -v ON_ERROR_STOP=1 -d $db -v role=$role -f test/survival/calls.sql > "$script" || exit 1
  n=$(wc -l < "$script"); calls=$((calls + n))
  # each call in its own transaction; errors go on. A lost connection ends psql: the call is
  # reported, and after the server has recovered the calls after it run.
  from=1 timeouts=0
  while [ "$from" -le "$n" ]; do
    out=$(tail -n +"$from" "$script" | PGOPTIONS="-c statement_timeout=5s -c client_min_messages=error" \
          psql -X -q -d $db -c "SET ROLE $role" -f - -e 2>&1)
    timeouts=$((timeouts + $(grep -c 'canceling statement due to statement timeout' <<<"$out")))
    grep -B1 'statement timeout' <<<"$out" | grep '^SELECT' | cut -c1-200 | head -3
    lost=$(grep -o '^psql:<stdin>:[0-9]*: server closed the connection' <<<"$out" | head -1 | cut -d: -f3)
    [ -n "$lost" ] || break
    line=$((from + lost - 1))
    echo "FAILED: as $role the server crashed on: $(sed -n "${line}p" "$script" | cut -c1-300)"
    failed=1 from=$((line + 1))
    for _ in $(seq 60); do psql -X -At -d $db -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
  done
  echo "$role: $n calls, $timeouts over statement_timeout"
  rm -f "$script"
done
now=$(psql -X -At -d $db -c "SELECT pg_postmaster_start_time()") || failed=1
[ "$now" = "$started" ] || { echo "FAILED: the postmaster restarted ($started -> $now)"; failed=1; }
if tail -c +"$((log_offset + 1))" "$log" 2>/dev/null | grep -E 'terminated by signal|was terminated|out of memory'; then
  echo "FAILED: the server log reports a terminated process"; failed=1
fi
[ $failed = 0 ] && echo "survival: $calls calls as reader, writer and staff; the server survived"
exit $failed
