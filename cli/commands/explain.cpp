// `verdict explain`: why one indicator has its verdict for one evidence file:
// each require with the value of every sub-expression drawn under it
// (power-assert style), where each evidence value came from, and which value
// of a dated parameter applied.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/evidence_files.hpp"
#include "cli/report.hpp"
#include "cli/stderr.hpp"
#include "dsl/lower.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace {

using engine::Expr;
using engine::Op;

// A ruleset file as the reader would name it: relative to the current
// folder when it is inside it (a catalogue's ruleset is found by an
// absolute path: `rulesets/ecei/ecei-minimum-2012.1.rules`, not
// `/home/…/rulesets/…`), else as it is.
std::string shown_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (!p.is_absolute()) return path;
  const fs::path rel = p.lexically_relative(fs::current_path(ec));
  if (ec || rel.empty() || *rel.begin() == "..") return path;
  return rel.string();
}

// A value as explain draws it. Numbers are written as evaluate writes them
// (six places at most, never rounder than they are); a share or a
// percentage (`percent`) also as a percentage, as messages give it: a
// share is 0.166667 (16.7%), but 0.75 FTE or 0.5 working days are not 75%
// or 50%.
std::string show(const engine::Value& v, bool percent = false) {
  using K = engine::Value::Kind;
  switch (v.kind()) {
    case K::list: return brief_value(v);  // a short list in full, a longer one by its length
    case K::number: {
      auto n = v.as_number();
      if (percent) return fmt::format("{} ({})", n.to_string(), n.to_percent());
      return n.to_string();
    }
    case K::string: return fmt::format("\"{}\"", v.as_string());
    default: return engine::to_display(v);
  }
}

// Which values are shares or percentages, so that explain writes them as
// percentages too: a share(…), a param or literal written as one (`90%`),
// evidence the schema formats as one (finance.private_share), what a let,
// an `if`, a `min`/`max` or a sum or difference of them gives, and what is
// compared with one (`x >= min_share`: x is read as a share as well).
class Percents {
 public:
  Percents(const engine::Program& program, const engine::Schema* schema, std::optional<engine::Date> as_of)
      : program_(program), schema_(schema), as_of_(as_of) {}

  bool of(const Expr& e, int depth = 0) {
    if (peers_.count(&e)) return true;
    if (depth > 64) return false;
    switch (e.op) {
      case Op::constant: {
        if (e.value.kind() != engine::Value::Kind::number) return false;
        const auto& src = program_.source_of(e.span);
        return src && src->ends_in_percent(e.span);
      }
      case Op::param: return param(e.index);
      case Op::let: {
        if (auto it = lets_.find(e.index); it != lets_.end()) return it->second;
        lets_[e.index] = false;  // (lets have no cycles; this only stops a walk that is too deep)
        const bool p = of(program_.lets[e.index].expr, depth + 1);
        lets_[e.index] = p;
        return p;
      }
      case Op::call:
        if (e.fn == engine::Builtin::share || e.fn == engine::Builtin::share_where) return true;
        if ((e.fn == engine::Builtin::min || e.fn == engine::Builtin::max) && e.args.size() == 2) return of(e.args[1], depth + 1);
        return false;
      case Op::if_: return e.args.size() == 3 && (of(e.args[1], depth + 1) || of(e.args[2], depth + 1));
      case Op::add:
      case Op::sub: return of(e.args[0], depth + 1) || of(e.args[1], depth + 1);
      case Op::negate: return of(e.args[0], depth + 1);
      case Op::evidence:
      case Op::field:
      case Op::index: {
        const engine::SchemaNode* n = schema_node(e, 0);
        return n && n->percent_format;
      }
      default: return false;
    }
  }

  bool param(std::uint32_t index) const {
    const auto& p = program_.params[index];
    const auto& chosen = engine::param_value(p, as_of_);
    for (const auto& d : p.values)
      if (&d.value == &chosen) return d.percent;
    return false;
  }

  // Marks the operands of comparisons under `root` that meet a percentage.
  void mark(const Expr& root) {
    const bool compares = root.op == Op::eq || root.op == Op::ne || root.op == Op::lt || root.op == Op::le ||
                          root.op == Op::gt || root.op == Op::ge ||
                          (root.op == Op::call && root.fn == engine::Builtin::between);
    if (compares && std::any_of(root.args.begin(), root.args.end(), [&](const Expr& a) { return of(a); }))
      for (const auto& a : root.args) peers_.insert(&a);
    for (const auto& a : root.args) mark(a);
  }

