#include "engine/schema.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <sys/stat.h>

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

// Builds an ordered_json from parser events in time linear in the input.
// (ordered_json's own parser inserts each key with a linear search of the
// object for a duplicate: a schema file with an object of 200,000 keys took
// half a minute to read, and one of 2,000,000, as 16 MB allow, hours.) A
// key written twice keeps its first place and its last value, as there.
class OrderedBuilder {
public:
  explicit OrderedBuilder(json& root) : root_(root) {}
  bool null() { return put(nullptr); }
  bool boolean(bool v) { return put(v); }
  bool number_integer(json::number_integer_t v) { return put(v); }
  bool number_unsigned(json::number_unsigned_t v) { return put(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(v); }
  bool string(json::string_t& v) { return put(std::move(v)); }
  bool binary(json::binary_t& v) { return put(json::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    Frame& f = stack_.back();
    auto& members = static_cast<Members&>(f.value->get_ref<json::object_t&>());
    auto [at, fresh] = f.keys.try_emplace(k, members.size());
    if (fresh) members.emplace_back(std::move(k), nullptr);
    f.slot = at->second;
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& e) {
    throw e;
  }

private:
  using Members = std::vector<std::pair<const std::string, json>>;  // what ordered_map is
  struct Frame {
    json* value;
    std::unordered_map<std::string, std::size_t> keys;  // an object's: the place of each key
    std::size_t slot = 0;                               // an object's: where the next value goes
  };
  json* place(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = stack_.back();
    if (f.value->is_array()) {
      auto& items = f.value->get_ref<json::array_t&>();
      items.push_back(std::move(v));
      return &items.back();
    }
    json& slot = static_cast<Members&>(f.value->get_ref<json::object_t&>())[f.slot].second;
    slot = std::move(v);
    return &slot;
  }
  bool put(json v) {
    place(std::move(v));
    return true;
  }
  bool open(json v) {
    json* at = place(std::move(v));
    stack_.push_back({at, {}, 0});
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  json& root_;
  std::vector<Frame> stack_;  // the open objects and arrays; only the innermost grows
};

json parse_json(std::string_view text) {
  json doc;
  OrderedBuilder builder(doc);
  json::sax_parse(text, &builder);
  return doc;
}

const std::set<std::string>& supported_keywords() {
  static const std::set<std::string> k = {"$schema", "$id", "$comment", "title", "description", "type", "properties",
                                          "required", "additionalProperties", "items", "enum", "const", "default",
                                          "format", "minimum", "maximum", "minItems", "minLength", "definitions", "$ref", "examples",
                                          "uniqueItems", "x-unique-key", "x-ids-of"};
  return k;
}

// A key as a JSON pointer writes it (RFC 6901): `~` as ~0, `/` as ~1.
std::string pointer_token(const std::string& key) {
  if (key.find_first_of("~/") == std::string::npos) return key;
  std::string out;
  for (char c : key) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
  return out;
}

// Where the value a JSON pointer (`/properties/team/items`) names starts in
// `text`, found by walking down the pointer and skipping every other value
// without parsing it (linear, no recursion however deep the file nests), so
// that a schema error points at its place; 0 when it cannot be found.
std::uint32_t offset_of_pointer(std::string_view text, std::string_view pointer) {
  std::size_t at = 0;
  const auto ws = [&] {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) ++at;
  };
  // A string at `at` (its quotes included): its text with the escapes \" \\ \/ read, `at` after it.
  const auto string = [&](std::string* out) {
    ++at;
    while (at < text.size() && text[at] != '"') {
      if (text[at] == '\\' && at + 1 < text.size()) {
        if (out) *out += text[at + 1] == 'n' ? '\n' : text[at + 1] == 't' ? '\t' : text[at + 1];
        at += 2;
        continue;
      }
      if (out) *out += text[at];
      ++at;
    }
    ++at;
  };
  const auto skip_value = [&] {
    if (at < text.size() && text[at] == '"') return string(nullptr);
    int depth = 0;
    while (at < text.size()) {
      const char c = text[at];
      if (c == '"') { string(nullptr); continue; }
      if (c == '{' || c == '[') ++depth;
      else if (c == '}' || c == ']') {
        if (depth == 0) return;
        --depth;
      } else if (c == ',' && depth == 0) {
        return;
      }
      ++at;
      if (depth == 0 && (c == '}' || c == ']')) return;
    }
  };
  ws();
  std::size_t from = 0;
  while (from < pointer.size() && pointer[from] == '/') {
    std::size_t end = pointer.find('/', from + 1);
    if (end == std::string_view::npos) end = pointer.size();
    std::string token;  // ~1 is '/', ~0 is '~'
    for (std::size_t k = from + 1; k < end; ++k) {
      if (pointer[k] == '~' && k + 1 < end) {
        token += pointer[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        token += pointer[k];
      }
    }
    from = end;
    if (at >= text.size()) return 0;
    const bool object = text[at] == '{';
    if (!object && text[at] != '[') return 0;
    std::size_t index = 0, wanted = 0;
    if (!object) {
      if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos || token.size() > 9) return 0;
      wanted = static_cast<std::size_t>(std::stoul(token));
    }
    ++at;
    for (bool found = false; !found; ++index) {
      ws();
      if (at >= text.size() || text[at] == '}' || text[at] == ']') return 0;
      if (object) {
        if (text[at] != '"') return 0;
        std::string key;
        string(&key);
        ws();
        if (at >= text.size() || text[at] != ':') return 0;
        ++at;
        ws();
        found = key == token;
      } else {
        found = index == wanted;
      }
      if (found) break;
      skip_value();
      ws();
      if (at < text.size() && text[at] == ',') ++at;
    }
  }
  return at < text.size() ? static_cast<std::uint32_t>(at) : 0;
}

}  // namespace

class SchemaCompiler {
public:
  SchemaCompiler(Schema& s, const std::shared_ptr<const Source>& src, const json& doc) : s_(s), src_(src), doc_(doc) {}

