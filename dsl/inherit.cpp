// Inheritance runs in two named stages:
//   1. chain   resolve and parse each `extends` (the ruleset's base, the
//              base's base…), refuse cycles, and mark every span of a base
//              with its file index
//   2. merge   from the root of the chain down to the ruleset, apply each
//              child to all its base inherited: additions, `override`,
//              `remove`, `extend group`; redefinitions are errors
// Lowering then sees one tree, as if it had been written in one file.
#include "dsl/inherit.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>

#include "dsl/parser.hpp"
#include "dsl/types.hpp"
#include "engine/text.hpp"

namespace verdict::dsl {
namespace {

// ------------------------------------------------------------ file index on every span

void mark(Span& s, std::uint16_t file) { s.file = file; }
void mark(ast::Text& t, std::uint16_t file) { t.span.file = file; }

void mark(ast::Expr& e, std::uint16_t file) {
  mark(e.span, file);
  mark(e.name_span, file);
  mark(e.binding_span, file);
  for (auto& a : e.args) mark(a, file);
}

void mark(ast::Message& m, std::uint16_t file) {
  mark(m.span, file);
  for (auto& p : m.parts) {
    mark(p.span, file);
    if (p.expr) mark(*p.expr, file);
  }
}

void mark(ast::Let& l, std::uint16_t file) {
  mark(l.span, file);
  mark(l.name_span, file);
  mark(l.expr, file);
}

void mark(ast::Param& p, std::uint16_t file) {
  mark(p.span, file);
  mark(p.name_span, file);
  for (auto& v : p.values) {
    mark(v.span, file);
    mark(v.from_span, file);
  }
  if (p.doc) mark(*p.doc, file);
}

void mark(ast::Indicator& ind, std::uint16_t file) {
  mark(ind.span, file);
  mark(ind.id, file);
  mark(ind.title, file);
  for (auto& c : ind.cites) mark(c, file);
  for (auto& n : ind.notes) mark(n, file);
  for (auto& l : ind.lets) mark(l, file);
  for (auto& r : ind.requirements) {
    mark(r.span, file);
    mark(r.condition, file);
    if (r.message) mark(*r.message, file);
  }
  for (auto& s : ind.scores) {
    mark(s.span, file);
    mark(s.expr, file);
    mark(s.of_span, file);
  }
  for (auto& l : ind.levels) {
    mark(l.span, file);
    mark(l.name, file);
    mark(l.when, file);
  }
}

void mark(ast::Group& g, std::uint16_t file) {
  mark(g.span, file);
  mark(g.id, file);
  mark(g.title, file);
  for (auto& l : g.lets) mark(l, file);
  for (auto& i : g.indicators) mark(i, file);
}

void mark(ast::GroupExtension& g, std::uint16_t file) {
  mark(g.span, file);
  mark(g.id, file);
  for (auto& l : g.lets) mark(l, file);
  for (auto& i : g.indicators) mark(i, file);
}

void mark(ast::Outcome& o, std::uint16_t file) {
  mark(o.span, file);
  for (auto& l : o.labels) {
    mark(l.span, file);
    mark(l.name, file);
    mark(l.when, file);
  }
}

void mark(ast::Removal& r, std::uint16_t file) {
  mark(r.span, file);
  mark(r.id, file);
}

void mark(ast::Ruleset& rs, std::uint16_t file) {
  mark(rs.span, file);
  mark(rs.name, file);
  mark(rs.version, file);
  for (auto& h : rs.header) {
    mark(h.span, file);
    mark(h.text, file);
    if (h.expr) mark(*h.expr, file);
  }
  for (auto& d : rs.declarations) std::visit([file](auto& x) { mark(x, file); }, d);
}

// ------------------------------------------------------------ 1. chain

std::string ref_of(const ast::Ruleset& rs) { return rs.name.value + "@" + rs.version.value; }

const ast::HeaderClause* extends_clause(const ast::Ruleset& rs) {
  for (const auto& h : rs.header)
    if (h.kind == ast::HeaderClause::Kind::extends) return &h;
  return nullptr;
}

bool is_pinned_ref(const std::string& ref) {
  auto at = ref.find('@');
  return at != std::string::npos && at > 0 && at + 1 < ref.size() && ref.find('@', at + 1) == std::string::npos;
}

// A problem in a base file: also say which `extends` brought it in.
[[noreturn]] void rethrow_in_base(const Diagnostics& found, const std::shared_ptr<const Source>& extending, Span at,
                                  const std::string& ref) {
  Diagnostics out;
  for (auto d : found.items()) {
    d.notes.push_back(Diagnostic{Severity::note, "", fmt::format("{} is extended here", ref), extending, at, {}});
    out.add(std::move(d));
  }
  throw DiagnosticError(std::move(out));
}

// ------------------------------------------------------------ 2. merge

/// Applies a child to everything its base inherited.
class Merger {
public:
  Merger(const std::vector<std::shared_ptr<const Source>>& sources, Diagnostics& diags)
      : sources_(sources), diags_(diags) {}

