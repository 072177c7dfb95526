// The canonical layout of a ruleset, in two passes. The first lays the tree
// out as rows of text, each knowing the source range of the tokens on it:
// an expression stays on one line when it fits in 100 columns; otherwise an
// `and`/`or` chain breaks before each operator (operands aligned, the
// operator in front of them) and a statement's `where` may move to a line of
// its own. The second pass puts the comments back by source position: a
// comment on its own line goes before the row holding the next token, a
// trailing comment at the end of the row holding the token before it.
//
// Layout decisions depend on the tree and on comments written between the
// operands of a chain (they force the chain to break), never on where the
// rest of the comments are: that is what makes formatting idempotent, since
// the second pass moves only comments of the second kind.
#include "dsl/printer.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "dsl/parser.hpp"

namespace verdict::dsl {
namespace {

using K = ast::ExprKind;
using B = ast::BinaryOp;

constexpr std::size_t max_width = 100;
constexpr std::uint32_t no_offset = std::numeric_limits<std::uint32_t>::max();
constexpr Span untracked{no_offset, no_offset, 0};

// Columns a text takes on screen: its UTF-8 code points.
std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

Span at(std::uint32_t begin, std::uint32_t end) { return {begin, end, 0}; }

// ------------------------------------------------------------ strings and literals

// The body of a string literal for `value`: only what must be escaped is.
std::string escaped(std::string_view value, bool in_message) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '{': out += in_message ? "\\{" : "{"; break;
      case '}': out += in_message ? "\\}" : "}"; break;
      default: out.push_back(c); break;
    }
  }
  return out;
}

std::string quoted(std::string_view value) { return '"' + escaped(value, false) + '"'; }

// A literal as written (its digits, `%`, duration unit, date), with canonical
// spacing and its strings escaped again: `[1.50 ,"a\{" ,]` reads `[1.50, "a{"]`.
std::string literal_text(std::string_view raw) {
  constexpr std::string_view delimiters = " \t\n\r\f\v#\"[],";
  std::string out;
  bool after_word = false;
  std::size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '#') {  // a comment inside a literal (`2 # …` then `years`): kept elsewhere
      while (i < raw.size() && raw[i] != '\n') ++i;
    } else if (c == '"') {
      std::string value;
      for (++i; i < raw.size() && raw[i] != '"';) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
          char e = raw[i + 1];
          value.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          i += 2;
        } else {
          value.push_back(raw[i++]);
        }
      }
      ++i;
      out += quoted(value);
      after_word = false;
    } else if (c == '[' || c == ']' || c == ',') {
      if (c == ']' && out.ends_with(", ")) out.resize(out.size() - 2);  // a trailing comma
      out += c == ',' ? ", " : std::string(1, c);
      after_word = false;
      ++i;
    } else {
      std::size_t j = i;
      while (j < raw.size() && delimiters.find(raw[j]) == std::string_view::npos) ++j;
      if (after_word) out += ' ';  // `2 years`
      out.append(raw.substr(i, j - i));
      after_word = true;
      i = j;
    }
  }
  return out;
}

// ------------------------------------------------------------ comments

// Adds the comments of code in [from, to): strings in it are plain (no holes).
void scan_code(const std::string& text, std::size_t from, std::size_t to, std::vector<Span>& out) {
  std::size_t i = from;
  while (i < to) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < to && text[i] != '"' && text[i] != '\n';) i += text[i] == '\\' ? 2 : 1;
      ++i;
    } else if (c == '#') {
      std::size_t j = i;
      while (j < text.size() && text[j] != '\n') ++j;
      out.push_back(at(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)));
      i = j;
    } else {
      ++i;
    }
  }
}

void messages_of(const ast::Indicator& ind, std::vector<const ast::Message*>& out) {
  for (const auto& r : ind.requirements)
    if (r.message) out.push_back(&*r.message);
}

std::vector<const ast::Message*> messages_of(const ast::Ruleset& tree) {
  std::vector<const ast::Message*> out;
  for (const auto& decl : tree.declarations) {
    if (const auto* g = std::get_if<ast::Group>(&decl))
      for (const auto& ind : g->indicators) messages_of(ind, out);
    if (const auto* e = std::get_if<ast::GroupExtension>(&decl))
      for (const auto& ind : e->indicators) messages_of(ind, out);
    if (const auto* ind = std::get_if<ast::Indicator>(&decl)) messages_of(*ind, out);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->span.begin < b->span.begin; });
  return out;
}

// ------------------------------------------------------------ layout blocks

// One line of laid-out text and the source range of the tokens on it.
struct Line {
  std::string text;
  std::uint32_t first = no_offset;
  std::uint32_t last = no_offset;

  void touch(Span s) {
    if (s.begin == no_offset || s.begin >= s.end) return;
    first = std::min(first, s.begin);
    last = last == no_offset ? s.end : std::max(last, s.end);
  }
  void touch(const Line& other) {
    if (other.first != no_offset) touch(at(other.first, other.last));
  }
};

// Laid-out text: the first line continues the line it is placed on, the
// others carry their own indentation.
class Block {
public:
  Block() : lines_(1) {}
  explicit Block(std::string_view text, Span tracked = untracked) : lines_(1) { add(text, tracked); }

