#include "engine/evidence_typing.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/text.hpp"

namespace verdict::engine::typing {

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

// Whether `t` is written as a decimal number (`-12.5`, `.5`, `1e3`), with
// one `%` after it when `percent`: what Number::parse refuses then is too
// large or too precise, not malformed.
bool well_formed_number(std::string_view t, bool percent) {
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (percent && !t.empty() && t.back() == '%') {
    t.remove_suffix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  }
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '_')) ++i;
    return i > from;
  };
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  bool mantissa = digits();
  if (i < t.size() && t[i] == '.') {
    ++i;
    mantissa = digits() || mantissa;
  }
  if (!mantissa) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

bool is_number_text(std::string_view t) {
  return !t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) || ((t[0] == '-' || t[0] == '+' || t[0] == '.') && t.size() > 1));
}

}  // namespace

std::string found(const NodeRef& n) {
  switch (n.kind) {
    case YamlNode::Kind::null: return "null";
    case YamlNode::Kind::mapping: return "a mapping";
    case YamlNode::Kind::sequence: return "a list";
    case YamlNode::Kind::scalar: return n.plain ? fmt::format("'{}'", n.text) : fmt::format("the string \"{}\"", n.text);
  }
  return "?";
}

Diagnostic not_a_mapping(const std::shared_ptr<const Source>& src, const NodeRef& root) {
  return Diagnostic{Severity::error, "evidence_error",
                    fmt::format("evidence must be a mapping of keys (schema:, organisation:, …), found {}", found(root)), src,
                    root.span(), {}};
}

const SchemaNode& Converter::any() {
  static const SchemaNode a;  // types 0: anything; no properties, additional keys allowed
  return a;
}

void Converter::error(Span at, std::string_view where, std::string message) {
  if (diags_.size() >= 200) return;
  diags_.error("evidence_error", src_, at, where.empty() ? message : fmt::format("{}: {}", where, message));
}

namespace {
// Where a value left empty (`name:` and nothing) was written: yaml-cpp
// places it at the next token, often on a later line; this is the key
// before it (up to its colon), or the '-' of an empty list entry.
Span empty_value_span(const Source& src, std::uint32_t offset) {
  const std::string& t = src.text();
  std::uint32_t p = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(t.size()));
  // Back over blanks and over comments (`english_basics:   # not sure yet`):
  // on each earlier line, what comes before a '#' that starts a comment.
  for (;;) {
    while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '\r')) --p;
    if (p == 0 || t[p - 1] != '\n') {
      std::uint32_t line = p;
      while (line > 0 && t[line - 1] != '\n') --line;
      std::uint32_t hash = line;
      while (hash < p && !(t[hash] == '#' && (hash == line || t[hash - 1] == ' ' || t[hash - 1] == '\t'))) ++hash;
      if (hash == p) break;  // no comment on this line: p is after its last character
      p = hash;              // before the comment, then back over its blanks
      continue;
    }
    --p;  // over the line break to the line before
  }
  if (p == 0 || (t[p - 1] != ':' && t[p - 1] != '-')) return {offset, offset + 1};
  const std::uint32_t end = p;
  std::uint32_t begin = p - 1;
  if (t[begin] == ':')  // back to the key's first character on its line
    while (begin > 0 && t[begin - 1] != '\n' && t[begin - 1] != ' ' && t[begin - 1] != '{' && t[begin - 1] != ',') --begin;
  return {begin, end};
}
}  // namespace

