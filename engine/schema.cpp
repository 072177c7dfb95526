#include "engine/schema.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/text.hpp"

namespace verdict::engine {

using json = nlohmann::ordered_json;  // keeps the schema's property order (templates, messages)

namespace {

Diagnostic schema_diag(const std::shared_ptr<const Source>& src, std::uint32_t offset, std::string message) {
  return Diagnostic{Severity::error, "schema_error", std::move(message), src, {offset, offset + 1}, {}};
}

YamlNode yaml_from_json(const json& j) {
  YamlNode n;
  if (j.is_null()) { n.kind = YamlNode::Kind::null; return n; }
  if (j.is_array()) {
    n.kind = YamlNode::Kind::sequence;
    for (const auto& e : j) n.children.push_back(yaml_from_json(e));
    return n;
  }
  if (j.is_object()) {
    n.kind = YamlNode::Kind::mapping;
    for (const auto& [k, v] : j.items()) {
      YamlNode key;
      key.kind = YamlNode::Kind::scalar;
      key.text = k;
      n.children.push_back(key);
      n.children.push_back(yaml_from_json(v));
    }
    return n;
  }
  n.kind = YamlNode::Kind::scalar;
  if (j.is_string()) { n.plain = false; n.text = j.get<std::string>(); }
  else n.text = j.dump();
  return n;
}

const std::set<std::string>& supported_keywords() {
  static const std::set<std::string> k = {"$schema", "$id", "$comment", "title", "description", "type", "properties",
                                          "required", "additionalProperties", "items", "enum", "const", "default",
                                          "format", "minimum", "maximum", "minItems", "definitions", "$ref", "examples"};
  return k;
}

}  // namespace

class SchemaCompiler {
public:
  SchemaCompiler(Schema& s, const std::shared_ptr<const Source>& src, const json& doc) : s_(s), src_(src), doc_(doc) {}

  [[noreturn]] void fail(const std::string& where, std::string message) {
    throw DiagnosticError(schema_diag(src_, 0, fmt::format("{} (at {})", message, where.empty() ? "/" : where)));
  }