  /// `base` holds everything `base_ref` has (its own bases merged in);
  /// `base_ref` is empty for the root of the chain, which extends nothing.
  ast::Ruleset merge(ast::Ruleset base, ast::Ruleset child, const std::string& base_ref) {
    base_ref_ = base_ref;
    params_.clear();
    lets_.clear();
    groups_.clear();
    indicators_.clear();
    overridden_params_.clear();
    overridden_.clear();
    removed_.clear();

    ast::Ruleset out;
    out.span = child.span;
    out.name = std::move(child.name);
    out.version = std::move(child.version);
    // Header clauses the child gives replace the base's; `extends` is each file's own.
    std::set<ast::HeaderClause::Kind> own;
    for (const auto& h : child.header) own.insert(h.kind);
    out.header = std::move(child.header);
    out.removed = std::move(base.removed);
    for (auto& h : base.header)
      if (h.kind != ast::HeaderClause::Kind::extends && !own.count(h.kind)) out.header.push_back(std::move(h));

    decls_ = &out.declarations;
    removed_list_ = &out.removed;
    *decls_ = std::move(base.declarations);
    base_count_ = decls_->size();
    index_base();

    bool own_outcome = false;
    for (auto& d : child.declarations) {
      if (auto* p = std::get_if<ast::Param>(&d)) {
        p->is_override ? override_param(std::move(*p)) : add_param(std::move(*p));
      } else if (auto* l = std::get_if<ast::Let>(&d)) {
        add_let(std::move(*l));
      } else if (auto* g = std::get_if<ast::Group>(&d)) {
        add_group(std::move(*g));
      } else if (auto* ind = std::get_if<ast::Indicator>(&d)) {
        ind->is_override ? override_indicator(std::move(*ind)) : add_indicator(std::move(*ind));
      } else if (auto* r = std::get_if<ast::Removal>(&d)) {
        remove_indicator(*r);
      } else if (auto* x = std::get_if<ast::GroupExtension>(&d)) {
        extend_group(std::move(*x));
      } else if (auto* o = std::get_if<ast::Outcome>(&d)) {
        own_outcome = true;  // the child's outcome replaces the base's
        decls_->push_back(std::move(*o));
      }
    }

    // Drop what the child removed, and the base's outcome when the child has its own.
    std::vector<ast::Declaration> kept;
    kept.reserve(decls_->size());
    for (std::size_t i = 0; i < decls_->size(); ++i) {
      auto& d = (*decls_)[i];
      if (i < base_count_) {
        if (own_outcome && std::holds_alternative<ast::Outcome>(d)) continue;
        if (auto* ind = std::get_if<ast::Indicator>(&d); ind && removed_.count(ind->id.value)) continue;
        if (auto* g = std::get_if<ast::Group>(&d))
          std::erase_if(g->indicators, [&](const ast::Indicator& x) { return removed_.count(x.id.value) > 0; });
      }
      kept.push_back(std::move(d));
    }
    out.declarations = std::move(kept);
    decls_ = nullptr;
    removed_list_ = nullptr;
    return out;
  }

private:
  // Where a base indicator is: a top-level declaration, or one inside a group.
  struct Place {
    std::size_t decl = 0;
    std::optional<std::size_t> in_group;
  };

