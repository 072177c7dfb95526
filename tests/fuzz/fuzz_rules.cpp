// Rule text → parse, lower, check against the ECEI schema. Any input may be
// refused with diagnostics; none may crash, hang or leak. And the catalogue's
// header scan (what `list` and `-r NAME` read without parsing) must find the
// name and version the parser reads in a ruleset that lowers cleanly.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "tests/fuzz/fuzz_common.hpp"
#include "dsl/checker.hpp"
#include "engine/catalogue.hpp"

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
    const bool clean = !lowering.has_errors() && !program.name.empty();
    checks.append(lowering);
    (void)render(checks);
    if (clean) {
      static const std::string path = fmt::format("/tmp/verdict-fuzz-rules-{}.rules", ::getpid());
      std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                  static_cast<std::streamsize>(size));
      const auto header = engine::read_ruleset_header(path);
      if (!header || header->name != program.name || header->version != program.version) {
        std::fprintf(stderr, "header scan: %s@%s, parser: %s@%s\n", header ? header->name.c_str() : "(none)",
                     header ? header->version.c_str() : "", program.name.c_str(), program.version.c_str());
        std::abort();
      }
    }
  } catch (const DiagnosticError& e) {
    (void)render(e.diagnostics());
  }
  return 0;
}
