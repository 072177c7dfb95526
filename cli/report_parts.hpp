// The parts of each report format (see report_begin, report_file and
// report_end in report.hpp, which dispatch to these).
#pragma once
#include <string>
#include <vector>

#include "cli/report.hpp"

namespace verdict::cli::parts {

std::string text_begin(const RulesetInfo& ruleset, bool color);
std::string text_file(const FileOutcome& file, bool color);
std::string text_end(const BatchTally& tally, bool color);

std::string json_begin(const RulesetInfo& ruleset);
std::string json_file(const FileOutcome& file, std::size_t index);
std::string json_end(const BatchTally& tally);
/// The whole JSON report of a run whose ruleset does not check (or cannot
/// be read, or is not in the catalogue): no ruleset, no results, and the
/// errors with their positions; without any, `message` about `ref` (its
/// file when it names one).
std::string json_ruleset_error(const std::string& message, const std::vector<Diagnostic>& errors, const std::string& ref);
/// The whole JSON report of a run that found no evidence file to evaluate
/// (only empty folders): the ruleset, no results, and `message` as its error.
std::string json_no_evidence(const RulesetInfo& ruleset, const std::string& message);

std::string markdown_begin(const RulesetInfo& ruleset);
std::string markdown_file(const FileOutcome& file);

std::string html_begin(const RulesetInfo& ruleset, std::size_t files, const std::string& first_evidence);
std::string html_file(const FileOutcome& file, std::size_t index);
std::string html_end();

}  // namespace verdict::cli::parts
