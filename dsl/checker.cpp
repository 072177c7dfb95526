// The checker runs in named stages over a lowered program:
//   1. params     the type of each param; a dated param's values share one type
//   2. as_of      the reference date is a date
//   3. lets       the type of each let, in dependency order (memoised)
//   4. indicators require, score, level conditions and message holes
//   5. outcome    label conditions
// Every expression is typed bottom-up; evidence fields by walking the schema
// (lists step into `items`, maps into `additionalProperties`), and `.` by the
// element type of the collection operation around it.
#include "dsl/checker.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "dsl/types.hpp"
#include "engine/evaluator.hpp"
#include "engine/text.hpp"

namespace verdict::dsl {
namespace {

using engine::Builtin;
using engine::Expr;
using engine::Op;
using K = Type::Kind;

// Expressions quoted in messages are cut to this many characters.
constexpr std::size_t kQuoteLimit = 40;

bool orderable(const Type& t) {
  return t.is(K::number) || t.is(K::date) || t.is(K::string) || t.is_open();
}

std::string child_path(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

// The candidate `word` most likely stands for: a typo (did_you_mean), or a
// shortened word ("biz", "univ") that begins like exactly one candidate.
std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
  if (auto close = did_you_mean(word, candidates); !close.empty()) return close;
  if (word.size() < 3) return {};
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::string best;
  std::size_t best_length = 0;
  bool tie = false;
  for (const auto& c : candidates) {
    std::size_t n = 0;
    while (n < word.size() && n < c.size() && lower(word[n]) == lower(c[n])) ++n;
    if (n > best_length) {
      best = c;
      best_length = n;
      tie = false;
    } else if (n == best_length) {
      tie = true;
    }
  }
  // Three letters or fewer is an abbreviation ("biz"): its first letter must
  // single out the candidate. A longer word must begin like it for three.
  const std::size_t needed = word.size() <= 3 ? 1 : 3;
  return !tie && best_length >= needed ? best : std::string();
}

// A value as a message shows it: strings in quotes.
std::string shown(const engine::Value& v) {
  return v.kind() == engine::Value::Kind::string ? "\"" + v.as_string() + "\"" : engine::to_display(v);
}

std::vector<std::string> property_names(const engine::SchemaNode& node) {
  std::vector<std::string> names;
  for (const auto& [name, child] : node.properties) names.push_back(name);
  return names;
}

class Checker {
public:
  Checker(const engine::Program& program, const engine::Schema& schema, Diagnostics& diags)
      : program_(program), schema_(schema), diags_(diags) {}

  void run() {
    check_names();
    check_params();
    compute_scopes();
    check_as_of();
    type_lets();
    check_let_nesting();
    check_indicators();
    check_outcome();
  }

private:
  const engine::Program& program_;
  const engine::Schema& schema_;
  Diagnostics& diags_;

  std::vector<Type> param_types_;
  std::vector<std::optional<Type>> let_types_;
  std::vector<bool> let_busy_;
  // The lets visible at one place: top level, the group's, the indicator's.
  struct Scope {
    const std::vector<std::uint32_t>* parts[3] = {nullptr, nullptr, nullptr};
  };
  std::vector<std::uint32_t> top_lets_;
  std::vector<Scope> indicator_scopes_;  // per indicator
  std::vector<Scope> let_scopes_;        // per let: where it is declared
  Scope scope_;                          // where we are (for "did you mean")
  std::vector<Type> elements_;           // element types of the enclosing collection operations
  std::set<std::tuple<std::uint16_t, std::uint32_t, std::uint32_t, std::string>> reported_;

  // -------------------------------------------------------- helpers

  void error(Span span, std::string message) {
    // A let is typed once, but the same literal can be read at one place twice
    // (a param in a list); say each thing once.
    if (!reported_.emplace(span.file, span.begin, span.end, message).second) return;
    diags_.error("check_error", program_.source_of(span), span, std::move(message));
  }
  // Texts of expressions known not to be null where they are read (the
  // guarded branch of `if X == null …`).
  std::vector<std::string> not_null_;
  bool narrowed(const Expr& e) const {
    if (not_null_.empty()) return false;
    const auto t = text_of(e.span);
    return !t.empty() && std::find(not_null_.begin(), not_null_.end(), t) != not_null_.end();
  }
  void warning(Span span, std::string code, std::string message) {
    if (!reported_.emplace(span.file, span.begin, span.end, message).second) return;
    diags_.warning(std::move(code), program_.source_of(span), span, std::move(message));
  }
  // A schema that allows keys it does not declare ("additionalProperties"
  // not false) cannot refuse a misspelt field; a name close to a declared
  // one is most likely one, and is said so (as a warning: it may be meant).
  // At the top level the name may be a misspelt param or let as well.
  // Only for the ruleset's own file: a base's are its author's business.
  void undeclared_field(const engine::SchemaNode& node, const std::string& name, Span at, const std::string& who,
                        bool plural, const std::vector<std::string>& names_in_scope = {}) {
    if (at.file != 0) return;
    auto fields = property_names(node);
    auto hint = suggest(name, fields);
    std::string what = "field";
    if (hint.empty() && !names_in_scope.empty()) {
      hint = suggest(name, names_in_scope);
      what = "name";
    }
    if (hint.empty()) return;
    warning(at, "undeclared_field",
            fmt::format("{} {} no field '{}' in the schema; did you mean the {} '{}'? (the schema allows fields it does "
                        "not declare, so '{}' is read as whatever the evidence holds, unknown where it is absent)",
                        who, plural ? "have" : "has", name, what, hint, name));
  }

