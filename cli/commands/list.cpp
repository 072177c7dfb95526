// `verdict list`: the catalogue, with versions, titles, indicators and lineage.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"

namespace verdict::cli {

int run_list(const ListArgs& args, const SearchOptions& search, bool color) {
  auto entries = engine::scan_catalogue(ruleset_dirs(search));
  std::string def;
  try {
    def = default_ruleset_name(search);
  } catch (const UserError&) {
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  std::string text;
  bool broken = false;
  for (const auto& e : entries) {
    std::string indicators = "?";
    std::string digest;
    try {
      auto r = load_ruleset(e.path, search, false);
      indicators = fmt::format("{}", r.program.indicators.size());
      digest = r.info.digest;
    } catch (const UserError& err) {
      broken = true;
      indicators = "does not check";
    }
    bool is_default = e.name == def;
    text += fmt::format("{}{:<32} {:<10} {:>3} indicators  {}{}\n", is_default ? "* " : "  ", e.name + "@" + e.version,
                        e.version, indicators, e.title, e.extends.empty() ? "" : fmt::format("  (extends {})", e.extends));
    out.push_back({{"name", e.name}, {"version", e.version}, {"title", e.title}, {"extends", e.extends.empty() ? nullptr : nlohmann::ordered_json(e.extends)},
                   {"indicators", indicators}, {"path", e.path}, {"digest", digest}, {"default", is_default}});
  }
  (void)color;
  if (args.format == "json") fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  else fmt::print("{}{}", text, def.empty() ? "" : fmt::format("* the default ruleset ({}, latest version)\n", def));
  return broken ? Exit::data_error : Exit::ok;
}

}  // namespace verdict::cli
