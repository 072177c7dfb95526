#!/usr/bin/env bash
# Instructions executed, counted by valgrind's callgrind, by one run of:
#  - evaluation of ecei-minimum by the engine (full report and verdicts only)
#    and by the hand-written limit;
#  - loading (YAML to typed, validated values) and yaml-cpp's bare event parse;
# at 10 to 10,000 participants. Unlike times, these counts do not move with
# the machine's load, so they check the ratios of scripts/bench.sh.
# Usage: bash scripts/bench-instructions.sh [SIZES…]   (default 10 100 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v valgrind >/dev/null; then
  echo "bench-instructions: installing valgrind" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target verdict_measure_once >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000 10000)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {  # participants mode -> instructions inside measured()
  valgrind --tool=callgrind --toggle-collect='*measured*' --callgrind-out-file="$out/cg" \
    ./build-release/bench/verdict_measure_once "$1" "$2" >/dev/null 2>&1
  callgrind_annotate "$out/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
printf '%-12s %12s %12s %12s %9s %9s %14s %14s %9s\n' participants full verdicts hand-written full/hand verd/hand load "bare parse" load/parse
for n in "${sizes[@]}"; do
  f=$(count "$n" full); v=$(count "$n" verdicts); h=$(count "$n" handwritten)
  l=$(count "$n" load); p=$(count "$n" parse)
  printf '%-12s %12s %12s %12s %9s %9s %14s %14s %9s\n' "$n" "$f" "$v" "$h" "$(ratio "$f" "$h")" "$(ratio "$v" "$h")" \
    "$l" "$p" "$(ratio "$l" "$p")"
done
