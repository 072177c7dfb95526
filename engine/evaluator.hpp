// Evaluates a lowered program over one evidence document.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/builtins.hpp"
#include "engine/evidence.hpp"
#include "engine/program.hpp"
#include "engine/result.hpp"

namespace verdict::engine {

struct EvalOptions {
  std::optional<Date> as_of;              // overrides the ruleset's `as_of` expression
  std::uint64_t step_budget = 100'000'000;  // expression nodes evaluated, at most
  /// Replaces params by index (a dry-run applies one edit at a time this way).
  std::vector<std::pair<std::uint32_t, const Param*>> param_overrides;
};

/// Evaluates every indicator and the outcome. Throws EvalError.
EvaluationResult evaluate(const Program& program, const Evidence& evidence, const EvalOptions& options = {});

/// The value of one param at a date (the dated value in force).
const Value& param_value(const Param& p, std::optional<Date> as_of);

}  // namespace verdict::engine
