// The shipped ecei-minimum ruleset evaluated on fuzzed evidence, with and
// without the fast path for compiled conditions, which must agree.
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  const auto& r = fuzz::ecei_minimum();
  auto src = fuzz::source_of(data, size, "fuzz.yaml");
  engine::YamlLimits limits;
  limits.max_nodes = 200'000;
  try {
    auto ev = engine::load_evidence(src, *r.schema, limits);
    fuzz::check_fast_path(r.program, ev, 2'000'000);
  } catch (const DiagnosticError&) {
  } catch (const engine::EvalError&) {
  }
  return 0;
}
