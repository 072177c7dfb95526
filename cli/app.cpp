#include "cli/app.hpp"

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/stderr.hpp"
#include "dsl/limits.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace {

// yaml-cpp stops at 500 levels of nesting on its own, with "bad file";
// --max-depth stays below that, so that verdict's error, which names the
// flag, always comes first.
constexpr int kMaxYamlDepth = 400;

// The most a size or count limit may be raised to: positions in a file are
// 32-bit, and no evidence or ruleset comes near it. The step budget, a
// measure of time, has a ceiling of its own.
constexpr std::uint64_t kMaxLimit = 4'294'967'295;
constexpr std::uint64_t kMaxSteps = 1'000'000'000'000;

// A limit is a whole number from 1 to `ceiling`, as CLI::Range says it. 0
// would refuse every file; CLI11 alone reads "-1" (or a number too large)
// into an unsigned option as its largest value, which switched the limit off.
CLI::Validator a_limit(std::uint64_t ceiling) {
  return CLI::Validator(
      [ceiling](std::string& v) {
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);  // digits only: no sign
        if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 1 || n > ceiling)
          return fmt::format("Value {} not in range 1 to {}", v, ceiling);
        return std::string();
      },
      fmt::format("[1 - {}]", ceiling));
}

// The limits on rulesets are options of `verdict` itself (they may also
// follow the command's name); each command that reads rulesets says so.
constexpr const char* kRuleLimits =
    "Rulesets are read within --max-rule-bytes and --max-rule-depth (see verdict --help).";

constexpr const char* kExitCodes =
    "Exit status: 0 every outcome passes, 1 one fails, 2 one is unknown (none fails);\n"
    "64 bad usage, 65 an invalid ruleset or evidence file, 66 a file that cannot be read, or a report that cannot be\n"
    "written (-o FILE or stdout).\n"
    "In a batch, a bad file is reported and every other file is still evaluated. With -f json, a ruleset that\n"
    "does not check, cannot be read or is not found still gives one JSON document on stdout: no results, its errors.";

// The limits on each evidence file (and test file) a command reads; an error
// that one of them stops names its flag.
void add_evidence_limits(CLI::App* cmd, engine::YamlLimits& limits) {
  cmd->add_option("--max-evidence-bytes", limits.max_bytes, "Largest evidence file accepted, in bytes")
      ->check(a_limit(kMaxLimit))
      ->capture_default_str();
  cmd->add_option("--max-depth", limits.max_depth,
                  fmt::format("Deepest YAML nesting accepted, mappings and lists (at most {})", kMaxYamlDepth))
      ->check(a_limit(kMaxYamlDepth))
      ->capture_default_str();
  cmd->add_option("--max-nodes", limits.max_nodes, "Most YAML nodes accepted in one file, counting what aliases expand to")
      ->check(a_limit(kMaxLimit))
      ->capture_default_str();
  cmd->add_option("--max-scalar-bytes", limits.max_scalar_bytes, "Longest YAML scalar (one value) accepted, in bytes")
      ->check(a_limit(kMaxLimit))
      ->capture_default_str();
  cmd->add_option("--max-items", limits.max_items, "Most entries accepted in one YAML list or mapping")
      ->check(a_limit(kMaxLimit))
      ->capture_default_str();
}

void add_evidence_limits(CLI::App* cmd, EvidenceLimits& limits) {
  add_evidence_limits(cmd, limits.yaml);
  cmd->add_option("--max-steps", limits.max_steps, "Evaluation step budget per evidence file")
      ->check(a_limit(kMaxSteps))
      ->capture_default_str();
}

