#include "cli/diff.hpp"

#include <functional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/evidence_files.hpp"
#include "cli/parallel.hpp"
#include "cli/progress.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace {

using engine::Expr;
using engine::Op;
using engine::Program;

std::string value_text(const engine::Value& v) {
  if (v.kind() == engine::Value::Kind::number) {
    auto n = v.as_number();
    if (!n.is_integer() && n > engine::Number(0) && n < engine::Number(1))
      return fmt::format("{} ({})", n.to_string(), n.to_percent(2));
  }
  if (v.kind() == engine::Value::Kind::string) return fmt::format("\"{}\"", v.as_string());
  return engine::to_display(v);
}

// A param's values as written (`90%`, `0.5`), for people; `by_value`, the
// same by meaning (90% and 0.9 alike), to compare two programs' params.
std::string param_text(const engine::Param& p, bool by_value = false) {
  std::string out;
  for (const auto& d : p.values) {
    if (!out.empty()) out += ", ";
    if (by_value || d.value.kind() != engine::Value::Kind::number) out += value_text(d.value);
    else out += d.percent ? d.value.as_number().to_percent(6) : engine::to_display(d.value);
    if (d.from) out += " from " + engine::to_string(*d.from);
  }
  return out;
}

// A structural print of an expression that names params and lets instead of
// numbering them, so two programs' expressions compare by meaning.
void fingerprint(const Program& p, const Expr& e, std::string& out) {
  out += fmt::format("({}", static_cast<int>(e.op));
  switch (e.op) {
    case Op::constant: out += " " + value_text(e.value); break;
    case Op::param: out += " param " + p.params[e.index].name; break;
    case Op::let: out += " let " + p.lets[e.index].name; break;
    case Op::call: out += fmt::format(" fn{}", static_cast<int>(e.fn)); break;
    case Op::element: out += fmt::format(" el{}", e.index); break;
    default: if (!e.name.empty()) out += " " + e.name;
  }
  for (const auto& a : e.args) fingerprint(p, a, out);
  out += ")";
}

std::string indicator_fingerprint(const Program& p, const engine::Indicator& ind) {
  std::string out = ind.title + "|" + (ind.minimum ? "V" : "-") + "|" + ind.group;
  for (const auto& c : ind.checks) {
    fingerprint(p, c.expr, out);
    if (c.message)
      for (const auto& part : c.message->parts) {
        out += part.text;
        if (part.expr) fingerprint(p, *part.expr, out);
      }
  }
  for (auto l : ind.lets) {
    out += "let " + p.lets[l].name;
    fingerprint(p, p.lets[l].expr, out);
  }
  if (ind.score) fingerprint(p, *ind.score, out);
  for (const auto& lv : ind.levels) {
    out += lv.name;
    fingerprint(p, lv.when, out);
  }
  return out;
}

// Whether an expression reads let `name`, directly or through other lets.
bool uses_let(const Program& p, const Expr& e, const std::string& name, std::set<std::uint32_t>& seen) {
  if (e.op == Op::let) {
    if (p.lets[e.index].name == name) return true;
    if (seen.insert(e.index).second && uses_let(p, p.lets[e.index].expr, name, seen)) return true;
  }
  for (const auto& a : e.args)
    if (uses_let(p, a, name, seen)) return true;
  return false;
}

// The params an expression reads, directly or through lets.
void params_read(const Program& p, const Expr& e, std::set<std::string>& out, std::set<std::uint32_t>& seen) {
  if (e.op == Op::param) out.insert(e.name);
  if (e.op == Op::let && seen.insert(e.index).second) params_read(p, p.lets[e.index].expr, out, seen);
  for (const auto& a : e.args) params_read(p, a, out, seen);
}

// The params an indicator's verdict can depend on: those its requires read,
// and those the reference date reads (dated params follow it).
std::set<std::string> indicator_params(const Program& p, const engine::Indicator& ind) {
  std::set<std::string> out;
  std::set<std::uint32_t> seen;
  for (const auto& c : ind.checks) params_read(p, c.expr, out, seen);
  if (p.as_of) params_read(p, *p.as_of, out, seen);
  return out;
}

bool indicator_uses_let(const Program& p, const engine::Indicator& ind, const std::string& name) {
  std::set<std::uint32_t> seen;
  for (const auto& c : ind.checks)
    if (uses_let(p, c.expr, name, seen)) return true;
  return false;
}

