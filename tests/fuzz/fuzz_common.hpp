// Shared set-up of the fuzz targets: the shipped schema and ruleset, loaded once.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/workspace.hpp"
#include "dsl/load.hpp"
#include "engine/evaluator.hpp"
#include "engine/schema.hpp"

namespace verdict::fuzz {

inline const cli::LoadedRuleset& ecei_minimum() {
  static const cli::LoadedRuleset r =
      cli::load_ruleset(VERDICT_SOURCE_DIR "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  return r;
}

inline std::shared_ptr<const Source> source_of(const uint8_t* data, size_t size, const char* name) {
  return std::make_shared<Source>(name, std::string(reinterpret_cast<const char*>(data), size));
}

/// Everything a full evaluation reports, as text (or its error).
inline std::string decided(const engine::Program& program, const engine::Evidence& ev, bool compiled,
                           std::uint64_t step_budget) {
  engine::EvalOptions options;
  options.step_budget = step_budget;
  options.compiled_conditions = compiled;
  try {
    auto r = engine::evaluate(program, ev, options);
    std::string out = fmt::format("{} {}\n", engine::to_string(r.outcome), r.label.value_or("-"));
    for (const auto& i : r.indicators) {
      out += fmt::format("{} {} [{}]\n", i.id, engine::to_string(i.verdict), fmt::join(i.missing, ","));
      for (const auto& c : i.checks)
        out += fmt::format(" {} {} {} [{}]\n", c.result ? (*c.result ? 1 : 0) : 2, c.message.value_or("-"),
                           c.gap.value_or("-"), fmt::join(c.missing, ","));
    }
    return out;
  } catch (const engine::EvalError& e) {
    return std::string("error: ") + e.what();
  }
}

/// The fast path for compiled conditions must decide as the general
/// evaluator does (engine/compiled.hpp): a difference is a crash.
inline void check_fast_path(const engine::Program& program, const engine::Evidence& ev, std::uint64_t step_budget) {
  auto general = decided(program, ev, false, step_budget);
  auto fast = decided(program, ev, true, step_budget);
  if (general != fast) {
    std::fprintf(stderr, "fast path differs\ngeneral:\n%s\nfast:\n%s\n", general.c_str(), fast.c_str());
    std::abort();
  }
}

}  // namespace verdict::fuzz
