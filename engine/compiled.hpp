// Conditions compiled for the evaluator's fast path.
//
// A condition built from fields of the current element or of the evidence,
// constants, params, lets and as_of, with not/and/or, comparisons, `in`,
// between(), any(), all(), count() and sum() over a join, is compiled once,
// when the ruleset is lowered, into a tree of CondNodes. The evaluator runs
// each node through a small function of its own (one per kind, chosen by a
// table), straight to true, false or unknown, without building values or
// entering the general evaluator for each node.
//
// The fast path only answers what it can answer exactly: an absent field,
// null, a value of an unexpected kind, a let not yet evaluated, the step
// budget running out, each makes it give up, and the evaluator evaluates
// the expression as usual. It has no side effects, so giving up costs only
// time: the verdicts, the absent-evidence paths and the errors are those of
// the general evaluator. Nodes hold no pointers into the program, so copies
// of a program can share them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/program.hpp"

namespace verdict::engine {

struct CondNode {
  enum class Kind : std::uint8_t {
    // Conditions: answer true, false or unknown.
    truth,          // kids[0], an operand, as a condition
    field_truth,    // keys[0] of the element at depth `index`, as a condition
    not_,           // kids[0]
    and_,           // kids[0], kids[1]
    or_,            // kids[0], kids[1]
    compare,        // kids[0] `op` kids[1]
    field_is,       // keys[0] of the element at depth `index` == or != the string `value` (`.kind == "business"`)
    in,             // kids[0] in kids[1]
    between,        // between(kids[0], kids[1], kids[2])
    any,            // any(kids[0], kids[1]): kids[1] per element of the list kids[0]
    all,            // all(kids[0], kids[1])
    known,          // known(kids[0])
    // Operands: answer a value.
    element_field,  // keys[0] of the element at depth `index` (the commonest operand)
    element_path,   // keys of the element at depth `index` (none: the element itself)
    root_path,      // keys from the evidence root
    constant,       // value
    param,          // index
    let,            // index
    as_of,          //
    count,          // count(kids[0])
    share,          // share(kids[0], kids[1]): count(kids[0]) / count(kids[1])
    sum_in,         // sum(kids[0] where kids[1] in kids[2], kids[3]), through a hash index of kids[0] by kids[2]
    outcome_value,  // the outcome's minimum_met (index 0) or score_share (index 1)
  };
  static constexpr int kConditions = static_cast<int>(Kind::element_field);
  static constexpr int kKinds = static_cast<int>(Kind::outcome_value) + 1;

  Kind kind = Kind::truth;
  Op op = Op::eq;            // compare
  std::uint32_t index = 0;   // param, let; the element depth of fields and paths; sum_in: the where_id of its `where`; outcome_value
  std::uint32_t steps = 0;   // the expression nodes this node stands for itself (not its kids)
  Span span;                 // let: where it is read (for an error in evaluating it)
  Value value;               // constant; field_is: the string compared with
  /// One key of a field or path, with its number and where it was last
  /// found in its record: only a hint, read and written through
  /// std::atomic_ref (threads share programs). Kept together so that a
  /// lookup reads one place.
  struct Key {
    std::string name;
    std::uint32_t id = 0;  // key_id(name)
    mutable std::uint32_t hint = 0;
  };
  std::vector<Key> keys;  // fields and paths: outermost first
  std::vector<CondNode> kids;

  bool is_condition() const { return static_cast<int>(kind) < kConditions; }
};

/// A let whose value the evaluator builds on the fast path, without
/// entering the general evaluator for it: a list filtered (`C where P`), the
/// distinct values of a list (`distinct(C, .f)`, `distinct(C where P, .f)`),
/// a date shifted by a duration (`as_of - recent_window`), or an operand
/// (`performance_monitoring.targets`). The plan gives up (and the let is
/// evaluated as usual) only before it has done anything but read its
/// source: once the source is a list, every item is decided, by the
/// compiled condition where it can and by the general evaluator where it
/// cannot, exactly as the general evaluator would, with the same steps.
struct LetPlan {
  enum class Kind : std::uint8_t {
    operand,   // source
    filter,    // source where (the let's condition, compiled or not)
    distinct,  // distinct(source, per) or distinct(source where (…), per)
    shift,     // source + per or source - per (a date and a duration)
  };
  Kind kind = Kind::operand;
  bool filtered = false;    // distinct: over `source where …`
  int sign = 1;             // shift: +1 or -1
  std::uint32_t steps = 0;  // the let's own nodes: the where, the distinct call (and its where), the + or -
  CondNode source;
  CondNode per;             // distinct: the value per item (element depth 0); shift: the duration
};

/// Sets Expr::cond on the checks of a program and on the per-element
/// conditions of its `where`s, any()s, all()s and share()s, wherever the
/// fast path can evaluate them.
void compile_conditions(Program& program);
/// The same for one expression and everything in it.
/// (compile_conditions(Program&) also sets Let::plan.)
void compile_conditions(Expr& expr);

}  // namespace verdict::engine
