#include <fmt/format.h>

#include <algorithm>

#include "cli/report.hpp"
#include "cli/report_parts.hpp"
#include "engine/catalogue.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace {

struct Style {
  bool on;
  std::string paint(std::string_view code, std::string_view text) const {
    return on ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
  }
};

const char* mark(engine::Verdict v) {
  switch (v) {
    case engine::Verdict::pass: return "✔";
    case engine::Verdict::fail: return "✘";
    case engine::Verdict::unknown: return "?";
  }
  return "?";
}

const char* color_of(engine::Verdict v) {
  switch (v) {
    case engine::Verdict::pass: return "32";
    case engine::Verdict::fail: return "31";
    case engine::Verdict::unknown: return "33";
  }
  return "0";
}

std::string value_text(const engine::Value& v) { return terminal_text(brief_value(v)); }

void render_file(std::string& out, const FileOutcome& f, const Style& s) {
  if (!f.result) {
    out += fmt::format("{}  {}\n", s.paint("1", terminal_line(f.evidence)), s.paint("31", "error: could not be evaluated"));
    if (f.error) out += fmt::format("  {}\n\n", terminal_line(error_line(f)));
    return;
  }
  const auto r = display_order(*f.result);
  out += fmt::format("{}  ({})\n", s.paint("1", terminal_line(f.evidence)), as_of_text(r.as_of));
  auto render_group = [&](const std::string& group_id, const std::string& title) {
    bool header = false;
    for (const auto& ind : r.indicators) {
      if (ind.group != group_id) continue;
      if (!header) {
        out += "\n" + s.paint("1", group_id.empty() ? std::string("Indicators") : fmt::format("{}  {}", group_id, title)) + "\n";
        header = true;
      }
      std::string level = ind.level ? fmt::format("  level {}", *ind.level) : "";
      std::string score = ind.score ? fmt::format("  score {}{}", ind.score->to_string(),
                                                  ind.score_of ? " of " + ind.score_of->to_string() : "")
                                    : "";
      // Padded before it is painted: the colour codes must not count as width.
      out += fmt::format("  {} {} {:<7} {}{}{}{}\n", s.paint(color_of(ind.verdict), mark(ind.verdict)),
                         s.paint(color_of(ind.verdict), fmt::format("{:<7}", engine::to_string(ind.verdict))), ind.id, ind.title,
                         ind.minimum ? "" : "", level, score);
      if (!ind.values.empty()) {
        std::string vals;
        for (const auto& [name, v] : ind.values) vals += fmt::format("{}{} = {}", vals.empty() ? "" : ", ", name, value_text(v));
        out += fmt::format("                    {}\n", s.paint("2", vals));
      }
      for (const auto& c : ind.checks) {
        if (c.result == true) continue;
        if (c.result == false) {
          out += fmt::format("                    {} {}\n", s.paint("31", "✘"),
                             terminal_text(c.message ? *c.message : fmt::format("not met: {}", expression_line(c.source))));
          if (c.gap) out += fmt::format("                      {} {}\n", s.paint("36", "to pass:"), terminal_text(*c.gap));
        }
        else {
          out += fmt::format("                    {} cannot be decided: {}\n", s.paint("33", "?"), terminal_text(expression_line(c.source)));
          if (c.unknown_because)
            out += fmt::format("                      {} {}\n", s.paint("33", "because"), terminal_text(*c.unknown_because));
        }
      }
      if (!ind.missing.empty()) {
        std::string miss;
        for (std::size_t i = 0; i < ind.missing.size() && i < 6; ++i) miss += (i ? ", " : "") + ind.missing[i];
        if (ind.missing.size() > 6) miss += fmt::format(" and {} more", ind.missing.size() - 6);
        out += fmt::format("                    {} {}\n", s.paint("33", "missing evidence:"), terminal_text(miss));
      }
    }
  };
  for (const auto& g : r.groups) render_group(g.id, g.title);
  render_group("", "");
  out += "\n";
  std::string outcome = engine::to_string(r.outcome);
  for (auto& c : outcome) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out += fmt::format("Outcome: {}{}\n", s.paint(std::string("1;") + color_of(r.outcome), outcome),
                     r.label ? fmt::format(" — {}", *r.label) : "");
  out += fmt::format("Summary: {}: {} pass, {} fail, {} unknown", count_of(r.indicators.size(), "indicator", "indicators"), r.pass,
                     r.fail, r.unknown);
  if (r.points && r.max_points) out += fmt::format("; {} of {} points", r.points->to_string(), r.max_points->to_string());
  out += "\n\n";
}

}  // namespace

namespace parts {

std::string text_begin(const RulesetInfo& ruleset, bool color) {
  Style s{color};
  return fmt::format("{} {}{}\n{}\n\n", s.paint("1", ruleset.name), ruleset.version,
                     ruleset.title.empty() ? "" : " — " + ruleset.title, s.paint("2", ruleset.digest));
}

std::string text_file(const FileOutcome& file, bool color) {
  std::string out;
  render_file(out, file, Style{color});
  return out;
}

std::string text_end(const BatchTally& t, bool) {
  if (t.files <= 1) return {};
  return fmt::format("{} files: {} pass, {} fail, {} unknown, {} error\n", t.files, t.pass, t.fail, t.unknown, t.error);
}

}  // namespace parts

engine::EvaluationResult display_order(const engine::EvaluationResult& r) {
  engine::EvaluationResult out = r;
  auto by_id = [](const auto& a, const auto& b) { return engine::compare_versions(a.id, b.id) < 0; };
  std::stable_sort(out.groups.begin(), out.groups.end(), by_id);
  std::stable_sort(out.indicators.begin(), out.indicators.end(), by_id);
  return out;
}

}  // namespace verdict::cli
