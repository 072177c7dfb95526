// YAML → typed, validated evidence (ecei-evidence/1), by both loaders: the
// one that types the parser's events (load_evidence) and the one that types
// the YamlNode tree. They must give the same evidence or the same errors: a
// difference is a crash.
#include "tests/fuzz/fuzz_common.hpp"
#include "tests/unit/loader_outcome.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  auto src = fuzz::source_of(data, size, "fuzz.yaml");
  engine::YamlLimits limits;
  limits.max_nodes = 200'000;
  const auto& schema = *fuzz::ecei_minimum().schema;
  auto events = testing::outcome_of([&] { return engine::load_evidence(src, schema, limits); });
  auto tree = testing::outcome_of([&] { return testing::load_by_tree(src, schema, limits); });
  if (events != tree) {
    std::fprintf(stderr, "the two loaders differ:\n--- events\n%s\n--- tree\n%s\n", events.c_str(), tree.c_str());
    std::abort();
  }
  try {
    (void)engine::load_evidence(src, schema, limits);
  } catch (const DiagnosticError& e) {
    (void)render(e.diagnostics());
  }
  return 0;
}
