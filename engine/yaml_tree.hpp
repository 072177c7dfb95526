// A YAML document as a tree of untyped nodes with their positions, built from
// yaml-cpp's event parser. Typing happens later, against a schema
// (evidence_from_yaml). Evidence files skip the tree: load_evidence types the
// events as they arrive, and uses the tree only for anchors and aliases.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/diagnostic.hpp"
#include "engine/source.hpp"

namespace verdict::engine {

/// Limits that keep hostile input from exhausting time, stack or memory.
/// Each error that one of them stops names the limit and the command-line
/// flag that raises it.
struct YamlLimits {
  std::size_t max_bytes = 64u << 20;        // file size (--max-evidence-bytes)
  int max_depth = 64;                        // nesting of mappings and sequences (--max-depth; yaml-cpp
                                             // itself refuses 500 levels, as "bad file")
  std::size_t max_nodes = 2'000'000;         // nodes, counting alias expansions (--max-nodes)
  std::size_t max_scalar_bytes = 1u << 20;   // one scalar (--max-scalar-bytes)
  std::size_t max_items = 1'000'000;         // entries of one mapping or sequence (--max-items)
};

/// One YAML node. A mapping's children alternate key, value.
struct YamlNode {
  enum class Kind : std::uint8_t { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  bool plain = true;          // a plain (unquoted) scalar; quoted scalars are always strings
  std::uint32_t offset = 0;   // byte offset in the source
  std::uint32_t line = 0;     // 1-based
  std::uint32_t column = 0;   // 1-based
  std::string text;           // scalar text
  std::vector<YamlNode> children;

  std::size_t size() const { return kind == Kind::mapping ? children.size() / 2 : children.size(); }
  /// A mapping's value for a key, or nullptr.
  const YamlNode* get(std::string_view key) const;
  /// Span covering the node's first token (the scalar's text for scalars).
  Span span() const;
};

/// Parses exactly one YAML document. Throws DiagnosticError (evidence_error)
/// with the position for syntax errors, duplicate keys, more than one
/// document, invalid UTF-8, and exceeded limits.
YamlNode parse_yaml(const std::shared_ptr<const Source>& source, const YamlLimits& limits = {});

/// The message for a file of `size` bytes, over limits.max_bytes (for
/// readers that refuse such a file before reading it).
std::string too_large_message(std::uintmax_t size, const YamlLimits& limits);

}  // namespace verdict::engine
