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

/// Hashing consistent with `same` (for distinct, membership and joins).
struct ValueHash {
  std::size_t operator()(const Value& v) const noexcept;
};
struct ValueSame {
  bool operator()(const Value& a, const Value& b) const noexcept { return same(a, b); }
};
using ValueSet = std::unordered_set<Value, ValueHash, ValueSame>;

/// A hash set over a list whose items are all known, non-null and of one kind.
struct MembershipIndex {
  Value::Kind kind = Value::Kind::unknown;
  ValueSet keys;
};

/// The items of an evaluated collection expression: all items of a list, or
/// only those at `subset` (when a `where` was answered by an index, without
/// building the filtered list). `value` is the collection when it is not a
/// list (unknown, an error, or a value of the wrong kind).
struct Items {
  const Value* value = nullptr;
  const std::vector<Value>* all = nullptr;
  const std::vector<std::uint32_t>* subset = nullptr;

  bool is_list() const { return all != nullptr; }
  std::size_t size() const { return subset ? subset->size() : all->size(); }
  const Value& operator[](std::size_t k) const { return subset ? (*all)[(*subset)[k]] : (*all)[k]; }
};
inline Items items_of(const Value& v) {
  if (v.kind() == Value::Kind::list) return {&v, &v.as_list().items, nullptr};
  return {&v, nullptr, nullptr};
}

/// What builtins need from the evaluator: evaluate a sub-expression, bind the
/// current element of a collection operation, report an error at a node.
class Context {
public:
  virtual ~Context() = default;
  virtual Value eval(const Expr& e) = 0;
  /// Evaluates without copying: the result is an evidence, program or let
  /// value that outlives the evaluation, or `scratch`.
  virtual const Value& ref(const Expr& e, Value& scratch) = 0;
  /// Evaluates a collection expression; what it returns lives as long as
  /// `held` does.
  virtual Items items(const Expr& collection, Value& held) = 0;
  /// Binds the element of a collection operation; `v` must outlive the
  /// matching pop_element().
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
