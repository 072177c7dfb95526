#!/usr/bin/env bash
# Instructions executed by one evaluation of ecei-minimum (engine, full report
# and verdicts only) and by the hand-written limit, at 10 to 10,000
# participants, counted by valgrind's callgrind. Unlike times, these counts do
# not move with the machine's load, so they check the ratios of
# scripts/bench.sh. Usage: bash scripts/bench-instructions.sh [SIZES…]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
command -v valgrind >/dev/null || { echo "bench-instructions: valgrind is needed (apt-get install valgrind)" >&2; exit 69; }
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target verdict_evaluate_once >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000 10000)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {  # participants mode -> instructions inside measured()
  valgrind --tool=callgrind --toggle-collect='*measured*' --callgrind-out-file="$out/cg" \
    ./build-release/bench/verdict_evaluate_once "$1" "$2" >/dev/null 2>&1
  callgrind_annotate "$out/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
printf '%-13s %14s %14s %14s %10s %10s\n' participants full verdicts hand-written full/hand verdicts/hand
for n in "${sizes[@]}"; do
  f=$(count "$n" full); v=$(count "$n" verdicts); h=$(count "$n" handwritten)
  printf '%-13s %14s %14s %14s %10s %10s\n' "$n" "$f" "$v" "$h" \
    "$(awk -v a="$f" -v b="$h" 'BEGIN { printf "%.2fx", a / b }')" "$(awk -v a="$v" -v b="$h" 'BEGIN { printf "%.2fx", a / b }')"
done
