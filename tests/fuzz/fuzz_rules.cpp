// Rule text → parse, lower, check against the ECEI schema. Any input may be
// refused with diagnostics; none may crash, hang or leak.
#include "tests/fuzz/fuzz_common.hpp"
#include "dsl/checker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  auto src = fuzz::source_of(data, size, "fuzz.rules");
  try {
    Diagnostics warnings;
    auto program = dsl::load_ruleset_text(src, &warnings);
    Diagnostics checks;
    dsl::check_program(program, *fuzz::ecei_minimum().schema, checks);
    (void)render(checks);
  } catch (const DiagnosticError& e) {
    (void)render(e.diagnostics());
  }
  return 0;
}
