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

// A line as terminal_text makes it safe (control characters, C1 controls
// and bytes that are not UTF-8 as '?', one column each, as utf8_columns
// counts them), with a tab as one space so that the caret lines up.
std::string printable_line(std::string_view line) {
  std::string out = terminal_text(line);
  std::replace(out.begin(), out.end(), '\t', ' ');
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
    // The file's name and the message may quote evidence (a key, a file
    // name with an escape sequence in it): printable, as the line below is.
    out += fmt::format("{}{}:{}:{}:{} {}{}{}{}: {}\n", bold, terminal_line(d.source->name()), pos.line, pos.column, reset,
                       sev_color, severity_word(d.severity), code, reset, terminal_text(d.message));
    std::string_view full = d.source->line_text(pos.line);
    if (pos.line <= d.source->line_count()) {
      // Byte offsets within the line of where the span starts and ends; an
      // end on a later line, or past the shown text (a trailing carriage
      // return, say), is just after the text.
      std::uint32_t start = d.source->line_start(pos.line);
      if (pos.line == 1 && d.source->text().starts_with("\xEF\xBB\xBF")) {  // a byte order mark is not shown
        start = 3;
        full.remove_prefix(std::min<std::size_t>(3, full.size()));
      }
      const std::size_t b0 = std::min<std::size_t>(d.span.begin - start, full.size());
      const std::uint32_t end_off = std::max(d.span.end, d.span.begin + 1);
      const bool ends_here = d.source->line_of(end_off) == pos.line;
      const std::size_t b1 = ends_here ? std::min<std::size_t>(end_off - start, full.size() + 1) : full.size() + 1;
      // A very long line is shown as a window around the position, cut
      // between characters.
      auto boundary = [&](std::size_t i) {
        while (i < full.size() && (static_cast<unsigned char>(full[i]) & 0xC0) == 0x80) ++i;
        return i;
      };
      constexpr std::size_t kWindow = 100;
      std::size_t w0 = 0, w1 = full.size();
      if (full.size() > kWindow + 20) {
        w0 = b0 + 1 > kWindow / 2 ? boundary(b0 + 1 - kWindow / 2) : 0;
        w0 = std::min(w0, b0);
        if (full.size() - w0 > kWindow) w1 = boundary(w0 + kWindow);
      }
      const std::string_view shown = full.substr(w0, w1 - w0);
      const std::string prefix = w0 > 0 ? "…" : "", suffix = w1 < full.size() ? "…" : "";
      auto gutter = fmt::format("{}", pos.line);
      out += fmt::format(" {} | {}{}{}\n", gutter, prefix, printable_line(shown), suffix);
      // The caret covers the span on this line (at least one column), in
      // columns as the line is shown (one per character).
      const std::size_t lead = w0 > 0 ? 1 : 0;  // the ellipsis
      // (display widths: a wide character takes two columns, a combining mark none)
      const std::size_t end_col = lead + display_width(shown) + 1;  // just after the shown text
      const std::size_t start_col = std::min(lead + display_width(full.substr(w0, b0 - w0)) + 1, end_col);
      std::size_t width = b1 > b0 ? display_width(full.substr(b0, std::min(b1, w1) - b0)) + (b1 > w1 ? 1 : 0) : 1;
      width = std::clamp<std::size_t>(width, 1, end_col + 1 - start_col);
      std::string marker(width, '~');  // ^~~~ (built in place: GCC 12 warns on "^" + string)
      marker.front() = '^';
      out += fmt::format(" {} | {}{}{}{}\n", std::string(gutter.size(), ' '), std::string(start_col - 1, ' '), sev_color,
                         marker, reset);
    }
  } else {
    out += fmt::format("{}{}{}{}: {}\n", sev_color, severity_word(d.severity), code, reset, terminal_text(d.message));
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
