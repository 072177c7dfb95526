// A progress line on stderr for long batches, only when stderr is a terminal.
#pragma once
#include <cstddef>
#include <mutex>
#include <string>

namespace verdict::cli {

class Progress {
public:
  Progress(std::size_t total, std::string what);
  /// Announces the next item (thread-safe).
  void step(const std::string& item);
  /// Clears the line.
  void done();
  ~Progress() { done(); }

private:
  std::size_t total_, current_ = 0;
  std::string what_;
  bool active_;
  std::mutex mutex_;  // steps may come from several threads
};

}  // namespace verdict::cli
