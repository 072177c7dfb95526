// Ruleset inheritance. The cases are data: every tests/dsl/inherit/NAME.rules
// is loaded through a resolver over that folder, and NAME.expected holds what
// comes out: the rendered diagnostics, or for a ruleset that loads, a summary
// of the lowered program (params, indicators in order, checks, with the file
// and line each comes from) and its warnings. The files are also each
// other's bases. Run with VERDICT_UPDATE_EXPECTED=1 to (re)write the
// .expected files, then review them.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/workspace.hpp"
#include "dsl/load.hpp"
#include "engine/catalogue.hpp"
#include "engine/evaluator.hpp"
#include "engine/schema.hpp"
#include "engine/text.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

const fs::path inherit_dir = fs::path(VERDICT_TEST_DIR) / "dsl" / "inherit";

std::shared_ptr<const Source> named_source(const fs::path& path) {
  return std::make_shared<const Source>(path.filename().string(), read_file(path.string()));
}

// Finds NAME@VERSION among the folder's rulesets; sources are named by file
// name only, so that the expected output does not depend on where the tree is.
dsl::RulesetResolver test_resolver() {
  dsl::RulesetResolver r;
  r.find = [](const std::string& ref, const Source&) -> std::shared_ptr<const Source> {
    auto entry = engine::find_ruleset(engine::scan_catalogue({inherit_dir.string()}), ref);
    return entry ? named_source(entry->path) : nullptr;
  };
  r.known = [](const Source&) {
    std::vector<std::string> known;
    for (const auto& e : engine::scan_catalogue({inherit_dir.string()})) known.push_back(e.name + "@" + e.version);
    return known;
  };
  return r;
}

std::string place(const engine::Program& p, Span s) {
  const auto& src = p.source_of(s);
  if (!src) return "[no source]";
  return "[" + src->name() + ":" + std::to_string(src->line_col(s.begin).line) + "]";
}

std::string text_at(const engine::Program& p, Span s) {
  const auto& src = p.source_of(s);
  return src ? src->text().substr(s.begin, s.end - s.begin) : std::string();
}

// What a ruleset turned into, with where each part was written.
std::string summary(const engine::Program& p) {
  std::ostringstream out;
  out << "ruleset " << p.name << "@" << p.version;
  if (!p.extends.empty()) out << " extends " << p.extends;
  out << "\nsources:";
  for (const auto& s : p.sources) out << " " << s->name();
  out << "\ntitle: " << p.title << "\nsource: " << p.source_title << "\nschema: " << p.schema << "\n";
  if (p.as_of) out << "as_of: " << text_at(p, p.as_of->span) << " " << place(p, p.as_of->span) << "\n";
  out << "params:\n";
  for (const auto& param : p.params) {
    out << "  " << param.name << " =";
    for (std::size_t i = 0; i < param.values.size(); ++i) {
      out << (i ? ", " : " ") << engine::to_display(param.values[i].value);
      if (param.values[i].from) out << " from " << engine::to_string(*param.values[i].from);
    }
    out << " " << place(p, param.span) << (param.doc.empty() ? "" : " \"" + param.doc + "\"") << "\n";
  }
  out << "groups:";
  for (const auto& g : p.groups) out << " " << g.id << " \"" << g.title << "\";";
  out << "\nindicators:\n";
  for (const auto& ind : p.indicators) {
    out << "  " << ind.id << " \"" << ind.title << "\" group " << (ind.group.empty() ? "-" : ind.group)
        << (ind.minimum ? " minimum " : " ") << place(p, ind.span) << "\n";
    for (const auto& c : ind.cites) out << "    cite \"" << c << "\"\n";
    for (const auto& c : ind.checks)
      out << "    require " << c.source << " [" << p.source_of(c.expr.span)->name() << ":" << c.line << "]\n";
  }
  out << "outcome:\n";
  for (const auto& o : p.outcome) out << "  \"" << o.label << "\" when " << text_at(p, o.when.span) << " " << place(p, o.when.span) << "\n";
  return out.str();
}