  [[noreturn]] void fail(const std::string& where, std::string message) {
    throw DiagnosticError(
        schema_diag(src_, offset_of_pointer(src_->text(), where), fmt::format("{} (at {})", message, where.empty() ? "/" : where)));
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
      const json* def = definition(name);
      if (!def) fail(where, fmt::format("$ref to an unknown definition '{}'", name));
      SchemaNode& placeholder = s_.nodes.emplace_back();
      refs_[name] = &placeholder;
      const SchemaNode* compiled = compile(*def, "/definitions/" + name, depth + 1);
      placeholder = *compiled;
      return &placeholder;
    }
    for (const auto& [k, v] : j.items())
      if (!supported_keywords().count(k))
        fail(where, fmt::format("unsupported schema keyword '{}' (supported: type, properties, required, "
                                "additionalProperties, items, enum, const, default, format, minimum, maximum, "
                                "minItems, minLength, uniqueItems, definitions, $ref, x-unique-key, x-ids-of)", k));
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
        n.properties.emplace_back(k, compile(v, where + "/properties/" + pointer_token(k), depth + 1));
        n.property_ids.push_back(key_id(k));
      }
      n.index_properties();
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
    if (auto m = j.find("minLength"); m != j.end()) n.min_length = m->get<std::size_t>();
    auto text = [&](const char* key) -> std::string {
      auto it = j.find(key);
      if (it == j.end()) return {};
      if (!it->is_string() || it->get<std::string>().empty()) fail(where, fmt::format("{} must be a non-empty string", key));
      return it->get<std::string>();
    };
    n.unique_key = text("x-unique-key");
    n.ids_of = text("x-ids-of");
    if (auto u = j.find("uniqueItems"); u != j.end()) {
      if (!u->is_boolean()) fail(where, "uniqueItems must be true or false");
      n.unique_items = u->get<bool>();
    }
    n.has_references = !n.unique_key.empty() || !n.ids_of.empty() || n.unique_items;
    for (const auto& [name, node] : n.properties) n.has_references |= node->has_references;
    if (n.items) n.has_references |= n.items->has_references;
    if (n.additional) n.has_references |= n.additional->has_references;
    return &n;
  }

private:
  // The definition `name`, by an index made at the first reference (a
  // search of `definitions` for each would take time squared in their number).
  const json* definition(const std::string& name) {
    if (!definitions_) {
      definitions_.emplace();
      if (auto defs = doc_.find("definitions"); defs != doc_.end() && defs->is_object())
        for (const auto& [k, v] : defs->items()) definitions_->try_emplace(k, &v);
    }
    auto it = definitions_->find(name);
    return it == definitions_->end() ? nullptr : it->second;
  }

  Schema& s_;
  std::shared_ptr<const Source> src_;
  const json& doc_;
  std::map<std::string, const SchemaNode*> refs_;
  std::optional<std::unordered_map<std::string, const json*>> definitions_;
};

