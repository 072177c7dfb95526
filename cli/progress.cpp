#include "cli/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "cli/stderr.hpp"

namespace verdict::cli {

Progress::Progress(std::size_t total, std::string what)
    : total_(total),
      what_(std::move(what)),
      active_(total > 1 && ::isatty(STDERR_FILENO)),
      stdout_on_screen_(active_ && ::isatty(STDOUT_FILENO)) {}

void Progress::step(const std::string& item) {
  std::lock_guard lock(mutex_);
  ++current_;
  if (!active_) return;
  std::string shown = item.size() > 50 ? "…" + item.substr(item.size() - 49) : item;
  int width = 24;
  int filled = static_cast<int>(width * (current_ - 1) / total_);
  print_err("\r\x1b[2K{} [{}{}] {}/{} {}", what_, std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(width - filled), '.'), current_, total_, shown);
  std::fflush(stderr);
}

void Progress::print(std::FILE* stream, const std::string& text) {
  std::lock_guard lock(mutex_);
  const bool on_screen = stream == stderr || (stream == stdout && stdout_on_screen_);
  if (active_ && on_screen && current_ > 0) print_err("\r\x1b[2K");
  std::fwrite(text.data(), 1, text.size(), stream);
  if (active_ && on_screen) std::fflush(stream);
}

void Progress::done() {
  std::lock_guard lock(mutex_);
  if (active_ && current_ > 0) print_err("\r\x1b[2K");
  active_ = false;
}

}  // namespace verdict::cli
