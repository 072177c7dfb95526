// Typing YAML against a compiled schema: the rules and messages shared by
// the two evidence loaders, the one that types yaml-cpp's events as they
// arrive (evidence_loader.cpp, for files) and the one that types a YamlNode
// tree (schema.cpp, for evidence written inside another file). Internal to
// the engine.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostic.hpp"
#include "engine/schema.hpp"
#include "engine/value.hpp"
#include "engine/yaml_tree.hpp"

namespace verdict::engine::typing {

/// A node's head: its kind and position, and a scalar's text.
struct NodeRef {
  YamlNode::Kind kind = YamlNode::Kind::null;
  bool plain = true;
  std::uint32_t offset = 0;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string_view text;  // a scalar's text (a null's too: "~", "null", "")

  static NodeRef of(const YamlNode& n) { return {n.kind, n.plain, n.offset, n.line, n.column, n.text}; }
  /// As YamlNode::span: the scalar's text, else one character.
  Span span() const {
    std::uint32_t len = 1;
    if (kind == YamlNode::Kind::scalar) len = static_cast<std::uint32_t>(text.size()) + (plain ? 0 : 2);
    return {offset, offset + std::max<std::uint32_t>(len, 1)};
  }
  Mark mark() const { return {line, column}; }
};

/// What was found, for messages ("a list", "'abc'", "the string \"abc\"").
std::string found(const NodeRef& n);

/// The error for a document `root` that is not a mapping.
Diagnostic not_a_mapping(const std::shared_ptr<const Source>& src, const NodeRef& root);

/// A place in the evidence ("participants[3].kind"), spelt out only when it
/// is needed: for an error, or for a list or record that keeps it.
struct PathRef {
  const std::string* parent = nullptr;  // null for the top level
  std::string_view key;
  std::size_t index = std::string::npos;  // a list position, instead of key

  std::string str() const {
    if (!parent) return {};
    return index != std::string::npos ? child_path(*parent, index) : child_path(*parent, key);
  }
};

/// Types values and reports what does not fit, at most 200 problems.
class Converter {
public:
  Converter(const std::shared_ptr<const Source>& src, Diagnostics& diags) : src_(src), diags_(diags) {}

  /// The schema of values that no schema describes (YAML core typing).
  static const SchemaNode& any();

  void error(Span at, std::string_view where, std::string message);
  void error(Span at, const PathRef& path, std::string message) { error(at, path.str(), std::move(message)); }
  Diagnostics& diagnostics() { return diags_; }

  /// A scalar or null against `s`.
  Value scalar(const NodeRef& n, const SchemaNode& s, const PathRef& path);
  /// A scalar or null that no schema describes.
  Value untyped_scalar(const NodeRef& n, const PathRef& path);
  /// Whether `s` allows a mapping or list `n`; reports it when not.
  bool allows_container(const NodeRef& n, const SchemaNode& s, const PathRef& path);
  /// Reports a list `n` at `where` of `size` entries that `s` wants longer,
  /// before the diagnostic at `index` (where its entries' problems start).
  void check_min_items(const NodeRef& n, const SchemaNode& s, std::string_view where, std::size_t size, std::size_t index);
  /// Reports `key`, which record schema `s` (at `where`) does not allow, with
  /// a suggestion, which is also added to `suggested`.
  void refuse_key(const NodeRef& key, const SchemaNode& s, std::string_view where, std::vector<std::string>& suggested);
  /// After a record's keys: reports the required keys missing and adds the
  /// defaults of those left out. `written(name)` tells whether a key was.
  template <class Written>
  void finish_record(Record& out, const SchemaNode& s, const NodeRef& at, const std::vector<std::string>& suggested,
                     Written written) {
    for (const auto& req : s.required)
      // A misspelt required key is reported once, as the unknown key.
      if (!written(req) && std::find(suggested.begin(), suggested.end(), req) == suggested.end())
        missing_required(at, out.path, req);
    for (std::size_t pi = 0; pi < s.properties.size(); ++pi)
      if (const auto& [k, ps] = s.properties[pi]; ps->default_value && !written(k)) add_default(out, s, pi, at);
  }

  /// The tree loader: a whole node against `s`.
  Value convert(const YamlNode& n, const SchemaNode& s, const PathRef& path);

private:
  Value record(const YamlNode& n, const SchemaNode& s, const PathRef& path);
  Value list(const YamlNode& n, const SchemaNode& s, const PathRef& path);
  Value untyped(const YamlNode& n, const PathRef& path);
  void missing_required(const NodeRef& at, const std::string& where, const std::string& key);
  void add_default(Record& out, const SchemaNode& s, std::size_t pi, const NodeRef& at);

  std::shared_ptr<const Source> src_;
  Diagnostics& diags_;
};

}  // namespace verdict::engine::typing
