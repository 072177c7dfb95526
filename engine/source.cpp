#include "engine/source.hpp"

#include <algorithm>

#include "engine/text.hpp"

namespace verdict {

Source::Source(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

LineCol Source::line_col(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
  std::uint32_t start = line_starts_[line - 1];
  // A byte order mark is no column: editors count from after it.
  if (line == 1 && offset >= 3 && std::string_view(text_).starts_with("\xEF\xBB\xBF")) start = 3;
  return {line, static_cast<std::uint32_t>(utf8_columns(std::string_view(text_).substr(start, offset - start))) + 1};
}

std::uint32_t Source::line_of(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  return static_cast<std::uint32_t>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin());
}

std::uint32_t Source::line_start(std::uint32_t line) const {
  if (line == 0) return 0;
  if (line > line_starts_.size()) return static_cast<std::uint32_t>(text_.size());
  return line_starts_[line - 1];
}

std::uint32_t Source::offset_of_byte_column(std::uint32_t line, std::uint32_t byte_column) const {
  if (line == 0) return 0;
  auto off = line_start(line) + (byte_column > 0 ? byte_column - 1 : 0);
  return std::min<std::uint32_t>(off, static_cast<std::uint32_t>(text_.size()));
}

std::string_view Source::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  auto start = line_starts_[line - 1];
  auto end = line < line_starts_.size() ? line_starts_[line] : static_cast<std::uint32_t>(text_.size());
  std::string_view sv(text_.data() + start, end - start);
  while (!sv.empty() && (sv.back() == '\n' || sv.back() == '\r')) sv.remove_suffix(1);
  return sv;
}

}  // namespace verdict
