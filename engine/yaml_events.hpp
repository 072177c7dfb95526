// Reading one YAML document as yaml-cpp's events, with the checks that do
// not depend on what is built from them: the file's size and encoding,
// syntax errors, one document only, and the limits of YamlLimits. Shared by
// the YamlNode tree builder (yaml_tree.cpp) and the evidence loader that
// types events as they arrive (evidence_loader.cpp). Internal to the engine.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <yaml-cpp/eventhandler.h>

#include "engine/diagnostic.hpp"
#include "engine/source.hpp"
#include "engine/yaml_tree.hpp"

namespace verdict::engine::yaml_events {

/// A handler of one document's events.
class DocumentHandler : public YAML::EventHandler {
public:
  /// Whether the document had a node.
  virtual bool has_root() const = 0;
  /// Where its first node starts.
  virtual std::uint32_t root_offset() const = 0;
};

/// Checks the text (size, UTF-8, no NUL), then gives `handler` the events of
/// its first document. Throws DiagnosticError (evidence_error) for those
/// checks, syntax errors, an empty file and a second document; whatever the
/// handler throws goes through.
void parse_document(const std::shared_ptr<const Source>& source, const YamlLimits& limits, DocumentHandler& handler);

/// A scalar that YAML reads as null: plain ~, null, Null, NULL or nothing.
inline bool is_null_text(bool plain, std::string_view v) {
  return plain && v.size() <= 4 && (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL");
}
inline bool is_plain(const std::string& tag) { return tag.size() == 1 && tag[0] == '?'; }
/// A scalar read as a plain one would be: plain, or tagged with one of the
/// core schema's scalar types (`!!bool "true"`, `!!int "12"`, `!!float 16`,
/// `!!null ""`); `!!str` keeps it a string (other tags are refused: unsupported_tag).
inline bool typed_as_plain(const std::string& tag) {
  if (is_plain(tag)) return true;
  constexpr std::string_view core = "tag:yaml.org,2002:";
  if (tag.size() <= core.size() || tag.compare(0, core.size(), core) != 0) return false;
  const std::string_view type = std::string_view(tag).substr(core.size());
  return type == "bool" || type == "int" || type == "float" || type == "null";
}
/// What to say about a node's tag that is not read, or "" for one that is:
/// none, `!` (a quoted scalar's), the core scalar types on a scalar
/// (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`) and `!!map`/`!!seq` on
/// a mapping/list. Any other (`!!binary`, `!!timestamp`, `!!set`,
/// `!!python/object:…`, `!local`) would give a value other than the text
/// written, which evidence has no way to hold: it is refused rather than
/// silently read as the text.
std::string unsupported_tag(const std::string& tag, bool scalar);
/// What to say about a plain `<<` key (a YAML 1.1 merge key), which yaml-cpp
/// reads as an ordinary key named "<<".
extern const char* const merge_key_message;

/// A scalar that is null: untagged null text (is_null_text), or any text
/// tagged `!!null`. A scalar tagged another type is never null by its text
/// (`!!int ""` is not a number, not null).
inline bool is_null_scalar(const std::string& tag, std::string_view v) {
  return tag == "tag:yaml.org,2002:null" || is_null_text(is_plain(tag), v);
}

/// yaml-cpp ends a quoted scalar that is never closed at the end of the
/// file, without a word, so the rest of the file becomes its text. Throws
/// DiagnosticError (evidence_error, at the opening quote) for a quoted
/// scalar starting at `offset` of `source` that has no closing quote.
void check_quote_closed(const std::shared_ptr<const Source>& source, std::uint32_t offset);

/// The messages of the structural checks (each names its limit and flag).
std::string too_deep(const YamlLimits& limits);
std::string too_many_nodes(const YamlLimits& limits);
std::string scalar_too_long(std::size_t size, const YamlLimits& limits);
std::string too_many_entries(const YamlLimits& limits);
std::string too_many_items(const YamlLimits& limits);
std::string duplicate_key(std::string_view key, std::uint32_t first_line);
inline constexpr const char* key_not_scalar = "a key must be a plain name, not a list or mapping";

/// The keys of one mapping with the line of each, to find a duplicate:
/// scanned while there are few, hashed once there are many (a mapping of
/// 100,000 keys is not checked in quadratic time).
class KeyLines {
public:
  /// The line of an earlier key equal to `key`, or 0; remembers `key`.
  std::uint32_t add(std::string_view key, std::uint32_t line);
  bool contains(std::string_view key) const;
  void clear() {
    few_.clear();
    many_.clear();
  }

private:
  static constexpr std::size_t kScan = 32;
  std::vector<std::pair<std::string, std::uint32_t>> few_;
  std::unordered_map<std::string, std::uint32_t> many_;  // once there are more than kScan
};

}  // namespace verdict::engine::yaml_events
