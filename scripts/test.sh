#!/usr/bin/env bash
# Runs every test on throwaway clusters: C++ unit tests (CTest), pg_regress, isolation specs, pgTAP, an attached
# Butler registry against dax_obscore's exports, the concurrency test (16 clients writing one
# visit), hostile arguments to every function, logical replication end to end (a second,
# publishing cluster on port $OBSMETA_PORT + 10), a pg_dump/restore round trip, the Debian
# package, the re-runnable schema parts applied again (and with a new ObsCore column declared), the
# upgrade from the released 0.1.0, 0.2.0 and 0.3.0, fault injection (kill -9) and a short fuzzing run.
#
# Independent parts run at once (doc/testing.md): the Debian package (it reuses the objects `make`
# just built), the fuzz build and run, the CMake build of the unit tests and tools while the suites
# that need none of them run, and the suites that crash or restart their cluster (replication,
# fault injection) on a second cluster of their own (port $OBSMETA_PORT + 30, its publisher + 40).
# Suites of one cluster run one after another. Each suite's wall time is printed; a suite that ran
# in the background prints its output only when it failed (all of it; logs in $logs until the end).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
start=$SECONDS
bash scripts/setup.sh || exit 1
echo "--- setup (apt-get, make, make install): $((SECONDS - start)) s"
. scripts/env.sh

logs=$(mktemp -d /tmp/obsmeta-test.XXXXXX)
second_cluster=(OBSMETA_PORT=$((OBSMETA_PORT + 30)) OBSMETA_SOCKET_DIR=$OBSMETA_SOCKET_DIR-b
                OBSMETA_CLUSTER_DIR=${OBSMETA_CLUSTER_DIR:-/tmp/obsmeta-cluster}-b)
cleanup() {
  wait  # the background parts end on their own (an early exit does not leave them writing)
  if [ -z "${OBSMETA_KEEP_CLUSTER:-}" ]; then
    scripts/cluster.sh stop
    env "${second_cluster[@]}" scripts/cluster.sh stop
  fi
  rm -rf "$logs"
}
trap cleanup EXIT

passed=0 failed=0
suite() {  # suite NAME COMMAND...: runs one suite in the foreground, counts it, prints its wall time
  local name=$1 t=$SECONDS; shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); echo "--- $name: ok ($((SECONDS - t)) s)"
  else failed=$((failed + 1)); echo "--- $name: FAILED ($((SECONDS - t)) s)"; fi
}
# Background suites: quiet ID COMMAND... runs one with its output in $logs/ID.log and its exit status
# and wall time in $logs/ID.done; report ID NAME (after they ended) counts and prints it.
quiet() {
  local id=$1 t=$SECONDS; shift
  "$@" >"$logs/$id.log" 2>&1
  echo "$? $((SECONDS - t))" >"$logs/$id.done"
}
await() { until [ -f "$logs/$1.done" ]; do sleep 1; done; }  # await ID: until the background suite ID ended
report() {
  local id=$1 name=$2 rc=1 secs=0
  [ -f "$logs/$id.done" ] && read -r rc secs <"$logs/$id.done"
  echo "=== $name (in the background)"
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1)); tail -n 1 "$logs/$id.log"; echo "--- $name: ok ($secs s)"
  else
    failed=$((failed + 1)); cat "$logs/$id.log" 2>/dev/null
    [ -f "$logs/$id.done" ] || echo "(did not run: an earlier step of its lane failed)"
    echo "--- $name: FAILED ($secs s)"
  fi
}
# The suites' databases are copies of one where CREATE EXTENSION obsmeta CASCADE ran (scripts/env.sh).
with_template() { template_database obsmeta_template && export OBSMETA_TEMPLATE_DB=obsmeta_template; }

