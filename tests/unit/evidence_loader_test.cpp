// The two evidence loaders agree: load_evidence types yaml-cpp's events as
// they arrive; evidence_from_yaml(parse_yaml(...)) types the YamlNode tree
// (still used for evidence written inside test files). For every YAML file of
// the repository, for each of thousands of edits of the example evidence
// (a line removed, repeated, or its value replaced by a list, a mapping, a
// null, a quoted string, a bad date...), under the default limits and tight
// ones, both give the same evidence (values, kinds, paths, positions, key
// numbers) or the same errors in the same order.
#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bench/evidence_generator.hpp"
#include "engine/schema.hpp"
#include "engine/text.hpp"
#include "tests/unit/loader_outcome.hpp"

using namespace verdict;
using testing::dump;
using testing::outcome_of;

namespace {

const engine::EvidenceChecks& checks() {
  static const engine::EvidenceChecks c{[](std::string_view named) -> std::string {
    return named == "ecei-evidence/1" ? "" : fmt::format("written for \"{}\"", named);
  }};
  return c;
}

// The tree loader, with the same schema check that load_evidence makes.
engine::Evidence by_tree(const std::shared_ptr<const Source>& src, const engine::Schema& schema, const engine::YamlLimits& limits,
                         bool check) {
  auto root = engine::parse_yaml(src, limits);  // (as testing::load_by_tree, with the check)
  if (const auto* named = root.get("schema"); check && named && named->kind == engine::YamlNode::Kind::scalar)
    if (auto message = checks().schema_mismatch(named->text); !message.empty())
      throw DiagnosticError(Diagnostic{Severity::error, "evidence_error", message, src, named->span(), {}});
  return engine::evidence_from_yaml(root, src, schema);
}

struct Counts {
  int loaded = 0, refused = 0;
};

void agree(const std::string& name, const std::string& text, const engine::Schema& schema, Counts& counts,
           const engine::YamlLimits& limits = {}, bool check = false) {
  auto src = std::make_shared<Source>(name, text);
  std::string events = outcome_of([&] { return engine::load_evidence(src, schema, limits, check ? checks() : engine::EvidenceChecks{}); });
  std::string tree = outcome_of([&] { return by_tree(src, schema, limits, check); });
  INFO(name);
  INFO(text);
  CHECK(events == tree);
  (events.rfind("evidence", 0) == 0 ? counts.loaded : counts.refused)++;
}

std::shared_ptr<const engine::Schema> ecei() {
  static auto s = engine::Schema::load(VERDICT_TEST_DIR "/../schemas/ecei-evidence-1.schema.json");
  return s;
}
std::shared_ptr<const engine::Schema> anything() {
  static auto s = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("both loaders agree on every YAML file of the repository") {
  Counts counts;
  namespace fs = std::filesystem;
  for (const char* dir : {"/../examples", "/../rulesets", "/cli", "/evidence", "/language"})
    for (const auto& e : fs::recursive_directory_iterator(std::string(VERDICT_TEST_DIR) + dir))
      if (e.is_regular_file() && e.path().extension() == ".yaml") {
        const auto text = read_file(e.path().string());
        agree(e.path().string(), text, *ecei(), counts, {}, true);
        agree(e.path().string(), text, *anything(), counts);
      }
  for (int seed = 1; seed <= 3; ++seed) agree("generated.yaml", bench::generate_evidence(25 * seed, seed), *ecei(), counts, {}, true);
  MESSAGE(fmt::format("{} loaded, {} refused", counts.loaded, counts.refused));
  CHECK(counts.loaded >= 20);
  CHECK(counts.refused >= 20);
}

TEST_CASE("both loaders agree on edits of the example evidence") {
  // Each line's value replaced by one of these, in turn.
  const std::vector<std::string> values = {"[1, 2]", "{a: 1, b: [x]}", "~", "'quoted'", "abc", "2021-02-30", "-5", "yes", "12.5%",
                                           "", "\"2020-01-01\"", "[]"};
  Counts counts;
  std::size_t edit = 0;
  for (const char* file : {"alpine-mobility", "baltic-food", "danube-health", "nordic-gold"}) {
    const auto lines = lines_of(read_file(std::string(VERDICT_TEST_DIR) + "/../examples/evidence/" + file + ".yaml"));
    for (std::size_t i = 0; i < lines.size(); ++i, ++edit) {
      auto edited = lines;
      const auto colon = lines[i].find(": ");
      const auto dash = lines[i].find("- ");
      if (edit % 5 == 0) edited.erase(edited.begin() + static_cast<long>(i));
      else if (edit % 5 == 1) edited.insert(edited.begin() + static_cast<long>(i), lines[i]);
      else if (colon != std::string::npos) edited[i] = lines[i].substr(0, colon + 2) + values[edit % values.size()];
      else if (dash != std::string::npos) edited[i] = lines[i].substr(0, dash + 2) + values[edit % values.size()];
      else edited[i] = "  " + lines[i];
      agree(fmt::format("{}.yaml, edit at line {}", file, i + 1), joined(edited), *ecei(), counts, {}, true);
    }
  }
  MESSAGE(fmt::format("{} edits loaded, {} refused", counts.loaded, counts.refused));
  CHECK(counts.refused > counts.loaded);
  CHECK(counts.loaded >= 50);
}

TEST_CASE("both loaders agree where a limit stops the file") {
  const auto text = read_file(VERDICT_TEST_DIR "/../examples/evidence/danube-health.yaml");
  Counts counts;
  for (int tight = 0; tight < 5; ++tight) {
    engine::YamlLimits limits;
    if (tight == 0) limits.max_items = 3;
    if (tight == 1) limits.max_depth = 2;
    if (tight == 2) limits.max_nodes = 60;
    if (tight == 3) limits.max_scalar_bytes = 12;
    if (tight == 4) limits.max_bytes = 100;
    agree(fmt::format("limit {}", tight), text, *ecei(), counts, limits, true);
  }
  CHECK(counts.refused == 5);
}

TEST_CASE("both loaders agree on documents at the edges of YAML") {
  std::string many_keys = "schema: ecei-evidence/1\nextra:\n";
  for (int i = 0; i < 40; ++i) many_keys += fmt::format("  k{}: {}\n", i, i);
  std::string many_errors = "schema: ecei-evidence/1\nparticipants:\n";  // over 200 problems, and a list too short
  for (int i = 0; i < 120; ++i) many_errors += fmt::format("  - id: {}\n    kind: nope\n    committed: maybe\n", i);
  const std::vector<std::string> docs = {
      "",
      "# only a comment\n",
      "~\n",
      "just text\n",
      "'quoted text'\n",
      "- a\n- b\n",
      "schema: other/2\norganisation: {name: X}\n",
      "schema: [ecei-evidence/1]\n",
      "schema: ecei-evidence/1\n? [a, b]\n: 1\n",
      "schema: ecei-evidence/1\n? {a: 1}\n: 1\n",
      "schema: ecei-evidence/1\n~: 1\n",
      "schema: ecei-evidence/1\nnull: 1\n\"\": 2\n",
      "schema: ecei-evidence/1\nschema: ecei-evidence/1\n",
      "schema: ecei-evidence/1\norganisation:\n  name: A\n  name: B\n",
      many_keys,
      many_keys + "  k7: again\n",
      many_errors,
      "schema: ecei-evidence/1\nparticipants: []\n",
      "schema: ecei-evidence/1\nparticipants: [[], {}, ~, 1]\n",
      "schema: ecei-evidence/1\norganisation: &org {name: A}\nextra: *org\n",
      "schema: ecei-evidence/1\nparticipants:\n  - &p {id: a, kind: business}\n  - *p\n",
      "schema: ecei-evidence/1\nx: *unknown\n",
      "schema: ecei-evidence/1\n---\nschema: ecei-evidence/1\n",
      "schema: ecei-evidence/1\norganisation: {name: [unclosed\n",
      "schema: !!str ecei-evidence/1\nas_of: !!str 2020-01-01\n",
  };
  Counts counts;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    agree(fmt::format("doc {}", i), docs[i], *ecei(), counts, {}, true);
    agree(fmt::format("doc {} (no schema)", i), docs[i], *anything(), counts);
  }
  CHECK(counts.refused > counts.loaded);
  // The aliases are expanded (the loader falls back to the tree for them).
  auto ev = engine::load_evidence(std::make_shared<Source>("a.yaml", "a: &x [1, 2]\nb: *x\n"), *anything());
  CHECK(dump(ev.root.as_record().fields[1].value).find("number:2") != std::string::npos);
}

TEST_CASE("both loaders agree on lists too short, defaults and refused keys") {
  auto schema = engine::Schema::parse(std::make_shared<Source>("short.json", R"({
    "type": "object", "additionalProperties": false, "required": ["xs", "name"],
    "properties": {
      "name": {"type": "string", "default": "none"},
      "level": {"type": "integer", "default": 3, "minimum": 1},
      "xs": {"type": "array", "minItems": 3, "items": {"type": "integer"}},
      "ys": {"type": "array", "minItems": 2},
      "inner": {"type": "object", "properties": {"zs": {"type": "array", "minItems": 1}}}
    }})"));
  std::string crowded = "xs:\n";  // more than 200 problems after the list too short
  for (int i = 0; i < 2; ++i) crowded += "  - [bad]\n";
  crowded += "nme: x\n";
  for (int i = 0; i < 210; ++i) crowded += fmt::format("extra{}: 1\n", i);
  const std::vector<std::string> docs = {
      "xs: [1, 2, 3]\nname: a\n",
      "xs: [1]\n",
      "xs: [a, 2.5]\nys: [x]\nname: n\n",
      "xs: []\nys: []\ninner: {zs: []}\nnme: typo\n",
      "name: only\nlevel: 0\n",
      "xs: [1, 2, 3]\nname: ~\nlevel: ~\n",
      "inner: {zs: [1], other: {deep: [1, {a: b}]}}\nxs: [1, 2, 3]\n",
      crowded,
  };
  Counts counts;
  for (std::size_t i = 0; i < docs.size(); ++i) agree(fmt::format("short {}", i), docs[i], *schema, counts);
  CHECK(counts.refused >= 6);
  CHECK(counts.loaded >= 1);
}

TEST_CASE("a pipe is read to its end, and no further than the limit") {
  // A pipe reports no size: the file is read until its writer closes it.
  const auto fifo = std::filesystem::temp_directory_path() / fmt::format("verdict-fifo-{}", ::getpid());
  std::filesystem::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string text(200 * 1024, 'x');  // several reads' worth
  auto write_it = [&](std::size_t n) {
    std::thread writer([&text, &fifo, n] {
      std::FILE* f = std::fopen(fifo.c_str(), "wb");
      if (!f) return;
      std::fwrite(text.data(), 1, n, f);
      std::fclose(f);
    });
    return writer;
  };
  {
    auto writer = write_it(text.size());
    CHECK(verdict::read_file(fifo.string()).size() == text.size());
    writer.join();
  }
  {
    auto writer = write_it(1000);
    CHECK_THROWS_AS(verdict::read_file(fifo.string(), 999), std::length_error);
    writer.join();
  }
  {
    auto writer = write_it(999);
    CHECK(verdict::read_file(fifo.string(), 999).size() == 999);
    writer.join();
  }
  std::filesystem::remove(fifo);
}
