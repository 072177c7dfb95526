#!/usr/bin/env bash
# Builds in Release and runs every benchmark in bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target verdict_bench verdict verdict_generate
./build-release/bench/verdict_bench "$@"
# Peak memory of one evaluation of a 10,000-participant file (maximum resident set).
big=$(mktemp -d)
./build-release/bench/verdict_generate "$big" 1 10000
/usr/bin/time -f "peak memory, 10,000-participant file: %M KiB (max RSS), %e s" \
  ./build-release/verdict evaluate -f json "$big/cluster-00000.yaml" >/dev/null || true
rm -rf "$big"
