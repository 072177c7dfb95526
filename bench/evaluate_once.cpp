// One evaluation of ecei-minimum on generated evidence, by the engine (full
// report or verdicts only) or by the hand-written limit, inside `measured`
// (after a first run that is not counted), so that `valgrind
// --tool=callgrind --toggle-collect=measured` counts its instructions alone.
// Instruction counts do not depend on what else the machine is doing, so
// their ratios check the timed ones of verdict_bench. Used by
// scripts/bench-instructions.sh.
//   verdict_evaluate_once PARTICIPANTS full|verdicts|handwritten
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/evidence_generator.hpp"
#include "bench/handwritten_minimum.hpp"
#include "cli/workspace.hpp"
#include "engine/evaluator.hpp"

using namespace verdict;

namespace {
int sink = 0;

[[gnu::noinline]] void run_once(const cli::LoadedRuleset& r, const engine::Evidence& ev, const std::string& what) {
  if (what == "handwritten") {
    auto verdicts = bench::handwritten_minimum(ev);
    sink += verdicts[0].value_or(false);
    return;
  }
  engine::EvalOptions options;
  options.detail = what == "verdicts" ? engine::Detail::verdicts : engine::Detail::full;
  auto result = engine::evaluate(r.program, ev, options);
  sink += static_cast<int>(result.outcome);
}
// The first run warms what a batch or a benchmark loop keeps warm (field
// position hints, lazily bound library calls); the second is counted.
[[gnu::noipa]] void warm_up(const cli::LoadedRuleset& r, const engine::Evidence& ev, const std::string& what) {
  run_once(r, ev, what);
}
[[gnu::noipa]] void measured(const cli::LoadedRuleset& r, const engine::Evidence& ev, const std::string& what) {
  run_once(r, ev, what);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: verdict_evaluate_once PARTICIPANTS full|verdicts|handwritten\n");
    return 64;
  }
  std::string what = argv[2];
  if (what != "full" && what != "verdicts" && what != "handwritten") {
    std::fprintf(stderr, "verdict_evaluate_once: unknown mode '%s'\n", argv[2]);
    return 64;
  }
  auto r = cli::load_ruleset(VERDICT_ROOT "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  auto src = std::make_shared<Source>("generated.yaml", bench::generate_evidence(std::atoi(argv[1])));
  auto ev = engine::load_evidence(src, *r.schema);
  warm_up(r, ev, what);
  measured(r, ev, what);
  return sink < 0;  // never; keeps the work observable
}