  const SchemaNode* compile(const json& j, const std::string& where, int depth = 0) {
    if (depth > 64) fail(where, "schema nested too deeply");
    if (!j.is_object()) fail(where, "a schema must be a JSON object");
    if (auto ref = j.find("$ref"); ref != j.end()) {
      if (!ref->is_string()) fail(where, "$ref must be a string");
      std::string r = ref->get<std::string>();
      const std::string prefix = "#/definitions/";
      if (r.rfind(prefix, 0) != 0) fail(where, fmt::format("only local references like '#/definitions/NAME' are supported, not '{}'", r));
      std::string name = r.substr(prefix.size());
      if (auto it = refs_.find(name); it != refs_.end()) return it->second;
      auto defs = doc_.find("definitions");
      if (defs == doc_.end() || !defs->contains(name)) fail(where, fmt::format("$ref to an unknown definition '{}'", name));
      SchemaNode& placeholder = s_.nodes.emplace_back();
      refs_[name] = &placeholder;
      const SchemaNode* compiled = compile((*defs)[name], "/definitions/" + name, depth + 1);
      placeholder = *compiled;
      return &placeholder;
    }
    for (const auto& [k, v] : j.items())
      if (!supported_keywords().count(k))
        fail(where, fmt::format("unsupported schema keyword '{}' (supported: type, properties, required, "
                                "additionalProperties, items, enum, const, default, format, minimum, maximum, "
                                "minItems, definitions, $ref)", k));
    SchemaNode& n = s_.nodes.emplace_back();
    if (auto t = j.find("type"); t != j.end()) {
      auto add = [&](const json& name) {
        static const std::map<std::string, unsigned> names = {{"string", t_string}, {"number", t_number},
                                                               {"integer", t_integer}, {"boolean", t_boolean},
                                                               {"null", t_null}, {"object", t_object}, {"array", t_array}};
        if (!name.is_string() || !names.count(name.get<std::string>())) fail(where, fmt::format("unknown type {}", name.dump()));
        n.types |= names.at(name.get<std::string>());
      };
      if (t->is_array()) for (const auto& e : *t) add(e);
      else add(*t);
    }
    if (auto f = j.find("format"); f != j.end() && f->is_string()) {
      n.format = f->get<std::string>();
      n.date_format = n.format == "date";
      n.percent_format = n.format == "percent";
    }
    if (auto f = j.find("title"); f != j.end() && f->is_string()) n.title = f->get<std::string>();
    if (auto f = j.find("description"); f != j.end() && f->is_string()) n.description = f->get<std::string>();
    if (auto p = j.find("properties"); p != j.end()) {
      if (!p->is_object()) fail(where, "properties must be an object");
      for (const auto& [k, v] : p->items()) {
        n.properties.emplace_back(k, compile(v, where + "/properties/" + k, depth + 1));
        n.property_ids.push_back(key_id(k));
      }
    }
    if (auto r = j.find("required"); r != j.end())
      for (const auto& e : *r) n.required.push_back(e.get<std::string>());
    if (auto a = j.find("additionalProperties"); a != j.end()) {
      if (a->is_boolean()) n.additional_allowed = a->get<bool>();
      else n.additional = compile(*a, where + "/additionalProperties", depth + 1);
    }
    if (auto i = j.find("items"); i != j.end()) n.items = compile(*i, where + "/items", depth + 1);
    if (auto e = j.find("enum"); e != j.end())
      for (const auto& v : *e) n.enum_values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    if (auto c = j.find("const"); c != j.end()) n.const_value = c->is_string() ? c->get<std::string>() : c->dump();
    if (auto d = j.find("default"); d != j.end()) n.default_value = yaml_from_json(*d);
    auto num = [&](const char* key) -> std::optional<Number> {
      auto it = j.find(key);
      if (it == j.end()) return std::nullopt;
      auto n = Number::parse(it->dump());
      if (!n) fail(where, fmt::format("{} must be a number", key));
      return n;
    };
    n.minimum = num("minimum");
    n.maximum = num("maximum");
    if (auto m = j.find("minItems"); m != j.end()) n.min_items = m->get<std::size_t>();
    return &n;
  }

private:
  Schema& s_;
  std::shared_ptr<const Source> src_;
  const json& doc_;
  std::map<std::string, const SchemaNode*> refs_;
};

std::shared_ptr<const Schema> Schema::parse(const std::shared_ptr<const Source>& source) {
  json doc;
  try {
    doc = json::parse(source->text());
  } catch (const json::parse_error& e) {
    auto off = static_cast<std::uint32_t>(e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    auto colon = what.find("parse error");
    throw DiagnosticError(schema_diag(source, off, "the schema is not valid JSON: " + (colon == std::string::npos ? what : what.substr(colon))));
  }
  auto s = std::make_shared<Schema>();
  s->path_ = source->name();
  if (auto id = doc.find("$id"); id != doc.end() && id->is_string()) s->id_ = id->get<std::string>();
  try {
    SchemaCompiler c(*s, source, doc);
    s->root_ = c.compile(doc, "");
  } catch (const json::exception& e) {
    throw DiagnosticError(schema_diag(source, 0, fmt::format("the schema is malformed: {}", e.what())));
  }
  return s;
}

std::shared_ptr<const Schema> Schema::load(const std::string& path) {
  return parse(std::make_shared<Source>(path, read_file(path, 16u << 20)));
}

std::string schema_id_of_file(const std::string& path) {
  try {
    auto doc = json::parse(read_file(path, 16u << 20));
    if (auto id = doc.find("$id"); id != doc.end() && id->is_string()) return id->get<std::string>();
  } catch (...) {
  }
  return {};
}

const SchemaNode* Schema::find(const std::vector<std::string>& path) const {
  const SchemaNode* n = root_;
  for (const auto& part : path) {
    while (n && n->items && !n->property(part)) n = n->items;
    if (!n) return nullptr;
    const SchemaNode* next = n->property(part);
    if (!next && n->additional) next = n->additional;
    n = next;
  }
  return n;
}

namespace {

std::string describe_types(const SchemaNode& s) {
  std::vector<std::string> out;
  if (s.format == "date") out.push_back("a date (YYYY-MM-DD)");
  else if (s.format == "percent") out.push_back("a percentage (35% or 0.35)");
  else {
    if (s.types & t_string) out.push_back("a string");
    if (s.types & t_integer) out.push_back("a whole number");
    if (s.types & t_number) out.push_back("a number");
  }
  if (s.types & t_boolean) out.push_back("true or false");
  if (s.types & t_object) out.push_back("a mapping");
  if (s.types & t_array) out.push_back("a list");
  if (s.types & t_null) out.push_back("null");
  if (out.empty()) return "a value";
  if (out.size() == 1) return out[0];
  std::string last = out.back();
  out.pop_back();
  return join(out, ", ") + " or " + last;
}

std::string found(const YamlNode& n) {
  switch (n.kind) {
    case YamlNode::Kind::null: return "null";
    case YamlNode::Kind::mapping: return "a mapping";
    case YamlNode::Kind::sequence: return "a list";
    case YamlNode::Kind::scalar: return n.plain ? fmt::format("'{}'", n.text) : fmt::format("the string \"{}\"", n.text);
  }
  return "?";
}

bool is_number_text(const std::string& t) {
  return !t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) || ((t[0] == '-' || t[0] == '+' || t[0] == '.') && t.size() > 1));
}

// A place in the evidence ("participants[3].kind"), spelt out only when it
// is needed: for an error, or for a list or record that keeps it.
struct PathRef {
  const std::string* parent = nullptr;  // null for the top level
  std::string_view key;
  std::size_t index = std::string::npos;  // a list position, instead of key

