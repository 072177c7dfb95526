// The lowered program that the evaluator runs. `dsl/` produces it from rule
// text; nothing here knows the syntax, and nothing here knows any catalogue.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/source.hpp"
#include "engine/texts.hpp"
#include "engine/value.hpp"

namespace verdict::engine {

/// What an expression node does.
enum class Op : std::uint8_t {
  constant,     // `value`
  param,        // `index` into Program::params (dated choice made by the evaluator)
  let,          // `index` into Program::lets (evaluated once per evidence, memoised)
  as_of,        // the reference date
  evidence,     // top-level evidence field `name` (e.g. participants)
  element,      // the element of the enclosing collection operation at depth `index` (0 = outermost)
  field,        // args[0].`name`
  index,        // args[0][args[1]] (string key of a record, or integer position of a list)
  list,         // [args...]
  negate,       // -args[0]
  not_,         // Kleene not
  and_,         // Kleene and (args[0], args[1])
  or_,          // Kleene or
  eq, ne, lt, le, gt, ge,
  in,           // args[0] in args[1]
  add, sub, mul, div,
  if_,          // if args[0] then args[1] else args[2]
  where,        // args[0] filtered by args[1]; args[1] is evaluated with the element pushed
  call,         // builtin `fn` over args (see Builtin for which args see the element)
  minimum_met,  // outcome scope: all minimum indicators pass
  score_share,  // outcome scope: points over maximum points
  verdict_of,   // outcome scope: verdict of indicator `name` as a string
};

/// eq … ge (they are declared in a row).
inline bool is_comparison(Op op) { return op >= Op::eq && op <= Op::ge; }
/// A comparison, `in`, or arithmetic: an operator of two operands (eq … div).
inline bool is_binary(Op op) { return op >= Op::eq && op <= Op::div; }

/// The symbol of a comparison, `in` or arithmetic operator, for messages ("?" otherwise).
const char* op_symbol(Op op);

/// Builtin functions. For those taking a collection and an expression
/// (share_where, any, all, sum, min, max, distinct), args[1] is evaluated once
/// per element with the element pushed.
enum class Builtin : std::uint8_t {
  count,        // count(c)
  share,        // share(part, whole): count(part) / count(whole)
  share_where,  // share(c, PRED)
  any, all, sum, min, max, distinct,
  known,        // known(x): false only for unknown
  between,      // between(x, lo, hi), both ends included
  latest, earliest,  // of dates, skipping nulls; any number of args
};

struct CondNode;  // engine/compiled.hpp
struct LetPlan;   // engine/compiled.hpp

/// One expression node. `span` points into one of Program::sources (see
/// Program::source_of).
struct Expr {
  Op op = Op::constant;
  Builtin fn = Builtin::count;
  Span span;
  Value value;           // Op::constant
  std::string name;      // Op::evidence, Op::field, Op::verdict_of; the let/param name for let/param
  std::uint32_t index = 0;  // Op::param, Op::let, Op::element
  std::vector<Expr> args;
  /// Caches the evaluator reads and writes through std::atomic_ref (a
  /// program is shared by the threads of a batch); both are only hints.
  /// Op::field and Op::evidence: where in its record the key was last found.
  mutable std::uint32_t field_hint = 0;
  /// Op::field and Op::evidence: key_id(name), set with `cond` (0: not set).
  std::uint32_t key_id = 0;
  /// Op::where: whether it has the shape a hash index answers (0 = not yet
  /// decided, 1 = no, 2 = yes); decided by the shape alone, once.
  mutable std::uint8_t index_shape = 0;
  /// Op::where: a number of its own, naming the hash index the evaluator
  /// may build for it (set with `cond`; 0: not set).
  std::uint32_t where_id = 0;
  /// This condition compiled for the evaluator's fast path, when it can be
  /// (engine/compiled.hpp); set once, when the program is lowered.
  std::shared_ptr<const CondNode> cond;
};

/// A message with `{EXPR}` and `{EXPR:%}` holes.
struct Message {
  struct Part {
    std::string text;             // literal text, when expr is empty
    std::optional<Expr> expr;     // a hole
    bool percent = false;         // `{…:%}`
  };
  std::vector<Part> parts;
};

/// A `param`: one value, or dated values (the latest `from` not after as_of wins).
struct Param {
  std::string name;
  std::string doc;
  Span span;
  struct Dated {
    std::optional<Date> from;  // nullopt for the first value
    Value value;
    bool percent = false;  // written as a percentage (`90%`), and shown so
  };
  std::vector<Dated> values;  // values[0].from is nullopt; the rest ascending by from
};

/// A `let`, wherever it was written; `scope` says where (for reports).
struct Let {
  std::string name;
  Span span;
  Expr expr;
  std::string indicator;  // the indicator id when declared inside one, else ""
  /// The let compiled for the evaluator's fast path, when it can be
  /// (engine/compiled.hpp); set once, when the program is lowered.
  std::shared_ptr<const LetPlan> plan;
};

/// A `require`.
struct Check {
  Expr expr;
  std::string source;      // the condition's text as written
  std::uint32_t line = 0;  // in the file of expr.span (Program::source_of)
  std::optional<Message> message;
};

/// An indicator.
struct Indicator {
  std::string id;
  std::string title;
  std::string group;  // group id
  bool minimum = false;
  Span span;
  Texts cites;
  Texts notes;
  std::vector<Check> checks;
  std::vector<std::uint32_t> lets;  // Program::lets declared in this indicator (reported as values)
  std::optional<Expr> score;        // `score EXPR of N`
  std::optional<Number> score_of;
  struct Level {
    std::string name;
    Expr when;
  };
  std::vector<Level> levels;
};

struct Group {
  std::string id;
  std::string title;
  std::vector<std::uint32_t> lets;  // Program::lets declared in this group
};

struct OutcomeLabel {
  std::string label;
  Expr when;
};

/// A whole lowered ruleset. With `extends`, it holds declarations of several
/// files: every Span says which of `sources` it points into.
struct Program {
  std::string name;
  std::string version;
  std::string title;
  std::string source_title;  // the `source` header clause
  std::string schema;        // the `schema` header clause, as written
  Span schema_span;          // where that clause is (in sources[0], or in a base's file when inherited)
  std::optional<Expr> as_of;
  std::string extends;       // "NAME@VERSION" or ""
  std::shared_ptr<const verdict::Source> text;  // the ruleset file (sources[0])
  /// The ruleset file, then the ruleset it extends, then that one's base…
  std::vector<std::shared_ptr<const verdict::Source>> sources;
  std::vector<Param> params;
  std::vector<Let> lets;
  std::vector<Group> groups;
  std::vector<Indicator> indicators;  // in declaration order
  std::vector<OutcomeLabel> outcome;
  /// Indicators of a base that a `remove indicator` of the chain dropped
  /// (and no later ruleset added again): where each was removed.
  struct RemovedIndicator {
    std::string id;
    Span span;
  };
  std::vector<RemovedIndicator> removed_indicators;
  /// "; it is removed at FILE:LINE" when `id` is a removed indicator, else
  /// "": for a message about an indicator id the program does not have.
  std::string removed_note(std::string_view id) const {
    for (const auto& r : removed_indicators)
      if (r.id == id) {
        const auto& src = source_of(r.span);
        return src ? "; it is removed at " + src->name() + ":" + std::to_string(src->line_of(r.span.begin))
                   : std::string("; it is removed");
      }
    return {};
  }
  std::uint32_t max_element_depth = 0;  // deepest nesting of collection operations
  /// Every element name written (`participants as p`), for the checker,
  /// which refuses one that hides a top-level evidence field.
  struct ElementName {
    std::string name;
    Span span;
  };
  std::vector<ElementName> element_names;

  /// The source a span points into (`text` when `sources` is empty); null
  /// for a file index the program does not have.
  const std::shared_ptr<const verdict::Source>& source_of(Span span) const {
    static const std::shared_ptr<const verdict::Source> none;
    if (span.file < sources.size()) return sources[span.file];
    return span.file == 0 ? text : none;
  }
};

}  // namespace verdict::engine
