// The syntax tree of a ruleset, as written: every node keeps the byte span
// it came from, names are not resolved yet, and nothing is checked beyond
// the grammar. lower.hpp turns it into an engine::Program.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/date.hpp"
#include "engine/number.hpp"
#include "engine/source.hpp"
#include "engine/value.hpp"

namespace verdict::dsl::ast {

/// What an expression node is.
enum class ExprKind : std::uint8_t {
  literal,        // `value`: a number, percent, string, boolean, null, date or duration
  list,           // [args...]
  name,           // a bare identifier `name` (param, let, element name, as_of or evidence field)
  element,        // `.`: the element of the innermost collection operation
  element_field,  // `.name`: a field of that element
  field,          // args[0].name
  index,          // args[0][args[1]]
  call,           // name(args...); `binding` names the element of args[0]
  negate,         // -args[0]
  not_,           // not args[0]
  binary,         // args[0] `op` args[1]
  where,          // args[0] where args[1]; `binding` names the element
  if_,            // if args[0] then args[1] else args[2]
};

/// Binary operators, loosest first.
enum class BinaryOp : std::uint8_t { or_, and_, eq, ne, lt, le, gt, ge, in, add, sub, mul, div };

/// The operator as written ("and", "<=").
const char* spelling(BinaryOp op);

/// One expression node.
struct Expr {
  ExprKind kind = ExprKind::literal;
  BinaryOp op = BinaryOp::or_;  // ExprKind::binary
  Span span;                    // the whole node
  engine::Value value;          // ExprKind::literal
  std::string name;             // name, element_field, field, call (the function)
  Span name_span;               // where `name` is written
  std::string binding;          // where, call: the `as NAME` of the collection, or ""
  Span binding_span;
  std::vector<Expr> args;
};

/// A message after `else`: literal text and `{EXPR}` / `{EXPR:%}` holes.
struct Message {
  struct Part {
    std::string text;          // unescaped literal text, when `expr` is empty
    std::optional<Expr> expr;  // a hole
    bool percent = false;      // `{EXPR:%}`
    Span span;                 // the text, or the hole with its braces
  };
  Span span;  // the string with its quotes
  std::vector<Part> parts;
};

/// A string as written in a declaration ("1.1.0", a title, a cite).
struct Text {
  std::string value;  // unescaped
  Span span;          // with the quotes
};

/// `param NAME = V0[, V1 from DATE…] ["doc"]`, possibly after `override`.
struct Param {
  struct Value {
    engine::Value value;
    Span span;
    std::optional<engine::Date> from;  // nullopt for the first value
    Span from_span;
  };
  Span span;
  std::string name;
  Span name_span;
  std::vector<Value> values;
  std::optional<Text> doc;
  bool is_override = false;
};

/// `let NAME = EXPR`.
struct Let {
  Span span;
  std::string name;
  Span name_span;
  Expr expr;
};

/// `require EXPR [else "MESSAGE"]`.
struct Require {
  Span span;
  Expr condition;
  std::optional<Message> message;
};

/// `score EXPR of N`.
struct Score {
  Span span;
  Expr expr;
  engine::Number of;
  Span of_span;
};

/// `level "NAME" when EXPR`.
struct Level {
  Span span;
  Text name;
  Expr when;
};

/// `indicator "ID" "TITLE" [minimum] { … }`, possibly after `override`.
struct Indicator {
  Span span;
  Text id;
  Text title;
  bool minimum = false;
  std::vector<Text> cites;
  std::vector<Text> notes;
  std::vector<Let> lets;
  std::vector<Require> requirements;
  std::vector<Score> scores;  // more than one is an error when lowering
  std::vector<Level> levels;
  bool is_override = false;
};

/// `group "ID" "TITLE" { lets and indicators }`.
struct Group {
  Span span;
  Text id;
  Text title;
  std::vector<Let> lets;
  std::vector<Indicator> indicators;
};

/// `label "NAME" when EXPR` inside `outcome { … }`.
struct Label {
  Span span;
  Text name;
  Expr when;
};

/// `outcome { label … }`.
struct Outcome {
  Span span;
  std::vector<Label> labels;
};

/// `remove indicator "ID"`.
struct Removal {
  Span span;
  Text id;
};

/// `extend group "ID" { lets and indicators }`: adds to a group of the base.
struct GroupExtension {
  Span span;
  Text id;
  std::vector<Let> lets;
  std::vector<Indicator> indicators;
};

/// A header clause after `ruleset … version …`.
struct HeaderClause {
  enum class Kind : std::uint8_t { title, source, schema, as_of, extends };
  Kind kind = Kind::title;
  Span span;
  Text text;                 // title, source, schema, extends
  std::optional<Expr> expr;  // as_of
};

/// A top-level declaration, in file order.
using Declaration = std::variant<Param, Let, Group, Indicator, Outcome, Removal, GroupExtension>;

/// A whole ruleset file.
struct Ruleset {
  Span span;  // `ruleset "NAME" version "VERSION"`
  Text name;
  Text version;
  std::vector<HeaderClause> header;
  std::vector<Declaration> declarations;
  /// After inheritance: the `remove indicator`s of the chain that took
  /// effect (their spans say which file), so that a removed id can be named
  /// as removed rather than as unknown.
  std::vector<Removal> removed;
};

}  // namespace verdict::dsl::ast