std::shared_ptr<const Schema> Schema::parse(const std::shared_ptr<const Source>& source) {
  json doc;
  try {
    doc = parse_json(source->text());
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

namespace {
// What was read from a schema file, kept while the file stays as it was
// (same inode, size and modification time): a catalogue of many rulesets
// names the same schema in each, and each lookup reads every schema file
// of the folders searched (a thousand rulesets read the ECEI schema a
// thousand times, about 9 million instructions each).
template <class T>
class ByFile {
public:
  template <class Read>
  T get(const std::string& path, Read read) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return read();
    const Stamp stamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
    {
      std::lock_guard lock(mutex_);
      if (auto it = kept_.find(path); it != kept_.end() && it->second.first == stamp) return it->second.second;
    }
    T value = read();  // may throw: nothing is kept then
    std::lock_guard lock(mutex_);
    if (kept_.size() >= kMax) kept_.clear();
    kept_.insert_or_assign(path, std::make_pair(stamp, value));
    return value;
  }

private:
  struct Stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    time_t sec;
    long nsec;
    bool operator==(const Stamp&) const = default;
  };
  static constexpr std::size_t kMax = 256;
  std::mutex mutex_;
  std::map<std::string, std::pair<Stamp, T>> kept_;
};
}  // namespace

std::shared_ptr<const Schema> Schema::load(const std::string& path) {
  static ByFile<std::shared_ptr<const Schema>> kept;
  return kept.get(path, [&] { return parse(std::make_shared<Source>(path, read_file(path, 16u << 20))); });
}

std::string schema_id_of_file(const std::string& path) {
  static ByFile<std::string> kept;
  return kept.get(path, [&]() -> std::string {
    try {
      auto doc = parse_json(read_file(path, 16u << 20));
      if (auto id = doc.find("$id"); id != doc.end() && id->is_string()) return id->get<std::string>();
    } catch (...) {
    }
    return {};
  });
}

