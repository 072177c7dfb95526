// `verdict fmt` (dsl/printer.hpp). The cases are data: tests/fmt/NAME.rules
// and NAME.rules.formatted, its canonical layout. For each case, and for
// every shipped ruleset: the layout is the golden one, formatting it again
// changes nothing, the program lowered from it equals the original's, and
// every comment is kept, in order. Adding a case is adding two files; run
// with VERDICT_UPDATE_EXPECTED=1 to (re)write the .formatted files, then
// review them.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "dsl/load.hpp"
#include "dsl/parser.hpp"
#include "dsl/printer.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first difference between two lowered programs, or "" when they say the
// same: spans, lines and the source text of checks are not compared.
class ProgramDiff {
public:
  std::string operator()(const engine::Program& a, const engine::Program& b) {
    same(a.name == b.name, "name");
    same(a.version == b.version, "version");
    same(a.title == b.title, "title");
    same(a.source_title == b.source_title, "source");
    same(a.schema == b.schema, "schema");
    same(a.extends == b.extends, "extends");
    same(a.sources.size() == b.sources.size(), "number of files");
    optional_expr(a.as_of, b.as_of, "as_of");
    if (same(a.params.size() == b.params.size(), "number of params"))
      for (std::size_t i = 0; i < a.params.size(); ++i) {
        const auto &x = a.params[i], &y = b.params[i];
        std::string at = "param " + x.name;
        same(x.name == y.name && x.doc == y.doc, at);
        if (same(x.values.size() == y.values.size(), at + ": number of values"))
          for (std::size_t k = 0; k < x.values.size(); ++k)
            same(x.values[k].from == y.values[k].from && engine::same(x.values[k].value, y.values[k].value),
                 at + ": value " + std::to_string(k));
      }
    if (same(a.lets.size() == b.lets.size(), "number of lets"))
      for (std::size_t i = 0; i < a.lets.size(); ++i) {
        std::string at = "let " + a.lets[i].name;
        same(a.lets[i].name == b.lets[i].name && a.lets[i].indicator == b.lets[i].indicator, at);
        expr(a.lets[i].expr, b.lets[i].expr, at);
      }
    if (same(a.groups.size() == b.groups.size(), "number of groups"))
      for (std::size_t i = 0; i < a.groups.size(); ++i)
        same(a.groups[i].id == b.groups[i].id && a.groups[i].title == b.groups[i].title &&
                 a.groups[i].lets == b.groups[i].lets,
             "group " + a.groups[i].id);
    if (same(a.indicators.size() == b.indicators.size(), "number of indicators"))
      for (std::size_t i = 0; i < a.indicators.size(); ++i) indicator(a.indicators[i], b.indicators[i]);
    if (same(a.outcome.size() == b.outcome.size(), "number of outcome labels"))
      for (std::size_t i = 0; i < a.outcome.size(); ++i) {
        same(a.outcome[i].label == b.outcome[i].label, "label " + a.outcome[i].label);
        expr(a.outcome[i].when, b.outcome[i].when, "label " + a.outcome[i].label);
      }
    same(a.max_element_depth == b.max_element_depth, "max_element_depth");
    return first_;
  }

private:
  std::string first_;

  bool same(bool ok, const std::string& what) {
    if (!ok && first_.empty()) first_ = what;
    return ok;
  }

  void expr(const engine::Expr& a, const engine::Expr& b, const std::string& at) {
    if (!same(a.op == b.op, at + ": operation")) return;
    same(a.fn == b.fn, at + ": function");
    same(a.name == b.name, at + ": name '" + a.name + "' / '" + b.name + "'");
    same(a.index == b.index, at + ": index");
    if (a.op == engine::Op::constant) same(engine::same(a.value, b.value), at + ": constant");
    if (same(a.args.size() == b.args.size(), at + ": number of operands"))
      for (std::size_t i = 0; i < a.args.size(); ++i) expr(a.args[i], b.args[i], at + "/" + std::to_string(i));
  }

  void optional_expr(const std::optional<engine::Expr>& a, const std::optional<engine::Expr>& b, const std::string& at) {
    if (same(a.has_value() == b.has_value(), at) && a) expr(*a, *b, at);
  }

