// Lowering runs in named stages over the whole ruleset:
//   1. header         name, version, title, source, schema, as_of
//   2. declare        number params and lets, register groups and indicators;
//                     duplicates and shadowing
//   3. resolve        lower every expression in its scope; functions, arity,
//                     `.field` outside a collection operation, outcome-only names
//   4. check lets     cycles among lets
//   5. unused         warnings for params and lets nobody reads
// A ruleset that extends another arrives here merged with its bases
// (dsl/inherit.hpp): spans say which file they are in.
#include "dsl/lower.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/compiled.hpp"
#include "engine/text.hpp"

namespace verdict::dsl {

// A node's span covers its operands, not the parentheses an operand at
// either end was written in (`a or (b and c)` ends at `c`): [b, e) is
// widened over those, so that a condition's text is whole. Strings and
// comments are skipped when counting.
void widen_to_parentheses(const std::string& t, std::size_t& b, std::size_t& e) {
  int open = 0, unmatched_close = 0;
  for (std::size_t i = b; i < e; ++i) {
    const char c = t[i];
    if (c == '"') {
      for (++i; i < e && t[i] != '"'; ++i)
        if (t[i] == '\\') ++i;
    } else if (c == '#') {
      while (i < e && t[i] != '\n') ++i;
    } else if (c == '(') {
      ++open;
    } else if (c == ')') {
      if (open > 0) --open;
      else ++unmatched_close;
    }
  }
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (open > 0) {
    std::size_t i = e;
    while (i < t.size() && blank(t[i])) ++i;
    if (i >= t.size() || t[i] != ')') break;
    e = i + 1;
    --open;
  }
  while (unmatched_close > 0) {
    std::size_t i = b;
    while (i > 0 && blank(t[i - 1])) --i;
    if (i == 0 || t[i - 1] != '(') break;
    b = i - 1;
    --unmatched_close;
  }
}
namespace {

using engine::Builtin;
using engine::Op;

// ------------------------------------------------------------ functions

/// A builtin as the language spells it.
struct Function {
  const char* name;
  Builtin fn;
  std::size_t min_args;
  std::size_t max_args;  // SIZE_MAX: any number
  bool per_element;      // args[1] is evaluated once per element of args[0]
};

constexpr std::size_t any_number = SIZE_MAX;

constexpr Function functions[] = {
    {"count", Builtin::count, 1, 1, false},     {"share", Builtin::share, 2, 2, false},
    {"any", Builtin::any, 2, 2, true},          {"all", Builtin::all, 2, 2, true},
    {"sum", Builtin::sum, 2, 2, true},          {"min", Builtin::min, 2, 2, true},
    {"max", Builtin::max, 2, 2, true},          {"distinct", Builtin::distinct, 2, 2, true},
    {"known", Builtin::known, 1, 1, false},     {"between", Builtin::between, 3, 3, false},
    {"latest", Builtin::latest, 2, any_number, false}, {"earliest", Builtin::earliest, 2, any_number, false},
};

const Function* find_function(std::string_view name) {
  for (const auto& f : functions)
    if (name == f.name) return &f;
  return nullptr;
}

/// The closest known function name, if close enough to be a typo.
std::optional<std::string> suggest_function(std::string_view name) {
  std::optional<std::string> best;
  std::size_t best_distance = SIZE_MAX;
  auto consider = [&](std::string_view candidate) {
    auto d = verdict::edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  };
  for (const auto& f : functions) consider(f.name);
  consider("verdict");
  if (best_distance <= 2 && best_distance < name.size()) return best;
  return std::nullopt;
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

/// True when `e` reads the element that a collection operation around it
/// introduces: `.`/`.field` not inside a deeper collection operation.
/// `level` counts the collection operations entered since that element.
bool reads_new_element(const ast::Expr& e, std::size_t level) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::element:
    case K::element_field: return level == 0;
    case K::where: return reads_new_element(e.args[0], level) || reads_new_element(e.args[1], level + 1);
    case K::call: {
      const Function* f = find_function(e.name);
      bool per_element = f && e.args.size() == 2 &&
                         (f->per_element || (f->fn == Builtin::share && (!e.binding.empty() || reads_new_element(e.args[1], 0))));
      for (std::size_t i = 0; i < e.args.size(); ++i)
        if (reads_new_element(e.args[i], per_element && i == 1 ? level + 1 : level)) return true;
      return false;
    }
    default:
      for (const auto& a : e.args)
        if (reads_new_element(a, level)) return true;
      return false;
  }
}

// ------------------------------------------------------------ scopes

/// A let as declared, before and while it is lowered.
struct LetSlot {
  const ast::Let* decl = nullptr;
  std::string indicator;  // the enclosing indicator's id, or ""
  bool used = false;
  bool read_outside_lets = false;  // by a check, a level, a score, a message or the outcome
  bool in_scope = false;  // false after a duplicate or shadowing error
  std::vector<std::uint32_t> depends_on;  // lets its expression reads
  std::vector<std::uint32_t> params_read;  // params its expression reads
};

/// The lets visible at one level (indicator, group, top).
using LetScope = std::map<std::string, std::uint32_t, std::less<>>;

/// Where an expression is being lowered.
enum class Place { normal, as_of, outcome };

struct Binding {
  std::string name;
  std::uint32_t index;  // element depth it names
};

/// What one expression sees.
struct Context {
  const LetScope* indicator_lets = nullptr;
  const LetScope* group_lets = nullptr;
  Place place = Place::normal;
  std::optional<std::uint32_t> in_let;  // the let whose expression this is
  std::uint32_t depth = 0;              // enclosing collection operations
  std::vector<Binding> bindings;
};

class Lowerer {
public:
  Lowerer(std::vector<std::shared_ptr<const Source>> sources, Diagnostics& diags)
      : sources_(std::move(sources)), diags_(diags) {}

