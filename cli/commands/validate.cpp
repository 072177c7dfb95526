// `verdict validate`: evidence files against the schema each one names.
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/stderr.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

int run_validate(const ValidateArgs& args, const SearchOptions& search, bool color) {
  const engine::YamlLimits& limits = args.limits;
  std::map<std::string, std::shared_ptr<const engine::Schema>> schemas;  // by file
  struct Lookup {
    bool done = false;
    std::optional<std::string> file;
    std::string conflict, searched;
    std::vector<Diagnostic> notes;  // files beside it that are not JSON
  };
  std::map<std::pair<std::string, std::string>, Lookup> lookups;  // by evidence folder and $id
  bool invalid = false, unreadable = false;
  auto paths = expand_evidence_paths(args.evidence);
  if (paths.empty()) throw UserError(Exit::no_input, "no evidence files found in the folders given");
  for (const auto& path : paths) {
    std::shared_ptr<const Source> source;
    try {
      source = std::make_shared<Source>(path, read_evidence_file(path, limits.max_bytes));
    } catch (const std::length_error&) {
      std::error_code ec;
      print_err("{}: error[evidence_error]: {}\n", terminal_line(path),
                 engine::too_large_message(std::filesystem::file_size(path, ec), limits));
      invalid = true;
      continue;
    } catch (const std::exception& e) {
      print_err("error[io_error]: cannot read {}\n", terminal_text(e.what()));
      unreadable = true;
      continue;
    }
    try {
      engine::YamlNode root = engine::parse_yaml(source, limits);
      const engine::YamlNode* named = root.get("schema");
      if (!named || named->kind != engine::YamlNode::Kind::scalar) {
        // An example from the schemas there are, not one catalogue's.
        const auto known = engine::schema_ids(schema_dirs(search));
        throw DiagnosticError(Diagnostic{
            Severity::error, "evidence_error",
            fmt::format("the evidence names no schema: its first line should be 'schema: ID', the $id of its schema{}",
                        known.empty() ? "" : fmt::format(" (the schemas known are {})", join(known, ", "))),
            source, named ? named->span() : root.span(), {}});
      }
      // --schemas and the catalogue's schema folders first (a file in the
      // evidence's folder cannot stand in for a schema they have); then,
      // for a schema of one's own kept beside the evidence, the evidence
      // file's folder and up to three parents (not their subfolders).
      // Looked up once per folder and id.
      const auto folder = std::filesystem::absolute(path).parent_path();
      auto& found = lookups[{folder.string(), named->text}];
      if (!found.done) {
        found.done = true;
        const auto dirs = schema_dirs(search);
        found.file = engine::find_schema(dirs, named->text, true, &found.conflict);
        std::vector<std::string> near;
        auto up = folder;
        for (int i = 0; i < 4 && !up.empty(); ++i, up = up.parent_path()) {
          near.push_back(up.string());
          if (up == up.root_path()) break;
        }
        if (!found.file) found.file = engine::find_schema(near, named->text, false, &found.conflict);
      }
      if (!found.file && found.searched.empty()) {  // (what the message needs, read only when it is given)
        const auto dirs = schema_dirs(search);
        auto known = engine::schema_ids(dirs);
        // and those beside the evidence (its folder and up to three above it)
        std::vector<std::string> near;
        auto up = folder;
        for (int i = 0; i < 4 && !up.empty(); ++i, up = up.parent_path()) {
          near.push_back(up.string());
          if (up == up.root_path()) break;
        }
        for (auto& id : engine::schema_ids(near, false))
          if (std::find(known.begin(), known.end(), id) == known.end()) known.push_back(std::move(id));
        std::sort(known.begin(), known.end());
        found.notes = non_json_schema_notes(dirs);
        for (auto& n : non_json_schema_notes(near, false)) found.notes.push_back(std::move(n));
        const auto hint = did_you_mean(named->text, known);
        found.searched = fmt::format("{}{}; searched {} and the evidence file's folder and up to three above it",
                                     hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint),
                                     known.empty() ? "" : fmt::format("; the schemas known are {}", join(known, ", ")),
                                     join(dirs, ", "));
      }
      const auto& file = found.file;
      if (file && !found.conflict.empty())
        throw DiagnosticError(Diagnostic{Severity::error, "evidence_error",
                                         engine::ambiguous_schema_message(named->text, *file, found.conflict), source,
                                         named->span(), {}});
      if (!file)
        throw DiagnosticError(Diagnostic{Severity::error, "evidence_error",
                                         fmt::format("no schema with $id \"{}\"{}", named->text, found.searched), source,
                                         named->span(), found.notes});
      auto& schema = schemas[*file];
      if (!schema) schema = engine::Schema::load(*file);
      engine::evidence_from_yaml(root, source, *schema);
      fmt::print("{}: valid ({})\n", terminal_line(path), schema->id());
    } catch (const DiagnosticError& e) {
      print_err("{}", render(e.diagnostics(), {color}));
      fmt::print("{}: invalid ({} problem{})\n", terminal_line(path), e.diagnostics().size(), e.diagnostics().size() == 1 ? "" : "s");
      invalid = true;
    }
  }
  return invalid ? Exit::failed : unreadable ? Exit::no_input : Exit::ok;
}

}  // namespace verdict::cli
