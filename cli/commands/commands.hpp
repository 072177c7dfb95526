// The subcommands. Each takes its parsed arguments and returns the exit code;
// only cli/app.cpp knows CLI11 (it is heavy to compile), so these stay plain.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "cli/workspace.hpp"

namespace verdict::cli {

struct EvaluateArgs {
  std::string ruleset;
  std::string as_of;
  std::string format = "text";
  std::string output;
  std::vector<std::string> evidence;
  EvidenceLimits limits;
  unsigned jobs = 0;  // threads; 0 = one per core
};
int run_evaluate(const EvaluateArgs& args, const SearchOptions& search, bool color);

struct CheckArgs {
  std::vector<std::string> rulesets;  // empty: every ruleset in the catalogue
  bool strict = false;                // warnings fail the check too
};
int run_check(const CheckArgs& args, const SearchOptions& search, bool color);

struct ValidateArgs {
  std::vector<std::string> evidence;
  engine::YamlLimits limits;
};
int run_validate(const ValidateArgs& args, const SearchOptions& search, bool color);

struct DiffArgs {
  std::string base;
  std::string candidate;
  std::string as_of;
  std::string format = "text";
  std::string output;
  bool fail_on_change = false;
  std::vector<std::string> evidence;
  EvidenceLimits limits;
  unsigned jobs = 0;
};
int run_diff(const DiffArgs& args, const SearchOptions& search, bool color);

struct ListArgs {
  std::string format = "text";
};
int run_list(const ListArgs& args, const SearchOptions& search, bool color);

struct TestArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;
  EvidenceLimits limits;  // for the test files and the evidence files they name
};
int run_test(const TestArgs& args, const SearchOptions& search, bool color);

struct ExplainArgs {
  std::string ruleset;
  std::string evidence;
  std::string indicator;
  std::string as_of;
  EvidenceLimits limits;
};
int run_explain(const ExplainArgs& args, const SearchOptions& search, bool color);

struct FmtArgs {
  std::vector<std::string> files;  // .rules files, or folders of them
  bool check = false;              // print a diff for each file that is not canonical; exit 1 if any
  bool write = false;              // rewrite those files in place (atomically)
  dsl::RuleLimits limits;          // the global --max-rule-bytes, --max-rule-depth
};
int run_fmt(const FmtArgs& args, bool color);

struct TemplateArgs {
  std::string ruleset;
  std::string output;
  bool force = false;  // overwrite an existing output file
};
int run_template(const TemplateArgs& args, const SearchOptions& search, bool color);

}  // namespace verdict::cli
