#include "cli/ruleset_tests.hpp"

#include <filesystem>
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "cli/evidence_files.hpp"
#include "engine/date.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace fs = std::filesystem;
using engine::YamlNode;

namespace {

[[noreturn]] void bad(const std::shared_ptr<const Source>& src, const YamlNode& at, std::string message) {
  throw DiagnosticError(Diagnostic{Severity::error, "test_error", std::move(message), src, at.span(), {}});
}

// A key of `map` that is none of `known` is refused where it is written, with
// the nearest known key: a misspelt `evidnce:` would otherwise read as a
// missing `evidence`.
void only_keys(const std::shared_ptr<const Source>& src, const YamlNode& map, const std::vector<std::string>& known,
               const char* what) {
  if (map.kind != YamlNode::Kind::mapping) return;
  for (std::size_t k = 0; k + 1 < map.children.size(); k += 2) {
    const YamlNode& key = map.children[k];
    if (std::find(known.begin(), known.end(), key.text) != known.end()) continue;
    const std::string near = did_you_mean(key.text, known);
    bad(src, key, fmt::format("unknown key '{}' in {}{}; its keys are {}", key.text, what,
                              near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near), join(known, ", ")));
  }
}

const YamlNode& need(const std::shared_ptr<const Source>& src, const YamlNode& map, const char* key, const char* what) {
  const YamlNode* n = map.get(key);
  if (!n) bad(src, map, fmt::format("missing key '{}' ({})", key, what));
  return *n;
}

// The text of `n`, refused where written unless it is a scalar (not empty
// unless `empty_ok`): a list or a mapping has no text, and was read as ''.
const std::string& text_of(const std::shared_ptr<const Source>& src, const YamlNode& n, const char* what, bool empty_ok = false) {
  if (n.kind == YamlNode::Kind::mapping || n.kind == YamlNode::Kind::sequence || n.kind == YamlNode::Kind::null ||
      (!empty_ok && n.text.empty()))
    bad(src, n, fmt::format("expected {}, found {}", what,
                            n.kind == YamlNode::Kind::mapping    ? "a mapping"
                            : n.kind == YamlNode::Kind::sequence ? "a list"
                            : n.kind == YamlNode::Kind::null     ? "null"
                                                                 : "an empty value"));
  return n.text;
}

bool is_verdict(const std::string& text) { return text == "pass" || text == "fail" || text == "unknown"; }

// What an expectation holds, for "found …": `outcome: null` (or `~`, or
// nothing) is null, not ''; a mapping or a list is said as such.
std::string found(const YamlNode& n) {
  if (n.kind == YamlNode::Kind::null) return "null";
  if (n.kind == YamlNode::Kind::mapping) return "a mapping";
  if (n.kind == YamlNode::Kind::sequence) return "a list";
  return fmt::format("'{}'", n.text);
}

