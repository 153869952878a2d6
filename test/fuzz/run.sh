#!/usr/bin/env bash
# Builds the libFuzzer targets of the pure C++ parts (clang, AddressSanitizer + UndefinedBehavior-
# Sanitizer, build dir build-fuzz/) and runs each for SECONDS (default 10), starting from
#   test/fuzz/corpus/TARGET/   kept inputs: every crash found so far (replayed first, so a
#                              regression fails at once) and a few hand-made seeds;
#   generated seeds            cut from ../shared/anchors at run time and made by obsmeta-fuzz-seeds;
#   build-fuzz/corpus/TARGET/  what earlier local runs found (grows; delete it to start over).
# A crash, sanitizer report, leak, timeout (> 10 s per input) or out-of-memory (> 2 GB) fails the
# run; the input is saved as build-fuzz/artifacts/TARGET-crash-<sha1> (see doc/fuzzing.md).
# Usage: test/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
shift || true
build=${OBSMETA_FUZZ_BUILD:-$repo/build-fuzz}
anchors=$repo/../shared/anchors

# Longest input per target: enough for the seeds, small enough to keep executions fast (the
# limits on pathological-but-valid sizes are tested elsewhere).
declare -A max_len=([sphgeom]=4096 [convex_hull]=8192 [caom2_xml]=32768 [consdb_config]=16384
                    [efd_chunk_decode]=8192 [efd_chunk_roundtrip]=16384)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sphgeom convex_hull caom2_xml consdb_config efd_chunk_decode efd_chunk_roundtrip)

cxx=${OBSMETA_FUZZ_CXX:-clang++-14}
if [ ! -f "$build/CMakeCache.txt" ]; then
  mkdir -p "$build"
  CXX=$cxx cmake -S "$repo" -B "$build" -DOBSMETA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >"$build/cmake.log" 2>&1 ||
    { cat "$build/cmake.log"; rm -f "$build/CMakeCache.txt"; exit 1; }
fi
cmake --build "$build" -j2 --target obsmeta-fuzz-seeds "${targets[@]/#/fuzz_}" >"$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log"; exit 1; }

seeds=$build/seeds
rm -rf "$seeds" && mkdir -p "$seeds" "$build/artifacts"
"$build/test/fuzz/obsmeta-fuzz-seeds" "$seeds" || exit 1
# The Butler registry's own regions (base64 sphgeom bytes): visits' and detectors' footprints.
mkdir -p "$seeds/sphgeom"
awk -F'\t' '/^COPY hsc_repo\.visit /{t=13; next} /^COPY hsc_repo\.visit_detector_region /{t=4; next}
            /^\\\.$/{t=0} t && $t != "\\N" && n++ < 40 {print $t}' "$anchors/rubin/registry/hsc_registry_data.sql" | {
  n=0
  while read -r b64; do
    n=$((n + 1))
    printf '%s' "$b64" | base64 -d >"$seeds/sphgeom/hsc_$n" || exit 1
  done
} || exit 1

failed=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  dirs=("$build/corpus/$t" "$seeds/$t")
  [ -d "$repo/test/fuzz/corpus/$t" ] && dirs+=("$repo/test/fuzz/corpus/$t")
  [ -d "$seeds/$t" ] || mkdir -p "$seeds/$t"
  echo "fuzz: $t for ${seconds}s (max_len ${max_len[$t]})"
  if ! "$build/test/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "${dirs[@]}" \
      >"$build/$t.log" 2>&1; then
    failed+=("$t")
    grep -E -A25 '^==[0-9]+==|fuzz check failed|runtime error|ERROR: libFuzzer' "$build/$t.log" | head -60
    grep -E 'Test unit written to' "$build/$t.log"
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$build/$t.log" | tr '\n' ' '
  echo
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/artifacts/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean"
