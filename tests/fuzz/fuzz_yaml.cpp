// YAML → untyped tree → typed, validated evidence (ecei-evidence/1).
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  auto src = fuzz::source_of(data, size, "fuzz.yaml");
  engine::YamlLimits limits;
  limits.max_nodes = 200'000;
  try {
    auto ev = engine::load_evidence(src, *fuzz::ecei_minimum().schema, limits);
    (void)ev;
  } catch (const DiagnosticError& e) {
    (void)render(e.diagnostics());
  }
  return 0;
}
