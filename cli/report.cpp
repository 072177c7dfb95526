// A report's parts by format, and what a batch keeps of each file.
#include "cli/report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "cli/report_parts.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

std::string brief_value(const engine::Value& v) {
  if (const engine::Record* r = v.record_if()) {
    // A record (an attestation) by its first fields, texts shortened.
    std::string out = "{";
    std::size_t shown = 0;
    for (const auto& f : r->fields) {
      if (shown == 4) { out += ", …"; break; }
      std::string value;
      switch (f.value.kind()) {
        case engine::Value::Kind::list: value = count_of(f.value.as_list().items.size(), "entry", "entries"); break;
        case engine::Value::Kind::record: value = "{…}"; break;
        case engine::Value::Kind::string: {
          std::string text = one_line(f.value.as_string());
          if (utf8_columns(text) > 40) {
            std::size_t cut = 0;
            for (std::size_t cols = 0; cut < text.size() && cols < 39; ++cols)  // whole characters
              do ++cut; while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80);
            text = text.substr(0, cut) + "…";
          }
          value = "\"" + text + "\"";
          break;
        }
        default: value = engine::to_display(f.value);
      }
      out += (shown++ ? ", " : "") + f.key + ": " + value;
    }
    return out + "}";
  }
  if (v.kind() != engine::Value::Kind::list) return engine::to_display(v);
  const auto& items = v.as_list().items;
  const bool plain = !items.empty() && items.size() <= 5 && std::all_of(items.begin(), items.end(), [](const engine::Value& i) {
    return i.kind() != engine::Value::Kind::list && i.kind() != engine::Value::Kind::record;
  });
  if (plain) return engine::to_display(v);
  return count_of(items.size(), "entry", "entries");
}

std::string entry_name(const engine::Value& v, std::size_t position) {
  const engine::Record* r = v.record_if();
  if (!r) return {};
  for (const char* key : {"id", "name", "title"}) {
    const engine::Field* f = r->find(key);
    if (!f) continue;
    const auto kind = f->value.kind();
    if (kind == engine::Value::Kind::string && !f->value.as_string().empty()) return one_line(f->value.as_string());
    if (kind == engine::Value::Kind::number) return f->value.as_number().to_string();
  }
  return r->path.empty() ? fmt::format("#{}", position + 1) : r->path;
}

std::vector<std::string> entry_names(const engine::Value& v) {
  std::vector<std::string> out;
  if (v.kind() != engine::Value::Kind::list) return out;
  const auto& items = v.as_list().items;
  for (std::size_t k = 0; k < items.size(); ++k) {
    std::string name = entry_name(items[k], k);
    if (name.empty()) return {};
    out.push_back(std::move(name));
  }
  return out;
}

std::string as_of_text(const std::optional<engine::Date>& as_of, bool capital) {
  if (as_of) return fmt::format("{}s of {}", capital ? "A" : "a", engine::to_string(*as_of));
  return capital ? "No reference date" : "no reference date";
}

std::string error_line(const FileOutcome& f) {
  if (!f.error) return "could not be evaluated";
  const auto pos = f.error->position();
  if (!pos.line) return f.error->message;
  return fmt::format("{}:{}:{}: {}", f.error->file(), pos.line, pos.column, f.error->message);
}

std::vector<ImproveItem> improve_first_items(const engine::EvaluationResult& r) {
  std::vector<ImproveItem> out;
  for (int round = 0; round < 3; ++round)
    for (const auto& i : r.indicators) {
      const bool pick = round == 0   ? (i.verdict == engine::Verdict::fail && i.minimum)
                        : round == 1 ? (i.verdict == engine::Verdict::fail && !i.minimum)
                                     : (i.verdict == engine::Verdict::unknown && i.minimum);
      if (!pick) continue;
      ImproveItem item{&i, {}, {}};
      for (const auto& c : i.checks)
        if (c.gap) { item.what = *c.gap; break; }
      if (item.what.empty())
        for (const auto& c : i.checks)
          if (c.message) { item.what = *c.message; break; }
      if (item.what.empty() && !i.missing.empty()) item.missing = i.missing.front();
      if (item.what.empty() && item.missing.empty())
        for (const auto& c : i.checks)
          if (c.unknown_because) { item.what = *c.unknown_because; break; }
      out.push_back(std::move(item));
    }
  return out;
}