  void add(std::string_view text, Span tracked = untracked) {
    lines_.back().text += text;
    lines_.back().touch(tracked);
    back_width_ += width(text);
  }
  void add(Block&& other) {
    lines_.back().text += other.lines_[0].text;
    lines_.back().touch(other.lines_[0]);
    for (std::size_t i = 1; i < other.lines_.size(); ++i) lines_.push_back(std::move(other.lines_[i]));
    back_width_ = other.lines_.size() == 1 ? back_width_ + other.back_width_ : other.back_width_;
  }
  void newline(std::size_t indent) {
    lines_.push_back(Line{std::string(indent, ' ')});
    back_width_ = indent;
  }

  // The column after the last character, when the block starts at `start`
  // (kept as text is added: a list of 100,000 items is laid out on one line,
  // and measuring that line again for each item was quadratic).
  std::size_t column(std::size_t start) const { return lines_.size() == 1 ? start + back_width_ : back_width_; }
  // Whether every line stays within the width, with `trail` more characters after the last.
  bool fits(std::size_t start, std::size_t trail) const {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      std::size_t w = (i == 0 ? start : 0) + width(lines_[i].text) + (i + 1 == lines_.size() ? trail : 0);
      if (w > max_width) return false;
    }
    return true;
  }
  std::vector<Line>& lines() { return lines_; }

private:
  std::vector<Line> lines_;
  std::size_t back_width_ = 0;  // width(lines_.back().text)
};

// ------------------------------------------------------------ expressions

// Binding strength, loosest first, as in the grammar: if, or, and, not,
// comparisons, + -, * /, unary minus, where, postfix and primaries.
int level(const ast::Expr& e) {
  switch (e.kind) {
    case K::if_: return 0;
    case K::not_: return 3;
    case K::negate: return 7;
    case K::where: return 8;
    case K::binary:
      switch (e.op) {
        case B::or_: return 1;
        case B::and_: return 2;
        case B::add: case B::sub: return 5;
        case B::mul: case B::div: return 6;
        default: return 4;
      }
    default: return 9;
  }
}

bool is_comparison(const ast::Expr& e) { return e.kind == K::binary && level(e) == 4; }
bool is_logic_chain(const ast::Expr& e) { return e.kind == K::binary && (e.op == B::or_ || e.op == B::and_); }

// The least binding strength of the left and right operand of `op`.
std::pair<int, int> operand_levels(B op) {
  switch (op) {
    case B::or_: return {1, 2};
    case B::and_: return {2, 3};
    case B::add: case B::sub: return {5, 6};
    case B::mul: case B::div: return {6, 7};
    default: return {5, 5};  // comparisons do not chain
  }
}

// A token, or an operand with whether it is parenthesised.
struct Piece {
  std::string text;  // when `expr` is null
  Span tracked = untracked;
  const ast::Expr* expr = nullptr;
  bool parens = false;
  bool open_right = true;  // nothing of the enclosing expression follows it
  bool hang = false;  // a `where` predicate: a chain in it hangs its operators (see chain())
};

// An operand of `parent`. Parentheses go where precedence needs them, where
// an open-ended `where` or `if` would swallow what follows, and, for the
// reader, around a comparison under `not` (`not (a == b)`), an `and` under
// `or` (`a or (b and c)`), a `where` under an operator (`(c where p) == d`)
// and an `if` in the condition or `then` branch of another.
// Whether the formatting under way adds the brackets that only help a
// reader (FormatOptions::reader_brackets); set for one format_ruleset call.
thread_local bool reader_brackets = true;

Piece operand(const ast::Expr& e, int min_level, bool open_right, const ast::Expr& parent) {
  const bool operator_parent = parent.kind == K::binary || parent.kind == K::not_ || parent.kind == K::negate;
  const bool for_reader = reader_brackets &&
                          ((parent.kind == K::binary && parent.op == B::or_ && e.kind == K::binary && e.op == B::and_) ||
                           (parent.kind == K::not_ && is_comparison(e)) ||
                           (parent.kind == K::if_ && e.kind == K::if_ && &e != &parent.args[2]));
  bool parens = level(e) < min_level || (!open_right && (e.kind == K::where || e.kind == K::if_)) || for_reader ||
                (operator_parent && e.kind == K::where);
  Piece p;
  p.expr = &e;
  p.parens = parens;
  p.open_right = parens || open_right;
  p.hang = parent.kind == K::where && &e == &parent.args[1];
  return p;
}

Piece token(std::string text, Span tracked = untracked) {
  Piece p;
  p.text = std::move(text);
  p.tracked = tracked;
  return p;
}

class ExprLayout {
public:
  ExprLayout(const std::string& text, const std::vector<std::uint32_t>& comment_begins)
      : text_(text), comment_begins_(comment_begins) {}

  // `e` on one line.
  std::string flat(const ast::Expr& e, bool open_right) const {
    std::string out;
    for (const auto& p : pieces(e, open_right)) out += flat(p);
    return out;
  }

