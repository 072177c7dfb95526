// The HTML report rendered in headless Chromium (Debian's chromium package):
// the page shows the outcome and logs no console message. A page with a
// deliberate console error is checked the same way, so the check can fail.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include "cli/evidence_files.hpp"
#include "cli/report.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

struct Rendered {
  int exit_code = -1;
  std::string dom;
  std::string log;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Rendered render_in_chromium(const fs::path& html, const fs::path& work) {
  std::string cmd = "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                    "--disable-background-networking --disable-component-update --disable-sync "
                    "--user-data-dir='" + (work / "profile").string() + "' --enable-logging=stderr --v=0 --dump-dom 'file://" +
                    html.string() + "' >'" + (work / "dom").string() + "' 2>'" + (work / "log").string() + "'";
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(work / "dom"), slurp(work / "log")};
}

bool has_console_messages(const std::string& log) { return log.find(":CONSOLE") != std::string::npos; }

}  // namespace

TEST_CASE("the HTML report shows the outcome in Chromium with no console errors") {
  REQUIRE_MESSAGE(std::system("command -v chromium >/dev/null 2>&1") == 0,
                  "chromium is not installed: run scripts/setup.sh (it installs Debian's chromium)");
  fs::path work = fs::temp_directory_path() / ("verdict-html-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);

  // The check can fail: a page with a console error is caught.
  std::ofstream(work / "bad.html") << "<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>";
  auto bad = render_in_chromium(work / "bad.html", work);
  CHECK(has_console_messages(bad.log));

  auto ruleset = cli::load_ruleset("ecei-minimum@2012.1", {}, false);
  std::vector<cli::FileOutcome> files;
  for (const char* name : {"baltic-food.yaml", "alpine-mobility.yaml"})
    files.push_back(cli::evaluate_file(VERDICT_TEST_DIR "/../examples/evidence/" + std::string(name), ruleset, std::nullopt, {}, false));
  std::ofstream(work / "report.html") << cli::render_report(cli::ReportFormat::html, ruleset.info, files, false);
  auto page = render_in_chromium(work / "report.html", work);
  CHECK(page.exit_code == 0);
  INFO("chromium log:\n", page.log);
  CHECK_FALSE(has_console_messages(page.log));
  CHECK(page.dom.find("id=\"outcome\"") != std::string::npos);
  CHECK(page.dom.find("Minimum requirements not met") != std::string::npos);
  CHECK(page.dom.find("Proven for cluster excellence (minimum requirements met)") != std::string::npos);
  CHECK(page.dom.find("<svg") != std::string::npos);
  CHECK(page.dom.find("What to improve first") != std::string::npos);
  fs::remove_all(work);
}
