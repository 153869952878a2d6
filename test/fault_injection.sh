#!/usr/bin/env bash
# Fault injection: kill -9 of a backend in the middle of
#   (a) a conversion (gen3 -> CAOM2 at COMMIT),
#   (b) an EFD recompute (efd.recompute()),
#   (c) an ObsCore flush (obsmeta.obscore_flush()).
# The victim is made to wait mid-operation, deterministically: a trigger installed only in this
# test's database (schema fault) takes an advisory lock that a second session holds, when the
# victim's transaction names that table in the setting fault.block. Once pg_stat_activity shows the
# victim waiting there, its backend gets SIGKILL; the postmaster then ends every session (the lock
# holder's too: checked) and recovers the cluster from the WAL. After recovery, every table is as it
# was before the victim's transaction, obsmeta.verify_caom2(), obsmeta.verify_obscore() and
# caom2.verify_checksums() report nothing, rows waiting for their parents (obsmeta.pending) still
# wait, and a from-scratch recomputation (obsmeta.reconvert(), obsmeta.refresh_obscore(),
# efd.recompute()) changes nothing. Then the interrupted operation runs again, unblocked, and
# succeeds. The cluster is left running and recovered for the suites after this one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
db=obsmeta_fault
lock_key=7213401  # the advisory lock the victim waits on (not one of obsmeta's)
tmp=$(mktemp -d /tmp/obsmeta-fault.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() {  # check DESCRIPTION COMMAND...: ok when the command succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
q() { psql -X -At -v ON_ERROR_STOP=1 -d $db "$@"; }

fresh_database $db
build/obsmeta-sample-night --conninfo "$(conninfo $db)" --exposures 11 --copy  # the last one on sky: ObsCore rows, EFD values >/dev/null
q -q <<SQL
-- telemetry for every on-sky exposure: per-exposure and per-visit EFD values
INSERT INTO efd.sample (topic, field, time, value)
SELECT 'lsst.sal.DIMM.logevent_dimmMeasurement', 'fwhm', e.timespan_begin + i * interval '5 s', 0.7 + i / 100.0
  FROM gen3.exposure e, generate_series(0, 8) i WHERE e.can_see_sky;
-- rows that wait for their parents: a raw of an exposure not yet written, a record of a dataset not yet written
INSERT INTO gen3.dataset (id, dataset_type, run, instrument, exposure, detector)
VALUES ('fa000000-0000-4000-8000-000000000001', 'raw', 'LSSTCam/raw/all', 'LSSTCam', 990001, 10);
INSERT INTO gen3.file_datastore_record (dataset_id, path, file_size)
VALUES ('fa000000-0000-4000-8000-000000000002', 'raw/waiting.fits', 10);

CREATE SCHEMA fault;
CREATE FUNCTION fault.block() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    IF current_setting('fault.block', true) = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME THEN
        PERFORM pg_advisory_xact_lock($lock_key);
    END IF;
    RETURN NULL;
END \$\$;
CREATE TRIGGER fault_block AFTER INSERT OR UPDATE OR DELETE ON caom2.observation FOR EACH STATEMENT EXECUTE FUNCTION fault.block();
CREATE TRIGGER fault_block AFTER INSERT OR UPDATE OR DELETE ON efd.exposure_values FOR EACH STATEMENT EXECUTE FUNCTION fault.block();
CREATE TRIGGER fault_block AFTER INSERT OR UPDATE OR DELETE ON ivoa.obscore FOR EACH STATEMENT EXECUTE FUNCTION fault.block();
ALTER TABLE caom2.observation ENABLE ALWAYS TRIGGER fault_block;
SQL
[ "$(q -c "SELECT count(*) FROM obsmeta.pending")" = 2 ] || { echo "not ok 0 - setup: expected 2 pending rows"; exit 1; }

fingerprint() {  # one md5 per table of obsmeta's schemas over all its rows (but when EFD values were computed)
  q <<'SQL'
SELECT format('%s.%s %s', n.nspname, c.relname,
              (xpath('/row/m/text()', query_to_xml(format(
                 'SELECT md5(coalesce(string_agg((to_jsonb(t) - %L)::text, %L ORDER BY (to_jsonb(t) - %L)::text), %L)) AS m FROM %I.%I t',
                 'computed_at', '|', 'computed_at', '', n.nspname, c.relname), false, false, '')))[1]::text)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('gen3', 'caom2', 'obsmeta', 'ivoa', 'efd', 'rubin') AND c.relkind IN ('r', 'p')
 ORDER BY 1;
SQL
}
# What the verify functions report (empty: consistent).
verify_report() {
  q <<'SQL'
SELECT 'verify_caom2: ' || problem || ' ' || row_count FROM obsmeta.verify_caom2()
UNION ALL SELECT 'verify_obscore: ' || problem || ' ' || obs_publisher_did FROM obsmeta.verify_obscore()
UNION ALL SELECT 'verify_checksums: ' || v.entity || ' ' || v.which
  FROM caom2.observation o, caom2.verify_checksums(o.obs_id) v
UNION ALL SELECT 'obscore_pending left: ' || count(*) FROM obsmeta.obscore_pending HAVING count(*) > 0;
SQL
}
pending() { q -c "SELECT mirror_table, mirror_key, waiting_for FROM obsmeta.pending ORDER BY 1, 2"; }

wait_until() {  # wait_until SQL: polls (up to ~2 min) until the query returns a row; prints it
  local row
  for _ in $(seq 600); do
    row=$(psql -X -At -d $db -c "$1" 2>/dev/null || true)
    [ -n "$row" ] && { echo "$row"; return 0; }
    sleep 0.2
  done
  return 1
}
wait_for_recovery() {  # until the cluster accepts connections again and is out of recovery
  wait_until "SELECT 1 WHERE NOT pg_is_in_recovery()" >/dev/null
}

# inject NAME TABLE SQL: runs SQL (a transaction) as the victim with fault.block = TABLE, kills its
# backend while it waits in that table's trigger, waits for recovery and checks the aftermath.
inject() {
  local name=$1 table=$2 sql=$3
  local before_tables before_pending victim holder pid query
  before_tables=$(fingerprint)
  before_pending=$(pending)
  # The holder takes the lock and keeps its session open; the crash restart ends it.
  psql -X -q -d $db -c "SELECT pg_advisory_lock($lock_key)" -c "SELECT pg_sleep(300)" >"$tmp/holder.out" 2>&1 &
  holder=$!
  wait_until "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $lock_key AND granted" >/dev/null ||
    { not_ok "$name: the lock holder got its lock"; kill $holder; return; }
  PGAPPNAME=fault_victim PGOPTIONS="-c fault.block=$table" psql -X -q -v ON_ERROR_STOP=1 -d $db -c "$sql" \
    >"$tmp/victim.out" 2>&1 &
  victim=$!
  if ! pid=$(wait_until "SELECT pid || ' ' || query FROM pg_stat_activity
                          WHERE application_name = 'fault_victim' AND wait_event_type = 'Lock' AND wait_event = 'advisory'"); then
    not_ok "$name: the victim waits in the $table trigger"; cat "$tmp/victim.out"
    kill $holder $victim 2>/dev/null; wait $holder $victim 2>/dev/null; return
  fi
  query=${pid#* }
  pid=${pid%% *}
  ok "$name: the victim (backend $pid, running: $(echo "$query" | tr -s ' \n' ' ' | cut -c1-60)) waits mid-operation"
  kill -9 "$pid"
  if wait $victim; then not_ok "$name: the victim's statement failed"; else ok "$name: the victim's statement failed"; fi
  if wait $holder; then not_ok "$name: the crash ended every session (the holder's too)"
  else ok "$name: the crash ended every session (the holder's too)"; fi
  if wait_for_recovery; then ok "$name: the cluster recovered"; else not_ok "$name: the cluster recovered"; exit 1; fi

  check "$name: every table as before the victim's transaction" test "$(fingerprint)" = "$before_tables"
  check "$name: rows waiting for their parents still wait" test "$(pending)" = "$before_pending"
  local report
  report=$(verify_report)
  check "$name: verify_caom2, verify_obscore, verify_checksums report nothing${report:+ (got: $report)}" test -z "$report"
  q -q -c "SELECT obsmeta.reconvert()" -c "SELECT efd.recompute()" >/dev/null
  check "$name: obsmeta.refresh_obscore() has nothing to rewrite" test "$(q -c "SELECT obsmeta.refresh_obscore()")" = 0
  check "$name: obsmeta.reconvert() and efd.recompute() from scratch change nothing" test "$(fingerprint)" = "$before_tables"
  # The same transaction, unblocked, completes.
  if q -q -c "$sql" >/dev/null; then ok "$name: the operation runs again after recovery"
  else not_ok "$name: the operation runs again after recovery"; fi
}

# (a) conversion at commit: the transaction brings the exposure a pending raw waits for and changes
# another exposure; the kill lands while the conversion writes caom2.observation at COMMIT.
inject "conversion at commit" caom2.observation "
BEGIN;
INSERT INTO gen3.exposure (instrument, id, physical_filter, obs_id, timespan_begin, timespan_end)
SELECT instrument, 990001, physical_filter, 'FAULT990001', timespan_begin + interval '1 day', timespan_end + interval '1 day'
  FROM gen3.exposure ORDER BY id LIMIT 1;
UPDATE gen3.exposure SET target_name = 'fault injection' WHERE id = (SELECT min(id) FROM gen3.exposure);
COMMIT;"
check "conversion at commit: the raw that waited for its exposure converted after the rerun" \
  test "$(q -c "SELECT count(*) FROM obsmeta.pending WHERE mirror_table = 'gen3.dataset'")" = 0

# (b) EFD recompute: values of some images removed, then efd.recompute() writes them back.
inject "EFD recompute" efd.exposure_values "
BEGIN;
SET LOCAL fault.block = '';
DELETE FROM efd.exposure_values WHERE exposure IN (SELECT exposure FROM efd.exposure_values ORDER BY exposure LIMIT 2);
RESET fault.block;
SELECT efd.recompute();
COMMIT;"

# (c) ObsCore flush: a transaction defers ObsCore maintenance, converts a changed exposure statement
# by statement, and is killed in obsmeta.obscore_flush() while it writes ivoa.obscore.
inject "ObsCore flush" ivoa.obscore "
BEGIN;
SET LOCAL obsmeta.conversion = 'statement';
SET LOCAL fault.block = '';
SELECT obsmeta.obscore_defer();
UPDATE gen3.exposure SET target_name = 'fault flush' WHERE id = (SELECT max(id) FROM gen3.exposure WHERE can_see_sky);
RESET fault.block;
SELECT obsmeta.obscore_flush();
COMMIT;"

report=$(verify_report)
check "after the reruns, the verify functions report nothing${report:+ (got: $report)}" test -z "$report"

psql -X -q -d postgres -c "DROP DATABASE $db"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