 private:
  // The schema node of an evidence path (participants, finance.private_share, attestations["3.1"]).
  const engine::SchemaNode* schema_node(const Expr& e, int depth) const {
    if (!schema_ || depth > 64) return nullptr;
    switch (e.op) {
      case Op::evidence: return schema_->root().property(e.name);
      case Op::field: {
        const engine::SchemaNode* n = schema_node(e.args[0], depth + 1);
        if (!n) return nullptr;
        if (const auto* p = n->property(e.name)) return p;
        return n->additional;
      }
      case Op::index: {
        const engine::SchemaNode* n = schema_node(e.args[0], depth + 1);
        if (!n || e.args[1].op != Op::constant) return nullptr;
        if (e.args[1].value.kind() == engine::Value::Kind::string) {
          if (const auto* p = n->property(e.args[1].value.as_string())) return p;
          return n->additional;
        }
        return n->items;
      }
      default: return nullptr;
    }
  }

  const engine::Program& program_;
  const engine::Schema* schema_;
  std::optional<engine::Date> as_of_;
  std::map<std::uint32_t, bool> lets_;
  std::set<const Expr*> peers_;
};

// A let's value under its definition; a list of records names its entries
// (their id, name or title), so that an assessor sees which participants or
// activities a `where` kept.
std::string let_value(const engine::Value& v, bool percent) {
  constexpr std::size_t kShown = 20, kWidth = 80;
  auto names = entry_names(v);
  // A longer list of values (the distinct regions) is named by its values.
  if (names.empty() && v.kind() == engine::Value::Kind::list && v.as_list().items.size() > 5 &&
      std::all_of(v.as_list().items.begin(), v.as_list().items.end(), [](const engine::Value& i) {
        return i.kind() != engine::Value::Kind::list && i.kind() != engine::Value::Kind::record;
      }))
    for (const auto& i : v.as_list().items) names.push_back(show(i));
  if (names.empty()) return fmt::format("    = {}\n", show(v, percent));
  const std::size_t shown = std::min(names.size(), kShown);
  std::string more = names.size() > shown ? fmt::format("… and {} more", names.size() - shown) : "";
  std::size_t width = 0, longest = 0;
  for (std::size_t k = 0; k < shown; ++k) {
    width += names[k].size() + 2;
    longest = std::max(longest, names[k].size());
  }
  std::string out = fmt::format("    = {}:", show(v));
  const bool commas = std::any_of(names.begin(), names.begin() + static_cast<long>(shown),
                                  [](const std::string& n) { return n.find(',') != std::string::npos; });
  if (width <= kWidth && !commas) {  // on the line of the count
    for (std::size_t k = 0; k < shown; ++k) out += (k ? ", " : " ") + names[k];
    return out + (more.empty() ? "" : " " + more) + "\n";
  }
  out += "\n";
  if (longest > 30 || commas) {  // titles, or names with commas: one a line
    for (std::size_t k = 0; k < shown; ++k) out += "        " + names[k] + "\n";
    return out + (more.empty() ? "" : "        " + more + "\n");
  }
  std::string line;  // ids: as many a line as fit
  for (std::size_t k = 0; k < shown; ++k) {
    std::string item = names[k] + (k + 1 < shown || !more.empty() ? "," : "");
    if (!line.empty() && line.size() + 1 + item.size() > kWidth) {
      out += "        " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + item;
  }
  if (!more.empty()) line += (line.empty() ? "" : " ") + more;
  return out + "        " + line + "\n";
}

// Whether args[k] of `e` is evaluated once per element (a where's
// predicate, the second argument of any, all, sum, min, max, distinct, share).
bool per_element_arg(const Expr& e, std::size_t k) {
  if (k != 1) return false;
  if (e.op == Op::where) return true;
  return e.op == Op::call && e.args.size() == 2 && e.fn != engine::Builtin::share && e.fn != engine::Builtin::between &&
         e.fn != engine::Builtin::latest && e.fn != engine::Builtin::earliest;
}

// `e` when it is a collection operation (a where, any(…), sum(…)…) whose
// entries explain can show one by one; null otherwise.
const Expr* top_collection_op(const Expr& e) {
  if (e.op == Op::where || (e.op == Op::call && per_element_arg(e, 1))) return &e;
  return nullptr;
}

// Each element of a collection operation with what decided it: for a
// `where`, whether it was kept, and the values of the predicate's parts.
std::string per_element(const Expr& op, const std::string& text, const std::vector<engine::ElementTrace>& elements,
                        std::size_t total, Percents& percents, std::vector<std::string>& origins) {
  if (elements.empty()) return {};
  const Expr& per = op.args[1];
  std::vector<std::string> names;
  for (std::size_t k = 0; k < elements.size(); ++k) {
    std::string n = entry_name(elements[k].element, k);
    if (n.empty()) n = elements[k].element.kind() == engine::Value::Kind::record ? fmt::format("#{}", k + 1)
                                                                                 : show(elements[k].element);
    if (n.size() > 32) n = n.substr(0, 31) + "…";
    names.push_back(std::move(n));
  }
  // Names cut short may meet: then each says its place too.
  std::map<std::string, int> seen;
  for (const auto& n : names) ++seen[n];
  std::size_t width = 0;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (seen[names[k]] > 1) names[k] += fmt::format(" (#{})", k + 1);
    width = std::max(width, names[k].size());
  }
  // The parts shown: the predicate's own operands (through a chain of
  // `and` or of `or`, each condition of it), not constants, params or
  // per-element arguments of its own (evaluated per inner element).
  // Only parts that read the entry: one that is the same for every entry
  // (a let, a list) explains nothing. A field of the entry (`.in_sector`,
  // `p.committed`) is its own value: no parts.
  std::function<bool(const Expr&)> reads_entry = [&](const Expr& e) {
    if (e.op == Op::element && e.index == 0) return true;
    return std::any_of(e.args.begin(), e.args.end(), [&](const Expr& a) { return reads_entry(a); });
  };
  std::vector<const Expr*> parts;
  std::function<void(const Expr&)> collect = [&](const Expr& e) {
    for (std::size_t k = 0; k < e.args.size(); ++k) {
      const Expr& a = e.args[k];
      if (a.op == Op::element || per_element_arg(e, k) || !reads_entry(a)) continue;
      if ((e.op == Op::and_ || e.op == Op::or_) && a.op == e.op) collect(a);
      else parts.push_back(&a);
    }
  };
  if (per.op != Op::field && per.op != Op::index && per.op != Op::element) collect(per);
  auto source = [&](const Expr& e) {  // with the parentheses of `not (…)` it stops short of
    std::size_t begin = e.span.begin, end = std::min<std::size_t>(e.span.end, text.size());
    if (begin >= end) return std::string();
    dsl::widen_to_parentheses(text, begin, end);
    return one_line(std::string_view(text).substr(begin, end - begin));
  };
  auto plain = [&](const engine::Value& v, const Expr& e) {  // a sum of 0.5 days is 0.5, not 50%
    return show(v, percents.of(e));
  };
  // Evidence read alike for every entry (strategy.document.covers in
  // `. in strategy.document.covers`) is in no column: its value is given
  // once, above the entries, and it is evidence read.
  std::function<bool(const Expr&)> is_path = [&](const Expr& e) {
    if (e.op == Op::evidence) return true;
    if (e.op == Op::field) return is_path(e.args[0]);
    if (e.op == Op::index) return e.args[1].op == Op::constant && is_path(e.args[0]);
    return false;
  };
  std::vector<const Expr*> common;
  std::function<void(const Expr&)> find_common = [&](const Expr& e) {
    if (is_path(e)) {
      common.push_back(&e);
      return;
    }
    for (std::size_t k = 0; k < e.args.size(); ++k)
      if (!per_element_arg(e, k)) find_common(e.args[k]);
  };
  find_common(per);
  std::string out;
  for (const Expr* c : common) {
    for (const auto& t : elements.front().entries) {
      if (t.expr == c) out += fmt::format("    for every entry, {} = {}\n", source(*c), show(t.value, percents.of(*c)));
      const bool part_of_path = t.expr->span.file == c->span.file && t.expr->span.begin >= c->span.begin &&
                                t.expr->span.end <= c->span.end;  // the path or a path it goes through
      if (part_of_path && !t.origin.empty() && std::find(origins.begin(), origins.end(), t.origin) == origins.end())
        origins.push_back(t.origin);
    }
  }
  out += fmt::format("    each entry{}", elements.size() < total ? fmt::format(" (the first {} of {})", elements.size(), total) : "");
  if (parts.size() == 1) {
    out += fmt::format(", with {}:\n", source(*parts.front()));
  } else if (!parts.empty()) {
    out += ", with:\n";
    for (std::size_t k = 0; k < parts.size(); ++k) out += fmt::format("      ({}) {}\n", k + 1, source(*parts[k]));
  } else {
    out += ":\n";
  }
  // Each row's result and values first, so that the columns line up.
  std::vector<std::string> results(elements.size(), "?");
  std::vector<std::vector<std::string>> values(elements.size());
  std::vector<std::size_t> widths(parts.size(), 0);
  for (std::size_t k = 0; k < elements.size(); ++k) {
    std::map<const Expr*, const engine::Value*> at;
    for (const auto& t : elements[k].entries) at.try_emplace(t.expr, &t.value);
    if (auto it = at.find(&per); it != at.end()) {
      const engine::Value& v = *it->second;
      if (op.op == Op::where && v.kind() == engine::Value::Kind::boolean) results[k] = v.as_bool() ? "kept" : "left out";
      else if (op.op == Op::where && v.is_unknown()) results[k] = "unknown";
      else results[k] = plain(v, per);
    }
    for (std::size_t p = 0; p < parts.size(); ++p) {
      auto it = at.find(parts[p]);
      values[k].push_back(it == at.end() ? "not evaluated" : plain(*it->second, *parts[p]));
      widths[p] = std::max(widths[p], values[k].back().size());
    }
  }
  for (std::size_t k = 0; k < elements.size(); ++k) {
    std::string line = fmt::format("      {:<{}}  {:<8}", names[k], width, results[k]);
    for (std::size_t p = 0; p < parts.size(); ++p)
      line += parts.size() == 1 ? "  " + values[k][p] : fmt::format("  ({}) {:<{}}", p + 1, values[k][p], widths[p]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

bool inside(Span inner, Span outer) {
  return inner.file == outer.file && inner.begin >= outer.begin && inner.end <= outer.end;
}

// The column a node's value is drawn under: a binary operator's own symbol,
// otherwise the node's first character.
std::uint32_t anchor(const Expr& e, const std::string& text) {
  bool binary = e.args.size() == 2 && e.op != Op::call && e.op != Op::index && e.op != Op::where && e.op != Op::field;
  if (binary) {
    std::uint32_t p = e.args[0].span.end;
    // (past the closing parentheses a span may leave out, as `not (A or B)`'s does)
    while (p < e.args[1].span.begin && p < text.size() && (std::isspace(static_cast<unsigned char>(text[p])) || text[p] == ')'))
      ++p;
    if (p < e.args[1].span.begin) return p;
  }
  if (e.op == Op::where) {
    auto p = text.find("where", e.args[0].span.end);
    if (p != std::string::npos && p < e.args[1].span.begin) return static_cast<std::uint32_t>(p);
  }
  return e.span.begin;
}

struct Node {
  std::uint32_t column;  // relative to the condition's first character
  std::uint32_t width;
  std::string value;
};

std::string power_assert(const std::string& condition, std::vector<Node> nodes, const std::string& indent) {
  std::sort(nodes.begin(), nodes.end(), [](const Node& a, const Node& b) { return a.column < b.column; });
  // One value per column: the outermost node (the widest) keeps it.
  std::vector<Node> uniq;
  for (const auto& n : nodes) {
    if (!uniq.empty() && uniq.back().column == n.column) {
      if (n.width > uniq.back().width) uniq.back() = n;
      continue;
    }
    uniq.push_back(n);
  }
  std::string out = indent + condition + "\n";
  if (uniq.empty()) return out;  // nothing traced under it (a literal, or not evaluated)
  auto bars = [&](std::size_t upto) {
    std::string row;
    for (std::size_t i = 0; i < upto; ++i) {
      if (row.size() < uniq[i].column) row += std::string(uniq[i].column - row.size(), ' ');
      row += "|";
    }
    return row;
  };
  out += indent + bars(uniq.size()) + "\n";
  for (std::size_t k = uniq.size(); k-- > 0;) {
    std::string row = bars(k);
    if (row.size() < uniq[k].column) row += std::string(uniq[k].column - row.size(), ' ');
    row += uniq[k].value;
    out += indent + row + "\n";
  }
  return out;
}

// What drawing an expression read: params, lets and evidence origins.
struct Reads {
  std::set<std::uint32_t> params, lets;
  std::vector<std::string> origins;
};

// Draws `root` (source text `text`) with the traced value of every
// sub-expression: power-assert style when it is on one line, otherwise as a
// list of sub-expressions and their values.
// `shown` is the text printed for the root (a require's whole source, with
// the parentheses around its first or last operand); its span's text when empty.
std::string draw(const Expr& root, const std::string& text, const std::map<const Expr*, const engine::TraceEntry*>& value_of,
                 Reads& reads, Percents& percents, const std::string& shown = {}) {
  percents.mark(root);
  const std::string source = shown.empty() ? text.substr(root.span.begin, root.span.end - root.span.begin) : shown;
  const bool one_line = source.find('\n') == std::string::npos;
  std::vector<Node> nodes;
  struct Listed {
    Span span;
    std::string text, value;
  };
  std::vector<Listed> listed;
  // A sub-expression's text on one line, with the parentheses its span
  // leaves out (`not (A < B)`'s span stops before the `)`).
  auto source_of = [&](const Expr& e) {
    std::size_t begin = e.span.begin, end = std::min<std::size_t>(e.span.end, text.size());
    if (begin >= end) return std::string();
    dsl::widen_to_parentheses(text, begin, end);
    return cli::one_line(std::string_view(text).substr(begin, end - begin));
  };
  // Columns under the condition are display widths (中 takes two), from
  // where the printed text starts: the text as written may open with a
  // parenthesis the root's span leaves out (`(A) and B`).
  std::size_t start = root.span.begin, stop = root.span.end;
  if (!shown.empty()) {
    dsl::widen_to_parentheses(text, start, stop);
    if (std::string_view(text).substr(start, stop - start) != shown) start = root.span.begin;
  }
  auto column_of = [&](std::uint32_t at) {
    return static_cast<std::uint32_t>(at >= start ? display_width(std::string_view(text).substr(start, at - start)) : 0);
  };
  for (const auto& [expr, entry] : value_of) {
    if (!inside(expr->span, root.span)) continue;
    if (expr->op == Op::param) reads.params.insert(expr->index);
    if (expr->op == Op::let) reads.lets.insert(expr->index);
    if (!entry->origin.empty() && std::find(reads.origins.begin(), reads.origins.end(), entry->origin) == reads.origins.end())
      reads.origins.push_back(entry->origin);
    if (expr->op == Op::constant) continue;
    auto col = anchor(*expr, text);
    if (col < root.span.begin || col >= root.span.end) continue;
    if (one_line)
      nodes.push_back({column_of(col), expr->span.end - expr->span.begin, show(entry->value, percents.of(*expr))});
    else if (entry->value.kind() != engine::Value::Kind::record)  // a record on the way to a field says nothing
      listed.push_back({expr->span, source_of(*expr), show(entry->value, percents.of(*expr))});
  }
  // Operands that Kleene logic or `if` did not need (`true or X`): drawn as
  // not evaluated rather than left out. Per-element arguments are evaluated
  // per element and are not traced, so they are not marked.
  std::function<void(const Expr&)> skipped = [&](const Expr& e) {
    for (std::size_t k = 0; k < e.args.size(); ++k) {
      const Expr& a = e.args[k];
      if (per_element_arg(e, k) || a.op == Op::constant || !inside(a.span, root.span)) continue;
      if (value_of.count(&a)) {
        skipped(a);
        continue;
      }
      const auto col = anchor(a, text);
      if (col < root.span.begin || col >= root.span.end) continue;
      if (one_line)
        nodes.push_back({column_of(col), a.span.end - a.span.begin, "not evaluated"});
      else
        listed.push_back({a.span, source_of(a), "not evaluated (not needed for the result)"});
    }
  };
  if (value_of.count(&root)) skipped(root);
  if (one_line) return power_assert(source, nodes, "    ");
  // Too long for one line: the sub-expressions in the order they are
  // written, each under the one it is part of.
  // Its lines after the first were indented for where it starts in the
  // file, after `let NAME = ` (an operator under the first operand), or
  // for the statement (a `where` two columns in): drawn here from the
  // expression's first column, they keep their place relative to it.
  std::size_t line_start = start;
  while (line_start > 0 && text[line_start - 1] != '\n') --line_start;
  const std::size_t shift = utf8_columns(std::string_view(text).substr(line_start, start - line_start));
  std::size_t statement = 0;
  while (line_start + statement < start && text[line_start + statement] == ' ') ++statement;
  // One offset for every line after the first, so that they keep their
  // places relative to each other (an `and` under the `or (` it belongs
  // to): the expression's column when none starts left of it, else the
  // statement's.
  auto spaces_of = [](std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && line[n] == ' ') ++n;
    return n;
  };
  bool under_expression = true;
  for (std::size_t at = source.find('\n'); at != std::string::npos; at = source.find('\n', at + 1)) {
    std::string_view rest = std::string_view(source).substr(at + 1);
    rest = rest.substr(0, rest.find('\n'));
    if (spaces_of(rest) < rest.size() && spaces_of(rest) < shift) under_expression = false;
  }
  const std::size_t offset = under_expression ? shift : statement;
  std::string out;
  std::size_t from = 0;
  for (bool first = true; from <= source.size(); first = false) {
    const std::size_t nl = std::min(source.find('\n', from), source.size());
    std::string_view line = std::string_view(source).substr(from, nl - from);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // a file with CRLF line ends
    std::size_t indent = 0;
    if (!first) {
      const std::size_t spaces = spaces_of(line);
      line.remove_prefix(spaces);
      indent = spaces > offset ? spaces - offset : 0;
    }
    out += fmt::format("    {}{}\n", std::string(indent, ' '), line);
    from = nl + 1;
  }
  std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
    return a.span.begin != b.span.begin ? a.span.begin < b.span.begin : a.span.end > b.span.end;
  });
  std::vector<Span> open;  // the entries that contain the current one
  for (const auto& l : listed) {
    if (l.span.begin == root.span.begin && l.span.end == root.span.end) continue;  // the require itself: its result is above
    while (!open.empty() && !inside(l.span, open.back())) open.pop_back();
    out += fmt::format("      {}{}  =  {}\n", std::string(2 * open.size(), ' '), l.text, l.value);
    open.push_back(l.span);
  }
  return out;
}

}  // namespace

