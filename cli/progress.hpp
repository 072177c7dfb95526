// A progress line on stderr for long batches, only when stderr is a terminal.
#pragma once
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>

namespace verdict::cli {

class Progress {
public:
  Progress(std::size_t total, std::string what);
  /// Announces the next item (thread-safe).
  void step(const std::string& item);
  /// Writes text to `stream` (stdout or stderr), first clearing the
  /// progress line when they share the terminal; the next step draws it
  /// again (thread-safe).
  void print(std::FILE* stream, const std::string& text);
  /// Clears the line.
  void done();
  ~Progress() { done(); }

private:
  std::size_t total_, current_ = 0;
  std::string what_;
  bool active_;
  bool stdout_on_screen_;  // stdout is a terminal too
  std::mutex mutex_;  // steps may come from several threads
};

}  // namespace verdict::cli
