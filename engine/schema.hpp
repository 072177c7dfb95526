// The evidence schema: a JSON Schema (draft-07 subset) compiled into a tree
// that types YAML into engine values, validates it, and applies defaults in
// one pass, reporting every problem at its YAML position.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/diagnostic.hpp"
#include "engine/evidence.hpp"
#include "engine/yaml_tree.hpp"

namespace verdict::engine {

/// JSON types a schema node allows (bit set); 0 allows anything.
enum SchemaType : unsigned {
  t_string = 1, t_number = 2, t_integer = 4, t_boolean = 8, t_null = 16, t_object = 32, t_array = 64,
};

/// One compiled schema node.
struct SchemaNode {
  unsigned types = 0;
  std::string format;  // "date", "percent" or ""
  bool date_format = false;     // format == "date" (checked for every scalar)
  bool percent_format = false;  // format == "percent"
  std::string title;
  std::string description;
  std::vector<std::pair<std::string, const SchemaNode*>> properties;
  std::vector<std::uint32_t> property_ids;  // key_id of each property's name
  std::vector<std::string> required;
  bool additional_allowed = true;
  const SchemaNode* additional = nullptr;
  const SchemaNode* items = nullptr;
  std::vector<std::string> enum_values;  // as text (strings are the schema's only enums here)
  std::optional<std::string> const_value;
  std::optional<YamlNode> default_value;
  std::optional<Number> minimum, maximum;
  std::optional<std::size_t> min_items;
  std::optional<std::size_t> min_length;  // of a string, in characters
  /// `x-unique-key` on an array of records: the field whose values must
  /// differ from item to item (participants' `id`).
  std::string unique_key;
  /// `x-ids-of` on an array of strings: each must be a value of the unique
  /// key of the array at that top-level property (`participants`).
  std::string ids_of;
  /// `uniqueItems: true` on an array: no two of its scalar items may be
  /// equal (a co-operation activity lists each participant once). Items
  /// that are records or lists are not compared.
  bool unique_items = false;
  /// Whether this node or one below it has unique_key, ids_of or unique_items (the check
  /// after loading goes down only where this is set).
  bool has_references = false;

  const SchemaNode* property(std::string_view name) const {
    const std::size_t i = property_index(name);
    return i < properties.size() ? properties[i].second : nullptr;
  }
  /// The position of property `name`, or properties.size().
  std::size_t property_index(std::string_view name) const {
    if (!property_positions.empty()) {  // many properties: each key read is not a search of them all
      auto it = property_positions.find(std::string(name));
      return it == property_positions.end() ? properties.size() : it->second;
    }
    std::size_t i = 0;
    while (i < properties.size() && properties[i].first != name) ++i;
    return i;
  }
  /// Fills property_positions when there are many properties.
  void index_properties() {
    property_positions.clear();
    if (properties.size() <= 32) return;
    for (std::size_t i = 0; i < properties.size(); ++i) property_positions.try_emplace(properties[i].first, i);
  }
  /// The position of each property by name, when there are more than 32 (else empty).
  std::unordered_map<std::string, std::size_t> property_positions;
  bool allows(unsigned t) const { return types == 0 || (types & t) != 0; }
};

/// A compiled schema with its `$id`.
class Schema {
public:
  /// Compiles JSON text. Throws DiagnosticError (schema_error) with positions.
  static std::shared_ptr<const Schema> parse(const std::shared_ptr<const Source>& source);
  static std::shared_ptr<const Schema> load(const std::string& path);

  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }
  const SchemaNode& root() const { return *root_; }
  /// The node for a dotted field path ("participants.kind": list items are
  /// stepped through), or nullptr.
  const SchemaNode* find(const std::vector<std::string>& path) const;

  std::deque<SchemaNode> nodes;  // owns every node; pointers stay valid

private:
  std::string id_;
  std::string path_;
  const SchemaNode* root_ = nullptr;
  friend class SchemaCompiler;
};

/// Checks the cross-references a schema declares (x-unique-key, x-ids-of)
/// over loaded evidence. Throws DiagnosticError (evidence_error), at the
/// position of each offending value, when one does not hold.
void check_references(const Evidence& evidence, const Schema& schema);
/// The same, adding what it finds to `into` (evidence with other problems
/// too: every problem is reported in one pass).
void check_references(const Evidence& evidence, const Schema& schema, Diagnostics& into);

/// Reads the `$id` of a schema file without compiling it; "" when it has none or is not JSON.
std::string schema_id_of_file(const std::string& path);

/// Whether the file can be read and parses as JSON (one that does not has
/// no `$id` a search could find: worth naming when a schema is not found).
bool file_is_json(const std::string& path);

/// What a caller checks while evidence loads.
struct EvidenceChecks {
  /// Given the text of the top-level `schema:` key, the error to report when
  /// the evidence is written for another schema, or "" when it fits. That
  /// error is reported alone, instead of any problem of typing.
  std::function<std::string(std::string_view named)> schema_mismatch;
};

/// Types a YAML document against the schema: returns the evidence, or throws
/// DiagnosticError (evidence_error) listing every problem with its position.
/// Values are typed as the parser reads them, with no intermediate tree
/// (evidence_loader.cpp); a document with anchors or aliases goes through
/// the tree, which expands them. Both give the same evidence and errors.
Evidence load_evidence(const std::shared_ptr<const Source>& source, const Schema& schema, const YamlLimits& limits = {},
                       const EvidenceChecks& checks = {});
/// Same, from a YAML node already parsed (evidence inline in another file).
Evidence evidence_from_yaml(const YamlNode& root, const std::shared_ptr<const Source>& source, const Schema& schema);

}  // namespace verdict::engine
