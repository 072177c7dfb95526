// `Detail::verdicts` (what `diff` and dry-runs use) must decide exactly what
// a full evaluation decides: the same verdicts, levels, scores, outcome and
// label, or the same evaluation error. Checked over every shipped ruleset on
// the example evidence and on generated evidence of many shapes, and over
// every expression of tests/language/expressions.txt.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "bench/evidence_generator.hpp"
#include "cli/workspace.hpp"
#include "dsl/load.hpp"
#include "engine/evaluator.hpp"
#include "engine/schema.hpp"
#include "engine/text.hpp"
#include "tests/unit/semantics_cases.hpp"

using namespace verdict;

namespace {

// Everything a verdicts-only evaluation must agree on, as text.
std::string decided(const engine::Program& program, const engine::Evidence& evidence, engine::Detail detail,
                    std::uint64_t step_budget = engine::EvalOptions{}.step_budget) {
  engine::EvalOptions options;
  options.detail = detail;
  options.step_budget = step_budget;
  try {
    auto r = engine::evaluate(program, evidence, options);
    std::string out = fmt::format("outcome {} label {} pass {} fail {} unknown {} points {}/{}\n", engine::to_string(r.outcome),
                                  r.label.value_or("-"), r.pass, r.fail, r.unknown,
                                  r.points ? r.points->to_string() : "-", r.max_points ? r.max_points->to_string() : "-");
    for (const auto& i : r.indicators)
      out += fmt::format("{} {} level {} score {}\n", i.id, engine::to_string(i.verdict), i.level.value_or("-"),
                         i.score ? i.score->to_string() : "-");
    return out;
  } catch (const engine::EvalError& e) {
    return std::string("eval error: ") + e.what();
  }
}

void agree(const engine::Program& program, const engine::Evidence& evidence, const std::string& what) {
  auto full = decided(program, evidence, engine::Detail::full);
  auto verdicts = decided(program, evidence, engine::Detail::verdicts);
  CHECK_MESSAGE(verdicts == full, what, "\nfull:\n", full, "\nverdicts only:\n", verdicts);
}


}  // namespace

TEST_CASE("verdicts only: the ECEI rulesets decide as a full evaluation does") {
  const std::string root = VERDICT_TEST_DIR "/..";
  int compared = 0;
  for (const char* file : {"ecei-minimum-2012.1.rules", "ecei-eligibility-2019.1.rules", "ecei-gold-2012.1.rules"}) {
    auto r = cli::load_ruleset(root + "/rulesets/ecei/" + file, {}, false);
    std::vector<std::filesystem::path> examples;
    for (const auto& entry : std::filesystem::directory_iterator(root + "/examples/evidence")) examples.push_back(entry.path());
    for (const auto& path : examples) {
      auto ev = engine::load_evidence(std::make_shared<Source>(path.string(), read_file(path.string())), *r.schema);
      agree(r.program, ev, std::string(file) + " on " + path.string());
      ++compared;
    }
    // Generated evidence straddles the thresholds of 1.1.0, 1.1.1, 2.5 and 2.6.
    for (int participants : {0, 1, 3, 10, 57})
      for (std::uint32_t seed = 1; seed <= 12; ++seed) {
        auto ev = engine::load_evidence(std::make_shared<Source>("generated.yaml", bench::generate_evidence(participants, seed)),
                                        *r.schema);
        agree(r.program, ev, fmt::format("{} on generated evidence ({} participants, seed {})", file, participants, seed));
        ++compared;
      }
  }
  CHECK(compared == 3 * (4 + 5 * 12));
}

TEST_CASE("verdicts only: the voucher example decides as a full evaluation does") {
  const std::string root = VERDICT_TEST_DIR "/../examples/voucher";
  auto r = cli::load_ruleset(root + "/innovation-voucher-2026.1.rules", {}, false);
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/applications")) {
    auto path = entry.path().string();
    auto ev = engine::load_evidence(std::make_shared<Source>(path, read_file(path)), *r.schema);
    agree(r.program, ev, path);
    ++compared;
  }
  CHECK(compared >= 3);
}

TEST_CASE("verdicts only: every expression of the semantics cases decides alike") {
  auto evidence = test::semantics_evidence();
  int compared = 0;
  for (const auto& c : test::semantics_cases()) {
    // The expression is the check itself when it is a condition, and is read
    // through known() otherwise, so that a verdict depends on evaluating it.
    for (std::string check : {"known(value)", "value == true"}) {
      auto program = test::semantics_ruleset("  let value = " + c.expression + "\n  require " + check + "\n");
      if (!program) continue;  // not a well-typed check (e.g. a number compared with true)
      agree(*program, evidence, fmt::format("expressions.txt:{}: require {} with value = {}", c.line, check, c.expression));
      ++compared;
    }
  }
  CHECK(compared >= 60);
}