  engine::Program run(const ast::Ruleset& rs) {
    program_.text = sources_.empty() ? nullptr : sources_.front();
    program_.sources = sources_;
    header(rs);
    declare(rs);
    for (const auto& r : rs.removed)
      if (std::none_of(program_.indicators.begin(), program_.indicators.end(),
                       [&](const engine::Indicator& i) { return i.id == r.id.value; }))
        program_.removed_indicators.push_back({r.id.value, r.id.span});
    resolve(rs);
    check_let_cycles();
    warn_unused();
    warn_no_as_of();
    engine::compile_conditions(program_);
    return std::move(program_);
  }

  engine::Expr expression(const ast::Expr& e) {
    Context ctx;
    engine::Expr out = lower(e, ctx);
    engine::compile_conditions(out);
    return out;
  }

  std::uint32_t max_depth() const { return max_depth_; }

private:
  std::vector<std::shared_ptr<const Source>> sources_;  // [0] the ruleset, then its bases
  Diagnostics& diags_;
  engine::Program program_;

  std::map<std::string, std::uint32_t, std::less<>> params_;
  LetScope top_lets_;
  std::vector<LetScope> group_lets_;      // per ast group, in order
  std::vector<LetScope> indicator_lets_;  // per lowered indicator, in Program::indicators order
  std::vector<LetSlot> lets_;
  std::map<std::string, Span, std::less<>> indicator_ids_;
  std::uint32_t max_depth_ = 0;

  // -------------------------------------------------------- helpers

  std::shared_ptr<const Source> source_of(Span s) const {
    return s.file < sources_.size() ? sources_[s.file] : nullptr;
  }

  void error(Span span, std::string message) { diags_.error("check_error", source_of(span), span, std::move(message)); }

  // An error at `at` about a clash with what is declared at `other`, in another file.
  void error(Span at, std::string message, Span other, std::string note) {
    Diagnostic d{Severity::error, "check_error", std::move(message), source_of(at), at, {}};
    d.notes.push_back(Diagnostic{Severity::note, "", std::move(note), source_of(other), other, {}});
    diags_.add(std::move(d));
  }

  std::uint32_t line_of(Span s) const {
    auto src = source_of(s);
    return src ? src->line_of(s.begin) : 0;
  }

  // Where `decl` is, as seen from an error at `from`: "line 12", or "line 12
  // of base.rules" when it is in another file of the inheritance chain.
  std::string where(Span decl, Span from) const {
    if (decl.file == from.file) return fmt::format("line {}", line_of(decl));
    auto src = source_of(decl);
    return fmt::format("line {} of {}", line_of(decl),
                       src ? std::filesystem::path(src->name()).filename().string() : std::string("?"));
  }

  std::string text_of(Span s) const {
    auto src = source_of(s);
    if (!src) return {};
    const auto& t = src->text();
    if (s.begin >= t.size() || s.end <= s.begin) return {};
    std::size_t b = s.begin, e = std::min<std::size_t>(s.end, t.size());
    widen_to_parentheses(t, b, e);
    return t.substr(b, e - b);
  }

  static engine::Expr constant(engine::Value v, Span span) {
    engine::Expr e;
    e.op = Op::constant;
    e.value = std::move(v);
    e.span = span;
    return e;
  }

  static engine::Expr make(Op op, Span span) {
    engine::Expr e;
    e.op = op;
    e.span = span;
    return e;
  }
  // With its operands, moved in: a std::vector built from a braced list would
  // copy each operand's whole subtree, which is quadratic in the nesting.
  template <std::size_t N>
  static engine::Expr make(Op op, Span span, engine::Expr (&&args)[N]) {
    engine::Expr e = make(op, span);
    e.args.reserve(N);
    for (auto& a : args) e.args.push_back(std::move(a));
    return e;
  }

  // A placeholder after an error, so that lowering goes on and finds the rest.
  static engine::Expr poisoned(Span span) { return constant(engine::Value::unknown(), span); }

  // -------------------------------------------------------- 1. header

  // What names a ruleset in the catalogue (NAME@VERSION) or an indicator or
  // a group in reports and on the command line cannot be empty, and a
  // ruleset's name and version cannot hold what would split or end a
  // reference: '@', a slash, a space or a control character.
  void require_id(const ast::Text& id, const char* what, bool in_reference) {
    if (id.value.empty()) {
      error(id.span, fmt::format("{} cannot be empty", what));
      return;
    }
    if (!in_reference) return;
    for (const char c : id.value)
      if (c == '@' || c == '/' || c == '\\' || c == ' ' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        error(id.span, fmt::format("{} cannot contain {} (a ruleset is named NAME@VERSION)", what,
                                   c == ' ' ? std::string("a space")
                                   : static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? std::string("a control character")
                                                                                         : fmt::format("'{}'", c)));
        return;
      }
  }

