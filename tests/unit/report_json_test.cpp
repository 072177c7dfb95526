// The JSON report of a batch is written entry by entry on the batch's
// threads; it must be byte for byte the document nlohmann::json would dump
// whole, whatever the number of threads, for passing, failing, unknown and
// unreadable evidence alike.
#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/batch.hpp"
#include "cli/evidence_files.hpp"
#include "cli/report.hpp"
#include "cli/workspace.hpp"

using namespace verdict;

TEST_CASE("the JSON report is one document, the same on any number of threads") {
  const std::string root = VERDICT_TEST_DIR "/..";
  auto ruleset = cli::load_ruleset(root + "/rulesets/ecei/ecei-gold-2012.1.rules", {}, false);
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/examples/evidence")) paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  paths.push_back(root + "/tests/evidence/errors/carriage_returns.yaml");  // a file that does not load
  paths.push_back(root + "/no/such/file.yaml");                           // a file that cannot be read
  std::vector<cli::FileOutcome> outcomes;
  for (const auto& p : paths) outcomes.push_back(cli::evaluate_file(p, ruleset, std::nullopt, {}, false));
  REQUIRE(outcomes.size() == 6);
  CHECK(outcomes[4].result == std::nullopt);
  CHECK(outcomes[5].result == std::nullopt);

  for (std::size_t n : {std::size_t{0}, std::size_t{1}, outcomes.size()}) {
    std::vector<cli::FileOutcome> some(outcomes.begin(), outcomes.begin() + static_cast<std::ptrdiff_t>(n));
    std::string one = cli::render_report(cli::ReportFormat::json, ruleset.info, some, false);
    // The same files as a batch on two threads, written entry by entry.
    std::string two;
    cli::BatchOptions options;
    options.format = cli::ReportFormat::json;
    options.threads = 2;
    cli::BatchOutput output;
    output.report = [&](const std::string& part) { two += part; };
    output.errors = [](const std::string&) {};
    cli::evaluate_batch(std::vector<std::string>(paths.begin(), paths.begin() + static_cast<std::ptrdiff_t>(n)), ruleset,
                        options, output);
    CHECK(one == two);
    // Parsed and dumped whole again (keys in order), it is unchanged.
    CHECK(nlohmann::ordered_json::parse(one).dump(2) + "\n" == one);
    CHECK(nlohmann::ordered_json::parse(one)["results"].size() == n);
  }
}