// A case's `expect`, refused where it is wrong before its evidence is read:
// a misspelt verdict or key, or an indicator the ruleset does not have, is
// a malformed test file (65), whatever the evidence turns out to be.
void check_expect(const std::shared_ptr<const Source>& src, const YamlNode& expect, const engine::Program& program) {
  if (expect.kind != YamlNode::Kind::mapping) bad(src, expect, "'expect' is a mapping: outcome, label, indicators or error");
  only_keys(src, expect, {"outcome", "label", "indicators", "error"}, "'expect'");
  if (!expect.get("outcome") && !expect.get("indicators") && !expect.get("label") && !expect.get("error"))
    bad(src, expect, "'expect' names nothing to check (outcome, label, indicators or error)");
  if (const auto* o = expect.get("outcome"); o && (o->kind != YamlNode::Kind::scalar || !is_verdict(o->text)))
    bad(src, *o, fmt::format("expected outcome pass, fail or unknown, found {}", found(*o)));
  if (const auto* l = expect.get("label"); l && l->kind != YamlNode::Kind::null)
    text_of(src, *l, "a label (text, or null for none)", true);
  if (const auto* e = expect.get("error")) text_of(src, *e, "the text the error must contain");
  const auto* inds = expect.get("indicators");
  if (!inds) return;
  if (inds->kind != YamlNode::Kind::mapping) bad(src, *inds, "'indicators' maps indicator ids to verdicts");
  std::vector<std::string> ids;
  for (const auto& ind : program.indicators) ids.push_back(ind.id);
  for (std::size_t i = 0; i + 1 < inds->children.size(); i += 2) {
    const YamlNode& id = inds->children[i];
    const YamlNode& want = inds->children[i + 1];
    if (std::find(ids.begin(), ids.end(), id.text) == ids.end()) {
      // One the ruleset removes is named as removed, not as a typo of another.
      const std::string removed = program.removed_note(id.text);
      const std::string near = removed.empty() ? did_you_mean(id.text, ids) : std::string();
      bad(src, id, fmt::format("the ruleset has no indicator '{}'{}{}", id.text, removed,
                               near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    }
    if (want.kind == YamlNode::Kind::scalar) {
      if (!is_verdict(want.text)) bad(src, want, fmt::format("expected pass, fail or unknown, found {}", found(want)));
    } else if (want.kind == YamlNode::Kind::mapping) {
      only_keys(src, want, {"verdict", "level", "score"}, "an expected indicator");
      if (const auto* v = want.get("verdict"); v && !is_verdict(v->text))
        bad(src, *v, fmt::format("expected pass, fail or unknown, found {}", found(*v)));
      // A level or score the indicator can never give (a misspelt level, a
      // score of an ungraded indicator) is a case that would fail forever.
      const auto ind = std::find_if(program.indicators.begin(), program.indicators.end(),
                                    [&](const engine::Indicator& x) { return x.id == id.text; });
      if (const auto* lv = want.get("level"); lv && lv->kind != YamlNode::Kind::null) {
        text_of(src, *lv, "a level name (or null)");
        std::vector<std::string> names;
        for (const auto& l : ind->levels)
          if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
        if (names.empty())
          bad(src, *lv, fmt::format("indicator '{}' has no levels (no level clause): its level is always null", id.text));
        if (std::find(names.begin(), names.end(), lv->text) == names.end()) {
          const std::string near = did_you_mean(lv->text, names);
          bad(src, *lv, fmt::format("indicator '{}' has no level '{}'{}; its levels are {} (or null)", id.text, lv->text,
                                    near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near), join(names, ", ")));
        }
      }
      if (const auto* sc = want.get("score"); sc && sc->kind != YamlNode::Kind::null) {
        if (!ind->score)
          bad(src, *sc, fmt::format("indicator '{}' has no score (no score clause): its score is always null", id.text));
        if (!engine::Number::parse(text_of(src, *sc, "a score (a number, or null)")))
          bad(src, *sc, fmt::format("expected a score (a number, or null), found '{}'", sc->text));
      }
    } else {
      bad(src, want, "an expected verdict is pass, fail, unknown or {verdict, level, score}");
    }
  }
}

void expect_verdict(CaseResult& r, const std::string& what, const std::string& expected, const std::string& got) {
  if (expected != got) r.failures.push_back({fmt::format("{}: expected {}, got {}", what, expected, got)});
}

}  // namespace