  void header(const ast::Ruleset& rs) {
    require_id(rs.name, "a ruleset name", true);
    require_id(rs.version, "a ruleset version", true);
    program_.name = rs.name.value;
    program_.version = rs.version.value;
    std::map<ast::HeaderClause::Kind, Span> seen;
    static constexpr const char* words[] = {"title", "source", "schema", "as_of", "extends"};
    for (const auto& h : rs.header) {
      auto [it, fresh] = seen.emplace(h.kind, h.span);
      if (!fresh) {
        error(h.span, fmt::format("duplicate {} clause (the first is at {})", words[static_cast<int>(h.kind)],
                                  where(it->second, h.span)));
        continue;
      }
      switch (h.kind) {
        case ast::HeaderClause::Kind::title: program_.title = h.text.value; break;
        case ast::HeaderClause::Kind::source: program_.source_title = h.text.value; break;
        case ast::HeaderClause::Kind::schema:
          program_.schema = h.text.value;
          program_.schema_span = h.span;
          break;
        case ast::HeaderClause::Kind::extends: program_.extends = h.text.value; break;  // merged by dsl/inherit
        case ast::HeaderClause::Kind::as_of: break;  // lowered with the other expressions
      }
    }
  }

  // -------------------------------------------------------- 2. declare

  // Names that the language itself gives a meaning.
  static const char* builtin_name_meaning(std::string_view name) {
    if (name == "as_of") return "the reference date as_of";
    if (name == "minimum_met") return "minimum_met of the outcome";
    if (name == "score_share") return "score_share of the outcome";
    if (find_function(name) || name == "verdict") return "a built-in function";
    return nullptr;
  }

  std::uint32_t add_let(const ast::Let& l, std::string indicator) {
    auto slot = static_cast<std::uint32_t>(lets_.size());
    LetSlot slot_info;
    slot_info.decl = &l;
    slot_info.indicator = std::move(indicator);
    lets_.push_back(std::move(slot_info));
    engine::Let out;
    out.name = l.name;
    out.span = l.name_span;
    out.indicator = lets_.back().indicator;
    program_.lets.push_back(std::move(out));
    return slot;
  }

  // Registers `l` in `scope`, reporting duplicates there and shadowing of
  // anything in the `outer` scopes.
  std::uint32_t declare_let(const ast::Let& l, LetScope& scope, std::vector<const LetScope*> outer,
                            std::string indicator) {
    auto slot = add_let(l, std::move(indicator));
    if (const char* meaning = builtin_name_meaning(l.name)) {
      error(l.name_span, fmt::format("let '{}' shadows {}", l.name, meaning));
      refused_names_.insert(l.name);
      return slot;
    }
    if (auto it = scope.find(l.name); it != scope.end()) {
      error(l.name_span, fmt::format("duplicate let '{}' (first declared at {})", l.name,
                                     where(lets_[it->second].decl->name_span, l.name_span)));
      refused_names_.insert(l.name);
      return slot;
    }
    for (const LetScope* o : outer) {
      if (auto it = o->find(l.name); it != o->end()) {
        shadowing(l.name_span, lets_[it->second].decl->name_span, "let", "let", l.name);
        refused_names_.insert(l.name);
        return slot;
      }
    }
    if (auto it = params_.find(l.name); it != params_.end()) {
      shadowing(l.name_span, program_.params[it->second].span, "let", "param", l.name);
      refused_names_.insert(l.name);
      return slot;
    }
    scope.emplace(l.name, slot);
    lets_[slot].in_scope = true;
    return slot;
  }

  // `inner` (a let) shadows `outer` (a let or param of an enclosing scope).
  // When `inner` is inherited and `outer` is written in a ruleset that
  // extends it, the error is where the new name was written.
  void shadowing(Span inner, Span outer, const char* inner_kind, const char* outer_kind, const std::string& name) {
    if (outer.file < inner.file) {
      error(outer, fmt::format("{} '{}' clashes with the inherited {} '{}' at {} (a let may not shadow another name); "
                               "choose another name",
                               outer_kind, name, inner_kind, name, where(inner, outer)),
            inner, fmt::format("the inherited {} '{}' is declared here", inner_kind, name));
      return;
    }
    error(inner, fmt::format("{} '{}' shadows the {} '{}' declared at {}", inner_kind, name, outer_kind, name,
                             where(outer, inner)));
  }

  void declare_param(const ast::Param& p) {
    if (auto it = params_.find(p.name); it != params_.end()) {
      error(p.name_span, fmt::format("duplicate param '{}' (first declared at {})", p.name,
                                     where(program_.params[it->second].span, p.name_span)));
      refused_names_.insert(p.name);
      return;
    }
    if (const char* meaning = builtin_name_meaning(p.name)) {
      error(p.name_span, fmt::format("param '{}' shadows {}", p.name, meaning));
      refused_names_.insert(p.name);
      return;
    }
    engine::Param out;
    out.name = p.name;
    out.span = p.name_span;
    if (p.doc) out.doc = p.doc->value;
    // The value in force is the one whose date is the latest not after
    // as_of, whatever the order they are written in: they are kept sorted
    // by date (the undated first value before all). Two from one date
    // would leave the choice open.
    std::map<engine::Date, Span> dates;
    for (const auto& v : p.values) {
      if (v.from)
        if (auto [it, fresh] = dates.emplace(*v.from, v.from_span); !fresh)
          error(v.from_span, fmt::format("param '{}' has two values from {} (the other at {}); give each date once", p.name,
                                         engine::to_string(*v.from), where(it->second, v.from_span)));
      // As written: `90%`, so that a report or a diff shows it so (not 0.9 (90%)).
      const bool percent = v.value.kind() == engine::Value::Kind::number && source_of(v.span)->ends_in_percent(v.span);
      out.values.push_back({v.from, v.value, percent});
    }
    std::stable_sort(out.values.begin(), out.values.end(), [](const engine::Param::Dated& a, const engine::Param::Dated& b) {
      return !a.from ? b.from.has_value() : b.from && *a.from < *b.from;
    });
    params_.emplace(p.name, static_cast<std::uint32_t>(program_.params.size()));
    program_.params.push_back(std::move(out));
  }

