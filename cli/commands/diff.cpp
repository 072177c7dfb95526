// `verdict diff`: dry-run a rule change over a corpus of evidence.
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/diff.hpp"
#include "cli/parallel.hpp"
#include "cli/stderr.hpp"

namespace verdict::cli {

int run_diff(const DiffArgs& args, const SearchOptions& search, bool color) {
  const std::optional<engine::Date> as_of = parse_as_of(args.as_of);
  LoadedRuleset base = load_ruleset(args.base, search, color);
  LoadedRuleset candidate = load_ruleset(args.candidate, search, color);
  auto paths = expand_evidence_paths(args.evidence);
  if (paths.empty()) throw UserError(Exit::no_input, "no evidence files found in the folders given");
  auto inputs = paths;
  for (const auto* r : {&base, &candidate})
    for (auto& f : ruleset_files(*r)) inputs.push_back(std::move(f));
  refuse_output_over_input(args.output, inputs);
  DiffReport report = diff_rulesets(base, candidate, paths, as_of, color, worker_count(args.jobs), args.limits);
  bool any_error = false, all_unreadable = true, any_change = false;
  for (const auto& f : report.files) {
    if (f.error) {
      print_err("{}", *f.error);
      any_error = true;
      if (!f.unreadable) all_unreadable = false;
    } else if (f.changed()) {
      any_change = true;
    }
  }
  std::string text = args.format == "json" ? render_diff_json(report) : render_diff_text(report, color && args.output.empty());
  if (args.output.empty()) fmt::print("{}", text);
  else write_file_atomically(args.output, text);
  if (any_error) return all_unreadable ? Exit::no_input : Exit::data_error;
  return args.fail_on_change && any_change ? Exit::failed : Exit::ok;
}

}  // namespace verdict::cli
