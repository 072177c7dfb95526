// Diagnostics: collected, sorted, capped, and rendered the way compilers do:
// `file:line:col: error[code]: message`, the source line, a caret under the span.
#pragma once
#include <algorithm>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/source.hpp"

namespace verdict {

enum class Severity { error, warning, note };

/// One message about one place in one source.
struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;     // stable: parse_error, check_error, evidence_error, eval_error…
  std::string message;  // what is wrong, in words
  std::shared_ptr<const Source> source;  // may be null (no position)
  Span span;
  std::vector<Diagnostic> notes;  // secondary places ("the bracket opened here")

  LineCol position() const { return source ? source->line_col(span.begin) : LineCol{}; }
  std::string file() const { return source ? source->name() : std::string(); }
};

/// Collects diagnostics; sorted by position when rendered.
class Diagnostics {
public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  /// Inserts `d` before the diagnostic at `index` (at the end if none).
  void insert(std::size_t index, Diagnostic d) {
    items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(std::min(index, items_.size())), std::move(d));
  }
  /// Adds a note (a secondary place) to the last diagnostic, if any.
  void add_note_to_last(Diagnostic note) {
    if (!items_.empty()) items_.back().notes.push_back(std::move(note));
  }
  /// Keeps the first `n` diagnostics.
  void truncate(std::size_t n) {
    if (n < items_.size()) items_.resize(n);
  }
  void error(std::string code, std::shared_ptr<const Source> src, Span span, std::string message);
  void warning(std::string code, std::shared_ptr<const Source> src, Span span, std::string message);
  bool has_errors() const;
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  void sort();
  void append(const Diagnostics& other);

private:
  std::vector<Diagnostic> items_;
};

/// Options of the renderer.
struct RenderOptions {
  bool color = false;
  std::size_t max_errors = 20;  // the rest is summarised in one line
};

/// Renders one diagnostic with its source line and caret.
std::string render(const Diagnostic& d, const RenderOptions& opt = {});
/// Renders all (sorted, capped).
std::string render(const Diagnostics& ds, const RenderOptions& opt = {});

/// Thrown where a stage cannot go on; carries what to report.
class DiagnosticError : public std::runtime_error {
public:
  explicit DiagnosticError(Diagnostics ds);
  explicit DiagnosticError(Diagnostic d);
  const Diagnostics& diagnostics() const { return diags_; }

private:
  Diagnostics diags_;
};

}  // namespace verdict
