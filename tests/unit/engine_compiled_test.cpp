// Conditions compiled for the fast path (engine/compiled.hpp) must decide
// exactly what the general evaluator decides: each check's result, the
// absent evidence it names, its message and gap, the values an indicator
// shows, the verdicts, levels, scores, outcome and label, or the same
// evaluation error. Checked with the fast path on and off over the shipped
// rulesets on the example evidence, generated evidence of many shapes and
// the evidence of every ruleset test case, and over every expression of
// tests/language/expressions.txt.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "bench/evidence_generator.hpp"
#include "cli/workspace.hpp"
#include "dsl/load.hpp"
#include "engine/compiled.hpp"
#include "engine/evaluator.hpp"
#include "engine/schema.hpp"
#include "engine/text.hpp"
#include "tests/unit/semantics_cases.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

// A full evaluation, everything it reports, as text.
std::string everything(const engine::Program& program, const engine::Evidence& evidence, bool compiled,
                       engine::EvalStats* stats = nullptr, std::uint64_t step_budget = engine::EvalOptions{}.step_budget,
                       engine::Detail detail = engine::Detail::full) {
  engine::EvalOptions options;
  options.detail = detail;
  options.compiled_conditions = compiled;
  options.stats = stats;
  options.step_budget = step_budget;
  try {
    auto r = engine::evaluate(program, evidence, options);
    std::string out = fmt::format("outcome {} label {} points {}/{}\n", engine::to_string(r.outcome), r.label.value_or("-"),
                                  r.points ? r.points->to_string() : "-", r.max_points ? r.max_points->to_string() : "-");
    for (const auto& i : r.indicators) {
      out += fmt::format("{} {} level {} score {} missing [{}]\n", i.id, engine::to_string(i.verdict), i.level.value_or("-"),
                         i.score ? i.score->to_string() : "-", fmt::join(i.missing, ", "));
      for (const auto& c : i.checks)
        out += fmt::format("  require {}: {} | {} | {} | missing [{}]\n", c.source,
                           c.result ? (*c.result ? "true" : "false") : "unknown", c.message.value_or("-"), c.gap.value_or("-"),
                           fmt::join(c.missing, ", "));
      for (const auto& [name, value] : i.values) out += fmt::format("  let {} = {}\n", name, engine::to_display(value));
    }
    return out;
  } catch (const engine::EvalError& e) {
    return std::string("eval error: ") + e.what();
  }
}

struct Totals {
  int compared = 0;
  engine::EvalStats stats;
};

void agree(const engine::Program& program, const engine::Evidence& evidence, const std::string& what, Totals& totals) {
  // A full report, and verdicts only (which note no absent evidence, so
  // that the fast path meets lets and lists the full report leaves alone).
  for (auto detail : {engine::Detail::full, engine::Detail::verdicts}) {
    const std::uint64_t budget = engine::EvalOptions{}.step_budget;
    auto general = everything(program, evidence, false, nullptr, budget, detail);
    auto fast = everything(program, evidence, true, &totals.stats, budget, detail);
    CHECK_MESSAGE(fast == general, what, "\ngeneral evaluator:\n", general, "\nwith the fast path:\n", fast);
  }
  ++totals.compared;
}

// Each body (the lets and requires of one indicator) decided alike with the
// fast path and without it, as agree() compares them, and under every step
// budget from 1 to `max_budget`.
void agree_within_budgets(const std::vector<std::string>& bodies, const engine::Evidence& evidence,
                          std::uint64_t max_budget, Totals& totals) {
  for (const auto& body : bodies) {
    auto program = test::semantics_ruleset(body);
    REQUIRE_MESSAGE(program, body);
    agree(*program, evidence, body, totals);
    for (std::uint64_t budget = 1; budget <= max_budget; ++budget)
      CHECK_MESSAGE(everything(*program, evidence, true, nullptr, budget) == everything(*program, evidence, false, nullptr, budget),
                    body, " with a step budget of ", budget);
  }
}

std::string require(const std::string& check) { return "  require " + check + "\n"; }


// The inline evidence of each case of a ruleset test file, as YAML text.
std::vector<std::pair<std::string, std::string>> case_evidence(const std::string& file) {
  std::vector<std::pair<std::string, std::string>> out;
  YAML::Node doc = YAML::LoadFile(file);
  for (const auto& c : doc["cases"]) {
    if (!c["evidence"] || !c["evidence"].IsMap()) continue;
    YAML::Emitter emit;
    emit << c["evidence"];
    out.emplace_back(c["name"] ? c["name"].as<std::string>() : std::string("?"), emit.c_str());
  }
  return out;
}

