#include "engine/source.hpp"

#include <algorithm>

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
  return {line, offset - line_starts_[line - 1] + 1};
}

std::uint32_t Source::offset_of(LineCol pos) const {
  if (pos.line == 0) return 0;
  if (pos.line > line_starts_.size()) return static_cast<std::uint32_t>(text_.size());
  auto start = line_starts_[pos.line - 1];
  auto off = start + (pos.column > 0 ? pos.column - 1 : 0);
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
