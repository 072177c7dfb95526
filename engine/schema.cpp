#include "engine/schema.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/evidence_typing.hpp"
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

Evidence evidence_from_yaml(const YamlNode& root, const std::shared_ptr<const Source>& source, const Schema& schema) {
  Diagnostics diags;
  if (root.kind != YamlNode::Kind::mapping) {
    throw DiagnosticError(typing::not_a_mapping(source, typing::NodeRef::of(root)));
  }
  typing::Converter conv(source, diags);
  Value v = conv.convert(root, schema.root(), typing::PathRef{});
  if (diags.has_errors()) throw DiagnosticError(std::move(diags));
  return Evidence{source, std::move(v)};
}

}  // namespace verdict::engine
