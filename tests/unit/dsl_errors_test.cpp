// Rendered diagnostics of broken rulesets. The cases are data:
// tests/dsl/errors/NAME.rules and NAME.expected (the rendered diagnostics,
// errors and warnings). Adding a case is adding two files; run with
// VERDICT_UPDATE_EXPECTED=1 to (re)write the .expected files, then review them.
#include <doctest/doctest.h>

#include "tests/unit/golden.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "dsl/load.hpp"
#include "dsl/parser.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

// Everything a ruleset author would see for `text`: the errors, or the warnings.
std::string diagnose(const std::string& name, std::string text) {
  auto src = std::make_shared<const Source>(name, std::move(text));
  try {
    Diagnostics warnings;
    dsl::load_ruleset_text(src, &warnings);
    return render(warnings);
  } catch (const DiagnosticError& e) {
    return render(e.diagnostics());
  }
}

Diagnostic first_error(const std::string& text, const dsl::RuleLimits& limits = {}) {
  try {
    dsl::load_ruleset_text(std::make_shared<const Source>("x.rules", text), nullptr, {}, limits);
  } catch (const DiagnosticError& e) {
    return e.diagnostics().items().front();
  }
  FAIL("expected an error");
  return {};
}

}  // namespace

TEST_CASE("dsl errors: every case in tests/dsl/errors renders as expected") {
  verdict::testing::run_golden_folder(fs::path(VERDICT_TEST_DIR) / "dsl" / "errors", ".rules", 12,
                                      [](const std::string& name, const std::string& text) { return diagnose(name, text); });
}

TEST_CASE("dsl errors: a parse error has file:line:col, the source line, a caret, and what was expected") {
  auto out = diagnose("demo.rules", "ruleset \"t\" version \"1\"\nlet a = (1 + )\n");
  CHECK(out ==
        "demo.rules:2:14: error[parse_error]: expected an expression after the operator, found ')'\n"
        " 2 | let a = (1 + )\n"
        "   |              ^\n");
}

TEST_CASE("dsl errors: an unclosed bracket says where it opened") {
  auto d = first_error("ruleset \"t\" version \"1\"\nlet a = [1, 2\n");
  CHECK(d.code == "parse_error");
  CHECK(d.message == "expected ',' or ']' to close the list, found end of file");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].severity == Severity::note);
  CHECK(d.notes[0].message == "the '[' opened here");
  CHECK(d.notes[0].position().line == 2);
  CHECK(d.notes[0].position().column == 9);

  auto brace = first_error("ruleset \"t\" version \"1\"\nindicator \"1\" \"t\" {\n  require x\n");
  CHECK(brace.message == "expected '}' to close the indicator, found end of file");
  REQUIRE(brace.notes.size() == 1);
  CHECK(brace.notes[0].message == "the '{' opened here");
  CHECK(brace.notes[0].position().column == 19);

  auto string = first_error("ruleset \"t\" version \"1\"\nlet s = \"open\n");
  REQUIRE(string.notes.size() == 1);
  CHECK(string.notes[0].message == "the string opened here");
}

TEST_CASE("dsl errors: hostile nesting is a clean error, not a crash") {
  const std::string head = "ruleset \"t\" version \"1\"\nlet x = ";
  const std::string too_deep = "expression nested more than 256 levels deep (limit max_rule_depth; raise it with --max-rule-depth)";
  for (auto [open, close] : {std::pair{"(", ")"}, {"[", "]"}, {"count(", ")"}, {"a[", "]"}, {"if a then ", " else b"}}) {
    std::string text = head;
    for (int i = 0; i < 10000; ++i) text += open;
    text += "1";
    for (int i = 0; i < 10000; ++i) text += close;
    CAPTURE(open);
    auto d = first_error(text);
    CHECK(d.code == "parse_error");
    CHECK(d.message == too_deep);
  }
  for (const char* prefix : {"not ", "-", "a where "}) {
    std::string text = head;
    for (int i = 0; i < 10000; ++i) text += prefix;
    text += "a";
    CAPTURE(prefix);
    CHECK(first_error(text).message == too_deep);
  }
  std::string chain = head + "a";
  for (int i = 0; i < 100000; ++i) chain += " + a";
  CHECK(first_error(chain).message == too_deep);

  // 256 levels are fine.
  std::string deep = head;
  for (int i = 0; i < 256; ++i) deep += "(";
  deep += "1";
  for (int i = 0; i < 256; ++i) deep += ")";
  deep += "\nindicator \"1\" \"t\" { require x > 0 }\n";
  CHECK_NOTHROW(dsl::load_ruleset_text(std::make_shared<const Source>("x.rules", deep)));
}

