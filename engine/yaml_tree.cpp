#include "engine/yaml_tree.hpp"

#include <optional>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "engine/text.hpp"
#include "engine/yaml_events.hpp"

namespace verdict::engine {

const YamlNode* YamlNode::get(std::string_view key) const {
  if (kind != Kind::mapping) return nullptr;
  for (std::size_t i = 0; i + 1 < children.size(); i += 2)
    if (children[i].text == key) return &children[i + 1];
  return nullptr;
}

Span YamlNode::span() const {
  std::uint32_t len = 1;
  if (kind == Kind::scalar) len = static_cast<std::uint32_t>(text.size()) + (plain ? 0 : 2);
  return {offset, offset + std::max<std::uint32_t>(len, 1)};
}

namespace {

std::size_t subtree_size(const YamlNode& n) {
  std::size_t s = 1;
  for (const auto& c : n.children) s += subtree_size(c);
  return s;
}

class TreeBuilder final : public yaml_events::DocumentHandler {
public:
  TreeBuilder(const std::shared_ptr<const Source>& src, const YamlLimits& limits) : src_(src), limits_(limits) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode n = make(mark, YamlNode::Kind::null);
    finish(std::move(n), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) error(mark, "alias to an unknown anchor");
    // An alias is a copy; count what it expands to so an alias bomb stops early.
    nodes_ += it->second.second;
    if (nodes_ > limits_.max_nodes)
      error(mark, fmt::format("aliases expand to more than {} nodes (limit max_nodes; raise it with --max-nodes)",
                              limits_.max_nodes));
    YamlNode copy = it->second.first;
    copy.offset = static_cast<std::uint32_t>(mark.pos);
    copy.line = static_cast<std::uint32_t>(mark.line + 1);
    copy.column = static_cast<std::uint32_t>(mark.column + 1);
    finish(std::move(copy), 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    if (value.size() > limits_.max_scalar_bytes) error(mark, yaml_events::scalar_too_long(value.size(), limits_));
    if (auto why = yaml_events::unsupported_tag(tag, true); !why.empty()) error(mark, std::move(why));
    if (yaml_events::is_plain(tag) && value == "<<" && !stack_.empty() &&
        stack_.back().node.kind == YamlNode::Kind::mapping && children_of(stack_.back()) % 2 == 0)
      error(mark, yaml_events::merge_key_message);
    YamlNode n = make(mark, YamlNode::Kind::scalar);
    if (!yaml_events::is_plain(tag)) yaml_events::check_quote_closed(src_, n.offset);
    n.plain = yaml_events::typed_as_plain(tag);
    n.text = value;
    if (yaml_events::is_null_scalar(tag, value)) n.kind = YamlNode::Kind::null;
    finish(std::move(n), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    if (auto why = yaml_events::unsupported_tag(tag, false); !why.empty()) error(mark, std::move(why));
    open(mark, YamlNode::Kind::sequence, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    if (auto why = yaml_events::unsupported_tag(tag, false); !why.empty()) error(mark, std::move(why));
    open(mark, YamlNode::Kind::mapping, anchor);
  }
  void OnMapEnd() override { close(); }

  bool has_root() const override { return root_.has_value(); }
  std::uint32_t root_offset() const override { return root_ ? root_->offset : 0; }
  YamlNode take_root() { return std::move(*root_); }

private:
  struct Open {
    YamlNode node;
    YAML::anchor_t anchor;
    // A mapping's keys with their lines, to find a duplicate.
    yaml_events::KeyLines keys;
    // Where its children start in pending_: they are collected there and
    // moved into the node, in one allocation, when it closes.
    std::size_t first = 0;
  };

  // The children of the open node `open` collected so far.
  std::size_t children_of(const Open& open) const { return pending_.size() - open.first; }

  [[noreturn]] void error(const YAML::Mark& mark, std::string message) {
    throw DiagnosticError(Diagnostic{Severity::error, "evidence_error", std::move(message), src_,
                                     {static_cast<std::uint32_t>(mark.pos), static_cast<std::uint32_t>(mark.pos) + 1}, {}});
  }
  [[noreturn]] void error_at(const YamlNode& n, std::string message) {
    throw DiagnosticError(Diagnostic{Severity::error, "evidence_error", std::move(message), src_, n.span(), {}});
  }

  YamlNode make(const YAML::Mark& mark, YamlNode::Kind kind) {
    if (++nodes_ > limits_.max_nodes)
      error(mark, yaml_events::too_many_nodes(limits_));
    YamlNode n;
    n.kind = kind;
    n.offset = static_cast<std::uint32_t>(mark.pos);
    n.line = static_cast<std::uint32_t>(mark.line + 1);
    n.column = static_cast<std::uint32_t>(mark.column + 1);
    return n;
  }

  void open(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      error(mark, yaml_events::too_deep(limits_));
    stack_.push_back({make(mark, kind), anchor, {}, pending_.size()});
  }

  void close() {
    Open top = std::move(stack_.back());
    stack_.pop_back();
    const auto first = pending_.begin() + static_cast<std::ptrdiff_t>(top.first);
    top.node.children.assign(std::make_move_iterator(first), std::make_move_iterator(pending_.end()));
    pending_.erase(first, pending_.end());
    finish(std::move(top.node), top.anchor);
  }

  void finish(YamlNode n, YAML::anchor_t anchor) {
    if (anchor) anchors_[anchor] = {n, subtree_size(n)};
    if (stack_.empty()) {
      root_ = std::move(n);
      return;
    }
    const YamlNode& parent = stack_.back().node;
    const std::size_t siblings = children_of(stack_.back());
    if (parent.kind == YamlNode::Kind::mapping) {
      bool is_key = siblings % 2 == 0;
      if (is_key) {
        if (n.kind == YamlNode::Kind::sequence || n.kind == YamlNode::Kind::mapping)
          error_at(n, yaml_events::key_not_scalar);
        if (const auto first = stack_.back().keys.add(n.text, n.line)) error_at(n, yaml_events::duplicate_key(n.text, first));
      }
      if (siblings / 2 >= limits_.max_items) error_at(n, yaml_events::too_many_entries(limits_));
    } else if (siblings >= limits_.max_items) {
      error_at(n, yaml_events::too_many_items(limits_));
    }
    pending_.push_back(std::move(n));
  }

  std::shared_ptr<const Source> src_;
  const YamlLimits& limits_;
  std::vector<Open> stack_;
  std::vector<YamlNode> pending_;  // the children of the open nodes, innermost last
  std::optional<YamlNode> root_;
  std::unordered_map<YAML::anchor_t, std::pair<YamlNode, std::size_t>> anchors_;
  std::size_t nodes_ = 0;
};

}  // namespace

std::string too_large_message(std::uintmax_t size, const YamlLimits& limits) {
  // A size of std::uintmax_t(-1) is not known (a pipe, or the size could not be read);
  // one within the limit is not the file's (files of /proc say 0).
  const std::string has = size == std::uintmax_t(-1) || size <= limits.max_bytes ? std::string("the file is longer than")
                                                      : fmt::format("the file has {} bytes, more than", size);
  return fmt::format("{} the limit of {} bytes (limit max_bytes; raise it with --max-evidence-bytes)", has, limits.max_bytes);
}

namespace yaml_events {

std::string unsupported_tag(const std::string& tag, bool scalar) {
  if (tag.empty() || tag == "?" || tag == "!") return {};
  constexpr std::string_view core = "tag:yaml.org,2002:";
  const bool is_core = tag.size() > core.size() && tag.compare(0, core.size(), core) == 0;
  const std::string type = is_core ? tag.substr(core.size()) : std::string();
  if (scalar && (type == "str" || type == "int" || type == "float" || type == "bool" || type == "null")) return {};
  if (!scalar && (type == "map" || type == "seq")) return {};
  const std::string written = is_core ? "!!" + type : tag.starts_with("!") ? tag : "!<" + tag + ">";
  return fmt::format("the YAML tag {} is not supported here: evidence holds plain values (a scalar may be tagged "
                     "!!str, !!int, !!float, !!bool or !!null, a mapping !!map, a list !!seq)",
                     terminal_text(written));
}

const char* const merge_key_message =
    "a merge key '<<' is not supported: write the keys out (an alias such as *name may stand for a whole value)";

std::string too_deep(const YamlLimits& limits) {
  return fmt::format("nesting deeper than {} levels (limit max_depth; raise it with --max-depth)", limits.max_depth);
}
std::string too_many_nodes(const YamlLimits& limits) {
  return fmt::format("more than {} nodes (limit max_nodes; raise it with --max-nodes)", limits.max_nodes);
}
std::string scalar_too_long(std::size_t size, const YamlLimits& limits) {
  return fmt::format("a scalar of {} bytes is longer than the limit of {} bytes (limit max_scalar_bytes; raise it with "
                     "--max-scalar-bytes)",
                     size, limits.max_scalar_bytes);
}
std::string too_many_entries(const YamlLimits& limits) {
  return fmt::format("more than {} entries in one mapping (limit max_items; raise it with --max-items)", limits.max_items);
}
std::string too_many_items(const YamlLimits& limits) {
  return fmt::format("more than {} items in one list (limit max_items; raise it with --max-items)", limits.max_items);
}
std::string duplicate_key(std::string_view key, std::uint32_t first_line) {
  return fmt::format("duplicate key '{}' (first written on line {})", key, first_line);
}

std::uint32_t KeyLines::add(std::string_view key, std::uint32_t line) {
  if (many_.empty()) {
    for (const auto& [k, l] : few_)
      if (k == key) return l;
    if (few_.size() < kScan) {
      few_.emplace_back(key, line);
      return 0;
    }
    for (auto& [k, l] : few_) many_.emplace(std::move(k), l);
    few_.clear();
  }
  auto [it, fresh] = many_.emplace(key, line);
  return fresh ? 0 : it->second;
}

bool KeyLines::contains(std::string_view key) const {
  for (const auto& [k, l] : few_)
    if (k == key) return true;
  return !many_.empty() && many_.count(std::string(key)) != 0;
}

void check_quote_closed(const std::shared_ptr<const Source>& source, std::uint32_t offset) {
  const std::string& text = source->text();
  std::size_t at = offset;
  // A tag or an anchor may come first: `!!str "…"`, `&name '…'`.
  while (at < text.size() && (text[at] == '!' || text[at] == '&')) {
    while (at < text.size() && text[at] != ' ' && text[at] != '\n') ++at;
    while (at < text.size() && text[at] == ' ') ++at;
  }
  if (at >= text.size() || (text[at] != '"' && text[at] != '\'')) return;
  const char quote = text[at];
  // A quoted value may go on over lines, indented more than the mapping it
  // is in. A line after the quote that is not, and that starts a block
  // entry (`key:` or `- `), is where a closing quote was missed: yaml-cpp
  // would read on to the next quote, however far. (Inside a flow
  // collection, `{…}` or `[…]`, lines may start anywhere: not checked.)
  // (by the line index: a line of 100,000 quoted values is not walked back for each)
  const std::uint32_t line = source->line_of(static_cast<std::uint32_t>(at));
  const std::size_t line_start = source->line_start(line);
  auto indent_of = [&](std::size_t from) {
    std::size_t n = 0;
    while (from + n < text.size() && text[from + n] == ' ') ++n;
    return n;
  };
  std::optional<std::size_t> threshold;  // a line starting a block entry at or left of it ends the value
  const std::size_t own = indent_of(line_start);
  bool in_flow = false;
  for (std::size_t k = line_start + own; k < at && !in_flow; ++k) in_flow = text[k] == '{' || text[k] == '[';
  if (!in_flow) {
    if (line_start + own < at) {
      threshold = own;  // `key: "…`: the key's own column
    } else {
      // The quote opens its line (`key:` above it): the column of the key,
      // looked for a few lines up only (a flow list of 100,000 quoted lines,
      // one under the other, must not be scanned again for each).
      for (std::uint32_t up = line - 1; up >= 1 && up + 8 >= line; --up) {
        const std::size_t start = source->line_start(up);
        const std::size_t n = indent_of(start);
        const char c = start + n < text.size() ? text[start + n] : '\n';
        if (c != '\n' && c != '\r' && c != '#' && n < own) {
          threshold = n;
          break;
        }
      }
    }
  }
  auto starts_block_entry = [&](std::size_t from) {
    if (text.compare(from, 2, "- ") == 0 || text.compare(from, 2, "-\n") == 0) return true;
    std::size_t k = from;
    if (k < text.size() && (text[k] == '"' || text[k] == '\'')) {  // a quoted key
      const char q = text[k];
      k = text.find(q, k + 1);
      if (k == std::string::npos || text.find('\n', from) < k) return false;  // (a key stays on its line)
      ++k;
    } else {
      while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '_' || text[k] == '-' ||
                                 text[k] == '.'))
        ++k;
      if (k == from) return false;
    }
    return k < text.size() && text[k] == ':' && (k + 1 == text.size() || text[k + 1] == ' ' || text[k + 1] == '\n' ||
                                                 text[k + 1] == '\r');
  };
  auto fail = [&](std::string why) {
    const auto o = static_cast<std::uint32_t>(at);
    throw DiagnosticError(Diagnostic{Severity::error, "evidence_error",
                                     fmt::format("YAML syntax error: this quoted value is never closed ({}), so what "
                                                 "follows would be read as its text",
                                                 why),
                                     source, {o, o + 1}, {}});
  };
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\n') {
      const std::size_t spaces = indent_of(i + 1);
      if (threshold && spaces <= *threshold && starts_block_entry(i + 1 + spaces))
        fail(fmt::format("no closing {} on its line, and a line after it starts a new entry", quote));
      continue;
    }
    if (quote == '"' && text[i] == '\\') {  // an escape: the next character is not the end
      ++i;
      continue;
    }
    if (text[i] != quote) continue;
    if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {  // '' is a quote inside '…'
      ++i;
      continue;
    }
    return;
  }
  fail(fmt::format("no closing {} before the end of the file", quote));
}

