// Runs every ruleset test file under rulesets/, examples/ and tests/cases (evidence and
// expected verdicts as data). Adding a case is adding a file.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "cli/ruleset_tests.hpp"

namespace fs = std::filesystem;

static std::vector<std::string> test_files() {
  std::vector<std::string> out;
  for (const char* root : {VERDICT_TEST_DIR "/cases", VERDICT_TEST_DIR "/../rulesets", VERDICT_TEST_DIR "/../examples"}) {
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.is_regular_file() && e.path().filename().string().ends_with(".test.yaml")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("ruleset test files: every case gives its expected verdicts") {
  auto files = test_files();
  REQUIRE(files.size() >= 18);
  std::size_t cases = 0;
  for (const auto& file : files) {
    auto r = verdict::cli::run_test_file(file, {});
    INFO("test file: ", file);
    CHECK_MESSAGE(!r.error, (r.error ? *r.error : std::string()));
    CHECK(!r.cases.empty());
    for (const auto& c : r.cases) {
      ++cases;
      std::string why;
      for (const auto& f : c.failures) why += "\n  " + f.what;
      CHECK_MESSAGE(c.passed(), file, ":", c.line, ": ", c.name, why);
    }
  }
  MESSAGE(cases, " cases in ", files.size(), " files");
}

#include <fstream>
#include <regex>
#include <sstream>

#include "cli/workspace.hpp"

// The guideline's text with each run of blanks as one space and a word
// broken over a line ("partici-\npation") joined again.
static std::string normalised(const std::string& text) {
  std::string joined = std::regex_replace(text, std::regex("-[ \t]*\r?\n[ \t]*"), "");
  return std::regex_replace(joined, std::regex("\\s+"), " ");
}

TEST_CASE("ECEI rulesets cite the guideline word for word") {
  std::ifstream in(VERDICT_TEST_DIR "/../rulesets/ecei/source/ecei-minimum-requirements.txt");
  REQUIRE(in);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string guideline = normalised(buffer.str());
  std::size_t cites = 0;
  for (const char* ref : {"ecei-minimum@2012.1", "ecei-gold@2012.1", "ecei-eligibility@2019.1"}) {
    auto r = verdict::cli::load_ruleset(ref, {}, false);
    for (const auto& ind : r.program.indicators) {
      // Every guideline indicator cites it; eligibility's ECCP criteria (E.*)
      // are not in it, and say so in notes.
      if (!ind.id.starts_with("E.")) CHECK_MESSAGE(!ind.cites.empty(), ref, " ", ind.id, " cites nothing");
      for (const auto& cite : ind.cites) {
        ++cites;
        std::string text = normalised(std::string(cite));
        while (!text.empty() && text.back() == ' ') text.pop_back();
        CHECK_MESSAGE(guideline.find(text) != std::string::npos, ref, " ", ind.id, " cites text the guideline lacks: ", text);
      }
    }
  }
  CHECK(cites >= 80);
}