TEST_CASE("dsl errors: a raised nesting limit lets deeper expressions through, up to the ceiling") {
  const std::string head = "ruleset \"t\" version \"1\"\nlet x = ";
  auto nested = [&](int levels) {
    std::string text = head + std::string(static_cast<std::size_t>(levels), '(') + "1" +
                       std::string(static_cast<std::size_t>(levels), ')') + "\nindicator \"1\" \"t\" { require x > 0 }\n";
    return text;
  };
  dsl::RuleLimits raised;
  raised.max_depth = 300;
  CHECK(first_error(nested(300)).message.find("more than 256 levels") != std::string::npos);
  CHECK_NOTHROW(dsl::load_ruleset_text(std::make_shared<const Source>("x.rules", nested(300)), nullptr, {}, raised));
  CHECK(first_error(nested(301), raised).message ==
        "expression nested more than 300 levels deep (limit max_rule_depth; raise it with --max-rule-depth)");

  // Beyond the ceiling the ceiling holds. (A chain of operators nests the
  // tree without nesting the parse, so this stays within the test's stack.)
  dsl::RuleLimits unbounded;
  unbounded.max_depth = std::size_t{1} << 40;
  std::string chain = head + "a";
  for (int i = 0; i < 100000; ++i) chain += " + a";
  CHECK(first_error(chain, unbounded).message ==
        "expression nested more than " + std::to_string(dsl::max_rule_depth_ceiling) +
            " levels deep (limit max_rule_depth; raise it with --max-rule-depth)");
}

TEST_CASE("dsl errors: lowering errors are check_errors with spans, all collected and sorted") {
  const std::string text =
      "ruleset \"t\" version \"1\"\n"
      "indicator \"1\" \"t\" {\n"
      "  require cnt(participants) > 1\n"
      "  require .x\n"
      "}\n";
  try {
    dsl::load_ruleset_text(std::make_shared<const Source>("x.rules", text));
    FAIL("no error");
  } catch (const DiagnosticError& e) {
    const auto& items = e.diagnostics().items();
    REQUIRE(items.size() == 2);
    CHECK(items[0].code == "check_error");
    CHECK(items[0].position().line == 3);
    CHECK(items[0].position().column == 11);
    CHECK(items[0].span.end - items[0].span.begin == 3);
    CHECK(items[1].position().line == 4);
  }
}

TEST_CASE("dsl errors: an unreadable file is an io_error") {
  try {
    dsl::load_ruleset_file("/nonexistent/rules.rules");
    FAIL("no error");
  } catch (const DiagnosticError& e) {
    CHECK(e.diagnostics().items().front().code == "io_error");
  }
}

TEST_CASE("dsl errors: a ruleset file over max_bytes is a limit error naming the flag") {
  const fs::path dir = fs::temp_directory_path() / ("verdict-rule-bytes-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string leaf_text = "ruleset \"leaf\" version \"1\"\n  extends \"base@1\"\n";
  std::ofstream(dir / "base.rules") << "ruleset \"base\" version \"1\"\n\nlet x = 1  # a base larger than the ruleset extending it\n";
  std::ofstream(dir / "leaf.rules") << leaf_text;
  const std::string base = (dir / "base.rules").string();
  dsl::RuleLimits limits;
  limits.max_bytes = leaf_text.size();  // the leaf fits, its base does not
  const std::string message = fmt::format("{}: the file has {} bytes, more than the limit of {} bytes "
                                          "(limit max_rule_bytes; raise it with --max-rule-bytes)",
                                          base, fs::file_size(base), leaf_text.size());
  auto expect_limit = [&](auto&& load) {
    try {
      load();
      FAIL("no error");
    } catch (const DiagnosticError& e) {
      CHECK(e.diagnostics().items().front().code == "limit");
      CHECK(e.diagnostics().items().front().message == message);
    }
  };
  expect_limit([&] { dsl::load_ruleset_file(base, nullptr, {}, limits); });
  // A base found through `extends` is read within the same limit.
  expect_limit([&] { dsl::load_ruleset_file((dir / "leaf.rules").string(), nullptr, {}, limits); });
  expect_limit([&] {
    dsl::load_ruleset_text(std::make_shared<const Source>((dir / "leaf.rules").string(), leaf_text), nullptr,
                           dsl::folder_resolver({}, limits), limits);
  });
  CHECK_NOTHROW(dsl::load_ruleset_file((dir / "leaf.rules").string()));
  fs::remove_all(dir);
}
