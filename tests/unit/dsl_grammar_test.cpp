// The rule language: grammar soundness, every construct, precedence (by the
// shape of the lowered tree), literals, and the realistic ECEI ruleset.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <tao/pegtl/contrib/analyze.hpp>

#include "dsl/grammar.hpp"
#include "dsl/load.hpp"
#include "dsl/lower.hpp"
#include "dsl/parser.hpp"

using namespace verdict;
using engine::Op;

namespace {

std::shared_ptr<const Source> text_source(std::string text, std::string name = "test.rules") {
  return std::make_shared<const Source>(std::move(name), std::move(text));
}

const char* op_name(const engine::Expr& e) {
  switch (e.op) {
    case Op::negate: return "neg";
    case Op::not_: return "not";
    case Op::and_: return "and";
    case Op::or_: return "or";
    case Op::eq: case Op::ne: case Op::lt: case Op::le: case Op::gt: case Op::ge:
    case Op::in: case Op::add: case Op::sub: case Op::mul: case Op::div: return engine::op_symbol(e.op);
    case Op::if_: return "if";
    case Op::where: return "where";
    case Op::list: return "list";
    case Op::index: return "[]";
    default: return "?";
  }
}

std::string show(const engine::Value& v) {
  switch (v.kind()) {
    case engine::Value::Kind::string: return "\"" + v.as_string() + "\"";
    case engine::Value::Kind::duration: {
      auto d = v.as_duration();
      return fmt::format("{}m{}d", d.months, d.days);
    }
    case engine::Value::Kind::number: {
      auto n = v.as_number();
      return n.is_integer() ? fmt::format("{}", n.num()) : fmt::format("{}/{}", n.num(), n.den());
    }
    default: return engine::to_display(v);
  }
}

// The lowered tree as an S-expression: evidence fields bare, `$p` a param,
// `@l` a let, `%0` the element at depth 0.
std::string sexpr(const engine::Expr& e) {
  std::string out;
  auto args = [&](std::string head) {
    out = "(" + head;
    for (const auto& a : e.args) out += " " + sexpr(a);
    return out + ")";
  };
  switch (e.op) {
    case Op::constant: return show(e.value);
    case Op::param: return "$" + e.name;
    case Op::let: return "@" + e.name;
    case Op::as_of: return "as_of";
    case Op::evidence: return e.name;
    case Op::element: return fmt::format("%{}", e.index);
    case Op::field: return args("." + e.name);
    case Op::call: return args(e.name == "share" && e.fn == engine::Builtin::share_where ? "share_where" : e.name);
    case Op::minimum_met: return "minimum_met";
    case Op::score_share: return "score_share";
    case Op::verdict_of: return "(verdict " + e.name + ")";
    default: return args(op_name(e));
  }
}

// Parses and lowers one expression; fails the test on any diagnostic.
std::string lowered(const std::string& text) {
  auto src = text_source(text);
  try {
    auto tree = dsl::parse_expression(src);
    Diagnostics diags;
    auto e = dsl::lower_expression(tree, src, diags);
    if (!diags.empty()) return "DIAG: " + render(diags);
    return sexpr(e);
  } catch (const DiagnosticError& err) {
    return "ERROR: " + render(err.diagnostics());
  }
}

// The first diagnostic's message for a bad expression.
std::string expression_error(const std::string& text) {
  auto src = text_source(text);
  try {
    auto tree = dsl::parse_expression(src);
    Diagnostics diags;
    dsl::lower_expression(tree, src, diags);
    return diags.empty() ? "no error" : diags.items().front().message;
  } catch (const DiagnosticError& err) {
    return err.diagnostics().items().front().message;
  }
}

engine::Program load(const std::string& text, Diagnostics* warnings = nullptr) {
  return dsl::load_ruleset_text(text_source(text), warnings);
}

std::string load_error(const std::string& text) {
  try {
    load(text);
    return "no error";
  } catch (const DiagnosticError& err) {
    std::string out;
    for (const auto& d : err.diagnostics().items())
      if (d.severity == Severity::error) out += (out.empty() ? "" : "\n") + d.message;
    return out;
  }
}

const std::string header = "ruleset \"t\" version \"1\"\n";

}  // namespace

