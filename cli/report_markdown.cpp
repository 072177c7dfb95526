// Markdown report: the same content as the HTML one, for pasting into an
// issue or a wiki. Per evidence file: the outcome, results per group, "what
// to improve first", then per group a table of its indicators followed by
// each indicator's messages, gap to pass, missing evidence, values, cited
// guideline text (as blockquotes) and notes.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "cli/report.hpp"
#include "cli/report_parts.hpp"

namespace verdict::cli {

namespace {

// Inline text: Markdown and HTML punctuation is backslash-escaped (CommonMark
// allows it before any ASCII punctuation, in table cells too), so evidence
// text cannot add emphasis, links, tags or table columns; line breaks and
// other control characters become spaces.
std::string md_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>': case '|': case '~': case '&':
        out += '\\';
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += ' ';
        else out += c;
    }
  }
  return out;
}

// Inline text that starts a block (a line of a blockquote): also a leading
// heading, list or rule marker is escaped.
std::string md_block(const std::string& s) {
  std::string out = md_escape(s);
  std::size_t digits = 0;
  while (digits < out.size() && out[digits] >= '0' && out[digits] <= '9') ++digits;
  if (!out.empty() && (out[0] == '#' || out[0] == '-' || out[0] == '+' || out[0] == '=')) out.insert(out.begin(), '\\');
  else if (digits > 0 && digits < out.size() && (out[digits] == '.' || out[digits] == ')'))
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(digits), '\\');
  return out;
}

// A code span (for evidence paths and value names), fenced by more backticks
// than the text holds in a row. Not for table cells.
std::string md_code(const std::string& s) {
  std::string text;
  std::size_t run = 0, longest = 0;
  for (char c : s) {
    text += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

// Cited text as a blockquote, line by line (an empty line keeps the quote open).
std::string md_quote(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  std::string out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::string line = s.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out += line.empty() ? ">\n" : "> " + md_block(line) + "\n";
    start = end + 1;
  }
  return out;
}

const char* icon(engine::Verdict v) {
  return v == engine::Verdict::pass ? "✅ pass" : v == engine::Verdict::fail ? "❌ fail" : "❔ unknown";
}

const char* mark(engine::Verdict v) { return v == engine::Verdict::pass ? "✅" : v == engine::Verdict::fail ? "❌" : "❔"; }

std::string score_text(const engine::IndicatorResult& i) {
  if (!i.score) return {};
  return i.score->to_string() + (i.score_of ? " of " + i.score_of->to_string() : "");
}

// Results per group (what the HTML report draws as a chart).
std::string group_table(const engine::EvaluationResult& r, const std::string& other) {
  struct Row {
    std::string id, title;
    int pass = 0, fail = 0, unknown = 0;
  };
  std::vector<Row> rows;
  for (const auto& g : r.groups) rows.push_back({g.id, g.id + " " + g.title});
  for (const auto& i : r.indicators) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& row) { return row.id == i.group; });
    if (it == rows.end()) {
      rows.push_back({i.group, i.group.empty() ? other : i.group});
      it = rows.end() - 1;
    }
    (i.verdict == engine::Verdict::pass ? it->pass : i.verdict == engine::Verdict::fail ? it->fail : it->unknown)++;
  }
  std::string out = "| Group | ✅ Pass | ❌ Fail | ❔ Unknown |\n|---|--:|--:|--:|\n";
  bool any = false;
  for (const auto& row : rows) {
    if (row.pass + row.fail + row.unknown == 0) continue;
    out += fmt::format("| {} | {} | {} | {} |\n", md_escape(row.title), row.pass, row.fail, row.unknown);
    any = true;
  }
  return any ? out + "\n" : std::string();
}

// What to improve first: failed minimum requirements, then other failures,
// then minimum requirements that lack evidence; each with the smallest change
// that would make it pass (or its message, or the first missing evidence).
std::string improve_first(const engine::EvaluationResult& r) {
  constexpr std::size_t kShown = 8;
  std::vector<std::string> todo;
  for (const auto& item : improve_first_items(r)) {
    const auto& i = *item.indicator;
    const std::string what = !item.what.empty() ? md_escape(item.what) : item.missing.empty() ? "" : "report " + md_code(item.missing);
    todo.push_back(fmt::format("{} **{}** {}{}", mark(i.verdict), md_escape(i.id), md_escape(i.title), what.empty() ? "" : " — " + what));
  }
  if (todo.empty()) return {};
  std::string out = "### What to improve first\n\n";
  for (std::size_t k = 0; k < todo.size() && k < kShown; ++k) out += fmt::format("{}. {}\n", k + 1, todo[k]);
  if (todo.size() > kShown) out += fmt::format("\n…and {} more below.\n", todo.size() - kShown);
  return out + "\n";
}

