// `verdict evaluate`: evidence files against a ruleset, as text or JSON.
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/evidence_files.hpp"
#include "cli/parallel.hpp"
#include "cli/progress.hpp"

namespace verdict::cli {

int run_evaluate(const EvaluateArgs& args, const SearchOptions& search, bool color) {
  std::optional<engine::Date> as_of;
  if (!args.as_of.empty()) {
    as_of = engine::parse_date(args.as_of);
    if (!as_of) throw UserError(Exit::usage, fmt::format("--as-of: '{}' is not a date (YYYY-MM-DD)", args.as_of));
  }
  std::string ref = args.ruleset.empty() ? default_ruleset_name(search) : args.ruleset;
  bool to_terminal = args.output.empty() && color;
  LoadedRuleset ruleset = load_ruleset(ref, search, color);
  const EvidenceLimits& limits = args.limits;

  auto paths = expand_evidence_paths(args.evidence);
  if (paths.empty()) throw UserError(Exit::no_input, "no evidence files found in the folders given");
  std::vector<FileOutcome> outcomes(paths.size());
  Progress progress(paths.size(), "evaluate");
  parallel_for(paths.size(), worker_count(args.jobs), [&](std::size_t i) {
    progress.step(paths[i]);
    outcomes[i] = evaluate_file(paths[i], ruleset, as_of, limits, color);
  });
  progress.done();
  // Problems are reported in input order, whatever order the threads finished in.
  for (const auto& o : outcomes)
    if (!o.result) fmt::print(stderr, "{}", o.error_text);
  std::string report = args.format == "json"     ? render_json(ruleset.info, outcomes, worker_count(args.jobs))
                       : args.format == "markdown" ? render_markdown(ruleset.info, outcomes)
                       : args.format == "html"     ? render_html(ruleset.info, outcomes)
                                                   : render_text(ruleset.info, outcomes, to_terminal);
  if (args.output.empty()) std::fwrite(report.data(), 1, report.size(), stdout);  // no copy of a large report
  else write_file_atomically(args.output, report);
  return batch_exit_code(outcomes);
}

}  // namespace verdict::cli
