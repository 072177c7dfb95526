// Where the command line finds rulesets and schemas, and how it loads them.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cli/report.hpp"
#include "dsl/limits.hpp"
#include "engine/catalogue.hpp"
#include "engine/date.hpp"
#include "engine/program.hpp"
#include "engine/schema.hpp"
#include "engine/yaml_tree.hpp"

namespace verdict::cli {

/// Exit codes (sysexits.h).
enum Exit : int { ok = 0, failed = 1, undecided = 2, usage = 64, data_error = 65, no_input = 66, internal = 70 };

/// A user error with its exit code and an already rendered message, and
/// the errors it renders where it has them (a ruleset that does not check),
/// for a JSON report to give them with their positions.
class UserError : public std::runtime_error {
public:
  UserError(int code, std::string message) : std::runtime_error(std::move(message)), code(code) {}
  UserError(int code, std::string message, std::vector<Diagnostic> errors)
      : std::runtime_error(std::move(message)), code(code), errors(std::move(errors)) {}
  int code;
  std::vector<Diagnostic> errors;  // in order of position; may be empty
};

/// Folders given on the command line, and the limits rulesets found there
/// (and the bases they extend) are read with.
struct SearchOptions {
  std::vector<std::string> ruleset_dirs;  // --rulesets (repeatable)
  std::vector<std::string> schema_dirs;   // --schemas (repeatable)
  dsl::RuleLimits rule_limits;            // --max-rule-bytes, --max-rule-depth
};

/// Limits for evidence files (flags raise them).
struct EvidenceLimits {
  engine::YamlLimits yaml;                // --max-evidence-bytes, --max-depth, --max-nodes, --max-scalar-bytes, --max-items
  std::uint64_t max_steps = 100'000'000;  // --max-steps: evaluation steps per evidence file
};

/// A ruleset ready to evaluate: its program, its schema, how reports name it.
struct LoadedRuleset {
  engine::Program program;
  std::shared_ptr<const engine::Schema> schema;
  RulesetInfo info;
  std::vector<Diagnostic> warnings;
};

/// Catalogue folders in search order: --rulesets, VERDICT_RULESETS, installed, in-tree.
std::vector<std::string> ruleset_dirs(const SearchOptions& opt);
/// The default ruleset's name: the first `default` file found in the catalogue folders.
std::string default_ruleset_name(const SearchOptions& opt);
/// Schema folders in search order: --schemas, `near` (a ruleset's or evidence
/// file's folder, when given), VERDICT_SCHEMAS, installed, in-tree.
std::vector<std::string> schema_dirs(const SearchOptions& opt, const std::string& near = "");

/// Notes for a schema that was not found: each *.json file in `dirs` that is
/// not valid JSON, where its syntax error is (its $id could not be read, and
/// it may be the schema meant).
std::vector<Diagnostic> non_json_schema_notes(const std::vector<std::string>& dirs, bool recursive = true);
/// Resolves REF (a .rules path, NAME@VERSION or NAME) to a file path. Throws UserError.
std::string resolve_ruleset(const std::string& ref, const SearchOptions& opt);
/// Loads, checks and lowers a ruleset and its schema, within opt.rule_limits.
/// Throws UserError (65 with rendered diagnostics or a limit exceeded, 66 when
/// unreadable).
LoadedRuleset load_ruleset(const std::string& ref, const SearchOptions& opt, bool color);
/// The date of an --as-of flag, or none when it is empty. Throws UserError
/// (64): a text shaped like a date that the calendar does not have
/// (2027-02-29) is called that, anything else not a date YYYY-MM-DD.
std::optional<engine::Date> parse_as_of(const std::string& text);
/// sha256 of a text, as "sha256:<hex>".
std::string sha256_digest(const std::string& text);
/// Writes a file atomically (temporary file, then rename). Throws UserError.
void write_file_atomically(const std::string& path, const std::string& content);

/// Refuses (64) to write `output` over one of `inputs` (the same file by
/// any name): `-o a.yaml a.yaml` would replace the evidence with its report.
void refuse_output_over_input(const std::string& output, const std::vector<std::string>& inputs);
/// The files a loaded ruleset was read from: its own, those it extends, its schema.
std::vector<std::string> ruleset_files(const LoadedRuleset& ruleset);

/// Whether writing to `path` (-o) writes into what is there rather than
/// replacing a file: one of the process's own streams by name (/dev/stdout,
/// /dev/fd/N) or something that is not a regular file (a FIFO, a device).
bool written_into(const std::string& path);

/// A file written in parts and put in place atomically: the parts go to a
/// temporary file beside it, which commit() renames over the target. If
/// commit() is never reached (an error, an exception), the temporary file
/// is removed and the target is left as it was. A symbolic link is
/// followed: the file it points to is replaced, and the link stays. A
/// stream or device (written_into) is not replaced: the parts are written
/// straight into it, as a shell redirection would. A file
/// replaced keeps its mode, and its owner and group where allowed (root);
/// one without a write bit, or that the user may not write, is refused
/// (66), even for root. Its other hard links, if any, keep the old text (the
/// rename gives the name a new file). A folder is refused (64). Throws
/// UserError.
class AtomicFile {
public:
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();
  void write(std::string_view part);
  void commit();

private:
  [[noreturn]] void fail();
  std::string path_;    // as given, for messages
  std::string target_;  // the file replaced: path_, or where its symbolic link points
  std::string temp_;   // empty when writing straight into a FIFO or device
  int fd_ = -1;
};
/// Evidence paths: files as given, folders expanded to their *.yaml / *.yml files (sorted).
std::vector<std::string> expand_evidence_paths(const std::vector<std::string>& args);
/// Reads an evidence file named by expand_evidence_paths: as read_file, but
/// a FIFO, socket or device met while listing a folder is refused (a FIFO
/// without a writer would hold the batch forever) instead of opened; one
/// named on the command line is read as usual. Throws as read_file does.
std::string read_evidence_file(const std::string& path, std::size_t max_bytes);

}  // namespace verdict::cli
