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
