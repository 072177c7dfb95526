// The static checker against the evidence schema. The cases are data:
// tests/dsl/check/NAME.rules (rulesets naming ecei-evidence/1) and
// NAME.expected (every rendered diagnostic, errors and warnings). Adding a case
// is adding two files; run with VERDICT_UPDATE_EXPECTED=1 to (re)write the
// .expected files, then review them.
#include <doctest/doctest.h>

#include "tests/unit/golden.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <unistd.h>

#include "dsl/checker.hpp"
#include "dsl/load.hpp"
#include "engine/catalogue.hpp"
#include "engine/schema.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

const engine::Schema& ecei_schema() {
  static const auto schema = engine::Schema::load(VERDICT_TEST_DIR "/../schemas/ecei-evidence-1.schema.json");
  return *schema;
}

// Everything a ruleset author would see for `text`: the errors, or the warnings.
std::string diagnose(const std::string& name, std::string text) {
  auto src = std::make_shared<const Source>(name, std::move(text));
  try {
    Diagnostics warnings;
    dsl::load_and_check(src, ecei_schema(), &warnings);
    return render(warnings);
  } catch (const DiagnosticError& e) {
    return render(e.diagnostics());
  }
}

// The check errors of one ruleset text (lowering must succeed).
std::vector<Diagnostic> check_errors(const std::string& text) {
  auto src = std::make_shared<const Source>("x.rules", text);
  auto program = dsl::load_ruleset_text(src);
  Diagnostics diags;
  dsl::check_program(program, ecei_schema(), diags);
  diags.sort();
  return diags.items();
}

}  // namespace

TEST_CASE("dsl check: every case in tests/dsl/check renders as expected") {
  verdict::testing::run_golden_folder(fs::path(VERDICT_TEST_DIR) / "dsl" / "check", ".rules", 25,
                                      [](const std::string& name, const std::string& text) { return diagnose(name, text); });
}

TEST_CASE("dsl check: every shipped ruleset checks clean against the schema it names") {
  // The catalogue and the examples; a schema is found by its $id beside the
  // ruleset or in schemas/, or is a .json path beside the ruleset.
  const fs::path root = fs::path(VERDICT_TEST_DIR) / "..";
  std::size_t count = 0;
  for (const char* folder : {"rulesets", "examples"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      if (entry.path().extension() != ".rules") continue;
      ++count;
      CAPTURE(entry.path().string());
      auto program = dsl::load_ruleset_file(entry.path().string());
      const auto beside = entry.path().parent_path();
      auto schema_path = program.schema.ends_with(".json")
                             ? std::optional<std::string>((beside / program.schema).string())
                             : engine::find_schema({beside.string(), (root / "schemas").string()}, program.schema);
      REQUIRE(schema_path);
      auto schema = engine::Schema::load(*schema_path);
      Diagnostics diags;
      dsl::check_program(program, *schema, diags);
      CHECK_MESSAGE(diags.empty(), render(diags));
    }
  }
  CHECK(count >= 2);
}

TEST_CASE("dsl check: errors are check_errors at the offending node, all collected") {
  auto errors = check_errors(
      "ruleset \"t\" version \"1\"\n"
      "indicator \"1\" \"t\" {\n"
      "  require any(participants, .comitted) and strategy.document.dat > as_of\n"
      "}\n");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].code == "check_error");
  CHECK(errors[0].message == "participants have no field 'comitted'; did you mean 'committed'?");
  CHECK(errors[0].position().column == 30);
  CHECK(errors[0].span.end - errors[0].span.begin == 8);
  // The caret sits under the field name, not the whole path.
  CHECK(errors[1].message == "strategy.document has no field 'dat'; did you mean 'date'?");
  CHECK(errors[1].position().column == 62);
  CHECK(errors[1].span.end - errors[1].span.begin == 3);
}

