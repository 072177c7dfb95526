#include "cli/batch.hpp"

#include <map>
#include <mutex>

#include "cli/evidence_files.hpp"
#include "cli/parallel.hpp"
#include "cli/progress.hpp"

namespace verdict::cli {

namespace {
// What is left of a finished file until its turn to be written comes.
struct Finished {
  std::string part;    // its part of the report
  std::string errors;  // its problems, rendered (a file that could not be evaluated)
  BatchTally tally;    // of this file alone
};
}  // namespace

BatchTally evaluate_batch(const std::vector<std::string>& paths, const LoadedRuleset& ruleset, const BatchOptions& options,
                          const BatchOutput& output, Progress* progress) {
  BatchTally tally;
  output.report(report_begin(options.format, ruleset.info, paths.size(), paths.empty() ? std::string() : paths.front(),
                             options.color_report));
  std::mutex mutex;
  std::map<std::size_t, Finished> waiting;  // finished ahead of an earlier file
  std::size_t next = 0;                     // the first file not written yet
  parallel_for(paths.size(), options.threads, [&](std::size_t i) {
    if (progress) progress->step(paths[i]);
    Finished f;
    {
      FileOutcome outcome = evaluate_file(paths[i], ruleset, options.as_of, options.limits, options.color_errors);
      f.part = report_file(options.format, outcome, i, options.color_report);
      if (!outcome.result) f.errors = std::move(outcome.error_text);
      f.tally.add(outcome);
    }  // the result and its evidence are freed here, before waiting for a turn
    std::lock_guard lock(mutex);
    waiting.emplace(i, std::move(f));
    for (auto it = waiting.begin(); it != waiting.end() && it->first == next; it = waiting.erase(it), ++next) {
      if (!it->second.errors.empty()) output.errors(it->second.errors);
      output.report(it->second.part);
      tally.add(it->second.tally);
    }
  });
  output.report(report_end(options.format, tally, options.color_report));
  return tally;
}

}  // namespace verdict::cli
