// Loading evidence: yaml-cpp's events typed against the schema as they
// arrive, with no intermediate tree. It checks what the tree builder checks
// (limits, duplicate keys, keys that are lists or mappings) and types what
// the tree converter types, with the same messages, in the same order: a
// structural error is thrown alone, as when the tree is built first.
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/mark.h>

#include "engine/evidence_typing.hpp"
#include "engine/schema.hpp"
#include "engine/yaml_events.hpp"

namespace verdict::engine {

namespace {

using typing::NodeRef;
using typing::PathRef;
using Kind = YamlNode::Kind;

/// Thrown at the first anchor or alias: such a document is loaded through
/// the tree, which expands aliases (an alias may be typed by another schema
/// node than its anchor).
struct NeedsTree {};

/// checks.schema_mismatch's error for the top-level `schema:` scalar `named`, if any.
std::optional<Diagnostic> schema_mismatch(const EvidenceChecks& checks, const std::shared_ptr<const Source>& src,
                                          const NodeRef& named) {
  if (!checks.schema_mismatch) return std::nullopt;
  auto message = checks.schema_mismatch(named.text);
  if (message.empty()) return std::nullopt;
  return Diagnostic{Severity::error, "evidence_error", std::move(message), src, named.span(), {}};
}

NodeRef node_at(const YAML::Mark& m, Kind kind, std::string_view text = {}, bool plain = true) {
  return {kind, plain, static_cast<std::uint32_t>(m.pos), static_cast<std::uint32_t>(m.line + 1),
          static_cast<std::uint32_t>(m.column + 1), text};
}

class EventLoader final : public yaml_events::DocumentHandler {
public:
  EventLoader(const std::shared_ptr<const Source>& src, const Schema& schema, const YamlLimits& limits,
              const EvidenceChecks& checks, Diagnostics& diags)
      : src_(src), schema_(schema), limits_(limits), checks_(checks), conv_(src, diags) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { throw NeedsTree{}; }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor) throw NeedsTree{};
    count(mark);
    scalar(node_at(mark, Kind::null));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    if (anchor) throw NeedsTree{};
    if (value.size() > limits_.max_scalar_bytes) fail(node_at(mark, Kind::null), yaml_events::scalar_too_long(value.size(), limits_));
    if (yaml_events::is_plain(tag)) {  // the common case, decided without a call
      if (value.size() == 2 && value == "<<" && depth_ > 0 && at_key(top()))
        fail(node_at(mark, Kind::null), yaml_events::merge_key_message);
    } else if (auto why = yaml_events::unsupported_tag(tag, true); !why.empty()) {
      fail(node_at(mark, Kind::null), std::move(why));
    }
    count(mark);
    if (!yaml_events::is_plain(tag)) yaml_events::check_quote_closed(src_, static_cast<std::uint32_t>(mark.pos));
    const bool plain = yaml_events::typed_as_plain(tag);
    scalar(node_at(mark, yaml_events::is_null_scalar(tag, value) ? Kind::null : Kind::scalar, value, plain));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    if (anchor) throw NeedsTree{};
    if (auto why = yaml_events::unsupported_tag(tag, false); !why.empty()) fail(node_at(mark, Kind::null), std::move(why));
    open(mark, Kind::sequence);
  }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    if (anchor) throw NeedsTree{};
    if (auto why = yaml_events::unsupported_tag(tag, false); !why.empty()) fail(node_at(mark, Kind::null), std::move(why));
    open(mark, Kind::mapping);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapEnd() override { close(); }

  bool has_root() const override { return has_root_; }
  std::uint32_t root_offset() const override { return root_offset_; }

  /// After the parse: the evidence, or the error to throw.
  Evidence finish() {
    if (root_error_) throw DiagnosticError(*root_error_);
    if (mismatch_) throw DiagnosticError(*mismatch_);
    if (conv_.diagnostics().has_errors()) {
      if (root_.kind() == Value::Kind::record)  // its references, reported with the rest
        check_references(Evidence{src_, root_}, schema_, conv_.diagnostics());
      throw DiagnosticError(std::move(conv_.diagnostics()));
    }
    return Evidence{src_, std::move(root_)};
  }

private:
  // What is built from a node: a typed value, a value no schema describes,
  // or nothing (the node is only checked).
  enum class Mode : std::uint8_t { typed, untyped, skip };

