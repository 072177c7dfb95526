#!/usr/bin/env bash
# What a native-code back end for conditions would cost at start-up, set
# against what it could save per evaluation (docs/performance.md, "Session 17"):
#  - GCC's JIT (libgccjit, installed here if missing) compiling 72 small
#    functions at -O2 (bench/native_cost/jit_cost.c): a lower bound for
#    compiling the conditions of ecei-minimum in the process;
#  - g++ -O2 building a shared object from C++ the size of the 18 checks
#    (bench/native_cost/stand_in.cpp, the hand-written limit): what C++
#    generated from a ruleset and built when first used would cost;
#  - the engine's and the limit's evaluation time at 10 participants
#    (verdict_bench), whose difference is the most native code could save
#    per evaluation, and the evaluations it would take to win back each
#    start-up cost.
# Usage: bash scripts/native-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! dpkg-query -W -f='${Status}' libgccjit-12-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "native-cost: installing libgccjit-12-dev" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libgccjit-12-dev >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gcc -O2 -rdynamic bench/native_cost/jit_cost.c -o "$out/jit_cost" -lgccjit
jit=()
for i in 1 2 3; do
  line=$("$out/jit_cost")
  echo "$line"
  jit+=("$(sed -E 's/.*compiled at -O2 in ([0-9.]+) ms.*/\1/' <<<"$line")")
done
gxx=()
for i in 1 2 3; do
  start=$(date +%s%N)
  g++ -std=c++20 -O2 -fPIC -shared -I. -o "$out/stand_in.so" bench/native_cost/stand_in.cpp
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "g++ -O2 -shared, the 18 checks as C++: ${ms} ms"
  gxx+=("$ms")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERDICT_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target verdict_bench >/dev/null
./build-release/bench/verdict_bench --benchmark_filter='BM_(EvaluateVerdicts|Handwritten)/10$' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_format=json >"$out/bench.json" 2>/dev/null
read -r engine limit < <(python3 - "$out/bench.json" <<'PY'
import json, sys
runs = {b["run_name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("aggregate_name") == "median"}
def us(name):
    b = runs[name]
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]
    return b["cpu_time"] * scale
print(f'{us("BM_EvaluateVerdicts/10"):.3f} {us("BM_Handwritten/10"):.3f}')
PY
)
python3 - "$engine" "$limit" "$(median "${jit[@]}")" "$(median "${gxx[@]}")" <<'PY'
import sys
engine, limit, jit_ms, gxx_ms = map(float, sys.argv[1:])
saved = engine - limit
print(f"evaluation at 10 participants: engine {engine:.2f} us, limit {limit:.2f} us ({engine / limit:.2f}x); "
      f"native code could save at most {saved:.2f} us per evaluation")
for what, ms in (("libgccjit", jit_ms), ("g++ -shared", gxx_ms)):
    print(f"{what}: {ms:.0f} ms to compile, won back after {ms * 1000 / saved:,.0f} evaluations")
PY
