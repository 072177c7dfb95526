// The only translation unit that instantiates the grammar: PEGTL builds a
// parse tree of the selected rules, and the builder below turns it into the
// syntax tree of ast.hpp, checking literals (dates, numbers) on the way.
#include "dsl/parser.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <climits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "dsl/errors.hpp"
#include "dsl/grammar.hpp"
#include "engine/text.hpp"

namespace verdict::dsl {
namespace {

namespace pegtl = tao::pegtl;
namespace g = grammar;
using Node = pegtl::parse_tree::node;

// ------------------------------------------------------------ parse tree selection

// Replaces a node by its only child, keeping the child's span (PEGTL's
// fold_one drops the content of the nodes it keeps).
struct fold_single : pegtl::parse_tree::apply<fold_single> {
  template <typename N, typename... States>
  static void transform(std::unique_ptr<N>& n, States&&...) {
    if (n->children.size() == 1) n = std::move(n->children.front());
  }
};

// The rules that become nodes. Everything else is transparent: its
// children are attached to the nearest selected ancestor.
template <typename Rule>
using selector = pegtl::parse_tree::selector<
    Rule,
    pegtl::parse_tree::store_content::on<
        g::date_literal, g::number_literal, g::duration_unit, g::number_or_duration, g::true_literal, g::false_literal,
        g::null_literal, g::string_literal, g::list_literal, g::binding_name, g::function_name, g::call, g::dot_field,
        g::dot_self, g::name_ref, g::field_suffix, g::index_suffix, g::where_clause, g::minus_sign, g::mul_op, g::add_op,
        g::cmp_op, g::not_keyword, g::if_expr, g::message, g::message_text, g::hole, g::hole_format, g::literal_list,
        g::signed_number, g::param_name, g::dated_value, g::doc_string, g::param_decl, g::let_name, g::let_decl,
        g::cite_clause, g::note_clause, g::require_clause, g::score_clause, g::level_clause, g::minimum_flag,
        g::indicator_decl, g::group_decl, g::label_clause, g::outcome_decl, g::override_decl, g::remove_decl, g::extend_decl,
        g::ruleset_decl, g::title_clause, g::source_clause, g::schema_clause, g::extends_clause, g::as_of_clause>,
    fold_single::on<g::expression, g::postfix_expr, g::where_expr, g::unary_expr, g::mul_expr, g::add_expr,
                    g::cmp_expr, g::not_expr, g::and_expr, g::or_expr>>;

// ------------------------------------------------------------ errors

// A problem found while building the tree (a date that does not exist).
struct BuildError {
  Span span;
  std::string message;
};

Span span_of(const Node& n) {
  return {static_cast<std::uint32_t>(n.m_begin.byte), static_cast<std::uint32_t>(n.m_end.byte)};
}
Span join(Span a, Span b) { return {std::min(a.begin, b.begin), std::max(a.end, b.end)}; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The token at `at` (after whitespace and comments), for "found …".
struct Found {
  Span span;
  std::string what;
};

// With `within_line`, only spaces and tabs are skipped (the place of an
// unterminated string is the end of its line).
Found found_at(const std::string& text, std::size_t at, bool within_line = false) {
  std::size_t i = std::min(at, text.size());
  while (i < text.size()) {
    if (within_line && (text[i] == '\n' || text[i] == '\r')) {
      return {{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i)}, "end of line"};
    } else if (is_space(text[i])) {
      ++i;
    } else if (text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else {
      break;
    }
  }
  if (i >= text.size()) {
    // Point just after the last token, on a line the reader can see.
    std::size_t end = std::min(at, text.size());
    while (end > 0 && is_space(text[end - 1])) --end;
    return {{static_cast<std::uint32_t>(end), static_cast<std::uint32_t>(end)}, "end of file"};
  }
  std::size_t j = i;
  std::string what;
  char c = text[i];
  if (c == '"') {
    ++j;
    while (j < text.size() && text[j] != '"' && text[j] != '\n') j += text[j] == '\\' ? 2 : 1;
    if (j < text.size() && text[j] == '"') ++j;
    j = std::min(j, text.size());
    what = "a string";
  } else if (is_word(c)) {
    while (j < text.size() && (is_word(text[j]) || ((text[j] == '.' || text[j] == '-' || text[j] == '%') &&
                                                    c >= '0' && c <= '9')))
      ++j;
    auto word = text.substr(i, j - i);
    if (word.size() > 40) word = word.substr(0, 40) + "…";
    what = fmt::format("'{}'", word);
  } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    j = i + 1;
    what = fmt::format("the control character 0x{:02x}", static_cast<unsigned char>(c));
  } else if (static_cast<unsigned char>(c) >= 0x80) {
    ++j;
    while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
    what = fmt::format("'{}'", text.substr(i, j - i));
  } else {
    static constexpr const char* pairs[] = {"==", "!=", "<=", ">="};
    j = i + 1;
    for (const char* p : pairs)
      if (text.compare(i, 2, p) == 0) j = i + 2;
    what = fmt::format("'{}'", text.substr(i, j - i));
  }
  return {{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)}, what};
}

Diagnostic parse_diagnostic(const std::shared_ptr<const Source>& src, std::size_t offset, std::string_view message,
                            std::optional<std::size_t> opened_at) {
  Diagnostic d;
  d.severity = Severity::error;
  d.code = "parse_error";
  d.source = src;
  // Point at the token where parsing stopped, not at the whitespace before it.
  bool expected = message.rfind("expected", 0) == 0;
  auto found = found_at(src->text(), offset, !expected);
  d.span = found.span;
  d.message = expected ? fmt::format("{}, found {}", message, found.what) : std::string(message);
  // A reserved word where a name was meant (a top-level evidence field called
  // `score`): say so, rather than leave "found 'score'" to puzzle over.
  if (expected && found.span.end > found.span.begin) {
    const std::string_view word(src->text().data() + found.span.begin, found.span.end - found.span.begin);
    // …used as a name: an operator, a field or a closing bracket follows it
    // (not a clause's operand: a forgotten operand before `require` stays as it was).
    std::size_t next = found.span.end;
    while (next < src->text().size() && (src->text()[next] == ' ' || src->text()[next] == '\t')) ++next;
    const bool as_name = next < src->text().size() && std::string_view(".[)]<>=!+-*/,").find(src->text()[next]) != std::string_view::npos;
    // The grammar's own list of reserved words decides (the whole word).
    auto reserved = [](std::string_view w) {
      pegtl::memory_input in(w.data(), w.size(), "word");
      return pegtl::parse<pegtl::seq<grammar::reserved_word, pegtl::eof>>(in);
    };
    if (as_name && reserved(word))
      d.message += fmt::format(" ('{}' is a reserved word of the language: it cannot name a let, param, element or "
                               "top-level evidence field; a field of a record can be read as .{} or [\"{}\"])",
                               word, word, word);
    // A misspelt keyword (`requre`, `overide`, `extnds`, `minimun`, `adn`):
    // name the keyword it is closest to.
    static const std::vector<std::string> keywords = {
        "ruleset", "version", "title",   "source",  "schema",  "as_of",     "extends",  "param", "let",
        "group",   "indicator", "minimum", "cite",  "note",    "require",   "else",     "score", "of",
        "level",   "when",    "outcome", "label",   "override", "remove",   "extend",   "from",  "if",
        "then",    "or",      "and",     "not",     "in",      "where",     "as",       "true",  "false", "null"};
    if (word.size() >= 3 && (std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_')) {
      auto hint = did_you_mean(word, keywords);
      if (!hint.empty() && hint != word) d.message += fmt::format("; did you mean '{}'?", hint);
    }
  }
  // `param p = 1 + 1`: a param stops after its literal, and the operator
  // is taken for the start of the next declaration.
  if (expected && found.span.end > found.span.begin &&
      std::string_view("+-*/<>=!(").find(src->text()[found.span.begin]) != std::string_view::npos) {
    const std::string& text = src->text();
    std::size_t line = found.span.begin;
    while (line > 0 && text[line - 1] != '\n') --line;
    std::string_view start(text.data() + line, found.span.begin - line);
    start.remove_prefix(std::min(start.find_first_not_of(" \t"), start.size()));
    if (start.starts_with("param ") || start.starts_with("override param "))
      d.message += " (a param's value is a literal: a number, percentage, string, date, duration, boolean or a list "
                   "of them; compute a value with a let)";
  }
  // `"{if c then \"a\" else \"b\"}"`: a hole is an expression, written as
  // outside the message (a backslash belongs to no expression).
  if (expected && src->text().compare(found.span.begin, 2, "\\\"") == 0)
    d.message += " (inside a message's {…} a string is written without backslashes: {if c then \"a\" else \"b\"})";
  // `override outcome { … }`: an outcome block replaces the inherited one as it is.
  if (message == grammar::error_message<grammar::overridden> && found.what == "'outcome'")
    d.message += " (an outcome block in a ruleset that extends another replaces the inherited one without 'override': "
                 "write `outcome { … }`)";
  if (opened_at && *opened_at < src->text().size()) {
    char open = src->text()[*opened_at];
    Diagnostic note;
    note.severity = Severity::note;
    note.source = src;
    auto at = static_cast<std::uint32_t>(*opened_at);
    note.span = {at, at + 1};
    note.message = open == '"' ? "the string opened here" : fmt::format("the '{}' opened here", open);
    d.notes.push_back(std::move(note));
  }
  return d;
}

// ------------------------------------------------------------ literals

std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out.push_back(raw[i]);
      continue;
    }
    char c = raw[++i];
    switch (c) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      default: out.push_back(c); break;  // \" \\ \{ \}
    }
  }
  return out;
}