// Everything an author would see for one file of the folder.
std::string outcome_of(const fs::path& path) {
  try {
    Diagnostics warnings;
    auto program = dsl::load_ruleset_text(named_source(path), &warnings, test_resolver());
    return summary(program) + (warnings.empty() ? "" : "warnings:\n" + render(warnings));
  } catch (const DiagnosticError& e) {
    return render(e.diagnostics());
  }
}

engine::Program load_case(const std::string& file) {
  return dsl::load_ruleset_text(named_source(inherit_dir / file), nullptr, test_resolver());
}

engine::Evidence evidence(const std::string& yaml) {
  static auto any = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  return engine::load_evidence(std::make_shared<Source>("evidence.yaml", yaml), *any);
}

std::string verdicts(const engine::EvaluationResult& r) {
  std::string out;
  for (const auto& ind : r.indicators) out += (out.empty() ? "" : " ") + ind.id + "=" + std::string(engine::to_string(ind.verdict));
  return out;
}

}  // namespace

TEST_CASE("dsl inherit: every case in tests/dsl/inherit gives its expected program or diagnostics") {
  REQUIRE(fs::is_directory(inherit_dir));
  const bool update = std::getenv("VERDICT_UPDATE_EXPECTED") != nullptr;
  std::set<std::string> rules, expected;
  for (const auto& entry : fs::directory_iterator(inherit_dir)) {
    auto ext = entry.path().extension().string();
    auto stem = entry.path().stem().string();
    if (ext == ".rules") rules.insert(stem);
    else if (ext == ".expected") expected.insert(stem);
    else FAIL_CHECK("unexpected file in tests/dsl/inherit: " << entry.path().filename().string());
  }
  CHECK(rules.size() >= 20);
  for (const auto& name : expected) CHECK_MESSAGE(rules.count(name), name << ".expected has no " << name << ".rules");
  for (const auto& name : rules) {
    CAPTURE(name);
    auto actual = outcome_of(inherit_dir / (name + ".rules"));
    auto expected_path = inherit_dir / (name + ".expected");
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    if (!fs::exists(expected_path)) {
      FAIL_CHECK(name << ".rules has no " << name << ".expected; it would be:\n" << actual);
      continue;
    }
    CHECK(actual == read_file(expected_path.string()));
  }
}

TEST_CASE("dsl inherit: a chain of depth 3 keeps every file's spans apart") {
  auto p = load_case("leaf.rules");
  REQUIRE(p.sources.size() == 3);
  CHECK(p.sources[0]->name() == "leaf.rules");
  CHECK(p.sources[1]->name() == "middle.rules");
  CHECK(p.sources[2]->name() == "base.rules");
  CHECK(p.text == p.sources[0]);
  std::vector<std::string> ids;
  for (const auto& ind : p.indicators) ids.push_back(ind.id);
  CHECK(ids == std::vector<std::string>{"1.1", "1.3", "1.4", "2.1", "3.1", "9"});
  CHECK(p.indicators[0].span.file == 0);  // overridden by leaf
  CHECK(p.indicators[1].span.file == 2);  // from base
  CHECK(p.indicators[2].span.file == 1);  // added by middle
  // A check's line is a line of its own file.
  const auto& check = p.indicators[3].checks[0];
  CHECK(check.expr.span.file == 2);
  CHECK(p.source_of(check.expr.span)->line_text(check.line).find("require fte >= min_fte") != std::string_view::npos);
}

TEST_CASE("dsl inherit: a removed indicator is not evaluated, an overridden param is") {
  auto p = load_case("middle.rules");
  const std::string head = "assessment: {date: 2026-06-30}\nteam: [{fte: 0.5}]\nweb: {url: x}\n";
  auto three = engine::evaluate(p, evidence(head + "members: [{active: true}, {active: true}, {active: false}]\n"));
  CHECK(verdicts(three) == "1.1=pass 1.3=pass 1.4=pass 2.1=pass 3.1=pass");
  CHECK(std::string(engine::to_string(three.outcome)) == "pass");
  REQUIRE(three.label);
  CHECK(*three.label == "Good");  // the base's outcome, inherited
  // 3 of 5 active is 60 %: enough for base@1 (more than 50 %), not for middle@2 (more than 60 %).
  const std::string five = "members: [{active: true}, {active: true}, {active: true}, {active: false}, {active: false}]\n";
  CHECK(verdicts(engine::evaluate(p, evidence(head + five))) == "1.1=fail 1.3=pass 1.4=pass 2.1=pass 3.1=pass");
  CHECK(verdicts(engine::evaluate(load_case("base.rules"), evidence(head + five))) == "1.1=pass 1.2=pass 1.3=pass 2.1=pass");
}