int conditions_compiled(const engine::Expr& e) {
  int n = e.cond ? 1 : 0;
  for (const auto& a : e.args) n += conditions_compiled(a);
  return n;
}

}  // namespace

TEST_CASE("compiled conditions: the ECEI rulesets decide as the general evaluator does") {
  const std::string root = VERDICT_TEST_DIR "/..";
  Totals totals;
  for (const char* file : {"ecei-minimum-2012.1.rules", "ecei-eligibility-2019.1.rules", "ecei-gold-2012.1.rules"}) {
    auto r = cli::load_ruleset(root + "/rulesets/ecei/" + file, {}, false);
    for (const auto& entry : fs::directory_iterator(root + "/examples/evidence")) {
      auto path = entry.path().string();
      auto ev = engine::load_evidence(std::make_shared<Source>(path, read_file(path)), *r.schema);
      agree(r.program, ev, std::string(file) + " on " + path, totals);
    }
    for (int participants : {0, 1, 3, 10, 57})
      for (std::uint32_t seed = 1; seed <= 12; ++seed) {
        auto ev = engine::load_evidence(std::make_shared<Source>("generated.yaml", bench::generate_evidence(participants, seed)),
                                        *r.schema);
        agree(r.program, ev, fmt::format("{} on generated evidence ({} participants, seed {})", file, participants, seed),
              totals);
      }
    // The evidence of every test case: boundaries, absent fields, nulls.
    for (const auto& dir : {root + "/rulesets/ecei/tests", root + "/rulesets/ecei/tests-gold"})
      for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.path().string().ends_with(".test.yaml")) continue;
        for (const auto& [name, yaml] : case_evidence(entry.path().string())) {
          engine::Evidence ev;
          try {
            ev = engine::load_evidence(std::make_shared<Source>("case.yaml", yaml), *r.schema);
          } catch (const DiagnosticError&) {
            continue;  // a case about invalid evidence
          }
          agree(r.program, ev, fmt::format("{} on {}: {}", file, entry.path().filename().string(), name), totals);
        }
      }
  }
  CHECK(totals.compared >= 3 * (4 + 5 * 12 + 50));
  // The fast path did answer, and also gave up (on absent evidence) somewhere.
  CHECK(totals.stats.answered > 10'000);
  CHECK(totals.stats.gave_up > 0);
}

TEST_CASE("compiled conditions: the voucher example decides as the general evaluator does") {
  const std::string root = VERDICT_TEST_DIR "/../examples/voucher";
  auto r = cli::load_ruleset(root + "/innovation-voucher-2026.1.rules", {}, false);
  Totals totals;
  for (const auto& entry : fs::directory_iterator(root + "/applications")) {
    auto path = entry.path().string();
    auto ev = engine::load_evidence(std::make_shared<Source>(path, read_file(path)), *r.schema);
    agree(r.program, ev, path, totals);
  }
  CHECK(totals.compared >= 3);
}

TEST_CASE("compiled conditions: every expression of the semantics cases decides alike") {
  auto evidence = test::semantics_evidence();
  Totals totals;
  for (const auto& c : test::semantics_cases()) {
    // As a check itself, through a let, and as the condition of a where.
    for (std::string body : {"  require " + c.expression + "\n", "  let value = " + c.expression + "\n  require value == true\n",
                             "  require count([1, 2, 3] where " + c.expression + ") >= 0\n"}) {
      auto program = test::semantics_ruleset(body);
      if (!program) continue;  // not a well-typed check (e.g. a number as a condition)
      agree(*program, evidence, fmt::format("expressions.txt:{}: {}", c.line, test::trim(body)), totals);
    }
  }
  CHECK(totals.compared >= 60);
  CHECK(totals.stats.answered > 0);
}