  void message(const engine::Message& a, const engine::Message& b, const std::string& at) {
    if (!same(a.parts.size() == b.parts.size(), at + ": number of message parts")) return;
    for (std::size_t i = 0; i < a.parts.size(); ++i) {
      const auto &x = a.parts[i], &y = b.parts[i];
      same(x.text == y.text && x.percent == y.percent, at + ": message part " + std::to_string(i));
      optional_expr(x.expr, y.expr, at + ": message hole " + std::to_string(i));
    }
  }

  void indicator(const engine::Indicator& a, const engine::Indicator& b) {
    std::string at = "indicator " + a.id;
    same(a.id == b.id && a.title == b.title && a.group == b.group && a.minimum == b.minimum, at);
    same(a.cites == b.cites && a.notes == b.notes, at + ": cites and notes");
    same(a.lets == b.lets, at + ": lets");
    if (same(a.checks.size() == b.checks.size(), at + ": number of requires"))
      for (std::size_t i = 0; i < a.checks.size(); ++i) {
        std::string req = at + ": require " + std::to_string(i);
        expr(a.checks[i].expr, b.checks[i].expr, req);
        if (same(a.checks[i].message.has_value() == b.checks[i].message.has_value(), req + ": message") &&
            a.checks[i].message)
          message(*a.checks[i].message, *b.checks[i].message, req);
      }
    optional_expr(a.score, b.score, at + ": score");
    same(a.score_of == b.score_of, at + ": score maximum");
    if (same(a.levels.size() == b.levels.size(), at + ": number of levels"))
      for (std::size_t i = 0; i < a.levels.size(); ++i) {
        same(a.levels[i].name == b.levels[i].name, at + ": level " + a.levels[i].name);
        expr(a.levels[i].when, b.levels[i].when, at + ": level " + a.levels[i].name);
      }
  }
};

// Lowers `text` as the file `path` (its bases are found beside it).
engine::Program lower_as(const fs::path& path, const std::string& text) {
  return dsl::load_ruleset_text(std::make_shared<const Source>(path.string(), text), nullptr, dsl::folder_resolver({}));
}

std::vector<std::string> comment_texts(const fs::path& path, const std::string& text) {
  Source source(path.string(), text);
  auto tree = dsl::parse_ruleset(std::make_shared<const Source>(source));
  std::vector<std::string> out;
  for (const auto& c : dsl::comments_of(tree, source)) out.push_back(c.text);
  return out;
}

std::string format_text(const fs::path& path, const std::string& text) {
  return dsl::format_ruleset(std::make_shared<const Source>(path.string(), text));
}

// Everything fmt promises about `original` and its formatted text.
void check_formatting(const fs::path& path, const std::string& original, const std::string& formatted) {
  CHECK_MESSAGE(format_text(path, formatted) == formatted, "formatting twice changes the text");
  CHECK(comment_texts(path, formatted) == comment_texts(path, original));
  std::string before_error, after_error;
  engine::Program before, after;
  try {
    before = lower_as(path, original);
  } catch (const DiagnosticError& e) {
    before_error = render(e.diagnostics());
  }
  try {
    after = lower_as(path, formatted);
  } catch (const DiagnosticError& e) {
    after_error = render(e.diagnostics());
  }
  REQUIRE_MESSAGE(before_error.empty(), "the case does not lower:\n" << before_error);
  REQUIRE_MESSAGE(after_error.empty(), "the formatted text does not lower:\n" << after_error);
  std::string diff = ProgramDiff()(before, after);
  CHECK_MESSAGE(diff.empty(), "the programs differ at " << diff);
  for (std::size_t pos = 0, line = 1; pos < formatted.size(); ++line) {
    std::size_t end = formatted.find('\n', pos);
    std::string text = formatted.substr(pos, end - pos);
    CHECK_MESSAGE(text.find_last_not_of(' ') + 1 == text.size(), "trailing blanks on line " << line);
    pos = end == std::string::npos ? formatted.size() : end + 1;
  }
}

}  // namespace