namespace {
// yaml-cpp counts positions from after a byte order mark; the source's
// offsets count it. This passes the events on with their positions moved
// to the source's.
class Shifted final : public YAML::EventHandler {
public:
  Shifted(YAML::EventHandler& to, int by) : to_(to), by_(by) {}
  void OnDocumentStart(const YAML::Mark& m) override { to_.OnDocumentStart(at(m)); }
  void OnDocumentEnd() override { to_.OnDocumentEnd(); }
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { to_.OnNull(at(m), a); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override { to_.OnAlias(at(m), a); }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a, const std::string& value) override {
    to_.OnScalar(at(m), tag, a, value);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a, YAML::EmitterStyle::value s) override {
    to_.OnSequenceStart(at(m), tag, a, s);
  }
  void OnSequenceEnd() override { to_.OnSequenceEnd(); }
  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a, YAML::EmitterStyle::value s) override {
    to_.OnMapStart(at(m), tag, a, s);
  }
  void OnMapEnd() override { to_.OnMapEnd(); }
  void OnAnchor(const YAML::Mark& m, const std::string& name) override { to_.OnAnchor(at(m), name); }

private:
  YAML::Mark at(YAML::Mark m) const {
    m.pos += by_;
    if (m.line == 0) m.column += by_;  // (yaml-cpp's columns count bytes too)
    return m;
  }
  YAML::EventHandler& to_;
  int by_;
};
}  // namespace

