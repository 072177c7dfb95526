#!/usr/bin/env bash
# Sets up, builds and runs every test: the doctest suites (unit, ruleset cases,
# CLI cases, diagnostics), registered with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build -DVERDICT_BENCH=OFF
ctest --test-dir build --output-on-failure -j "$(nproc)"
