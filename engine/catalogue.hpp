// The catalogue: rulesets found in folders, by NAME@VERSION, and schemas by $id.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace verdict::engine {

/// A ruleset file found in a catalogue folder (read from its header only).
struct CatalogueEntry {
  std::string name;
  std::string version;
  std::string title;
  std::string extends;
  std::string path;
  /// Another file of the same folder, as near its top, with the same
  /// NAME@VERSION: which one is meant cannot be told ("" when none).
  std::string conflict;
};

/// Orders versions segment by segment, numerically where both are numbers
/// ("2012.1" < "2012.10" < "2019.1").
int compare_versions(const std::string& a, const std::string& b);

/// Reads the `ruleset "NAME" version "V"` header (and title/extends) of a file.
std::optional<CatalogueEntry> read_ruleset_header(const std::string& path);

/// Rulesets in the given folders (searched recursively for *.rules), in folder
/// order; an earlier folder's NAME@VERSION hides a later one's, and within a
/// folder a file nearer its top hides one in a subfolder. Two at the same
/// depth of one folder are a conflict (CatalogueEntry::conflict).
std::vector<CatalogueEntry> scan_catalogue(const std::vector<std::string>& dirs);

/// "two files are NAME@VERSION: A and B; …" for an entry with a conflict.
std::string ambiguous_ruleset_message(const CatalogueEntry& e);

/// "two schema files have $id …: A and B; …" when find_schema met a conflict.
std::string ambiguous_schema_message(const std::string& id, const std::string& found, const std::string& conflict);

/// Finds NAME@VERSION, or NAME's latest version. nullopt when absent.
std::optional<CatalogueEntry> find_ruleset(const std::vector<CatalogueEntry>& entries, const std::string& ref);

/// Finds the schema file whose `$id` is `id` in the folders (*.json, recursive
/// unless `recursive` is false): the first folder that has one, and in it the
/// file nearest its top (one beside a ruleset before a copy in a subfolder).
/// When another file at that depth has the same `$id`, `conflict` (if given)
/// is set to its path.
std::optional<std::string> find_schema(const std::vector<std::string>& dirs, const std::string& id, bool recursive = true,
                                       std::string* conflict = nullptr);

/// The `$id`s of the schema files in the folders (recursive), sorted, each once.
std::vector<std::string> schema_ids(const std::vector<std::string>& dirs);

/// Folders from a PATH-like variable ("a:b").
std::vector<std::string> split_path_list(const char* value);

}  // namespace verdict::engine