TEST_CASE("dsl check: a let is typed once, wherever it is read") {
  auto errors = check_errors(
      "ruleset \"t\" version \"1\"\n"
      "let kinds = participants where .kind == \"biz\"\n"
      "indicator \"1\" \"t\" {\n"
      "  require count(kinds) > 0 and count(kinds) < 10\n"
      "}\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].position().line == 2);
}

TEST_CASE("dsl check: a schema that allows anything makes fields any, not errors") {
  auto schema = engine::Schema::parse(std::make_shared<const Source>("open.json", R"({"$id": "open/1"})"));
  auto program = dsl::load_ruleset_text(std::make_shared<const Source>(
      "x.rules",
      "ruleset \"t\" version \"1\"\n"
      "indicator \"1\" \"t\" { require anything.at.all > 3 and count(x where .y) > 0 }\n"));
  Diagnostics diags;
  dsl::check_program(program, *schema, diags);
  CHECK(diags.empty());
}

TEST_CASE("dsl check: a long chain of lets, declared in any order, is typed without deep recursion") {
  std::string text = "ruleset \"t\" version \"1\"\n";
  const int n = 20000;
  // let l0 = l1 + 1, l1 = l2 + 1, …: each reads one declared after it.
  for (int i = 0; i < n; ++i) text += "let l" + std::to_string(i) + " = l" + std::to_string(i + 1) + " + 1\n";
  text += "let l" + std::to_string(n) + " = count(participants)\n";
  text += "indicator \"1\" \"t\" { require l0 > \"x\" }\n";
  auto errors = check_errors(text);
  // Typed without deep recursion, and its depth measured without it: the
  // chain is too deep to evaluate (said once, at the first let past the
  // limit), and l0's type is still known.
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message ==
        "let 'l19000' nests 2002 levels deep through the lets it reads, and evaluation allows at most 2000; "
        "shorten the chain of lets that read lets");
  CHECK(errors[1].message == "cannot compare 'l0' (a number) with '\"x\"' (a string)");
}

TEST_CASE("dsl check: a chain of lets that evaluation can nest checks; one it cannot is refused") {
  auto chain = [](int n) {
    std::string text = "ruleset \"t\" version \"1\"\nlet l0 = count(participants)\n";
    for (int i = 1; i < n; ++i) text += "let l" + std::to_string(i) + " = l" + std::to_string(i - 1) + " + 1\n";
    return text + "indicator \"1\" \"t\" { require l" + std::to_string(n - 1) + " > 0 }\n";
  };
  CHECK(check_errors(chain(900)).empty());
  auto errors = check_errors(chain(1100));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message.find("let 'l999' nests 2000") == std::string::npos);
  CHECK(errors[0].message.find("let 'l1000' nests 2002 levels deep") == 0);
}

TEST_CASE("schema lookups: a folder or schema file that changes is read again") {
  // find_schema and schema_id_of_file keep what they read (a catalogue of
  // many rulesets asks for the same schema again and again); a schema file
  // added to a folder, or one whose $id changes, is seen at the next lookup.
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("verdict-schema-cache-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  auto write = [](const fs::path& p, const std::string& text) { std::ofstream(p) << text; };
  write(dir / "a.json", R"({"$id": "first/1"})");
  CHECK(engine::find_schema({dir.string()}, "first/1") == (dir / "a.json").string());
  CHECK_FALSE(engine::find_schema({dir.string()}, "second/1"));
  write(dir / "sub" / "b.json", R"({"$id": "second/1"})");  // in a folder below: its own time changes
  CHECK(engine::find_schema({dir.string()}, "second/1") == (dir / "sub" / "b.json").string());
  write(dir / "c.json", R"({"$id": "third/1"})");  // beside the first
  CHECK(engine::find_schema({dir.string()}, "third/1") == (dir / "c.json").string());
  // The same file, another $id (and another size): the new one.
  write(dir / "a.json", R"({"$id": "first/22"})");
  CHECK(engine::schema_id_of_file((dir / "a.json").string()) == "first/22");
  CHECK(engine::find_schema({dir.string()}, "first/22") == (dir / "a.json").string());
  fs::remove(dir / "c.json");
  CHECK_FALSE(engine::find_schema({dir.string()}, "third/1"));
  fs::remove_all(dir);
}
