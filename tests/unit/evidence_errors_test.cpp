// Golden evidence errors: each tests/evidence/errors/NAME.yaml is loaded
// against the ecei-evidence/1 schema and its rendered diagnostics compared
// with NAME.expected. VERDICT_UPDATE_EXPECTED=1 rewrites the .expected files.
#include <doctest/doctest.h>

#include "engine/schema.hpp"
#include "tests/unit/golden.hpp"

using namespace verdict;

TEST_CASE("evidence errors render as their golden files") {
  auto schema = engine::Schema::load(VERDICT_TEST_DIR "/../schemas/ecei-evidence-1.schema.json");
  testing::run_golden_folder(VERDICT_TEST_DIR "/evidence/errors", ".yaml", 12, [&](const std::string& name, const std::string& text) {
    // Named relative to tests/ so the goldens do not depend on the checkout path.
    auto source = std::make_shared<Source>("evidence/errors/" + name, text);
    try {
      engine::load_evidence(source, *schema);
      return std::string("(no error)\n");
    } catch (const DiagnosticError& e) {
      std::string out = render(e.diagnostics());
      CHECK(out.find("error[evidence_error]") != std::string::npos);
      return out;
    }
  });
}