TEST_CASE("dsl fmt: every case in tests/fmt has its canonical layout, same meaning and comments") {
  const fs::path dir = fs::path(VERDICT_TEST_DIR) / "fmt";
  REQUIRE(fs::is_directory(dir));
  const bool update = std::getenv("VERDICT_UPDATE_EXPECTED") != nullptr;
  std::set<std::string> rules, formatted;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (name.ends_with(".rules.formatted"))
      formatted.insert(name.substr(0, name.size() - std::string_view(".rules.formatted").size()));
    else if (name.ends_with(".rules"))
      rules.insert(entry.path().stem().string());
    else
      FAIL_CHECK("unexpected file in tests/fmt: " << name);
  }
  CHECK(rules.size() >= 10);
  for (const auto& name : formatted)
    CHECK_MESSAGE(rules.count(name), name << ".rules.formatted has no " << name << ".rules");
  for (const auto& name : rules) {
    CAPTURE(name);
    const fs::path path = dir / (name + ".rules");
    const std::string original = read_file(path);
    const std::string actual = format_text(path, original);
    const fs::path golden = dir / (name + ".rules.formatted");
    if (update) {
      std::ofstream(golden, std::ios::binary) << actual;
      continue;
    }
    if (!fs::exists(golden)) {
      FAIL_CHECK(name << ".rules has no " << name << ".rules.formatted; it would be:\n" << actual);
      continue;
    }
    CHECK(actual == read_file(golden));
    check_formatting(path, original, actual);
  }
}

TEST_CASE("dsl fmt: every shipped ruleset keeps its meaning and its comments, and formats idempotently") {
  const fs::path root = fs::path(VERDICT_TEST_DIR).parent_path();
  std::vector<fs::path> files;
  for (const char* top : {"rulesets", "examples"})
    for (const auto& e : fs::recursive_directory_iterator(root / top))
      if (e.path().extension() == ".rules") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 3);
  for (const auto& path : files) {
    CAPTURE(path.string());
    const std::string original = read_file(path);
    check_formatting(path, original, format_text(path, original));
  }
}

TEST_CASE("dsl fmt: line breaks, tabs and a byte order mark do not survive; comments in holes do") {
  const std::string crlf = "\xEF\xBB\xBF# head\r\nruleset \"t\" version \"1\"\r\n\tlet a = 1 +\t2 # two\r\n";
  CHECK(format_text("t.rules", crlf) == "# head\nruleset \"t\" version \"1\"\n\nlet a = 1 + 2  # two\n");

  const std::string hole =
      "ruleset \"t\" version \"1\"\n"
      "indicator \"1\" \"t\" {\n"
      "  require x > 1 else \"{count(x # in a hole\n"
      "  )} is # not a comment\"\n"
      "}\n";
  const std::string expected =
      "ruleset \"t\" version \"1\"\n"
      "\n"
      "indicator \"1\" \"t\" {\n"
      "  require x > 1\n"
      "    else \"{count(x)} is # not a comment\"  # in a hole\n"
      "}\n";
  CHECK(format_text("t.rules", hole) == expected);
  check_formatting("t.rules", hole, expected);
}

TEST_CASE("dsl fmt: deep nesting formats without trouble") {
  std::string text = "ruleset \"t\" version \"1\"\nlet x = ";
  for (int i = 0; i < 190; ++i) text += "not ";
  text += "a";
  for (int i = 0; i < 60; ++i) text += " and a";
  text += "\n";
  std::string once = format_text("t.rules", text);
  CHECK(format_text("t.rules", once) == once);
  CHECK(once.find("let x = not not") != std::string::npos);
}

TEST_CASE("dsl fmt: same_syntax tells a changed ruleset from a reformatted one") {
  auto parse = [](const std::string& text) { return dsl::parse_ruleset(std::make_shared<const Source>("t.rules", text)); };
  auto a = parse("ruleset \"t\" version \"1\"\nlet x = (1 + 2) * 3  # c\n");
  CHECK(dsl::same_syntax(a, parse("ruleset \"t\" version \"1\"\n\n\nlet   x=(1+2)*3\n")));
  CHECK_FALSE(dsl::same_syntax(a, parse("ruleset \"t\" version \"1\"\nlet x = 1 + 2 * 3\n")));
  CHECK_FALSE(dsl::same_syntax(a, parse("ruleset \"t\" version \"1\"\nlet y = (1 + 2) * 3\n")));
}
