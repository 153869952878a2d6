#!/usr/bin/env bash
# Strict embargo mode with a real scheduler: a pg_cron job (scripts/cluster.sh preloads pg_cron where
# it is installed; its jobs live in database postgres) calls obsmeta.strict_embargo_release() each
# minute. An observation whose release time passes ~20 s after strict mode is enabled must reach the
# readers' copy (released.obscore) by the job alone, and not before its time. The database itself
# has no pg_cron: CREATE EXTENSION obsmeta CASCADE does not need it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
db=obsmeta_strict_cron
if ! psql -X -At -d postgres -c "SHOW shared_preload_libraries" | grep -q pg_cron; then
  echo "not ok 1 - pg_cron is not preloaded (scripts/setup.sh installs postgresql-15-cron, scripts/cluster.sh preloads it)"; exit 1
fi
fresh_database $db
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_cron"
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
-- the fixture's exposure ends 2025-12-02 03:00:30: its release time is 20 s from now
UPDATE obsmeta.instrument_config SET embargo_period = now() - '2025-12-02 03:00:30+00'::timestamptz + interval '20 s'
 WHERE instrument = 'LSSTCam';
\ir test/pgtap/fixtures/lsstcam_visit.psql
SQL
fails=0
check() { if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1 (got '$2', expected '$3')"; fails=$((fails + 1)); fi; }
reader_rows() { psql -X -q -At -d $db -c "SET ROLE obsmeta_reader; SELECT count(*) FROM released.obscore"; }

psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "SELECT obsmeta.enable_strict_embargo()" >/dev/null
job=obsmeta_strict_embargo_$db
psql -X -q -At -v ON_ERROR_STOP=1 -d postgres \
  -c "SELECT cron.schedule_in_database('$job', '* * * * *', 'SELECT obsmeta.strict_embargo_release()', '$db')" >/dev/null
check "strict mode: the embargoed visit is not in the readers' copy" "$(reader_rows)" 0
check "strict mode: staff see its 3 ObsCore rows" \
  "$(psql -X -q -At -d $db -c "SET ROLE obsmeta_staff; SELECT count(*) FROM ivoa.obscore")" 3
# wait for its release time and the next run of the job (at most a minute after it)
seen=0
for _ in $(seq 1 100); do
  sleep 2
  n=$(reader_rows)
  if [ "$n" = 3 ]; then seen=1; break; fi
done
public=$(psql -X -At -d $db -c "SELECT bool_and(visible_from <= clock_timestamp()) FROM ivoa.obscore")
check "the pg_cron job copied the 3 rows after their release time passed" "$seen/$public" "1/t"
check "the job's runs succeeded" \
  "$(psql -X -At -d postgres -c "SELECT count(*) > 0 AND bool_and(status = 'succeeded') FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = '$job'")" t
check "verify_obscore() is empty" "$(psql -X -At -d $db -c "SELECT count(*) FROM obsmeta.verify_obscore()")" 0
psql -X -q -At -d postgres -c "SELECT cron.unschedule('$job')" >/dev/null
psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "SELECT obsmeta.disable_strict_embargo()" >/dev/null
check "default mode again: a reader reads ivoa.obscore" \
  "$(psql -X -q -At -d $db -c "SET ROLE obsmeta_reader; SELECT count(*) FROM ivoa.obscore")" 3
echo "$fails failed"
[ "$fails" = 0 ]