  const std::vector<std::shared_ptr<const Source>>& sources_;
  Diagnostics& diags_;
  std::string base_ref_;
  std::vector<ast::Declaration>* decls_ = nullptr;
  std::vector<ast::Removal>* removed_list_ = nullptr;
  std::size_t base_count_ = 0;
  std::map<std::string, std::size_t, std::less<>> params_, lets_, groups_;
  std::map<std::string, Place, std::less<>> indicators_;
  std::map<std::string, Span, std::less<>> overridden_params_, overridden_, removed_;

  // -------------------------------------------------------- helpers

  Diagnostic diagnostic(Severity severity, const char* code, Span at, std::string message) const {
    return Diagnostic{severity, code, std::move(message), sources_.at(at.file), at, {}};
  }

  void error(Span at, std::string message) { diags_.add(diagnostic(Severity::error, "check_error", at, std::move(message))); }

  // An error at the child's `at`, with a note at the base's definition.
  void redefined(Span at, std::string message, Span base_at, std::string note) {
    auto d = diagnostic(Severity::error, "check_error", at, std::move(message));
    d.notes.push_back(diagnostic(Severity::note, "", base_at, std::move(note)));
    diags_.add(std::move(d));
  }

  std::uint32_t line_of(Span s) const { return sources_.at(s.file)->line_of(s.begin); }

  // The end of "override param 'x', but …" when the base has no such thing.
  template <typename Map>
  std::string absent(const char* what, const std::string& name, const Map& known) const {
    if (base_ref_.empty())
      return "this ruleset extends no other (add extends \"NAME@VERSION\" to its header)";
    // An indicator a base of the chain removed: say so, not a typo of another.
    if (std::string_view(what) == "indicator" && removed_list_)
      for (const auto& r : *removed_list_)
        if (r.id.value == name)
          return fmt::format("{} has no {} '{}'; it is removed at {}:{}", base_ref_, what, name,
                             sources_.at(r.id.span.file)->name(), line_of(r.id.span));
    std::vector<std::string> names;
    for (const auto& [k, v] : known) names.push_back(k);
    auto hint = did_you_mean(name, names);
    return fmt::format("{} has no {} '{}'{}", base_ref_, what, name, hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint));
  }

  void index_base() {
    for (std::size_t i = 0; i < decls_->size(); ++i) {
      const auto& d = (*decls_)[i];
      if (const auto* p = std::get_if<ast::Param>(&d)) params_.emplace(p->name, i);
      else if (const auto* l = std::get_if<ast::Let>(&d)) lets_.emplace(l->name, i);
      else if (const auto* ind = std::get_if<ast::Indicator>(&d)) indicators_.emplace(ind->id.value, Place{i, std::nullopt});
      else if (const auto* g = std::get_if<ast::Group>(&d)) {
        groups_.emplace(g->id.value, i);
        for (std::size_t k = 0; k < g->indicators.size(); ++k) indicators_.emplace(g->indicators[k].id.value, Place{i, k});
      }
    }
  }

  ast::Indicator& base_indicator(const Place& at) {
    auto& d = (*decls_)[at.decl];
    if (at.in_group) return std::get<ast::Group>(d).indicators[*at.in_group];
    return std::get<ast::Indicator>(d);
  }

  // -------------------------------------------------------- params and lets