pgtap() {
  fresh_database obsmeta_pgtap pgtap && pg_prove -d obsmeta_pgtap --ext .sql -r test/pgtap
}
concurrency() {  # conversion at commit (default), then at each statement end
  fresh_database obsmeta_concurrency &&
    build/obsmeta-concurrency --conninfo "$(conninfo obsmeta_concurrency)" --clients 16 --repeat 2 &&
    build/obsmeta-concurrency --conninfo "$(conninfo obsmeta_concurrency) options='-c obsmeta.conversion=statement'" --clients 16
}
caom2_xml() {  # every observation of a generated night as a CAOM-2.4 document, validated by xmllint
  fresh_database obsmeta_caom2xml &&
    build/obsmeta-sample-night --conninfo "$(conninfo obsmeta_caom2xml)" --exposures 14 --copy >/dev/null &&
    bash test/xml/validate_observations.sh "$(conninfo obsmeta_caom2xml)"
}
registry() {  # the HSC registry made by real daf_butler, attached; parity with dax_obscore's exports
  local anchors=../shared/anchors/rubin/registry
  fresh_database obsmeta_registry pgtap &&
    psql -X -q -v ON_ERROR_STOP=1 -d obsmeta_registry -f $anchors/hsc_registry_schema.sql >/dev/null &&
    psql -X -q -v ON_ERROR_STOP=1 -d obsmeta_registry -f $anchors/hsc_registry_data.sql >/dev/null &&
    pg_prove -d obsmeta_registry --ext .sql -r test/registry/t
}
regress() {  # pg_regress only (ISOLATION emptied: the isolation specs are their own suite)
  make -s installcheck ISOLATION= || { cat regression.diffs 2>/dev/null | head -100; return 1; }
}
isolation() {  # pg_isolation_regress: test/isolation/specs, permutations spelled out
  make -s installcheck REGRESS= || { cat output_iso/regression.diffs 2>/dev/null | head -100; return 1; }
}
second_cluster_lane() {  # the suites that crash or restart their cluster, on a cluster of their own
  export "${second_cluster[@]}"
  . scripts/env.sh
  { scripts/cluster.sh start && with_template; } >"$logs/second_cluster.log" 2>&1 ||
    { echo "the second cluster did not start:" >"$logs/second_cluster.failed"; return 1; }
  quiet registry_ddl bash test/replication/registry_ddl.sh
  quiet registry_e2e bash test/replication/registry_end_to_end.sh
  await tools  # the parts below need build/
  [ "$(cut -d' ' -f1 "$logs/tools.done")" = 0 ] || return 1
  quiet gen3_e2e bash test/replication/gen3_end_to_end.sh
  quiet fault bash test/fault_injection.sh
}

# No cluster: the package (it links make's objects), the CMake build, then the fuzz build and run
# (after the CMake build: two compilers at once would only share the cores).
quiet package bash test/package.sh &
{ quiet tools build_tools "$here" obsmeta_unit_tests obsmeta-sample-night obsmeta-concurrency
  quiet fuzz bash test/fuzz/run.sh 8; } &
scripts/cluster.sh start || exit 1
with_template || exit 1
second_cluster_lane &

# The suites that need no build/ tools, while they build.
suite "pg_regress" regress
suite "isolation specs (pg_isolation_regress)" isolation
suite "pgTAP" pgtap
suite "Butler registry attach and dax_obscore parity (pgTAP)" registry
suite "every function as reader, writer and staff with hostile arguments (server survives)" bash test/survival.sh
suite "strict embargo mode: release by a pg_cron job" bash test/strict_embargo_cron.sh

await tools
read -r rc secs <"$logs/tools.done"
[ "$rc" = 0 ] ||
  { cat "$logs/tools.log"; echo "--- cmake build of tests and tools: FAILED"; exit 1; }
echo "--- cmake build of tests and tools (in the background): $secs s"
suite "C++ unit tests (ctest)" ctest --test-dir build --output-on-failure
suite "CAOM-2.4 XML against the XSD (xmllint)" caom2_xml
suite "concurrency" concurrency
suite "pg_dump / restore" bash test/dump_restore.sh
suite "re-runnable schema parts applied again leave a fresh install unchanged" bash test/rerunnable.sh
suite "an ObsCore column declared in one place reaches an updated database as a fresh install" bash test/obscore_new_column.sh
suite "upgrade from 0.1.0, 0.2.0 and 0.3.0 (ALTER EXTENSION UPDATE)" bash -c "bash test/upgrade.sh 0.1.0 && bash test/upgrade.sh 0.2.0 && bash test/upgrade.sh 0.3.0"

wait
report registry_ddl "logical replication of a Butler registry: run-time DDL"
report registry_e2e "logical replication of a Butler registry: end to end (quarantine, parity, restart)"
report gen3_e2e "logical replication end to end (publisher cluster → obsmeta)"
report fault "fault injection (kill -9 mid-conversion, mid-EFD recompute, mid-ObsCore flush)"
report package "Debian package (dpkg-buildpackage, apt-get install, CREATE EXTENSION)"
report fuzz "fuzzing (libFuzzer, ASan+UBSan, 8 s per target)"
[ -f "$logs/second_cluster.failed" ] && cat "$logs/second_cluster.failed" "$logs/second_cluster.log"

echo
echo "test suites: $passed passed, $failed failed; wall time $((SECONDS - start)) s"
[ "$failed" = 0 ]
