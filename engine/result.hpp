// What an evaluation produces: per indicator a verdict with the checks, values
// and missing evidence behind it, and for the whole evidence an outcome.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/texts.hpp"
#include "engine/value.hpp"

namespace verdict::engine {

/// Three-valued verdict.
enum class Verdict { pass, fail, unknown };
const char* to_string(Verdict v);

/// One `require`: its condition, result (nullopt = unknown) and message.
struct CheckResult {
  std::string source;
  std::uint32_t line = 0;
  std::string file;  // the ruleset file the require is written in, when it is inherited from a base
  std::optional<bool> result;
  std::optional<std::string> message;  // the rendered `else` message, on failure
  std::vector<std::string> missing;    // absent evidence paths met while evaluating it
  std::optional<std::string> gap;      // on failure: the smallest change that would make it hold
  std::optional<std::string> unknown_because;  // unknown with no evidence absent: why (a share of no entries)
};

struct IndicatorResult {
  std::string id;
  std::string title;
  std::string group;
  bool minimum = false;
  Verdict verdict = Verdict::unknown;
  std::optional<std::string> level;
  std::optional<Number> score;
  std::optional<Number> score_of;
  Texts cites;  // shared with the program
  Texts notes;
  std::vector<CheckResult> checks;
  std::vector<std::pair<std::string, Value>> values;  // the indicator's lets
  std::vector<std::string> missing;                   // of the checks that were unknown, deduplicated
};

struct GroupInfo {
  std::string id;
  std::string title;
};

struct EvaluationResult {
  std::optional<Date> as_of;  // none when the ruleset has no as_of and none was given
  Verdict outcome = Verdict::unknown;
  std::optional<std::string> label;
  int pass = 0, fail = 0, unknown = 0;
  std::optional<Number> points;      // sum of scores, when the ruleset scores
  std::optional<Number> max_points;
  std::vector<GroupInfo> groups;
  std::vector<IndicatorResult> indicators;
  /// Made by a verdicts-only evaluation (Detail::verdicts): the indicators'
  /// titles, groups, cites, notes, checks, values and missing evidence, and
  /// `groups`, are empty.
  bool verdicts_only = false;
};

}  // namespace verdict::engine
