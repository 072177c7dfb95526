// `verdict evaluate`: evidence files against a ruleset, as text or JSON.
#include <cstdio>

#include <fmt/format.h>

#include "cli/batch.hpp"
#include "cli/commands/commands.hpp"
#include "cli/parallel.hpp"
#include "cli/progress.hpp"
#include "cli/report_parts.hpp"

namespace verdict::cli {

int run_evaluate(const EvaluateArgs& args, const SearchOptions& search, bool color) {
  const std::optional<engine::Date> as_of = parse_as_of(args.as_of);
  std::string ref = args.ruleset.empty() ? default_ruleset_name(search) : args.ruleset;
  bool to_terminal = args.output.empty() && color;
  LoadedRuleset ruleset = [&] {
    try {
      return load_ruleset(ref, search, color);
    } catch (const UserError& e) {
      // A JSON reader on stdout still gets a JSON document, with the
      // ruleset's errors and their positions (stderr has them as text; a
      // report file asked for with -o is not written).
      if (args.format == "json" && args.output.empty() && e.code != Exit::internal)
        fmt::print("{}", parts::json_ruleset_error(e.what(), e.errors, ref));
      throw;
    }
  }();

  auto paths = expand_evidence_paths(args.evidence);
  if (paths.empty()) {
    const std::string message = "no evidence files found in the folders given";
    // A JSON reader on stdout still gets a JSON document: the ruleset, no
    // results, and why (as for a ruleset that does not check).
    if (args.format == "json" && args.output.empty()) fmt::print("{}", parts::json_no_evidence(ruleset.info, message));
    throw UserError(Exit::no_input, message);
  }
  auto inputs = paths;
  for (auto& f : ruleset_files(ruleset)) inputs.push_back(std::move(f));
  refuse_output_over_input(args.output, inputs);
  BatchOptions options;
  options.as_of = as_of;
  options.limits = args.limits;
  options.format = report_format(args.format);
  options.color_report = to_terminal;
  options.color_errors = color;
  options.threads = worker_count(args.jobs);
  Progress progress(paths.size(), "evaluate");
  // The report is written as the files finish, in input order, so a batch
  // of any size holds only the files in flight; to a file, it is put in
  // place only once complete.
  std::optional<AtomicFile> file;
  if (!args.output.empty()) file.emplace(args.output);
  BatchOutput output;
  output.report = [&](const std::string& part) {
    if (file) file->write(part);
    else progress.print(stdout, part);
  };
  output.errors = [&](const std::string& text) { progress.print(stderr, text); };
  BatchTally tally = evaluate_batch(paths, ruleset, options, output, &progress);
  progress.done();
  if (file) file->commit();  // stdout is flushed, and a write error there reported, by run()
  return tally.exit_code();
}

}  // namespace verdict::cli
