// Runs the `verdict` program on every case in tests/cli/*.yaml: arguments,
// files to create, the expected exit code and fragments of stdout / stderr,
// whether stdout is one JSON document (`stdout_json: true`), and optionally
// a bound on the run's peak memory.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("CLI cases in tests/cli") {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(VERDICT_TEST_DIR "/cli"))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 10);
  const fs::path root = fs::path(VERDICT_TEST_DIR).parent_path();
  for (const auto& file : files) {
    YAML::Node c = YAML::LoadFile(file.string());
    fs::path tmp = fs::temp_directory_path() / ("verdict-cli-" + file.stem().string() + "-" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    if (c["files"])
      for (const auto& f : c["files"]) {
        fs::path target = tmp / f.first.as<std::string>();
        fs::create_directories(target.parent_path());
        std::ofstream(target, std::ios::binary) << f.second.as<std::string>();
      }
    // `shell:` prepares what `files:` cannot write (a 200 MB sparse file, random
    // bytes, an example grown past a limit); it runs in {tmp}, {root} is the
    // project and {verdict} the program under test.
    if (c["shell"]) {
      std::string prep = "cd " + quote(tmp.string()) + " && " +
                         replace_all(replace_all(replace_all(c["shell"].as<std::string>(), "{tmp}", tmp.string()), "{root}",
                                                 root.string()),
                                     "{verdict}", quote(VERDICT_BINARY));
      REQUIRE_MESSAGE(std::system(prep.c_str()) == 0, file.filename().string(), ": shell set-up failed: ", prep);
    }
    std::string cmd = "cd " + quote(root.string()) + " && ";
    if (c["env"])
      for (const auto& e : c["env"]) cmd += e.first.as<std::string>() + "=" + quote(replace_all(e.second.as<std::string>(), "{tmp}", tmp.string())) + " ";
    // `timeout: N` bounds the run: a hang shows as exit 124, not as a stuck suite.
    if (c["timeout"]) cmd += "timeout " + std::to_string(c["timeout"].as<int>()) + " ";
    // `max_rss_mb: N` bounds the run's peak resident memory, as GNU time measures
    // it (%M, in KB); without /usr/bin/time (Debian package `time`) it is not measured.
    const bool measure = c["max_rss_mb"] && ::access("/usr/bin/time", X_OK) == 0;
    if (measure) cmd += "/usr/bin/time -f %M -o " + quote((tmp / "rss").string()) + " ";
    cmd += quote(VERDICT_BINARY);
    for (const auto& a : c["args"]) cmd += " " + quote(replace_all(a.as<std::string>(), "{tmp}", tmp.string()));
    cmd += " </dev/null >" + quote((tmp / "stdout").string()) + " 2>" + quote((tmp / "stderr").string());
    int status = std::system(cmd.c_str());
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::string out = slurp(tmp / "stdout"), err = slurp(tmp / "stderr");
    INFO("case: ", file.filename().string(), "\n--- stdout\n", out, "--- stderr\n", err);
    CHECK(code == c["exit"].as<int>());
    if (c["stdout_json"] && c["stdout_json"].as<bool>()) {
      std::string why;
      try {
        const auto doc = nlohmann::json::parse(out);
        if (doc.is_discarded()) why = "discarded";
      } catch (const nlohmann::json::exception& e) {
        why = e.what();
      }
      CHECK_MESSAGE(why.empty(), "stdout is not one JSON document: ", why);
    }
    if (c["stdout"])
      for (const auto& frag : c["stdout"]) CHECK_MESSAGE(out.find(frag.as<std::string>()) != std::string::npos, "stdout lacks: ", frag.as<std::string>());
    if (c["stderr"])
      for (const auto& frag : c["stderr"]) CHECK_MESSAGE(err.find(frag.as<std::string>()) != std::string::npos, "stderr lacks: ", frag.as<std::string>());
    if (c["stdout_not"])
      for (const auto& frag : c["stdout_not"]) CHECK_MESSAGE(out.find(frag.as<std::string>()) == std::string::npos, "stdout has: ", frag.as<std::string>());
    if (c["stderr_not"])
      for (const auto& frag : c["stderr_not"]) CHECK_MESSAGE(err.find(frag.as<std::string>()) == std::string::npos, "stderr has: ", frag.as<std::string>());
    if (measure) {
      // GNU time writes "Command exited with non-zero status N" first when it is not 0.
      std::istringstream lines(slurp(tmp / "rss"));
      std::string line, last;
      while (std::getline(lines, line))
        if (!line.empty()) last = line;
      const long peak_kb = last.find_first_not_of("0123456789") == std::string::npos && !last.empty() ? std::stol(last) : -1;
      const long bound_kb = c["max_rss_mb"].as<long>() * 1024;
      CHECK_MESSAGE(peak_kb >= 0, "no peak RSS from /usr/bin/time: '", last, "'");
      CHECK_MESSAGE(peak_kb <= bound_kb, "peak RSS ", peak_kb / 1024, " MB is above the bound of ", bound_kb / 1024, " MB");
    } else if (c["max_rss_mb"]) {
      MESSAGE(file.filename().string(), ": peak memory not measured (no /usr/bin/time)");
    }
    if (c["files_after"])
      for (const auto& f : c["files_after"]) {
        std::string content = slurp(tmp / f.first.as<std::string>());
        for (const auto& frag : f.second) CHECK_MESSAGE(content.find(frag.as<std::string>()) != std::string::npos, f.first.as<std::string>(), " lacks: ", frag.as<std::string>());
      }
    fs::remove_all(tmp);
  }
}
