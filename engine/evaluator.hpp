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

/// One evaluated sub-expression, recorded for `explain` (outside collection
/// operations only: an element's values would be one per element).
struct TraceEntry {
  const Expr* expr = nullptr;
  Value value;
  std::string origin;  // for evidence: "participants (file.yaml:20)"
};

/// How much of the report an evaluation builds.
enum class Detail : std::uint8_t {
  full,      // checks with messages, gaps and missing evidence; the indicators' values
  verdicts,  // verdicts, levels, scores and the outcome only (what `diff` compares); no titles or groups
};

/// How often the fast path for compiled conditions (engine/compiled.hpp)
/// answered, and how often it gave up; for tests and benchmarks.
struct EvalStats {
  std::uint64_t answered = 0;
  std::uint64_t gave_up = 0;
};

/// How deeply one evaluation may nest (expression nodes inside each other,
/// lets read through lets); deeper is an evaluation error, never a crash.
/// The checker refuses chains of lets that could come near it.
inline constexpr int kMaxEvalDepth = 4000;

struct EvalOptions {
  Detail detail = Detail::full;
  std::optional<Date> as_of;              // overrides the ruleset's `as_of` expression
  std::uint64_t step_budget = 100'000'000;  // expression nodes evaluated, at most
  /// Replaces params by index (a dry-run applies one edit at a time this way).
  std::vector<std::pair<std::uint32_t, const Param*>> param_overrides;
  /// When set, every sub-expression evaluated outside a collection operation is recorded.
  std::vector<TraceEntry>* trace = nullptr;
  /// Whether conditions compiled when the ruleset was lowered take the fast
  /// path (engine/compiled.hpp). Off only to check that both decide alike.
  bool compiled_conditions = true;
  /// When set, counts the fast path's answers.
  EvalStats* stats = nullptr;
  /// When set, only the indicator at this position is evaluated (`explain`:
  /// an error in another indicator does not stop it); the others are left
  /// unknown, with nothing evaluated, and there is no outcome or label.
  std::optional<std::uint32_t> only_indicator;
};

/// Evaluates every indicator and the outcome. Throws EvalError.
EvaluationResult evaluate(const Program& program, const Evidence& evidence, const EvalOptions& options = {});
/// The same into `into`, reusing the memory of what it holds (a batch that
/// evaluates file after file into one result does not allocate its
/// indicators' results again). Everything `into` held is replaced; after an
/// EvalError it holds no meaningful result.
void evaluate_into(const Program& program, const Evidence& evidence, const EvalOptions& options,
                   EvaluationResult& into);

/// One element of a collection operation, and the value of every
/// sub-expression of the operation's per-element argument for it.
struct ElementTrace {
  Value element;
  std::vector<TraceEntry> entries;
};
/// For a collection operation `op` of `program` that is evaluated outside
/// any other (a `where`, or any, all, sum, min, max, distinct or share with
/// a per-element argument): its per-element argument traced for each of the
/// first `limit` elements of its collection, as `explain` shows them. Empty
/// when `op` is not such an operation or its collection is not a list.
/// Throws EvalError.
std::vector<ElementTrace> trace_elements(const Program& program, const Evidence& evidence, const EvalOptions& options,
                                         const Expr& op, std::size_t limit);

/// The value of one param at a date (the dated value in force).
const Value& param_value(const Param& p, std::optional<Date> as_of);

}  // namespace verdict::engine