Value Converter::scalar(const NodeRef& n, const SchemaNode& s, const PathRef& path) {
  if (n.kind == YamlNode::Kind::null) {
    if (s.allows(t_null)) return Value::null();
    // `key: null` or `key: ~` as written, or a value left empty?
    bool written = !n.text.empty();
    if (!written && src_) {
      const std::string_view at_null = std::string_view(src_->text()).substr(std::min<std::size_t>(n.offset, src_->text().size()));
      written = at_null.starts_with("null") || at_null.starts_with("Null") || at_null.starts_with("NULL") || at_null.starts_with("~");
    }
    const Span at = !written && src_ ? empty_value_span(*src_, n.offset) : n.span();
    error(at, path, fmt::format("{} is not allowed here; expected {} (give one, or leave the key out when it is not known)",
                                written ? "null" : "an empty value (null)", describe_types(s)));
    return Value::unknown();
  }
  const std::string_view t = n.text;
  Value v;
  bool typed = false;
  if (s.date_format && s.allows(t_string)) {
    if (looks_like_date(t)) {
      auto d = parse_date(t);
      if (!d) { error(n.span(), path, fmt::format("{} is not a date in the calendar", t)); return Value::unknown(); }
      v = Value::date(*d);
      typed = true;
    } else {
      error(n.span(), path, fmt::format("expected {}, found {}", describe_types(s), found(n)));
      return Value::unknown();
    }
  } else if (s.percent_format) {
    auto num = Number::parse(t, true);
    if (!num) {
      const bool looks_numeric = well_formed_number(t, true);
      error(n.span(), path, looks_numeric ? fmt::format("the number {} is too large or too precise to hold exactly", t)
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
      error(n.span(), path, fmt::format("{} is not a finite number", t));
      return Value::unknown();
    }
    auto num = Number::parse(t);
    if (!num) {
      const bool looks_numeric = well_formed_number(t, false);
      error(n.span(), path, looks_numeric ? fmt::format("the number {} is too large or too precise to hold exactly", t)
                                          : fmt::format("expected {}, found {}", describe_types(s), found(n)));
      return Value::unknown();
    }
    if (!s.allows(t_number) && !num->is_integer()) {
      error(n.span(), path, fmt::format("expected a whole number, found {}", t));
      return Value::unknown();
    }
    v = Value::number(*num);
    typed = true;
  } else if (s.allows(t_string)) {
    // minLength counts characters, as JSON Schema does (code points).
    if (s.min_length && utf8_columns(t) < *s.min_length) {
      error(n.span(), path, *s.min_length == 1 ? fmt::format("must not be empty (found {})", found(n))
                                               : fmt::format("needs at least {} characters, found {}", *s.min_length, found(n)));
      return Value::unknown();
    }
    v = Value::string(std::string(t));
    typed = true;
  }
  if (!typed) {
    if (s.allows(t_boolean) && n.plain)
      error(n.span(), path, fmt::format("expected true or false, found {} (booleans are written true or false only)", found(n)));
    else
      error(n.span(), path, fmt::format("expected {}, found {}", describe_types(s), found(n)));
    return Value::unknown();
  }
  if (s.const_value && t != *s.const_value) {
    error(n.span(), path, fmt::format("must be \"{}\", found {}", *s.const_value, found(n)));
    return Value::unknown();
  }
  if (!s.enum_values.empty() && std::find(s.enum_values.begin(), s.enum_values.end(), t) == s.enum_values.end()) {
    auto hint = did_you_mean(t, s.enum_values);
    error(n.span(), path, fmt::format("{} is not an allowed value; expected one of: {}{}", found(n), join(s.enum_values, ", "),
                                      hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    return Value::unknown();
  }
  if (v.kind() == Value::Kind::number) {
    // A percentage's bounds as written in the file: 0% and 100%, not 0 and 1.
    auto bound = [&](const Number& b) { return s.percent_format ? fmt::format("{} ({})", b.to_percent(6), b.to_string()) : b.to_string(); };
    if (s.minimum && v.as_number() < *s.minimum) {
      error(n.span(), path, fmt::format("{} is below the minimum of {}", t, bound(*s.minimum)));
      return Value::unknown();
    }
    if (s.maximum && v.as_number() > *s.maximum) {
      // `private_share: 35` meant 35%.
      const bool meant_percent = s.percent_format && t.find('%') == std::string_view::npos &&
                                 v.as_number() <= Number(100) && Number(1) <= v.as_number();
      error(n.span(), path, fmt::format("{} is above the maximum of {}{}", t, bound(*s.maximum),
                                        meant_percent ? fmt::format(" (did you mean {}%?)", t) : ""));
      return Value::unknown();
    }
  }
  return v;
}

Value Converter::untyped_scalar(const NodeRef& n, const PathRef& path) {
  if (n.kind == YamlNode::Kind::scalar && n.plain) {
    if (n.text == "true" || n.text == "false") return Value::boolean(n.text == "true");
    if (auto num = Number::parse(n.text)) return Value::number(*num);
    if (auto d = parse_date(n.text)) return Value::date(*d);
    return Value::string(std::string(n.text));
  }
  return scalar(n, any(), path);
}

bool Converter::allows_container(const NodeRef& n, const SchemaNode& s, const PathRef& path) {
  const bool mapping = n.kind == YamlNode::Kind::mapping;
  if (s.allows(mapping ? t_object : t_array)) return true;
  const char* hint = mapping && s.allows(t_array) ? " (start each entry of a list with '- ')" : "";
  error(n.span(), path, fmt::format("expected {}, found {}{}", describe_types(s), mapping ? "a mapping" : "a list", hint));
  return false;
}

void Converter::check_min_items(const NodeRef& n, const SchemaNode& s, std::string_view where, std::size_t size, std::size_t index) {
  if (!s.min_items || size >= *s.min_items || index >= 200) return;
  std::string message = fmt::format("needs at least {} entries, has {}", *s.min_items, size);
  Diagnostics one;
  one.error("evidence_error", src_, n.span(), where.empty() ? message : fmt::format("{}: {}", where, message));
  diags_.insert(index, one.items().front());
  diags_.truncate(200);
}

void Converter::refuse_key(const NodeRef& key, const SchemaNode& s, std::string_view where, std::vector<std::string>& suggested) {
  std::vector<std::string> names;
  for (const auto& [k, _] : s.properties) names.push_back(k);
  auto hint = did_you_mean(key.text, names);
  if (!hint.empty()) suggested.push_back(hint);
  error(key.span(), where, fmt::format("unknown key '{}'{}", key.text,
                                       hint.empty() ? fmt::format("; expected one of: {}", join(names, ", "))
                                                    : fmt::format(" (did you mean '{}'?)", hint)));
}

void Converter::missing_required(const NodeRef& at, const std::string& where, const std::string& key) {
  error(at.span(), where, fmt::format("the required key '{}' is missing{}", key, where.empty() ? " at the top level" : ""));
}

void Converter::add_default(Record& out, const SchemaNode& s, std::size_t pi, const NodeRef& at) {
  const auto& [k, ps] = s.properties[pi];
  YamlNode d = *ps->default_value;
  d.offset = at.offset;
  d.line = at.line;
  d.column = at.column;
  out.fields.push_back({k, convert(d, *ps, PathRef{&out.path, k}), at.mark(), s.property_ids[pi]});
}

Value Converter::convert(const YamlNode& n, const SchemaNode& s, const PathRef& path) {
  switch (n.kind) {
    case YamlNode::Kind::null:
    case YamlNode::Kind::scalar: return scalar(NodeRef::of(n), s, path);
    case YamlNode::Kind::mapping:
      if (!allows_container(NodeRef::of(n), s, path)) return Value::unknown();
      return record(n, s, path);
    case YamlNode::Kind::sequence:
      if (!allows_container(NodeRef::of(n), s, path)) return Value::unknown();
      return list(n, s, path);
  }
  return Value::unknown();
}

Value Converter::list(const YamlNode& n, const SchemaNode& s, const PathRef& path) {
  auto out = std::make_shared<List>();
  out->path = path.str();
  out->mark = {n.line, n.column};
  out->items.reserve(n.children.size());
  out->marks.reserve(n.children.size());
  check_min_items(NodeRef::of(n), s, out->path, n.children.size(), diags_.size());
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    const auto& c = n.children[i];
    PathRef child{&out->path, {}, i};
    out->items.push_back(s.items ? convert(c, *s.items, child) : untyped(c, child));
    out->marks.push_back({c.line, c.column});
  }
  return Value::list(std::move(out));
}

Value Converter::record(const YamlNode& n, const SchemaNode& s, const PathRef& path) {
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
      refuse_key(NodeRef::of(key), s, out->path, suggested);
      continue;
    }
    Value v = ps ? convert(value, *ps, child) : untyped(value, child);
    out->fields.push_back({key.text, std::move(v), {value.line, value.column}, pi < s.properties.size() ? s.property_ids[pi] : 0});
  }
  finish_record(*out, s, NodeRef::of(n), suggested, [&](const std::string& k) { return n.get(k) != nullptr; });
  return Value::record(std::move(out));
}

Value Converter::untyped(const YamlNode& n, const PathRef& path) {
  if (n.kind == YamlNode::Kind::scalar || n.kind == YamlNode::Kind::null) return untyped_scalar(NodeRef::of(n), path);
  return convert(n, any(), path);
}

}  // namespace verdict::engine::typing
