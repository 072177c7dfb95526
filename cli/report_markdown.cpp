// Markdown report: one section per evidence file, a table per group.
#include <fmt/format.h>

#include "cli/report.hpp"
#include "cli/report_parts.hpp"

namespace verdict::cli {

namespace {
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += " ";
    else out += c;
  }
  return out;
}
const char* icon(engine::Verdict v) {
  return v == engine::Verdict::pass ? "✅ pass" : v == engine::Verdict::fail ? "❌ fail" : "❔ unknown";
}
}  // namespace

namespace parts {

std::string markdown_begin(const RulesetInfo& ruleset) {
  return fmt::format("# {} {}\n\n{}\n\nRuleset digest: `{}`\n\n", ruleset.name, ruleset.version, ruleset.title, ruleset.digest);
}

std::string markdown_file(const FileOutcome& f) {
  std::string out = fmt::format("## {}\n\n", md_escape(f.evidence));
  if (!f.result) {
    out += fmt::format("**Could not be evaluated:** {}\n\n", md_escape(f.error ? f.error->message : "error"));
    return out;
  }
  const auto r = display_order(*f.result);
  out += fmt::format("**Outcome: {}**{}  \nAs of {} — {} pass, {} fail, {} unknown", engine::to_string(r.outcome),
                     r.label ? " — " + md_escape(*r.label) : "", engine::to_string(r.as_of), r.pass, r.fail, r.unknown);
  if (r.points && r.max_points) out += fmt::format("; {} of {} points", r.points->to_string(), r.max_points->to_string());
  out += "\n\n";
  auto group = [&](const std::string& id, const std::string& title) {
    bool any = false;
    for (const auto& i : r.indicators)
      if (i.group == id) any = true;
    if (!any) return;
    out += fmt::format("### {} {}\n\n| | Indicator | Verdict | Level | Score | Details |\n|---|---|---|---|---|---|\n", id, md_escape(title));
    for (const auto& i : r.indicators) {
      if (i.group != id) continue;
      std::string details;
      for (const auto& c : i.checks) {
        if (c.result == false) details += md_escape(c.message ? *c.message : "not met: " + c.source) + "<br>";
        if (c.gap) details += "*To pass:* " + md_escape(*c.gap) + "<br>";
      }
      if (!i.missing.empty()) {
        details += "*Missing:* ";
        for (std::size_t k = 0; k < i.missing.size() && k < 5; ++k) details += (k ? ", " : "") + md_escape(i.missing[k]);
        details += "<br>";
      }
      out += fmt::format("| {} | {} {} | {} | {} | {} | {} |\n", i.minimum ? "V" : "", i.id, md_escape(i.title), icon(i.verdict),
                         i.level ? md_escape(*i.level) : "", i.score ? i.score->to_string() + (i.score_of ? " / " + i.score_of->to_string() : "") : "",
                         details);
    }
    out += "\n";
  };
  for (const auto& g : r.groups) group(g.id, g.title);
  group("", "Other indicators");
  return out;
}

}  // namespace parts

}  // namespace verdict::cli