  // `e` starting at column `col`, with `trail` characters to follow it on
  // its last line. `where_indent` is given for the whole expression of a
  // statement: its `where` may then move to a line of its own, so indented.
  // A chain hangs its operators in front of its operands when it is the
  // statement's expression (or a `where` predicate).
  Block layout(const ast::Expr& e, std::size_t col, std::size_t trail, bool open_right,
               std::optional<std::size_t> where_indent = std::nullopt, bool hang = false) const {
    hang = hang || where_indent.has_value();
    std::string line = flat(e, open_right);
    if (col + width(line) + trail <= max_width && !comment_between_operands(e, where_indent.has_value()))
      return Block(line, e.span);
    if (is_logic_chain(e)) return chain(e, col, trail, open_right, hang);
    if (e.kind == K::where) return where(e, col, trail, open_right, where_indent);
    if (e.kind == K::if_) return conditional(e, col, trail, open_right);
    auto ps = pieces(e, open_right);
    std::vector<std::size_t> rest(ps.size() + 1, trail);  // what follows each piece if flat
    for (std::size_t i = ps.size(); i-- > 0;) rest[i] = rest[i + 1] + width(flat(ps[i]));
    Block b;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      if (ps[i].expr)
        b.add(layout(ps[i], b.column(col), rest[i + 1]));
      else
        b.add(ps[i].text, ps[i].tracked);
    }
    return b;
  }

private:
  const std::string& text_;
  const std::vector<std::uint32_t>& comment_begins_;

  bool comment_in(std::uint32_t from, std::uint32_t to) const {
    auto it = std::lower_bound(comment_begins_.begin(), comment_begins_.end(), from);
    return it != comment_begins_.end() && *it < to;
  }

  std::string flat(const Piece& p) const {
    if (!p.expr) return p.text;
    if (p.parens) return fmt::format("({})", flat(*p.expr, true));  // (not "(" + s: GCC 12 warns -Wrestrict)
    return flat(*p.expr, p.open_right);
  }

  Block layout(const Piece& p, std::size_t col, std::size_t trail) const {
    if (!p.parens) return layout(*p.expr, col, trail, p.open_right, std::nullopt, p.hang);
    Block b("(");
    b.add(layout(*p.expr, col + 1, trail + 1, true, std::nullopt, false));
    b.add(")");
    return b;
  }

  // The tokens and operands of `e`, in order.
  std::vector<Piece> pieces(const ast::Expr& e, bool open_right) const {
    std::vector<Piece> ps;
    switch (e.kind) {
      case K::literal:
        ps.push_back(token(literal_text(std::string_view(text_).substr(e.span.begin, e.span.end - e.span.begin)), e.span));
        break;
      case K::name: ps.push_back(token(e.name, e.span)); break;
      case K::element: ps.push_back(token(".", e.span)); break;
      case K::element_field: ps.push_back(token("." + e.name, e.span)); break;
      case K::field:
        ps.push_back(operand(e.args[0], 9, false, e));
        ps.push_back(token("." + e.name, e.name_span));
        break;
      case K::index:
        ps.push_back(operand(e.args[0], 9, false, e));
        ps.push_back(token("["));
        ps.push_back(operand(e.args[1], 0, true, e));
        ps.push_back(token("]"));
        break;
      case K::call:
        ps.push_back(token(e.name + "(", e.name_span));
        for (std::size_t i = 0; i < e.args.size(); ++i) {
          if (i > 0) ps.push_back(token(", "));
          ps.push_back(operand(e.args[i], 0, true, e));
          if (i == 0 && !e.binding.empty()) ps.push_back(token(" as " + e.binding, e.binding_span));
        }
        ps.push_back(token(")"));
        break;
      case K::list:
        ps.push_back(token("["));
        for (std::size_t i = 0; i < e.args.size(); ++i) {
          if (i > 0) ps.push_back(token(", "));
          ps.push_back(operand(e.args[i], 0, true, e));
        }
        ps.push_back(token("]"));
        break;
      case K::negate: {
        auto p = operand(e.args[0], 7, open_right, e);
        ps.push_back(token(e.args[0].kind == K::negate && !p.parens ? "- " : "-"));
        ps.push_back(std::move(p));
        break;
      }
      case K::not_:
        ps.push_back(token("not "));
        ps.push_back(operand(e.args[0], 3, open_right, e));
        break;
      case K::binary: {
        auto [left, right] = operand_levels(e.op);
        ps.push_back(operand(e.args[0], left, false, e));
        ps.push_back(token(fmt_op(e.op)));
        ps.push_back(operand(e.args[1], right, open_right, e));
        break;
      }
      case K::where:
        ps.push_back(operand(e.args[0], 9, false, e));
        if (!e.binding.empty()) ps.push_back(token(" as " + e.binding, e.binding_span));
        ps.push_back(token(" where "));
        ps.push_back(operand(e.args[1], 0, open_right, e));
        break;
      case K::if_:
        ps.push_back(token("if "));
        ps.push_back(operand(e.args[0], 0, true, e));
        ps.push_back(token(" then "));
        ps.push_back(operand(e.args[1], 0, true, e));
        ps.push_back(token(" else "));
        ps.push_back(operand(e.args[2], 0, open_right, e));
        break;
    }
    return ps;
  }

  static std::string fmt_op(B op) { return std::string(" ") + ast::spelling(op) + " "; }

  // The operands of a chain of one operator: `a and b and c` (left-nested).
  void chain_operands(const ast::Expr& e, bool open_right, std::vector<Piece>& out) const {
    auto [left, right] = operand_levels(e.op);
    const ast::Expr& l = e.args[0];
    if (l.kind == K::binary && l.op == e.op)
      chain_operands(l, false, out);
    else
      out.push_back(operand(l, left, false, e));
    out.push_back(operand(e.args[1], right, open_right, e));
  }

  // A comment written between two operands of a chain (or, for a
  // statement's `where`, between the collection and the predicate; in an
  // `if`, between the `then` branch and the `else`) forces the break there.
  bool comment_between_operands(const ast::Expr& e, bool statement_where) const {
    if (is_logic_chain(e)) {
      std::vector<Piece> ops;
      chain_operands(e, true, ops);
      for (std::size_t i = 1; i < ops.size(); ++i)
        if (comment_in(ops[i - 1].expr->span.end, ops[i].expr->span.begin)) return true;
      for (const auto& op : ops)
        if (comment_between_operands(*op.expr, false)) return true;
      return false;
    }
    if (statement_where && e.kind == K::where && comment_in(e.args[0].span.end, e.args[1].span.begin)) return true;
    // A comment between an `if`'s `then` branch and its `else` breaks it
    // there, where an `if` breaks: the comment stays between the branches
    // rather than moving below the statement (one after the condition is
    // not a break point and moves to the end of the line).
    if (e.kind == K::if_ && comment_in(e.args[1].span.end, e.args[2].span.begin)) return true;
    for (const auto& a : e.args)
      if (comment_between_operands(a, false)) return true;
    return false;
  }

  // One operand per line, the operator in front so that the operands align
  // (`hang`), or elsewhere (brackets, `if`), the operators under the first
  // operand:
  //     require a >= 1            require any(c, .a
  //          or b                                 and .b)
  Block chain(const ast::Expr& e, std::size_t col, std::size_t trail, bool open_right, bool hang) const {
    std::vector<Piece> ops;
    chain_operands(e, open_right, ops);
    std::string op = ast::spelling(e.op);
    std::size_t gutter = op.size() + 1;
    std::size_t indent = hang && col >= gutter ? col - gutter : col;
    Block b;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      std::size_t at_col = col;
      if (i > 0) {
        b.newline(indent);
        b.add(op + " ");
        at_col = indent + gutter;
      }
      b.add(layout(ops[i], at_col, i + 1 == ops.size() ? trail : 0));
    }
    return b;
  }

  // `if` and each `else` at the same column:
  //     let points = if a then 4
  //                  else if b then 2
  //                  else 0
  Block conditional(const ast::Expr& e, std::size_t col, std::size_t trail, bool open_right) const {
    Block b;
    const ast::Expr* branch = &e;
    std::vector<Piece> ps = pieces(e, open_right);  // if, C, then, A, else, B
    for (bool first = true;; first = false) {
      if (!first) b.newline(col);
      b.add(first ? "if " : "else if ");
      b.add(layout(ps[1], b.column(col), 6 + width(flat(ps[3]))));
      b.add(" then ");
      b.add(layout(ps[3], b.column(col), 0));
      if (ps[5].parens || ps[5].expr->kind != K::if_) break;
      branch = ps[5].expr;
      ps = pieces(*branch, ps[5].open_right);
    }
    b.newline(col);
    b.add("else ");
    b.add(layout(ps[5], col + 5, trail));
    return b;
  }

  // `C where P` on one line (P broken as it needs) or, for a statement's
  // expression, `where P` on a line of its own: the one of the two that
  // fits in fewer lines, the second when equal.
  Block where(const ast::Expr& e, std::size_t col, std::size_t trail, bool open_right,
              std::optional<std::size_t> where_indent) const {
    auto ps = pieces(e, open_right);
    std::string binding = e.binding.empty() ? "" : " as " + e.binding;
    Block head = layout(ps.front(), col, width(binding) + 6);
    if (!binding.empty()) head.add(binding, e.binding_span);
    Block same_line = head;
    same_line.add(" where ");
    same_line.add(layout(ps.back(), same_line.column(col), trail));
    if (!where_indent) return same_line;
    Block own_line = std::move(head);
    own_line.newline(*where_indent);
    own_line.add("where ");
    own_line.add(layout(ps.back(), *where_indent + 6, trail));
    if (comment_in(e.args[0].span.end, e.args[1].span.begin)) return own_line;
    bool fits_same = same_line.fits(col, trail), fits_own = own_line.fits(col, trail);
    if (fits_same && (!fits_own || same_line.lines().size() < own_line.lines().size())) return same_line;
    return own_line;
  }
};