const char* month_name(unsigned m) {
  static constexpr const char* names[] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December"};
  return m >= 1 && m <= 12 ? names[m - 1] : "?";
}

engine::Date date_value(const Node& n) {
  auto text = n.string_view();
  if (auto d = engine::parse_date(text)) return *d;
  int y = std::stoi(std::string(text.substr(0, 4)));
  unsigned m = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  unsigned day = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  std::string why;
  if (m < 1 || m > 12)
    why = fmt::format("there is no month {:02}", m);
  else if (day == 0)
    why = "days start at 01";
  else
    why = fmt::format("{} {} has {} days", month_name(m), y, engine::days_in_month(y, m));
  throw BuildError{span_of(n), fmt::format("invalid date {}: {}", text, why)};
}

// A number literal, a percent, or a duration (`2 years`), possibly negated.
engine::Value number_value(const Node& n, bool negative) {
  assert(n.is_type<g::number_or_duration>() && !n.children.empty());
  const Node& num = *n.children[0];
  auto text = num.string_view();
  auto parsed = engine::Number::parse(text, /*allow_percent=*/true);
  if (!parsed) throw BuildError{span_of(num), fmt::format("number {} is too large or too precise to hold exactly", text)};
  engine::Number value = *parsed;
  if (n.children.size() == 1) {
    if (negative) {
      auto neg = value.negate();
      if (!neg) throw BuildError{span_of(n), fmt::format("number -{} is too large or too precise to hold exactly", text)};
      value = *neg;
    }
    return engine::Value::number(value);
  }
  const Node& unit_node = *n.children[1];
  auto unit = unit_node.string_view();
  if (!value.is_integer() || text.back() == '%')
    throw BuildError{span_of(num), fmt::format("a duration needs a whole number of {}", unit)};
  std::int64_t count = value.num();
  std::int64_t per = 1;
  bool months = unit.rfind("year", 0) == 0 || unit.rfind("month", 0) == 0;
  if (unit.rfind("year", 0) == 0) per = 12;
  if (unit.rfind("week", 0) == 0) per = 7;
  if (count > INT32_MAX / per) throw BuildError{span_of(n), fmt::format("duration {} {} is too long", text, unit)};
  auto amount = static_cast<std::int32_t>(count * per) * (negative ? -1 : 1);
  return engine::Value::duration(months ? engine::Duration{amount, 0} : engine::Duration{0, amount});
}

