// `verdict check`: parse and type-check rulesets against their schemas.
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/stderr.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

int run_check(const CheckArgs& args, const SearchOptions& search, bool color) {
  std::vector<std::string> refs = args.rulesets;
  bool invalid = false, unreadable = false, unknown = false, warned = false;
  if (refs.empty())
    for (const auto& e : engine::scan_catalogue(ruleset_dirs(search), search.rule_limits.max_bytes)) {
      if (!e.conflict.empty()) {  // which file is NAME@VERSION cannot be told: neither checks
        print_err("error: {}\n", engine::ambiguous_ruleset_message(e));
        fmt::print("{}@{}: does not check (two files)\n", e.name, e.version);
        invalid = true;
        continue;
      }
      refs.push_back(e.path);
    }
  if (refs.empty() && !invalid) throw UserError(Exit::no_input, "no rulesets given and none found in the catalogue");
  for (const auto& ref : refs) {
    try {
      LoadedRuleset r = load_ruleset(ref, search, color);
      if (!r.warnings.empty()) {
        Diagnostics ws;
        for (const auto& w : r.warnings) ws.add(w);
        print_err("{}", render(ws, {color}));
        warned = true;
      }
      fmt::print("{}@{}: {} ({}, schema {}){}\n", r.info.name, r.info.version,
                 args.strict && !r.warnings.empty() ? "fails --strict" : "ok",
                 count_of(r.program.indicators.size(), "indicator", "indicators"),
                 r.schema->id(), r.warnings.empty() ? "" : fmt::format(", {} warning{}", r.warnings.size(), r.warnings.size() == 1 ? "" : "s"));
    } catch (const UserError& e) {
      std::string msg = e.errors.empty() ? terminal_text(e.what()) : std::string(e.what());  // (as app.cpp prints one)
      if (!msg.empty() && msg.back() != '\n') msg += '\n';
      print_err("{}", msg);
      fmt::print("{}: does not check\n", terminal_line(ref));
      (e.code == Exit::usage ? unknown : e.code == Exit::no_input ? unreadable : invalid) = true;
    }
  }
  // As CLI.md has it, check answers 0 or 1: 1 for a ruleset that does not
  // check (and, with --strict, for warnings). A name the catalogue does not
  // have is bad usage (64), a file that cannot be read 66; every ruleset
  // given is checked first.
  if (unknown) return Exit::usage;
  if (unreadable && !invalid) return Exit::no_input;
  if (invalid) return Exit::failed;
  return args.strict && warned ? Exit::failed : Exit::ok;
}

}  // namespace verdict::cli