// ------------------------------------------------------------ rows

// Whether a blank line may separate a row from what comes before it.
enum class Blank : std::uint8_t {
  never,   // continuation lines, header clauses
  source,  // when the source has one there
  always,  // around blocks (groups, indicators, outcome)
};

struct Row {
  std::string text;  // with its indentation
  std::uint32_t first = no_offset;  // source range of its tokens
  std::uint32_t last = no_offset;
  Blank blank = Blank::never;
  bool closing = false;  // `}`: comments before it are inside the block
  std::vector<const Comment*> leading;
  const Comment* trailing = nullptr;
};

class Printer {
public:
  Printer(const std::string& text, const std::vector<Comment>& comments)
      : text_(text), comments_(comments), exprs_(text, comment_begins_) {
    for (const auto& c : comments_) comment_begins_.push_back(c.span.begin);
  }

  void ruleset(const ast::Ruleset& rs) {
    Block head(fmt::format("ruleset {} version {}", quoted(rs.name.value), quoted(rs.version.value)), rs.span);
    emit(0, Blank::source, std::move(head));  // blank lines among the comments above it stay
    // The values align, but for `extends`, which says what the ruleset is
    // rather than describing it.
    std::size_t pad = 0;
    for (const auto& h : rs.header)
      if (h.kind != ast::HeaderClause::Kind::extends) pad = std::max(pad, std::string_view(keyword(h.kind)).size() + 1);
    for (const auto& h : rs.header) {
      std::string kw = keyword(h.kind);
      kw.resize(h.kind == ast::HeaderClause::Kind::extends ? kw.size() + 1 : pad, ' ');
      if (h.kind == ast::HeaderClause::Kind::as_of) {
        Block b(kw, at(h.span.begin, h.span.begin + 5));
        b.add(exprs_.layout(*h.expr, 2 + pad, 0, true, 4));
        emit(2, Blank::never, std::move(b));
      } else {
        emit(2, Blank::never, Block(kw + quoted(h.text.value), h.span));
      }
    }
    for (std::size_t i = 0; i < rs.declarations.size(); ++i) {
      bool block = is_block(rs.declarations[i]) || (i > 0 && is_block(rs.declarations[i - 1]));
      declaration(rs.declarations[i], i == 0 || block ? Blank::always : Blank::source);
    }
  }

