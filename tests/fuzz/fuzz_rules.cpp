// Rule text → parse, lower, check against the ECEI schema. Any input may be
// refused with diagnostics; none may crash, hang or leak. And the catalogue's
// header scan (what `list` and `-r NAME` read without parsing) must find the
// name and version (and a title it finds must be the title) the parser reads
// in a ruleset that lowers cleanly; and
// `verdict fmt` of a ruleset that checks cleanly must be idempotent and keep
// its meaning (the same verdicts, messages and label on an example file).
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "tests/fuzz/fuzz_common.hpp"
#include "dsl/checker.hpp"
#include "dsl/printer.hpp"
#include "engine/catalogue.hpp"
#include "engine/text.hpp"

namespace {
using namespace verdict;

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "fmt: %s\n--- before\n%s\n--- after\n%s\n", what, a.c_str(), b.c_str());
  std::abort();
}

void formatting_keeps_meaning(const std::shared_ptr<const Source>& src) {
  static const engine::Evidence example = engine::load_evidence(
      std::make_shared<Source>("baltic-food.yaml", read_file(VERDICT_SOURCE_DIR "/examples/evidence/baltic-food.yaml")),
      *fuzz::ecei_minimum().schema);
  const std::string once = dsl::format_ruleset(src);
  const std::string twice = dsl::format_ruleset(std::make_shared<Source>("fuzz.rules", once));
  if (twice != once) fail("formatting twice changes the text", once, twice);
  engine::Program before, after;
  try {
    before = dsl::load_ruleset_text(src);
  } catch (const DiagnosticError&) {
    return;  // not a ruleset on its own (it extends another): nothing to compare
  }
  try {
    after = dsl::load_ruleset_text(std::make_shared<Source>("fuzz.rules", once));
  } catch (const DiagnosticError& e) {
    fail("the formatted text does not load", src->text(), once + "\n" + render(e.diagnostics()));
  }
  constexpr std::uint64_t kBudget = 1'000'000;
  const std::string a = fuzz::decided(before, example, true, kBudget);
  const std::string b = fuzz::decided(after, example, true, kBudget);
  if (a != b) fail("the formatted ruleset decides otherwise", a, b);
}
}  // namespace

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
    const bool checks_clean = clean && !checks.has_errors();
    checks.append(lowering);
    (void)render(checks);
    if (clean) {
      static const std::string path = fmt::format("/tmp/verdict-fuzz-rules-{}.rules", ::getpid());
      std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                  static_cast<std::streamsize>(size));
      const auto header = engine::read_ruleset_header(path);
      if (!header || header->name != program.name || header->version != program.version ||
          (!header->title.empty() && header->title != program.title)) {
        std::fprintf(stderr, "header scan: %s@%s \"%s\", parser: %s@%s \"%s\"\n", header ? header->name.c_str() : "(none)",
                     header ? header->version.c_str() : "", header ? header->title.c_str() : "", program.name.c_str(),
                     program.version.c_str(), program.title.c_str());
        std::abort();
      }
    }
    if (checks_clean) formatting_keeps_meaning(src);
  } catch (const DiagnosticError& e) {
    (void)render(e.diagnostics());
  }
  return 0;
}