TEST_CASE("dsl inherit: dated params apply from their date on, in a base and when overridden") {
  auto base = load_case("base.rules");  // min_fte = 0.5, 1 from 2027-01-01
  auto leaf = load_case("leaf.rules");  // min_fte = 0.75, 1.5 from 2028-01-01
  auto fte_verdict = [](const engine::Program& p, const std::string& fte, const std::string& date,
                        std::optional<engine::Date> as_of = std::nullopt) {
    auto ev = evidence("assessment: {date: " + date + "}\nteam: [{fte: " + fte + "}]\n");
    engine::EvalOptions options;
    options.as_of = as_of;
    for (const auto& ind : engine::evaluate(p, ev, options).indicators)
      if (ind.id == "2.1") return std::string(engine::to_string(ind.verdict));
    return std::string("absent");
  };
  // base@1 with a team of 0.75 FTE: 0.5 before 2027, 1 on the day and after.
  CHECK(fte_verdict(base, "0.75", "2026-12-31") == "pass");
  CHECK(fte_verdict(base, "0.75", "2027-01-01") == "fail");
  CHECK(fte_verdict(base, "0.75", "2027-01-02") == "fail");
  CHECK(fte_verdict(base, "1", "2027-01-01") == "pass");
  // leaf@3 overrides it: 0.75 before 2028, 1.5 on the day and after.
  CHECK(fte_verdict(leaf, "0.75", "2026-06-30") == "pass");
  CHECK(fte_verdict(leaf, "0.7", "2026-06-30") == "fail");
  CHECK(fte_verdict(leaf, "1", "2027-12-31") == "pass");
  CHECK(fte_verdict(leaf, "1", "2028-01-01") == "fail");
  CHECK(fte_verdict(leaf, "1", "2028-01-02") == "fail");
  CHECK(fte_verdict(leaf, "1.5", "2028-01-01") == "pass");
  // --as-of (EvalOptions::as_of) decides, not the evidence's date.
  CHECK(fte_verdict(leaf, "1", "2028-01-01", engine::parse_date("2027-12-31")) == "pass");
  CHECK(fte_verdict(leaf, "1", "2027-12-31", engine::parse_date("2028-01-01")) == "fail");
  CHECK(engine::to_display(engine::param_value(leaf.params[2], engine::parse_date("2028-01-01"))) == "1.5");
}

TEST_CASE("dsl inherit: a base is found beside the file without a resolver, and errors name its file") {
  auto p = dsl::load_ruleset_file((inherit_dir / "leaf.rules").string());
  REQUIRE(p.sources.size() == 3);
  CHECK(fs::path(p.sources[2]->name()).filename() == "base.rules");
  try {
    dsl::load_ruleset_file((inherit_dir / "extends_broken.rules").string());
    FAIL("no error");
  } catch (const DiagnosticError& e) {
    const auto& d = e.diagnostics().items().front();
    CHECK(fs::path(d.file()).filename() == "broken_base.rules");
    CHECK(d.position().line == 5);
  }
}

TEST_CASE("dsl inherit: a resolver that finds the wrong file is an error") {
  dsl::RulesetResolver wrong;
  wrong.find = [](const std::string&, const Source&) { return named_source(inherit_dir / "middle.rules"); };
  try {
    dsl::load_ruleset_text(named_source(inherit_dir / "leaf.rules"), nullptr, wrong);
    FAIL("no error");
  } catch (const DiagnosticError& e) {
    // leaf@3 → middle@2 is right; middle@2 → base@1 finds middle.rules again.
    CHECK(std::string(e.what()) == "'base@1' was found in middle.rules, but that file is ruleset 'middle@2'");
  }
}