bool file_is_json(const std::string& path) {
  try {
    return json::accept(read_file(path, 16u << 20));
  } catch (...) {
    return false;
  }
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

// The walk behind check_references: it goes down only where the schema
// declares a reference, so evidence without any costs a few lookups.
class ReferenceCheck {
public:
  ReferenceCheck(const std::shared_ptr<const Source>& src, Diagnostics& diags) : src_(src), diags_(diags) {}

  void visit(const Value& v, const SchemaNode& s, const std::string& path, const std::string& schema_path) {
    if (!s.has_references) return;
    if (const Record* r = v.record_if()) {
      for (const Field& f : r->fields) {
        const SchemaNode* child = s.property(f.key);
        if (!child) child = s.additional;
        if (child && child->has_references)
          visit(f.value, *child, path.empty() ? f.key : path + "." + f.key, schema_path.empty() ? f.key : schema_path + "." + f.key);
      }
      return;
    }
    if (v.kind() != Value::Kind::list) return;
    const List& list = v.as_list();
    if (!s.unique_key.empty()) unique(list, s.unique_key, path, schema_path);
    if (!s.ids_of.empty()) pending_.push_back({&list, &s, path});
    if (s.unique_items) unique_items(list, path);
    if (s.items && s.items->has_references)
      for (std::size_t i = 0; i < list.items.size(); ++i)
        visit(list.items[i], *s.items, fmt::format("{}[{}]", path, i), schema_path);
  }

  // Each list of ids against the ids of the list it names, once all are known.
  void finish() {
    for (const auto& p : pending_) {
      auto known = ids_.find(p.schema->ids_of);
      if (known == ids_.end()) continue;  // that list is not reported: nothing to check against
      const List& list = *p.list;
      std::vector<std::string> sorted;  // the known ids, sorted once, for "did you mean"
      for (std::size_t i = 0; i < list.items.size(); ++i) {
        const Value& id = list.items[i];
        if (id.kind() != Value::Kind::string || known->second.count(id.as_string())) continue;
        std::string hint;
        if (known->second.size() <= 10'000 && diags_.size() < 200) {  // a near miss among the ids (bounded)
          if (sorted.empty()) {
            sorted.assign(known->second.begin(), known->second.end());
            std::sort(sorted.begin(), sorted.end());
          }
          if (auto near = did_you_mean(id.as_string(), sorted); !near.empty()) hint = fmt::format(" (did you mean '{}'?)", near);
        }
        error(i < list.marks.size() ? list.marks[i] : list.mark, id.as_string().size(),
              fmt::format("{}[{}]: '{}' is not the {} of any entry in {}{}", p.path, i, id.as_string(),
                          unique_key_of(p.schema->ids_of), p.schema->ids_of, hint));
      }
    }
  }

private:
  struct Pending {
    const List* list;
    const SchemaNode* schema;
    std::string path;
  };

  void unique(const List& list, const std::string& key, const std::string& path, const std::string& schema_path) {
    auto& all = ids_[schema_path];  // every list at this place in the schema (for x-ids-of)
    keys_[schema_path] = key;
    std::unordered_map<std::string_view, std::size_t> seen;  // unique within this list
    seen.reserve(list.items.size());
    all.reserve(all.size() + list.items.size());
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const Record* r = list.items[i].record_if();
      const Field* f = r ? r->find(key) : nullptr;
      if (!f || f->value.kind() != Value::Kind::string) continue;  // required and typed by the schema itself
      const std::string& id = f->value.as_string();
      all.insert(std::string_view(id));
      auto [it, fresh] = seen.try_emplace(id, i);
      if (fresh) continue;
      const Record* first = list.items[it->second].record_if();
      const Field* first_field = first ? first->find(key) : nullptr;
      error(f->mark, id.size(),
            fmt::format("{}[{}].{}: '{}' is also the {} of {}[{}]{}; each entry needs its own", path, i, key, id, key, path,
                        it->second, first_field && first_field->mark.line ? fmt::format(" (line {})", first_field->mark.line) : ""));
    }
  }

  // uniqueItems: each scalar item once (compared by kind and value).
  void unique_items(const List& list, const std::string& path) {
    std::unordered_map<std::string, std::size_t> seen;
    seen.reserve(list.items.size());
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const Value& item = list.items[i];
      if (item.kind() == Value::Kind::list || item.kind() == Value::Kind::record || !item.is_known()) continue;
      std::string shown = item.kind() == Value::Kind::string ? item.as_string() : to_display(item);
      auto [it, fresh] = seen.try_emplace(fmt::format("{}:{}", static_cast<int>(item.kind()), shown), i);
      if (fresh) continue;
      const Mark at = i < list.marks.size() ? list.marks[i] : list.mark;
      const std::size_t length = item.kind() == Value::Kind::string ? item.as_string().size() : shown.size();
      error(at, length, fmt::format("{}[{}]: '{}' is listed twice (also {}[{}]); list each once", path, i, shown, path, it->second));
    }
  }

  std::string unique_key_of(const std::string& schema_path) const {
    auto it = keys_.find(schema_path);
    return it == keys_.end() ? "id" : it->second;
  }

  void error(Mark at, std::size_t length, std::string message) {
    if (diags_.size() >= 200) return;
    Span span;
    if (src_ && at.line) {
      span.begin = src_->offset_of_byte_column(at.line, at.column);  // yaml-cpp's columns count bytes
      span.end = span.begin + static_cast<std::uint32_t>(std::max<std::size_t>(length, 1));
    }
    diags_.error("evidence_error", at.line ? src_ : nullptr, span, std::move(message));
  }

  std::shared_ptr<const Source> src_;
  Diagnostics& diags_;
  std::vector<Pending> pending_;
  // The ids of each list with a unique key, by its schema path; they point
  // into the evidence, which outlives the check.
  std::map<std::string, std::unordered_set<std::string_view>> ids_;
  std::map<std::string, std::string> keys_;
};

}  // namespace

void check_references(const Evidence& evidence, const Schema& schema, Diagnostics& into) {
  if (!schema.root().has_references) return;
  ReferenceCheck check(evidence.source, into);
  check.visit(evidence.root, schema.root(), "", "");
  check.finish();
}

void check_references(const Evidence& evidence, const Schema& schema) {
  Diagnostics diags;
  check_references(evidence, schema, diags);
  if (diags.has_errors()) throw DiagnosticError(std::move(diags));
}

Evidence evidence_from_yaml(const YamlNode& root, const std::shared_ptr<const Source>& source, const Schema& schema) {
  Diagnostics diags;
  if (root.kind != YamlNode::Kind::mapping) {
    throw DiagnosticError(typing::not_a_mapping(source, typing::NodeRef::of(root)));
  }
  typing::Converter conv(source, diags);
  Value v = conv.convert(root, schema.root(), typing::PathRef{});
  if (diags.has_errors()) {
    check_references(Evidence{source, v}, schema, diags);  // reported with the rest
    throw DiagnosticError(std::move(diags));
  }
  Evidence evidence{source, std::move(v)};
  check_references(evidence, schema);
  return evidence;
}

}  // namespace verdict::engine