std::string string_value(const Node& n) {
  assert(n.is_type<g::string_literal>());
  auto raw = n.string_view();
  return unescape(raw.substr(1, raw.size() - 2));
}

ast::Text text_of(const Node& n) { return {string_value(n), span_of(n)}; }

// ------------------------------------------------------------ expressions

using Depth = std::size_t;

// Builds expressions; every node's nesting is counted so that the trees
// handed on (lowering, evaluation) never nest deeper than the limit.
class ExprBuilder {
public:
  explicit ExprBuilder(Depth max_depth) : max_depth_(max_depth) {}

  ast::Expr build(const Node& n) {
    Depth d = 0;
    return build(n, d);
  }

private:
  Depth max_depth_;

  void deepen(Depth& depth, Depth child, Span at) const {
    depth = std::max(depth, child + 1);
    if (depth > max_depth_) throw BuildError{at, too_deep_message(max_depth_)};
  }

  static ast::Expr node(ast::ExprKind kind, Span span) {
    ast::Expr e;
    e.kind = kind;
    e.span = span;
    return e;
  }

  ast::Expr binary(ast::BinaryOp op, ast::Expr lhs, ast::Expr rhs, Depth& depth, Depth dl, Depth dr) {
    auto e = node(ast::ExprKind::binary, join(lhs.span, rhs.span));
    e.op = op;
    depth = 0;
    deepen(depth, std::max(dl, dr), rhs.span);  // in a long chain, the operand that crossed the limit
    e.args.push_back(std::move(lhs));
    e.args.push_back(std::move(rhs));
    return e;
  }