  void add_param(ast::Param p) {
    if (auto it = params_.find(p.name); it != params_.end()) {
      // Overridden above in this file: the base's value is already replaced.
      if (auto o = overridden_params_.find(p.name); o != overridden_params_.end()) {
        redefined(p.name_span,
                  fmt::format("param '{}' is already overridden at line {}; a name names one param", p.name,
                              line_of(o->second)),
                  o->second, fmt::format("the override of param '{}' is here", p.name));
        return;
      }
      const auto& was = std::get<ast::Param>((*decls_)[it->second]);
      redefined(p.name_span,
                fmt::format("param '{}' is already defined in {}; write 'override param {} = …' to change it", p.name,
                            base_ref_, p.name),
                was.name_span, fmt::format("the param '{}' of {} is defined here", p.name, base_ref_));
      return;
    }
    decls_->push_back(std::move(p));
  }

  void override_param(ast::Param p) {
    p.is_override = false;
    auto it = params_.find(p.name);
    if (it == params_.end()) {
      error(p.name_span, fmt::format("override param '{}', but {}", p.name, absent("param", p.name, params_)));
      if (base_ref_.empty()) decls_->push_back(std::move(p));  // still declared, so its uses resolve
      return;
    }
    if (auto [seen, fresh] = overridden_params_.emplace(p.name, p.name_span); !fresh) {
      error(p.name_span, fmt::format("param '{}' is already overridden at line {}", p.name, line_of(seen->second)));
      return;
    }
    auto& was = std::get<ast::Param>((*decls_)[it->second]);
    // A value of another kind (a string for a number) would only show as type
    // errors inside the base, far from the mistake: say so here.
    if (!was.values.empty() && !p.values.empty()) {
      // As the checker types params: a type that cannot merge with the
      // base's (an empty list merges with any list, null with anything).
      const Type before = type_of_value(was.values.front().value, was.name_span);
      const Type after = type_of_value(p.values.front().value, p.name_span);
      if (!dsl::merge(before, after)) {
        redefined(p.values.front().span,
                  fmt::format("override param '{}' gives {} where {} has {}; the base's rules read it as {}", p.name,
                              describe(after), base_ref_, describe(before), describe(before)),
                  was.name_span, fmt::format("the param '{}' of {} is defined here", p.name, base_ref_));
        return;
      }
    }
    if (!p.doc) p.doc = was.doc;  // the base's explanation still holds unless the child gives its own
    was = std::move(p);
  }

  void add_let(ast::Let l) {
    if (auto it = lets_.find(l.name); it != lets_.end()) {
      const auto& was = std::get<ast::Let>((*decls_)[it->second]);
      redefined(l.name_span,
                fmt::format("let '{}' is already defined in {}; a let cannot be overridden: override the params or "
                            "indicators that use it, or choose another name",
                            l.name, base_ref_),
                was.name_span, fmt::format("the let '{}' of {} is defined here", l.name, base_ref_));
      return;
    }
    decls_->push_back(std::move(l));
  }

  // -------------------------------------------------------- groups and indicators

  // False (and an error) when the base already has an indicator with this id.
  bool fresh_indicator(const ast::Indicator& ind) {
    auto it = indicators_.find(ind.id.value);
    if (it == indicators_.end()) return true;
    // Overridden above in this file: the base's indicator is already replaced.
    if (auto o = overridden_.find(ind.id.value); o != overridden_.end()) {
      redefined(ind.id.span,
                fmt::format("indicator '{}' is already overridden at line {}; an id names one indicator: give this "
                            "one an id of its own",
                            ind.id.value, line_of(o->second)),
                o->second, fmt::format("the override of indicator '{}' is here", ind.id.value));
      return false;
    }
    const auto& was = base_indicator(it->second);
    redefined(ind.id.span,
              fmt::format("indicator '{}' is already defined in {}; write 'override indicator \"{}\" …' to replace it",
                          ind.id.value, base_ref_, ind.id.value),
              was.id.span, fmt::format("the indicator '{}' of {} is defined here", ind.id.value, base_ref_));
    return false;
  }

