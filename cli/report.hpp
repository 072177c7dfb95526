// Reports of an evaluation: text for people, JSON for programs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostic.hpp"
#include "engine/result.hpp"

namespace verdict::cli {

/// Which ruleset produced a report.
struct RulesetInfo {
  std::string name;
  std::string version;
  std::string title;
  std::string digest;  // "sha256:…"
  std::string path;
};

/// One evidence file's result, or why it has none.
struct FileOutcome {
  std::string evidence;  // as the user named it
  std::optional<engine::EvaluationResult> result;
  std::optional<Diagnostic> error;  // the first problem, when the file could not be evaluated
  std::string error_text;           // all problems, rendered
  bool unreadable = false;          // the file could not be read at all (exit 66)
};

std::string render_text(const RulesetInfo& ruleset, const std::vector<FileOutcome>& files, bool color);
/// The JSON report of a batch; entries are built on up to `threads` threads.
std::string render_json(const RulesetInfo& ruleset, const std::vector<FileOutcome>& files, unsigned threads = 1);
std::string render_markdown(const RulesetInfo& ruleset, const std::vector<FileOutcome>& files);
/// One self-contained HTML page (inline CSS and SVG, no network), printable on A4.
std::string render_html(const RulesetInfo& ruleset, const std::vector<FileOutcome>& files);

/// Escapes text for HTML and XML (control characters other than tab and
/// newlines become spaces, which XML 1.0 cannot carry).
std::string escape_markup(const std::string& text);

/// The result with groups and indicators in natural id order (1.1.0 < 1.2 <
/// 2.1 < 2.2.1 …), as people read a catalogue; JSON keeps declaration order.
engine::EvaluationResult display_order(const engine::EvaluationResult& r);

/// Exit code of a batch: 0 all pass, 1 a fail, 2 an unknown, 65/66 errors.
int batch_exit_code(const std::vector<FileOutcome>& files);

}  // namespace verdict::cli