  static ast::BinaryOp op_of(std::string_view s) {
    if (s == "+") return ast::BinaryOp::add;
    if (s == "-") return ast::BinaryOp::sub;
    if (s == "*") return ast::BinaryOp::mul;
    if (s == "/") return ast::BinaryOp::div;
    if (s == "==") return ast::BinaryOp::eq;
    if (s == "!=") return ast::BinaryOp::ne;
    if (s == "<") return ast::BinaryOp::lt;
    if (s == "<=") return ast::BinaryOp::le;
    if (s == ">") return ast::BinaryOp::gt;
    if (s == ">=") return ast::BinaryOp::ge;
    return ast::BinaryOp::in;
  }

  // `a OP b OP c`, left-associative; the operators are nodes (add, mul, cmp)
  // or implied (and, or).
  ast::Expr chain(const Node& n, Depth& depth, std::optional<ast::BinaryOp> implied) {
    Depth dl = 0;
    ast::Expr left = build(*n.children[0], dl);
    std::size_t i = 1;
    while (i < n.children.size()) {
      ast::BinaryOp op;
      if (implied) {
        op = *implied;
      } else {
        op = op_of(n.children[i]->string_view());
        ++i;
      }
      Depth dr = 0;
      ast::Expr right = build(*n.children[i++], dr);
      Depth d = 0;
      left = binary(op, std::move(left), std::move(right), d, dl, dr);
      dl = d;
    }
    depth = dl;
    return left;
  }

  // `not not x`, `- - x`: prefixes apply from the inside out.
  ast::Expr prefixed(const Node& n, Depth& depth, ast::ExprKind kind) {
    Depth d = 0;
    ast::Expr operand = build(*n.children.back(), d);
    for (std::size_t k = n.children.size() - 1; k-- > 0;) {
      auto e = node(kind, join(span_of(*n.children[k]), operand.span));
      Depth outer = 0;
      deepen(outer, d, span_of(*n.children[k]));
      d = outer;
      e.args.push_back(std::move(operand));
      operand = std::move(e);
    }
    depth = d;
    return operand;
  }

