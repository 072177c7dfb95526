#include "dsl/types.hpp"

#include <algorithm>

namespace verdict::dsl {

using engine::SchemaNode;
using K = Type::Kind;

Type Type::list_of(Type element) {
  Type t = of(K::list);
  t.element = std::make_shared<const Type>(std::move(element));
  return t;
}

Type Type::record(const SchemaNode* node, std::string path, bool plural) {
  Type t = of(K::record);
  t.node = node;
  t.path = std::move(path);
  t.plural = plural;
  return t;
}

namespace {

// Schemas may refer to themselves through $ref; lists of lists are followed
// this deep, then the element is any.
constexpr int kMaxListNesting = 32;

Type from_schema_kind(const SchemaNode* n, const std::string& path, bool plural, int depth);

// The type of the values a schema node allows; one that also allows null
// may be null (`"type": ["number", "null"]`).
Type from_schema(const SchemaNode* n, const std::string& path, bool plural, int depth) {
  Type t = from_schema_kind(n, path, plural, depth);
  if (n && (n->types & engine::t_null) && !t.is_open()) t.nullable = true;
  return t;
}

Type from_schema_kind(const SchemaNode* n, const std::string& path, bool plural, int depth) {
  using namespace engine;
  if (!n || depth > kMaxListNesting) return Type::of(K::any);
  const unsigned t = n->types & ~unsigned(t_null);
  if (n->format == "date" && (t == 0 || t == t_string)) return Type::of(K::date);
  // Evidence under "format": "percent" is read as a number (35% or 0.35)
  // whatever the type says: a "string" one too, as the loader reads it.
  if (n->format == "percent" && (t & ~unsigned(t_number | t_integer | t_string)) == 0 &&
      (t != 0 || (n->properties.empty() && !n->additional && !n->items)))
    return Type::of(K::number);
  if (t == 0) {
    if (n->types == t_null) return Type::of(K::null);
    if (!n->properties.empty() || n->additional) return Type::record(n, path, plural);
    if (n->items) return Type::list_of(from_schema(n->items, path, true, depth + 1));
    return Type::of(K::any);
  }
  if (t == t_string) {
    Type s = Type::of(K::string);
    if (!n->enum_values.empty())
      s.allowed = std::make_shared<const std::vector<std::string>>(n->enum_values);
    else if (n->const_value)
      s.allowed = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{*n->const_value});
    if (s.allowed) s.allowed_by = "the schema allows";
    return s;
  }
  if ((t & ~unsigned(t_number | t_integer)) == 0) return Type::of(K::number);
  if (t == t_boolean) return Type::of(K::boolean);
  if (t == t_object) return Type::record(n, path, plural);
  if (t == t_array) return Type::list_of(from_schema(n->items, path, true, depth + 1));
  return Type::of(K::any);  // several types: not knowable before the evidence
}

bool same_allowed(const Type& a, const Type& b) {
  if (a.allowed == b.allowed) return true;
  return a.allowed && b.allowed && *a.allowed == *b.allowed && a.allowed_by == b.allowed_by;
}

const char* plural_name(const Type& t) {
  switch (t.kind) {
    case K::any: return "values";
    case K::boolean: return "booleans";
    case K::number: return "numbers";
    case K::string: return "strings";
    case K::date: return "dates";
    case K::duration: return "durations";
    case K::null: return "nulls";
    case K::list: return "lists";
    case K::record: return "records";
  }
  return "values";
}

}  // namespace

Type type_of_schema(const SchemaNode* node, const std::string& path, bool plural) {
  return from_schema(node, path, plural, 0);
}

Type type_of_value(const engine::Value& value, Span span) {
  using VK = engine::Value::Kind;
  switch (value.kind()) {
    case VK::null: return Type::of(K::null);
    case VK::boolean: return Type::of(K::boolean);
    case VK::number: return Type::of(K::number);
    case VK::date: return Type::of(K::date);
    case VK::duration: return Type::of(K::duration);
    case VK::string: {
      Type t = Type::of(K::string);
      t.known.push_back({value.as_string(), span, ""});
      t.all_known = true;
      return t;
    }
    case VK::list: {
      std::optional<Type> element;
      for (const auto& item : value.as_list().items) {
        Type t = type_of_value(item, span);
        if (!element) element = std::move(t);
        else if (!merge_into(*element, t)) element = Type::of(K::any);
      }
      return Type::list_of(element.value_or(Type::of(K::any)));
    }
    case VK::record:  // constants are never records; evidence is typed by the schema
    case VK::unknown:
    case VK::error: return Type::of(K::any);
  }
  return Type::of(K::any);
}