const engine::Indicator* find_indicator(const Program& p, const std::string& id) {
  for (const auto& i : p.indicators)
    if (i.id == id) return &i;
  return nullptr;
}

std::optional<std::uint32_t> param_index(const Program& p, const std::string& name) {
  for (std::uint32_t i = 0; i < p.params.size(); ++i)
    if (p.params[i].name == name) return i;
  return std::nullopt;
}

// `e`, an expression of `from`'s outcome block, made to read `to`'s params
// and top-level lets of the same names (the outcome block sees no others),
// without its compiled conditions (they hold `from`'s indexes); false when
// `to` lacks one of them.
bool rebind(engine::Expr& e, const Program& from, const Program& to) {
  e.cond.reset();
  if (e.op == engine::Op::param) {
    const auto i = param_index(to, from.params.at(e.index).name);
    if (!i) return false;
    e.index = *i;
  } else if (e.op == engine::Op::let) {
    const auto& name = from.lets.at(e.index).name;
    bool found = false;
    for (std::uint32_t i = 0; i < to.lets.size() && !found; ++i)
      if (to.lets[i].name == name && to.lets[i].indicator.empty()) {
        e.index = i;
        found = true;
      }
    if (!found) return false;
  }
  for (auto& a : e.args)
    if (!rebind(a, from, to)) return false;
  return true;
}

}  // namespace

const char* Edit::kind_name() const {
  switch (kind) {
    case Kind::param_changed: return "param_changed";
    case Kind::param_added: return "param_added";
    case Kind::param_removed: return "param_removed";
    case Kind::indicator_added: return "indicator_added";
    case Kind::indicator_removed: return "indicator_removed";
    case Kind::indicator_changed: return "indicator_changed";
    case Kind::let_changed: return "let_changed";
    case Kind::outcome_changed: return "outcome_changed";
  }
  return "?";
}

std::string Edit::describe() const {
  switch (kind) {
    case Kind::param_changed: return fmt::format("param {} changed from {} to {}", name, base, candidate);
    case Kind::param_added: return fmt::format("param {} added ({})", name, candidate);
    case Kind::param_removed: return fmt::format("param {} removed (was {})", name, base);
    case Kind::indicator_added: return fmt::format("indicator {} added", name);
    case Kind::indicator_removed: return fmt::format("indicator {} removed", name);
    case Kind::indicator_changed: return fmt::format("indicator {} overridden", name);
    case Kind::let_changed: return fmt::format("let {} changed", name);
    case Kind::outcome_changed: return "outcome labels changed";
  }
  return name;
}

std::vector<Edit> edits_between(const Program& base, const Program& cand) {
  std::vector<Edit> out;
  for (const auto& p : base.params) {
    auto ci = param_index(cand, p.name);
    if (!ci) out.push_back({Edit::Kind::param_removed, p.name, param_text(p), ""});
    else if (param_text(p, true) != param_text(cand.params[*ci], true))
      out.push_back({Edit::Kind::param_changed, p.name, param_text(p), param_text(cand.params[*ci])});
  }
  for (const auto& p : cand.params)
    if (!param_index(base, p.name)) out.push_back({Edit::Kind::param_added, p.name, "", param_text(p)});
  // Lets outside indicators (indicator lets belong to their indicator's definition).
  for (const auto& l : base.lets) {
    if (!l.indicator.empty()) continue;
    for (const auto& m : cand.lets)
      if (m.name == l.name && m.indicator.empty()) {
        std::string a, b;
        fingerprint(base, l.expr, a);
        fingerprint(cand, m.expr, b);
        if (a != b) out.push_back({Edit::Kind::let_changed, l.name, "", ""});
      }
  }
  for (const auto& ind : base.indicators) {
    const auto* other = find_indicator(cand, ind.id);
    if (!other) out.push_back({Edit::Kind::indicator_removed, ind.id, ind.title, ""});
    else if (indicator_fingerprint(base, ind) != indicator_fingerprint(cand, *other))
      out.push_back({Edit::Kind::indicator_changed, ind.id, ind.title, other->title});
  }
  for (const auto& ind : cand.indicators)
    if (!find_indicator(base, ind.id)) out.push_back({Edit::Kind::indicator_added, ind.id, "", ind.title});
  std::string ob, oc;
  for (const auto& l : base.outcome) { ob += l.label; fingerprint(base, l.when, ob); }
  for (const auto& l : cand.outcome) { oc += l.label; fingerprint(cand, l.when, oc); }
  if (ob != oc) out.push_back({Edit::Kind::outcome_changed, "outcome", "", ""});
  return out;
}