  ast::Expr build(const Node& n, Depth& depth) {
    using K = ast::ExprKind;
    Span span = span_of(n);
    depth = 1;
    if (n.is_type<g::or_expr>()) return chain(n, depth, ast::BinaryOp::or_);
    if (n.is_type<g::and_expr>()) return chain(n, depth, ast::BinaryOp::and_);
    if (n.is_type<g::cmp_expr>() || n.is_type<g::add_expr>() || n.is_type<g::mul_expr>()) return chain(n, depth, std::nullopt);
    if (n.is_type<g::not_expr>()) return prefixed(n, depth, K::not_);
    if (n.is_type<g::unary_expr>()) return prefixed(n, depth, K::negate);
    if (n.is_type<g::if_expr>()) {
      auto e = node(K::if_, span);
      for (const auto& c : n.children) {
        Depth d = 0;
        e.args.push_back(build(*c, d));
        deepen(depth, d, span);
      }
      return e;
    }
    if (n.is_type<g::where_expr>()) {
      Depth dc = 0;
      ast::Expr collection = build(*n.children[0], dc);
      const Node& clause = *n.children[1];
      auto e = node(K::where, span);
      std::size_t k = 0;
      if (clause.children.size() == 2) {
        e.binding = clause.children[0]->string();
        e.binding_span = span_of(*clause.children[0]);
        k = 1;
      }
      Depth dp = 0;
      ast::Expr predicate = build(*clause.children[k], dp);
      deepen(depth, std::max(dc, dp), span);
      e.args.push_back(std::move(collection));
      e.args.push_back(std::move(predicate));
      return e;
    }
    if (n.is_type<g::postfix_expr>()) {
      Depth d = 0;
      ast::Expr base = build(*n.children[0], d);
      for (std::size_t k = 1; k < n.children.size(); ++k) {
        const Node& suffix = *n.children[k];
        Span s = join(base.span, span_of(suffix));
        ast::Expr e;
        Depth outer = 0;
        if (suffix.is_type<g::field_suffix>()) {
          e = node(K::field, s);
          e.name = std::string(suffix.string_view().substr(1));
          e.name_span = {span_of(suffix).begin + 1, span_of(suffix).end};
          deepen(outer, d, s);
          e.args.push_back(std::move(base));
        } else {
          e = node(K::index, s);
          Depth di = 0;
          ast::Expr index = build(*suffix.children[0], di);
          deepen(outer, std::max(d, di), s);
          e.args.push_back(std::move(base));
          e.args.push_back(std::move(index));
        }
        d = outer;
        base = std::move(e);
      }
      depth = d;
      return base;
    }
    if (n.is_type<g::call>()) {
      auto e = node(K::call, span);
      e.name = n.children[0]->string();
      e.name_span = span_of(*n.children[0]);
      for (std::size_t k = 1; k < n.children.size(); ++k) {
        const Node& c = *n.children[k];
        if (c.is_type<g::binding_name>()) {
          e.binding = c.string();
          e.binding_span = span_of(c);
          continue;
        }
        Depth d = 0;
        e.args.push_back(build(c, d));
        deepen(depth, d, span);
      }
      return e;
    }
    if (n.is_type<g::list_literal>()) {
      auto e = node(K::list, span);
      for (const auto& c : n.children) {
        Depth d = 0;
        e.args.push_back(build(*c, d));
        deepen(depth, d, span);
      }
      return e;
    }
    if (n.is_type<g::name_ref>()) {
      auto e = node(K::name, span);
      e.name = n.string();
      e.name_span = span;
      return e;
    }
    if (n.is_type<g::dot_field>()) {
      auto e = node(K::element_field, span);
      e.name = std::string(n.string_view().substr(1));
      e.name_span = {span.begin + 1, span.end};
      return e;
    }
    if (n.is_type<g::dot_self>()) return node(K::element, span);
    auto e = node(K::literal, span);
    e.value = literal_value(n);
    return e;
  }

public:
  // A literal: in expressions, and the values of params.
  static engine::Value literal_value(const Node& n) {
    if (n.is_type<g::string_literal>()) return engine::Value::string(string_value(n));
    if (n.is_type<g::number_or_duration>()) return number_value(n, false);
    if (n.is_type<g::signed_number>()) {
      bool negative = n.children.size() == 2;
      return number_value(*n.children.back(), negative);
    }
    if (n.is_type<g::date_literal>()) return engine::Value::date(date_value(n));
    if (n.is_type<g::true_literal>()) return engine::Value::boolean(true);
    if (n.is_type<g::false_literal>()) return engine::Value::boolean(false);
    if (n.is_type<g::null_literal>()) return engine::Value::null();
    if (n.is_type<g::literal_list>()) {
      auto list = std::make_shared<engine::List>();
      for (const auto& c : n.children) list->items.push_back(literal_value(*c));
      return engine::Value::list(std::move(list));
    }
    throw BuildError{span_of(n), fmt::format("internal error: unexpected {}", n.type)};
  }
};