  void declare_indicator(const ast::Indicator& ind, const std::string& group, const LetScope* group_scope) {
    require_id(ind.id, "an indicator id", false);
    if (auto [it, fresh] = indicator_ids_.emplace(ind.id.value, ind.id.span); !fresh) {
      error(ind.id.span, fmt::format("duplicate indicator id '{}' (first declared at {})", ind.id.value,
                                     where(it->second, ind.id.span)));
    }
    engine::Indicator out;
    out.id = ind.id.value;
    out.title = ind.title.value;
    out.group = group;
    out.minimum = ind.minimum;
    out.span = ind.span;
    std::vector<std::string> cites, notes;
    for (const auto& c : ind.cites) cites.push_back(c.value);
    out.cites = std::move(cites);
    for (const auto& n : ind.notes) notes.push_back(n.value);
    out.notes = std::move(notes);
    LetScope scope;
    std::vector<const LetScope*> outer;
    if (group_scope) outer.push_back(group_scope);
    outer.push_back(&top_lets_);
    for (const auto& l : ind.lets) out.lets.push_back(declare_let(l, scope, outer, ind.id.value));
    indicator_lets_.push_back(std::move(scope));
    program_.indicators.push_back(std::move(out));
  }

  void declare(const ast::Ruleset& rs) {
    // Params and top-level lets first: lets in groups and indicators may not
    // shadow them, wherever they are written.
    for (const auto& d : rs.declarations) {
      if (const auto* p = std::get_if<ast::Param>(&d)) {
        if (p->is_override) not_merged(p->span, "override param");
        declare_param(*p);
      }
    }
    for (const auto& d : rs.declarations)
      if (const auto* l = std::get_if<ast::Let>(&d)) declare_let(*l, top_lets_, {}, "");

    std::map<std::string, Span, std::less<>> group_ids;
    bool outcome_seen = false;
    for (const auto& d : rs.declarations) {
      if (const auto* g = std::get_if<ast::Group>(&d)) {
        require_id(g->id, "a group id", false);
        if (auto [it, fresh] = group_ids.emplace(g->id.value, g->id.span); !fresh)
          error(g->id.span, fmt::format("duplicate group id '{}' (first declared at {})", g->id.value,
                                        where(it->second, g->id.span)));
        engine::Group out;
        out.id = g->id.value;
        out.title = g->title.value;
        LetScope scope;
        for (const auto& l : g->lets) out.lets.push_back(declare_let(l, scope, {&top_lets_}, ""));
        group_lets_.push_back(std::move(scope));
        program_.groups.push_back(std::move(out));
        for (const auto& ind : g->indicators) declare_indicator(ind, g->id.value, &group_lets_.back());
      } else if (const auto* ind = std::get_if<ast::Indicator>(&d)) {
        if (ind->is_override) not_merged(ind->span, "override indicator");
        declare_indicator(*ind, "", nullptr);
      } else if (const auto* r = std::get_if<ast::Removal>(&d)) {
        not_merged(r->span, "remove indicator");
      } else if (const auto* x = std::get_if<ast::GroupExtension>(&d)) {
        not_merged(x->span, "extend group");
      } else if (const auto* o = std::get_if<ast::Outcome>(&d)) {
        if (outcome_seen) error(o->span, "a ruleset has at most one outcome block");
        outcome_seen = true;
      }
    }
  }

  // Inheritance is resolved by dsl::inherit before lowering; a tree that
  // still holds it did not go through load_ruleset_text.
  void not_merged(Span span, const char* what) {
    error(span, fmt::format("internal error: {} reached lowering unmerged (see dsl/inherit.hpp)", what));
  }

  // -------------------------------------------------------- 3. resolve

  void resolve(const ast::Ruleset& rs) {
    for (const auto& h : rs.header) {
      if (h.kind == ast::HeaderClause::Kind::as_of && h.expr && !program_.as_of) {
        Context ctx;
        ctx.place = Place::as_of;
        program_.as_of = lower(*h.expr, ctx);
      }
    }
    std::size_t group_index = 0, indicator_index = 0;
    bool outcome_done = false;
    auto lower_let = [&](const ast::Let& l, const Context& scope_ctx) {
      // Lets were numbered in this same order by declare().
      auto slot = next_let_++;
      Context ctx = scope_ctx;
      ctx.in_let = slot;
      program_.lets[slot].expr = lower(l.expr, ctx);
    };
    // Lets are numbered in declaration order of declare(): top-level first.
    for (const auto& d : rs.declarations)
      if (const auto* l = std::get_if<ast::Let>(&d)) lower_let(*l, Context{});
    for (const auto& d : rs.declarations) {
      if (const auto* g = std::get_if<ast::Group>(&d)) {
        const LetScope& gs = group_lets_[group_index++];
        Context ctx;
        ctx.group_lets = &gs;
        for (const auto& l : g->lets) lower_let(l, ctx);
        for (const auto& ind : g->indicators) lower_indicator(ind, &gs, indicator_index++, lower_let);
      } else if (const auto* ind = std::get_if<ast::Indicator>(&d)) {
        lower_indicator(*ind, nullptr, indicator_index++, lower_let);
      } else if (const auto* o = std::get_if<ast::Outcome>(&d)) {
        if (outcome_done) continue;
        outcome_done = true;
        for (const auto& label : o->labels) {
          Context ctx;
          ctx.place = Place::outcome;
          program_.outcome.push_back({label.name.value, lower(label.when, ctx)});
        }
      }
    }
    program_.max_element_depth = max_depth_;
  }

