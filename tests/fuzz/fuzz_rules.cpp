// Rule text → parse, lower, check against the ECEI schema. Any input may be
// refused with diagnostics; none may crash, hang or leak.
#include "tests/fuzz/fuzz_common.hpp"
#include "dsl/checker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  auto src = fuzz::source_of(data, size, "fuzz.rules");
  try {
    // As `verdict check` does it: the checker runs even after lowering errors
    // (the parts in error are unknown), and every error is rendered.
    Diagnostics warnings, lowering;
    auto program = dsl::load_for_check(src, lowering, &warnings);
    Diagnostics checks;
    dsl::check_program(program, *fuzz::ecei_minimum().schema, checks);
    checks.append(lowering);
    (void)render(checks);
  } catch (const DiagnosticError& e) {
    (void)render(e.diagnostics());
  }
  return 0;
}
