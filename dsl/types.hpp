// Static types of rule expressions, as the checker infers them before any
// evidence is seen: what a schema node makes of a value, how two types merge,
// and how a type is named in a message.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/schema.hpp"
#include "engine/source.hpp"
#include "engine/value.hpp"

namespace verdict::dsl {

/// A string whose value is known before evaluation (a literal, a param's value),
/// with where a message should point for it.
struct KnownString {
  std::string value;
  Span span;
  std::string via;  // the param or let it was read through, or ""
};

/// The type of an expression. `any` is "not knowable" (the schema allows anything).
struct Type {
  enum class Kind : std::uint8_t { any, boolean, number, string, date, duration, null, list, record };
  Kind kind = Kind::any;

  // list: the element type (never null for a list)
  std::shared_ptr<const Type> element;

  // record: its schema node (null: fields unknown) and its evidence path in
  // messages ("participants", "strategy.document"); `plural` when it is the
  // element of a list ("participants have no field …").
  const engine::SchemaNode* node = nullptr;
  std::string path;
  bool plural = false;

  // string: the values allowed (empty: any string) and who says so ("the schema allows")
  std::shared_ptr<const std::vector<std::string>> allowed;
  std::string allowed_by;
  // string: every value it can have, when all are known (literals, params)
  std::vector<KnownString> known;
  bool all_known = false;

  static Type of(Kind k) {
    Type t;
    t.kind = k;
    return t;
  }
  static Type list_of(Type element);
  static Type record(const engine::SchemaNode* node, std::string path, bool plural);

  /// May be null as well (a branch of `if` is null; the schema allows
  /// null): where a condition is needed that is an error, since null is
  /// neither true, false nor unknown.
  bool nullable = false;

  bool is(Kind k) const { return kind == k; }
  /// any or null: fits where another type is expected (null flows through, any is not knowable).
  bool is_open() const { return kind == Kind::any || kind == Kind::null; }
};

/// The type a schema node gives the values it describes; `path` names a
/// record in messages. Lists step into `items`.
Type type_of_schema(const engine::SchemaNode* node, const std::string& path, bool plural = false);

/// The type of a constant; strings become known strings pointing at `span`.
Type type_of_value(const engine::Value& value, Span span);

/// The type holding values of both, or nullopt when they cannot mix (a
/// number and a string). null merges with anything; any absorbs the rest.
std::optional<Type> merge(const Type& a, const Type& b);
/// The type of `if … then a else b`: as merge, and a string that one branch
/// enumerates keeps its allowed values through the `if` (see types.cpp), so
/// that `(if c then .kind else "other") == "buisness"` is still an error.
std::optional<Type> merge_branches(const Type& a, const Type& b);
/// `into = merge(into, b)` when they mix (true), without copying what
/// `into` already holds: folding the items of a long list stays linear.
bool merge_into(Type& into, const Type& b);

/// True when values of the two types can be compared with == (the same kind,
/// or one of them null or any).
bool comparable(const Type& a, const Type& b);

/// "a number", "a date", "a list of strings"…
std::string describe(const Type& t);

/// The same type, read through the param or let `via` at `span`: known
/// strings now point there (the reference) and name it.
Type read_through(Type t, Span span, const std::string& via);

}  // namespace verdict::dsl