  std::uint32_t next_let_ = 0;

  template <typename LowerLet>
  void lower_indicator(const ast::Indicator& ind, const LetScope* group_scope, std::size_t index, LowerLet& lower_let) {
    engine::Indicator& out = program_.indicators[index];
    Context ctx;
    ctx.group_lets = group_scope;
    ctx.indicator_lets = &indicator_lets_[index];
    for (const auto& l : ind.lets) lower_let(l, ctx);
    for (const auto& r : ind.requirements) {
      engine::Check check;
      check.expr = lower(r.condition, ctx);
      check.source = text_of(r.condition.span);
      // As written, without the CR of a file with CRLF line ends.
      check.source.erase(std::remove(check.source.begin(), check.source.end(), '\r'), check.source.end());
      check.line = line_of(r.span);
      if (r.message) check.message = message(*r.message, ctx);
      out.checks.push_back(std::move(check));
    }
    for (std::size_t i = 0; i < ind.scores.size(); ++i) {
      const auto& s = ind.scores[i];
      if (i > 0) {
        error(s.span, fmt::format("indicator '{}' has more than one score", ind.id.value));
        continue;
      }
      if (s.of.num() <= 0)
        error(s.of_span, fmt::format("a score is out of a positive number of points, not {}", s.of.to_string()));
      out.score = lower(s.expr, ctx);
      out.score_of = s.of;
      // A score written as a number is one of the points it is out of.
      if (out.score->op == engine::Op::constant && out.score->value.kind() == engine::Value::Kind::number &&
          s.of.num() > 0) {
        const engine::Number points = out.score->value.as_number();
        if (points < engine::Number(0) || points > s.of)
          error(s.expr.span, fmt::format("a score of {} is not between 0 and the {} points it is out of",
                                         points.to_string(), s.of.to_string()));
      }
    }
    for (const auto& level : ind.levels) out.levels.push_back({level.name.value, lower(level.when, ctx)});
  }

  engine::Message message(const ast::Message& m, const Context& ctx) {
    engine::Message out;
    for (const auto& p : m.parts) {
      engine::Message::Part part;
      if (p.expr) {
        Context c = ctx;
        part.expr = lower(*p.expr, c);
        part.percent = p.percent;
      } else {
        part.text = p.text;
      }
      out.parts.push_back(std::move(part));
    }
    return out;
  }

  // -------------------------------------------------------- names

  const LetScope* let_scope_of(const Context& ctx, std::string_view name, std::uint32_t& slot) const {
    for (const LetScope* s : {ctx.indicator_lets, ctx.group_lets, &top_lets_}) {
      if (!s) continue;
      if (auto it = s->find(name); it != s->end()) {
        slot = it->second;
        return s;
      }
    }
    return nullptr;
  }

  engine::Expr name(const ast::Expr& e, Context& ctx) {
    for (auto it = ctx.bindings.rbegin(); it != ctx.bindings.rend(); ++it) {
      if (it->name == e.name) {
        auto out = make(Op::element, e.span);
        out.index = it->index;
        out.name = e.name;
        return out;
      }
    }
    std::uint32_t slot = 0;
    bool is_let = let_scope_of(ctx, e.name, slot) != nullptr;
    auto param = params_.find(e.name);
    if (ctx.place == Place::as_of && (is_let || param != params_.end() || e.name == "as_of")) {
      error(e.span, fmt::format("as_of may only read evidence and literals; '{}' is a {}", e.name,
                                is_let ? "let" : param != params_.end() ? "param" : "reference to itself"));
      return poisoned(e.span);
    }
    // A name whose declaration was refused (a duplicate, or one hiding
    // another name) is unknown wherever it is read, so the checker, which
    // still runs, reports nothing about what the read would otherwise find.
    const bool refused = refused_names_.count(e.name) > 0;
    if (is_let) {
      lets_[slot].used = true;
      if (!ctx.in_let) lets_[slot].read_outside_lets = true;
      if (refused) return poisoned(e.span);
      if (ctx.in_let) lets_[*ctx.in_let].depends_on.push_back(slot);
      auto out = make(Op::let, e.span);
      out.index = slot;
      out.name = e.name;
      return out;
    }
    if (param != params_.end()) {
      param_used_.resize(program_.params.size());
      param_used_[param->second] = true;
      param_read_outside_lets_.resize(program_.params.size());
      if (ctx.in_let) lets_[*ctx.in_let].params_read.push_back(param->second);
      else param_read_outside_lets_[param->second] = true;
      if (refused) return poisoned(e.span);
      auto out = make(Op::param, e.span);
      out.index = param->second;
      out.name = e.name;
      return out;
    }
    if (refused) return poisoned(e.span);
    if (e.name == "as_of") {
      if (!as_of_read_) as_of_read_ = e.span;
      return make(Op::as_of, e.span);
    }
    if (e.name == "minimum_met" || e.name == "score_share") {
      if (ctx.place != Place::outcome) {
        error(e.span, fmt::format("{} is only available in the outcome block", e.name));
        return poisoned(e.span);
      }
      return make(e.name == "minimum_met" ? Op::minimum_met : Op::score_share, e.span);
    }
    auto out = make(Op::evidence, e.span);
    out.name = e.name;
    return out;
  }

