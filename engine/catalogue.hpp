// The catalogue: rulesets found in folders, by NAME@VERSION, and schemas by $id.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace verdict::engine {

/// A ruleset file found in a catalogue folder (read from its header only).
/// A file larger than the rule size limit whose header is not in the part
/// read has no name and no version: loading it reports the limit.
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

/// The default size limit of a ruleset file (dsl::RuleLimits, --max-rule-bytes).
inline constexpr std::size_t default_max_rule_bytes = 16u << 20;

/// Reads the `ruleset "NAME" version "V"` header (and title/extends) of a
/// file, in its first 200 lines and no further than `max_bytes` bytes, or
/// 64 KiB where the limit is smaller (a header after long comments is still
/// found, and the file then refused for its size when it is loaded).
std::optional<CatalogueEntry> read_ruleset_header(const std::string& path, std::size_t max_bytes = default_max_rule_bytes);

/// Rulesets in the given folders (searched recursively for *.rules), in folder
/// order; an earlier folder's NAME@VERSION hides a later one's, and within a
/// folder a file nearer its top hides one in a subfolder. Two at the same
/// depth of one folder are a conflict (CatalogueEntry::conflict). No file is
/// read past `max_bytes` (the rule size limit); one larger than that whose
/// header is not found there is an entry without a name, for `list` and
/// `check` to report.
std::vector<CatalogueEntry> scan_catalogue(const std::vector<std::string>& dirs, std::size_t max_bytes = default_max_rule_bytes);

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

/// The `$id`s of the schema files in the folders (recursive unless
/// `recursive` is false), sorted, each once.
std::vector<std::string> schema_ids(const std::vector<std::string>& dirs, bool recursive = true);

/// The *.json files in the folders that are not JSON, so that no `$id` can be
/// read from them (a schema with a syntax error): at most `limit` of them.
std::vector<std::string> non_json_files(const std::vector<std::string>& dirs, bool recursive = true, std::size_t limit = 3);

/// Folders from a PATH-like variable ("a:b").
std::vector<std::string> split_path_list(const char* value);

}  // namespace verdict::engine
