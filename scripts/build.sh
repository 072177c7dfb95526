#!/usr/bin/env bash
# Configures and builds Verdict into build/ (Release with debug info).
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]   (VERDICT_BUILD_TARGETS to build only some)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
bash scripts/setup.sh
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
# VERDICT_BUILD_TARGETS="a b" builds only those (the demo needs only the program).
targets=()
for t in ${VERDICT_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
