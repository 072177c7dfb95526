#!/usr/bin/env bash
# Builds in Release and runs every benchmark in bench/, then prints the
# ratios that docs/performance.md reports (engine against the hand-written
# limit, loading against yaml-cpp's bare event parse, two threads against
# one) from medians and from minimums, the peak memory of a large file, and
# the same ratios in instructions executed (scripts/bench-instructions.sh,
# with valgrind). By default each benchmark runs 5 times, in random order,
# so that a busy neighbour on the machine spreads over all of them; any
# arguments replace these defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target verdict_bench verdict verdict_generate verdict_load_paths
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--benchmark_repetitions=5 --benchmark_enable_random_interleaving=true)
csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
./build-release/bench/verdict_bench "${args[@]}" --benchmark_display_aggregates_only=true \
  --benchmark_out="$csv" --benchmark_out_format=csv

# Summary: per benchmark, the median and the minimum of its repetitions.
awk -F, '
  /^"BM_/ {
    name = $1; gsub(/"/, "", name)
    if (name ~ /_(mean|median|stddev|cv)$/) next
    sub(/\/iterations:1\/real_time$/, "", name)
    t = $3 + 0; unit = $5
    if (unit == "ms") t *= 1000; else if (unit == "ns") t /= 1000; else if (unit == "s") t *= 1e6
    n[name]++; v[name, n[name]] = t
  }
  function sorted_at(name, k,   i, j, m, a, tmp) {
    m = n[name]
    for (i = 1; i <= m; i++) a[i] = v[name, i]
    for (i = 2; i <= m; i++) { tmp = a[i]; for (j = i - 1; j >= 1 && a[j] > tmp; j--) a[j + 1] = a[j]; a[j + 1] = tmp }
    return k == "min" ? a[1] : a[int((m + 1) / 2)]
  }
  function us(x) { return x >= 1000 ? sprintf("%.2f ms", x / 1000) : sprintf("%.2f us", x) }
  function row(label, a, b,   am, bm, an, bn) {
    if (!(a in n) || !(b in n)) return
    am = sorted_at(a, "median"); bm = sorted_at(b, "median"); an = sorted_at(a, "min"); bn = sorted_at(b, "min")
    printf "%-34s %11s / %-11s = %5.2fx   (minimums: %11s / %-11s = %5.2fx)\n", label, us(am), us(bm), am / bm, us(an), us(bn), an / bn
  }
  END {
    print ""
    print "Summary (median of the repetitions; minimum in brackets)"
    split("10 100 1000 10000", sizes, " ")
    for (i = 1; i <= 4; i++) row("verdicts / hand-written, " sizes[i], "BM_EvaluateVerdicts/" sizes[i], "BM_Handwritten/" sizes[i])
    for (i = 1; i <= 4; i++) row("full report / hand-written, " sizes[i], "BM_Evaluate/" sizes[i], "BM_Handwritten/" sizes[i])
    for (i = 1; i <= 4; i++) row("loading / bare event parse, " sizes[i], "BM_Load/" sizes[i], "BM_BareEventParse/" sizes[i])
    for (i = 1; i <= 2; i++) row("per file, load + verdicts, " sizes[i], "BM_PerFileVerdicts/" sizes[i], "BM_PerFileHandwritten/" sizes[i])
    row("batch of 10,000: 1 thread / 2", "BM_Batch10k/1", "BM_Batch10k/2")
  }' "$csv"

# Peak memory of one evaluation of a 10,000-participant file (maximum resident set).
big=$(mktemp -d)
./build-release/bench/verdict_generate "$big" 1 10000
/usr/bin/time -q -f "peak memory, 10,000-participant file: %M KiB (max RSS), %e s" \
  ./build-release/verdict evaluate -f json "$big/cluster-00000.yaml" >/dev/null || true
rm -rf "$big"

# Loading's two paths in one process (minimum of 20 runs each): events typed
# as they arrive (evidence files), and the untyped tree, then typed.
for n in 1000 10000; do ./build-release/bench/verdict_load_paths "$n" 20; done

# The command-line batch over the benchmark's 10,000 files (written by
# BM_Batch10k): time and peak memory, one thread and two.
batch_dir="${TMPDIR:-/tmp}/verdict-bench-batch"
if [ -d "$batch_dir" ]; then
  for j in 1 2; do
    /usr/bin/time -q -f "verdict evaluate -j $j, 10,000 files: %e s, peak memory %M KiB (max RSS)" \
      ./build-release/verdict evaluate -j "$j" -r rulesets/ecei/ecei-minimum-2012.1.rules "$batch_dir" >/dev/null || true
  done
fi

# The same ratios in instructions executed, which the machine's load does not move.
bash scripts/bench-instructions.sh