  std::vector<bool> param_used_;
  std::vector<bool> param_read_outside_lets_;
  std::optional<Span> as_of_read_;  // where `as_of` is first read
  std::set<std::string> refused_names_;  // lets and params declared in error (see name())

  // The element of the innermost collection operation.
  engine::Expr element(Span span, const Context& ctx, const char* what) {
    if (ctx.depth == 0) {
      error(span, fmt::format("{} is only meaningful inside a collection operation (where, any, all, sum, min, max, "
                              "distinct, share)",
                              what));
      return poisoned(span);
    }
    auto out = make(Op::element, span);
    out.index = ctx.depth - 1;
    return out;
  }

  // Lowers `e` as an expression evaluated once per element of a collection,
  // optionally naming the element `binding`.
  engine::Expr per_element(const ast::Expr& e, const Context& ctx, const std::string& binding, Span binding_span) {
    Context inner = ctx;
    inner.depth = ctx.depth + 1;
    max_depth_ = std::max(max_depth_, inner.depth);
    if (!binding.empty()) {
      // Bound even when the name is refused: what the condition reads by
      // it is the element, as meant, so the checker (which still runs)
      // does not report a second error for the let or param it would hide.
      check_binding(binding, binding_span, ctx);
      inner.bindings.push_back({binding, ctx.depth});
      program_.element_names.push_back({binding, binding_span});
    }
    return lower(e, inner);
  }

  // An element name may not hide anything else in scope.
  bool check_binding(const std::string& binding, Span span, const Context& ctx) {
    for (const auto& b : ctx.bindings) {
      if (b.name == binding) {
        error(span, fmt::format("element name '{}' is already used by an enclosing collection operation", binding));
        return false;
      }
    }
    std::uint32_t slot = 0;
    if (let_scope_of(ctx, binding, slot)) {
      error(span, fmt::format("element name '{}' shadows the let '{}' declared at {}", binding, binding,
                              where(lets_[slot].decl->name_span, span)));
      return false;
    }
    if (auto it = params_.find(binding); it != params_.end()) {
      error(span, fmt::format("element name '{}' shadows the param '{}' declared at {}", binding, binding,
                              where(program_.params[it->second].span, span)));
      return false;
    }
    if (const char* meaning = builtin_name_meaning(binding)) {
      error(span, fmt::format("element name '{}' shadows {}", binding, meaning));
      return false;
    }
    return true;
  }

  // -------------------------------------------------------- expressions

  static Op op_of(ast::BinaryOp op) {
    switch (op) {
      case ast::BinaryOp::or_: return Op::or_;
      case ast::BinaryOp::and_: return Op::and_;
      case ast::BinaryOp::eq: return Op::eq;
      case ast::BinaryOp::ne: return Op::ne;
      case ast::BinaryOp::lt: return Op::lt;
      case ast::BinaryOp::le: return Op::le;
      case ast::BinaryOp::gt: return Op::gt;
      case ast::BinaryOp::ge: return Op::ge;
      case ast::BinaryOp::in: return Op::in;
      case ast::BinaryOp::add: return Op::add;
      case ast::BinaryOp::sub: return Op::sub;
      case ast::BinaryOp::mul: return Op::mul;
      case ast::BinaryOp::div: return Op::div;
    }
    return Op::or_;
  }

  engine::Expr lower(const ast::Expr& e, Context& ctx) {
    using K = ast::ExprKind;
    switch (e.kind) {
      case K::literal: return constant(e.value, e.span);
      case K::list: {
        auto out = make(Op::list, e.span);
        for (const auto& a : e.args) out.args.push_back(lower(a, ctx));
        return out;
      }
      case K::name: return name(e, ctx);
      case K::element: return element(e.span, ctx, "'.' (the current element)");
      case K::element_field: {
        auto self = element(e.span, ctx, fmt::format("'.{}'", e.name).c_str());
        if (self.op != Op::element) return self;
        auto out = make(Op::field, e.span, {std::move(self)});
        out.name = e.name;
        return out;
      }
      case K::field: {
        auto out = make(Op::field, e.span, {lower(e.args[0], ctx)});
        out.name = e.name;
        return out;
      }
      case K::index: return make(Op::index, e.span, {lower(e.args[0], ctx), lower(e.args[1], ctx)});
      case K::negate: {
        // A negative literal is a constant.
        const auto& a = e.args[0];
        if (a.kind == K::literal && a.value.kind() == engine::Value::Kind::number) {
          if (auto n = a.value.as_number().negate()) return constant(engine::Value::number(*n), e.span);
        }
        if (a.kind == K::literal && a.value.kind() == engine::Value::Kind::duration) {
          auto d = a.value.as_duration();
          return constant(engine::Value::duration({-d.months, -d.days}), e.span);
        }
        return make(Op::negate, e.span, {lower(a, ctx)});
      }
      case K::not_: return make(Op::not_, e.span, {lower(e.args[0], ctx)});
      case K::binary: return make(op_of(e.op), e.span, {lower(e.args[0], ctx), lower(e.args[1], ctx)});
      case K::if_:
        return make(Op::if_, e.span, {lower(e.args[0], ctx), lower(e.args[1], ctx), lower(e.args[2], ctx)});
      case K::where: {
        auto collection = lower(e.args[0], ctx);
        auto predicate = per_element(e.args[1], ctx, e.binding, e.binding_span);
        return make(Op::where, e.span, {std::move(collection), std::move(predicate)});
      }
      case K::call: return call(e, ctx);
    }
    return poisoned(e.span);
  }