std::optional<Type> merge(const Type& a, const Type& b) {
  if (a.is(K::any) || b.is(K::null)) {
    Type out = a;
    out.nullable |= b.is(K::null) || b.nullable;
    return out;
  }
  if (b.is(K::any) || a.is(K::null)) {
    Type out = b;
    out.nullable |= a.is(K::null) || a.nullable;
    return out;
  }
  if (a.kind != b.kind) return std::nullopt;
  switch (a.kind) {
    case K::list: {
      auto element = merge(*a.element, *b.element);
      if (!element) return std::nullopt;
      Type out = Type::list_of(*element);
      out.nullable = a.nullable || b.nullable;  // (either may be null: so may the merge)
      return out;
    }
    case K::record: {
      Type out = a.node == b.node ? a : Type::record(nullptr, "", false);
      out.nullable = a.nullable || b.nullable;
      return out;
    }
    case K::string: {
      Type out = Type::of(K::string);
      out.nullable = a.nullable || b.nullable;
      if (same_allowed(a, b)) {
        out.allowed = a.allowed;
        out.allowed_by = a.allowed_by;
      }
      out.all_known = a.all_known && b.all_known;
      if (out.all_known) {
        out.known = a.known;
        out.known.insert(out.known.end(), b.known.begin(), b.known.end());
      }
      return out;
    }
    default: {
      Type out = a;
      out.nullable |= b.nullable;
      return out;
    }
  }
}

namespace {

bool allows(const std::vector<std::string>& allowed, const std::string& v) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

// The values a string that is `a` or `b` may have, into `out` (their merge),
// as far as they are enumerated:
//   - both enumerated: the values either allows (the schema's words when
//     both are the schema's; `if c then .reporting else .frequency`);
//   - one enumerated, the other known before evaluation (a literal, a
//     string param): the enumeration and those strings. A string the
//     enumeration lacks is taken as meant (`if known(.reporting) then
//     .reporting else "unknown"` is compared with "unknown" afterwards),
//     not as a typo, and the message then says "it can be";
//   - otherwise a branch may be any string, and so may the `if`.
void join_allowed(Type& out, const Type& a, const Type& b) {
  if (!a.allowed && !b.allowed) return;
  if (same_allowed(a, b)) return;  // merge kept them
  const Type& e = a.allowed ? a : b;
  const Type& other = a.allowed ? b : a;
  std::vector<std::string> extra;
  if (other.allowed) {
    for (const auto& v : *other.allowed)
      if (!allows(*e.allowed, v) && !allows(extra, v)) extra.push_back(v);
  } else if (other.all_known) {
    for (const auto& k : other.known)
      if (!allows(*e.allowed, k.value) && !allows(extra, k.value)) extra.push_back(k.value);
  } else {
    return;
  }
  if (extra.empty()) {
    out.allowed = e.allowed;
    out.allowed_by = e.allowed_by;
    return;
  }
  auto values = *e.allowed;
  values.insert(values.end(), extra.begin(), extra.end());
  out.allowed = std::make_shared<const std::vector<std::string>>(std::move(values));
  out.allowed_by = other.allowed && a.allowed_by == b.allowed_by ? a.allowed_by : "it can be";
}

}  // namespace

std::optional<Type> merge_branches(const Type& a, const Type& b) {
  auto out = merge(a, b);
  if (!out || a.kind != b.kind) return out;  // (null or any on one side: merge took the other)
  if (out->is(K::string)) {
    join_allowed(*out, a, b);
  } else if (out->is(K::list)) {  // `"swto" in (if c then strategy.process.instruments else ["swot"])`
    if (auto element = merge_branches(*a.element, *b.element))
      out->element = std::make_shared<const Type>(std::move(*element));
  }
  return out;
}

bool merge_into(Type& into, const Type& b) {
  if (into.is(K::string) && b.is(K::string)) {  // as merge, moving the known strings instead of copying them
    Type out = Type::of(K::string);
    out.nullable = into.nullable || b.nullable;
    if (same_allowed(into, b)) {
      out.allowed = std::move(into.allowed);
      out.allowed_by = std::move(into.allowed_by);
    }
    out.all_known = into.all_known && b.all_known;
    if (out.all_known) {
      out.known = std::move(into.known);
      out.known.insert(out.known.end(), b.known.begin(), b.known.end());
    }
    into = std::move(out);
    return true;
  }
  auto m = merge(into, b);
  if (!m) return false;
  into = std::move(*m);
  return true;
}

bool comparable(const Type& a, const Type& b) {
  if (a.is_open() || b.is_open()) return true;
  if (a.kind != b.kind) return false;
  if (a.is(K::list)) return comparable(*a.element, *b.element);
  return true;
}

std::string describe(const Type& t) {
  switch (t.kind) {
    case K::any: return "a value";
    case K::boolean: return "a boolean";
    case K::number: return "a number";
    case K::string: return "a string";
    case K::date: return "a date";
    case K::duration: return "a duration";
    case K::null: return "null";
    case K::list: return t.element->is(K::any) ? "a list" : std::string("a list of ") + plural_name(*t.element);
    case K::record: return "a record";
  }
  return "a value";
}

Type read_through(Type t, Span span, const std::string& via) {
  if (t.is(K::list)) {
    t.element = std::make_shared<const Type>(read_through(*t.element, span, via));
    return t;
  }
  for (auto& k : t.known) {
    k.span = span;
    k.via = via;
  }
  return t;
}

}  // namespace verdict::dsl