void parse_document(const std::shared_ptr<const Source>& source, const YamlLimits& limits, DocumentHandler& handler) {
  const std::string& text = source->text();
  auto fail_at = [&](std::uint32_t offset, std::string message) -> DiagnosticError {
    return DiagnosticError(Diagnostic{Severity::error, "evidence_error", std::move(message), source, {offset, offset + 1}, {}});
  };
  if (text.size() > limits.max_bytes) throw fail_at(0, too_large_message(text.size(), limits));
  if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos)
    throw fail_at(static_cast<std::uint32_t>(bad), "invalid UTF-8: the file must be UTF-8 text");
  if (text.find('\0') != std::string::npos)
    throw fail_at(static_cast<std::uint32_t>(text.find('\0')), "a NUL byte: this is not a text file");
  if (auto cr = find_lone_carriage_return(text); cr != std::string_view::npos)
    throw fail_at(static_cast<std::uint32_t>(cr), lone_carriage_return_message);

  std::istringstream in(text);
  const int bom = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // not counted in yaml-cpp's positions
  try {
    YAML::Parser parser(in);
    Shifted shifted(handler, bom);
    if (!parser.HandleNextDocument(bom ? static_cast<YAML::EventHandler&>(shifted) : handler) || !handler.has_root())
      throw fail_at(0, "the file holds no YAML document (it is empty)");
    TreeBuilder second(source, limits);
    // A stream of several documents is refused rather than silently cut.
    std::uint32_t pos = static_cast<std::uint32_t>(text.size());
    Shifted second_shifted(second, bom);
    if (parser.HandleNextDocument(bom ? static_cast<YAML::EventHandler&>(second_shifted) : second)) {
      auto doc = text.find("\n---", handler.root_offset());
      if (doc != std::string::npos) pos = static_cast<std::uint32_t>(doc + 1);
      throw fail_at(pos, "more than one YAML document in the file; an evidence file holds exactly one");
    }
  } catch (const YAML::ParserException& e) {
    std::string msg = e.msg;
    if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
    auto line = source->line_text(static_cast<std::uint32_t>(std::max(e.mark.line, 0)) + 1);
    auto indent = line.find_first_not_of(" \t");
    if (line.substr(0, indent == std::string_view::npos ? line.size() : indent).find('\t') != std::string_view::npos)
      msg += " (this line is indented with a tab; YAML indents with spaces only)";
    else if (msg == "illegal map value" && e.mark.column >= 1024 &&
             line.substr(0, static_cast<std::size_t>(e.mark.column)).find(": ") == std::string_view::npos)
      msg += " (a key is at most 1024 characters long, as YAML's implicit keys are)";
    else if (msg == "illegal map value")
      msg += " (a value holding ': ' must be in quotes, e.g. title: \"Plan: the second draft\")";
    else if (msg == "end of map not found" || msg == "end of sequence not found")
      msg += " (check the indentation of this line and the one before: the keys of one mapping, and the '- ' of "
             "one list's entries, start in the same column)";
    else if (msg == "end of map flow not found")
      msg += " (a '{' is not closed by '}', or a value in it holding ',' or ':' needs quotes)";
    else if (msg == "end of sequence flow not found")
      msg += " (a '[' is not closed by ']', or a value in it holding ',' needs quotes)";
    throw DiagnosticError(Diagnostic{Severity::error, "evidence_error", fmt::format("YAML syntax error: {}", msg), source,
                                     {static_cast<std::uint32_t>(std::max(e.mark.pos, 0) + bom),
                                      static_cast<std::uint32_t>(std::max(e.mark.pos, 0) + bom) + 1},
                                     {}});
  }
}

}  // namespace yaml_events

YamlNode parse_yaml(const std::shared_ptr<const Source>& source, const YamlLimits& limits) {
  TreeBuilder builder(source, limits);
  yaml_events::parse_document(source, limits, builder);
  return builder.take_root();
}

}  // namespace verdict::engine