  void add_group(ast::Group g) {
    std::erase_if(g.indicators, [&](const ast::Indicator& ind) { return !fresh_indicator(ind); });
    if (auto it = groups_.find(g.id.value); it != groups_.end()) {
      const auto& was = std::get<ast::Group>((*decls_)[it->second]);
      redefined(g.id.span,
                fmt::format("group '{}' is already defined in {}; write 'extend group \"{}\" {{ … }}' to add to it",
                            g.id.value, base_ref_, g.id.value),
                was.id.span, fmt::format("the group '{}' of {} is defined here", g.id.value, base_ref_));
      return;
    }
    decls_->push_back(std::move(g));
  }

  void extend_group(ast::GroupExtension x) {
    auto it = groups_.find(x.id.value);
    if (it == groups_.end()) {
      std::string tail = absent("group", x.id.value, groups_);
      if (!base_ref_.empty() && tail.find("did you mean") == std::string::npos) {
        std::vector<std::string> ids;
        for (const auto& [id, at] : groups_) ids.push_back(id);
        tail += ids.empty() ? " (it has no groups)" : fmt::format(" (its groups: {})", join(ids, ", "));
      }
      error(x.id.span, fmt::format("extend group '{}', but {}", x.id.value, tail));
      return;
    }
    auto& g = std::get<ast::Group>((*decls_)[it->second]);
    for (auto& l : x.lets) g.lets.push_back(std::move(l));
    for (auto& ind : x.indicators)
      if (fresh_indicator(ind)) g.indicators.push_back(std::move(ind));
  }

  void add_indicator(ast::Indicator ind) {
    if (fresh_indicator(ind)) decls_->push_back(std::move(ind));
  }

  void override_indicator(ast::Indicator ind) {
    ind.is_override = false;
    const std::string& id = ind.id.value;
    auto it = indicators_.find(id);
    if (it == indicators_.end()) {
      error(ind.id.span, fmt::format("override indicator '{}', but {}", id, absent("indicator", id, indicators_)));
      if (base_ref_.empty()) decls_->push_back(std::move(ind));
      return;
    }
    if (auto r = removed_.find(id); r != removed_.end()) {
      error(ind.id.span, fmt::format("indicator '{}' is removed at line {}; it cannot also be overridden", id,
                                     line_of(r->second)));
      return;
    }
    if (auto [seen, fresh] = overridden_.emplace(id, ind.id.span); !fresh) {
      error(ind.id.span, fmt::format("indicator '{}' is already overridden at line {}", id, line_of(seen->second)));
      return;
    }
    // In place: the same group, the same position in the report.
    base_indicator(it->second) = std::move(ind);
  }

  void remove_indicator(const ast::Removal& r) {
    const std::string& id = r.id.value;
    if (!indicators_.count(id)) {
      error(r.id.span, fmt::format("remove indicator '{}', but {}", id, absent("indicator", id, indicators_)));
      return;
    }
    if (auto o = overridden_.find(id); o != overridden_.end()) {
      error(r.id.span, fmt::format("indicator '{}' is overridden at line {}; it cannot also be removed", id,
                                   line_of(o->second)));
      return;
    }
    if (auto [seen, fresh] = removed_.emplace(id, r.id.span); !fresh)
      error(r.id.span, fmt::format("indicator '{}' is already removed at line {}", id, line_of(seen->second)));
    else
      removed_list_->push_back(r);
  }
};

}  // namespace

