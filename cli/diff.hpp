// Dry-run of a rule change: the same evidence under a base and a candidate
// ruleset, which verdicts change, and which edit between the two causes each.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/report.hpp"
#include "cli/workspace.hpp"

namespace verdict::cli {

/// One difference between the base and the candidate ruleset.
struct Edit {
  enum class Kind { param_changed, param_added, param_removed, indicator_added, indicator_removed, indicator_changed,
                    let_changed, outcome_changed };
  Kind kind;
  std::string name;       // param, let or indicator id
  std::string base;       // the base's value or definition, for people
  std::string candidate;  // the candidate's
  std::string describe() const;
  const char* kind_name() const;
};

/// The edits from `base` to `candidate`, by comparing their programs.
std::vector<Edit> edits_between(const engine::Program& base, const engine::Program& candidate);

/// A verdict that changed in one file, and the edits that cause it.
struct IndicatorChange {
  std::string id;
  std::string base;       // pass|fail|unknown|absent
  std::string candidate;
  std::vector<const Edit*> causes;
  /// The causes move the verdict only together: no one of them alone does,
  /// and leaving any one out undoes the change (changed params only).
  bool together = false;
};

struct FileDiff {
  std::string evidence;
  std::optional<std::string> error;  // rendered, when the file could not be evaluated
  std::optional<Diagnostic> error_diag;
  bool unreadable = false;
  std::string base_outcome, candidate_outcome;
  std::vector<IndicatorChange> changes;
  /// When the outcome changes with no verdict changing: the edits that
  /// change which indicators decide it (an indicator made or unmade a
  /// minimum requirement, added or removed while not passing).
  /// When verdicts change too: the edits behind the changed verdicts of
  /// the indicators that decide the outcome.
  std::vector<const Edit*> outcome_causes;
  bool outcome_together = false;  // as IndicatorChange::together, for the label
  /// The outcome labels (an `outcome` block's); "" when none applies.
  std::string base_label, candidate_label;
  bool changed() const {
    return base_outcome != candidate_outcome || base_label != candidate_label || !changes.empty();
  }
};

struct DiffReport {
  RulesetInfo base, candidate;
  std::vector<Edit> edits;
  std::vector<FileDiff> files;
};

/// Evaluates every evidence file under both rulesets and attributes each
/// changed verdict to the edits that cause it on their own.
DiffReport diff_rulesets(const LoadedRuleset& base, const LoadedRuleset& candidate, const std::vector<std::string>& paths,
                         std::optional<engine::Date> as_of, bool color, unsigned jobs = 1,
                         const EvidenceLimits& limits = {});

std::string render_diff_text(const DiffReport& report, bool color);
std::string render_diff_json(const DiffReport& report);

}  // namespace verdict::cli
