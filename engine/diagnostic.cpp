#include "engine/diagnostic.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "engine/text.hpp"

namespace verdict {

void Diagnostics::error(std::string code, std::shared_ptr<const Source> src, Span span, std::string message) {
  add(Diagnostic{Severity::error, std::move(code), std::move(message), std::move(src), span, {}});
}

void Diagnostics::warning(std::string code, std::shared_ptr<const Source> src, Span span, std::string message) {
  add(Diagnostic{Severity::warning, std::move(code), std::move(message), std::move(src), span, {}});
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; });
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file() != b.file()) return a.file() < b.file();
    return a.span.begin < b.span.begin;
  });
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

namespace {

const char* severity_word(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

// Tabs are shown as one space so that the caret lines up with the text.
// Invalid UTF-8 bytes are shown as '?' so a diagnostic is always printable.
std::string printable_line(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size();) {
    auto bad = find_invalid_utf8(line.substr(i));
    std::size_t good = bad == std::string_view::npos ? line.size() - i : bad;
    for (std::size_t k = 0; k < good; ++k) out.push_back(line[i + k] == '\t' ? ' ' : line[i + k]);
    i += good;
    if (i < line.size()) { out.push_back('?'); ++i; }
  }
  return out;
}

void render_into(std::string& out, const Diagnostic& d, const RenderOptions& opt) {
  const char* bold = opt.color ? "\x1b[1m" : "";
  const char* reset = opt.color ? "\x1b[0m" : "";
  const char* sev_color = !opt.color ? "" : d.severity == Severity::error ? "\x1b[1;31m"
                                          : d.severity == Severity::warning ? "\x1b[1;33m" : "\x1b[1;36m";
  std::string code = d.code.empty() ? std::string() : fmt::format("[{}]", d.code);
  if (d.source) {
    auto pos = d.source->line_col(d.span.begin);
    out += fmt::format("{}{}:{}:{}:{} {}{}{}{}: {}\n", bold, d.source->name(), pos.line, pos.column, reset, sev_color,
                       severity_word(d.severity), code, reset, d.message);
    auto line = d.source->line_text(pos.line);
    // A very long line is shown as a window around the position.
    std::string prefix, suffix;
    constexpr std::uint32_t kWindow = 100;
    if (line.size() > kWindow + 20) {
      std::uint32_t start = pos.column > kWindow / 2 ? pos.column - kWindow / 2 : 0;
      if (start > 0) {
        prefix = "…";
        line.remove_prefix(std::min<std::size_t>(start, line.size()));
        pos.column -= start;
        pos.column += 1;  // the ellipsis takes one column
      }
      if (line.size() > kWindow) {
        line = line.substr(0, kWindow);
        suffix = "…";
      }
    }
    if (pos.line <= d.source->line_count()) {
      auto gutter = fmt::format("{}", pos.line);
      out += fmt::format(" {} | {}{}{}\n", gutter, prefix, printable_line(line), suffix);
      // The caret covers the span on this line (at least one column).
      // A position past the shown text (trailing carriage returns, say) is
      // drawn just after it.
      const auto line_end_col = static_cast<std::uint32_t>(line.size()) + 1;
      std::uint32_t start_col = std::min(pos.column, line_end_col);
      std::uint32_t end_off = std::max(d.span.end, d.span.begin + 1);
      auto end_pos = d.source->line_col(end_off);
      auto orig_start = d.source->line_col(d.span.begin).column;
      std::uint32_t width = 1;
      if (end_pos.line == pos.line && end_pos.column > orig_start) width = end_pos.column - orig_start;
      else if (end_pos.line != pos.line && line.size() + 1 > start_col) width = static_cast<std::uint32_t>(line.size()) + 1 - start_col;
      if (start_col + width > line_end_col + 1) width = line_end_col + 1 - start_col;  // at least 1: start_col <= line_end_col
      width = std::max<std::uint32_t>(width, 1);
      std::string marker = "^" + std::string(width - 1, '~');
      out += fmt::format(" {} | {}{}{}{}\n", std::string(gutter.size(), ' '), std::string(start_col - 1, ' '), sev_color,
                         marker, reset);
    }
  } else {
    out += fmt::format("{}{}{}{}: {}\n", sev_color, severity_word(d.severity), code, reset, d.message);
  }
  for (const auto& n : d.notes) render_into(out, n, opt);
}

}  // namespace

std::string render(const Diagnostic& d, const RenderOptions& opt) {
  std::string out;
  render_into(out, d, opt);
  return out;
}

std::string render(const Diagnostics& ds, const RenderOptions& opt) {
  Diagnostics sorted = ds;
  sorted.sort();
  std::string out;
  std::size_t shown = 0, errors = 0, warnings = 0;
  for (const auto& d : sorted.items()) {
    (d.severity == Severity::error ? errors : warnings)++;
    if (shown < opt.max_errors) {
      render_into(out, d, opt);
      ++shown;
    }
  }
  if (sorted.size() > shown)
    out += fmt::format("... and {} more diagnostics not shown\n", sorted.size() - shown);
  return out;
}

static std::string first_message(const Diagnostics& ds) {
  return ds.items().empty() ? std::string("error") : ds.items().front().message;
}

DiagnosticError::DiagnosticError(Diagnostics ds) : std::runtime_error(first_message(ds)), diags_(std::move(ds)) {}

DiagnosticError::DiagnosticError(Diagnostic d) : std::runtime_error(d.message) { diags_.add(std::move(d)); }

}  // namespace verdict