  engine::Expr call(const ast::Expr& e, Context& ctx) {
    if (e.name == "verdict") return verdict_of(e, ctx);
    const Function* f = find_function(e.name);
    if (!f) {
      auto hint = suggest_function(e.name);
      error(e.name_span, hint ? fmt::format("unknown function '{}'; did you mean '{}'?", e.name, *hint)
                              : fmt::format("unknown function '{}'", e.name));
      // Still lowered, and kept for the checker: what the arguments get
      // wrong (a misspelt field) is reported with it.
      auto out = poisoned(e.span);
      for (const auto& a : e.args) out.args.push_back(lower(a, ctx));
      return out;
    }
    std::size_t n = e.args.size();
    if (n < f->min_args || n > f->max_args) {
      std::string expected = f->max_args == any_number ? fmt::format("at least {}", plural(f->min_args, "argument"))
                             : f->min_args == f->max_args ? plural(f->min_args, "argument")
                                                          : fmt::format("{} to {} arguments", f->min_args, f->max_args);
      error(e.span, fmt::format("{} takes {}, not {}", f->name, expected, n));
      // The arguments the function takes, as it would read them (those
      // after a collection per element of it), kept for the checker; one
      // too many is not read at all.
      auto out = poisoned(e.span);
      for (std::size_t k = 0; k < std::min<std::size_t>(n, f->max_args); ++k)
        out.args.push_back(f->per_element && k > 0 ? per_element(e.args[k], ctx, e.binding, e.binding_span) : lower(e.args[k], ctx));
      return out;
    }
    bool per_element_arg = f->per_element;
    Builtin fn = f->fn;
    if (fn == Builtin::share && (!e.binding.empty() || reads_new_element(e.args[1], 0))) {
      fn = Builtin::share_where;
      per_element_arg = true;
    }
    if (!e.binding.empty() && !per_element_arg) {
      error(e.binding_span, fmt::format("'as' names the element of a collection, but {} has no per-element argument",
                                        f->name));
    }
    auto out = make(Op::call, e.span);
    out.fn = fn;
    out.name = f->name;
    for (std::size_t i = 0; i < n; ++i) {
      if (per_element_arg && i == 1)
        out.args.push_back(per_element(e.args[1], ctx, e.binding, e.binding_span));
      else
        out.args.push_back(lower(e.args[i], ctx));
    }
    return out;
  }

  engine::Expr verdict_of(const ast::Expr& e, Context& ctx) {
    if (ctx.place != Place::outcome) {
      error(e.span, "verdict(\"ID\") is only available in the outcome block");
      return poisoned(e.span);
    }
    if (e.args.size() != 1) {
      error(e.span, fmt::format("verdict takes 1 argument, not {}", e.args.size()));
      return poisoned(e.span);
    }
    const auto& a = e.args[0];
    if (a.kind != ast::ExprKind::literal || a.value.kind() != engine::Value::Kind::string) {
      error(a.span, "verdict takes an indicator id as a string literal, e.g. verdict(\"1.1.0\")");
      return poisoned(e.span);
    }
    const auto& id = a.value.as_string();
    if (!indicator_ids_.count(id)) {
      // Removed: say where; otherwise a misspelt id: the nearest one.
      std::string why = program_.removed_note(id);
      if (why.empty() && id.size() > 1) {  // (any one-character id is one edit from any other)
        std::vector<std::string> ids;
        for (const auto& [known, at] : indicator_ids_) ids.push_back(known);
        if (auto hint = did_you_mean(id, ids); !hint.empty()) why = fmt::format("; did you mean '{}'?", hint);
      }
      error(a.span, fmt::format("no indicator has the id '{}'{}", id, why));
      return poisoned(e.span);
    }
    auto out = make(Op::verdict_of, e.span);
    out.name = id;
    return out;
  }

  // -------------------------------------------------------- 4. cycles

  void check_let_cycles() {
    enum class Mark : std::uint8_t { unvisited, active, done };
    std::vector<Mark> mark(lets_.size(), Mark::unvisited);
    std::vector<bool> reported(lets_.size(), false);
    // Iterative depth-first search: a chain of lets can be long.
    for (std::uint32_t start = 0; start < lets_.size(); ++start) {
      if (mark[start] != Mark::unvisited) continue;
      std::vector<std::pair<std::uint32_t, std::size_t>> stack{{start, 0}};
      mark[start] = Mark::active;
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        const auto& deps = lets_[node].depends_on;
        if (next == deps.size()) {
          mark[node] = Mark::done;
          stack.pop_back();
          continue;
        }
        std::uint32_t dep = deps[next++];
        if (mark[dep] == Mark::unvisited) {
          mark[dep] = Mark::active;
          stack.emplace_back(dep, 0);
        } else if (mark[dep] == Mark::active) {
          // The cycle is the part of the stack from `dep` to the top.
          std::size_t from = 0;
          while (stack[from].first != dep) ++from;
          bool seen = false;
          for (std::size_t i = from; i < stack.size(); ++i) seen = seen || reported[stack[i].first];
          if (seen) continue;
          std::string path;
          for (std::size_t i = from + 1; i < stack.size(); ++i) path += program_.lets[stack[i].first].name + " → ";
          path += program_.lets[dep].name;
          const auto& first = program_.lets[dep];
          if (from + 1 == stack.size())
            error(first.span, fmt::format("let {} depends on itself", first.name));
          else
            error(first.span, fmt::format("let {} depends on itself through {}", first.name, path));
          for (std::size_t i = from; i < stack.size(); ++i) reported[stack[i].first] = true;
        }
      }
    }
  }

