#!/usr/bin/env bash
# Builds in Release and runs every benchmark in bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target verdict_bench
./build-release/bench/verdict_bench "$@"
