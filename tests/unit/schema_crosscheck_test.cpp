// Cross-checks the shipped evidence schema with valijson, a standard JSON
// Schema validator: the schema is a valid draft-07 schema, and every evidence
// document that Verdict accepts is accepted by valijson too (Verdict is
// stricter: it also refuses dates that do not exist).
#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "bench/evidence_generator.hpp"
#include "engine/schema.hpp"
#include "engine/text.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

// YAML 1.2 core typing of an untyped node, as a JSON document.
nlohmann::json to_json(const engine::YamlNode& n) {
  using K = engine::YamlNode::Kind;
  switch (n.kind) {
    case K::null: return nullptr;
    case K::sequence: {
      auto a = nlohmann::json::array();
      for (const auto& c : n.children) a.push_back(to_json(c));
      return a;
    }
    case K::mapping: {
      auto o = nlohmann::json::object();
      for (std::size_t i = 0; i + 1 < n.children.size(); i += 2) o[n.children[i].text] = to_json(n.children[i + 1]);
      return o;
    }
    case K::scalar:
      if (n.plain) {
        if (n.text == "true" || n.text == "false") return n.text == "true";
        if (auto num = engine::Number::parse(n.text)) {
          if (num->is_integer()) return num->num();
          return num->to_double();
        }
      }
      return n.text;
  }
  return nullptr;
}

struct Checker {
  const std::string schema_path = VERDICT_TEST_DIR "/../schemas/ecei-evidence-1.schema.json";
  std::shared_ptr<const engine::Schema> ours = engine::Schema::load(schema_path);
  nlohmann::json schema_doc = nlohmann::json::parse(read_file(schema_path));
  valijson::Schema theirs;
  // valijson 1.0 applies `format` to values that are not strings (it reads a
  // null as "" and refuses it as a date), against draft-07, which applies
  // format to strings only. For valijson's copy of the schema, `format` is
  // dropped where the node also allows a non-string type.
  static void drop_format_on_unions(nlohmann::json& node) {
    if (node.is_object()) {
      if (node.contains("format") && node.contains("type") && node["type"].is_array()) node.erase("format");
      for (auto& [k, v] : node.items()) drop_format_on_unions(v);
    } else if (node.is_array()) {
      for (auto& v : node) drop_format_on_unions(v);
    }
  }
  Checker() {
    drop_format_on_unions(schema_doc);
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema_doc);
    parser.populateSchema(adapter, theirs);
  }
  // Returns what valijson says is wrong, or "" when it accepts the document.
  std::string valijson_errors(const nlohmann::json& doc) {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(doc);
    if (validator.validate(theirs, target, &results)) return {};
    std::string out;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      for (const auto& c : e.context) out += c;
      out += ": " + e.description + "\n";
    }
    return out;
  }
  bool ours_accepts(const engine::YamlNode& root, const std::shared_ptr<const Source>& src) {
    try {
      engine::evidence_from_yaml(root, src, *ours);
      return true;
    } catch (const DiagnosticError&) {
      return false;
    }
  }
};

}  // namespace

TEST_CASE("valijson accepts every evidence document that Verdict accepts") {
  Checker c;
  std::vector<std::pair<std::shared_ptr<const Source>, std::vector<engine::YamlNode>>> docs;
  for (const auto& e : fs::directory_iterator(VERDICT_TEST_DIR "/../examples/evidence")) {
    auto src = std::make_shared<Source>(e.path().string(), read_file(e.path().string()));
    docs.push_back({src, {engine::parse_yaml(src)}});
  }
  for (const auto& e : fs::recursive_directory_iterator(VERDICT_TEST_DIR "/../rulesets")) {
    if (!e.path().string().ends_with(".test.yaml")) continue;
    auto src = std::make_shared<Source>(e.path().string(), read_file(e.path().string()));
    auto root = engine::parse_yaml(src);
    std::vector<engine::YamlNode> inline_docs;
    if (const auto* cases = root.get("cases"))
      for (const auto& cs : cases->children)
        if (const auto* ev = cs.get("evidence"); ev && !ev->get("path")) inline_docs.push_back(*ev);
    docs.push_back({src, inline_docs});
  }
  auto generated = std::make_shared<Source>("generated.yaml", bench::generate_evidence(200));
  docs.push_back({generated, {engine::parse_yaml(generated)}});

  int accepted = 0;
  for (const auto& [src, nodes] : docs)
    for (const auto& node : nodes) {
      if (!c.ours_accepts(node, src)) continue;
      ++accepted;
      auto errors = c.valijson_errors(to_json(node));
      CHECK_MESSAGE(errors.empty(), src->name(), ":", node.line, ": valijson refuses what Verdict accepts:\n", errors);
    }
  CHECK(accepted > 50);
}

TEST_CASE("valijson and Verdict both refuse structural mistakes") {
  Checker c;
  const char* bad[] = {
      "schema: ecei-evidence/1\norganisation: {name: X}\n",                                   // no assessment
      "schema: ecei-evidence/1\norganisation: {name: X}\nassessment: {date: 2026-06-30}\nparticipants: [{id: a, kind: biz, committed: true}]\n",
      "schema: ecei-evidence/1\norganisation: {name: X}\nassessment: {date: 2026-06-30}\nparticipants: [{id: a, kind: business, comitted: true}]\n",
      "schema: ecei-evidence/2\norganisation: {name: X}\nassessment: {date: 2026-06-30}\n",
      "schema: ecei-evidence/1\norganisation: {name: X}\nassessment: {date: 2026-06-30}\nparticipants: [{id: a, kind: business, committed: yes}]\n",
  };
  for (const char* text : bad) {
    auto src = std::make_shared<Source>("bad.yaml", text);
    auto root = engine::parse_yaml(src);
    CHECK_MESSAGE(!c.ours_accepts(root, src), text);
    CHECK_MESSAGE(!c.valijson_errors(to_json(root)).empty(), text);
  }
}