  // -------------------------------------------------------- 5. unused

  // `as_of` read, or a dated param, with no `as_of` clause: every evaluation
  // would be without a reference date (as_of unknown, the first value of
  // each dated param) unless --as-of is given.
  void warn_no_as_of() {
    if (program_.as_of) return;
    std::optional<Span> at = as_of_read_;
    for (const auto& p : program_.params)
      if (!at && p.values.size() > 1) at = p.span;
    if (!at || at->file != 0) return;
    diags_.warning("no_as_of", source_of(*at), *at,
                   "the ruleset has no 'as_of' clause: without --as-of, as_of is unknown in every evaluation (and dated "
                   "params take their first value); add one to the header");
  }

  // Only for the ruleset's own file: what a base declares is its author's
  // business (and an override may leave a base's let unread on purpose).
  void warn_unused() {
    // Not while the ruleset has errors: what an erroneous declaration (an
    // `extend group` of a misspelt id, a `group` the base already has)
    // would have used was dropped with it, so a param or let it reads would
    // be called unused, and a maintainer might delete it.
    if (diags_.has_errors()) return;
    param_used_.resize(program_.params.size());
    for (std::size_t i = 0; i < program_.params.size(); ++i)
      if (!param_used_[i] && program_.params[i].span.file == 0)
        diags_.warning("unused", source_of(program_.params[i].span), program_.params[i].span,
                       fmt::format("param '{}' is never used", program_.params[i].name));
    for (std::size_t i = 0; i < lets_.size(); ++i)
      if (!lets_[i].used && lets_[i].in_scope && program_.lets[i].span.file == 0)
        diags_.warning("unused", source_of(program_.lets[i].span), program_.lets[i].span,
                       fmt::format("let '{}' is never used", program_.lets[i].name));
    warn_read_only_by_unused();
  }

  // A param or let read, but only by lets that nothing else reads, however
  // indirectly (`let a = 1`, `let b = a`, b never used): deleting the
  // unused let leaves it unused in turn, so it is named now, with the lets
  // that read it.
  void warn_read_only_by_unused() {
    std::vector<bool> live(lets_.size(), false);
    std::vector<std::uint32_t> todo;
    for (std::uint32_t i = 0; i < lets_.size(); ++i)
      if (lets_[i].read_outside_lets) {
        live[i] = true;
        todo.push_back(i);
      }
    while (!todo.empty()) {
      const std::uint32_t l = todo.back();
      todo.pop_back();
      for (auto d : lets_[l].depends_on)
        if (!live[d]) {
          live[d] = true;
          todo.push_back(d);
        }
    }
    auto readers = [&](auto&& reads) {
      std::vector<std::string> names;
      for (std::uint32_t l = 0; l < lets_.size(); ++l)
        if (reads(lets_[l]) && std::find(names.begin(), names.end(), program_.lets[l].name) == names.end())
          names.push_back(program_.lets[l].name);
      return names;
    };
    auto message = [](const char* what, const std::string& name, const std::vector<std::string>& by) {
      std::vector<std::string> quoted;
      for (const auto& b : by) quoted.push_back(fmt::format("'{}'", b));
      return fmt::format("{} '{}' is read only by {} {}, whose value nothing uses", what, name,
                         by.size() == 1 ? "let" : "lets", fmt::join(quoted, ", "));
    };
    param_read_outside_lets_.resize(program_.params.size());
    for (std::uint32_t p = 0; p < program_.params.size(); ++p) {
      if (!param_used_[p] || param_read_outside_lets_[p] || program_.params[p].span.file != 0) continue;
      bool read_live = false;
      for (std::uint32_t l = 0; l < lets_.size() && !read_live; ++l)
        read_live = live[l] && std::find(lets_[l].params_read.begin(), lets_[l].params_read.end(), p) !=
                                   lets_[l].params_read.end();
      if (read_live) continue;
      auto by = readers([&](const LetSlot& s) {
        return std::find(s.params_read.begin(), s.params_read.end(), p) != s.params_read.end();
      });
      diags_.warning("unused", source_of(program_.params[p].span), program_.params[p].span,
                     message("param", program_.params[p].name, by));
    }
    for (std::uint32_t i = 0; i < lets_.size(); ++i) {
      if (live[i] || !lets_[i].used || !lets_[i].in_scope || program_.lets[i].span.file != 0) continue;
      auto by = readers([&](const LetSlot& s) {
        return std::find(s.depends_on.begin(), s.depends_on.end(), i) != s.depends_on.end();
      });
      diags_.warning("unused", source_of(program_.lets[i].span), program_.lets[i].span,
                     message("let", program_.lets[i].name, by));
    }
  }
};

}  // namespace

engine::Program lower(const ast::Ruleset& ruleset, std::vector<std::shared_ptr<const Source>> sources,
                      Diagnostics& diagnostics) {
  return Lowerer(std::move(sources), diagnostics).run(ruleset);
}

engine::Program lower(const ast::Ruleset& ruleset, std::shared_ptr<const Source> source, Diagnostics& diagnostics) {
  return lower(ruleset, std::vector<std::shared_ptr<const Source>>{std::move(source)}, diagnostics);
}

engine::Expr lower_expression(const ast::Expr& expr, std::shared_ptr<const Source> source, Diagnostics& diagnostics) {
  return Lowerer({std::move(source)}, diagnostics).expression(expr);
}

}  // namespace verdict::dsl
