// Operators and builtin functions, over values, with three-valued semantics.
#pragma once
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "engine/program.hpp"
#include "engine/value.hpp"

namespace verdict::engine {

/// An evaluation that cannot give a verdict (a type error the checker did not
/// catch, an overflow, the step budget): where in the ruleset, and why.
class EvalError : public std::runtime_error {
public:
  EvalError(std::string message, Span span) : std::runtime_error(std::move(message)), span(span) {}
  Span span;
};

/// A key under which equal values hash equal (for distinct and membership).
std::string value_key(const Value& v);

/// A hash set over a list whose items are all known, non-null and of one kind.
struct MembershipIndex {
  Value::Kind kind = Value::Kind::unknown;
  std::unordered_set<std::string> keys;
};

/// What builtins need from the evaluator: evaluate a sub-expression, bind the
/// current element of a collection operation, report an error at a node.
class Context {
public:
  virtual ~Context() = default;
  virtual Value eval(const Expr& e) = 0;
  virtual void push_element(const Value& v) = 0;
  virtual void pop_element() = 0;
  /// A membership index for a list, built once per list; null when the list
  /// holds unknown, null or mixed values (then `in` scans it).
  virtual const MembershipIndex* membership_index(const List& list) = 0;
  [[noreturn]] void fail(const Expr& at, std::string message) { throw EvalError(std::move(message), at.span); }
};

/// Evaluates an Op::call node.
Value call_builtin(Context& ctx, const Expr& call);
/// Applies a comparison, `in` or arithmetic operator to evaluated operands.
Value apply_binary(Context& ctx, const Expr& op, const Value& a, const Value& b);

}  // namespace verdict::engine
