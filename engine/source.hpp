// Source text with a line index: spans are byte offsets, lines and columns
// are computed only when a diagnostic is rendered.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace verdict {

/// A half-open byte range [begin, end) in one source text. `file` says which
/// text when a whole holds several (engine::Program::sources: 0 is the
/// ruleset itself, 1 the ruleset it extends, …).
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint16_t file = 0;
};

/// A 1-based line and column. Columns count characters (UTF-8 code points,
/// and each invalid byte as one), as the line is shown: "Organisation’s"
/// is 14 columns wide, not 16.
struct LineCol {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

/// A named text (a ruleset, an evidence file) and the offsets of its lines.
class Source {
public:
  Source() = default;
  Source(std::string name, std::string text);

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }

  /// Line and column of a byte offset (clamped to the text).
  LineCol line_col(std::uint32_t offset) const;
  /// Byte offset of a 1-based line and a 1-based column counted in bytes
  /// (as yaml-cpp counts them), clamped to the text.
  std::uint32_t offset_of_byte_column(std::uint32_t line, std::uint32_t byte_column) const;
  /// The 1-based line of a byte offset (clamped to the text), found by a binary search.
  std::uint32_t line_of(std::uint32_t offset) const;
  /// Byte offset where a 1-based line starts (the text's size past the last line).
  std::uint32_t line_start(std::uint32_t line) const;
  /// The text of a 1-based line, without its line break.
  std::string_view line_text(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }
  /// Whether the text at `span` ends in '%' (a number written as a
  /// percentage, `90%`), which reports and diffs show as it was written.
  bool ends_in_percent(Span span) const {
    return span.end > span.begin && span.end <= text_.size() && text_[span.end - 1] == '%';
  }

private:
  std::string name_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
};

}  // namespace verdict