TEST_CASE("dsl grammar: PEGTL finds no problems in the grammar") {
  CHECK(tao::pegtl::analyze<dsl::grammar::ruleset_file>() == 0);
  CHECK(tao::pegtl::analyze<dsl::grammar::expression_file>() == 0);
}

TEST_CASE("dsl grammar: precedence, loosest first") {
  CHECK(lowered("a or b and c") == "(or a (and b c))");
  CHECK(lowered("a and b or c") == "(or (and a b) c)");
  CHECK(lowered("not a and b") == "(and (not a) b)");
  CHECK(lowered("not a == b") == "(not (== a b))");
  CHECK(lowered("not not a") == "(not (not a))");
  CHECK(lowered("a == b and c < d") == "(and (== a b) (< c d))");
  CHECK(lowered("a + b * c") == "(+ a (* b c))");
  CHECK(lowered("a * b + c") == "(+ (* a b) c)");
  CHECK(lowered("a - b - c") == "(- (- a b) c)");
  CHECK(lowered("a / b / c") == "(/ (/ a b) c)");
  CHECK(lowered("a + b < c * d") == "(< (+ a b) (* c d))");
  CHECK(lowered("-a * b") == "(* (neg a) b)");
  CHECK(lowered("- -a") == "(neg (neg a))");
  CHECK(lowered("-5") == "-5");
  CHECK(lowered("(a or b) and c") == "(and (or a b) c)");
  CHECK(lowered("if a then b else c or d") == "(if a b (or c d))");
  CHECK(lowered("if a then if b then c else d else e") == "(if a (if b c d) e)");
  CHECK(lowered("x in [1, 2]") == "(in x (list 1 2))");
  CHECK(lowered("\"en\" in langs or b") == "(or (in \"en\" langs) b)");
  for (const char* op : {"==", "!=", "<", "<=", ">", ">="})
    CHECK(lowered(fmt::format("a {} b", op)) == fmt::format("({} a b)", op));
}

TEST_CASE("dsl grammar: where binds to the postfix collection, its predicate extends as far as possible") {
  CHECK(lowered("participants where .committed and .kind == \"business\"") ==
        "(where participants (and (.committed %0) (== (.kind %0) \"business\")))");
  CHECK(lowered("count(participants where .committed) > 2") == "(> (count (where participants (.committed %0))) 2)");
  CHECK(lowered("a.b where .c") == "(where (.b a) (.c %0))");
  CHECK(lowered("a where .x where .y") == "(where a (where (.x %0) (.y %1)))");
  CHECK(lowered("(a where .x) where .y") == "(where (where a (.x %0)) (.y %0))");
  CHECK(lowered("-a where .x") == "(neg (where a (.x %0)))");
  CHECK(lowered("a * b where .x") == "(* a (where b (.x %0)))");
  CHECK(lowered("xs where . in ys") == "(where xs (in %0 ys))");
  CHECK(lowered("xs where not (.kind in kinds)") == "(where xs (not (in (.kind %0) kinds)))");
}

TEST_CASE("dsl grammar: element names with as") {
  CHECK(lowered("participants as p where sum(qualifying where p.id in .participants, .effort_days) >= 2") ==
        "(where participants (>= (sum (where qualifying (in (.id %0) (.participants %1))) (.effort_days %1)) 2))");
  CHECK(lowered("any(c as x, x.a > 1)") == "(any c (> (.a %0) 1))");
  CHECK(lowered("sum(c as x, x.n * 2)") == "(sum c (* (.n %0) 2))");
  CHECK(lowered("all(a as x, any(b as y, x.k == y.k))") == "(all a (any b (== (.k %0) (.k %1))))");
  CHECK(expression_error("any(a as x, any(b as x, x))") ==
        "element name 'x' is already used by an enclosing collection operation");
  CHECK(expression_error("count(a as x)") ==
        "'as' names the element of a collection, but count has no per-element argument");
  CHECK(expression_error("any(c as and, true)") ==
        "expected a name after 'as', found 'and' ('and' is a reserved word of the language: it cannot name a let, "
        "param, element or top-level evidence field; a field of a record can be read as .and or [\"and\"])");
}

