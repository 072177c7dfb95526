#include "cli/app.hpp"

#include <cstdlib>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/workspace.hpp"

namespace verdict::cli {

int run(int argc, char** argv) {
  CLI::App app{"verdict: rules as data. Evaluates evidence against versioned, declarative rulesets.", "verdict"};
  app.set_version_flag("--version", VERDICT_VERSION);
  app.require_subcommand(1);
  SearchOptions search;
  std::string color_mode = "auto";
  app.add_option("--rulesets", search.ruleset_dirs, "Folder of rulesets to search first (repeatable)");
  app.add_option("--schemas", search.schema_dirs, "Folder of evidence schemas to search first (repeatable)");
  app.add_option("--color", color_mode, "Colour: auto (a terminal, no NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.fallthrough();
  bool color = false;

  std::vector<std::pair<CLI::App*, Runner>> commands;
  auto remember = [&](Runner r) { commands.emplace_back(app.get_subcommands({}).back(), std::move(r)); };
  remember(add_evaluate(app, search, color));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : Exit::usage;
  }
  const char* no_color = std::getenv("NO_COLOR");
  color = color_mode == "always" ||
          (color_mode == "auto" && (!no_color || !*no_color) && ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO));
  try {
    for (auto& [sub, runner] : commands)
      if (sub->parsed()) return runner();
    return Exit::usage;
  } catch (const UserError& e) {
    std::string msg = e.what();
    if (!msg.empty() && msg.back() != '\n') msg += '\n';
    fmt::print(stderr, "{}", msg);
    return e.code;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "verdict: out of memory\n");
    return Exit::internal;
  } catch (const std::exception& e) {
    fmt::print(stderr, "verdict: internal error: {} (this is a bug)\n", e.what());
    return Exit::internal;
  }
}

}  // namespace verdict::cli
