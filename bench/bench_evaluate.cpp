// Benchmarks of issue "Speed, measured against the limit":
//  - load and check of each shipped ruleset;
//  - evaluation only of ecei-minimum on in-memory evidence of 10…10,000
//    participants, and the hand-written limit on the same values;
//  - loading only (YAML → typed, validated values) and yaml-cpp's bare event
//    parse of the same text;
//  - an end-to-end batch of generated files on 1 and 2 threads.
// Run them all: scripts/bench.sh
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "bench/bare_parse.hpp"
#include "bench/evidence_generator.hpp"
#include "bench/handwritten_minimum.hpp"
#include "cli/batch.hpp"
#include "cli/evidence_files.hpp"
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

void BM_LoadRuleset(benchmark::State& state, const char* ref) {
  for (auto _ : state) {
    auto r = cli::load_ruleset(ref, {}, false);
    benchmark::DoNotOptimize(r.program.indicators.size());
  }
}

void BM_Load(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  for (auto _ : state) {
    auto ev = engine::load_evidence(src, *r.schema);
    benchmark::DoNotOptimize(ev.root);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * src->text().size()));
}

void BM_BareEventParse(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(bench::bare_parse(src->text()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * src->text().size()));
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

// What `diff` and dry-runs need, and what the hand-written limit computes:
// the verdicts and the outcome, without messages, gaps or values.
void BM_EvaluateVerdicts(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  auto ev = engine::load_evidence(src, *r.schema);
  engine::EvalOptions options;
  options.detail = engine::Detail::verdicts;
  engine::EvaluationResult result;  // reused, as a batch (`diff`) reuses it
  for (auto _ : state) {
    engine::evaluate_into(r.program, ev, options, result);
    benchmark::DoNotOptimize(result.outcome);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_Handwritten(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  auto ev = engine::load_evidence(src, *r.schema);
  // The limit must agree with the engine, or the ratio means nothing.
  auto engine_result = engine::evaluate(r.program, ev);
  auto hand = bench::handwritten_minimum(ev);
  for (std::size_t i = 0; i < hand.size(); ++i) {
    auto v = engine_result.indicators[i].verdict;
    bench::Tri want = v == engine::Verdict::pass ? bench::Tri(true) : v == engine::Verdict::fail ? bench::Tri(false) : std::nullopt;
    if (hand[i] != want) {
      state.SkipWithError(("hand-written check disagrees with the engine on " + engine_result.indicators[i].id).c_str());
      return;
    }
  }
  for (auto _ : state) {
    auto verdicts = bench::handwritten_minimum(ev);
    benchmark::DoNotOptimize(verdicts);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

const std::vector<std::string>& batch_files() {
  static std::vector<std::string> files = [] {
    std::vector<std::string> out;
    auto dir = std::filesystem::temp_directory_path() / "verdict-bench-batch";
    std::filesystem::create_directories(dir);
    for (unsigned i = 0; i < 10000; ++i) {
      auto p = dir / ("c" + std::to_string(i) + ".yaml");
      if (!std::filesystem::exists(p)) std::ofstream(p) << bench::generate_evidence(40, i + 1);
      out.push_back(p.string());
    }
    return out;
  }();
  return files;
}

// Per evidence file, as a user meets it: loading (YAML to typed, validated
// values) and then the verdicts, by the engine and by the hand-written limit
// over the same loaded values. For context beside the evaluation-only ratio:
// at small files loading is nearly all of a file's time.
void BM_PerFileVerdicts(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  engine::EvalOptions options;
  options.detail = engine::Detail::verdicts;
  engine::EvaluationResult result;
  for (auto _ : state) {
    auto ev = engine::load_evidence(src, *r.schema);
    engine::evaluate_into(r.program, ev, options, result);
    benchmark::DoNotOptimize(result.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_PerFileHandwritten(benchmark::State& state) {
  auto src = evidence_text(static_cast<int>(state.range(0)));
  const auto& r = ruleset();
  for (auto _ : state) {
    auto ev = engine::load_evidence(src, *r.schema);
    auto verdicts = bench::handwritten_minimum(ev);
    benchmark::DoNotOptimize(verdicts);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Batch10k(benchmark::State& state) {
  const auto& files = batch_files();
  const auto& r = ruleset();
  unsigned threads = static_cast<unsigned>(state.range(0));
  // What `verdict evaluate -j N FOLDER` does: every file read, evaluated
  // and rendered as text on the pool, the report written in input order
  // (here counted, not printed).
  cli::BatchOptions options;
  options.threads = threads;
  std::size_t bytes = 0;
  cli::BatchOutput output;
  output.report = [&](const std::string& part) { bytes += part.size(); };
  output.errors = [&](const std::string& text) { bytes += text.size(); };
  for (auto _ : state) {
    bytes = 0;
    cli::BatchTally tally = cli::evaluate_batch(files, r, options, output);
    if (tally.error) state.SkipWithError("a generated evidence file could not be evaluated");
    benchmark::DoNotOptimize(bytes);
  }
  // (No custom counter: the CSV report needs the same columns in every row.)
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(files.size()));
}

}  // namespace

BENCHMARK_CAPTURE(BM_LoadRuleset, ecei_minimum, VERDICT_ROOT "/rulesets/ecei/ecei-minimum-2012.1.rules")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadRuleset, ecei_eligibility, VERDICT_ROOT "/rulesets/ecei/ecei-eligibility-2019.1.rules")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadRuleset, ecei_gold, VERDICT_ROOT "/rulesets/ecei/ecei-gold-2012.1.rules")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadRuleset, innovation_voucher, VERDICT_ROOT "/examples/voucher/innovation-voucher-2026.1.rules")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Evaluate)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EvaluateVerdicts)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Handwritten)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Load)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BareEventParse)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PerFileVerdicts)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PerFileHandwritten)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Batch10k)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