TEST_CASE("dsl grammar: postfix paths, indexes and calls") {
  CHECK(lowered("assessment.date") == "(.date assessment)");
  CHECK(lowered("a.b.c") == "(.c (.b a))");
  CHECK(lowered("a[\"2.4\"]") == "([] a \"2.4\")");
  CHECK(lowered("attestations[\"1.1.2\"].met") == "(.met ([] attestations \"1.1.2\"))");
  CHECK(lowered("a[0][1]") == "([] ([] a 0) 1)");
  CHECK(lowered("a[i + 1]") == "([] a (+ i 1))");
  CHECK(lowered("count(a).x") == "(.x (count a))");
  CHECK(lowered("xs where .a.b") == "(where xs (.b (.a %0)))");
  CHECK(lowered("xs where .[\"k\"]") == "(where xs ([] %0 \"k\"))");
  CHECK(lowered("distinct(xs, .)") == "(distinct xs %0)");
  CHECK(lowered("latest(a, b, null)") == "(latest a b null)");
  CHECK(lowered("between(x, 1, 2)") == "(between x 1 2)");
  CHECK(lowered("known(x)") == "(known x)");
  CHECK(lowered("min(xs, .n)") == "(min xs (.n %0))");
  CHECK(lowered("max(xs, .n)") == "(max xs (.n %0))");
}

TEST_CASE("dsl grammar: keywords match whole words; after '.' any identifier is a field") {
  CHECK(lowered("xs where .in_sector") == "(where xs (.in_sector %0))");
  CHECK(lowered("index") == "index");
  CHECK(lowered("notable and order") == "(and notable order)");
  CHECK(lowered("iffy") == "iffy");
  CHECK(lowered("xs where .in") == "(where xs (.in %0))");
  CHECK(lowered("a.where.not") == "(.not (.where a))");
  CHECK(lowered("title and source and schema and version") == "(and (and (and title source) schema) version)");
  CHECK(lowered("years + days") == "(+ years days)");
  CHECK(expression_error("and") == "expected an expression, found 'and'");
}

TEST_CASE("dsl grammar: share is share(part, whole) or share(c, PRED) by whether it reads the element") {
  CHECK(lowered("share(passive, participants)") == "(share passive participants)");
  CHECK(lowered("share(participants, .committed)") == "(share_where participants (.committed %0))");
  CHECK(lowered("share(participants as p, p.committed)") == "(share_where participants (.committed %0))");
  CHECK(lowered("share(xs, ys where .a)") == "(share xs (where ys (.a %0)))");
  CHECK(lowered("share(xs, any(.ys, .a))") == "(share_where xs (any (.ys %0) (.a %1)))");
}

