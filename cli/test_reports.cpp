// Finding ruleset test files, coverage of requires, and the three reports of
// `verdict test`: text, JSON and JUnit XML.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/ruleset_tests.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace fs = std::filesystem;

std::vector<std::string> find_test_files(const std::vector<std::string>& paths, const SearchOptions& search) {
  std::vector<std::string> out;
  auto scan = [&](const std::string& dir) {
    std::error_code ec;
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec))
      if (it->is_regular_file(ec) && it->path().filename().string().ends_with(".test.yaml")) found.push_back(it->path().string());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  };
  if (paths.empty()) {
    for (const auto& dir : ruleset_dirs(search)) scan(dir);
  } else {
    for (const auto& p : paths) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        scan(p);
      } else if (p.ends_with(".rules")) {
        // `verdict test drafts/x.rules`: its tests are in a test file, not in it.
        const std::string beside = p.substr(0, p.size() - 6) + ".test.yaml";
        throw UserError(Exit::usage,
                        fmt::format("{} is a ruleset; verdict test runs test files (*.test.yaml){}", terminal_line(p),
                                    fs::is_regular_file(beside, ec)
                                        ? fmt::format(": its tests are in {}", terminal_line(beside))
                                        : std::string(": give a test file, or the folder that holds them")));
      } else {
        out.push_back(p);
      }
    }
  }
  // The same file reached twice (installed and in-tree) runs once.
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const auto& p : out) {
    std::error_code ec;
    auto canon = fs::weakly_canonical(p, ec).string();
    if (seen.insert(canon).second) unique.push_back(p);
  }
  return unique;
}

std::vector<CoverageGap> coverage_gaps(const std::vector<TestFileResult>& results) {
  struct Seen {
    std::string source;
    std::uint32_t line;
    std::string file;
    bool t = false, f = false;
  };
  std::map<std::string, std::map<std::pair<std::string, std::size_t>, Seen>> seen;  // ruleset → (indicator, check) → seen
  std::map<std::string, std::vector<std::pair<std::string, std::size_t>>> order;
  for (const auto& file : results) {
    if (file.error) continue;
    std::string rs = file.info.name + "@" + file.info.version;
    for (const auto& c : file.cases) {
      if (!c.result) continue;
      for (const auto& ind : c.result->indicators)
        for (std::size_t i = 0; i < ind.checks.size(); ++i) {
          auto key = std::make_pair(ind.id, i);
          auto [it, fresh] = seen[rs].try_emplace(key, Seen{ind.checks[i].source, ind.checks[i].line, ind.checks[i].file});
          if (fresh) order[rs].push_back(key);
          if (ind.checks[i].result == true) it->second.t = true;
          if (ind.checks[i].result == false) it->second.f = true;
        }
    }
  }
  std::vector<CoverageGap> gaps;
  for (const auto& [rs, keys] : order)
    for (const auto& key : keys) {
      const auto& s = seen[rs][key];
      if (!s.t || !s.f) gaps.push_back({rs, key.first, s.source, s.line, s.file, !s.t, !s.f});
    }
  return gaps;
}

namespace {
struct Totals {
  int passed = 0, failed = 0, errors = 0;
};
Totals totals(const std::vector<TestFileResult>& results) {
  Totals t;
  for (const auto& f : results) {
    if (f.error) ++t.errors;
    for (const auto& c : f.cases) (c.passed() ? t.passed : t.failed)++;
  }
  return t;
}
std::string xml_escape(const std::string& s) { return escape_markup(s); }
}  // namespace

