#include "engine/value.hpp"

#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

namespace verdict::engine {

std::uint32_t key_id(std::string_view key) {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static std::mutex mutex;
  static std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids;
  std::lock_guard lock(mutex);
  if (auto it = ids.find(key); it != ids.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(ids.size() + 1);
  ids.emplace(std::string(key), id);
  return id;
}

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::unknown: return "unknown";
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return "a boolean";
    case Value::Kind::number: return "a number";
    case Value::Kind::date: return "a date";
    case Value::Kind::duration: return "a duration";
    case Value::Kind::string: return "a string";
    case Value::Kind::list: return "a list";
    case Value::Kind::record: return "a record";
    case Value::Kind::error: return "an error";
  }
  return "a value";
}

std::string to_display(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::unknown: return "unknown";
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return v.as_bool() ? "true" : "false";
    case Value::Kind::number: return v.as_number().to_string();
    case Value::Kind::date: return to_string(v.as_date());
    case Value::Kind::duration: return to_string(v.as_duration());
    case Value::Kind::string: return v.as_string();
    case Value::Kind::list: {
      std::string out = "[";
      const auto& items = v.as_list().items;
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        if (i == 8) { out += fmt::format("… {} more", items.size() - 8); break; }
        out += items[i].kind() == Value::Kind::string ? "\"" + items[i].as_string() + "\"" : to_display(items[i]);
      }
      return out + "]";
    }
    case Value::Kind::record: {
      const auto& r = v.as_record();
      if (const auto* id = r.find("id"); id && id->value.kind() == Value::Kind::string) return "{id: " + id->value.as_string() + "}";
      return "{…}";
    }
    case Value::Kind::error: return "error: " + v.error_message();
  }
  return "?";
}

void Value::wrong_kind(Kind wanted) const {
  throw std::logic_error(fmt::format("internal error: read {} as {}", kind_name(kind_), kind_name(wanted)));
}

bool same(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::unknown: return false;
    case Value::Kind::null: return true;
    case Value::Kind::boolean: return a.as_bool() == b.as_bool();
    case Value::Kind::number: return a.as_number() == b.as_number();
    case Value::Kind::date: return a.as_date() == b.as_date();
    case Value::Kind::duration: return a.as_duration() == b.as_duration();
    case Value::Kind::string: return a.as_string() == b.as_string();
    case Value::Kind::list: {
      const auto& x = a.as_list().items;
      const auto& y = b.as_list().items;
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!same(x[i], y[i])) return false;
      return true;
    }
    case Value::Kind::record: return &a.as_record() == &b.as_record();
    case Value::Kind::error: return false;
  }
  return false;
}

std::string child_path(std::string_view parent, std::string_view key) {
  bool plain = !key.empty();
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  if (!plain) return fmt::format("{}[\"{}\"]", parent, key);
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string child_path(std::string_view parent, std::size_t index) { return fmt::format("{}[{}]", parent, index); }

bool Value::holds_borrowed() const {
  if (kind_ == Kind::record) return borrowed_;
  if (kind_ != Kind::list) return false;
  for (const auto& item : l_->items)
    if (item.holds_borrowed()) return true;
  return false;
}

Value Value::owned() const {
  if (kind_ == Kind::record && borrowed_) return Value::record(br_->shared_from_this());
  if (kind_ != Kind::list || !holds_borrowed()) return *this;
  auto copy = std::make_shared<List>(*l_);
  for (auto& item : copy->items) item = item.owned();
  return Value::list(std::move(copy));
}

}  // namespace verdict::engine
