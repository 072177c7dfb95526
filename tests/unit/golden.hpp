// Golden files: a folder of NAME.<ext> inputs, each with NAME.expected, the
// exact text its rendering must give. VERDICT_UPDATE_EXPECTED=1 rewrites the
// .expected files instead of comparing. An input without its .expected, an
// .expected without its input, or any other file in the folder fails.
#pragma once
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>

namespace verdict::testing {

inline std::string read_golden(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Renders every NAME<input_ext> in `dir` with render(file name, text) and
/// compares with NAME.expected; requires at least `at_least` inputs.
inline void run_golden_folder(const std::filesystem::path& dir, const std::string& input_ext, std::size_t at_least,
                              const std::function<std::string(const std::string&, const std::string&)>& render) {
  namespace fs = std::filesystem;
  REQUIRE(fs::is_directory(dir));
  const bool update = std::getenv("VERDICT_UPDATE_EXPECTED") != nullptr;
  std::set<std::string> inputs, expected;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto ext = entry.path().extension().string();
    auto stem = entry.path().stem().string();
    if (ext == input_ext) inputs.insert(stem);
    else if (ext == ".expected") expected.insert(stem);
    else FAIL_CHECK("unexpected file in " << dir.string() << ": " << entry.path().filename().string());
  }
  CHECK(inputs.size() >= at_least);
  for (const auto& name : expected)
    CHECK_MESSAGE(inputs.count(name), name << ".expected has no " << name << input_ext);
  for (const auto& name : inputs) {
    CAPTURE(name);
    auto actual = render(name + input_ext, read_golden(dir / (name + input_ext)));
    auto expected_path = dir / (name + ".expected");
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    if (!fs::exists(expected_path)) {
      FAIL_CHECK(name << input_ext << " has no " << name << ".expected; it would be:\n" << actual);
      continue;
    }
    CHECK(actual == read_golden(expected_path));
  }
}

}  // namespace verdict::testing
