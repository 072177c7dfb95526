// Expression semantics as data: tests/language/expressions.txt holds lines
// `EXPRESSION ==> EXPECTED`, evaluated over tests/language/evidence.yaml.
#include <doctest/doctest.h>

#include <fstream>

#include "dsl/load.hpp"
#include "engine/evaluator.hpp"
#include "engine/schema.hpp"
#include "engine/text.hpp"

using namespace verdict;

namespace {

engine::Evidence fixed_evidence() {
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto path = std::string(VERDICT_TEST_DIR) + "/language/evidence.yaml";
  return engine::load_evidence(std::make_shared<Source>(path, read_file(path)), *schema);
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// Evaluates one expression as the value of a let inside an indicator.
std::string evaluate_expression(const std::string& expr, const engine::Evidence& evidence) {
  std::string text = "ruleset \"expressions\" version \"0\"\n  schema \"any\"\n  as_of 2026-06-30\n"
                     "indicator \"x\" \"x\" {\n  let value = " + expr + "\n  require true\n}\n";
  auto program = dsl::load_ruleset_text(std::make_shared<Source>("expression.rules", text));
  auto result = engine::evaluate(program, evidence);
  return engine::to_display(result.indicators.at(0).values.at(0).second);
}

}  // namespace

TEST_CASE("expression semantics: exact numbers, three values, dates, collections") {
  auto evidence = fixed_evidence();
  std::ifstream in(VERDICT_TEST_DIR "/language/expressions.txt");
  REQUIRE(in);
  std::string line;
  int n = 0, checked = 0;
  while (std::getline(in, line)) {
    ++n;
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    auto arrow = line.find("==>");
    REQUIRE_MESSAGE(arrow != std::string::npos, "expressions.txt:", n, ": no ==> in the line");
    std::string expr = trim(line.substr(0, arrow)), expected = trim(line.substr(arrow + 3));
    std::string got;
    try {
      got = evaluate_expression(expr, evidence);
    } catch (const DiagnosticError& e) {
      got = "error: " + render(e.diagnostics());
    } catch (const engine::EvalError& e) {
      got = std::string("eval error: ") + e.what();
    }
    CHECK_MESSAGE(got == expected, "expressions.txt:", n, ": ", expr, "\n  expected ", expected, "\n  got      ", got);
    ++checked;
  }
  CHECK(checked >= 60);
}

TEST_CASE("an error in a message's hole leaves the evaluation as it was") {
  // The message of the failing check reads `bad`, whose evaluation fails
  // (a tag is a string); the message shows the error and evaluation goes on.
  // The later check that needs `bad` again gets the same error, not "depends
  // on itself", and the element stack is intact for the collection after it.
  auto evidence = fixed_evidence();
  std::string text = "ruleset \"holes\" version \"0\"\n  schema \"any\"\n  as_of 2026-06-30\n"
                     "let bad = sum(items, .tag)\n"
                     "indicator \"a\" \"a\" {\n  require false else \"bad is {bad}\"\n}\n"
                     "indicator \"b\" \"b\" {\n  require count(items where .ok) == 2\n  require bad > 0\n}\n";
  auto program = dsl::load_ruleset_text(std::make_shared<Source>("holes.rules", text));
  std::string got;
  try {
    engine::evaluate(program, evidence);
  } catch (const engine::EvalError& e) {
    got = e.what();
  }
  CHECK_MESSAGE(got.find("sum() needs numbers") != std::string::npos, got);
  CHECK(got.find("depends on itself") == std::string::npos);
}

TEST_CASE("an error inside a collection operation in a message's hole leaves the element stack as it was") {
  // The hole fails while an element is bound (a number overflows inside the
  // `where`); the message shows the error, and the later `where` reads its
  // own elements, not the one the failed hole left behind.
  auto evidence = fixed_evidence();
  std::string text = "ruleset \"holes\" version \"0\"\n  schema \"any\"\n  as_of 2026-06-30\n"
                     "indicator \"a\" \"a\" {\n  require false else \"{count(items where .n * 9223372036854775807 > 0)}\"\n}\n"
                     "indicator \"b\" \"b\" {\n  require count(items where .ok) == 2\n}\n";
  auto program = dsl::load_ruleset_text(std::make_shared<Source>("holes.rules", text));
  for (bool compiled : {true, false}) {
    engine::EvalOptions options;
    options.compiled_conditions = compiled;
    auto r = engine::evaluate(program, evidence, options);
    REQUIRE(r.indicators.size() == 2);
    REQUIRE(r.indicators[0].checks.size() == 1);
    CHECK_MESSAGE(r.indicators[0].checks[0].message.value_or("").find("overflow") != std::string::npos,
                  r.indicators[0].checks[0].message.value_or("-"));
    CHECK_MESSAGE(r.indicators[1].verdict == engine::Verdict::pass, "compiled conditions ", compiled);
  }
}

TEST_CASE("'in' over a list built anew for each element stays right when the indexes are dropped") {
  // 1,500 elements, each looking its value up in a 1,500-item list made for
  // it: 2.25 million items indexed in all, past the 262,144 kept at once,
  // so the membership indexes are dropped and built again along the way.
  std::string yaml = "xs:\n";
  for (int i = 0; i < 1500; ++i) yaml += "  - {v: " + std::to_string(i) + "}\n";
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto evidence = engine::load_evidence(std::make_shared<Source>("xs.yaml", yaml), *schema);
  auto result = engine::evaluate(
      dsl::load_ruleset_text(std::make_shared<Source>(
          "in.rules", "ruleset \"in\" version \"0\"\n  schema \"any\"\n  as_of 2026-06-30\nindicator \"x\" \"x\" {\n"
                      "  let found = count(xs as x where x.v in distinct(xs, .v))\n"
                      "  let missed = count(xs as x where x.v + 1500 in distinct(xs, .v))\n  require true\n}\n")),
      evidence);
  CHECK(engine::to_display(result.indicators.at(0).values.at(0).second) == "1500");
  CHECK(engine::to_display(result.indicators.at(0).values.at(1).second) == "0");
}
