// The HTML report: one self-contained page (inline CSS, SVG drawn here, no
// scripts or network), the outcome on top, a chart of results per group, then
// every indicator with its verdict, level, score, cited text, values,
// messages, gap to pass and missing evidence. Prints on A4.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "cli/report.hpp"
#include "cli/report_parts.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace {

std::string esc(const std::string& s) { return escape_markup(s); }

const char* css_class(engine::Verdict v) {
  return v == engine::Verdict::pass ? "pass" : v == engine::Verdict::fail ? "fail" : "unknown";
}

const char* kStyle = R"css(
:root { --pass: #1a7f37; --fail: #cf222e; --unknown: #9a6700; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: #f6f8fa; }
main { max-width: 960px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: var(--muted); font-size: 12px; }
.outcome { display: flex; gap: 16px; align-items: center; border-radius: 8px; padding: 14px 18px; margin: 14px 0; color: #fff; }
.outcome.pass { background: var(--pass); } .outcome.fail { background: var(--fail); } .outcome.unknown { background: var(--unknown); }
.outcome .big { font-size: 26px; font-weight: 700; text-transform: uppercase; }
.outcome .label { font-size: 16px; }
.summary { display: flex; gap: 18px; flex-wrap: wrap; margin: 6px 0 12px; }
.summary span { font-weight: 600; }
.chart { margin: 8px 0 4px; }
.ind { border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 6px; padding: 8px 12px; margin: 8px 0; break-inside: avoid; }
.ind.pass { border-left-color: var(--pass); } .ind.fail { border-left-color: var(--fail); } .ind.unknown { border-left-color: var(--unknown); }
.ind header { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.badge { font-size: 11px; font-weight: 700; text-transform: uppercase; padding: 1px 7px; border-radius: 10px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.unknown { background: var(--unknown); }
.id { font-weight: 700; } .min { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
.levels { margin-left: auto; color: var(--muted); font-size: 12px; }
blockquote { margin: 6px 0; padding: 4px 10px; border-left: 3px solid var(--line); color: var(--muted); font-size: 12px; }
.msg { color: var(--fail); margin: 4px 0; } .gap { margin: 2px 0 4px 14px; } .gap b { color: var(--ink); }
.missing { color: var(--unknown); font-size: 12px; } .values { font-size: 12px; color: var(--muted); }
.todo { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 14px; }
.todo li { margin: 3px 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; } main { max-width: none; padding: 0; }
  .outcome { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .badge, .ind { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; } .file { break-before: page; } .file:first-of-type { break-before: auto; }
}
)css";

// Horizontal stacked bars: per group, how many indicators pass, fail, are unknown.
std::string group_chart(const engine::EvaluationResult& r) {
  struct Counts {
    std::string title;
    int pass = 0, fail = 0, unknown = 0;
  };
  std::vector<std::pair<std::string, Counts>> rows;
  auto row_of = [&](const std::string& id) -> Counts& {
    for (auto& [gid, c] : rows)
      if (gid == id) return c;
    std::string title = id.empty() ? "Other" : id;
    for (const auto& g : r.groups)
      if (g.id == id) title = g.id + "  " + g.title;
    rows.push_back({id, Counts{title}});
    return rows.back().second;
  };
  for (const auto& g : r.groups) row_of(g.id);
  for (const auto& i : r.indicators) {
    auto& c = row_of(i.group);
    (i.verdict == engine::Verdict::pass ? c.pass : i.verdict == engine::Verdict::fail ? c.fail : c.unknown)++;
  }
  rows.erase(std::remove_if(rows.begin(), rows.end(), [](const auto& rc) { return rc.second.pass + rc.second.fail + rc.second.unknown == 0; }),
             rows.end());
  const int label_w = 330, bar_w = 560, row_h = 26, width = label_w + bar_w + 50;
  int max_n = 1;
  for (const auto& [id, c] : rows) max_n = std::max(max_n, c.pass + c.fail + c.unknown);
  int height = static_cast<int>(rows.size()) * row_h + 30;
  std::string svg = fmt::format(
      "<svg class=\"chart\" role=\"img\" aria-label=\"Results per group\" viewBox=\"0 0 {} {}\" width=\"100%\" "
      "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n",
      width, height);
  int y = 4;
  for (const auto& [id, c] : rows) {
    std::string title = c.title.size() > 48 ? c.title.substr(0, 47) + "…" : c.title;
    svg += fmt::format("<text x=\"0\" y=\"{}\" fill=\"#1f2328\">{}</text>\n", y + 15, esc(title));
    double x = label_w;
    auto seg = [&](int n, const char* color, const char* what) {
      if (n == 0) return;
      double w = bar_w * static_cast<double>(n) / max_n;
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"18\" fill=\"{}\"><title>{} {}</title></rect>\n", x, y + 2,
                         w, color, n, what);
      if (w > 18) svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" fill=\"#fff\" text-anchor=\"middle\">{}</text>\n", x + w / 2, y + 15, n);
      x += w;
    };
    seg(c.pass, "#1a7f37", "pass");
    seg(c.fail, "#cf222e", "fail");
    seg(c.unknown, "#9a6700", "unknown");
    y += row_h;
  }
  svg += fmt::format("<g transform=\"translate({},{})\">"
                     "<rect width=\"10\" height=\"10\" fill=\"#1a7f37\"/><text x=\"14\" y=\"9\">pass</text>"
                     "<rect x=\"60\" width=\"10\" height=\"10\" fill=\"#cf222e\"/><text x=\"74\" y=\"9\">fail</text>"
                     "<rect x=\"114\" width=\"10\" height=\"10\" fill=\"#9a6700\"/><text x=\"128\" y=\"9\">unknown</text></g>\n",
                     label_w, y + 4);
  svg += "</svg>\n";
  return svg;
}

// `index`: the file's place in the report. Its ids are unique in the page:
// the first file's are plain ("ind-2.5"), the others' carry their number
// ("f2-ind-2.5"), so that each file's links go to its own indicators.
void render_file(std::string& out, const FileOutcome& f, std::size_t index) {
  const std::string prefix = index == 0 ? std::string() : fmt::format("f{}-", index + 1);
  out += fmt::format("<section class=\"file\">\n<h2>{}</h2>\n", esc(f.evidence));
  if (!f.result) {
    out += fmt::format("<div class=\"outcome fail\"><div class=\"big\">error</div><div class=\"label\">{}</div></div>\n</section>\n",
                       esc(error_line(f)));
    return;
  }
  const auto r = display_order(*f.result);
  out += fmt::format("<div class=\"outcome {}\" id=\"{}outcome\"><div class=\"big\">{}</div><div class=\"label\">{}</div></div>\n",
                     css_class(r.outcome), prefix, engine::to_string(r.outcome), esc(r.label.value_or("")));
  out += fmt::format("<div class=\"summary\"><div>{}</div><div><span>{}</span> pass</div><div><span>{}</span> fail</div>"
                     "<div><span>{}</span> unknown</div>",
                     r.as_of ? fmt::format("As of <span>{}</span>", engine::to_string(*r.as_of)) : "<span>No reference date</span>",
                     r.pass, r.fail, r.unknown);
  if (r.points && r.max_points)
    out += fmt::format("<div><span>{} of {}</span> points ({})</div>", r.points->to_string(), r.max_points->to_string(),
                       r.max_points->num() ? engine::Number::div(*r.points, *r.max_points)->to_percent() : "–");
  out += "</div>\n" + group_chart(r);

  // What to improve first: failed minimum requirements, then other failures, then gaps in evidence.
  std::vector<std::string> todo;
  for (const auto& item : improve_first_items(r)) {
    const auto& i = *item.indicator;
    const std::string what = !item.what.empty() ? item.what : item.missing.empty() ? "" : "report " + item.missing;
    todo.push_back(fmt::format("<li><a href=\"#{}ind-{}\"><b>{}</b> {}</a>{}</li>", prefix, esc(i.id), esc(i.id), esc(i.title),
                               what.empty() ? "" : " — " + esc(what)));
  }
  if (!todo.empty()) {
    out += "<div class=\"todo\"><h3>What to improve first</h3><ol>\n";
    for (std::size_t k = 0; k < todo.size() && k < 8; ++k) out += todo[k] + "\n";
    out += "</ol></div>\n";
  }

  auto group = [&](const std::string& id, const std::string& title) {
    bool header = false;
    for (const auto& i : r.indicators) {
      if (i.group != id) continue;
      if (!header) {
        out += fmt::format("<h3>{}</h3>\n", esc(id.empty() ? std::string("Indicators") : id + "  " + title));
        header = true;
      }
      out += fmt::format("<article class=\"ind {}\" id=\"{}ind-{}\"><header><span class=\"badge {}\">{}</span><span class=\"id\">{}</span>"
                         "<span>{}</span>{}",
                         css_class(i.verdict), prefix, esc(i.id), css_class(i.verdict), engine::to_string(i.verdict), esc(i.id), esc(i.title),
                         i.minimum ? "<span class=\"min\">minimum</span>" : "");
      std::string lv;
      if (i.level) lv += "level <b>" + esc(*i.level) + "</b>";
      if (i.score) lv += fmt::format("{}score <b>{}</b>{}", lv.empty() ? "" : " · ", i.score->to_string(),
                                     i.score_of ? " of " + i.score_of->to_string() : "");
      if (!lv.empty()) out += "<span class=\"levels\">" + lv + "</span>";
      out += "</header>\n";
      for (const auto& c : i.checks) {
        if (c.result == false) {
          out += fmt::format("<p class=\"msg\">{}</p>\n", esc(c.message ? *c.message : "Not met: " + expression_line(c.source)));
          if (c.gap) out += fmt::format("<p class=\"gap\"><b>To pass:</b> {}</p>\n", esc(*c.gap));
        }
      }
      for (const auto& c : i.checks)
        if (!c.result && c.unknown_because)
          out += fmt::format("<p class=\"missing\">Cannot be decided: {}</p>\n", esc(*c.unknown_because));
      if (!i.missing.empty()) {
        std::string m;
        for (std::size_t k = 0; k < i.missing.size() && k < 8; ++k) m += (k ? ", " : "") + fmt::format("<code>{}</code>", esc(i.missing[k]));
        out += fmt::format("<p class=\"missing\">Missing evidence: {}</p>\n", m);
      }
      if (!i.values.empty()) {
        std::string vals;
        for (const auto& [name, v] : i.values) vals += fmt::format("{}{} = {}", vals.empty() ? "" : " · ", esc(name), esc(report_value(v)));
        out += fmt::format("<p class=\"values\">{}</p>\n", vals);
      }
      for (const auto& c : i.cites) out += fmt::format("<blockquote>{}</blockquote>\n", esc(c));
      for (const auto& n : i.notes) out += fmt::format("<p class=\"values\">Note: {}</p>\n", esc(n));
      out += "</article>\n";
    }
  };
  for (const auto& g : r.groups) group(g.id, g.title);
  group("", "");
  out += "</section>\n";
}

}  // namespace

std::string escape_markup(const std::string& text) {
  // The page (and a JUnit file) says it is UTF-8: a byte that is not (a
  // file name from another system) becomes U+FFFD, as in JSON.
  std::string s;
  s.reserve(text.size());
  for (std::string_view rest = text;;) {
    const std::size_t bad = find_invalid_utf8(rest);
    s += rest.substr(0, bad);
    if (bad == std::string_view::npos) break;
    s += "\xEF\xBF\xBD";
    rest.remove_prefix(bad + 1);
  }
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += ' ';
        else out += c;
    }
  }
  return out;
}

namespace parts {

std::string html_begin(const RulesetInfo& ruleset, std::size_t files, const std::string& first_evidence) {
  std::string title = files == 1 ? first_evidence : fmt::format("{} files", files);
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
      "<title>{} — {} {}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n"
      "<h1>{}</h1>\n<div class=\"meta\">{} {} · <code>{}</code></div>\n",
      esc(title), esc(ruleset.name), esc(ruleset.version), kStyle, esc(ruleset.title.empty() ? ruleset.name : ruleset.title),
      esc(ruleset.name), esc(ruleset.version), esc(ruleset.digest));
}

std::string html_file(const FileOutcome& file, std::size_t index) {
  std::string out;
  render_file(out, file, index);
  return out;
}

std::string html_end() {
  return "<p class=\"meta\">Generated by verdict. Verdicts: pass, fail, or unknown when evidence is missing or a value cannot be computed (a share of no entries).</p>\n</main>\n</body>\n</html>\n";
}

}  // namespace parts

}  // namespace verdict::cli
