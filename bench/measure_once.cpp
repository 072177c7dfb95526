// One run of one stage on generated ecei-minimum evidence, inside `measured`
// (after three runs that are not counted), so that `valgrind
// --tool=callgrind --toggle-collect=measured` counts its instructions alone:
//   full, verdicts  one evaluation by the engine (full report, verdicts only)
//   handwritten     the same 18 checks by the hand-written limit
//   load            loading: YAML text to typed, validated values
//   parse           yaml-cpp's bare event parse of the same text
// Instruction counts do not depend on what else the machine is doing, so
// their ratios check the timed ones of verdict_bench. Used by
// scripts/bench-instructions.sh.
//   verdict_measure_once PARTICIPANTS full|verdicts|handwritten|load|parse
// With VERDICT_BENCH_RULES=FILE it evaluates that ruleset instead of
// ecei-minimum (say, a copy that keeps one indicator, to see what each costs);
// with VERDICT_BENCH_GENERAL=1, without the fast path for compiled conditions.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bare_parse.hpp"
#include "bench/evidence_generator.hpp"
#include "bench/handwritten_minimum.hpp"
#include "cli/workspace.hpp"
#include "engine/evaluator.hpp"

using namespace verdict;

namespace {
int sink = 0;
bool general = false;  // VERDICT_BENCH_GENERAL, read once in main (not inside the measured run)

[[gnu::noinline]] void run_once(const cli::LoadedRuleset& r, const engine::Evidence& ev, const std::string& what) {
  if (what == "load") {
    auto loaded = engine::load_evidence(ev.source, *r.schema);
    sink += loaded.root.is_known();
    return;
  }
  if (what == "parse") {
    sink += static_cast<int>(bench::bare_parse(ev.source->text()));
    return;
  }
  if (what == "handwritten") {
    auto verdicts = bench::handwritten_minimum(ev);
    sink += verdicts[0].value_or(false);
    return;
  }
  engine::EvalOptions options;
  options.detail = what == "verdicts" ? engine::Detail::verdicts : engine::Detail::full;
  options.compiled_conditions = !general;
  // Into one result, reused from the warm-up run on, as a batch reuses it.
  static engine::EvaluationResult result;
  engine::evaluate_into(r.program, ev, options, result);
  sink += static_cast<int>(result.outcome);
}
// The first runs warm what a batch or a benchmark loop keeps warm (field
// position hints, lazily bound library calls, the capacities of the lists
// the workspace keeps, which settle after a run or two); the fourth is
// counted.
[[gnu::noipa]] void warm_up(const cli::LoadedRuleset& r, const engine::Evidence& ev, const std::string& what) {
  run_once(r, ev, what);
}
[[gnu::noipa]] void measured(const cli::LoadedRuleset& r, const engine::Evidence& ev, const std::string& what) {
  run_once(r, ev, what);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: verdict_measure_once PARTICIPANTS full|verdicts|handwritten|load|parse\n");
    return 64;
  }
  std::string what = argv[2];
  if (what != "full" && what != "verdicts" && what != "handwritten" && what != "load" && what != "parse") {
    std::fprintf(stderr, "verdict_measure_once: unknown mode '%s'\n", argv[2]);
    return 64;
  }
  general = std::getenv("VERDICT_BENCH_GENERAL") != nullptr;
  const char* rules = std::getenv("VERDICT_BENCH_RULES");
  auto r = cli::load_ruleset(rules ? rules : VERDICT_ROOT "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  auto src = std::make_shared<Source>("generated.yaml", bench::generate_evidence(std::atoi(argv[1])));
  auto ev = engine::load_evidence(src, *r.schema);
  for (int i = 0; i < 3; ++i) warm_up(r, ev, what);
  measured(r, ev, what);
  return sink < 0;  // never; keeps the work observable
}