  std::string str() const {
    if (!parent) return {};
    return index != std::string::npos ? child_path(*parent, index) : child_path(*parent, key);
  }
};

class Converter {
public:
  Converter(const std::shared_ptr<const Source>& src, Diagnostics& diags) : src_(src), diags_(diags) {}

  void error(const YamlNode& at, const PathRef& path, std::string message) {
    if (diags_.size() >= 200) return;
    std::string where = path.str();
    diags_.error("evidence_error", src_, at.span(), where.empty() ? message : fmt::format("{}: {}", where, message));
  }

  Value convert(const YamlNode& n, const SchemaNode& s, const PathRef& path) {
    switch (n.kind) {
      case YamlNode::Kind::null:
        if (s.allows(t_null)) return Value::null();
        error(n, path, fmt::format("null is not allowed here; expected {} (leave the key out when it is not known)", describe_types(s)));
        return Value::unknown();
      case YamlNode::Kind::mapping:
        if (!s.allows(t_object)) { error(n, path, fmt::format("expected {}, found a mapping", describe_types(s))); return Value::unknown(); }
        return record(n, s, path);
      case YamlNode::Kind::sequence:
        if (!s.allows(t_array)) { error(n, path, fmt::format("expected {}, found a list", describe_types(s))); return Value::unknown(); }
        return list(n, s, path);
      case YamlNode::Kind::scalar: return scalar(n, s, path);
    }
    return Value::unknown();
  }

private:
  Value scalar(const YamlNode& n, const SchemaNode& s, const PathRef& path) {
    const std::string& t = n.text;
    Value v;
    bool typed = false;
    if (s.date_format && s.allows(t_string)) {
      if (looks_like_date(t)) {
        auto d = parse_date(t);
        if (!d) { error(n, path, fmt::format("{} is not a date in the calendar", t)); return Value::unknown(); }
        v = Value::date(*d);
        typed = true;
      } else {
        error(n, path, fmt::format("expected {}, found {}", describe_types(s), found(n)));
        return Value::unknown();
      }
    } else if (s.percent_format) {
      auto num = Number::parse(t, true);
      if (!num) {
        bool looks_numeric = !t.empty() && t.find_first_not_of("0123456789+-.eE_% ") == std::string::npos;
        error(n, path, looks_numeric ? fmt::format("the number {} is too large or too precise to hold exactly", t)
                                     : fmt::format("expected {}, found {}", describe_types(s), found(n)));
        return Value::unknown();
      }
      v = Value::number(*num);
      typed = true;
    } else if (s.allows(t_boolean) && n.plain && (t == "true" || t == "false")) {
      v = Value::boolean(t == "true");
      typed = true;
    } else if ((s.allows(t_number) || s.allows(t_integer)) && n.plain && is_number_text(t)) {
      auto has = [&](std::string_view word) {  // case-insensitive
        return std::search(t.begin(), t.end(), word.begin(), word.end(), [](char a, char b) {
                 return std::tolower(static_cast<unsigned char>(a)) == b;
               }) != t.end();
      };
      if (has("inf") || has("nan")) {
        error(n, path, fmt::format("{} is not a finite number", t));
        return Value::unknown();
      }
      auto num = Number::parse(t);
      if (!num) {
        bool looks_numeric = t.find_first_not_of("0123456789+-.eE_") == std::string::npos;
        error(n, path, looks_numeric ? fmt::format("the number {} is too large or too precise to hold exactly", t)
                                     : fmt::format("expected {}, found {}", describe_types(s), found(n)));
        return Value::unknown();
      }
      if (!s.allows(t_number) && !num->is_integer()) {
        error(n, path, fmt::format("expected a whole number, found {}", t));
        return Value::unknown();
      }
      v = Value::number(*num);
      typed = true;
    } else if (s.allows(t_string)) {
      v = Value::string(t);
      typed = true;
    }
    if (!typed) {
      if (s.allows(t_boolean) && n.plain)
        error(n, path, fmt::format("expected true or false, found {} (booleans are written true or false only)", found(n)));
      else
        error(n, path, fmt::format("expected {}, found {}", describe_types(s), found(n)));
      return Value::unknown();
    }
    if (s.const_value && t != *s.const_value) {
      error(n, path, fmt::format("must be \"{}\", found {}", *s.const_value, found(n)));
      return Value::unknown();
    }
    if (!s.enum_values.empty() && std::find(s.enum_values.begin(), s.enum_values.end(), t) == s.enum_values.end()) {
      auto hint = did_you_mean(t, s.enum_values);
      error(n, path, fmt::format("{} is not an allowed value; expected one of: {}{}", found(n), join(s.enum_values, ", "),
                                 hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
      return Value::unknown();
    }
    if (v.kind() == Value::Kind::number) {
      if (s.minimum && v.as_number() < *s.minimum) {
        error(n, path, fmt::format("{} is below the minimum of {}", t, s.minimum->to_string()));
        return Value::unknown();
      }
      if (s.maximum && v.as_number() > *s.maximum) {
        error(n, path, fmt::format("{} is above the maximum of {}", t, s.maximum->to_string()));
        return Value::unknown();
      }
    }
    return v;
  }

  Value list(const YamlNode& n, const SchemaNode& s, const PathRef& path) {
    auto out = std::make_shared<List>();
    out->path = path.str();
    out->mark = {n.line, n.column};
    out->items.reserve(n.children.size());
    out->marks.reserve(n.children.size());
    if (s.min_items && n.children.size() < *s.min_items)
      error(n, path, fmt::format("needs at least {} entries, has {}", *s.min_items, n.children.size()));
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      const auto& c = n.children[i];
      PathRef child{&out->path, {}, i};
      out->items.push_back(s.items ? convert(c, *s.items, child) : untyped(c, child));
      out->marks.push_back({c.line, c.column});
    }
    return Value::list(std::move(out));
  }

  Value record(const YamlNode& n, const SchemaNode& s, const PathRef& path) {
    auto out = std::make_shared<Record>();
    out->path = path.str();
    out->mark = {n.line, n.column};
    out->fields.reserve(n.children.size() / 2 + s.properties.size());
    std::vector<std::string> suggested;
    for (std::size_t i = 0; i + 1 < n.children.size(); i += 2) {
      const YamlNode& key = n.children[i];
      const YamlNode& value = n.children[i + 1];
      PathRef child{&out->path, key.text};
      const std::size_t pi = s.property_index(key.text);
      const SchemaNode* ps = pi < s.properties.size() ? s.properties[pi].second : s.additional;
      if (!ps && !s.additional_allowed) {
        std::vector<std::string> names;
        for (const auto& [k, _] : s.properties) names.push_back(k);
        auto hint = did_you_mean(key.text, names);
        if (!hint.empty()) suggested.push_back(hint);
        error(key, path, fmt::format("unknown key '{}'{}", key.text,
                                     hint.empty() ? fmt::format("; expected one of: {}", join(names, ", "))
                                                  : fmt::format(" (did you mean '{}'?)", hint)));
        continue;
      }
      Value v = ps ? convert(value, *ps, child) : untyped(value, child);
      out->fields.push_back({key.text, std::move(v), {value.line, value.column}, pi < s.properties.size() ? s.property_ids[pi] : 0});
    }
    for (const auto& req : s.required)
      // A misspelt required key is reported once, as the unknown key.
      if (!n.get(req) && std::find(suggested.begin(), suggested.end(), req) == suggested.end())
        error(n, path, fmt::format("the required key '{}' is missing{}", req, out->path.empty() ? " at the top level" : ""));
    for (std::size_t pi = 0; pi < s.properties.size(); ++pi)
      if (const auto& [k, ps] = s.properties[pi]; ps->default_value && !n.get(k)) {
        YamlNode d = *ps->default_value;
        d.offset = n.offset;
        d.line = n.line;
        d.column = n.column;
        out->fields.push_back({k, convert(d, *ps, PathRef{&out->path, k}), {n.line, n.column}, s.property_ids[pi]});
      }
    return Value::record(std::move(out));
  }

  // Without a schema: YAML core typing.
  Value untyped(const YamlNode& n, const PathRef& path) {
    static const SchemaNode any = [] {
      SchemaNode a;
      a.types = 0;
      return a;
    }();
    if (n.kind == YamlNode::Kind::scalar && n.plain) {
      if (n.text == "true" || n.text == "false") return Value::boolean(n.text == "true");
      if (auto num = Number::parse(n.text)) return Value::number(*num);
      if (auto d = parse_date(n.text)) return Value::date(*d);
      return Value::string(n.text);
    }
    return convert(n, any, path);
  }

  std::shared_ptr<const Source> src_;
  Diagnostics& diags_;
};

}  // namespace

Evidence evidence_from_yaml(const YamlNode& root, const std::shared_ptr<const Source>& source, const Schema& schema) {
  Diagnostics diags;
  if (root.kind != YamlNode::Kind::mapping) {
    diags.error("evidence_error", source, root.span(),
                fmt::format("evidence must be a mapping of keys (schema:, organisation:, …), found {}", found(root)));
    throw DiagnosticError(std::move(diags));
  }
  Converter conv(source, diags);
  Value v = conv.convert(root, schema.root(), PathRef{});
  if (diags.has_errors()) throw DiagnosticError(std::move(diags));
  return Evidence{source, std::move(v)};
}

Evidence load_evidence(const std::shared_ptr<const Source>& source, const Schema& schema, const YamlLimits& limits) {
  YamlNode root = parse_yaml(source, limits);
  return evidence_from_yaml(root, source, schema);
}

}  // namespace verdict::engine