DiffReport diff_rulesets(const LoadedRuleset& base, const LoadedRuleset& cand, const std::vector<std::string>& paths,
                         std::optional<engine::Date> as_of, bool color, unsigned jobs, const EvidenceLimits& limits) {
  DiffReport report;
  report.base = base.info;
  report.candidate = cand.info;
  report.edits = edits_between(base.program, cand.program);
  Progress progress(paths.size(), "diff");
  report.files.resize(paths.size());
  parallel_for(paths.size(), jobs, [&](std::size_t file_index) {
    const std::string& path = paths[file_index];
    progress.step(path);
    FileDiff& fd = report.files[file_index];
    fd.evidence = path;
    FileOutcome failure;
    failure.evidence = path;
    // Each evidence file is read once; it is typed again only if the candidate reads another schema.
    auto ev = load_evidence_file(path, base, limits, failure, color);
    std::optional<engine::Evidence> ev_cand;
    if (!ev) {
      fd.error = failure.error_text;
      fd.error_diag = failure.error;
      fd.unreadable = failure.unreadable;
      return;
    }
    try {
      if (cand.schema->id() != base.schema->id())
        ev_cand = engine::load_evidence(ev->source, *cand.schema, limits.yaml);
      engine::EvalOptions opts;
      opts.as_of = as_of;
      opts.step_budget = limits.max_steps;
      // Only verdicts and outcomes are compared, but evaluated as `evaluate`
      // evaluates them (every let of every indicator, for its report): a
      // let that fails to evaluate fails the file here too, even where no
      // verdict needs it. Loading costs far more than this.
      opts.detail = engine::Detail::full;
      // Evaluated into results this thread reuses file after file.
      thread_local engine::EvaluationResult rb, rc;
      // An evaluation error is reported at its place in the ruleset that
      // raised it, naming which of the two it is.
      auto evaluate_as = [&](const LoadedRuleset& r, const char* which, const engine::Evidence& evidence,
                             engine::EvaluationResult& into) {
        try {
          engine::evaluate_into(r.program, evidence, opts, into);
        } catch (const engine::EvalError& e) {
          throw DiagnosticError(Diagnostic{Severity::error, "eval_error",
                                           fmt::format("{} (the {} ruleset, {}@{}, while evaluating {})", e.what(), which,
                                                       r.info.name, r.info.version, path),
                                           r.program.source_of(e.span), e.span, {}});
        }
      };
      evaluate_as(base, "base", *ev, rb);
      evaluate_as(cand, "candidate", ev_cand ? *ev_cand : *ev, rc);
      fd.base_outcome = engine::to_string(rb.outcome);
      fd.candidate_outcome = engine::to_string(rc.outcome);
      fd.base_label = rb.label.value_or("");
      fd.candidate_label = rc.label.value_or("");
      std::map<std::string, std::string> vb, vc;
      std::vector<std::string> order;
      for (const auto& i : rb.indicators) { vb[i.id] = engine::to_string(i.verdict); order.push_back(i.id); }
      for (const auto& i : rc.indicators) {
        vc[i.id] = engine::to_string(i.verdict);
        if (!vb.count(i.id)) order.push_back(i.id);
      }
      // Counterfactuals: the base with one changed param set as in the candidate.
      std::map<const Edit*, std::optional<engine::EvaluationResult>> single;
      // The base with some changed params set as in the candidate; none
      // when that fails to evaluate (those edits then name no cause).
      auto with_params = [&](const std::vector<const Edit*>& edits) -> std::optional<engine::EvaluationResult> {
        engine::EvalOptions o = opts;
        for (const auto* edit : edits)
          o.param_overrides.push_back(
              {*param_index(base.program, edit->name), &cand.program.params[*param_index(cand.program, edit->name)]});
        try {
          return engine::evaluate(base.program, *ev, o);
        } catch (const engine::EvalError&) {
          return std::nullopt;
        }
      };
      // The candidate with every changed param set back as in the base: an
      // overridden indicator's own effect (its body, not the params it reads),
      // as if the override were the only edit. Evaluated once, when needed.
      std::optional<std::optional<engine::EvaluationResult>> cand_base_params;
      auto override_alone = [&]() -> const engine::EvaluationResult* {
        if (!cand_base_params) {
          engine::EvalOptions o = opts;
          for (const auto& edit : report.edits)
            if (edit.kind == Edit::Kind::param_changed)
              if (auto bi = param_index(base.program, edit.name), ci = param_index(cand.program, edit.name); bi && ci)
                o.param_overrides.push_back({*ci, &base.program.params[*bi]});
          if (o.param_overrides.empty()) {
            cand_base_params.emplace(std::nullopt);  // the candidate itself: rc
          } else {
            try {
              cand_base_params.emplace(engine::evaluate(cand.program, ev_cand ? *ev_cand : *ev, o));
            } catch (const engine::EvalError&) {
              cand_base_params.emplace(std::nullopt);  // cannot tell: the override is named, as before
            }
          }
        }
        return *cand_base_params ? &**cand_base_params : &rc;
      };
      auto with_param = [&](const Edit& edit) -> const engine::EvaluationResult* {
        if (auto it = single.find(&edit); it != single.end()) return it->second ? &*it->second : nullptr;
        if (!param_index(base.program, edit.name) || !param_index(cand.program, edit.name)) return nullptr;
        auto& r = single[&edit] = with_params({&edit});
        return r ? &*r : nullptr;
      };
      // When no single edit explains a change: the smallest set of changed
      // params that gives it together, found by leaving each one out in
      // turn and keeping it out while the change still holds without it
      // (one evaluation per changed param). Empty when setting all of them
      // does not give the change (other edits take part) or fewer than two
      // are left.
      // `only`, when given, holds the params that can matter (those the
      // indicator reads): the others are not tried.
      auto together = [&](const auto& holds, const std::set<std::string>* only) {
        std::vector<const Edit*> set;
        for (const auto& edit : report.edits)
          if (edit.kind == Edit::Kind::param_changed && param_index(base.program, edit.name) &&
              param_index(cand.program, edit.name) && (!only || only->count(edit.name)))
            set.push_back(&edit);
        auto gives = [&](const std::vector<const Edit*>& edits) {
          const auto r = with_params(edits);
          return r && holds(*r);
        };
        if (set.size() < 2 || !gives(set)) return std::vector<const Edit*>{};
        for (std::size_t i = 0; i < set.size() && set.size() > 1;) {
          auto without = set;
          without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
          if (gives(without)) set = std::move(without);
          else ++i;
        }
        return set.size() > 1 ? set : std::vector<const Edit*>{};
      };
      for (const auto& id : order) {
        std::string b = vb.count(id) ? vb[id] : "absent", c = vc.count(id) ? vc[id] : "absent";
        if (b == c) continue;
        IndicatorChange ch{id, b, c, {}};
        for (const auto& edit : report.edits) {
          switch (edit.kind) {
            case Edit::Kind::indicator_added:
            case Edit::Kind::indicator_removed:
              if (edit.name == id) ch.causes.push_back(&edit);
              break;
            case Edit::Kind::indicator_changed:
              // Named when the override on its own (the base's params) gives
              // the change, not when only a changed param it reads does.
              if (edit.name == id)
                for (const auto& i : override_alone()->indicators)
                  if (i.id == id && engine::to_string(i.verdict) == c) ch.causes.push_back(&edit);
              break;
            case Edit::Kind::param_changed:
              if (const auto* r = with_param(edit))
                for (const auto& i : r->indicators)
                  if (i.id == id && engine::to_string(i.verdict) == c) ch.causes.push_back(&edit);
              break;
            case Edit::Kind::let_changed:
              if (const auto* ind = find_indicator(cand.program, id); ind && indicator_uses_let(cand.program, *ind, edit.name))
                ch.causes.push_back(&edit);
              break;
            default: break;
          }
        }
        if (ch.causes.empty())
          if (const auto* ind = find_indicator(base.program, id)) {
            const auto reads = indicator_params(base.program, *ind);
            ch.causes = together(
                [&](const engine::EvaluationResult& r) {
                  for (const auto& i : r.indicators)
                    if (i.id == id) return engine::to_string(i.verdict) == c;
                  return false;
                },
                &reads);
            ch.together = !ch.causes.empty();
          }
        fd.changes.push_back(std::move(ch));
      }
      // What moved the outcome or its label: the edits behind the changed
      // verdicts of the indicators that decide it, those that moved the
      // same way as the outcome (a passing indicator removed does not make
      // a fail pass); an indicator made or unmade a minimum requirement
      // while not passing; and, for the label, the outcome block's edits
      // and each changed param that alone gives the candidate's label.
      const bool outcome_moved = fd.base_outcome != fd.candidate_outcome;
      const bool label_moved = fd.base_label != fd.candidate_label;
      auto cause = [&](const Edit* e) {
        if (std::find(fd.outcome_causes.begin(), fd.outcome_causes.end(), e) == fd.outcome_causes.end())
          fd.outcome_causes.push_back(e);
      };
      const auto rank = [](const std::string& v) { return v == "fail" ? 0 : v == "unknown" ? 1 : 2; };  // pass, absent: 2
      const int direction = rank(fd.candidate_outcome) - rank(fd.base_outcome);
      const auto gate = [](const engine::Program& p, const std::string& id) {
        const bool any_minimum = std::any_of(p.indicators.begin(), p.indicators.end(),
                                             [](const engine::Indicator& i) { return i.minimum; });
        const auto* ind = find_indicator(p, id);
        return ind && (!any_minimum || ind->minimum);
      };
      // Whether an indicator that moved the outcome's way gave the new
      // outcome: down, when it now has the outcome's verdict (an indicator
      // now unknown does not make a pass fail); up, when its old verdict
      // was below the new outcome (a fail that no longer fails, for a fail
      // that now passes or is unknown).
      const auto takes_part = [&](const std::string& was, const std::string& is) {
        return direction < 0 ? rank(is) == rank(fd.candidate_outcome) : rank(was) < rank(fd.candidate_outcome);
      };
      if (outcome_moved) {
        int contributors = 0;
        bool all_together = true;
        for (const auto& ch : fd.changes) {
          const int moved = rank(ch.candidate) - rank(ch.base);
          const bool decides = gate(base.program, ch.id) || gate(cand.program, ch.id);
          if (decides && moved != 0 && (moved > 0) == (direction > 0) && takes_part(ch.base, ch.candidate) &&
              !ch.causes.empty()) {
            ++contributors;
            all_together &= ch.together;
            for (const auto* e : ch.causes) cause(e);
          }
        }
        // One indicator moved it, by edits that only move it together
        // (and nothing else is added below: see the end).
        fd.outcome_together = contributors == 1 && all_together;
      }
      const std::size_t from_verdicts = fd.outcome_causes.size();
      if (outcome_moved)
        for (const auto& edit : report.edits) {
          if (edit.kind != Edit::Kind::indicator_added && edit.kind != Edit::Kind::indicator_removed &&
              edit.kind != Edit::Kind::indicator_changed)
            continue;
          const auto* before = find_indicator(base.program, edit.name);
          const auto* after = find_indicator(cand.program, edit.name);
          const bool counted_before = before && before->minimum, counted_after = after && after->minimum;
          const std::string was = vb.count(edit.name) ? vb[edit.name] : "pass", is = vc.count(edit.name) ? vc[edit.name] : "pass";
          // Made a minimum requirement, it counts with its verdict now; unmade, with the one it had.
          if (counted_before != counted_after &&
              (counted_after ? direction < 0 && takes_part("pass", is) : direction > 0 && takes_part(was, "pass")))
            cause(&edit);
        }
      // Whether the candidate's outcome block takes part in its label: the
      // candidate with the base's block gives another label (or cannot be
      // evaluated so; then it is named).
      auto block_takes_part = [&] {
        engine::Program mixed = cand.program;
        mixed.outcome = base.program.outcome;
        for (auto& label : mixed.outcome)
          if (!rebind(label.when, base.program, cand.program)) return true;
        try {
          return engine::evaluate(mixed, ev_cand ? *ev_cand : *ev, opts).label.value_or("") != fd.candidate_label;
        } catch (const engine::EvalError&) {
          return true;
        }
      };
      if (label_moved)
        for (const auto& edit : report.edits) {
          if (edit.kind == Edit::Kind::outcome_changed && block_takes_part()) cause(&edit);
          if (edit.kind == Edit::Kind::param_changed && !outcome_moved)  // (with the outcome, the verdicts' causes say it)
            if (const auto* r = with_param(edit); r && r->label.value_or("") == fd.candidate_label) cause(&edit);
        }
      if (fd.outcome_causes.size() != from_verdicts) fd.outcome_together = false;  // other edits took part
      if (label_moved && !outcome_moved && fd.outcome_causes.empty()) {
        fd.outcome_causes = together(
            [&](const engine::EvaluationResult& r) { return r.label.value_or("") == fd.candidate_label; }, nullptr);
        fd.outcome_together = !fd.outcome_causes.empty();
      }
    } catch (const engine::EvalError& e) {  // (each evaluation above reports its own; kept so none escapes the thread)
      fd.error_diag = Diagnostic{Severity::error, "eval_error", fmt::format("{} (while evaluating {})", e.what(), path),
                                 nullptr, {}, {}};
      fd.error = render(*fd.error_diag, {color});
    } catch (const DiagnosticError& e) {
      fd.error = render(e.diagnostics(), {color});
      fd.error_diag = e.diagnostics().items().front();
    }
  });
  progress.done();
  return report;
}