TEST_CASE("dsl grammar: literals") {
  CHECK(lowered("15") == "15");
  CHECK(lowered("0.5") == "1/2");
  CHECK(lowered("2.50") == "5/2");
  CHECK(lowered("90%") == "9/10");
  CHECK(lowered("12.5%") == "1/8");
  CHECK(lowered("true") == "true");
  CHECK(lowered("false") == "false");
  CHECK(lowered("null") == "null");
  CHECK(lowered("\"text\"") == "\"text\"");
  CHECK(lowered("[\"research\", \"university\"]") == "(list \"research\" \"university\")");
  CHECK(lowered("[]") == "(list)");
  CHECK(lowered("[1, 2,]") == "(list 1 2)");
  CHECK(lowered("[[1], [2, 3]]") == "(list (list 1) (list 2 3))");

  SUBCASE("90% is exactly 9/10") {
    auto src = text_source("90%");
    auto e = dsl::parse_expression(src);
    REQUIRE(e.kind == dsl::ast::ExprKind::literal);
    CHECK(e.value.as_number() == *engine::Number::fraction(9, 10));
  }
  SUBCASE("string escapes") {
    auto e = dsl::parse_expression(text_source(R"("a\"b\\c\nd\te\{f\}g{h}")"));
    CHECK(e.value.as_string() == "a\"b\\c\nd\te{f}g{h}");
    CHECK(expression_error(R"("a\qb")") == "unknown escape sequence; write \\\", \\\\, \\n, \\t, \\{ or \\}");
  }
  SUBCASE("UTF-8 in strings") {
    auto e = dsl::parse_expression(text_source("\"Cluster’s • café\""));
    CHECK(e.value.as_string() == "Cluster’s • café");
  }
  SUBCASE("numbers that do not fit are errors") {
    CHECK(expression_error("99999999999999999999999999999999999999") ==
          "number 99999999999999999999999999999999999999 is too large or too precise to hold exactly");
    CHECK(expression_error("0.3333333333333333333333333333333333333333") ==
          "number 0.3333333333333333333333333333333333333333 is too large or too precise to hold exactly");
  }
}

TEST_CASE("dsl grammar: dates") {
  auto date = [](const std::string& text) {
    auto e = dsl::parse_expression(text_source(text));
    REQUIRE(e.value.kind() == engine::Value::Kind::date);
    return engine::to_string(e.value.as_date());
  };
  CHECK(date("2012-09-01") == "2012-09-01");
  CHECK(date("2024-02-29") == "2024-02-29");
  CHECK(date("1999-12-31") == "1999-12-31");
  CHECK(lowered("as_of - 2012-09-01") == "(- as_of 2012-09-01)");
  CHECK(lowered("2012-09-01 - 30") == "(- 2012-09-01 30)");
  CHECK(expression_error("2026-02-30") == "invalid date 2026-02-30: February 2026 has 28 days");
  CHECK(expression_error("2023-02-29") == "invalid date 2023-02-29: February 2023 has 28 days");
  CHECK(expression_error("2024-13-01") == "invalid date 2024-13-01: there is no month 13");
  CHECK(expression_error("2024-04-31") == "invalid date 2024-04-31: April 2024 has 30 days");
  CHECK(expression_error("2024-04-00") == "invalid date 2024-04-00: days start at 01");

  SUBCASE("an invalid date is reported at its position") {
    auto src = text_source(header + "let d = as_of - 2026-02-30\n");
    try {
      dsl::load_ruleset_text(src);
      FAIL("no error");
    } catch (const DiagnosticError& e) {
      const auto& d = e.diagnostics().items().front();
      CHECK(d.code == "parse_error");
      CHECK(d.position().line == 2);
      CHECK(d.position().column == 17);
      CHECK(d.span.end - d.span.begin == 10);
    }
  }
}

TEST_CASE("dsl grammar: durations") {
  CHECK(lowered("2 years") == "24m0d");
  CHECK(lowered("1 year") == "12m0d");
  CHECK(lowered("6 months") == "6m0d");
  CHECK(lowered("1 month") == "1m0d");
  CHECK(lowered("30 days") == "0m30d");
  CHECK(lowered("1 day") == "0m1d");
  CHECK(lowered("2 weeks") == "0m14d");
  CHECK(lowered("1 week") == "0m7d");
  CHECK(lowered("-1 year") == "-12m0d");
  CHECK(lowered("as_of - 1 year") == "(- as_of 12m0d)");
  CHECK(lowered("as_of + 6 months - 2 weeks") == "(- (+ as_of 6m0d) 0m14d)");
  CHECK(expression_error("1.5 years") == "a duration needs a whole number of years");
  CHECK(expression_error("50% days") == "a duration needs a whole number of days");
  // A unit is a word of its own: `yearly` is a name, and so is a lone unit.
  CHECK(expression_error("2 yearly") == "expected an operator or the end of the expression, found 'yearly'");
  CHECK(lowered("year") == "year");
}

TEST_CASE("dsl grammar: comments run to the end of the line") {
  CHECK(lowered("a # comment\n + b # another\n") == "(+ a b)");
  auto p = load(header + "# a comment\nlet a = 1 # trailing\n# last line without newline");
  CHECK(p.lets.size() == 1);
}

TEST_CASE("dsl grammar: every declaration") {
  const std::string text = R"(# a ruleset with every construct
ruleset "demo" version "2024.1"
  title  "Demo rules"
  source "Demo guideline"
  schema "demo-evidence/1"
  as_of  assessment.date

param limit = 90% "The limit."
param kinds = ["a", "b"]
param neg = -2.5
param window = 1 year
param min_fte = 0.5, 1 from 2030-01-01, 2 from 2031-06-01
  "A dated param."
param flag = true
param none = null
param start = 2020-01-01

let committed = participants where .committed
let year_ago = as_of - window

group "1" "Structure" {
  let business = committed where .kind == "business"
  indicator "1.1" "Committed" minimum {
    cite "Guideline 1.1."
    note "A note."
    let passive = participants where not .committed
    require share(passive, participants) < limit
      else "{count(passive)} of {count(participants)} ({share(passive, participants):%}) \{literal\} below {limit:%}."
    require any(business, .kind in kinds) and count(committed) > neg
  }
  indicator "1.2" "Scored" {
    score count(business) * min_fte of 10
    level "gold" when count(business) >= 3
    level "silver" when between(start, year_ago, as_of) or flag or none == null
  }
}

indicator "9" "Top level" {
  require known(as_of)
}

outcome {
  label "Excellent" when minimum_met and score_share >= 80%
  label "Good" when verdict("1.2") == "pass"
}
)";
  Diagnostics warnings;
  auto p = load(text, &warnings);
  CHECK(warnings.empty());
  CHECK(p.name == "demo");
  CHECK(p.version == "2024.1");
  CHECK(p.title == "Demo rules");
  CHECK(p.source_title == "Demo guideline");
  CHECK(p.schema == "demo-evidence/1");
  REQUIRE(p.as_of);
  CHECK(sexpr(*p.as_of) == "(.date assessment)");
  CHECK(p.extends.empty());
  REQUIRE(p.text);
  CHECK(p.text->text() == text);

  REQUIRE(p.params.size() == 8);
  CHECK(p.params[0].name == "limit");
  CHECK(p.params[0].doc == "The limit.");
  CHECK(p.params[0].values.size() == 1);
  CHECK(p.params[0].values[0].value.as_number() == *engine::Number::fraction(9, 10));
  CHECK(engine::to_display(p.params[1].values[0].value) == "[\"a\", \"b\"]");
  CHECK(p.params[2].values[0].value.as_number() == *engine::Number::fraction(-5, 2));
  CHECK(p.params[3].values[0].value.as_duration() == engine::Duration{12, 0});
  const auto& dated = p.params[4];
  CHECK(dated.doc == "A dated param.");
  REQUIRE(dated.values.size() == 3);
  CHECK_FALSE(dated.values[0].from);
  CHECK(dated.values[0].value.as_number() == *engine::Number::fraction(1, 2));
  CHECK(engine::to_string(*dated.values[1].from) == "2030-01-01");
  CHECK(engine::to_string(*dated.values[2].from) == "2031-06-01");
  CHECK(dated.values[2].value.as_number() == engine::Number(2));
  CHECK(p.params[5].values[0].value.as_bool());
  CHECK(p.params[6].values[0].value.is_null());
  CHECK(p.params[7].values[0].value.kind() == engine::Value::Kind::date);

  REQUIRE(p.lets.size() == 4);
  CHECK(p.lets[0].name == "committed");
  CHECK(p.lets[0].indicator == "");
  CHECK(sexpr(p.lets[0].expr) == "(where participants (.committed %0))");
  CHECK(p.lets[1].name == "year_ago");
  CHECK(sexpr(p.lets[1].expr) == "(- as_of $window)");
  CHECK(p.lets[2].name == "business");
  CHECK(sexpr(p.lets[2].expr) == "(where @committed (== (.kind %0) \"business\"))");
  CHECK(p.lets[3].name == "passive");
  CHECK(p.lets[3].indicator == "1.1");

  REQUIRE(p.groups.size() == 1);
  CHECK(p.groups[0].id == "1");
  CHECK(p.groups[0].title == "Structure");
  CHECK(p.groups[0].lets == std::vector<std::uint32_t>{2});

  REQUIRE(p.indicators.size() == 3);
  const auto& i11 = p.indicators[0];
  CHECK(i11.id == "1.1");
  CHECK(i11.title == "Committed");
  CHECK(i11.group == "1");
  CHECK(i11.minimum);
  CHECK(i11.cites == std::vector<std::string>{"Guideline 1.1."});
  CHECK(i11.notes == std::vector<std::string>{"A note."});
  CHECK(i11.lets == std::vector<std::uint32_t>{3});
  REQUIRE(i11.checks.size() == 2);
  CHECK(i11.checks[0].source == "share(passive, participants) < limit");
  CHECK(i11.checks[0].line == 27);
  CHECK(sexpr(i11.checks[0].expr) == "(< (share @passive participants) $limit)");
  REQUIRE(i11.checks[0].message);
  const auto& parts = i11.checks[0].message->parts;
  REQUIRE(parts.size() == 8);
  CHECK(sexpr(*parts[0].expr) == "(count @passive)");
  CHECK(parts[1].text == " of ");
  CHECK(sexpr(*parts[4].expr) == "(share @passive participants)");
  CHECK(parts[4].percent);
  CHECK(parts[5].text == ") {literal} below ");
  CHECK(sexpr(*parts[6].expr) == "$limit");
  CHECK(parts[6].percent);
  CHECK(parts[7].text == ".");
  CHECK(i11.checks[1].source == "any(business, .kind in kinds) and count(committed) > neg");
  CHECK_FALSE(i11.checks[1].message);
  CHECK(i11.checks[1].line == 29);

  const auto& i12 = p.indicators[1];
  CHECK_FALSE(i12.minimum);
  REQUIRE(i12.score);
  CHECK(sexpr(*i12.score) == "(* (count @business) $min_fte)");
  CHECK(i12.score_of == engine::Number(10));
  REQUIRE(i12.levels.size() == 2);
  CHECK(i12.levels[0].name == "gold");
  CHECK(sexpr(i12.levels[1].when) == "(or (or (between $start @year_ago as_of) $flag) (== $none null))");

  CHECK(p.indicators[2].id == "9");
  CHECK(p.indicators[2].group == "");

  REQUIRE(p.outcome.size() == 2);
  CHECK(p.outcome[0].label == "Excellent");
  CHECK(sexpr(p.outcome[0].when) == "(and minimum_met (>= score_share 4/5))");
  CHECK(sexpr(p.outcome[1].when) == "(== (verdict 1.2) \"pass\")");
  CHECK(p.max_element_depth == 1);
}

