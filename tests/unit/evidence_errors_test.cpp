// Golden evidence errors: each tests/evidence/errors/NAME.yaml is loaded
// against the ecei-evidence/1 schema and its rendered diagnostics compared
// with NAME.expected. VERDICT_UPDATE_EXPECTED=1 rewrites the .expected files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/schema.hpp"
#include "engine/text.hpp"

using namespace verdict;
namespace fs = std::filesystem;

TEST_CASE("evidence errors render as their golden files") {
  auto schema = engine::Schema::load(VERDICT_TEST_DIR "/../schemas/ecei-evidence-1.schema.json");
  const fs::path dir = VERDICT_TEST_DIR "/evidence/errors";
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yaml") inputs.push_back(e.path());
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(inputs.size() >= 12);
  const bool update = std::getenv("VERDICT_UPDATE_EXPECTED") != nullptr;
  for (const auto& input : inputs) {
    // Named relative to tests/ so the goldens do not depend on the checkout path.
    std::string name = "evidence/errors/" + input.filename().string();
    auto source = std::make_shared<Source>(name, read_file(input.string()));
    std::string actual;
    try {
      engine::load_evidence(source, *schema);
      actual = "(no error)\n";
    } catch (const DiagnosticError& e) {
      actual = render(e.diagnostics());
    }
    fs::path expected = fs::path(input).replace_extension(".expected");
    if (update) std::ofstream(expected) << actual;
    INFO("golden: ", expected.string());
    REQUIRE_MESSAGE(fs::exists(expected), "missing ", expected.string(), " (run with VERDICT_UPDATE_EXPECTED=1)");
    CHECK(actual == read_file(expected.string()));
    CHECK(actual.find("error[evidence_error]") != std::string::npos);
  }
  // Every .expected has its input.
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".expected")
      CHECK_MESSAGE(fs::exists(fs::path(e.path()).replace_extension(".yaml")), "orphan golden ", e.path().string());
}