// ------------------------------------------------------------ declarations

class RulesetBuilder {
public:
  explicit RulesetBuilder(Depth max_depth) : exprs_(max_depth) {}

  ast::Ruleset build(const Node& root) {
    ast::Ruleset rs;
    for (const auto& child : root.children) {
      const Node& n = *child;
      if (n.is_type<g::ruleset_decl>()) {
        rs.span = span_of(n);
        rs.name = text_of(*n.children[0]);
        rs.version = text_of(*n.children[1]);
      } else if (n.is_type<g::title_clause>()) {
        rs.header.push_back(header(n, ast::HeaderClause::Kind::title));
      } else if (n.is_type<g::source_clause>()) {
        rs.header.push_back(header(n, ast::HeaderClause::Kind::source));
      } else if (n.is_type<g::schema_clause>()) {
        rs.header.push_back(header(n, ast::HeaderClause::Kind::schema));
      } else if (n.is_type<g::extends_clause>()) {
        rs.header.push_back(header(n, ast::HeaderClause::Kind::extends));
      } else if (n.is_type<g::as_of_clause>()) {
        ast::HeaderClause h;
        h.kind = ast::HeaderClause::Kind::as_of;
        h.span = span_of(n);
        h.expr = exprs_.build(*n.children[0]);
        rs.header.push_back(std::move(h));
      } else {
        rs.declarations.push_back(declaration(n));
      }
    }
    return rs;
  }

  ast::Expr expression(const Node& n) { return exprs_.build(n); }

private:
  ExprBuilder exprs_;

  static ast::HeaderClause header(const Node& n, ast::HeaderClause::Kind kind) {
    ast::HeaderClause h;
    h.kind = kind;
    h.span = span_of(n);
    h.text = text_of(*n.children[0]);
    return h;
  }

  ast::Declaration declaration(const Node& n) {
    if (n.is_type<g::param_decl>()) return param(n, false);
    if (n.is_type<g::let_decl>()) return let(n);
    if (n.is_type<g::group_decl>()) return group(n);
    if (n.is_type<g::indicator_decl>()) return indicator(n, false);
    if (n.is_type<g::outcome_decl>()) return outcome(n);
    if (n.is_type<g::override_decl>()) {
      const Node& inner = *n.children[0];
      if (inner.is_type<g::param_decl>()) {
        auto p = param(inner, true);
        p.span = span_of(n);
        return p;
      }
      auto ind = indicator(inner, true);
      ind.span = span_of(n);
      return ind;
    }
    if (n.is_type<g::remove_decl>()) return ast::Removal{span_of(n), text_of(*n.children[0])};
    if (n.is_type<g::extend_decl>()) return extension(n);
    throw BuildError{span_of(n), fmt::format("internal error: unexpected {}", n.type)};
  }