TEST_CASE("dsl grammar: spans point into the file, holes included") {
  const std::string text = header + "indicator \"1\" \"t\" {\n  require x > 1 else \"x is {x + 1:%}!\"\n}\n";
  auto src = text_source(text);
  auto tree = dsl::parse_ruleset(src);
  const auto& ind = std::get<dsl::ast::Indicator>(tree.declarations[0]);
  const auto& req = ind.requirements[0];
  auto slice = [&](Span s) { return text.substr(s.begin, s.end - s.begin); };
  CHECK(slice(req.condition.span) == "x > 1");
  CHECK(slice(req.condition.args[0].span) == "x");
  CHECK(slice(req.span) == "require x > 1 else \"x is {x + 1:%}!\"");
  REQUIRE(req.message);
  CHECK(slice(req.message->span) == "\"x is {x + 1:%}!\"");
  REQUIRE(req.message->parts.size() == 3);
  CHECK(slice(req.message->parts[1].span) == "{x + 1:%}");
  CHECK(slice(req.message->parts[1].expr->span) == "x + 1");
  CHECK(slice(req.message->parts[1].expr->args[1].span) == "1");
  CHECK(slice(ind.id.span) == "\"1\"");
}

TEST_CASE("dsl grammar: name resolution order") {
  const std::string text = header + R"(param p = 1
let l = p + 1
indicator "1" "t" {
  let inner = l + as_of + evidence_field
  require xs as p2 where p2 > inner
}
)";
  auto prog = load(text);
  CHECK(sexpr(prog.lets[0].expr) == "(+ $p 1)");
  CHECK(sexpr(prog.lets[1].expr) == "(+ (+ @l as_of) evidence_field)");
  CHECK(sexpr(prog.indicators[0].checks[0].expr) == "(where xs (> %0 @inner))");
  CHECK(prog.lets[1].indicator == "1");
  CHECK(prog.indicators[0].lets == std::vector<std::uint32_t>{1});
}