TEST_CASE("compiled conditions: where the fast path must give up, the result is the general evaluator's") {
  // Unknown and null operands, absent fields, lets not yet evaluated: the
  // fast path answers none of these itself.
  auto evidence = test::semantics_evidence();
  const char* checks[] = {
      R"("c" in words)",                      // an unknown item: unknown, not false
      R"("a" in words)",                      //
      R"(any(partial, .n > 1))",              // an absent field: unknown, and it is named
      R"(all(partial, .ok or .n > 5))",       //
      R"(all(partial, .n == 1))",             //
      R"(between(nothing, 1, 3))",            // null orders as false
      R"(any(items, between(.n, low, 3)))",   // a let first read inside a condition
      R"(not flag or any(items, not .ok))",
      R"(any(items, .tag in ["x"] and .n > low))",
      R"(all(items, .n >= 1) or missing_flag)",
  };
  Totals totals;
  for (const char* check : checks) {
    std::string text = "ruleset \"give-up\" version \"0\"\n  schema \"any\"\n  as_of 2026-06-30\n"
                       "let words = [\"a\", missing_text]\nlet low = 1 + 1\n"
                       "indicator \"x\" \"x\" {\n  require " + std::string(check) + "\n}\n";
    auto program = dsl::load_ruleset_text(std::make_shared<Source>("give-up.rules", text));
    CHECK_MESSAGE(program.indicators[0].checks[0].expr.cond != nullptr, std::string(check));
    agree(program, evidence, check, totals);
  }
  CHECK(totals.stats.gave_up >= 5);
}

