// A batch writes its report file by file, in input order, as the files
// finish (cli/batch.cpp). Whatever the format and the number of threads, the
// parts must add up to the report rendered whole, the problems must come in
// input order, and the exit code must be the batch's.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

#include "cli/batch.hpp"
#include "cli/evidence_files.hpp"
#include "cli/report.hpp"
#include "cli/workspace.hpp"
#include "engine/text.hpp"

using namespace verdict;
namespace fs = std::filesystem;

namespace {

const std::string kRoot = VERDICT_TEST_DIR "/..";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Written {
  std::string report, errors;
  cli::BatchTally tally;
};

Written run_batch(const std::vector<std::string>& paths, const cli::LoadedRuleset& ruleset, cli::ReportFormat format,
                  unsigned threads) {
  Written w;
  cli::BatchOptions options;
  options.format = format;
  options.threads = threads;
  cli::BatchOutput output;
  output.report = [&](const std::string& part) { w.report += part; };
  output.errors = [&](const std::string& text) { w.errors += text; };
  w.tally = cli::evaluate_batch(paths, ruleset, options, output);
  return w;
}

std::string render_whole(cli::ReportFormat format, const cli::RulesetInfo& info, const std::vector<cli::FileOutcome>& files) {
  return cli::render_report(format, info, files, false);
}

}  // namespace

TEST_CASE("a batch written file by file is the report rendered whole, on one thread or two") {
  auto ruleset = cli::load_ruleset(kRoot + "/rulesets/ecei/ecei-gold-2012.1.rules", {}, false);
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(kRoot + "/examples/evidence")) paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  paths.insert(paths.begin() + 1, kRoot + "/tests/evidence/errors/carriage_returns.yaml");  // does not load
  paths.push_back(kRoot + "/tests/evidence/errors/duplicate_key.yaml");                     // does not load
  paths.push_back(kRoot + "/no/such/file.yaml");                                           // cannot be read
  std::vector<cli::FileOutcome> outcomes;
  std::string errors;
  for (const auto& p : paths) {
    outcomes.push_back(cli::evaluate_file(p, ruleset, std::nullopt, {}, false));
    if (!outcomes.back().result) errors += outcomes.back().error_text;
  }
  REQUIRE(outcomes.size() == 7);
  REQUIRE_FALSE(errors.empty());
  const int exit_code = cli::batch_exit_code(outcomes);
  CHECK(exit_code == 65);

  for (auto format : {cli::ReportFormat::text, cli::ReportFormat::json, cli::ReportFormat::markdown, cli::ReportFormat::html})
    for (unsigned threads : {1u, 2u}) {
      CAPTURE(static_cast<int>(format));
      CAPTURE(threads);
      Written w = run_batch(paths, ruleset, format, threads);
      CHECK(w.report == render_whole(format, ruleset.info, outcomes));
      CHECK(w.errors == errors);
      CHECK(w.tally.files == paths.size());
      CHECK(w.tally.error == 3);
      CHECK(w.tally.unreadable == 1);
      CHECK(w.tally.exit_code() == exit_code);
    }

  // One file: the HTML page is titled by it, the text has no closing line.
  for (auto format : {cli::ReportFormat::text, cli::ReportFormat::html}) {
    Written w = run_batch({paths[0]}, ruleset, format, 2);
    CHECK(w.report == render_whole(format, ruleset.info, {outcomes[0]}));
    CHECK(w.tally.exit_code() == cli::batch_exit_code({outcomes[0]}));
  }
}

TEST_CASE("a batch's exit code: unreadable files alone give 66, a fail 1, an unknown 2") {
  cli::BatchTally t;
  CHECK(t.exit_code() == 0);
  t.pass = 2;
  CHECK(t.exit_code() == 0);
  t.unknown = 1;
  CHECK(t.exit_code() == 2);
  t.fail = 1;
  CHECK(t.exit_code() == 1);
  t.error = 1;
  t.unreadable = 1;
  CHECK(t.exit_code() == 66);
  t.error = 2;
  CHECK(t.exit_code() == 65);
  cli::BatchTally sum;
  sum.add(t);
  sum.add(t);
  CHECK(sum.error == 4);
  CHECK(sum.unreadable == 2);
  CHECK(sum.exit_code() == 65);
}