TEST_CASE("dsl grammar: lets may be used before they are declared, in any scope order") {
  auto prog = load(header + "let a = b + 1\nlet b = 2\ngroup \"g\" \"G\" {\n  indicator \"1\" \"t\" { require c > a }\n  let c = b\n}\n");
  CHECK(sexpr(prog.indicators[0].checks[0].expr) == "(> @c @a)");
}

TEST_CASE("dsl grammar: element depth is absolute and recorded") {
  auto prog = load(header + "indicator \"1\" \"t\" {\n  require any(a, any(.b, any(.c, .d)))\n}\n");
  CHECK(sexpr(prog.indicators[0].checks[0].expr) == "(any a (any (.b %0) (any (.c %1) (.d %2))))");
  CHECK(prog.max_element_depth == 3);
  auto flat = load(header + "indicator \"1\" \"t\" {\n  require x > 1\n}\n");
  CHECK(flat.max_element_depth == 0);
}

TEST_CASE("dsl grammar: lowering reports problems, all of them") {
  CHECK(load_error(header + "indicator \"1\" \"t\" { require cnt(x) > 1 }") ==
        "unknown function 'cnt'; did you mean 'count'?");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require frobnicate(x) }") == "unknown function 'frobnicate'");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require count(x, y) > 1 }") == "count takes 1 argument, not 2");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require between(x, y) }") == "between takes 3 arguments, not 2");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require latest(x) }") == "latest takes at least 2 arguments, not 1");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require .x }") ==
        "'.x' is only meaningful inside a collection operation (where, any, all, sum, min, max, distinct, share)");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require minimum_met }") ==
        "minimum_met is only available in the outcome block");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require x }\noutcome { label \"a\" when verdict(\"2\") == \"pass\" }") ==
        "no indicator has the id '2'");
  CHECK(load_error(header + "param a = 1\nparam a = 2\nlet b = a") == "duplicate param 'a' (first declared at line 2)");
  CHECK(load_error(header + "param a = 1\nlet a = 2") == "let 'a' shadows the param 'a' declared at line 2");
  CHECK(load_error(header + "let a = b\nlet b = c\nlet c = a\nindicator \"1\" \"t\" { require a }") ==
        "let a depends on itself through b → c → a");
  CHECK(load_error(header + "let a = a + 1\nindicator \"1\" \"t\" { require a }") == "let a depends on itself");
  CHECK(load_error(header + "indicator \"1\" \"t\" { require x }\nindicator \"1\" \"u\" { require y }") ==
        "duplicate indicator id '1' (first declared at line 2)");
  CHECK(load_error(header + "param p = 1, 2 from 2030-01-01, 3 from 2030-01-01\nlet x = p") ==
        "param 'p' has two values from 2030-01-01 (the other at line 2); give each date once");
  // Inheritance without a resolver, or without a base (tests/dsl/inherit has the rest).
  CHECK(load_error(header + "extends \"base@1\"\n") == "no ruleset 'base@1' in the catalogue (known: none)");
  CHECK(load_error(header + "extends \"base\"\n") ==
        "extends needs \"NAME@VERSION\" (a base is always one fixed version), not \"base\"");
  CHECK(load_error(header + "override param a = 1\nremove indicator \"1\"\nlet b = a\n") ==
        "override param 'a', but this ruleset extends no other (add extends \"NAME@VERSION\" to its header)\n"
        "remove indicator '1', but this ruleset extends no other (add extends \"NAME@VERSION\" to its header)");
  CHECK(load_error(header + "override indicator \"1\" \"t\" { require x }") ==
        "override indicator '1', but this ruleset extends no other (add extends \"NAME@VERSION\" to its header)");
  CHECK(load_error(header + "extend group \"1\" { indicator \"2\" \"t\" { require x } }") ==
        "extend group '1', but this ruleset extends no other (add extends \"NAME@VERSION\" to its header)");
  // Several problems are all reported.
  CHECK(load_error(header + "indicator \"1\" \"t\" {\n require cnt(x)\n require .y\n require count()\n}") ==
        "unknown function 'cnt'; did you mean 'count'?\n"
        "'.y' is only meaningful inside a collection operation (where, any, all, sum, min, max, distinct, share)\n"
        "count takes 1 argument, not 0");
}

