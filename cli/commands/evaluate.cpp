// `verdict evaluate`: evidence files against a ruleset, as text or JSON.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/evidence_files.hpp"
#include "cli/workspace.hpp"

namespace verdict::cli {

namespace {
struct EvaluateArgs {
  std::string ruleset;
  std::string as_of;
  std::string format = "text";
  std::string output;
  std::vector<std::string> evidence;
  std::size_t max_bytes = 64u << 20;
  int max_depth = 64;
  std::uint64_t max_steps = 100'000'000;
};
}  // namespace

Runner add_evaluate(CLI::App& app, const SearchOptions& search, const bool& color) {
  auto args = std::make_shared<EvaluateArgs>();
  auto* cmd = app.add_subcommand("evaluate", "Evaluate evidence files (or folders of them) against a ruleset");
  cmd->add_option("-r,--ruleset", args->ruleset, "Ruleset: a .rules path, NAME@VERSION, or NAME (latest); default: the catalogue's default");
  cmd->add_option("--as-of", args->as_of, "Reference date YYYY-MM-DD (overrides the ruleset's as_of)");
  cmd->add_option("-f,--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("-o,--output", args->output, "Write the report to FILE (atomically) instead of stdout");
  cmd->add_option("--max-evidence-bytes", args->max_bytes, "Largest evidence file accepted, in bytes");
  cmd->add_option("--max-depth", args->max_depth, "Deepest YAML nesting accepted");
  cmd->add_option("--max-steps", args->max_steps, "Evaluation step budget per evidence file");
  cmd->add_option("evidence", args->evidence, "Evidence files or folders")->required();
  cmd->footer("Exit status: 0 every outcome passes, 1 one fails, 2 one is unknown (none fails);\n"
              "64 bad usage, 65 an invalid ruleset or evidence file, 66 a file that cannot be read.\n"
              "In a batch, a bad file is reported and every other file is still evaluated.");

  return [args, &search, &color]() -> int {
    std::optional<engine::Date> as_of;
    if (!args->as_of.empty()) {
      as_of = engine::parse_date(args->as_of);
      if (!as_of) throw UserError(Exit::usage, fmt::format("--as-of: '{}' is not a date (YYYY-MM-DD)", args->as_of));
    }
    std::string ref = args->ruleset.empty() ? default_ruleset_name(search) : args->ruleset;
    bool to_terminal = args->output.empty() && color;
    LoadedRuleset ruleset = load_ruleset(ref, search, color);
    EvidenceLimits limits;
    limits.yaml.max_bytes = args->max_bytes;
    limits.yaml.max_depth = args->max_depth;
    limits.max_steps = args->max_steps;

    std::vector<FileOutcome> outcomes;
    auto paths = expand_evidence_paths(args->evidence);
    if (paths.empty()) throw UserError(Exit::no_input, "no evidence files found in the folders given");
    for (const auto& path : paths) {
      outcomes.push_back(evaluate_file(path, ruleset, as_of, limits, color));
      if (!outcomes.back().result) fmt::print(stderr, "{}", outcomes.back().error_text);
    }
    std::string report = args->format == "json" ? render_json(ruleset.info, outcomes)
                                                : render_text(ruleset.info, outcomes, to_terminal);
    if (args->output.empty()) fmt::print("{}", report);
    else write_file_atomically(args->output, report);
    return batch_exit_code(outcomes);
  };
}

}  // namespace verdict::cli