  static ast::Param param(const Node& n, bool is_override) {
    ast::Param p;
    p.span = span_of(n);
    p.is_override = is_override;
    p.name = n.children[0]->string();
    p.name_span = span_of(*n.children[0]);
    for (std::size_t k = 1; k < n.children.size(); ++k) {
      const Node& c = *n.children[k];
      if (c.is_type<g::doc_string>()) {
        p.doc = text_of(*c.children[0]);
      } else if (c.is_type<g::dated_value>()) {
        ast::Param::Value v;
        v.value = ExprBuilder::literal_value(*c.children[0]);
        v.span = span_of(*c.children[0]);
        v.from = date_value(*c.children[1]);
        v.from_span = span_of(*c.children[1]);
        p.values.push_back(std::move(v));
      } else {
        ast::Param::Value v;
        v.value = ExprBuilder::literal_value(c);
        v.span = span_of(c);
        p.values.push_back(std::move(v));
      }
    }
    return p;
  }

  ast::Let let(const Node& n) {
    ast::Let l;
    l.span = span_of(n);
    l.name = n.children[0]->string();
    l.name_span = span_of(*n.children[0]);
    l.expr = exprs_.build(*n.children[1]);
    return l;
  }

  ast::Message message(const Node& n) {
    ast::Message m;
    m.span = span_of(n);
    for (const auto& child : n.children) {
      const Node& c = *child;
      ast::Message::Part part;
      part.span = span_of(c);
      if (c.is_type<g::message_text>()) {
        part.text = unescape(c.string_view());
      } else {
        part.expr = exprs_.build(*c.children[0]);
        part.percent = c.children.size() > 1;
      }
      m.parts.push_back(std::move(part));
    }
    return m;
  }

  ast::Indicator indicator(const Node& n, bool is_override) {
    ast::Indicator ind;
    ind.span = span_of(n);
    ind.is_override = is_override;
    ind.id = text_of(*n.children[0]);
    ind.title = text_of(*n.children[1]);
    for (std::size_t k = 2; k < n.children.size(); ++k) {
      const Node& c = *n.children[k];
      if (c.is_type<g::minimum_flag>()) {
        ind.minimum = true;
      } else if (c.is_type<g::cite_clause>()) {
        ind.cites.push_back(text_of(*c.children[0]));
      } else if (c.is_type<g::note_clause>()) {
        ind.notes.push_back(text_of(*c.children[0]));
      } else if (c.is_type<g::let_decl>()) {
        ind.lets.push_back(let(c));
      } else if (c.is_type<g::require_clause>()) {
        ast::Require r;
        r.span = span_of(c);
        r.condition = exprs_.build(*c.children[0]);
        if (c.children.size() > 1) r.message = message(*c.children[1]);
        ind.requirements.push_back(std::move(r));
      } else if (c.is_type<g::score_clause>()) {
        ast::Score s;
        s.span = span_of(c);
        s.expr = exprs_.build(*c.children[0]);
        const Node& max = *c.children[1];
        auto text = max.string_view();
        auto number = engine::Number::parse(text, true);
        if (!number) throw BuildError{span_of(max), fmt::format("number {} is too large or too precise to hold exactly", text)};
        s.of = *number;
        s.of_span = span_of(max);
        ind.scores.push_back(std::move(s));
      } else if (c.is_type<g::level_clause>()) {
        ind.levels.push_back({span_of(c), text_of(*c.children[0]), exprs_.build(*c.children[1])});
      }
    }
    return ind;
  }

