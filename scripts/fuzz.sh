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
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus"
  case $t in
    fuzz_rules) seeds=(rulesets/ecei examples/voucher tests/dsl/errors tests/dsl/check tests/dsl/inherit) ;;
    fuzz_expressions) seeds=() ;;
    *) seeds=(examples/evidence examples/voucher/applications tests/evidence/errors) ;;
  esac
  echo "== $t for ${seconds}s" >&2
  ./build-fuzz/tests/fuzz/$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix=tests/fuzz/crashes/$t- -print_final_stats=1 "$corpus" "${seeds[@]}" 2>&1 |
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|NEW_FUNC|ERROR|SUMMARY|Done" | tail -5
  echo "corpus: $(ls "$corpus" | wc -l) files" >&2
done
