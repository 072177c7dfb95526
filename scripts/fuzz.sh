#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan, UBSan) and runs each for SECONDS
# (default 60) on its seed corpus; a crash is saved under tests/fuzz/crashes/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_rules fuzz_yaml fuzz_evaluate fuzz_expressions)
bash scripts/setup.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERDICT_FUZZ=ON \
  -DVERDICT_TESTS=OFF -DVERDICT_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"
mkdir -p build-fuzz/corpus tests/fuzz/crashes
# Targets run side by side, one per core (FUZZ_JOBS to change), each for
# SECONDS; the summary of each is printed when all are done.
jobs=${FUZZ_JOBS:-$(nproc)}
run_one() {
  local t=$1 corpus=build-fuzz/corpus/$1 seeds
  mkdir -p "$corpus"
  case $t in
    fuzz_rules) seeds=(rulesets/ecei examples/voucher tests/dsl/errors tests/dsl/check tests/dsl/inherit) ;;
    fuzz_expressions) seeds=() ;;
    *) seeds=(examples/evidence examples/voucher/applications tests/evidence/errors) ;;
  esac
  ./build-fuzz/tests/fuzz/$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix=tests/fuzz/crashes/$t- -print_final_stats=1 "$corpus" "${seeds[@]}" >"build-fuzz/$t.log" 2>&1
}
status=0
pids=()
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  echo "== $t for ${seconds}s" >&2
  run_one "$t" &
  pids+=($!)
done
for i in "${!targets[@]}"; do
  wait "${pids[$i]}" || status=1
done
for t in "${targets[@]}"; do
  echo "== $t" >&2
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Done" "build-fuzz/$t.log" | tail -5 >&2 || true
  echo "corpus: $(ls "build-fuzz/corpus/$t" | wc -l) files" >&2
done
[ $status -eq 0 ] || echo "a target failed: see build-fuzz/*.log and tests/fuzz/crashes/" >&2
exit $status