std::string one_line(std::string_view text) {
  std::string out;
  bool blank = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

std::string expression_line(std::string_view source) {
  std::string kept;
  kept.reserve(source.size());
  bool in_text = false;
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (in_text) {
      kept += c;
      if (c == '\\' && i + 1 < source.size()) kept += source[++i];  // an escape: \" does not end the text
      else if (c == '"') in_text = false;
    } else if (c == '#') {
      while (i + 1 < source.size() && source[i + 1] != '\n') ++i;  // to the end of the line
    } else {
      if (c == '"') in_text = true;
      kept += c;
    }
  }
  return one_line(kept);
}

std::string report_value(const engine::Value& v) {
  if (v.kind() == engine::Value::Kind::number && !v.as_number().is_integer()) return v.as_number().to_string(4);
  return brief_value(v);
}

std::string count_of(std::size_t n, const char* singular, const char* plural) {
  return fmt::format("{} {}", n, n == 1 ? singular : plural);
}

ReportFormat report_format(const std::string& name) {
  if (name == "json") return ReportFormat::json;
  if (name == "markdown") return ReportFormat::markdown;
  if (name == "html") return ReportFormat::html;
  return ReportFormat::text;
}

void BatchTally::add(const FileOutcome& f) {
  ++files;
  if (!f.result) {
    ++error;
    if (f.unreadable) ++unreadable;
  } else if (f.result->outcome == engine::Verdict::pass) {
    ++pass;
  } else if (f.result->outcome == engine::Verdict::fail) {
    ++fail;
  } else {
    ++unknown;
  }
}

void BatchTally::add(const BatchTally& o) {
  files += o.files;
  pass += o.pass;
  fail += o.fail;
  unknown += o.unknown;
  error += o.error;
  unreadable += o.unreadable;
}

int BatchTally::exit_code() const {
  if (error) return unreadable == error ? 66 : 65;
  return fail ? 1 : unknown ? 2 : 0;
}

int batch_exit_code(const std::vector<FileOutcome>& files) {
  BatchTally tally;
  for (const auto& f : files) tally.add(f);
  return tally.exit_code();
}

std::string report_begin(ReportFormat format, const RulesetInfo& ruleset, std::size_t files, const std::string& first_evidence,
                         bool color) {
  switch (format) {
    case ReportFormat::json: return parts::json_begin(ruleset);
    case ReportFormat::markdown: return parts::markdown_begin(ruleset);
    case ReportFormat::html: return parts::html_begin(ruleset, files, first_evidence);
    case ReportFormat::text: break;
  }
  return parts::text_begin(ruleset, color);
}

std::string report_file(ReportFormat format, const FileOutcome& file, std::size_t index, bool color) {
  switch (format) {
    case ReportFormat::json: return parts::json_file(file, index);
    case ReportFormat::markdown: return parts::markdown_file(file);
    case ReportFormat::html: return parts::html_file(file, index);
    case ReportFormat::text: break;
  }
  return parts::text_file(file, color);
}

std::string report_end(ReportFormat format, const BatchTally& tally, bool color) {
  switch (format) {
    case ReportFormat::json: return parts::json_end(tally);
    case ReportFormat::markdown: return {};
    case ReportFormat::html: return parts::html_end();
    case ReportFormat::text: break;
  }
  return parts::text_end(tally, color);
}

std::string render_report(ReportFormat format, const RulesetInfo& ruleset, const std::vector<FileOutcome>& files, bool color) {
  std::string out = report_begin(format, ruleset, files.size(), files.empty() ? std::string() : files.front().evidence, color);
  BatchTally tally;
  for (std::size_t i = 0; i < files.size(); ++i) {
    out += report_file(format, files[i], i, color);
    tally.add(files[i]);
  }
  return out + report_end(format, tally, color);
}

}  // namespace verdict::cli