TEST_CASE("dsl inherit: a report's digest covers every file of the chain") {
  const std::string path = std::string(VERDICT_TEST_DIR) + "/../rulesets/ecei/ecei-eligibility-2019.1.rules";
  auto loaded = cli::load_ruleset(path, {}, false);
  REQUIRE(loaded.program.sources.size() == 2);
  std::string chain;
  for (const auto& s : loaded.program.sources) chain += std::to_string(s->text().size()) + ":" + s->text();
  CHECK(loaded.info.digest == cli::sha256_digest(chain));
  CHECK(loaded.info.digest != cli::sha256_digest(loaded.program.sources[0]->text()));
}

TEST_CASE("catalogue: a ruleset file's header is read as it is written") {
  // Name, version, title and base are read from the header lines only (up
  // to the first declaration), whatever the spacing and line endings.
  const fs::path dir = fs::temp_directory_path() / "verdict-catalogue-test";
  fs::create_directories(dir);
  auto header = [&](const std::string& name, const std::string& text) {
    const auto path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return engine::read_ruleset_header(path);
  };
  auto e = header("a.rules", "# a comment\n\truleset  \"a-b\"\tversion \"1.2\"  # trailing\n"
                             "  title \"The A\"\r\n  extends \"base@1\"\r\nparam x = 1\n  title \"not read\"\n");
  REQUIRE(e);
  CHECK(e->name == "a-b");
  CHECK(e->version == "1.2");
  CHECK(e->title == "The A");
  CHECK(e->extends == "base@1");
  // `extend` starts the body; `extends` and words that only begin with a
  // keyword (`letter`) do not.
  e = header("b.rules", "ruleset \"b\" version \"2\"\nletter\nextend \"x\" {\n  title \"after the body\"\n");
  REQUIRE(e);
  CHECK(e->title.empty());
  e = header("c.rules", "ruleset \"c\" version \"3\"\ntitle \"\"\nextends \"c@2\"\n");
  REQUIRE(e);
  CHECK(e->extends == "c@2");
  // The clause broken over lines, as the language allows, with comments
  // between; and a header below a comment longer than 200 lines.
  e = header("h.rules", "ruleset \"h\"  # the name\n\n  # and its version:\n  version \"4\"\n  title \"The H\"\n");
  REQUIRE(e);
  CHECK(e->name == "h");
  CHECK(e->version == "4");
  CHECK(e->title == "The H");
  std::string long_comment;
  for (int i = 0; i < 300; ++i) long_comment += "# line " + std::to_string(i) + "\n\n";
  e = header("i.rules", long_comment + "ruleset \"i\" version \"5\"\n");
  REQUIRE(e);
  CHECK(e->name == "i");
  // No space before a text, as the grammar allows (it was not a header).
  e = header("f.rules", "ruleset\"f\"version\"1\"title\"The F\"\n  extends\"f@0\"source\"S\"\n");
  REQUIRE(e);
  CHECK(e->name == "f");
  CHECK(e->version == "1");
  CHECK(e->title == "The F");
  CHECK(e->extends == "f@0");
  // A header clause broken after its keyword, its text on a later line, with
  // comments between (the grammar allows it; the text was not read).
  e = header("m.rules", "ruleset \"m\" version \"1\" title\n  \"The M\"  # c\n  extends  # the base:\n\n  # is\n"
                        "  \"m@0\" schema\n \"ecei-evidence/1\"\nparam x = 1\n");
  REQUIRE(e);
  CHECK(e->title == "The M");
  CHECK(e->extends == "m@0");
  // Not a header: no quotes, no version, a longer word than the keyword.
  CHECK_FALSE(header("d.rules", "ruleset c version 3\n"));
  CHECK_FALSE(header("e.rules", "ruleset \"e\"\n"));
  CHECK_FALSE(header("g.rules", "rulesets \"g\" version \"1\"\n"));
  CHECK_FALSE(header("k.rules", "ruleset \"k\" versions \"1\"\n"));
  e = header("l.rules", "ruleset \"l\" version \"1\"\n  titles\"not a title\"\n");
  REQUIRE(e);
  CHECK(e->title.empty());
  CHECK_FALSE(header("j.rules", "ruleset \"j\"\nparam version = 1\n"));
  fs::remove_all(dir);
}