  std::string text_of(Span s) const {
    const auto& source = program_.source_of(s);
    if (!source) return {};
    const auto& t = source->text();
    if (s.begin >= t.size() || s.end <= s.begin) return {};
    return t.substr(s.begin, std::min<std::size_t>(s.end, t.size()) - s.begin);
  }

  // The expression as written, on one line and cut short, in quotes.
  std::string quote(const Expr& e) const {
    std::string out;
    bool space = false;
    for (char c : text_of(e.span)) {
      bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      if (ws) {
        space = !out.empty();
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
    if (out.size() > kQuoteLimit) {
      std::size_t cut = kQuoteLimit - 1;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
      out.resize(cut);
      out += "…";
    }
    return "'" + out + "'";
  }

  // Short enough to repeat inside a suggestion.
  bool short_text(const Expr& e) const {
    auto t = text_of(e.span);
    return t.size() <= kQuoteLimit && t.find('\n') == std::string::npos;
  }

  // The span of `name` at the end of a field access, so the caret sits under the field.
  Span field_name_span(const Expr& e) const {
    auto t = text_of(e.span);
    if (!e.name.empty() && t.size() >= e.name.size() && t.ends_with(e.name))
      return {e.span.end - static_cast<std::uint32_t>(e.name.size()), e.span.end, e.span.file};
    return e.span;
  }

  // -------------------------------------------------------- 0. names

  // A param or let may not take the name of a top-level evidence field: the
  // field could no longer be read, and a reader could not tell which is meant.
  // A let read through a chain of lets nests their expressions inside each
  // other when evaluated. A chain that could come near the evaluator's depth
  // limit (a generated ruleset of thousands of lets each reading the last)
  // is refused here, so that a ruleset that checks also evaluates. The bound
  // counts every node on the deepest path, each let read as its own depth:
  // never less than what evaluation nests; refused past half the limit.
  void check_let_nesting() {
    constexpr std::size_t kLimit = engine::kMaxEvalDepth / 2;
    const std::size_t n = program_.lets.size();
    // Per let: the depth of its expression without its lets, and each let it
    // reads with the nodes from its root down to that read (bounded by the
    // rule depth limit, so this recursion is shallow).
    struct Read {
      std::uint32_t let;
      std::size_t at;
    };
    std::vector<std::size_t> own(n, 0);
    std::vector<std::vector<Read>> reads(n);
    std::function<std::size_t(const engine::Expr&, std::size_t, std::vector<Read>&)> walk =
        [&](const engine::Expr& e, std::size_t at, std::vector<Read>& out) -> std::size_t {
      std::size_t deepest = at;
      if (e.op == Op::let && e.index < n) out.push_back({e.index, at});
      for (const auto& a : e.args) deepest = std::max(deepest, walk(a, at + 1, out));
      return deepest;
    };
    for (std::size_t i = 0; i < n; ++i) own[i] = walk(program_.lets[i].expr, 1, reads[i]);
    // The depth of each let, its reads first, without recursion (a generated
    // chain may be thousands of lets long). A cycle, reported elsewhere, is cut.
    std::vector<std::size_t> depth(n, 0);
    std::vector<std::uint8_t> state(n, 0);  // 0 new, 1 open, 2 done
    for (std::uint32_t root = 0; root < n; ++root) {
      if (state[root]) continue;
      std::vector<std::pair<std::uint32_t, std::size_t>> stack{{root, 0}};  // let, next read to visit
      state[root] = 1;
      while (!stack.empty()) {
        auto& [i, next] = stack.back();
        if (next < reads[i].size()) {
          const std::uint32_t r = reads[i][next++].let;
          if (state[r] == 0) {
            state[r] = 1;
            stack.push_back({r, 0});
          }
          continue;
        }
        std::size_t d = own[i];
        for (const Read& r : reads[i]) d = std::max(d, r.at + depth[r.let]);  // an open one (a cycle) counts 0
        depth[i] = d;
        state[i] = 2;
        stack.pop_back();
      }
    }
    // One error, at the let where the chain first goes past the limit (the
    // lets that read it are deeper still).
    std::optional<std::uint32_t> first;
    for (std::uint32_t i = 0; i < n; ++i)
      if (depth[i] > kLimit && (!first || depth[i] < depth[*first])) first = i;
    if (first)
      error(program_.lets[*first].span,
            fmt::format("let '{}' nests {} levels deep through the lets it reads, and evaluation allows at most {}; "
                        "shorten the chain of lets that read lets",
                        program_.lets[*first].name, depth[*first], kLimit));
  }

  void check_names() {
    const auto& root = schema_.root();
    auto clash = [&](const char* kind, const std::string& name, Span at) {
      if (root.property(name))
        error(at, fmt::format("{} '{}' shadows the evidence field '{}' of schema {}; choose another name", kind, name, name,
                              schema_.id()));
    };
    for (const auto& p : program_.params) clash("param", p.name, p.span);
    for (const auto& l : program_.lets) clash("let", l.name, l.span);
    for (const auto& b : program_.element_names) clash("element name", b.name, b.span);
  }

  // -------------------------------------------------------- 1. params

  void check_params() {
    for (const auto& p : program_.params) {
      std::optional<Type> type;
      for (std::size_t i = 0; i < p.values.size(); ++i) {
        // The items of a list must have one type too (`in` could not
        // compare a string with 3 in every evaluation).
        if (const auto& v = p.values[i].value; v.kind() == engine::Value::Kind::list) {
          std::optional<Type> item;
          for (const auto& x : v.as_list().items) {
            Type t = type_of_value(x, p.span);
            if (!item) item = t;
            else if (!merge_into(*item, t)) {
              error(p.span, fmt::format("the items of param '{}' must have one type, but {} is {} and {} is {}", p.name,
                                        shown(v.as_list().items.front()), describe(type_of_value(v.as_list().items.front(), p.span)),
                                        shown(x), describe(t)));
              break;
            }
          }
        }
        Type t = type_of_value(p.values[i].value, p.span);
        if (!type) {
          type = t;
          continue;
        }
        if (auto merged = merge(*type, t)) {
          type = *merged;
          continue;
        }
        const auto& first = p.values[0].value;
        const auto& v = p.values[i];
        error(p.span, fmt::format("the values of param '{}' must have one type, but {} is {} and {} (from {}) is {}",
                                  p.name, shown(first), describe(type_of_value(first, p.span)), shown(v.value),
                                  v.from ? engine::to_string(*v.from) : "", describe(t)));
        type = Type::of(K::any);
        break;
      }
      param_types_.push_back(type.value_or(Type::of(K::any)));
    }
  }

  // -------------------------------------------------------- scopes

  // Which lets each place can see; used only to suggest names.
  void compute_scopes() {
    const auto n = program_.lets.size();
    std::vector<int> group_of(n, -1), indicator_of(n, -1);
    for (std::size_t g = 0; g < program_.groups.size(); ++g)
      for (auto l : program_.groups[g].lets)
        if (l < n) group_of[l] = static_cast<int>(g);
    for (std::size_t i = 0; i < program_.indicators.size(); ++i)
      for (auto l : program_.indicators[i].lets)
        if (l < n) indicator_of[l] = static_cast<int>(i);
    for (std::uint32_t l = 0; l < n; ++l)
      if (group_of[l] < 0 && indicator_of[l] < 0) top_lets_.push_back(l);

    std::map<std::string_view, const std::vector<std::uint32_t>*> group_lets;
    for (const auto& g : program_.groups) group_lets.emplace(g.id, &g.lets);  // the first of a duplicated id
    for (const auto& ind : program_.indicators) {
      auto g = group_lets.find(ind.group);
      indicator_scopes_.push_back({&top_lets_, g != group_lets.end() ? g->second : nullptr, &ind.lets});
    }
    let_scopes_.resize(n, Scope{&top_lets_, nullptr, nullptr});
    for (std::uint32_t l = 0; l < n; ++l) {
      if (indicator_of[l] >= 0)
        let_scopes_[l] = indicator_scopes_[static_cast<std::size_t>(indicator_of[l])];
      else if (group_of[l] >= 0)
        let_scopes_[l] = Scope{&top_lets_, &program_.groups[static_cast<std::size_t>(group_of[l])].lets, nullptr};
    }
    let_types_.resize(n);
    let_busy_.resize(n, false);
    scope_ = Scope{&top_lets_, nullptr, nullptr};
  }

  // -------------------------------------------------------- 2. as_of

  void check_as_of() {
    if (!program_.as_of) return;
    scope_ = Scope{&top_lets_, nullptr, nullptr};
    Type t = infer(*program_.as_of);
    if (!t.is(K::date) && !t.is(K::any))
      error(program_.as_of->span, fmt::format("as_of must be a date, but {} is {}", quote(*program_.as_of), describe(t)));
    else if (t.nullable)
      error(program_.as_of->span, fmt::format("as_of must be a date, but {} may be null; give a date where it is null "
                                              "(e.g. if X == null then 2026-01-01 else X)",
                                              quote(*program_.as_of)));
  }

  // -------------------------------------------------------- 3. lets

  static void lets_read(const Expr& e, std::vector<std::uint32_t>& out) {
    if (e.op == Op::let) out.push_back(e.index);
    for (const auto& a : e.args) lets_read(a, out);
  }

  // Types every let after the lets it reads (an iterative depth-first search:
  // a chain of lets can be long), so that typing one never recurses far.
  void type_lets() {
    const auto n = static_cast<std::uint32_t>(program_.lets.size());
    std::vector<std::vector<std::uint32_t>> reads(n);
    for (std::uint32_t i = 0; i < n; ++i) lets_read(program_.lets[i].expr, reads[i]);
    enum class Mark : std::uint8_t { unvisited, active, done };
    std::vector<Mark> mark(n, Mark::unvisited);
    for (std::uint32_t start = 0; start < n; ++start) {
      if (mark[start] != Mark::unvisited) continue;
      std::vector<std::pair<std::uint32_t, std::size_t>> stack{{start, 0}};
      mark[start] = Mark::active;
      while (!stack.empty()) {
        auto& [let, next] = stack.back();
        if (next == reads[let].size()) {
          let_type(let);
          mark[let] = Mark::done;
          stack.pop_back();
          continue;
        }
        std::uint32_t read = reads[let][next++];
        if (read >= n) continue;
        if (mark[read] == Mark::unvisited) {
          mark[read] = Mark::active;
          stack.emplace_back(read, 0);
        } else if (mark[read] == Mark::active && !let_types_[read]) {
          let_types_[read] = Type::of(K::any);  // a cycle, which lowering refuses: not knowable
        }
      }
    }
  }

  Type let_type(std::uint32_t index) {
    if (index >= let_types_.size()) return Type::of(K::any);
    if (let_types_[index]) return *let_types_[index];
    if (let_busy_[index]) return Type::of(K::any);  // a cycle; lowering has reported it
    let_busy_[index] = true;
    // A let is typed where it is declared, with no element around it.
    std::vector<Type> outer_elements;
    outer_elements.swap(elements_);
    const Scope outer_scope = scope_;
    scope_ = let_scopes_[index];
    Type t = infer(program_.lets[index].expr);
    scope_ = outer_scope;
    elements_.swap(outer_elements);
    let_busy_[index] = false;
    let_types_[index] = t;
    return t;
  }

  // -------------------------------------------------------- 4. indicators

  void check_indicators() {
    for (std::size_t i = 0; i < program_.indicators.size(); ++i) {
      const auto& ind = program_.indicators[i];
      scope_ = indicator_scopes_[i];
      for (const auto& check : ind.checks) {
        need_boolean(check.expr, infer(check.expr), "require");
        if (check.message) holes(*check.message);
      }
      if (ind.score) {
        Type t = infer(*ind.score);
        if (!t.is(K::number) && !t.is(K::any)) {
          std::string hint = t.is(K::boolean) && short_text(*ind.score)
                                 ? fmt::format("; e.g. if {} then 1 else 0", text_of(ind.score->span))
                                 : "";
          error(ind.score->span, fmt::format("score needs a number, but {} is {}{}", quote(*ind.score), describe(t), hint));
        }
      }
      for (const auto& level : ind.levels)
        need_boolean(level.when, infer(level.when), fmt::format("level \"{}\" when", level.name));
    }
  }

  // Holes may be of any type; what they read must still exist.
  void holes(const engine::Message& m) {
    for (const auto& part : m.parts) {
      if (!part.expr) continue;
      const Type t = infer(*part.expr);
      // `{X:%}` shows a number as a percentage; anything else has none.
      if (part.percent && !t.is(K::number) && !t.is_open())
        error(part.expr->span, fmt::format("'{{…:%}}' shows a number as a percentage, but {} is {}", quote(*part.expr),
                                           describe(t)));
    }
  }

  // -------------------------------------------------------- 5. outcome

  void check_outcome() {
    scope_ = Scope{&top_lets_, nullptr, nullptr};
    for (const auto& label : program_.outcome) need_boolean(label.when, infer(label.when), "an outcome label's 'when'");
  }

  // -------------------------------------------------------- requirements on types

  void need_boolean(const Expr& e, const Type& t, const std::string& what) {
    if (t.is(K::boolean) && t.nullable && !narrowed(e)) {
      error(e.span, fmt::format("{} needs true or false, but {} may be null{}; a condition cannot be null "
                                "(give false, or another boolean, where it is null)",
                                what, quote(e), e.op == Op::if_ ? " (a branch of its 'if' is null)" : ""));
      return;
    }
    if (t.is(K::boolean) || t.is(K::any)) return;
    std::string hint;
    if (short_text(e)) {
      auto x = text_of(e.span);
      switch (t.kind) {
        case K::string:
          hint = t.allowed && !t.allowed->empty() ? fmt::format("; compare it, e.g. {} == \"{}\"", x, t.allowed->front())
                                                  : fmt::format("; compare it, e.g. {} == \"…\"", x);
          break;
        case K::number: hint = fmt::format("; compare it, e.g. {} > 0", x); break;
        case K::date: hint = fmt::format("; compare it with another date, e.g. {} <= as_of", x); break;
        case K::list: hint = fmt::format("; test its elements with any({}, …), or count({}) > 0", x, x); break;
        default: break;
      }
    }
    error(e.span, fmt::format("{} needs a boolean, but {} is {}{}", what, quote(e), describe(t), hint));
  }

  // The element type of a collection, after checking that it is one.
  Type element_of(const Expr& e, const Type& t, const std::string& what) {
    if (t.is(K::list) && t.nullable && !narrowed(e)) {
      error(e.span, fmt::format("{} needs a list, but {} may be null{}; give a list (an empty one, [], where it is null)",
                                what, quote(e), e.op == Op::if_ ? " (a branch of its 'if' may be)" : ""));
      return *t.element;
    }
    if (t.is(K::list)) return *t.element;
    if (t.is(K::any)) return t;
    std::string hint;
    if (t.is(K::record) && short_text(e)) hint = "; take one of its fields that is a list";
    error(e.span, fmt::format("{} needs a list, but {} is {}{}", what, quote(e), describe(t), hint));
    return Type::of(K::any);
  }

  // What to write instead when two types do not compare.
  static std::string mismatch_hint(const Type& a, const Type& b, Op op) {
    auto has = [&](K x, K y) { return (a.is(x) && b.is(y)) || (a.is(y) && b.is(x)); };
    const Type& str = a.is(K::string) ? a : b;
    auto one_known = [&]() -> const std::string* {
      return str.all_known && str.known.size() == 1 ? &str.known.front().value : nullptr;
    };
    if (has(K::date, K::string)) {
      if (auto v = one_known(); v && engine::parse_date(*v)) return fmt::format("; write the date without quotes: {}", *v);
      return "; a date is written without quotes, e.g. 2012-09-01";
    }
    if (has(K::number, K::string)) {
      if (auto v = one_known(); v && engine::Number::parse(*v, true)) return fmt::format("; write the number without quotes: {}", *v);
      return "";
    }
    if (has(K::boolean, K::string)) {
      if (auto v = one_known(); v && (*v == "true" || *v == "false")) return fmt::format("; write {} without quotes", *v);
      return "";
    }
    if (has(K::date, K::number)) return "; a date is written 2012-09-01, and date - date is a number of days";
    if (has(K::date, K::duration)) return "; a duration moves a date, e.g. as_of - 2 years";
    if ((op == Op::eq || op == Op::ne) && (a.is(K::list) != b.is(K::list))) return "; use 'in' to test whether a list holds a value";
    return "";
  }

  void mismatch(const Expr& e, const Type& a, const Type& b) {
    error(e.span, fmt::format("cannot compare {} ({}) with {} ({}){}", quote(e.args[0]), describe(a), quote(e.args[1]),
                              describe(b), mismatch_hint(a, b, e.op)));
  }

  // A string the schema enumerates, compared with strings known before
  // evaluation: each one must be among the allowed values.
  void check_allowed(const Type& subject, const Expr& subject_expr, const Type& other, bool holds) {
    if (!subject.is(K::string) || !subject.allowed || !other.is(K::string) || !other.all_known) return;
    const auto& allowed = *subject.allowed;
    for (const auto& k : other.known) {
      if (std::find(allowed.begin(), allowed.end(), k.value) != allowed.end()) continue;
      auto hint = suggest(k.value, allowed);
      const std::size_t before = diags_.items().size();
      error(k.span, fmt::format("{} {} \"{}\"{}: {} {}{}", quote(subject_expr), holds ? "never holds" : "is never", k.value,
                                k.via.empty() ? "" : fmt::format(" (from {})", k.via), subject.allowed_by,
                                join(allowed, ", "), hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)));
      // Read through a param written in another file (an override of a
      // base's param): a note at the param, where the value is written.
      if (diags_.items().size() > before && !k.via.empty())
        for (const auto& p : program_.params)
          if (p.name == k.via && p.span.file != k.span.file) {
            Diagnostic note;
            note.severity = Severity::note;
            note.source = program_.source_of(p.span);
            note.span = p.span;
            note.message = fmt::format("the value of param '{}' is written here", p.name);
            diags_.add_note_to_last(std::move(note));
          }
    }
  }

  // -------------------------------------------------------- fields

  // `name` of a value of type `base`; `child` names an additionalProperties
  // entry. A field of what may be null may be null too.
  Type field_of(const Type& base, const std::string& name, Span at, const Expr& base_expr, const std::string& child) {
    Type t = field_of_record(base, name, at, base_expr, child);
    if (base.nullable && !narrowed(base_expr)) t.nullable = true;
    return t;
  }

  Type field_of_record(const Type& base, const std::string& name, Span at, const Expr& base_expr, const std::string& child) {
    switch (base.kind) {
      case K::any:
      case K::null: return base;  // a field of none is none
      case K::record: {
        if (!base.node) return Type::of(K::any);
        if (const auto* p = base.node->property(name)) return type_of_schema(p, child_path(base.path, name));
        if (base.node->additional) return type_of_schema(base.node->additional, child);
        if (base.node->additional_allowed) {
          undeclared_field(*base.node, name, at, base.path.empty() ? "the evidence" : base.path, base.plural);
          return Type::of(K::any);
        }
        auto names = property_names(*base.node);
        auto hint = suggest(name, names);
        std::string who = base.path.empty() ? "the evidence" : base.path;
        const char* has = base.plural ? "have" : "has";
        if (!hint.empty())
          error(at, fmt::format("{} {} no field '{}'; did you mean '{}'?", who, has, name, hint));
        else if (names.empty())
          error(at, fmt::format("{} {} no fields", who, has));
        else
          error(at, fmt::format("{} {} no field '{}'; {} fields are {}", who, has, name, base.plural ? "their" : "its",
                                join(names, ", ")));
        return Type::of(K::any);
      }
      case K::list:
        error(at, fmt::format("{} is a list, not a record; read '.{}' of its elements in a collection operation, e.g. "
                              "any({}, .{} …)",
                              quote(base_expr), name, short_text(base_expr) ? text_of(base_expr.span) : "…", name));
        return Type::of(K::any);
      default:
        error(at, fmt::format("{} is {}, not a record; it has no field '{}'", quote(base_expr), describe(base), name));
        return Type::of(K::any);
    }
  }

  Type evidence_field(const Expr& e) {
    const auto& root = schema_.root();
    if (const auto* p = root.property(e.name)) return type_of_schema(p, e.name);
    if (root.additional) return type_of_schema(root.additional, e.name);
    if (root.additional_allowed) {
      std::vector<std::string> in_scope{"as_of"};
      for (const auto& p : program_.params) in_scope.push_back(p.name);
      for (const auto* part : scope_.parts)
        if (part)
          for (auto l : *part) in_scope.push_back(program_.lets[l].name);
      undeclared_field(root, e.name, e.span, "the evidence", false, in_scope);
      return Type::of(K::any);
    }
    // Not a param, not a let in scope, not a field: most likely a typo of one of them.
    std::vector<std::string> fields = property_names(root);
    std::vector<std::string> candidates = fields;
    for (const auto& p : program_.params) candidates.push_back(p.name);
    // Not a let being checked (`let d = d2`): reading it there is a cycle.
    for (const auto* part : scope_.parts)
      if (part)
        for (auto l : *part)
          if (l >= let_busy_.size() || !let_busy_[l]) candidates.push_back(program_.lets[l].name);
    // Built-in names too: a misspelt literal (`tru`) or outcome name (`score_shar`).
    for (const char* builtin : {"as_of", "true", "false", "null", "minimum_met", "score_share"}) candidates.push_back(builtin);
    auto hint = suggest(e.name, candidates);
    if (!hint.empty())
      error(e.span, fmt::format("unknown name '{}'; did you mean '{}'?", e.name, hint));
    else
      error(e.span, fmt::format("unknown name '{}': not a param, a let or an evidence field ({})", e.name,
                                join(fields, ", ")));
    return Type::of(K::any);
  }

  Type index(const Expr& e) {
    bool base_nullable = false;
    Type t = index_of(e, base_nullable);
    if (base_nullable && !narrowed(e.args[0])) t.nullable = true;  // an entry of what may be null may be null
    return t;
  }

  Type index_of(const Expr& e, bool& base_nullable) {
    const Expr& base_expr = e.args[0];
    const Expr& key_expr = e.args[1];
    Type base = infer(base_expr);
    base_nullable = base.nullable || base.is(K::null);
    Type key = infer(key_expr);
    switch (base.kind) {
      case K::any:
      case K::null: return base;
      case K::record:
        if (key_expr.op == Op::constant && key_expr.value.kind() == engine::Value::Kind::string) {
          const auto& k = key_expr.value.as_string();
          return field_of(base, k, key_expr.span, base_expr, fmt::format("{}[\"{}\"]", base.path, k));
        }
        if (key.is(K::string) || key.is_open()) {
          if (base.node && base.node->additional)
            return type_of_schema(base.node->additional, fmt::format("{}[…]", base.path));
          return Type::of(K::any);
        }
        error(key_expr.span, fmt::format("a record is indexed by a key (a string), but {} is {}", quote(key_expr), describe(key)));
        return Type::of(K::any);
      case K::list:
        if (!key.is(K::number) && !key.is_open())
          error(key_expr.span,
                fmt::format("a list is indexed by a position (a number), but {} is {}", quote(key_expr), describe(key)));
        if (base.element->is(K::record) && base.element->plural) {
          // One element, named as written: "participants[0] has no field 'knd'".
          Type one = *base.element;
          one.plural = false;
          one.path = fmt::format("{}[{}]", one.path, short_text(key_expr) ? text_of(key_expr.span) : "…");
          return one;
        }
        return *base.element;
      default:
        error(e.span, fmt::format("cannot index {}: it is {}, not a list or a record", quote(base_expr), describe(base)));
        return Type::of(K::any);
    }
  }

  // -------------------------------------------------------- operators

  Type list_literal(const Expr& e) {
    std::optional<Type> element;
    const Expr* first = nullptr;
    for (const auto& a : e.args) {
      Type t = infer(a);
      if (!element) {
        element = t;
        first = &a;
      } else if (!merge_into(*element, t)) {
        error(a.span, fmt::format("a list holds values of one type, but {} is {} and {} is {}", quote(*first),
                                  describe(*element), quote(a), describe(t)));
        element = Type::of(K::any);
      }
    }
    return Type::list_of(element.value_or(Type::of(K::any)));
  }

  Type equality(const Expr& e) {
    Type a = infer(e.args[0]);
    Type b = infer(e.args[1]);
    if (!comparable(a, b)) {
      mismatch(e, a, b);
    } else {
      check_allowed(a, e.args[0], b, false);
      check_allowed(b, e.args[1], a, false);
      if (a.is(K::list) && b.is(K::list)) {  // `instruments == ["swot", "sowt"]`: each string, as `in` checks it
        check_allowed(*a.element, e.args[0], *b.element, true);
        check_allowed(*b.element, e.args[1], *a.element, true);
      }
    }
    return Type::of(K::boolean);
  }

  Type ordering(const Expr& e) {
    Type a = infer(e.args[0]);
    Type b = infer(e.args[1]);
    for (auto [t, x] : {std::pair{&a, &e.args[0]}, std::pair{&b, &e.args[1]}}) {
      if (orderable(*t)) continue;
      std::string hint;
      if (t->is(K::boolean)) hint = "; compare booleans with == or !=";
      else if (t->is(K::list) && short_text(*x)) hint = fmt::format("; compare its size, e.g. count({})", text_of(x->span));
      else if (t->is(K::duration)) hint = "; compare dates moved by it instead, e.g. … <= as_of - 2 years";
      else if (t->is(K::record)) hint = "; compare one of its fields";
      error(x->span, fmt::format("'{}' orders numbers, dates and strings, but {} is {}{}", op_symbol(e.op), quote(*x),
                                 describe(*t), hint));
      return Type::of(K::boolean);
    }
    if (!comparable(a, b)) {
      mismatch(e, a, b);
    } else {  // `.reporting < "weekly"` compares with a value the field never holds, as == does
      check_allowed(a, e.args[0], b, false);
      check_allowed(b, e.args[1], a, false);
    }
    return Type::of(K::boolean);
  }

  Type membership(const Expr& e) {
    Type a = infer(e.args[0]);
    Type b = infer(e.args[1]);
    if (b.is(K::list)) {
      const Type& element = *b.element;
      if (!comparable(a, element)) {
        error(e.span, fmt::format("cannot look for {} ({}) in {} ({}){}", quote(e.args[0]), describe(a), quote(e.args[1]),
                                  describe(b), mismatch_hint(a, element, e.op)));
      } else {
        check_allowed(a, e.args[0], element, false);
        check_allowed(element, e.args[1], a, true);
      }
    } else if (!b.is_open()) {
      error(e.args[1].span, fmt::format("'in' needs a list on its right, but {} is {}; use == to compare two values",
                                        quote(e.args[1]), describe(b)));
    }
    return Type::of(K::boolean);
  }

  Type arithmetic(const Expr& e) {
    Type a = infer(e.args[0]);
    Type b = infer(e.args[1]);
    if (a.is(K::null) || b.is(K::null)) return Type::of(K::null);
    auto both = [&](K x, K y) { return a.is(x) && b.is(y); };
    switch (e.op) {
      case Op::add:
        if (both(K::number, K::number)) return a;
        if (both(K::date, K::duration) || both(K::duration, K::date)) return Type::of(K::date);
        if (both(K::duration, K::duration)) return a;
        break;
      case Op::sub:
        if (both(K::number, K::number)) return a;
        if (both(K::date, K::duration)) return a;
        if (both(K::date, K::date)) return Type::of(K::number);
        if (both(K::duration, K::duration)) return a;
        break;
      default:
        if (both(K::number, K::number)) return a;
        break;
    }
    // One side not knowable: the other may still rule the operator out.
    if (a.is(K::any) || b.is(K::any)) {
      const Type& known = a.is(K::any) ? b : a;
      bool fits = known.is(K::any) || known.is(K::number) ||
                  ((e.op == Op::add || e.op == Op::sub) && (known.is(K::date) || known.is(K::duration)));
      if (fits) return Type::of(K::any);
    }
    const char* does = e.op == Op::add   ? "adds numbers, durations, or a duration to a date"
                       : e.op == Op::sub ? "subtracts numbers, durations, a duration from a date, or a date from a date"
                       : e.op == Op::mul ? "multiplies numbers"
                                         : "divides numbers";
    error(e.span, fmt::format("cannot apply '{}' to {} ({}) and {} ({}); '{}' {}", op_symbol(e.op), quote(e.args[0]),
                              describe(a), quote(e.args[1]), describe(b), op_symbol(e.op), does));
    return Type::of(K::any);
  }

  Type conditional(const Expr& e) {
    need_boolean(e.args[0], infer(e.args[0]), "the condition of 'if'");
    // `if X == null then A else B` (or `X != null then B else A`): B is
    // taken only when X is not null, so in B, X and what is read through
    // it (X.field, X[…]) are not null on X's account.
    const Expr& c = e.args[0];
    const Expr* x = nullptr;
    if ((c.op == Op::eq || c.op == Op::ne) && c.args.size() == 2)
      x = c.args[1].op == Op::constant && c.args[1].value.is_null()   ? &c.args[0]
          : c.args[0].op == Op::constant && c.args[0].value.is_null() ? &c.args[1]
                                                                      : nullptr;
    const std::size_t kept = x ? (c.op == Op::eq ? 2 : 1) : 0;
    const std::string x_text = x ? text_of(x->span) : std::string();
    auto branch = [&](std::size_t k) {
      if (k != kept || x_text.empty()) return infer(e.args[k]);
      not_null_.push_back(x_text);
      Type t = infer(e.args[k]);
      not_null_.pop_back();
      if (text_of(e.args[k].span) == x_text) t.nullable = false;  // the branch is X itself
      return t;
    };
    Type then = branch(1);
    Type otherwise = branch(2);
    if (auto m = merge_branches(then, otherwise)) return *m;
    error(e.span, fmt::format("the branches of 'if' must have one type, but {} is {} and {} is {}", quote(e.args[1]),
                              describe(then), quote(e.args[2]), describe(otherwise)));
    return Type::of(K::any);
  }

  // `per` evaluated once per element of `collection` (of type `c`).
  Type per_element(const Expr& per, const Type& element) {
    elements_.push_back(element);
    Type t = infer(per);
    elements_.pop_back();
    return t;
  }

  Type where(const Expr& e) {
    Type c = infer(e.args[0]);
    Type element = element_of(e.args[0], c, "'where'");
    need_boolean(e.args[1], per_element(e.args[1], element), "the condition after 'where'");
    return c.is(K::list) ? c : Type::list_of(Type::of(K::any));
  }

  Type call(const Expr& e) {
    const std::string fn = e.name + "()";
    switch (e.fn) {
      case Builtin::count:
        element_of(e.args[0], infer(e.args[0]), fn);
        return Type::of(K::number);
      case Builtin::share:
        element_of(e.args[0], infer(e.args[0]), fn);
        element_of(e.args[1], infer(e.args[1]), fn);
        return Type::of(K::number);
      case Builtin::known:
        infer(e.args[0]);
        return Type::of(K::boolean);
      case Builtin::between: return between(e);
      case Builtin::latest:
      case Builtin::earliest:
        for (const auto& a : e.args) {
          Type t = infer(a);
          if (!t.is(K::date) && !t.is_open())
            error(a.span, fmt::format("{} takes dates, but {} is {}", fn, quote(a), describe(t)));
        }
        return Type::of(K::date);
      default: break;
    }
    // A collection and an expression evaluated once per element.
    Type element = element_of(e.args[0], infer(e.args[0]), fn);
    const Expr& per = e.args[1];
    Type t = per_element(per, element);
    switch (e.fn) {
      case Builtin::share_where:
      case Builtin::any:
      case Builtin::all:
        need_boolean(per, t, fmt::format("the condition of {}", fn));
        return Type::of(e.fn == Builtin::share_where ? K::number : K::boolean);
      case Builtin::sum:
        if (!t.is(K::number) && !t.is(K::any))
          error(per.span, fmt::format("sum() adds numbers, but {} is {}", quote(per), describe(t)));
        return Type::of(K::number);
      case Builtin::min:
      case Builtin::max:
        if (!t.is(K::number) && !t.is(K::date) && !t.is_open()) {
          error(per.span, fmt::format("{} compares numbers or dates, but {} is {}", fn, quote(per), describe(t)));
          return Type::of(K::any);
        }
        return t;
      case Builtin::distinct: return Type::list_of(t);
      default: return Type::of(K::any);
    }
  }

  Type between(const Expr& e) {
    std::vector<Type> types;
    bool ok = true;
    for (const auto& a : e.args) {
      types.push_back(infer(a));
      if (!orderable(types.back())) {
        error(a.span, fmt::format("between() compares numbers, dates or strings, but {} is {}", quote(a),
                                  describe(types.back())));
        ok = false;
      }
    }
    if (!ok) return Type::of(K::boolean);
    for (std::size_t i = 1; i < types.size(); ++i) {
      if (comparable(types[0], types[i])) continue;
      error(e.args[i].span, fmt::format("between() needs values of one type, but {} is {} and {} is {}{}", quote(e.args[0]),
                                        describe(types[0]), quote(e.args[i]), describe(types[i]),
                                        mismatch_hint(types[0], types[i], Op::le)));
    }
    // `between(.reporting, "monthly", "yearly")` orders against a value the
    // field never holds, as `<` does: each argument against the others.
    for (std::size_t i = 0; i < types.size(); ++i)
      for (std::size_t j = 0; j < types.size(); ++j)
        if (i != j && comparable(types[i], types[j])) check_allowed(types[i], e.args[i], types[j], false);
    return Type::of(K::boolean);
  }

  // -------------------------------------------------------- inference

  Type infer(const Expr& e) {
    switch (e.op) {
      case Op::constant:
        // A call lowering refused (an unknown function, a wrong number of
        // arguments) is unknown with its arguments kept: they are checked,
        // and it is of any type.
        if (!e.args.empty()) {
          for (const auto& a : e.args) infer(a);
          return Type::of(K::any);
        }
        return type_of_value(e.value, e.span);
      case Op::param:
        return e.index < param_types_.size() ? read_through(param_types_[e.index], e.span, e.name) : Type::of(K::any);
      case Op::let: return read_through(let_type(e.index), e.span, e.name);
      case Op::as_of: return Type::of(K::date);
      case Op::evidence: return evidence_field(e);
      case Op::element: return e.index < elements_.size() ? elements_[e.index] : Type::of(K::any);
      case Op::field: {
        Type base = infer(e.args[0]);
        return field_of(base, e.name, field_name_span(e), e.args[0], child_path(base.path, e.name));
      }
      case Op::index: return index(e);
      case Op::list: return list_literal(e);
      case Op::negate: {
        Type t = infer(e.args[0]);
        if (t.is(K::number) || t.is(K::duration) || t.is_open()) return t;
        error(e.span, fmt::format("cannot negate {}: it is {}, not a number", quote(e.args[0]), describe(t)));
        return Type::of(K::any);
      }
      case Op::not_: need_boolean(e.args[0], infer(e.args[0]), "'not'"); return Type::of(K::boolean);
      case Op::and_:
      case Op::or_: {
        const char* word = e.op == Op::and_ ? "'and'" : "'or'";
        need_boolean(e.args[0], infer(e.args[0]), word);
        need_boolean(e.args[1], infer(e.args[1]), word);
        return Type::of(K::boolean);
      }
      case Op::eq:
      case Op::ne: return equality(e);
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge: return ordering(e);
      case Op::in: return membership(e);
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::div: return arithmetic(e);
      case Op::if_: return conditional(e);
      case Op::where: return where(e);
      case Op::call: return call(e);
      case Op::minimum_met: return Type::of(K::boolean);
      case Op::score_share: return Type::of(K::number);
      case Op::verdict_of: {
        static const auto verdicts = std::make_shared<const std::vector<std::string>>(
            std::vector<std::string>{"pass", "fail", "unknown"});
        Type t = Type::of(K::string);
        t.allowed = verdicts;
        t.allowed_by = "a verdict is one of";
        return t;
      }
    }
    return Type::of(K::any);
  }
};

}  // namespace

void check_program(const engine::Program& program, const engine::Schema& schema, Diagnostics& diagnostics) {
  Checker(program, schema, diagnostics).run();
}

namespace {
std::string as_of_example(const engine::Schema& schema) {
  std::vector<std::string> dates;
  for (const auto& [key, node] : schema.root().properties) {
    if (!node) continue;
    if (node->format == "date") dates.push_back(key);
    for (const auto& [inner, child] : node->properties)
      if (child && child->format == "date") dates.push_back(key + "." + inner);
  }
  for (const auto& d : dates)
    if (d == "date" || d.ends_with(".date")) return d;
  return dates.empty() ? std::string() : dates.front();
}

void suggest(Diagnostic& d, const std::string& example) {
  constexpr std::string_view tail = "add one to the header";
  if (d.code == "no_as_of" && d.message.ends_with(tail))
    d.message += example.empty() ? " naming a date of the evidence" : ", e.g. as_of " + example;
}
}  // namespace

void suggest_as_of(std::vector<Diagnostic>& diagnostics, const engine::Schema& schema) {
  const std::string example = as_of_example(schema);
  for (auto& d : diagnostics) suggest(d, example);
}

void suggest_as_of(Diagnostics& diagnostics, const engine::Schema& schema) {
  std::vector<Diagnostic> items = diagnostics.items();
  suggest_as_of(items, schema);
  Diagnostics out;
  for (auto& d : items) out.add(std::move(d));
  diagnostics = std::move(out);
}

}  // namespace verdict::dsl