InheritedRuleset inherit(ast::Ruleset tree, std::shared_ptr<const Source> source, const RulesetResolver& resolver,
                         Diagnostics& diagnostics, const RuleLimits& limits) {
  InheritedRuleset out;
  out.sources.push_back(std::move(source));
  std::vector<ast::Ruleset> trees;
  trees.push_back(std::move(tree));
  std::vector<std::string> refs{ref_of(trees[0])};
  if (const auto* own = extends_clause(trees[0])) {
    out.extends_at = own->span;
    out.extends_ref = own->text.value;
  }

  // 1. chain
  while (const ast::HeaderClause* clause = extends_clause(trees.back())) {
    const std::size_t i = trees.size() - 1;
    const std::string ref = clause->text.value;
    const Span at = clause->span;
    auto fail = [&](std::string message) {
      diagnostics.error("check_error", out.sources[i], at, std::move(message));
      out.complete = false;
    };
    if (!is_pinned_ref(ref)) {
      fail(fmt::format("extends needs \"NAME@VERSION\" (a base is always one fixed version), not \"{}\"", ref));
      break;
    }
    if (auto k = std::find(refs.begin(), refs.end(), ref); k != refs.end()) {
      std::vector<std::string> cycle(k, refs.end());
      cycle.push_back(ref);
      fail(fmt::format("inheritance cycle: {}", join(cycle, " → ")));
      break;
    }
    if (trees.size() >= max_inheritance_depth) {
      fail(fmt::format("the chain of extends is longer than {} rulesets", max_inheritance_depth));
      break;
    }
    std::shared_ptr<const Source> base;
    try {
      if (resolver.find) base = resolver.find(ref, *out.sources[i]);
    } catch (const AmbiguousRuleset& e) {
      fail(e.what());
      break;
    }
    if (!base) {
      std::vector<std::string> known;
      if (resolver.known) known = resolver.known(*out.sources[i]);
      auto hint = did_you_mean(ref, known);
      fail(fmt::format("no ruleset '{}' in the catalogue{} (known: {})", ref,
                       hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint),
                       known.empty() ? "none" : join(known, ", ")));
      break;
    }
    if (auto bad = find_invalid_utf8(base->text()); bad != std::string_view::npos) {
      Diagnostics d;
      d.add(Diagnostic{Severity::error, "parse_error", "invalid UTF-8: a ruleset must be UTF-8 text", base,
                       {static_cast<std::uint32_t>(bad), static_cast<std::uint32_t>(bad) + 1}, {}});
      rethrow_in_base(d, out.sources[i], at, ref);
    }
    ast::Ruleset parsed;
    try {
      parsed = parse_ruleset(base, limits);
    } catch (const DiagnosticError& e) {
      rethrow_in_base(e.diagnostics(), out.sources[i], at, ref);
    }
    if (ref_of(parsed) != ref) {
      fail(fmt::format("'{}' was found in {}, but that file is ruleset '{}'", ref, base->name(), ref_of(parsed)));
      break;
    }
    mark(parsed, static_cast<std::uint16_t>(trees.size()));
    out.sources.push_back(std::move(base));
    refs.push_back(ref);
    trees.push_back(std::move(parsed));
  }
  if (!out.complete) {
    out.tree = std::move(trees.front());
    return out;
  }

  // 2. merge, from the root of the chain down to the ruleset itself
  Merger merger(out.sources, diagnostics);
  ast::Ruleset merged = merger.merge(ast::Ruleset{}, std::move(trees.back()), "");
  for (std::size_t i = trees.size() - 1; i-- > 0;) merged = merger.merge(std::move(merged), std::move(trees[i]), refs[i + 1]);
  out.tree = std::move(merged);
  return out;
}

void note_extends(Diagnostics& diagnostics, const InheritedRuleset& ruleset) {
  if (!ruleset.extends_at || ruleset.sources.empty()) return;
  const auto& own = ruleset.sources.front();
  Diagnostics out;
  for (auto d : diagnostics.items()) {
    bool in_base = d.source && d.source != own &&
                   std::find(ruleset.sources.begin(), ruleset.sources.end(), d.source) != ruleset.sources.end();
    if (in_base)
      d.notes.push_back(Diagnostic{Severity::note, "", fmt::format("{} is extended here", ruleset.extends_ref), own,
                                   *ruleset.extends_at, {}});
    out.add(std::move(d));
  }
  diagnostics = std::move(out);
}

}  // namespace verdict::dsl
