// Ruleset test files (`*.test.yaml`): cases of evidence and expected verdicts.
// The project's own test suite runs them; `verdict test` will too.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cli/workspace.hpp"

namespace verdict::cli {

/// One expectation that did not hold (or an error in the case).
struct CaseFailure {
  std::string what;  // "2.5: expected pass, got fail"
};

struct CaseResult {
  std::string name;
  std::uint32_t line = 0;
  std::vector<CaseFailure> failures;
  bool passed() const { return failures.empty(); }
};

struct TestFileResult {
  std::string path;
  std::string ruleset;          // as named in the file
  std::vector<CaseResult> cases;
  std::optional<std::string> error;  // the file itself could not be run (rendered)
};

/// Runs every case of one test file. Never throws for bad input.
TestFileResult run_test_file(const std::string& path, const SearchOptions& search);

}  // namespace verdict::cli
