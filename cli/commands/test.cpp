// `verdict test`: run ruleset test files (*.test.yaml).
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/progress.hpp"
#include "cli/ruleset_tests.hpp"

namespace verdict::cli {

int run_test(const TestArgs& args, const SearchOptions& search, bool color) {
  auto files = find_test_files(args.paths, search);
  if (files.empty()) throw UserError(Exit::no_input, "no test files (*.test.yaml) found");
  std::vector<TestFileResult> results;
  Progress progress(files.size(), "test");
  for (const auto& f : files) {
    progress.step(f);
    results.push_back(run_test_file(f, search, args.limits));
    // A file that cannot be run is a diagnostic: on stderr, as it happens
    // (the report names it too).
    if (const auto& error = results.back().error) progress.print(stderr, *error);
  }
  progress.done();
  auto gaps = coverage_gaps(results);
  std::string out = args.format == "json"    ? render_tests_json(results, gaps)
                    : args.format == "junit" ? render_tests_junit(results)
                                             : render_tests_text(results, gaps, color && args.output.empty());
  std::vector<std::string> inputs;
  for (const auto& r : results) inputs.insert(inputs.end(), r.inputs.begin(), r.inputs.end());
  refuse_output_over_input(args.output, inputs);
  if (args.output.empty()) fmt::print("{}", out);
  else write_file_atomically(args.output, out);
  bool error = false, all_unreadable = true, failed = false;
  for (const auto& r : results) {
    if (r.error) {
      error = true;
      all_unreadable &= r.unreadable;
    }
    for (const auto& c : r.cases) failed |= !c.passed();
  }
  if (error) return all_unreadable ? Exit::no_input : Exit::data_error;
  return failed ? Exit::failed : Exit::ok;
}

}  // namespace verdict::cli