// Stdout could not be written (errno `err`, 0 when not known): the report
// is lost. Exit 66, as for a file that cannot be written.
int output_lost(int err, const char* what = "the report ") {
  print_err("verdict: cannot write {}to standard output{}{}\n", what, err ? ": " : "", err ? std::strerror(err) : "");
  return Exit::no_input;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"verdict: rules as data. Evaluates evidence against versioned, declarative rulesets.", "verdict"};
  app.set_version_flag("--version", VERDICT_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  SearchOptions search;
  std::string color_mode = "auto";
  // One folder per flag (repeatable), so that the arguments after it stay
  // the command's own.
  app.add_option("--rulesets", search.ruleset_dirs, "Folder of rulesets to search first (repeatable)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--schemas", search.schema_dirs, "Folder of evidence schemas to search first (repeatable)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--color", color_mode, "Colour: auto (on a terminal), always, never; never while NO_COLOR is set")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  // Every command that reads rulesets (fmt too) reads them within these; given
  // before or after the command's name.
  app.add_option("--max-rule-bytes", search.rule_limits.max_bytes, "Largest ruleset file accepted, in bytes")
      ->check(a_limit(kMaxLimit))
      ->capture_default_str();
  app.add_option("--max-rule-depth", search.rule_limits.max_depth,
                 fmt::format("Deepest expression nesting accepted in rulesets (at most {})", dsl::max_rule_depth_ceiling))
      ->check(a_limit(dsl::max_rule_depth_ceiling))
      ->capture_default_str();

  EvaluateArgs evaluate;
  // --as-of "" is not the absence of the flag: a date is required.
  const CLI::Validator a_date(
      [](std::string& v) { return v.empty() ? std::string("an empty value is not a date (YYYY-MM-DD)") : std::string(); },
      "DATE");
  auto* ev = app.add_subcommand("evaluate", "Evaluate evidence files (or folders of them) against a ruleset");
  ev->add_option("-r,--ruleset", evaluate.ruleset,
                 "Ruleset: a .rules path, NAME@VERSION, or NAME (latest); default: the catalogue's default");
  ev->add_option("--as-of", evaluate.as_of, "Reference date YYYY-MM-DD (overrides the ruleset's as_of)")->check(a_date);
  ev->add_option("-f,--format", evaluate.format, "Output format: text, json, markdown, html (one self-contained page)")
      ->check(CLI::IsMember({"text", "json", "markdown", "html"}))
      ->capture_default_str();
  ev->add_option("-o,--output", evaluate.output, "Write the report to FILE (atomically; a FIFO or a device such as /dev/stdout is written into) instead of stdout (- for stdout)");
  add_evidence_limits(ev, evaluate.limits);
  ev->add_option("-j,--jobs", evaluate.jobs, "Threads for a batch (default: one per core)");
  ev->add_option("evidence", evaluate.evidence, "Evidence files or folders (each .yaml or .yml file in a folder and its subfolders, hidden ones aside)")->required();
  ev->footer(std::string(kExitCodes) + "\n" + kRuleLimits);

  CheckArgs check;
  auto* ck = app.add_subcommand("check", "Parse and type-check rulesets against their evidence schemas (no evidence needed)");
  ck->add_option("rulesets", check.rulesets, "Rulesets: .rules paths, NAME@VERSION or NAME; default: the whole catalogue");
  ck->add_flag("--strict", check.strict, "Treat warnings (an unused param or let, no as_of clause, a likely misspelt field of an open schema) as failures (exit 1)");
  ck->footer(std::string("Exit status: 0 every ruleset checks, 1 one does not (or has warnings, with --strict); 64 a name the catalogue lacks,\n"
                          "66 a file that cannot be read.\n") +
             kRuleLimits);

  ValidateArgs validate;
  auto* va = app.add_subcommand("validate", "Validate evidence files against the schema each names in its `schema:` field");
  va->add_option("evidence", validate.evidence, "Evidence files or folders (each .yaml or .yml file in a folder and its subfolders, hidden ones aside)")->required();
  add_evidence_limits(va, validate.limits);
  va->footer("Exit status: 0 every file is valid, 1 one is not (whether or not others can be read), 66 one cannot be read\nand none is invalid. A schema is found by its $id in --schemas, VERDICT_SCHEMAS and the installed and\nin-tree schemas/, then (a schema of your own) in the evidence file's folder and up to three parents.");

  DiffArgs diff;
  auto* df = app.add_subcommand("diff", "Dry-run a rule change: which verdicts, outcomes and outcome labels change, and which edit (or which changed params together) causes each");
  df->add_option("--base", diff.base, "The ruleset in force (REF)")->required();
  df->add_option("--candidate", diff.candidate, "The changed ruleset (REF)")->required();
  df->add_option("--as-of", diff.as_of, "Reference date YYYY-MM-DD (overrides the rulesets' as_of)")->check(a_date);
  df->add_option("-f,--format", diff.format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  df->add_option("-o,--output", diff.output, "Write the report to FILE (atomically; a FIFO or a device such as /dev/stdout is written into) instead of stdout (- for stdout)");
  df->add_flag("--fail-on-change", diff.fail_on_change, "Exit 1 when any verdict, outcome or outcome label changes");
  df->add_option("-j,--jobs", diff.jobs, "Threads for a batch (default: one per core)");
  df->add_option("evidence", diff.evidence, "Evidence files or folders (each .yaml or .yml file in a folder and its subfolders, hidden ones aside)")->required();
  add_evidence_limits(df, diff.limits);
  df->footer(std::string("Exit status: 0 (or 1 with --fail-on-change when something changes); 64 bad usage, 65 invalid input,\n66 unreadable.\n") +
             kRuleLimits);

  TestArgs test;
  auto* ts = app.add_subcommand("test", "Run ruleset test files (*.test.yaml): cases of evidence and expected verdicts");
  ts->add_option("paths", test.paths, "Test files or folders; default: those beside the catalogue's rulesets");
  ts->add_option("-f,--format", test.format, "Output format")->check(CLI::IsMember({"text", "json", "junit"}))->capture_default_str();
  ts->add_option("-o,--output", test.output, "Write the report to FILE (atomically; a FIFO or a device such as /dev/stdout is written into) instead of stdout (- for stdout)");
  add_evidence_limits(ts, test.limits);
  ts->footer(std::string("Exit status: 0 every case passes, 1 one fails, 65 a test file is malformed (errors on stderr;\n"
                          "a misspelt expectation too, checked before the case's evidence is read), 66 no test file could be read.\n") +
             kRuleLimits);

  ExplainArgs explain;
  auto* ex = app.add_subcommand("explain", "Why one indicator has its verdict: every sub-expression's value, each entry a list kept or left out and why, evidence origins, params");
  ex->add_option("-r,--ruleset", explain.ruleset, "Ruleset: a .rules path, NAME@VERSION, or NAME")->required();
  ex->add_option("--as-of", explain.as_of, "Reference date YYYY-MM-DD (overrides the ruleset's as_of)")->check(a_date);
  ex->add_option("evidence", explain.evidence, "One evidence file")->required();
  ex->add_option("indicator", explain.indicator, "The indicator id, e.g. 2.6")->required();
  add_evidence_limits(ex, explain.limits);
  ex->footer(std::string("Exit status: 0 the indicator passes, 1 it fails, 2 it is unknown; 64/65/66 as for evaluate.\n") +
             kRuleLimits);

  TemplateArgs templ;
  auto* tp = app.add_subcommand("template", "Write a blank, commented evidence file for a ruleset's schema");
  tp->add_option("ruleset", templ.ruleset, "Ruleset: a .rules path, NAME@VERSION, or NAME")->required();
  tp->add_option("-o,--output", templ.output, "Write to FILE (atomically) instead of stdout (- for stdout); an existing FILE is kept unless --force (a FIFO or a device such as /dev/null is written into)");
  tp->add_flag("--force", templ.force, "Overwrite the -o FILE if it exists");
  tp->footer(std::string("Exit status: 0 written; 64 the -o FILE exists (add --force) or bad usage.\n") + kRuleLimits);

  ListArgs list;
  auto* ls = app.add_subcommand("list", "The catalogue: rulesets, versions, titles, indicator counts, what extends what");
  ls->add_option("-f,--format", list.format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  ls->footer(std::string("Exit status: 0, or 65 when a ruleset does not check (marked in the list; why, with its position, on stderr).\n") +
             kRuleLimits);

  FmtArgs format;
  auto* fm = app.add_subcommand("fmt", "Lay rulesets out canonically: print them, check them (--check) or rewrite them (--write)");
  auto* fm_check = fm->add_flag("--check", format.check, "Print a diff for each file that is not canonical, exit 1 if any");
  fm->add_flag("-w,--write", format.write, "Rewrite the files that are not canonical (atomically, keeping mode, owner and group; a read-only file is refused)")->excludes(fm_check);
  fm->add_option("files", format.files, "Ruleset files (.rules) or folders of them")->required();
  fm->footer("Exit status: 0 ok (--check: every file is canonical), 1 with --check a file is not,\n"
             "65 a file does not parse or is over a limit (it is left as it is), 66 a file cannot be read\n"
             "(or, with --write, written: a read-only one is left as it is).\n" +
             std::string(kRuleLimits));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A mistyped command: name it, and the one meant (CLI11 would only say
    // that a subcommand is required).
    if (app.get_subcommands().empty() && e.get_exit_code() != 0) {
      std::vector<std::string> commands;
      for (const auto* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
      for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a.starts_with("-")) {
          const bool takes_value = a == "--rulesets" || a == "--schemas" || a == "--color" || a == "--max-rule-bytes" ||
                                   a == "--max-rule-depth";
          if (takes_value) ++i;
          continue;
        }
        const std::string hint = did_you_mean(a, commands);
        print_err("verdict: unknown command '{}'{}; the commands are {}\nRun with --help for more information.\n",
                   a, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), join(commands, ", "));
        return Exit::usage;
      }
    }
    int code = app.exit(e);
    if (code != 0) return Exit::usage;
    // --help and --version print to stdout: if that cannot be written (a
    // full disk, a closed pipe), they did not do what was asked.
    errno = 0;
    std::cout.flush();
    if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) return output_lost(errno, "");
    return 0;
  }
  // `-o -` is stdout, as usual (not a file named '-').
  for (std::string* output : {&evaluate.output, &diff.output, &test.output, &templ.output})
    if (*output == "-") output->clear();
  // A catalogue folder that is not there would be skipped without a word.
  for (const auto* dirs : {&search.ruleset_dirs, &search.schema_dirs})
    for (const auto& dir : *dirs) {
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec)) {
        print_err("verdict: {} {}: {}\n", dirs == &search.ruleset_dirs ? "--rulesets" : "--schemas", terminal_line(dir),
                   std::filesystem::exists(dir, ec) ? "not a folder" : "no such folder");
        return Exit::no_input;
      }
    }
  const char* no_color = std::getenv("NO_COLOR");
  // CLI.md: colour only on a terminal and never with NO_COLOR, so NO_COLOR
  // (set and not empty) wins even over --color always.
  const bool no_color_set = no_color && *no_color;
  bool color = !no_color_set && (color_mode == "always" ||
                                 (color_mode == "auto" && ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO)));
  bool lost = false;  // the report's loss is said already
  const int code = [&]() -> int {
    try {
      if (ev->parsed()) return run_evaluate(evaluate, search, color);
      if (ck->parsed()) return run_check(check, search, color);
      if (va->parsed()) return run_validate(validate, search, color);
      if (df->parsed()) return run_diff(diff, search, color);
      if (ls->parsed()) return run_list(list, search, color);
      if (ts->parsed()) return run_test(test, search, color);
      if (ex->parsed()) return run_explain(explain, search, color);
      if (tp->parsed()) return run_template(templ, search, color);
      if (fm->parsed()) {
        format.limits = search.rule_limits;
        return run_fmt(format, color);
      }
      return Exit::usage;
    } catch (const UserError& e) {
      // Rendered diagnostics (with their errors) are printable already, and
      // may be coloured; a plain message may quote a file name or an id as
      // given, escape sequences and all.
      std::string msg = e.errors.empty() ? terminal_text(e.what()) : std::string(e.what());
      if (!msg.empty() && msg.back() != '\n') msg += '\n';
      print_err("{}", msg);
      return e.code;
    } catch (const std::bad_alloc&) {
      print_err("verdict: out of memory\n");
      return Exit::internal;
    } catch (const std::system_error& e) {
      // fmt::print throws this when stdout or stderr cannot be written.
      if (std::ferror(stdout)) {
        lost = true;
        return output_lost(e.code().value());
      }
      if (std::ferror(stderr)) return Exit::no_input;  // nowhere to say why
      print_err("verdict: internal error: {} (this is a bug)\n", e.what());
      return Exit::internal;
    } catch (const std::exception& e) {
      print_err("verdict: internal error: {} (this is a bug)\n", e.what());
      return Exit::internal;
    }
  }();
  // Output buffered for stdout is written now: a report that cannot be (a
  // full disk, a closed stdout) is lost, which is no success.
  errno = 0;
  if ((std::fflush(stdout) != 0 || std::ferror(stdout)) && code != Exit::internal && !lost) return output_lost(errno);
  return code;
}

}  // namespace verdict::cli