int run_explain(const ExplainArgs& args, const SearchOptions& search, bool color) {
  const std::optional<engine::Date> as_of = parse_as_of(args.as_of);
  LoadedRuleset ruleset = load_ruleset(args.ruleset, search, color);
  const engine::Indicator* ind = nullptr;
  std::vector<std::string> ids;
  for (const auto& i : ruleset.program.indicators) {
    ids.push_back(i.id);
    if (i.id == args.indicator) ind = &i;
  }
  if (!ind) {
    // `explain -r R 2.6 file.yaml`: the two the other way round.
    if (std::find(ids.begin(), ids.end(), args.evidence) != ids.end())
      throw UserError(Exit::usage, fmt::format("the evidence comes first, then the indicator: verdict explain -r REF "
                                               "EVIDENCE INDICATOR, here '{}' then '{}'",
                                               args.indicator, args.evidence));
    // An indicator the ruleset removes is named as removed, not as a typo of another.
    const std::string removed = ruleset.program.removed_note(args.indicator);
    // Listed in the order of their ids (1.2 before 2.1, 2.2.1 after 2.1), as the reports show them.
    std::stable_sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) { return engine::compare_versions(a, b) < 0; });
    std::string hint;
    if (removed.empty()) {
      // A section's id (2.2, 4.1) means one of the indicators in it, not the
      // id a letter away (1.2).
      std::vector<std::string> within;
      for (const auto& id : ids)
        if (id.size() > args.indicator.size() + 1 && id.compare(0, args.indicator.size(), args.indicator) == 0 &&
            id[args.indicator.size()] == '.')
          within.push_back("'" + id + "'");
      if (within.size() == 1) hint = fmt::format(" (did you mean {}?)", within.front());
      else if (!within.empty()) hint = fmt::format(" (did you mean one of {}?)", join(within, ", "));
      else if (auto near = did_you_mean(args.indicator, ids); !near.empty()) hint = fmt::format(" (did you mean '{}'?)", near);
    }
    throw UserError(Exit::usage, fmt::format("{}@{} has no indicator '{}'{}{}; its indicators: {}", ruleset.info.name,
                                             ruleset.info.version, args.indicator, removed, hint, join(ids, ", ")));
  }
  // One file is explained; a folder is what evaluate takes.
  if (std::error_code ec; std::filesystem::is_directory(args.evidence, ec))
    throw UserError(Exit::usage, fmt::format("{} is a folder; explain takes one evidence file (evaluate takes folders)",
                                             args.evidence));
  FileOutcome failure;
  auto evidence = load_evidence_file(args.evidence, ruleset, args.limits, failure, color);
  if (!evidence) {
    print_err("{}", failure.error_text);
    return failure.unreadable ? Exit::no_input : Exit::data_error;
  }
  std::vector<engine::TraceEntry> trace;
  engine::EvalOptions options;
  options.as_of = as_of;
  options.step_budget = args.limits.max_steps;
  options.trace = &trace;
  // The indicator explained alone: an evaluation error in another does not stop it.
  options.only_indicator = static_cast<std::uint32_t>(ind - ruleset.program.indicators.data());
  engine::EvaluationResult result;
  try {
    result = engine::evaluate(ruleset.program, *evidence, options);
  } catch (const engine::EvalError& e) {
    print_err("{}", render(Diagnostic{Severity::error, "eval_error", e.what(), ruleset.program.source_of(e.span), e.span, {}}, {color}));
    return Exit::data_error;
  }
  const engine::IndicatorResult* r = nullptr;
  for (const auto& i : result.indicators)
    if (i.id == ind->id) r = &i;

  Percents percents(ruleset.program, ruleset.schema.get(), result.as_of);
  // First value seen for each node (a node evaluated again keeps its value).
  std::map<const Expr*, const engine::TraceEntry*> value_of;
  for (const auto& t : trace) value_of.try_emplace(t.expr, &t);

  // A collection operation at the top of a require or let: each of its
  // first elements, with what decided it.
  constexpr std::size_t kElements = 20;
  std::vector<std::string> origins;  // evidence read alike for every entry of a collection operation
  auto elements_of = [&](const Expr& e, const std::string& text) -> std::string {
    const Expr* op = top_collection_op(e);
    if (!op) return {};
    auto c = value_of.find(&op->args[0]);
    if (c == value_of.end() || c->second->value.kind() != engine::Value::Kind::list) return {};
    try {
      auto elements = engine::trace_elements(ruleset.program, *evidence, options, *op, kElements);
      return per_element(*op, text, elements, c->second->value.as_list().items.size(), percents, origins);
    } catch (const engine::EvalError&) {
      return {};  // the evaluation above succeeded; an element's own trace is a bonus
    }
  };

  // Whether a level's condition came out unknown (then the indicator has no
  // level, for want of evidence).
  bool level_unknown = false;
  for (const auto& level : ind->levels)
    if (auto it = value_of.find(&level.when); it != value_of.end() && it->second->value.is_unknown()) level_unknown = true;
  bool score_unknown = false;  // (a score may also be null: known, and none)
  if (ind->score && !r->score) {
    auto it = value_of.find(&*ind->score);
    score_unknown = it == value_of.end() || it->second->value.is_unknown();
  }
  std::string graded;  // a graded indicator's level and score
  if (r->level) graded += fmt::format("level {}", *r->level);
  else if (level_unknown) graded += "level unknown";
  if (r->score)
    graded += fmt::format("{}score {}{}", graded.empty() ? "" : ", ", r->score->to_string(),
                          r->score_of ? " of " + r->score_of->to_string() : "");
  else if (ind->score)  // unknown, or null (a score that gives none)
    graded += fmt::format("{}{}", graded.empty() ? "" : ", ", score_unknown ? "score unknown" : "no score");
  std::string out = fmt::format("{} {} — {}{}\n", ind->id, ind->title, engine::to_string(r->verdict),
                                graded.empty() ? "" : " (" + graded + ")");
  out += fmt::format("ruleset {}@{}, evidence {}, {}\n", ruleset.info.name, ruleset.info.version, args.evidence,
                     as_of_text(result.as_of));
  for (std::size_t k = 0; k < ind->cites.size(); ++k) out += fmt::format("{}{}\n", k ? "       " : "cites: ", ind->cites[k]);
  Reads reads;  // everything the requires and their lets read
  for (std::size_t k = 0; k < ind->checks.size(); ++k) {
    const auto& check = ind->checks[k];
    const auto& cr = r->checks[k];
    const auto& src = ruleset.program.source_of(check.expr.span);
    std::string text = src ? src->text() : std::string();
    // An inherited require is in its base's file: name it, as a let's place is named.
    const std::string where = check.expr.span.file != 0 && src ? fmt::format("{}:{}", src->name(), check.line)
                                                               : fmt::format("line {}", check.line);
    out += fmt::format("\n{} require ({}) is {}\n", cr.result == true ? "✔" : cr.result == false ? "✘" : "?", where,
                       cr.result ? (*cr.result ? "true" : "false") : "unknown");
    out += draw(check.expr, text, value_of, reads, percents, check.source);
    out += elements_of(check.expr, text);
    if (cr.message) out += fmt::format("    message: {}\n", *cr.message);
    if (cr.gap) out += fmt::format("    to pass: {}\n", *cr.gap);
    if (!cr.missing.empty()) out += fmt::format("    missing evidence: {}\n", join(cr.missing, ", "));
    if (cr.unknown_because) out += fmt::format("    unknown because {}\n", *cr.unknown_because);
  }
  // A graded indicator: its score and the levels' conditions, drawn the same way.
  if (ind->score) {
    const auto& src = ruleset.program.source_of(ind->score->span);
    out += fmt::format("\nscore = {}\n", r->score ? r->score->to_string() : score_unknown ? "unknown" : "null (no score)");
    out += draw(*ind->score, src ? src->text() : std::string(), value_of, reads, percents);
  }
  // Levels are tried in order; the first whose condition holds is the level,
  // and none is while one before is unknown.
  std::vector<std::string> untried;
  bool stopped_unknown = false;
  for (const auto& level : ind->levels) {
    auto it = value_of.find(&level.when);
    if (it == value_of.end()) {
      untried.push_back(level.name);
      continue;
    }
    const auto& src = ruleset.program.source_of(level.when.span);
    out += fmt::format("\nlevel {}: its condition is {}\n", level.name, show(it->second->value));
    stopped_unknown = it->second->value.is_unknown();
    out += draw(level.when, src ? src->text() : std::string(), value_of, reads, percents);
  }
  if (!untried.empty())
    out += fmt::format("\nlevels not tried ({}): {}\n",
                       stopped_unknown ? "a level before them is unknown, so which comes first is unknown: no level"
                                       : "a level before them holds",
                       join(untried, ", "));
  // What the score or level lacks, when the requires do not already say it.
  if (score_unknown || level_unknown) {
    std::vector<std::string> lacking;
    for (const auto& m : r->missing) {
      bool said = false;
      for (const auto& cr : r->checks) said |= std::find(cr.missing.begin(), cr.missing.end(), m) != cr.missing.end();
      if (!said) lacking.push_back(m);
    }
    if (!lacking.empty()) out += fmt::format("\nmissing evidence (score, level): {}\n", join(lacking, ", "));
  }
  // Lets and params read inside a collection operation of a require, the
  // score or a level (`all(datasets, .size <= limit)`) are not traced per
  // element, but they are part of the explanation, as they are in a let.
  std::function<void(const Expr&)> read_by = [&](const Expr& e) {
    if (e.op == Op::let) reads.lets.insert(e.index);
    if (e.op == Op::param) reads.params.insert(e.index);
    for (const auto& a : e.args) read_by(a);
  };
  for (const auto& check : ind->checks) read_by(check.expr);
  if (ind->score) read_by(*ind->score);
  for (const auto& level : ind->levels) read_by(level.when);
  // The lets the requires read, and the lets those read, each drawn the same way.
  if (!reads.lets.empty()) {
    out += "\nlets:\n";
    std::vector<std::uint32_t> queue(reads.lets.begin(), reads.lets.end());
    std::set<std::uint32_t> shown;
    while (!queue.empty()) {
      auto i = queue.front();
      queue.erase(queue.begin());
      if (!shown.insert(i).second) continue;
      const auto& let = ruleset.program.lets[i];
      const auto& src = ruleset.program.source_of(let.expr.span);
      std::string text = src ? src->text() : std::string();
      out += fmt::format("  let {}   ({}:{})\n", let.name, src ? shown_path(src->name()) : "?", src ? src->line_of(let.span.begin) : 0);
      Reads read;
      std::string drawn = draw(let.expr, text, value_of, read, percents);
      reads.params.insert(read.params.begin(), read.params.end());
      for (auto l : read.lets)
        if (!shown.count(l)) queue.push_back(l);
      for (auto& o : read.origins)
        if (std::find(reads.origins.begin(), reads.origins.end(), o) == reads.origins.end()) reads.origins.push_back(o);
      // Lets and params read inside collection operations are not traced
      // per element, but they are still part of the explanation.
      std::function<void(const Expr&)> walk = [&](const Expr& e) {
        if (e.op == Op::let && !shown.count(e.index)) queue.push_back(e.index);
        if (e.op == Op::param) reads.params.insert(e.index);
        for (const auto& a : e.args) walk(a);
      };
      walk(let.expr);
      out += drawn;
      // A let only what was not evaluated reads (a `where` over an unknown
      // list) has no value: said so, as for an operand not needed.
      if (auto it = value_of.find(&let.expr); it != value_of.end()) out += let_value(it->second->value, percents.of(let.expr));
      else out += "    = not evaluated (not needed for the result)\n";
      out += elements_of(let.expr, text);
    }
  }
  if (!reads.params.empty()) {
    out += "\nparams:\n";
    for (auto i : reads.params) {
      const auto& p = ruleset.program.params[i];
      const auto& chosen = engine::param_value(p, result.as_of);
      out += fmt::format("  {} = {}", p.name, chosen.kind() == engine::Value::Kind::list ? engine::to_display(chosen) : show(chosen, percents.param(i)));
      if (p.values.size() > 1) {
        std::string which = "the first value (before every dated one)";
        for (const auto& d : p.values)
          if (d.from && result.as_of && *d.from <= *result.as_of) which = "the value from " + engine::to_string(*d.from);
        out += fmt::format("   dated: {} applies {}", which,
                           result.as_of ? "on " + engine::to_string(*result.as_of) : "(no reference date)");
      }
      if (!p.doc.empty()) out += fmt::format("\n      {}", p.doc);
      out += "\n";
    }
  }
  for (auto& o : origins)
    if (std::find(reads.origins.begin(), reads.origins.end(), o) == reads.origins.end()) reads.origins.push_back(o);
  if (!reads.origins.empty()) {
    out += "\nevidence read:\n";
    for (const auto& o : reads.origins) out += fmt::format("  {}\n", o);
  }
  fmt::print("{}", terminal_text(out));  // no colour in it: evidence text cannot reach the terminal raw
  return r->verdict == engine::Verdict::pass ? Exit::ok : r->verdict == engine::Verdict::fail ? Exit::failed : Exit::undecided;
}

}  // namespace verdict::cli