  ast::Group group(const Node& n) {
    ast::Group grp;
    grp.span = span_of(n);
    grp.id = text_of(*n.children[0]);
    grp.title = text_of(*n.children[1]);
    for (std::size_t k = 2; k < n.children.size(); ++k) {
      const Node& c = *n.children[k];
      if (c.is_type<g::let_decl>())
        grp.lets.push_back(let(c));
      else
        grp.indicators.push_back(indicator(c, false));
    }
    return grp;
  }

  ast::GroupExtension extension(const Node& n) {
    ast::GroupExtension ext;
    ext.span = span_of(n);
    ext.id = text_of(*n.children[0]);
    for (std::size_t k = 1; k < n.children.size(); ++k) {
      const Node& c = *n.children[k];
      if (c.is_type<g::let_decl>())
        ext.lets.push_back(let(c));
      else
        ext.indicators.push_back(indicator(c, false));
    }
    return ext;
  }

  ast::Outcome outcome(const Node& n) {
    ast::Outcome o;
    o.span = span_of(n);
    for (const auto& c : n.children)
      o.labels.push_back({span_of(*c), text_of(*c->children[0]), exprs_.build(*c->children[1])});
    return o;
  }
};

// Runs the grammar `Rule` over the whole source and hands the tree to `build`.
template <typename Rule, typename Build>
auto parse_with(const std::shared_ptr<const Source>& source, Depth max_depth, Build&& build) {
  const std::string& text = source->text();
  if (const auto nul = text.find('\0'); nul != std::string::npos) {  // (shown, it would cut the line short)
    Diagnostic d;
    d.code = "parse_error";
    d.source = source;
    d.span = {static_cast<std::uint32_t>(nul), static_cast<std::uint32_t>(nul) + 1};
    d.message = "a NUL byte: this is not a text file (a ruleset is UTF-8 text)";
    throw DiagnosticError(std::move(d));
  }
  // (a comment would run on to the end of the file, which then reads as empty)
  if (const auto cr = find_lone_carriage_return(text); cr != std::string::npos) {
    Diagnostic d;
    d.code = "parse_error";
    d.source = source;
    d.span = {static_cast<std::uint32_t>(cr), static_cast<std::uint32_t>(cr) + 1};
    d.message = lone_carriage_return_message;
    throw DiagnosticError(std::move(d));
  }
  pegtl::memory_input<> in(text.data(), text.data() + text.size(), source->name());
  g::ParseState state;
  state.max_depth = max_depth;
  std::unique_ptr<Node> root;
  try {
    root = pegtl::parse_tree::parse<Rule, Node, selector, pegtl::nothing, g::control>(in, state);
  } catch (const pegtl::parse_error& e) {
    std::size_t offset = e.positions().empty() ? 0 : e.positions().front().byte;
    throw DiagnosticError(parse_diagnostic(source, offset, e.message(), state.opened_at));
  }
  if (!root) throw DiagnosticError(parse_diagnostic(source, 0, "expected a ruleset", std::nullopt));
  try {
    return build(*root);
  } catch (const BuildError& e) {
    Diagnostic d;
    d.code = "parse_error";
    d.source = source;
    d.span = e.span;
    d.message = e.message;
    throw DiagnosticError(std::move(d));
  }
}

}  // namespace

ast::Ruleset parse_ruleset(std::shared_ptr<const Source> source, const RuleLimits& limits) {
  const Depth max_depth = std::min(limits.max_depth, max_rule_depth_ceiling);
  return parse_with<g::ruleset_file>(source, max_depth, [&](const Node& root) { return RulesetBuilder(max_depth).build(root); });
}

ast::Expr parse_expression(std::shared_ptr<const Source> source, const RuleLimits& limits) {
  const Depth max_depth = std::min(limits.max_depth, max_rule_depth_ceiling);
  return parse_with<g::expression_file>(source, max_depth, [&](const Node& root) {
    assert(root.children.size() == 1);
    return RulesetBuilder(max_depth).expression(*root.children[0]);
  });
}

}  // namespace verdict::dsl
