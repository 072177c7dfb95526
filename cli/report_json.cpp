#include <nlohmann/json.hpp>

#include "cli/report.hpp"
#include "cli/report_parts.hpp"

namespace verdict::cli {

using ojson = nlohmann::ordered_json;

namespace {

ojson number_json(const engine::Number& n) {
  if (n.is_integer()) return n.num();
  return n.to_double();
}

ojson value_json(const engine::Value& v) {
  using K = engine::Value::Kind;
  switch (v.kind()) {
    case K::unknown: return nullptr;
    case K::null: return nullptr;
    case K::boolean: return v.as_bool();
    case K::number: return number_json(v.as_number());
    case K::list: return v.as_list().items.size();  // a collection is reported by its size
    case K::record: {  // its fields, each as a value is (a list in it by its size)
      ojson fields = ojson::object();
      for (const auto& f : v.as_record().fields) fields[f.key] = value_json(f.value);
      return fields;
    }
    default: return engine::to_display(v);
  }
}

ojson indicator_json(const engine::IndicatorResult& r) {
  ojson j;
  j["id"] = r.id;
  j["title"] = r.title;
  j["group"] = r.group.empty() ? ojson(nullptr) : ojson(r.group);  // null: in no group
  j["minimum"] = r.minimum;
  j["verdict"] = engine::to_string(r.verdict);
  j["level"] = r.level ? ojson(*r.level) : ojson(nullptr);
  j["score"] = r.score ? number_json(*r.score) : ojson(nullptr);
  j["score_of"] = r.score_of ? number_json(*r.score_of) : ojson(nullptr);
  ojson checks = ojson::array();
  for (const auto& c : r.checks) {
    ojson cj;
    cj["source"] = expression_line(c.source);
    cj["line"] = c.line;
    if (!c.file.empty()) cj["file"] = c.file;
    cj["result"] = c.result ? ojson(*c.result) : ojson(nullptr);
    cj["message"] = c.message ? ojson(*c.message) : ojson(nullptr);
    if (c.gap) cj["gap"] = *c.gap;
    if (!c.missing.empty()) cj["missing"] = c.missing;
    if (c.unknown_because) cj["unknown_because"] = *c.unknown_because;
    checks.push_back(std::move(cj));
  }
  j["checks"] = std::move(checks);
  ojson values = ojson::object();
  // A value is null in JSON when it is null or unknown; which are unknown
  // is said beside them.
  ojson unknown_values = ojson::array();
  for (const auto& [name, v] : r.values) {
    values[name] = value_json(v);
    if (v.is_unknown()) unknown_values.push_back(name);
  }
  j["values"] = std::move(values);
  j["unknown_values"] = std::move(unknown_values);
  j["missing"] = r.missing;
  j["cite"] = r.cites.list();
  j["notes"] = r.notes.list();
  return j;
}

}  // namespace

namespace {

// An error as "error" entries give it: message, code, file, line, column.
ojson error_json(const Diagnostic& d, const std::string& file_otherwise) {
  ojson e;
  e["message"] = d.message;
  e["code"] = d.code;
  auto pos = d.position();
  e["file"] = d.source ? d.file() : file_otherwise;
  e["line"] = pos.line ? ojson(pos.line) : ojson(nullptr);
  e["column"] = pos.column ? ojson(pos.column) : ojson(nullptr);
  return e;
}

// One file's entry of "results".
ojson file_json(const FileOutcome& f) {
  ojson r;
  r["evidence"] = f.evidence;
  if (!f.result) {
    r["outcome"] = "error";
    Diagnostic none;
    none.message = "error";
    none.code = "error";
    r["error"] = error_json(f.error ? *f.error : none, f.evidence);
    return r;
  }
  const auto& res = *f.result;
  r["as_of"] = res.as_of ? ojson(engine::to_string(*res.as_of)) : ojson(nullptr);
  r["outcome"] = engine::to_string(res.outcome);
  r["label"] = res.label ? ojson(*res.label) : ojson(nullptr);
  r["summary"] = {{"pass", res.pass}, {"fail", res.fail}, {"unknown", res.unknown}};
  if (res.points) {
    r["points"] = number_json(*res.points);
    r["max_points"] = res.max_points ? number_json(*res.max_points) : ojson(nullptr);
  }
  ojson inds = ojson::array();
  for (const auto& ind : res.indicators) inds.push_back(indicator_json(ind));
  r["indicators"] = std::move(inds);
  return r;
}

// `j` dumped with an indent of 2, as it reads `depth` levels down in a
// document dumped the same way (JSON text has no raw newline in strings, so
// every newline starts a line to indent).
void append_nested(std::string& out, const ojson& j, std::size_t depth) {
  const std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string pad(2 * depth, ' ');
  out.reserve(out.size() + text.size() + text.size() / 8);
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out += pad;
  }
}

}  // namespace

namespace parts {

std::string json_begin(const RulesetInfo& ruleset) {
  std::string out = "{\n  \"ruleset\": ";
  append_nested(out, ojson{{"name", ruleset.name}, {"version", ruleset.version}, {"digest", ruleset.digest}}, 1);
  return out + ",\n  \"results\": [";
}

std::string json_file(const FileOutcome& file, std::size_t index) {
  std::string out = index ? ",\n    " : "\n    ";
  append_nested(out, file_json(file), 2);
  return out;
}

std::string json_end(const BatchTally& tally) { return tally.files ? "\n  ]\n}\n" : "]\n}\n"; }

std::string json_ruleset_error(const std::string& message, const std::vector<Diagnostic>& errors, const std::string& ref) {
  ojson doc;
  doc["ruleset"] = nullptr;
  doc["results"] = ojson::array();
  ojson all = ojson::array();
  for (const auto& d : errors) all.push_back(error_json(d, std::string()));
  if (all.empty()) {
    std::string text = message;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    // The severity (and code) is the entry's: "error: …", "error[limit]: …".
    if (text.starts_with("error: ")) text.erase(0, 7);
    else if (const auto end = text.find("]: "); text.starts_with("error[") && end != std::string::npos) text.erase(0, end + 3);
    // A ruleset named by its path (not NAME@VERSION from a catalogue).
    const bool path = ref.ends_with(".rules") || ref.find('/') != std::string::npos;
    all.push_back({{"message", text}, {"code", "error"}, {"file", path ? ojson(ref) : ojson(nullptr)}, {"line", nullptr},
                   {"column", nullptr}});
  }
  doc["error"] = all.front();
  doc["errors"] = std::move(all);
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string json_no_evidence(const RulesetInfo& ruleset, const std::string& message) {
  ojson doc;
  doc["ruleset"] = {{"name", ruleset.name}, {"version", ruleset.version}, {"digest", ruleset.digest}};
  doc["results"] = ojson::array();
  const ojson error = {{"message", message}, {"code", "io_error"}, {"file", nullptr}, {"line", nullptr}, {"column", nullptr}};
  doc["error"] = error;
  doc["errors"] = ojson::array({error});
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace parts

}  // namespace verdict::cli
