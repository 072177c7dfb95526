// Field keys are compared by number when both sides are numbered (a key its
// schema declares, a key a ruleset reads), by text otherwise. The evaluator
// trusts a match at a remembered position without looking further, so a
// wrong match would read another field: these pin the rule.
#include <doctest/doctest.h>

#include "engine/schema.hpp"
#include "engine/value.hpp"

using namespace verdict;
using engine::Field;
using engine::Record;

TEST_CASE("a key's number is the same for the same name and different for another") {
  const auto a = engine::key_id("participants");
  CHECK(a != 0);
  CHECK(engine::key_id("participants") == a);
  CHECK(engine::key_id(std::string("partic") + "ipants") == a);
  CHECK(engine::key_id("participant") != a);
  CHECK(engine::key_id("") != 0);
  CHECK(engine::key_id("") != engine::key_id(" "));
}

TEST_CASE("a field matches a key by number when both are numbered, else by its text") {
  const auto kind = engine::key_id("kind"), size = engine::key_id("size");
  Field numbered{"kind", engine::Value::boolean(true), {}, kind};
  Field unnumbered{"kind", engine::Value::boolean(true), {}, 0};
  Field other{"size", engine::Value::boolean(true), {}, 0};
  CHECK(Record::has_key(numbered, "kind", kind));
  CHECK_FALSE(Record::has_key(numbered, "size", size));
  CHECK(Record::has_key(unnumbered, "kind", kind));  // numbered on one side only: the text decides
  CHECK(Record::has_key(numbered, "kind", 0));
  CHECK_FALSE(Record::has_key(other, "kind", kind));
  CHECK_FALSE(Record::has_key(other, "kind", 0));
  CHECK(Record::has_key(other, "size", 0));
}

TEST_CASE("evidence typed by a schema numbers the keys it declares, not the others") {
  auto schema = engine::Schema::parse(std::make_shared<Source>(
      "s.json", R"({"type": "object", "properties": {"declared": {"type": "integer"}, "defaulted": {"type": "integer", "default": 3}},
                   "additionalProperties": true})"));
  auto ev = engine::load_evidence(std::make_shared<Source>("e.yaml", "extra: 1\ndeclared: 2\n"), *schema);
  const Record& root = ev.root.as_record();
  REQUIRE(root.fields.size() == 3);
  CHECK(root.fields[0].key == "extra");
  CHECK(root.fields[0].id == 0);
  CHECK(root.fields[1].key == "declared");
  CHECK(root.fields[1].id == engine::key_id("declared"));
  CHECK(root.fields[2].key == "defaulted");
  CHECK(root.fields[2].id == engine::key_id("defaulted"));
}