  std::string render() {
    place_comments();
    std::vector<Output> out;
    std::uint32_t consumed = 0;  // source read up to here
    for (const auto& row : rows_) {
      std::size_t indent = row.text.find_first_not_of(' ');
      if (indent == std::string::npos) indent = 0;
      if (row.closing) indent += 2;
      for (std::size_t k = 0; k <= row.leading.size(); ++k) {
        bool is_row = k == row.leading.size();
        std::uint32_t begin = is_row ? row.first : row.leading[k]->span.begin;
        bool blank = false;
        if (k == 0 && row.blank == Blank::always)
          blank = true;
        else if (row.blank == Blank::never || (is_row && row.closing))
          blank = false;
        else
          blank = blank_line_between(consumed, begin);
        if (blank && !out.empty() && !out.back().blank) out.push_back({"", nullptr, true});
        if (is_row) {
          out.push_back({row.text, row.trailing, false});
          consumed = std::max(consumed, row.last);
          if (row.trailing) consumed = std::max(consumed, row.trailing->span.end);
        } else {
          out.push_back({std::string(indent, ' ') + row.leading[k]->text, nullptr, false});
          consumed = std::max(consumed, row.leading[k]->span.end);
        }
      }
    }
    for (const Comment* c : at_end_) {
      if (blank_line_between(consumed, c->span.begin) && !out.empty() && !out.back().blank)
        out.push_back({"", nullptr, true});
      out.push_back({c->text, nullptr, false});
      consumed = c->span.end;
    }
    return join(out);
  }

private:
  struct Output {
    std::string code;
    const Comment* trailing;
    bool blank;
  };

  const std::string& text_;
  const std::vector<Comment>& comments_;
  std::vector<std::uint32_t> comment_begins_;
  ExprLayout exprs_;
  std::vector<Row> rows_;
  std::vector<const Comment*> at_end_;

  static const char* keyword(ast::HeaderClause::Kind kind) {
    switch (kind) {
      case ast::HeaderClause::Kind::title: return "title";
      case ast::HeaderClause::Kind::source: return "source";
      case ast::HeaderClause::Kind::schema: return "schema";
      case ast::HeaderClause::Kind::as_of: return "as_of";
      case ast::HeaderClause::Kind::extends: return "extends";
    }
    return "?";
  }

  static bool is_block(const ast::Declaration& d) {
    return std::holds_alternative<ast::Group>(d) || std::holds_alternative<ast::Indicator>(d) ||
           std::holds_alternative<ast::Outcome>(d) || std::holds_alternative<ast::GroupExtension>(d);
  }