// One indicator in full, below its group's table.
std::string indicator_details(const engine::IndicatorResult& i) {
  std::string out = fmt::format("#### {} {} — {}\n\n", md_escape(i.id), md_escape(i.title), icon(i.verdict));
  std::vector<std::string> facts;
  if (i.minimum) facts.push_back("Minimum requirement");
  if (i.level) facts.push_back("level **" + md_escape(*i.level) + "**");
  if (i.score) facts.push_back("score **" + score_text(i) + "**");
  if (!facts.empty()) {
    std::string line;
    for (const auto& f : facts) line += (line.empty() ? "" : " · ") + f;
    out += line + "\n\n";
  }
  std::string list;
  for (const auto& c : i.checks) {
    if (c.result != false) continue;
    list += "- ❌ " + md_escape(c.message ? *c.message : "Not met: " + expression_line(c.source)) + "\n";
    if (c.gap) list += "  - *To pass:* " + md_escape(*c.gap) + "\n";
  }
  for (const auto& c : i.checks)
    if (!c.result && c.unknown_because) list += "- ❔ *Cannot be decided:* " + md_escape(*c.unknown_because) + "\n";
  if (!i.missing.empty()) {
    constexpr std::size_t kShown = 8;
    std::string m;
    for (std::size_t k = 0; k < i.missing.size() && k < kShown; ++k) m += (k ? ", " : "") + md_code(i.missing[k]);
    if (i.missing.size() > kShown) m += fmt::format(" and {} more", i.missing.size() - kShown);
    list += "- ❔ *Missing evidence:* " + m + "\n";
  }
  if (!list.empty()) out += list + "\n";
  if (!i.values.empty()) {
    std::string vals;
    for (const auto& [name, v] : i.values) vals += fmt::format("{}{} = {}", vals.empty() ? "" : " · ", md_code(name), md_escape(report_value(v)));
    out += "*Values:* " + vals + "\n\n";
  }
  for (const auto& c : i.cites) out += md_quote(c) + "\n";
  for (const auto& n : i.notes) out += "*Note:* " + md_escape(n) + "\n\n";
  return out;
}

}  // namespace

namespace parts {

std::string markdown_begin(const RulesetInfo& ruleset) {
  // A ruleset without a title has no line for it (not an empty paragraph).
  return fmt::format("# {} {}\n\n{}Ruleset digest: `{}`\n\n", md_escape(ruleset.name), md_escape(ruleset.version),
                     ruleset.title.empty() ? std::string() : md_escape(ruleset.title) + "\n\n", ruleset.digest);
}

std::string markdown_file(const FileOutcome& f) {
  std::string out = fmt::format("## {}\n\n", md_escape(f.evidence));
  if (!f.result) {
    out += fmt::format("**Could not be evaluated:** {}\n\n", md_escape(error_line(f)));
    return out;
  }
  const auto r = display_order(*f.result);
  out += fmt::format("**Outcome: {}**{}  \n{} — {} pass, {} fail, {} unknown", engine::to_string(r.outcome),
                     r.label ? " — " + md_escape(*r.label) : "", as_of_text(r.as_of, true), r.pass, r.fail, r.unknown);
  if (r.points && r.max_points)
    out += fmt::format("; {} of {} points ({})", r.points->to_string(), r.max_points->to_string(),
                       r.max_points->num() ? engine::Number::div(*r.points, *r.max_points)->to_percent() : "–");
  out += "\n\n";
  const std::string other = r.groups.empty() ? "Indicators" : "Other indicators";
  out += group_table(r, other);
  out += improve_first(r);
  auto group = [&](const std::string& id, const std::string& title) {
    bool any = false;
    for (const auto& i : r.indicators)
      if (i.group == id) any = true;
    if (!any) return;
    out += fmt::format("### {}\n\n| Min. | Indicator | Verdict | Level | Score |\n|---|---|---|---|---|\n",
                       id.empty() ? other : md_escape(id + " " + title));
    for (const auto& i : r.indicators) {
      if (i.group != id) continue;
      out += fmt::format("| {} | {} {} | {} | {} | {} |\n", i.minimum ? "V" : "", md_escape(i.id), md_escape(i.title), icon(i.verdict),
                         i.level ? md_escape(*i.level) : "", score_text(i));
    }
    out += "\n";
    for (const auto& i : r.indicators)
      if (i.group == id) out += indicator_details(i);
  };
  for (const auto& g : r.groups) group(g.id, g.title);
  group("", "");
  return out;
}

}  // namespace parts

}  // namespace verdict::cli