std::string render_tests_text(const std::vector<TestFileResult>& results, const std::vector<CoverageGap>& gaps, bool color) {
  auto paint = [&](const char* code, const std::string& s) { return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : s; };
  std::string out;
  for (const auto& f : results) {
    int failed = 0;
    for (const auto& c : f.cases) failed += !c.passed();
    if (f.error) {
      // The diagnostic itself went to stderr (run_test); the cases run
      // before the error are still listed when they failed.
      out += fmt::format("{} {}  (could not be run: see the error on stderr{})\n", paint("31", "✘"), f.path,
                         failed ? fmt::format("; {} of the cases before it failed", failed) : "");
    } else {
      out += fmt::format("{} {}  ({}@{}, {}{})\n", failed ? paint("31", "✘") : paint("32", "✔"), f.path, f.info.name,
                         f.info.version, count_of(f.cases.size(), "case", "cases"), failed ? fmt::format(", {} failed", failed) : "");
    }
    for (const auto& c : f.cases) {
      if (c.passed()) continue;
      out += fmt::format("    {} {}:{}: {}\n", paint("31", "✘"), terminal_line(f.path), c.line, terminal_line(c.name));
      // Every line of a failure under its case, a rendered diagnostic (evidence
      // that could not be evaluated) included, and no blank line after it.
      for (const auto& why : c.failures) {
        std::string text = terminal_text(why.what);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        std::size_t from = 0;
        for (bool first = true; from <= text.size(); first = false) {
          auto to = std::min(text.find('\n', from), text.size());
          out += fmt::format("{}{}\n", first ? "        " : "          ", std::string_view(text).substr(from, to - from));
          from = to + 1;
        }
      }
    }
  }
  if (!gaps.empty()) {
    out += "\nCoverage: requires that no case made true or false\n";
    for (const auto& g : gaps)
      out += fmt::format("  {} {} ({}): {}  never {}\n", terminal_text(g.ruleset), terminal_text(g.indicator),
                         terminal_text(g.file.empty() ? fmt::format("line {}", g.line) : fmt::format("{}:{}", g.file, g.line)),
                         terminal_text(expression_line(g.source)),
                         g.never_true && g.never_false ? "true nor false" : g.never_true ? "true" : "false");
  }
  auto t = totals(results);
  out += fmt::format("\n{} passed, {} failed{}\n", t.passed, t.failed, t.errors ? fmt::format(", {} with errors", count_of(t.errors, "test file", "test files")) : "");
  return out;
}

std::string render_tests_json(const std::vector<TestFileResult>& results, const std::vector<CoverageGap>& gaps) {
  using ojson = nlohmann::ordered_json;
  ojson files = ojson::array();
  for (const auto& f : results) {
    ojson jf{{"path", f.path}, {"ruleset", f.ruleset}};
    if (f.error) jf["error"] = *f.error;
    ojson cases = ojson::array();
    for (const auto& c : f.cases) {
      ojson fails = ojson::array();
      for (const auto& w : c.failures) fails.push_back(w.what);
      cases.push_back({{"name", c.name}, {"line", c.line}, {"passed", c.passed()}, {"failures", fails}});
    }
    jf["cases"] = std::move(cases);
    files.push_back(std::move(jf));
  }
  ojson cov = ojson::array();
  for (const auto& g : gaps)
    cov.push_back({{"ruleset", g.ruleset}, {"indicator", g.indicator}, {"source", expression_line(g.source)}, {"line", g.line},
                   {"file", g.file.empty() ? ojson(nullptr) : ojson(g.file)},
                   {"never_true", g.never_true}, {"never_false", g.never_false}});
  auto t = totals(results);
  ojson out{{"files", std::move(files)},
            {"summary", {{"passed", t.passed}, {"failed", t.failed}, {"errors", t.errors}}},
            {"coverage", std::move(cov)}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_tests_junit(const std::vector<TestFileResult>& results) {
  auto t = totals(results);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"verdict test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", t.passed + t.failed + t.errors,
                     t.failed, t.errors);
  for (const auto& f : results) {
    int failed = 0;
    for (const auto& c : f.cases) failed += !c.passed();
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", xml_escape(f.path),
                       f.cases.size() + (f.error ? 1 : 0), failed, f.error ? 1 : 0);
    if (f.error)
      out += fmt::format("    <testcase name=\"{}\" classname=\"{}\">\n      <error message=\"the test file could not be run\">{}</error>\n    </testcase>\n",
                         xml_escape(f.path), xml_escape(f.ruleset), xml_escape(*f.error));
    for (const auto& c : f.cases) {
      out += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"", xml_escape(c.name),
                         xml_escape(f.info.name + "@" + f.info.version), xml_escape(f.path), c.line);
      if (c.passed()) {
        out += "/>\n";
        continue;
      }
      std::string body;
      for (const auto& w : c.failures) body += w.what + "\n";
      out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n", xml_escape(c.failures.front().what),
                         xml_escape(body));
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace verdict::cli