  // Adds a statement: its first line at `indent`, the others as laid out.
  void emit(std::size_t indent, Blank blank, Block block) {
    auto& lines = block.lines();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Row row;
      row.text = i == 0 ? std::string(indent, ' ') + lines[i].text : std::move(lines[i].text);
      row.first = lines[i].first;
      row.last = lines[i].last;
      row.blank = i == 0 ? blank : Blank::never;
      rows_.push_back(std::move(row));
    }
  }

  void closing(std::size_t indent, Span block) {
    Row row;
    row.text = std::string(indent, ' ') + "}";
    row.first = block.end - 1;
    row.last = block.end;
    row.blank = Blank::source;
    row.closing = true;
    rows_.push_back(std::move(row));
  }

  void declaration(const ast::Declaration& d, Blank blank) {
    if (const auto* p = std::get_if<ast::Param>(&d)) param(*p, blank);
    if (const auto* l = std::get_if<ast::Let>(&d)) let(*l, 0, blank);
    if (const auto* g = std::get_if<ast::Group>(&d)) {
      emit(0, blank, Block(fmt::format("group {} {} {{", quoted(g->id.value), quoted(g->title.value)), at(g->span.begin, g->title.span.end)));
      members(g->lets, g->indicators);
      closing(0, g->span);
    }
    if (const auto* ind = std::get_if<ast::Indicator>(&d)) indicator(*ind, 0, blank);
    if (const auto* o = std::get_if<ast::Outcome>(&d)) {
      emit(0, blank, Block("outcome {", at(o->span.begin, o->span.begin + 7)));
      for (const auto& label : o->labels) {
        Block b(fmt::format("label {} when ", quoted(label.name.value)), at(label.span.begin, label.name.span.end));
        b.add(exprs_.layout(label.when, 2 + b.column(0), 0, true, 4));
        emit(2, Blank::source, std::move(b));
      }
      closing(0, o->span);
    }
    if (const auto* r = std::get_if<ast::Removal>(&d))
      emit(0, blank, Block(fmt::format("remove indicator {}", quoted(r->id.value)), r->span));
    if (const auto* e = std::get_if<ast::GroupExtension>(&d)) {
      emit(0, blank, Block(fmt::format("extend group {} {{", quoted(e->id.value)), at(e->span.begin, e->id.span.end)));
      members(e->lets, e->indicators);
      closing(0, e->span);
    }
  }

  void param(const ast::Param& p, Blank blank) {
    Block b((p.is_override ? "override param " : "param ") + p.name + " = ", at(p.span.begin, p.name_span.end));
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      const auto& v = p.values[i];
      if (i > 0) b.add(", ");
      b.add(literal_text(source(v.span)), v.span);
      if (v.from) {
        b.add(" from ");
        b.add(literal_text(source(v.from_span)), v.from_span);
      }
    }
    if (p.doc) {
      b.newline(2);
      b.add(quoted(p.doc->value), p.doc->span);
    }
    emit(0, blank, std::move(b));
  }

  void let(const ast::Let& l, std::size_t indent, Blank blank) {
    Block b("let " + l.name + " = ", at(l.span.begin, l.name_span.end));
    b.add(exprs_.layout(l.expr, b.column(indent), 0, true, indent + 2));
    emit(indent, blank, std::move(b));
  }

  // The lets and indicators of a group, in the order written.
  void members(const std::vector<ast::Let>& lets, const std::vector<ast::Indicator>& indicators) {
    std::vector<std::tuple<std::uint32_t, bool, std::size_t>> order;  // begin, is an indicator, index
    for (std::size_t i = 0; i < lets.size(); ++i) order.emplace_back(lets[i].span.begin, false, i);
    for (std::size_t i = 0; i < indicators.size(); ++i) order.emplace_back(indicators[i].span.begin, true, i);
    std::sort(order.begin(), order.end());
    bool previous_indicator = false;
    for (std::size_t k = 0; k < order.size(); ++k) {
      auto [begin, is_indicator, i] = order[k];
      Blank blank = k > 0 && (is_indicator || previous_indicator) ? Blank::always : Blank::source;
      if (is_indicator)
        indicator(indicators[i], 2, blank);
      else
        let(lets[i], 2, blank);
      previous_indicator = is_indicator;
    }
  }

  void indicator(const ast::Indicator& ind, std::size_t indent, Blank blank) {
    std::string head = fmt::format("{}indicator {} {}{} {{", ind.is_override ? "override " : "", quoted(ind.id.value),
                           quoted(ind.title.value), ind.minimum ? " minimum" : "");
    emit(indent, blank, Block(head, at(ind.span.begin, ind.title.span.end)));
    const std::size_t in = indent + 2;
    // The clauses are kept in separate lists; put them back in source order.
    enum class Item { cite, note, let, require, score, level };
    std::vector<std::tuple<std::uint32_t, Item, std::size_t>> order;
    for (std::size_t i = 0; i < ind.cites.size(); ++i) order.emplace_back(ind.cites[i].span.begin, Item::cite, i);
    for (std::size_t i = 0; i < ind.notes.size(); ++i) order.emplace_back(ind.notes[i].span.begin, Item::note, i);
    for (std::size_t i = 0; i < ind.lets.size(); ++i) order.emplace_back(ind.lets[i].span.begin, Item::let, i);
    for (std::size_t i = 0; i < ind.requirements.size(); ++i)
      order.emplace_back(ind.requirements[i].span.begin, Item::require, i);
    for (std::size_t i = 0; i < ind.scores.size(); ++i) order.emplace_back(ind.scores[i].span.begin, Item::score, i);
    for (std::size_t i = 0; i < ind.levels.size(); ++i) order.emplace_back(ind.levels[i].span.begin, Item::level, i);
    std::sort(order.begin(), order.end());
    // Consecutive levels are a table: their `when` align.
    std::vector<std::size_t> level_pad(ind.levels.size(), 0);
    for (std::size_t k = 0; k < order.size();) {
      std::size_t end = k, pad = 0;
      for (; end < order.size() && std::get<1>(order[end]) == Item::level; ++end)
        pad = std::max(pad, width(quoted(ind.levels[std::get<2>(order[end])].name.value)));
      for (std::size_t x = k; x < end; ++x) level_pad[std::get<2>(order[x])] = pad;
      k = std::max(end, k + 1);
    }
    for (const auto& [begin, item, i] : order) {
      switch (item) {
        case Item::cite:
          emit(in, Blank::source, Block("cite " + quoted(ind.cites[i].value), keyword_before(ind.cites[i].span, "cite")));
          break;
        case Item::note:
          emit(in, Blank::source, Block("note " + quoted(ind.notes[i].value), keyword_before(ind.notes[i].span, "note")));
          break;
        case Item::let: let(ind.lets[i], in, Blank::source); break;
        case Item::require: {
          const auto& r = ind.requirements[i];
          Block b("require ", at(r.span.begin, r.span.begin + 7));
          b.add(exprs_.layout(r.condition, in + 8, 0, true, in + 2));
          if (r.message) {
            b.newline(in + 2);
            b.add(fmt::format("else {}", message(*r.message)), keyword_before(r.message->span, "else"));
          }
          emit(in, Blank::source, std::move(b));
          break;
        }
        case Item::score: {
          const auto& s = ind.scores[i];
          std::string of = " of " + literal_text(source(s.of_span));
          Block b("score ", at(s.span.begin, s.span.begin + 5));
          b.add(exprs_.layout(s.expr, in + 6, width(of), true, in + 2));
          b.add(of, s.of_span);
          emit(in, Blank::source, std::move(b));
          break;
        }
        case Item::level: {
          const auto& l = ind.levels[i];
          std::string name = quoted(l.name.value);
          name.resize(name.size() + level_pad[i] - width(name), ' ');
          Block b(fmt::format("level {} when ", name), at(l.span.begin, l.name.span.end));
          b.add(exprs_.layout(l.when, b.column(in), 0, true, in + 2));
          emit(in, Blank::source, std::move(b));
          break;
        }
      }
    }
    closing(indent, ind.span);
  }

  std::string message(const ast::Message& m) const {
    std::string out = "\"";
    for (const auto& part : m.parts) {
      if (part.expr)
        out += fmt::format("{{{}{}", exprs_.flat(*part.expr, true), part.percent ? ":%}" : "}");
      else
        out += escaped(part.text, true);
    }
    return out + "\"";
  }

  // `s` from the keyword written before it (the tree does not keep where
  // `cite`, `note` or `else` are), so that comments between them stay after.
  Span keyword_before(Span s, std::string_view keyword) const {
    auto at_keyword = text_.rfind(keyword, s.begin);
    return at_keyword == std::string::npos ? s : at(static_cast<std::uint32_t>(at_keyword), s.end);
  }

  std::string_view source(Span s) const { return std::string_view(text_).substr(s.begin, s.end - s.begin); }

  bool blank_line_between(std::uint32_t from, std::uint32_t to) const {
    bool after_newline = false;
    for (std::uint32_t i = from; i < to && i < text_.size(); ++i) {
      char c = text_[i];
      if (c == '\n') {
        if (after_newline) return true;
        after_newline = true;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        after_newline = false;
      }
    }
    return false;
  }

  // Gives every comment a place: before a row, at its end, or at the end of
  // the file. Places only grow, so comments keep their order; a row takes
  // one trailing comment, a second one goes on the next line.
  void place_comments() {
    for (std::size_t i = 0; i < rows_.size(); ++i) {  // rows without tokens of their own
      if (rows_[i].first == no_offset) {
        rows_[i].first = rows_[i].last = i > 0 ? rows_[i - 1].last : 0;
      }
    }
    const std::size_t end = 2 * rows_.size();  // place 2i: before row i, 2i+1: at its end
    std::size_t cursor = 0;
    for (const auto& c : comments_) {
      std::size_t place;
      if (c.trailing) {
        auto it = std::partition_point(rows_.begin(), rows_.end(), [&](const Row& r) { return r.first < c.span.begin; });
        place = it == rows_.begin() ? 0 : 2 * static_cast<std::size_t>(it - rows_.begin() - 1) + 1;
      } else {
        auto it = std::partition_point(rows_.begin(), rows_.end(), [&](const Row& r) { return r.last <= c.span.begin; });
        place = 2 * static_cast<std::size_t>(it - rows_.begin());
      }
      place = std::max(place, cursor);
      if (place % 2 == 1 && place < end && rows_[place / 2].trailing) ++place;
      if (place >= end) {
        at_end_.push_back(&c);
        cursor = end;
      } else if (place % 2 == 1) {
        rows_[place / 2].trailing = &c;
        cursor = place;
      } else {
        rows_[place / 2].leading.push_back(&c);
        cursor = place;
      }
    }
  }

  // The lines; trailing comments of consecutive lines aligned, two spaces
  // after the longest.
  static std::string join(const std::vector<Output>& out) {
    std::string text;
    for (std::size_t i = 0; i < out.size();) {
      if (!out[i].trailing) {
        text += out[i].code + "\n";
        ++i;
        continue;
      }
      std::size_t j = i, column = 0;
      for (; j < out.size() && out[j].trailing; ++j) column = std::max(column, width(out[j].code) + 2);
      for (; i < j; ++i)
        text += out[i].code + std::string(column - width(out[i].code), ' ') + out[i].trailing->text + "\n";
    }
    return text;
  }
};

