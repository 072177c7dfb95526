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

/// The formats of `verdict evaluate`.
enum class ReportFormat { text, json, markdown, html };
/// "text", "json", "markdown" or "html" (anything else is text).
ReportFormat report_format(const std::string& name);

/// What a batch's closing line and exit code need of each file: a batch
/// keeps this, not the files' results.
struct BatchTally {
  std::size_t files = 0;
  int pass = 0, fail = 0, unknown = 0, error = 0;
  int unreadable = 0;  // errors that are files that could not be read
  void add(const FileOutcome& f);
  void add(const BatchTally& other);
  /// 0 all pass, 1 a fail, 2 an unknown, 65/66 errors.
  int exit_code() const;
};

/// A report in three parts, so that a batch is written file by file, in
/// input order, as its files finish: the beginning (it needs only how many
/// files there are and the first one's name), one part per file (`index` is
/// its place in the batch), and the end. Their concatenation is the
/// report render_report gives, byte for byte.
std::string report_begin(ReportFormat format, const RulesetInfo& ruleset, std::size_t files, const std::string& first_evidence,
                         bool color);
std::string report_file(ReportFormat format, const FileOutcome& file, std::size_t index, bool color);
std::string report_end(ReportFormat format, const BatchTally& tally, bool color);

/// The whole report of `files` in one string: the parts above, concatenated.
/// HTML is one self-contained page (inline CSS and SVG, no network),
/// printable on A4. `color` only colours text.
std::string render_report(ReportFormat format, const RulesetInfo& ruleset, const std::vector<FileOutcome>& files, bool color);

/// Escapes text for HTML and XML (control characters other than tab and
/// newlines become spaces, which XML 1.0 cannot carry; a byte that is not
/// UTF-8 becomes U+FFFD).
std::string escape_markup(const std::string& text);

/// The result with groups and indicators in natural id order (1.1.0 < 1.2 <
/// 2.1 < 2.2.1 …), as people read a catalogue; JSON keeps declaration order.
engine::EvaluationResult display_order(const engine::EvaluationResult& r);

/// A computed value as a report line shows it: a list of up to 5 plain values
/// in full (`[objectives, support_plan]`), a longer list or one of records by
/// its length ("1 entry", "12 entries"), anything else as to_display.
std::string brief_value(const engine::Value& v);

/// One entry of "what to improve first": an indicator, and what would make
/// it pass (the gap of its first check that has one, else its first
/// message) or, when it lacks evidence, the first path to report.
struct ImproveItem {
  const engine::IndicatorResult* indicator = nullptr;
  std::string what;     // "" when there is nothing to say
  std::string missing;  // the evidence to report, when `what` is ""
};
/// Failed minimum requirements first, then other failures, then minimum
/// requirements that lack evidence, in report order.
std::vector<ImproveItem> improve_first_items(const engine::EvaluationResult& r);

/// Source text on one line: each run of blanks (a line break and the next
/// line's indentation too) as one space (a require written over lines).
std::string one_line(std::string_view text);
/// A condition's source text as reports show it: on one line (one_line),
/// without the comments written between its lines (`# …` outside a text).
std::string expression_line(std::string_view source);

/// A let's value as the HTML and Markdown reports show it: brief_value, with
/// a fraction to four decimal places.
std::string report_value(const engine::Value& v);

/// What names each record of a list, for a reader: its `id`, else its
/// `name`, else its `title` (a string or a number), else where it is in the
/// evidence ("cooperation[2]"), else its position ("#3"). Empty when `v` is
/// not a list of records.
std::vector<std::string> entry_names(const engine::Value& v);
/// The same for one record at `position` (0-based) of its list; "" when
/// `v` is not a record.
std::string entry_name(const engine::Value& v, std::size_t position);

/// A file's first problem as the text, Markdown and HTML reports show it:
/// "FILE:LINE:COLUMN: message" when it has a position, else the message
/// ("could not be evaluated" when there is none).
std::string error_line(const FileOutcome& f);
/// "as of 2026-06-30", or "no reference date" when the ruleset has no
/// as_of and none was given (capitalised with `capital`).
std::string as_of_text(const std::optional<engine::Date>& as_of, bool capital = false);

/// `n` and the word, in the singular for 1 ("1 indicator", "3 indicators").
std::string count_of(std::size_t n, const char* singular, const char* plural);

/// Exit code of a batch: 0 all pass, 1 a fail, 2 an unknown, 65/66 errors.
int batch_exit_code(const std::vector<FileOutcome>& files);

}  // namespace verdict::cli