TEST_CASE("dsl grammar: unused params and lets are warnings") {
  Diagnostics warnings;
  auto p = load(header + "param unused_p = 1\nlet unused_l = 2\nlet used = 3\nindicator \"1\" \"t\" { require used > 1 }", &warnings);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings.items()[0].severity == Severity::warning);
  CHECK(warnings.items()[0].code == "unused");
  CHECK(warnings.items()[0].message == "param 'unused_p' is never used");
  CHECK(warnings.items()[1].message == "let 'unused_l' is never used");
}

TEST_CASE("dsl grammar: the ECEI minimum ruleset parses and lowers cleanly") {
  std::string path = std::string(VERDICT_TEST_DIR) + "/../rulesets/ecei/ecei-minimum-2012.1.rules";
  std::ifstream probe(path);
  if (!probe) {
    MESSAGE("skipped: " << path << " does not exist yet");
    return;
  }
  Diagnostics warnings;
  auto p = dsl::load_ruleset_file(path, &warnings);
  CHECK_MESSAGE(warnings.empty(), render(warnings));
  CHECK(p.name == "ecei-minimum");
  CHECK(p.version == "2012.1");
  CHECK(p.indicators.size() == 18);
  for (const auto& ind : p.indicators) {
    CHECK(ind.minimum);
    CHECK_FALSE(ind.checks.empty());
    CHECK_FALSE(ind.cites.empty());
  }
  CHECK(p.outcome.size() >= 1);
  CHECK(p.max_element_depth >= 2);
}

TEST_CASE("dsl grammar: message holes hold any expression, strings included") {
  auto p = load(header + "indicator \"1\" \"t\" {\n  require x\n    else \"{count(xs where .k == \"a\")} with \\\"}\\\": {if x then \"}\" else \"{\"}\"\n}\n");
  const auto& parts = p.indicators[0].checks[0].message->parts;
  REQUIRE(parts.size() == 3);
  CHECK(sexpr(*parts[0].expr) == "(count (where xs (== (.k %0) \"a\")))");
  CHECK(parts[1].text == " with \"}\": ");
  CHECK(sexpr(*parts[2].expr) == "(if x \"}\" \"{\")");
}

TEST_CASE("dsl grammar: CRLF line ends, a byte order mark, tabs") {
  auto p = load("\xEF\xBB\xBFruleset \"t\" version \"1\"\r\n# comment\r\nlet a = 1 +\r\n\t2\r\nindicator \"1\" \"t\" {\r\n\trequire a > 1 # why\r\n}\r\n");
  CHECK(sexpr(p.lets[0].expr) == "(+ 1 2)");
  CHECK(p.indicators[0].checks[0].source == "a > 1");
  CHECK(p.indicators[0].checks[0].line == 6);
}