TEST_CASE("compiled conditions: a where on a boolean field decides as the general evaluator does") {
  // `C where .f` and `C where not .f` are answered per item straight from the
  // item: on items where the field holds, fails, is absent, null, not a
  // boolean, found at another position than in the item before, and on
  // items that are not records. Each is compared with the general evaluator,
  // as a full report, verdicts only, and under every small step budget.
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto evidence = engine::load_evidence(std::make_shared<Source>("flags.yaml", R"(
flags: [{ok: true}, {ok: false}, {other: 1, ok: true}, {ok: true, other: 2}]
absent: [{ok: true}, {other: 1}, {ok: false}]
nulls: [{ok: true}, {ok: null}]
wrong: [{ok: true}, {ok: 3}]
scalars: [{ok: true}, 5]
)"), *schema);
  const char* checks[] = {
      "count(flags where .ok) == 3",
      "count(flags where not .ok) == 1",
      "share(flags where .ok, flags) >= 75%",
      "count(flags where .ok) == count(flags where not not .ok)",
      "count(absent where .ok) == 1",
      "count(absent where not .ok) == 1",
      "count(nulls where .ok) == 1",
      "count(wrong where not .ok) == 0",
      "count(scalars where .ok) == 1",
      "any(flags, count(flags where .ok) == 3)",
  };
  Totals totals;
  std::vector<std::string> bodies;
  for (const char* check : checks) bodies.push_back(require(check));
  agree_within_budgets(bodies, evidence, 40, totals);
  CHECK(totals.stats.answered >= 20);
  CHECK(totals.stats.gave_up >= 3);  // the absent field, the null, the 3, the 5
  // The first checks are right, not only alike: three of the four hold.
  auto program = test::semantics_ruleset("  require count(flags where .ok) == 3\n  require count(flags where not .ok) == 1\n");
  REQUIRE(program);
  CHECK(engine::evaluate(*program, evidence).outcome == engine::Verdict::pass);
}

TEST_CASE("compiled conditions: a field compared with a text decides as the general evaluator does") {
  // `.f == "text"` and `.f != "text"` are one node that reads the field and
  // compares. Compared with the general evaluator on items whose field is
  // that text, another text, a text of another length, absent, null, a
  // number, a boolean, and on items that are not records; as a full report,
  // verdicts only, and under every small step budget.
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto evidence = engine::load_evidence(std::make_shared<Source>("texts.yaml", R"(
texts: [{k: business}, {k: research}, {k: business}, {k: businesses}, {k: ""}, {other: business, k: business}]
odd: [{k: business}, {other: 1}, {k: null}, {k: 3}, {k: true}, business, {k: business}]
)"), *schema);
  const char* checks[] = {
      R"(count(texts where .k == "business") == 3)",
      R"(count(texts where .k != "business") == 3)",
      R"(count(texts where .k == "") == 1)",
      R"(count(texts where .k == "business" and .k != "research") == 3)",
      R"(any(texts, .k == "research"))",
      R"(all(texts, .k != "university"))",
      R"(count(odd where .k == "business") == 2)",
      R"(count(odd where .k != "business") == 2)",
  };
  Totals totals;
  std::vector<std::string> bodies;
  for (const char* check : checks) bodies.push_back(require(check));
  agree_within_budgets(bodies, evidence, 60, totals);
  CHECK(totals.stats.answered >= 30);
  // Right, not only alike: the first six hold.
  for (int k = 0; k < 6; ++k) {
    auto program = test::semantics_ruleset(require(checks[k]));
    REQUIRE(program);
    CHECK_MESSAGE(engine::evaluate(*program, evidence).outcome == engine::Verdict::pass, checks[k]);
  }
}

TEST_CASE("compiled conditions: a where on a sum over a join decides as the general evaluator does") {
  // `people as p where sum(acts where p.id in .ids, .days) >= 2` is answered
  // per person by one lookup in the join's index. Compared with the general
  // evaluator on people whose key is found, not found, absent, null, a list,
  // and who are not records; on sums of fractions, of null, of a string, and
  // sums that overflow; with a let as the joined list and a constant summed;
  // with each comparison; as a full report, verdicts only, and under every
  // small step budget.
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto evidence = engine::load_evidence(std::make_shared<Source>("join.yaml", R"(
people: [{id: a}, {id: b}, {id: c}, {id: d}, {id: z}, {id: 7}, {id: g}]
odd: [{id: a}, {other: 1}, {id: b}, {id: null}, {id: [a]}, 5, {id: c}]
acts: [{ids: [a, b], days: 1}, {ids: [a, c], days: 1}, {ids: [b], days: 0.5}, {ids: [c, g, 7], days: 0.25}, {ids: [d], days: 3}]
nulls: [{ids: [a], days: 2}, {ids: [b], days: null}, {ids: [c], days: 1}]
strings: [{ids: [a], days: 2}, {ids: [b], days: "x"}]
big: [{ids: [a], days: 9223372036854775807}, {ids: [a, b], days: 1}]
)"), *schema);
  const char* bodies[] = {
      "  require count(people as p where sum(acts where p.id in .ids, .days) >= 2) == 2\n",
      "  require count(people as p where sum(acts where p.id in .ids, .days) > 1.5) == 2\n",
      "  require count(people as p where sum(acts where p.id in .ids, .days) < 1) == 3\n",
      "  require count(people as p where sum(acts where p.id in .ids, .days) <= 1.5) == 5\n",
      "  require count(people as p where sum(acts where p.id in .ids, .days) == 0) == 1\n",
      "  require count(people as p where sum(acts where p.id in .ids, .days) != 0.25) == 5\n",
      "  require count(people as p where sum(acts where p.id in .ids, 1) >= 2) == 3\n",
      "  let joined = acts where .days > 0.3\n  require count(people as p where sum(joined where p.id in .ids, .days) >= 1) == 4\n",
      "  require count(odd as p where sum(acts where p.id in .ids, .days) >= 1) == 3\n",
      "  require count(people as p where sum(nulls where p.id in .ids, .days) >= 1) == 2\n",
      "  require count(people as p where sum(strings where p.id in .ids, .days) >= 1) == 1\n",
      "  require count(people as p where sum(big where p.id in .ids, .days) >= 1) == 1\n",
  };
  Totals totals;
  agree_within_budgets({std::begin(bodies), std::end(bodies)}, evidence, 80, totals);
  CHECK(totals.stats.answered >= 40);
  // Right, not only alike: a, b, c have 2, 1.5 and 1.25 days, d 3, z 0, 7 and g 0.25.
  for (int k = 0; k < 7; ++k) {
    auto program = test::semantics_ruleset(bodies[k]);
    REQUIRE(program);
    CHECK_MESSAGE(engine::evaluate(*program, evidence).outcome == engine::Verdict::pass, bodies[k]);
  }
}

TEST_CASE("compiled conditions: a step budget runs out where it does without them") {
  // The fast path counts the steps the general evaluator counts, and gives
  // up when the budget runs out, so that the error names the same node.
  auto r = cli::load_ruleset(VERDICT_TEST_DIR "/../rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  auto ev = engine::load_evidence(std::make_shared<Source>("generated.yaml", bench::generate_evidence(20, 3)), *r.schema);
  int errors = 0;
  for (std::uint64_t budget = 20; budget < 3000; budget = budget * 5 / 4) {
    auto general = everything(r.program, ev, false, nullptr, budget);
    auto fast = everything(r.program, ev, true, nullptr, budget);
    CHECK_MESSAGE(fast == general, "step budget ", budget);
    errors += general.starts_with("eval error: evaluation step budget");
  }
  CHECK(errors > 5);  // the budgets tried do run out, at many places
}

TEST_CASE("compiled conditions: the ECEI minimum ruleset's conditions are compiled") {
  auto r = cli::load_ruleset(VERDICT_TEST_DIR "/../rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  int compiled = 0;
  for (const auto& l : r.program.lets) compiled += conditions_compiled(l.expr);
  for (const auto& ind : r.program.indicators)
    for (const auto& c : ind.checks) compiled += conditions_compiled(c.expr);
  // Every `where` and any() condition, and most checks.
  CHECK(compiled >= 20);
}

TEST_CASE("compiled lets: a let built by its plan is what the general evaluator builds") {
  // Filters, distinct values (of a list and of a filtered list), dates
  // shifted by a duration and plain operands, built by their plans
  // (engine/compiled.hpp), on lists whose items the fast path decides, and
  // on items it cannot (absent fields, null, unknown, wrong kinds), which
  // the general evaluator decides item by item; on sources the plan gives
  // up on (absent, null, not a list, a date out of the calendar); a let
  // first read inside another collection operation; lets built from lets.
  // Compared with the fast path off, as a full report, verdicts only, and
  // under every small step budget.
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto evidence = engine::load_evidence(std::make_shared<Source>("plans.yaml", R"(
start: 2025-03-31
late: 9999-12-01
items: [{n: 1, ok: true, tag: x}, {n: 2, ok: false, tag: y}, {n: 3, ok: true, tag: x}, {n: 2, ok: false, tag: null}]
odd: [{n: 1, ok: true, tag: x}, {ok: true}, 5, {n: null, ok: null, tag: [a]}, {n: 2, ok: true, tag: x}]
words: [a, b, a, c, b]
empty: []
text: plain
nothing: null
)"), *schema);
  const std::vector<std::string> bodies = {
      "  let kept = items where .ok\n  require count(kept) == 2\n",
      "  let kept = items where .n >= 2 and .tag == \"x\"\n  require count(kept) == 1\n",
      "  let kept = odd where .ok\n  require count(kept) >= 0\n",
      "  let kept = odd where .n > 1\n  require count(kept) >= 0\n",
      "  let kept = absent_list where .ok\n  require count(kept) >= 0\n",
      "  let kept = nothing where .ok\n  require count(kept) >= 0\n",
      "  let kept = text where .ok\n  require count(kept) >= 0\n",
      "  let kept = empty where .ok\n  require count(kept) == 0\n",
      "  let kept = [1, 2, 3] where . > 1\n  require count(kept) == 2\n",
      "  let tags = distinct(items, .tag)\n  require count(tags) == 3\n",
      "  let tags = distinct(items where .ok, .tag)\n  require count(tags) == 1\n",
      "  let tags = distinct(odd, .tag)\n  require count(tags) >= 0\n",
      "  let tags = distinct(odd where .ok, .n)\n  require count(tags) >= 0\n",
      "  let tags = distinct(words, .)\n  require count(tags) == 3\n",
      "  let tags = distinct(absent_list, .)\n  require count(tags) >= 0\n",
      "  let before = start - 1 year\n  require before < start\n",
      "  let after = start + 6 months\n  require after > start\n",
      "  let after = late + 1 year\n  require after > late\n",
      "  let after = missing_date - 1 year\n  require after < as_of\n",
      "  let after = as_of - 1 month\n  require after < as_of\n",
      "  let same = items\n  require count(same) == 4\n",
      "  let same = absent_list\n  require count(same) >= 0\n",
      "  let low = 1 + 1\n  let high = items where .n >= low\n  require count(high) == 3\n",
      "  let threshold = as_of - 2 years\n  require any(items, .n > 0 and start > threshold)\n",
      "  let oks = items where .ok\n  require count(items where count(oks) > .n) == 1\n",
      "  let oks = items where .ok\n  let tags = distinct(oks, .tag)\n  require count(tags) == 1\n",
  };
  Totals totals;
  agree_within_budgets(bodies, evidence, 40, totals);
  CHECK(totals.stats.answered > 0);
  CHECK(totals.stats.gave_up > 0);
  // Right, not only alike: the bodies that state their value hold.
  for (std::size_t k : {0, 1, 7, 8, 9, 10, 13, 15, 16, 19, 20, 22, 23, 24, 25}) {
    auto program = test::semantics_ruleset(bodies[k]);
    REQUIRE(program);
    CHECK_MESSAGE(engine::evaluate(*program, evidence).outcome == engine::Verdict::pass, bodies[k]);
  }
}

TEST_CASE("compiled lets: the ECEI minimum ruleset's lets have plans") {
  auto r = cli::load_ruleset(VERDICT_TEST_DIR "/../rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  int planned = 0;
  for (const auto& l : r.program.lets) planned += l.plan != nullptr;
  // Every let but missing_covers (a message's, and `in` an index answers).
  CHECK(planned >= 14);
}

TEST_CASE("compiled conditions: a share compared with a threshold decides as the general evaluator does") {
  // share(PART, WHOLE) OP T is decided from the two counts (p·den OP num·w)
  // without forming the fraction. Compared with the general evaluator for
  // every operator, on both sides of the threshold and exactly on it, with a
  // threshold that is not a number, an empty whole (unknown), a part or a
  // whole that is not a list, and an absent list; as a full report, verdicts
  // only, and under every small step budget.
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  auto evidence = engine::load_evidence(std::make_shared<Source>("shares.yaml", R"(
flags: [{ok: true}, {ok: false}, {ok: true}, {ok: true}]
none: []
text: "abc"
)"), *schema);
  // (A share is compiled when its lists are lets or paths, as in the ECEI rulesets.)
  const std::string lets = "  let oks = flags where .ok\n  let bad = flags where not .ok\n  let empty = none where .ok\n";
  std::vector<std::string> bodies;
  for (const char* op : {"==", "!=", "<", "<=", ">", ">="})
    for (const char* t : {"75%", "3/4", "0.7", "0.8", "1", "0", "count(flags)", "\"x\"", "true", "null", "absent_value"})
      bodies.push_back(lets + require(fmt::format("share(oks, flags) {} {}", op, t)));
  for (const char* check : {"share(empty, none) >= 0", "share(oks, none) < 1", "share(none, flags) == 0",
                            "share(text, flags) == 0", "share(flags, text) == 0", "share(absent_list, flags) == 0",
                            "share(flags, absent_list) == 0", "share(oks, flags) > share(bad, flags)"})
    bodies.push_back(lets + require(check));
  Totals totals;
  agree_within_budgets(bodies, evidence, 12, totals);
  CHECK(totals.stats.answered >= 60);
  CHECK(totals.stats.gave_up >= 8);  // not a number (4), an empty whole (2), not lists (2)
  // Right, not only alike.
  for (const char* check : {"share(oks, flags) == 75%", "share(oks, flags) > 0.7", "share(oks, flags) < 0.8",
                            "share(oks, flags) >= 3/4", "share(oks, flags) <= 3/4", "share(oks, flags) != 1",
                            "share(none, flags) == 0"}) {
    auto program = test::semantics_ruleset(lets + require(check));
    REQUIRE(program);
    CHECK_MESSAGE(engine::evaluate(*program, evidence).outcome == engine::Verdict::pass, check);
  }
}

TEST_CASE("compiled conditions: the outcome's labels are chosen as the general evaluator chooses them") {
  // Labels reading minimum_met, score_share and known() are compiled; each
  // evidence below leads to another label (met with half the points, met,
  // not met, unknown; "no score" is read but never chosen),
  // compared with the general evaluator under every small step budget.
  const std::string text = R"(ruleset "outcomes" version "0"
  schema "any"
  as_of 2026-06-30
indicator "a" "A" minimum {
  require flag
}
indicator "b" "B" {
  require true
  score points of 4
}
outcome {
  label "unknown" when not known(minimum_met)
  label "no score" when minimum_met and not known(score_share)
  label "met, half" when minimum_met and score_share >= 50%
  label "met" when minimum_met
  label "not met" when not minimum_met
}
)";
  auto program = dsl::load_ruleset_text(std::make_shared<Source>("outcomes.rules", text));
  CHECK(conditions_compiled(program.outcome.front().when) == 1);
  auto schema = engine::Schema::parse(std::make_shared<Source>("any.json", "{}"));
  const std::pair<const char*, const char*> cases[] = {
      {"flag: true\npoints: 3\n", "met, half"},
      {"flag: true\npoints: 1\n", "met"},
      {"flag: true\n", "met"},  // an unknown score counts no points: score_share is 0 of 4, known
      {"flag: false\npoints: 4\n", "not met"},
      {"points: 4\n", "unknown"},
  };
  Totals totals;
  for (const auto& [yaml, label] : cases) {
    auto evidence = engine::load_evidence(std::make_shared<Source>("outcome.yaml", yaml), *schema);
    agree(program, evidence, yaml, totals);
    for (std::uint64_t budget = 1; budget <= 30; ++budget)
      CHECK_MESSAGE(everything(program, evidence, true, nullptr, budget) == everything(program, evidence, false, nullptr, budget),
                    yaml, " with a step budget of ", budget);
    CHECK_MESSAGE(engine::evaluate(program, evidence).label.value_or("-") == std::string(label), yaml);
  }
  CHECK(totals.stats.answered >= 10);
}