// ------------------------------------------------------------ comparison

bool same_text(const ast::Text& a, const ast::Text& b) { return a.value == b.value; }

template <typename T, typename Same>
bool same_list(const std::vector<T>& a, const std::vector<T>& b, Same same) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

bool same_expr(const ast::Expr& a, const ast::Expr& b) {
  if (a.kind != b.kind || a.name != b.name || a.binding != b.binding) return false;
  if (a.kind == K::binary && a.op != b.op) return false;
  if (a.kind == K::literal && !engine::same(a.value, b.value)) return false;
  return same_list(a.args, b.args, same_expr);
}

bool same_message(const ast::Message& a, const ast::Message& b) {
  return same_list(a.parts, b.parts, [](const ast::Message::Part& x, const ast::Message::Part& y) {
    if (x.expr.has_value() != y.expr.has_value() || x.percent != y.percent) return false;
    return x.expr ? same_expr(*x.expr, *y.expr) : x.text == y.text;
  });
}

bool same_let(const ast::Let& a, const ast::Let& b) { return a.name == b.name && same_expr(a.expr, b.expr); }

bool same_indicator(const ast::Indicator& a, const ast::Indicator& b) {
  return same_text(a.id, b.id) && same_text(a.title, b.title) && a.minimum == b.minimum &&
         a.is_override == b.is_override && same_list(a.cites, b.cites, same_text) &&
         same_list(a.notes, b.notes, same_text) && same_list(a.lets, b.lets, same_let) &&
         same_list(a.requirements, b.requirements,
                   [](const ast::Require& x, const ast::Require& y) {
                     if (!same_expr(x.condition, y.condition) || x.message.has_value() != y.message.has_value())
                       return false;
                     return !x.message || same_message(*x.message, *y.message);
                   }) &&
         same_list(a.scores, b.scores,
                   [](const ast::Score& x, const ast::Score& y) { return x.of == y.of && same_expr(x.expr, y.expr); }) &&
         same_list(a.levels, b.levels, [](const ast::Level& x, const ast::Level& y) {
           return same_text(x.name, y.name) && same_expr(x.when, y.when);
         });
}

