// Reading one evidence file for a ruleset: read, parse, type, evaluate, and
// turn every failure into a reportable outcome instead of an exception.
#pragma once
#include <optional>
#include <string>

#include "cli/report.hpp"
#include "cli/workspace.hpp"
#include "engine/evaluator.hpp"

namespace verdict::cli {

/// Loads one evidence file against a ruleset's schema. On failure, fills
/// `failure` (error, rendered text, unreadable) and returns nullopt.
std::optional<engine::Evidence> load_evidence_file(const std::string& path, const LoadedRuleset& ruleset,
                                                   const EvidenceLimits& limits, FileOutcome& failure, bool color);

/// Loads and evaluates one evidence file; never throws for bad input.
FileOutcome evaluate_file(const std::string& path, const LoadedRuleset& ruleset, std::optional<engine::Date> as_of,
                          const EvidenceLimits& limits, bool color);

}  // namespace verdict::cli