TestFileResult run_test_file(const std::string& path, const SearchOptions& search, const EvidenceLimits& limits) {
  TestFileResult out;
  out.path = path;
  out.inputs.push_back(path);
  std::shared_ptr<const Source> src;
  try {
    src = std::make_shared<Source>(path, read_file(path, limits.yaml.max_bytes));
  } catch (const std::length_error&) {
    std::error_code ec;
    out.error = fmt::format("{}: error[test_error]: {}\n", path, engine::too_large_message(fs::file_size(path, ec), limits.yaml));
    return out;
  } catch (const std::exception& e) {
    out.error = fmt::format("error[io_error]: cannot read {}\n", terminal_text(e.what()));
    out.unreadable = true;
    return out;
  }
  try {
    YamlNode root = engine::parse_yaml(src, limits.yaml);
    if (root.kind != YamlNode::Kind::mapping) bad(src, root, "a test file is a mapping with 'ruleset' and 'cases'");
    only_keys(src, root, {"ruleset", "cases"}, "a test file");
    const YamlNode& ref = need(src, root, "ruleset", "the ruleset under test: a .rules path or NAME@VERSION");
    out.ruleset = text_of(src, ref, "the ruleset under test (a .rules path or NAME@VERSION)");
    std::string ruleset_ref = ref.text;
    if (ruleset_ref.ends_with(".rules") && !fs::path(ruleset_ref).is_absolute())
      ruleset_ref = (fs::path(path).parent_path() / ruleset_ref).string();
    SearchOptions local = search;
    local.ruleset_dirs.push_back(fs::path(path).has_parent_path() ? fs::path(path).parent_path().string() : std::string("."));
    std::optional<LoadedRuleset> loaded;
    try {
      loaded = load_ruleset(ruleset_ref, local, false);
    } catch (const UserError& e) {
      std::string message = e.what();
      while (!message.empty() && message.back() == '\n') message.pop_back();
      if (message.find('\n') != std::string::npos) throw;  // the ruleset's own diagnostics, rendered
      // Said once: "error[test_error]: …", not "error[test_error]: error[limit]: …".
      if (message.starts_with("error: ")) message.erase(0, 7);
      else if (const auto end = message.find("]: "); message.starts_with("error[") && end != std::string::npos)
        message.erase(0, end + 3);
      throw DiagnosticError(Diagnostic{Severity::error, "test_error", message, src, ref.span(), {}});
    }
    LoadedRuleset& ruleset = *loaded;
    for (auto& f : ruleset_files(ruleset)) out.inputs.push_back(std::move(f));
    out.info = ruleset.info;
    const YamlNode& cases = need(src, root, "cases", "a list of cases");
    if (cases.kind != YamlNode::Kind::sequence) bad(src, cases, "'cases' must be a list");
    // A report names each case: two of one name could not be told apart.
    // Refused before any case runs, as the file's other errors are.
    std::map<std::string, std::size_t> named;  // each case's name, and its line
    for (const auto& c : cases.children)
      if (const YamlNode* name = c.kind == YamlNode::Kind::mapping ? c.get("name") : nullptr;
          name && name->kind == YamlNode::Kind::scalar)
        if (auto [it, fresh] = named.emplace(name->text, static_cast<std::size_t>(c.line)); !fresh)
          bad(src, *name, fmt::format("two cases are named '{}' (the other at line {}); give each case a name of its own",
                                      name->text, it->second));
    for (const auto& c : cases.children) {
      CaseResult r;
      r.line = c.line;
      if (c.kind != YamlNode::Kind::mapping) bad(src, c, "a case is a mapping with name, evidence and expect");
      only_keys(src, c, {"name", "evidence", "as_of", "expect"}, "a case");
      r.name = text_of(src, need(src, c, "name", "what the case shows"), "a case name (text)");
      const YamlNode& ev = need(src, c, "evidence", "inline evidence, or {path: FILE}");
      const YamlNode& expect = need(src, c, "expect", "outcome and/or indicators");
      check_expect(src, expect, ruleset.program);
      std::optional<engine::Date> as_of;
      if (const auto* a = c.get("as_of")) {
        as_of = engine::parse_date(a->text);
        if (!as_of)  // the shape of a date but not a day of the calendar (2026-02-30) is said so, as evidence says it
          bad(src, *a, engine::looks_like_date(a->text) ? fmt::format("as_of {} is not a date in the calendar", a->text)
                                                        : std::string("as_of must be a date YYYY-MM-DD"));
      }
      FileOutcome outcome;
      const YamlNode* by_path = ev.kind == YamlNode::Kind::mapping && ev.size() == 1 ? ev.get("path") : nullptr;
      // `{pth: FILE}`: not inline evidence with one odd key, but a misspelt path.
      if (!by_path && ev.kind == YamlNode::Kind::mapping && ev.size() == 1 && ev.children[1].kind == YamlNode::Kind::scalar &&
          ev.children[0].text != "path" && !did_you_mean(ev.children[0].text, {"path"}).empty())
        bad(src, ev.children[0], fmt::format("unknown key '{}' in 'evidence' (did you mean 'path'?); evidence is inline, "
                                             "or {{path: FILE}}", ev.children[0].text));
      if (by_path) {
        std::string file = (fs::path(path).parent_path() / text_of(src, *by_path, "an evidence file name")).string();
        out.inputs.push_back(file);
        outcome = evaluate_file(file, ruleset, as_of, limits, false);
      } else {
        outcome.evidence = fmt::format("{}:{}", path, ev.line);
        try {
          engine::Evidence evidence = engine::evidence_from_yaml(ev, src, *ruleset.schema);
          engine::EvalOptions options;
          options.as_of = as_of;
          options.step_budget = limits.max_steps;
          outcome.result = engine::evaluate(ruleset.program, evidence, options);
        } catch (const DiagnosticError& e) {
          outcome.error_text = render(e.diagnostics());
        } catch (const engine::EvalError& e) {
          outcome.error_text = render(Diagnostic{Severity::error, "eval_error", e.what(), ruleset.program.source_of(e.span), e.span, {}});
        }
      }
      const YamlNode* expect_error = expect.get("error");
      if (!outcome.result) {
        if (!expect_error) r.failures.push_back({fmt::format("the evidence could not be evaluated:\n{}", outcome.error_text)});
        else if (outcome.error_text.find(expect_error->text) == std::string::npos)
          r.failures.push_back({fmt::format("expected an error containing '{}', got:\n{}", expect_error->text, outcome.error_text)});
        out.cases.push_back(std::move(r));
        continue;
      }
      if (expect_error) r.failures.push_back({fmt::format("expected an error containing '{}', but it evaluated", expect_error->text)});
      r.result = outcome.result;
      const auto& res = *outcome.result;
      if (const auto* o = expect.get("outcome")) expect_verdict(r, "outcome", o->text, engine::to_string(res.outcome));
      if (const auto* l = expect.get("label")) {
        // Quoted, as diff shows labels: a label may hold a comma ("Not met, see 2.5"), or read "null".
        auto quoted = [](const std::string& text) { return fmt::format("\"{}\"", text); };
        std::string got = res.label ? quoted(*res.label) : "null";
        expect_verdict(r, "label", l->kind == YamlNode::Kind::null ? "null" : quoted(l->text), got);
      }
      // The expectation's shape, verdicts and ids were checked (check_expect).
      if (const auto* inds = expect.get("indicators")) {
        for (std::size_t i = 0; i + 1 < inds->children.size(); i += 2) {
          const std::string& id = inds->children[i].text;
          const YamlNode& want = inds->children[i + 1];
          const engine::IndicatorResult* got = nullptr;
          for (const auto& ind : res.indicators)
            if (ind.id == id) got = &ind;
          if (!got) continue;  // (every indicator of the program has a result)
          if (want.kind == YamlNode::Kind::scalar) {
            expect_verdict(r, id, want.text, engine::to_string(got->verdict));
            continue;
          }
          if (const auto* v = want.get("verdict")) expect_verdict(r, id, v->text, engine::to_string(got->verdict));
          if (const auto* lv = want.get("level")) expect_verdict(r, id + " level", lv->kind == YamlNode::Kind::null ? "null" : lv->text, got->level ? *got->level : "null");
          if (const auto* sc = want.get("score")) {
            // An expected score is a number (compared exactly) or null (no score: unknown).
            std::string expected = sc->kind == YamlNode::Kind::null ? "null" : sc->text;
            if (auto n = engine::Number::parse(expected)) expected = n->to_string();
            expect_verdict(r, id + " score", expected, got->score ? got->score->to_string() : "null");
          }
        }
      }
      out.cases.push_back(std::move(r));
    }
  } catch (const DiagnosticError& e) {
    out.error = render(e.diagnostics());
  } catch (const UserError& e) {
    out.error = e.what();
    if (!out.error->empty() && out.error->back() != '\n') *out.error += '\n';
  }
  return out;
}

}  // namespace verdict::cli
