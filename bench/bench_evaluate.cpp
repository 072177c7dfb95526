// Load (YAML → typed values, validated) and evaluation of `ecei-minimum` on
// generated evidence of 10 to 10,000 participants.
#include <benchmark/benchmark.h>

#include "bench/evidence_generator.hpp"
#include "cli/workspace.hpp"
#include "engine/evaluator.hpp"

using namespace verdict;

namespace {

const cli::LoadedRuleset& ruleset() {
  static cli::LoadedRuleset r = cli::load_ruleset(VERDICT_ROOT "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  return r;
}

std::shared_ptr<const Source> evidence_text(int participants) {
  return std::make_shared<Source>("generated.yaml", bench::generate_evidence(participants));
}

void BM_Load(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  for (auto _ : state) {
    auto ev = engine::load_evidence(src, *r.schema);
    benchmark::DoNotOptimize(ev.root);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * src->text().size()));
  state.counters["bytes"] = static_cast<double>(src->text().size());
}

void BM_Evaluate(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  auto ev = engine::load_evidence(src, *r.schema);
  for (auto _ : state) {
    auto result = engine::evaluate(r.program, ev);
    benchmark::DoNotOptimize(result.outcome);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_LoadAndEvaluate(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  for (auto _ : state) {
    auto ev = engine::load_evidence(src, *r.schema);
    auto result = engine::evaluate(r.program, ev);
    benchmark::DoNotOptimize(result.outcome);
  }
}

}  // namespace

BENCHMARK(BM_Load)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Evaluate)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoadAndEvaluate)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