TEST_CASE("a batch writes each file's part before it reads the next file") {
  // On one thread, file i's part is written before file i+1 is read: the
  // writer deletes file i+1 when it receives file i's part, so a batch that
  // kept every result until the end would still read all three.
  auto ruleset = cli::load_ruleset(kRoot + "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  const fs::path dir = fs::temp_directory_path() / fs::path("verdict-batch-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string evidence = slurp(kRoot + "/examples/evidence/alpine-mobility.yaml");
  std::vector<std::string> paths;
  for (int i = 0; i < 3; ++i) {
    paths.push_back((dir / ("e" + std::to_string(i) + ".yaml")).string());
    std::ofstream(paths.back()) << evidence;
  }
  cli::BatchOptions options;
  options.threads = 1;
  options.format = cli::ReportFormat::json;
  std::size_t parts = 0;
  cli::BatchOutput output;
  output.report = [&](const std::string&) {
    if (parts >= 1 && parts < paths.size()) fs::remove(paths[parts]);  // part 0 is the report's beginning
    ++parts;
  };
  output.errors = [](const std::string&) {};
  cli::BatchTally tally = cli::evaluate_batch(paths, ruleset, options, output);
  CHECK(tally.pass == 1);
  CHECK(tally.unreadable == 2);
  CHECK(tally.exit_code() == 66);
  CHECK(parts == paths.size() + 2);
  fs::remove_all(dir);
}

TEST_CASE("a file written in parts replaces its target only when committed") {
  const fs::path dir = fs::temp_directory_path() / fs::path("verdict-atomic-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path target = dir / "report.txt";
  std::ofstream(target) << "the old report\n";
  auto entries = [&] { return std::distance(fs::directory_iterator(dir), fs::directory_iterator()); };
  {
    cli::AtomicFile file(target.string());
    file.write("half of a ");
    CHECK(entries() == 2);  // the target and the temporary file beside it
  }  // abandoned: an error stopped the batch
  CHECK(slurp(target) == "the old report\n");
  CHECK(entries() == 1);
  {
    cli::AtomicFile file(target.string());
    file.write("the new ");
    file.write("report\n");
    CHECK(slurp(target) == "the old report\n");
    file.commit();
  }
  CHECK(slurp(target) == "the new report\n");
  CHECK(entries() == 1);
  CHECK_THROWS_AS(cli::AtomicFile((dir / "no" / "such" / "dir.txt").string()), cli::UserError);
  fs::remove_all(dir);
}

TEST_CASE("a folder that cannot be listed is kept in the batch and reported as unreadable") {
  // Permissions bind root too little, so the listing runs in a child
  // process as an unprivileged user when the test runs as root.
  const fs::path dir = fs::temp_directory_path() / ("verdict-locked-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "locked");
  std::ofstream(dir / "a.yaml") << "x: 1\n";
  std::ofstream(dir / "locked" / "b.yaml") << "x: 1\n";
  fs::permissions(dir / "locked", fs::perms::none);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(10);
    int code = 0;
    try {
      const auto paths = cli::expand_evidence_paths({dir.string()});
      // a.yaml, then the locked folder itself (sorted), never silently dropped
      if (paths != std::vector<std::string>{(dir / "a.yaml").string(), (dir / "locked").string()}) code = 11;
      try {
        (void)read_file((dir / "locked").string());
        code = 12;
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("Permission denied") == std::string::npos) code = 13;
      }
    } catch (...) {
      code = 14;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  fs::permissions(dir / "locked", fs::perms::owner_all);
  fs::remove_all(dir);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a ruleset named by its bare file name finds the schema beside it") {
  const fs::path dir = fs::temp_directory_path() / ("verdict-bare-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "mini.schema.json")
      << R"({"$schema": "http://json-schema.org/draft-07/schema#", "$id": "mini/1", "type": "object",
             "properties": {"schema": {"type": "string"}, "n": {"type": "number"}}})";
  std::ofstream(dir / "mini.rules") << "ruleset \"mini\" version \"1\"\n  schema \"mini/1\"\nindicator \"a\" \"A\" {\n  require n > 1\n}\n";
  const fs::path before = fs::current_path();
  fs::current_path(dir);
  std::string error;
  try {
    const cli::LoadedRuleset r = cli::load_ruleset("mini.rules", {}, false);
    CHECK(r.schema->id() == "mini/1");
  } catch (const std::exception& e) {
    error = e.what();
  }
  fs::current_path(before);
  fs::remove_all(dir);
  CHECK_MESSAGE(error.empty(), error);
}