  // An open mapping or list. Frames are kept when closed and reused, with
  // what they allocated.
  struct Frame {
    Kind kind = Kind::mapping;
    Mode mode = Mode::skip;  // typed: building `record` or `list` against `schema`
    NodeRef head;
    const SchemaNode* schema = nullptr;
    std::size_t children = 0;  // nodes finished in it (a mapping's keys and values)
    std::shared_ptr<Record> record;
    std::shared_ptr<List> list;
    std::size_t first_diagnostic = 0;  // a list's: where the problems of its items start
    // A mapping's last key and what its value is typed as.
    std::string key;
    Mode value_mode = Mode::skip;
    const SchemaNode* value_schema = nullptr;
    std::uint32_t value_id = 0;
    std::vector<std::uint32_t> property_lines;  // line of each schema property written, 0 when not
    yaml_events::KeyLines other_keys;           // the other keys written
    std::vector<std::string> suggested;         // keys suggested for unknown ones
  };

  [[noreturn]] void fail(const NodeRef& at, std::string message) {
    throw DiagnosticError(Diagnostic{Severity::error, "evidence_error", std::move(message), src_, at.span(), {}});
  }
  void count(const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes) fail(node_at(mark, Kind::null), yaml_events::too_many_nodes(limits_));
  }

  Frame& top() { return frames_[depth_ - 1]; }
  bool at_key(const Frame& f) const { return f.kind == Kind::mapping && f.children % 2 == 0; }

  // The checks of a node finished in `parent` other than as a key (its
  // key's are in key()).
  void count_child(Frame& parent, const NodeRef& n) {
    if (parent.kind == Kind::mapping) {
      if (parent.children / 2 >= limits_.max_items) fail(n, yaml_events::too_many_entries(limits_));
    } else if (parent.children >= limits_.max_items) {
      fail(n, yaml_events::too_many_items(limits_));
    }
    ++parent.children;
  }

  // What the next child of `parent` is typed as, and its place.
  Mode child_mode(const Frame& parent, const SchemaNode*& schema, PathRef& path) const {
    if (parent.mode == Mode::skip) return Mode::skip;
    if (parent.kind == Kind::sequence) {
      schema = parent.schema->items;
      path = PathRef{&parent.list->path, {}, parent.list->items.size()};
      return schema ? Mode::typed : Mode::untyped;
    }
    schema = parent.value_schema;
    path = PathRef{&parent.record->path, parent.key};
    return parent.value_mode;
  }

  void deliver(Frame& parent, Value v, const NodeRef& n) {
    if (parent.kind == Kind::sequence) {
      parent.list->items.push_back(std::move(v));
      parent.list->marks.push_back(n.mark());
    } else {
      parent.record->fields.push_back({std::move(parent.key), std::move(v), n.mark(), parent.value_id});
    }
  }

  void key(Frame& f, const NodeRef& k) {
    const SchemaNode* s = f.mode == Mode::skip ? nullptr : f.schema;
    const std::size_t pi = s ? s->property_index(k.text) : 0;
    const bool declared = s && pi < s->properties.size();
    std::uint32_t first = 0;
    if (declared) {
      first = f.property_lines[pi];
      if (!first) f.property_lines[pi] = k.line;
    } else {
      first = f.other_keys.add(k.text, k.line);
    }
    if (first) fail(k, yaml_events::duplicate_key(k.text, first));
    if (f.children / 2 >= limits_.max_items) fail(k, yaml_events::too_many_entries(limits_));
    ++f.children;
    f.key.assign(k.text);
    f.value_mode = Mode::skip;
    if (!s) return;
    const SchemaNode* ps = declared ? s->properties[pi].second : s->additional;
    if (!ps && !s->additional_allowed) {
      conv_.refuse_key(k, *s, f.record->path, f.suggested);
      return;
    }
    f.value_mode = ps ? Mode::typed : Mode::untyped;
    f.value_schema = ps;
    f.value_id = declared ? s->property_ids[pi] : 0;
  }

  void scalar(const NodeRef& n) {
    if (depth_ == 0) {  // the document is a scalar
      has_root_ = true;
      root_offset_ = n.offset;
      root_error_ = typing::not_a_mapping(src_, n);
      return;
    }
    Frame& p = top();
    if (at_key(p)) return key(p, n);
    count_child(p, n);
    if (depth_ == 1 && n.kind == Kind::scalar && p.key == "schema" && !mismatch_) mismatch_ = schema_mismatch(checks_, src_, n);
    const SchemaNode* s = nullptr;
    PathRef path;
    const Mode mode = child_mode(p, s, path);
    if (mode == Mode::skip) return;
    deliver(p, mode == Mode::typed ? conv_.scalar(n, *s, path) : conv_.untyped_scalar(n, path), n);
  }

  void open(const YAML::Mark& mark, Kind kind) {
    if (static_cast<int>(depth_) >= limits_.max_depth) fail(node_at(mark, Kind::null), yaml_events::too_deep(limits_));
    count(mark);
    const NodeRef n = node_at(mark, kind);
    Mode mode = Mode::skip;
    const SchemaNode* s = nullptr;
    std::string path;
    if (depth_ == 0) {
      has_root_ = true;
      root_offset_ = n.offset;
      if (kind != Kind::mapping) root_error_ = typing::not_a_mapping(src_, n);
      else if (conv_.allows_container(n, schema_.root(), PathRef{})) mode = Mode::typed, s = &schema_.root();
    } else if (Frame& p = top(); !at_key(p)) {
      PathRef where;
      mode = child_mode(p, s, where);
      if (mode == Mode::untyped) mode = Mode::typed, s = &typing::Converter::any();
      else if (mode == Mode::typed && !conv_.allows_container(n, *s, where)) mode = Mode::skip;
      if (mode == Mode::typed) path = where.str();
    }
    // (A mapping or list written as a key is only checked; it is refused when it closes.)
    if (depth_ == frames_.size()) frames_.emplace_back();
    Frame& f = frames_[depth_++];
    f.kind = kind;
    f.mode = mode;
    f.head = n;
    f.schema = s;
    f.children = 0;
    f.value_mode = Mode::skip;
    f.other_keys.clear();
    f.suggested.clear();
    if (mode != Mode::typed) return;
    if (kind == Kind::mapping) {
      f.record = std::make_shared<Record>();
      f.record->path = std::move(path);
      f.record->mark = n.mark();
      f.record->fields.reserve(s->properties.size());
      f.property_lines.assign(s->properties.size(), 0);
    } else {
      f.list = std::make_shared<List>();
      f.list->path = std::move(path);
      f.list->mark = n.mark();
      f.first_diagnostic = conv_.diagnostics().size();
    }
  }

  void close() {
    Frame& f = top();
    Value v;
    if (f.mode == Mode::typed && f.kind == Kind::mapping) {
      conv_.finish_record(*f.record, *f.schema, f.head, f.suggested, [&](const std::string& k) {
        const std::size_t pi = f.schema->property_index(k);
        return pi < f.schema->properties.size() ? f.property_lines[pi] != 0 : f.other_keys.contains(k);
      });
      v = Value::record(std::move(f.record));
    } else if (f.mode == Mode::typed) {
      conv_.check_min_items(f.head, *f.schema, f.list->path, f.list->items.size(), f.first_diagnostic);
      v = Value::list(std::move(f.list));
    }
    const NodeRef n = f.head;
    --depth_;
    if (depth_ == 0) {
      root_ = std::move(v);
      return;
    }
    Frame& p = top();
    if (at_key(p)) fail(n, yaml_events::key_not_scalar);
    count_child(p, n);
    const SchemaNode* s = nullptr;
    PathRef path;
    if (child_mode(p, s, path) != Mode::skip) deliver(p, std::move(v), n);
  }

  std::shared_ptr<const Source> src_;
  const Schema& schema_;
  const YamlLimits& limits_;
  const EvidenceChecks& checks_;
  typing::Converter conv_;
  std::vector<Frame> frames_;
  std::size_t depth_ = 0;
  std::size_t nodes_ = 0;
  bool has_root_ = false;
  std::uint32_t root_offset_ = 0;
  Value root_;
  std::optional<Diagnostic> root_error_;  // the document is not a mapping
  std::optional<Diagnostic> mismatch_;    // checks.schema_mismatch's error
};

}  // namespace

Evidence load_evidence(const std::shared_ptr<const Source>& source, const Schema& schema, const YamlLimits& limits,
                       const EvidenceChecks& checks) {
  try {
    Diagnostics diags;
    EventLoader loader(source, schema, limits, checks, diags);
    yaml_events::parse_document(source, limits, loader);
    Evidence evidence = loader.finish();
    check_references(evidence, schema);
    return evidence;
  } catch (const NeedsTree&) {
  }
  YamlNode root = parse_yaml(source, limits);
  if (const YamlNode* named = root.get("schema"); named && named->kind == YamlNode::Kind::scalar)
    if (auto mismatch = schema_mismatch(checks, source, NodeRef::of(*named))) throw DiagnosticError(*mismatch);
  return evidence_from_yaml(root, source, schema);
}

}  // namespace verdict::engine