namespace {
std::string transition(const std::string& a, const std::string& b) { return a + "->" + b; }

// "param a changed from 1 to 2; param b …", or what is known when no edit is named.
std::string because_of(const std::vector<const Edit*>& causes, bool together) {
  if (causes.empty()) return "of several edits together (no single edit explains it)";
  std::string because = together ? "of these edits together (no one of them alone): " : "";
  for (std::size_t i = 0; i < causes.size(); ++i) because += (i ? "; " : "") + causes[i]->describe();
  return because;
}
}  // namespace

std::string render_diff_text(const DiffReport& r, bool color) {
  // A file name is printed made safe for the terminal (an escape sequence
  // in it shows as '?'), then painted.
  auto bold = [&](const std::string& s) { return color ? "\x1b[1m" + terminal_text(s) + "\x1b[0m" : terminal_text(s); };
  std::string out = fmt::format("{} {} -> {} {}\n", r.base.name, r.base.version, r.candidate.name, r.candidate.version);
  if (r.edits.empty()) out += "No edits between the two rulesets.\n";
  else {
    out += "Edits:\n";
    for (const auto& e : r.edits) out += "  - " + e.describe() + "\n";
  }
  out += "\n";
  std::map<std::string, int> outcomes, labels;
  std::map<std::string, std::map<std::string, int>> per_indicator;
  std::size_t changed = 0, errors = 0;
  // The verdicts' transitions are padded to the longest in the report, so
  // that the causes start in one column (`pass -> absent`, `absent -> pass`).
  std::size_t width = 0;
  for (const auto& f : r.files)
    for (const auto& c : f.changes) width = std::max(width, c.base.size() + 4 + c.candidate.size());
  for (const auto& f : r.files) {
    if (f.error) {
      ++errors;
      out += fmt::format("{}: error (not compared)\n", bold(f.evidence));
      continue;
    }
    if (!f.changed()) continue;
    ++changed;
    out += bold(f.evidence);
    std::vector<std::string> moved;  // "outcome pass -> fail", "label "A" -> "B""
    if (f.base_outcome != f.candidate_outcome) {
      moved.push_back(fmt::format("outcome {} -> {}", f.base_outcome, f.candidate_outcome));
      ++outcomes[transition(f.base_outcome, f.candidate_outcome)];
    }
    if (f.base_label != f.candidate_label) {
      auto shown = [](const std::string& l) { return l.empty() ? std::string("(none)") : fmt::format("\"{}\"", l); };
      const std::string t = fmt::format("{} -> {}", shown(f.base_label), shown(f.candidate_label));
      moved.push_back("label " + t);
      ++labels[t];
    }
    if (!moved.empty()) {
      out += ": " + moved.front() + (moved.size() > 1 ? ", " + moved.back() : "");
      out += "   because " + because_of(f.outcome_causes, f.outcome_together);
    }
    out += "\n";
    for (const auto& c : f.changes) {
      ++per_indicator[c.id][transition(c.base, c.candidate)];
      out += fmt::format("  {:<8} {:<{}}   because {}\n", c.id, fmt::format("{} -> {}", c.base, c.candidate), width,
                         because_of(c.causes, c.together));
    }
  }
  // One blank line before the summary (the edits end with one already when no file is listed).
  out += fmt::format("{}{} of {} evidence files change{}\n", changed || errors ? "\n" : "", changed, r.files.size(),
                     errors ? fmt::format(" ({} could not be compared)", errors) : "");
  for (const auto& [t, n] : outcomes) out += fmt::format("  outcome {}: {}\n", t, n);
  for (const auto& [t, n] : labels) out += fmt::format("  label {}: {}\n", t, n);
  for (const auto& [id, ts] : per_indicator)
    for (const auto& [t, n] : ts) out += fmt::format("  {} {}: {}\n", id, t, n);
  return out;
}

