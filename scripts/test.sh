#!/usr/bin/env bash
# Runs every test on a throwaway cluster: C++ unit tests (CTest), pg_regress, isolation specs, pgTAP, an attached
# Butler registry against dax_obscore's exports, the concurrency test (16 clients writing one
# visit), hostile arguments to every function, logical replication end to end (a second,
# publishing cluster on port $OBSMETA_PORT + 10), a pg_dump/restore round trip, the Debian
# package, the re-runnable schema parts applied again, the upgrade from the released 0.1.0, 0.2.0
# and 0.3.0, fault injection (kill -9) and a short fuzzing run.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
start=$SECONDS
bash scripts/setup.sh || exit 1
echo "--- setup (apt-get, make, make install): $((SECONDS - start)) s"
. scripts/env.sh
t=$SECONDS
build_tools "$here" obsmeta_unit_tests obsmeta-sample-night obsmeta-concurrency || exit 1
echo "--- cmake build of tests and tools: $((SECONDS - t)) s"

scripts/cluster.sh start || exit 1
[ -n "${OBSMETA_KEEP_CLUSTER:-}" ] || trap 'scripts/cluster.sh stop' EXIT

passed=0 failed=0
suite() {  # suite NAME COMMAND...: runs one suite, counts it, prints its wall time
  local name=$1 t=$SECONDS; shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); echo "--- $name: ok ($((SECONDS - t)) s)"
  else failed=$((failed + 1)); echo "--- $name: FAILED ($((SECONDS - t)) s)"; fi
}

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

suite "C++ unit tests (ctest)" ctest --test-dir build --output-on-failure
suite "pg_regress" regress
suite "isolation specs (pg_isolation_regress)" isolation
suite "pgTAP" pgtap
suite "Butler registry attach and dax_obscore parity (pgTAP)" registry
suite "CAOM-2.4 XML against the XSD (xmllint)" caom2_xml
suite "concurrency" concurrency
suite "every function as reader, writer and staff with hostile arguments (server survives)" bash test/survival.sh
suite "logical replication end to end (publisher cluster → obsmeta)" bash test/replication/gen3_end_to_end.sh
suite "logical replication of a Butler registry: run-time DDL" bash test/replication/registry_ddl.sh
suite "logical replication of a Butler registry: end to end (quarantine, parity, restart)" bash test/replication/registry_end_to_end.sh
suite "pg_dump / restore" bash test/dump_restore.sh
suite "strict embargo mode: release by a pg_cron job" bash test/strict_embargo_cron.sh
suite "Debian package (dpkg-buildpackage, apt-get install, CREATE EXTENSION)" bash test/package.sh
suite "re-runnable schema parts applied again leave a fresh install unchanged" bash test/rerunnable.sh
suite "upgrade from 0.1.0, 0.2.0 and 0.3.0 (ALTER EXTENSION UPDATE)" bash -c "bash test/upgrade.sh 0.1.0 && bash test/upgrade.sh 0.2.0 && bash test/upgrade.sh 0.3.0"
suite "fault injection (kill -9 mid-conversion, mid-EFD recompute, mid-ObsCore flush)" bash test/fault_injection.sh
suite "fuzzing (libFuzzer, ASan+UBSan, 8 s per target)" bash test/fuzz/run.sh 8

echo
echo "test suites: $passed passed, $failed failed; wall time $((SECONDS - start)) s"
[ "$failed" = 0 ]
