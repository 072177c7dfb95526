// `verdict list`: the catalogue, with versions, titles, indicators and lineage.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>

#include "cli/commands/commands.hpp"
#include "cli/stderr.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace fs = std::filesystem;

int run_list(const ListArgs& args, const SearchOptions& search, bool color) {
  auto entries = engine::scan_catalogue(ruleset_dirs(search), search.rule_limits.max_bytes);
  std::string def, def_path;  // the default's name, and the file that version is in (its latest)
  std::string def_problem;    // why the default names no one file, when it does not
  try {
    def = default_ruleset_name(search);
    def_path = resolve_ruleset(def, search);
  } catch (const UserError& e) {
    def_problem = e.what();
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  std::string text;
  bool broken = false, marked = false;
  for (const auto& e : entries) {
    std::optional<std::size_t> indicators;
    std::string digest;
    std::string title = e.title;  // its own, or (once loaded) the one it inherits
    try {
      auto r = load_ruleset(e.path, search, color);
      indicators = r.program.indicators.size();
      digest = r.info.digest;
      title = r.program.title;
    } catch (const UserError& err) {
      // Why it does not check, as `verdict check` says it (stdout keeps the table).
      std::string msg = err.errors.empty() ? terminal_text(err.what()) : std::string(err.what());
      if (!msg.empty() && msg.back() != '\n') msg += '\n';
      print_err("{}", msg);
      broken = true;
    }
    // Only the version the default resolves to (the latest) is the default.
    std::error_code ec;
    const bool is_default = !def_path.empty() && fs::equivalent(e.path, def_path, ec);
    marked |= is_default;
    const std::string count = indicators ? fmt::format("{:>3} {}", *indicators, *indicators == 1 ? "indicator " : "indicators") : std::string("does not check");
    // A file too large to read its header is named by its path.
    const bool named = !e.name.empty();
    text += fmt::format("{}{:<32} {:<10} {}  {}{}\n", is_default ? "* " : "  ", named ? e.name + "@" + e.version : e.path, e.version, count,
                        terminal_line(title), e.extends.empty() ? "" : fmt::format("  (extends {})", e.extends));
    if (!e.conflict.empty()) {
      broken = true;
      print_err("error: {}\n", engine::ambiguous_ruleset_message(e));
    }
    out.push_back({{"name", named ? nlohmann::ordered_json(e.name) : nullptr}, {"version", named ? nlohmann::ordered_json(e.version) : nullptr}, {"title", title}, {"extends", e.extends.empty() ? nullptr : nlohmann::ordered_json(e.extends)},
                   {"indicators", indicators ? nlohmann::ordered_json(*indicators) : nlohmann::ordered_json(nullptr)},
                   {"path", e.path}, {"digest", digest}, {"default", is_default},
                   {"conflict", e.conflict.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.conflict)}});
  }
  if (args.format == "json") fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  else if (marked) fmt::print("{}* the default ruleset ({}, latest version)\n", text, def);
  else if (!def.empty())
    fmt::print("{}(the default ruleset, {}, is none of these: {})\n", text, def,
               def_problem.starts_with("error: ") ? def_problem.substr(7) : def_problem);
  else fmt::print("{}", text);
  return broken ? Exit::data_error : Exit::ok;
}

}  // namespace verdict::cli