TEST_CASE("a result's values outlive the evidence they were computed from") {
  // Filtered lists point at evidence records without owning them while the
  // evaluation runs; the values a result reports must own what they show
  // (under AddressSanitizer a dangling record is an error here).
  const std::string root = VERDICT_TEST_DIR "/..";
  auto r = cli::load_ruleset(root + "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  engine::EvaluationResult result;
  {
    auto ev = engine::load_evidence(std::make_shared<Source>("generated.yaml", bench::generate_evidence(30, 7)), *r.schema);
    result = engine::evaluate(r.program, ev);
  }
  int lists = 0;
  for (const auto& ind : result.indicators)
    for (const auto& [name, value] : ind.values) {
      CHECK_FALSE(value.holds_borrowed());
      if (value.kind() != engine::Value::Kind::list) continue;
      ++lists;
      for (const auto& item : value.as_list().items)
        if (const auto* rec = item.record_if()) {
          CHECK_FALSE(rec->fields.empty());
          CHECK(engine::to_display(item).front() == '{');
        }
    }
  CHECK(lists >= 5);  // passive, sector_businesses, contacted, qualifying… are lists of records
}

namespace {

std::string opt_number(const std::optional<engine::Number>& n) { return n ? n->to_string() : "-"; }

// Every field of a result, as text.
std::string everything(const engine::EvaluationResult& r) {
  std::string out = fmt::format("as_of {} outcome {} label {} pass {} fail {} unknown {} points {}/{}\n", (r.as_of ? engine::to_string(*r.as_of) : std::string("none")),
                                engine::to_string(r.outcome), r.label.value_or("-"), r.pass, r.fail, r.unknown,
                                opt_number(r.points), opt_number(r.max_points));
  for (const auto& g : r.groups) out += fmt::format("group {} {}\n", g.id, g.title);
  for (const auto& i : r.indicators) {
    out += fmt::format("indicator {} [{}] [{}] minimum {} {} level {} score {}/{}\n", i.id, i.title, i.group, i.minimum,
                       engine::to_string(i.verdict), i.level.value_or("-"), opt_number(i.score), opt_number(i.score_of));
    for (const auto& c : i.cites) out += fmt::format("  cite {}\n", c);
    for (const auto& n : i.notes) out += fmt::format("  note {}\n", n);
    for (const auto& c : i.checks)
      out += fmt::format("  check {}:{} [{}] {} message {} gap {} missing [{}]\n", c.file, c.line, c.source,
                         c.result ? (*c.result ? "true" : "false") : "unknown", c.message.value_or("-"), c.gap.value_or("-"),
                         fmt::join(c.missing, ", "));
    for (const auto& [name, value] : i.values) out += fmt::format("  let {} = {}\n", name, engine::to_display(value));
    out += fmt::format("  missing [{}]\n", fmt::join(i.missing, ", "));
  }
  return out;
}

}  // namespace

TEST_CASE("evaluating into a reused result gives what a fresh evaluation gives") {
  // One result is reused across rulesets with more and fewer indicators,
  // both details, and evaluations that fail; each time it must hold exactly
  // what evaluate() returns, with nothing left over from the one before.
  const std::string root = VERDICT_TEST_DIR "/..";
  std::vector<cli::LoadedRuleset> rulesets;
  for (const char* file : {"rulesets/ecei/ecei-minimum-2012.1.rules", "examples/voucher/innovation-voucher-2026.1.rules",
                           "rulesets/ecei/ecei-gold-2012.1.rules", "rulesets/ecei/ecei-eligibility-2019.1.rules"})
    rulesets.push_back(cli::load_ruleset(root + "/" + file, {}, false));
  std::vector<std::shared_ptr<Source>> sources;
  for (const char* dir : {"/examples/evidence", "/examples/voucher/applications"})
    for (const auto& entry : std::filesystem::directory_iterator(root + dir))
      sources.push_back(std::make_shared<Source>(entry.path().string(), read_file(entry.path().string())));
  for (int participants : {0, 3, 57}) sources.push_back(std::make_shared<Source>("generated.yaml", bench::generate_evidence(participants, 5)));

  engine::EvaluationResult reused;
  int compared = 0, differed_from_last = 0;
  std::string last;
  for (const auto& source : sources)
    for (const auto& r : rulesets) {
      engine::Evidence ev;
      try {
        ev = engine::load_evidence(source, *r.schema);
      } catch (const DiagnosticError&) {
        continue;  // evidence for another schema
      }
      // Verdicts only, then a full report, then verdicts only: a verdicts-only
      // evaluation follows one of each kind, of this ruleset and of another.
      for (auto detail : {engine::Detail::verdicts, engine::Detail::full, engine::Detail::verdicts}) {
        engine::EvalOptions options;
        options.detail = detail;
        const std::string fresh = everything(engine::evaluate(r.program, ev, options));
        engine::evaluate_into(r.program, ev, options, reused);
        const std::string into = everything(reused);
        CHECK_MESSAGE(into == fresh, r.info.name, " on ", source->name());
        differed_from_last += into != last;
        last = into;
        ++compared;
      }
    }
  CHECK(compared >= 40);
  CHECK(differed_from_last >= compared * 2 / 3);  // the sequence does change what the result holds

  // After an evaluation that fails (here, out of steps), the result is
  // filled afresh by the next.
  auto ev = engine::load_evidence(sources.back(), *rulesets[0].schema);
  engine::EvalOptions starved;
  starved.step_budget = 50;
  CHECK_THROWS_AS(engine::evaluate_into(rulesets[0].program, ev, starved, reused), engine::EvalError);
  engine::evaluate_into(rulesets[2].program, engine::load_evidence(sources.front(), *rulesets[2].schema), {}, reused);
  engine::evaluate_into(rulesets[0].program, ev, {}, reused);
  CHECK(everything(reused) == everything(engine::evaluate(rulesets[0].program, ev)));
  // A full report that fails part way, then verdicts only: nothing of the
  // report is left in the result.
  engine::EvalOptions verdicts;
  verdicts.detail = engine::Detail::verdicts;
  CHECK_THROWS_AS(engine::evaluate_into(rulesets[2].program, ev, starved, reused), engine::EvalError);
  engine::evaluate_into(rulesets[0].program, ev, verdicts, reused);
  CHECK(everything(reused) == everything(engine::evaluate(rulesets[0].program, ev, verdicts)));
}

// trace_elements (what `explain` shows entry by entry) agrees with the
// evaluation: for every `where` let of every shipped ECEI ruleset, the
// entries whose traced condition is true are exactly those the let kept.
TEST_CASE("trace_elements: the entries traced as kept are the entries the where kept") {
  const std::string root = VERDICT_TEST_DIR "/..";
  std::size_t lets = 0;
  for (const char* ref : {"ecei-minimum@2012.1", "ecei-gold@2012.1", "ecei-eligibility@2019.1"}) {
    auto r = cli::load_ruleset(ref, {}, false);
    for (const auto& entry : std::filesystem::directory_iterator(root + "/examples/evidence")) {
      const std::string path = entry.path().string();
      auto ev = engine::load_evidence(std::make_shared<Source>(path, read_file(path)), *r.schema);
      std::vector<engine::TraceEntry> trace;
      engine::EvalOptions options;
      options.trace = &trace;
      (void)engine::evaluate(r.program, ev, options);
      for (const auto& let : r.program.lets) {
        if (let.expr.op != engine::Op::where) continue;
        const engine::Value* value = nullptr;
        for (const auto& t : trace)
          if (t.expr == &let.expr) { value = &t.value; break; }
        if (!value || value->kind() != engine::Value::Kind::list) continue;  // not read, or unknown
        auto elements = engine::trace_elements(r.program, ev, {}, let.expr, 100000);
        std::vector<std::string> kept;
        for (const auto& e : elements)
          for (const auto& t : e.entries)
            if (t.expr == &let.expr.args[1]) {
              if (t.value.kind() == engine::Value::Kind::boolean && t.value.as_bool()) kept.push_back(engine::to_display(e.element));
              break;
            }
        std::vector<std::string> expected;
        for (const auto& item : value->as_list().items) expected.push_back(engine::to_display(item));
        CHECK_MESSAGE(kept == expected, ref, " ", path, " let ", let.name);
        ++lets;
      }
    }
  }
  CHECK(lets >= 40);
}

TEST_CASE("verdicts only: what a report adds to explain a verdict takes no steps from the checks after it") {
  // 1 is unknown with no evidence absent (a share of no entries), so a full
  // report evaluates its whole again to say why; 1b fails, so a full report
  // renders its message and works out its gap; 2 after them needs steps.
  // Under every budget, both decide alike (the same verdicts, or the same
  // "step budget" error at the same place).
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("verdict-detail-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto rules = (dir / "budget.rules").string();
  std::ofstream(rules) << "ruleset \"budget\" version \"1\"\n"
                          "  schema \"ecei-evidence/1\"\n"
                          "  as_of assessment.date\n"
                          "indicator \"1\" \"empty share\" {\n"
                          "  require share(participants where .committed, participants) > 50%\n"
                          "}\n"
                          "indicator \"1b\" \"failed, with a message and a gap\" {\n"
                          "  require count(participants) >= 3\n"
                          "    else \"{count(participants)} of {count(participants)} participants; {count(participants)} more\"\n"
                          "}\n"
                          "indicator \"2\" \"steps after\" {\n"
                          "  require count(participants) + count(participants) + count(participants) >= 0\n"
                          "}\n";
  auto r = cli::load_ruleset(rules, {}, false);
  auto ev = engine::load_evidence(
      std::make_shared<Source>("empty.yaml", std::string("schema: ecei-evidence/1\norganisation: {name: E}\n"
                                                         "assessment: {date: 2026-06-30}\nparticipants: []\n")),
      *r.schema);
  int errors = 0, decided_fully = 0;
  for (std::uint64_t budget = 1; budget <= 60; ++budget) {
    auto full = decided(r.program, ev, engine::Detail::full, budget);
    auto verdicts = decided(r.program, ev, engine::Detail::verdicts, budget);
    CHECK_MESSAGE(verdicts == full, "budget ", budget, "\nfull:\n", full, "\nverdicts only:\n", verdicts);
    (full.starts_with("eval error") ? errors : decided_fully) += 1;
  }
  std::filesystem::remove_all(dir);
  CHECK(errors > 0);          // the small budgets run out…
  CHECK(decided_fully > 0);   // …and the larger ones decide
}
