// Dry-run over a generated corpus of 200 evidence files: the candidate raises
// the 2.5 contact threshold from 20 % to 25 %. The test computes on its own,
// from the YAML, which files must change and how, and checks that the diff
// finds exactly those, each caused by the param edit.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <yaml-cpp/yaml.h>

#include "bench/evidence_generator.hpp"
#include "cli/diff.hpp"
#include "engine/date.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

// The share of participants with a contact dated within one year of the
// assessment date, as numerator and denominator, read straight from YAML.
std::pair<long, long> contact_share(const YAML::Node& doc) {
  auto d = *engine::parse_date(doc["assessment"]["date"].as<std::string>());
  auto year_ago = engine::add(d, engine::Duration{12, 0}, -1);
  long with = 0, all = 0;
  for (const auto& p : doc["participants"]) {
    ++all;
    bool any = false;
    if (p["contacts"])
      for (const auto& c : p["contacts"]) {
        auto cd = *engine::parse_date(c["date"].as<std::string>());
        if (cd >= year_ago && cd <= d) any = true;
      }
    with += any;
  }
  return {with, all};
}

}  // namespace

TEST_CASE("diff over 200 generated files finds exactly the expected 2.5 transitions and names the edit") {
  fs::path dir = fs::temp_directory_path() / ("verdict-diff-corpus-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> paths;
  for (unsigned seed = 1; seed <= 200; ++seed) {
    auto path = dir / ("c" + std::to_string(seed) + ".yaml");
    std::ofstream(path) << bench::generate_evidence(20 + static_cast<int>(seed % 41), seed);
    paths.push_back(path.string());
  }
  auto base = cli::load_ruleset("ecei-minimum@2012.1", {}, false);
  auto cand = cli::load_ruleset(VERDICT_TEST_DIR "/diff/ecei-minimum-contacts-25.rules", {}, false);
  auto report = cli::diff_rulesets(base, cand, paths, std::nullopt, false);
  REQUIRE(report.files.size() == 200);

  // The only edit is the param.
  REQUIRE(report.edits.size() == 1);
  CHECK(report.edits[0].kind == cli::Edit::Kind::param_changed);
  CHECK(report.edits[0].name == "min_contact_share");

  int expected_changes = 0, found_changes = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto& f = report.files[i];
    REQUIRE_MESSAGE(!f.error, paths[i], ": ", f.error.value_or(""));
    auto [with, all] = contact_share(YAML::LoadFile(paths[i]));
    // Exact: with/all >= 1/5 and with/all >= 1/4, compared in integers.
    bool base_pass = with * 5 >= all, cand_pass = with * 4 >= all;
    std::string expect_b = base_pass ? "pass" : "fail", expect_c = cand_pass ? "pass" : "fail";
    const cli::IndicatorChange* change = nullptr;
    for (const auto& c : f.changes)
      if (c.id == "2.5") change = &c;
    INFO(paths[i], ": ", with, " of ", all, " contacted");
    if (expect_b == expect_c) {
      CHECK(change == nullptr);
      CHECK(f.changes.empty());
    } else {
      ++expected_changes;
      REQUIRE(change != nullptr);
      ++found_changes;
      CHECK(change->base == expect_b);
      CHECK(change->candidate == expect_c);
      REQUIRE(change->causes.size() == 1);
      CHECK(change->causes[0]->name == "min_contact_share");
      // The outcome follows: a pass becomes a fail; a fail stays a fail.
      if (f.base_outcome == "pass") CHECK(f.candidate_outcome == "fail");
      else CHECK(f.candidate_outcome == f.base_outcome);
    }
  }
  CHECK(found_changes == expected_changes);
  CHECK(expected_changes >= 10);  // the corpus straddles the thresholds
  MESSAGE(expected_changes, " of 200 files change 2.5 from pass to fail");
  fs::remove_all(dir);
}