bool same_param(const ast::Param& a, const ast::Param& b) {
  if (a.name != b.name || a.is_override != b.is_override || a.doc.has_value() != b.doc.has_value()) return false;
  if (a.doc && a.doc->value != b.doc->value) return false;
  return same_list(a.values, b.values, [](const ast::Param::Value& x, const ast::Param::Value& y) {
    return x.from == y.from && engine::same(x.value, y.value);
  });
}

bool same_declaration(const ast::Declaration& a, const ast::Declaration& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<ast::Param>(&a)) return same_param(*x, std::get<ast::Param>(b));
  if (const auto* x = std::get_if<ast::Let>(&a)) return same_let(*x, std::get<ast::Let>(b));
  if (const auto* x = std::get_if<ast::Group>(&a)) {
    const auto& y = std::get<ast::Group>(b);
    return same_text(x->id, y.id) && same_text(x->title, y.title) && same_list(x->lets, y.lets, same_let) &&
           same_list(x->indicators, y.indicators, same_indicator);
  }
  if (const auto* x = std::get_if<ast::Indicator>(&a)) return same_indicator(*x, std::get<ast::Indicator>(b));
  if (const auto* x = std::get_if<ast::Outcome>(&a))
    return same_list(x->labels, std::get<ast::Outcome>(b).labels, [](const ast::Label& p, const ast::Label& q) {
      return same_text(p.name, q.name) && same_expr(p.when, q.when);
    });
  if (const auto* x = std::get_if<ast::Removal>(&a)) return same_text(x->id, std::get<ast::Removal>(b).id);
  const auto& x = std::get<ast::GroupExtension>(a);
  const auto& y = std::get<ast::GroupExtension>(b);
  return same_text(x.id, y.id) && same_list(x.lets, y.lets, same_let) &&
         same_list(x.indicators, y.indicators, same_indicator);
}

}  // namespace

std::vector<Comment> comments_of(const ast::Ruleset& tree, const Source& source) {
  const std::string& text = source.text();
  std::vector<Span> spans;
  std::size_t pos = 0;
  for (const ast::Message* m : messages_of(tree)) {  // `#` in a message is text, except in its holes
    scan_code(text, pos, m->span.begin, spans);
    for (const auto& part : m->parts)
      if (part.expr) scan_code(text, part.span.begin + 1, part.span.end - 1, spans);
    pos = m->span.end;
  }
  scan_code(text, pos, text.size(), spans);
  std::vector<Comment> out;
  for (Span s : spans) {
    Comment c;
    c.span = s;
    c.text = text.substr(s.begin, s.end - s.begin);
    while (!c.text.empty() && (c.text.back() == ' ' || c.text.back() == '\t' || c.text.back() == '\r')) c.text.pop_back();
    std::size_t line_start = s.begin;
    while (line_start > 0 && text[line_start - 1] != '\n') --line_start;
    if (line_start == 0 && text.starts_with("\xEF\xBB\xBF")) line_start = 3;  // a byte order mark
    for (std::size_t i = line_start; i < s.begin; ++i)
      if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\f' && text[i] != '\v') c.trailing = true;
    out.push_back(std::move(c));
  }
  return out;
}

std::string format_ruleset(const ast::Ruleset& tree, const Source& source, const FormatOptions& options) {
  struct Restore {
    bool saved = reader_brackets;
    ~Restore() { reader_brackets = saved; }
  } restore;
  reader_brackets = options.reader_brackets;
  auto comments = comments_of(tree, source);
  Printer printer(source.text(), comments);
  printer.ruleset(tree);
  return printer.render();
}

std::string format_ruleset(std::shared_ptr<const Source> source) {
  ast::Ruleset tree = parse_ruleset(source);
  return format_ruleset(tree, *source);
}

bool same_syntax(const ast::Ruleset& a, const ast::Ruleset& b) {
  return same_text(a.name, b.name) && same_text(a.version, b.version) &&
         same_list(a.header, b.header,
                   [](const ast::HeaderClause& x, const ast::HeaderClause& y) {
                     if (x.kind != y.kind || x.expr.has_value() != y.expr.has_value()) return false;
                     return x.expr ? same_expr(*x.expr, *y.expr) : same_text(x.text, y.text);
                   }) &&
         same_list(a.declarations, b.declarations, same_declaration);
}

}  // namespace verdict::dsl
