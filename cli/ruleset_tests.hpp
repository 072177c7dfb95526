// Ruleset test files (`*.test.yaml`): cases of evidence and expected verdicts.
// The project's own test suite runs them; `verdict test` will too.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cli/workspace.hpp"
#include "engine/result.hpp"

namespace verdict::cli {

/// One expectation that did not hold (or an error in the case).
struct CaseFailure {
  std::string what;  // "2.5: expected pass, got fail"
};

struct CaseResult {
  std::string name;
  std::uint32_t line = 0;
  std::vector<CaseFailure> failures;
  std::optional<engine::EvaluationResult> result;  // for coverage
  bool passed() const { return failures.empty(); }
};

struct TestFileResult {
  std::string path;
  std::string ruleset;          // as named in the file
  RulesetInfo info;             // the ruleset it ran (when it could be loaded)
  std::vector<CaseResult> cases;
  std::optional<std::string> error;  // the file itself could not be run (rendered)
  bool unreadable = false;           // ... because it could not be read
  std::vector<std::string> inputs;   // every file it read: itself, the ruleset's files, the evidence
};

/// Runs every case of one test file. Never throws for bad input. The test
/// file and the evidence files it names are read within `limits`.
TestFileResult run_test_file(const std::string& path, const SearchOptions& search, const EvidenceLimits& limits = {});

/// Test files: the paths given (files, or folders searched for *.test.yaml),
/// or, with none, those beside the rulesets of the catalogue.
std::vector<std::string> find_test_files(const std::vector<std::string>& paths, const SearchOptions& search);

/// Which `require`s no case made true, and which none made false.
struct CoverageGap {
  std::string ruleset;  // NAME@VERSION
  std::string indicator;
  std::string source;
  std::uint32_t line = 0;
  std::string file;  // the ruleset file of `line` when the require is inherited from a base ("" otherwise)
  bool never_true = false;
  bool never_false = false;
};
std::vector<CoverageGap> coverage_gaps(const std::vector<TestFileResult>& results);

std::string render_tests_text(const std::vector<TestFileResult>& results, const std::vector<CoverageGap>& gaps, bool color);
std::string render_tests_json(const std::vector<TestFileResult>& results, const std::vector<CoverageGap>& gaps);
std::string render_tests_junit(const std::vector<TestFileResult>& results);

}  // namespace verdict::cli
