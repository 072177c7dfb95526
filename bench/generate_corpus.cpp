// Writes a corpus of generated ecei-evidence/1 files:
//   verdict_generate DIR COUNT [PARTICIPANTS] [FIRST_SEED]
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "bench/evidence_generator.hpp"

namespace {
// A whole number from `lo` to `hi`, all of `text`; false otherwise.
bool whole(std::string_view text, long lo, long hi, long& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= lo && out <= hi;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    fmt::print(stderr, "usage: {} DIR COUNT [PARTICIPANTS] [FIRST_SEED]\n", argv[0]);
    return 64;
  }
  const std::filesystem::path dir = argv[1];
  long count = 0, participants = 40, seed = 1;
  if (!whole(argv[2], 0, 10'000'000, count)) {
    fmt::print(stderr, "{}: COUNT must be a whole number from 0 to 10000000, got '{}'\n", argv[0], argv[2]);
    return 64;
  }
  if (argc > 3 && !whole(argv[3], 0, 1'000'000, participants)) {
    fmt::print(stderr, "{}: PARTICIPANTS must be a whole number from 0 to 1000000, got '{}'\n", argv[0], argv[3]);
    return 64;
  }
  if (argc > 4 && !whole(argv[4], 0, 4'000'000'000L, seed)) {
    fmt::print(stderr, "{}: FIRST_SEED must be a whole number from 0 to 4000000000, got '{}'\n", argv[0], argv[4]);
    return 64;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fmt::print(stderr, "{}: cannot create {}: {}\n", argv[0], dir.string(), ec.message());
    return 73;
  }
  for (long i = 0; i < count; ++i) {
    const auto path = dir / fmt::format("cluster-{:05}.yaml", i);
    std::ofstream out(path);
    out << verdict::bench::generate_evidence(static_cast<int>(participants), static_cast<std::uint32_t>(seed + i));
    if (!out.flush()) {
      fmt::print(stderr, "{}: cannot write {}\n", argv[0], path.string());
      return 73;
    }
  }
  return 0;
}
