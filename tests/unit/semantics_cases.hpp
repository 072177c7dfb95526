// The semantics cases as data (tests/language/expressions.txt, evaluated
// over tests/language/evidence.yaml), for the tests that run every
// expression through a whole ruleset.
#pragma once
#include <cctype>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "dsl/load.hpp"
#include "engine/schema.hpp"
#include "engine/text.hpp"

namespace verdict::test {

inline std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

struct SemanticsCase {
  int line = 0;
  std::string expression;
};

/// Every `EXPRESSION ==> EXPECTED` line of expressions.txt.
inline std::vector<SemanticsCase> semantics_cases() {
  std::vector<SemanticsCase> out;
  std::ifstream in(VERDICT_TEST_DIR "/language/expressions.txt");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto arrow = line.find("==>");
    if (trim(line).empty() || trim(line)[0] == '#' || arrow == std::string::npos) continue;
    out.push_back({n, trim(line.substr(0, arrow))});
  }
  return out;
}

/// The evidence the expressions read (without a schema: YAML's own types).
inline engine::Evidence semantics_evidence() {
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto path = std::string(VERDICT_TEST_DIR) + "/language/evidence.yaml";
  return engine::load_evidence(std::make_shared<Source>(path, read_file(path)), *schema);
}

/// A ruleset of one indicator whose body (lets and requires) is `body`, or
/// nothing when it does not check (e.g. a number as a condition).
inline std::optional<engine::Program> semantics_ruleset(const std::string& body) {
  std::string text = "ruleset \"expressions\" version \"0\"\n  schema \"any\"\n  as_of 2026-06-30\n"
                     "indicator \"x\" \"x\" {\n" + body + "}\n";
  try {
    return dsl::load_ruleset_text(std::make_shared<Source>("expression.rules", text));
  } catch (const DiagnosticError&) {
    return std::nullopt;
  }
}

}  // namespace verdict::test
