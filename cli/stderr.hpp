// Writing to stderr without throwing: a diagnostic or a progress line that
// cannot be shown (stderr full, or closed and held open on /dev/null) is no
// reason to stop a run or lose its exit code; fmt::print(stderr, …) throws
// std::system_error when the write fails.
#pragma once
#include <cstdio>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace verdict::cli {

template <class... T>
void print_err(fmt::format_string<T...> format, T&&... args) {
  const std::string text = fmt::format(format, std::forward<T>(args)...);
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace verdict::cli