std::string render_diff_json(const DiffReport& r) {
  using ojson = nlohmann::ordered_json;
  auto info = [](const RulesetInfo& i) { return ojson{{"name", i.name}, {"version", i.version}, {"digest", i.digest}}; };
  ojson out;
  out["base"] = info(r.base);
  out["candidate"] = info(r.candidate);
  out["evidence_count"] = r.files.size();
  ojson edits = ojson::array();
  for (const auto& e : r.edits) {
    // What one side does not have is null: the base of an added param or
    // indicator, the candidate of a removed one.
    using K = Edit::Kind;
    const bool added = e.kind == K::param_added || e.kind == K::indicator_added;
    const bool removed = e.kind == K::param_removed || e.kind == K::indicator_removed;
    edits.push_back({{"kind", e.kind_name()}, {"name", e.name}, {"base", added ? ojson(nullptr) : ojson(e.base)},
                     {"candidate", removed ? ojson(nullptr) : ojson(e.candidate)}, {"description", e.describe()}});
  }
  out["edits"] = std::move(edits);
  ojson changed = ojson::array(), errors = ojson::array();
  ojson outcomes = ojson::object(), indicators = ojson::object(), labels = ojson::object();
  for (const auto& f : r.files) {
    if (f.error) {
      // As evaluate's error entries: file, line and column (null when unknown) and the code.
      ojson e{{"evidence", f.evidence}, {"message", f.error_diag ? f.error_diag->message : *f.error}};
      e["code"] = f.error_diag ? f.error_diag->code : std::string("error");
      const bool placed = f.error_diag && f.error_diag->source;
      const auto pos = placed ? f.error_diag->position() : LineCol{};
      e["file"] = placed ? f.error_diag->file() : f.evidence;
      e["line"] = pos.line ? ojson(pos.line) : ojson(nullptr);
      e["column"] = pos.column ? ojson(pos.column) : ojson(nullptr);
      errors.push_back(std::move(e));
      continue;
    }
    if (!f.changed()) continue;
    ojson inds = ojson::array();
    for (const auto& c : f.changes) {
      ojson causes = ojson::array();
      for (const auto* e : c.causes) causes.push_back({{"kind", e->kind_name()}, {"name", e->name}, {"description", e->describe()}});
      inds.push_back({{"id", c.id}, {"base", c.base}, {"candidate", c.candidate}, {"causes", std::move(causes)},
                      {"together", c.together}});
      auto t = transition(c.base, c.candidate);
      ojson& per = indicators[c.id];
      if (!per.is_object()) per = ojson::object();
      per[t] = per.value(t, 0) + 1;
    }
    if (f.base_outcome != f.candidate_outcome) {
      auto t = transition(f.base_outcome, f.candidate_outcome);
      outcomes[t] = outcomes.value(t, 0) + 1;
    }
    ojson outcome_causes = ojson::array();
    for (const auto* e : f.outcome_causes)
      outcome_causes.push_back({{"kind", e->kind_name()}, {"name", e->name}, {"description", e->describe()}});
    auto label = [](const std::string& l) { return l.empty() ? ojson(nullptr) : ojson(l); };
    if (f.base_label != f.candidate_label) {
      auto t = transition(f.base_label.empty() ? "none" : f.base_label, f.candidate_label.empty() ? "none" : f.candidate_label);
      labels[t] = labels.value(t, 0) + 1;
    }
    changed.push_back({{"evidence", f.evidence},
                       {"outcome", {{"base", f.base_outcome}, {"candidate", f.candidate_outcome}, {"causes", std::move(outcome_causes)}, {"together", f.outcome_together}}},
                       {"label", {{"base", label(f.base_label)}, {"candidate", label(f.candidate_label)}}},
                       {"indicators", std::move(inds)}});
  }
  out["changed"] = std::move(changed);
  out["errors"] = std::move(errors);
  out["summary"] = {{"outcomes", std::move(outcomes)}, {"indicators", std::move(indicators)}, {"labels", std::move(labels)}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace verdict::cli
