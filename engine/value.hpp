// The engine's values: exact numbers, dates, strings, lists, records, and the
// two values that three-valued logic needs: unknown (absent evidence) and null
// (known to be none). An evaluation error is a value too, so it propagates.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/date.hpp"
#include "engine/number.hpp"

namespace verdict::engine {

struct List;
struct Record;

/// Where a value came from in its evidence file (1-based; 0 = not from a file).
struct Mark {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct Unknown {
  friend bool operator==(Unknown, Unknown) = default;
};
struct Null {
  friend bool operator==(Null, Null) = default;
};
struct ErrorValue {
  std::shared_ptr<const std::string> message;
};

/// A value; cheap to copy (strings, lists and records are shared).
class Value {
public:
  enum class Kind : std::uint8_t { unknown, null, boolean, number, date, duration, string, list, record, error };

  Value() : v_(Unknown{}) {}
  static Value unknown() { return Value(); }
  static Value null() { Value v; v.v_ = Null{}; return v; }
  static Value boolean(bool b) { Value v; v.v_ = b; return v; }
  static Value number(Number n) { Value v; v.v_ = n; return v; }
  static Value date(Date d) { Value v; v.v_ = d; return v; }
  static Value duration(Duration d) { Value v; v.v_ = d; return v; }
  static Value string(std::string s) { Value v; v.v_ = std::make_shared<const std::string>(std::move(s)); return v; }
  static Value list(std::shared_ptr<const List> l) { Value v; v.v_ = std::move(l); return v; }
  static Value record(std::shared_ptr<const Record> r) { Value v; v.v_ = std::move(r); return v; }
  static Value error(std::string message) {
    Value v;
    v.v_ = ErrorValue{std::make_shared<const std::string>(std::move(message))};
    return v;
  }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_unknown() const { return kind() == Kind::unknown; }
  bool is_null() const { return kind() == Kind::null; }
  bool is_error() const { return kind() == Kind::error; }
  bool is_known() const { return !is_unknown() && !is_error(); }

  bool as_bool() const { return std::get<bool>(v_); }
  Number as_number() const { return std::get<Number>(v_); }
  Date as_date() const { return std::get<Date>(v_); }
  Duration as_duration() const { return std::get<Duration>(v_); }
  const std::string& as_string() const { return *std::get<std::shared_ptr<const std::string>>(v_); }
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(v_); }
  const Record& as_record() const { return *std::get<std::shared_ptr<const Record>>(v_); }
  const std::shared_ptr<const List>& list_ptr() const { return std::get<std::shared_ptr<const List>>(v_); }
  const std::string& error_message() const { return *std::get<ErrorValue>(v_).message; }

private:
  std::variant<Unknown, Null, bool, Number, Date, Duration, std::shared_ptr<const std::string>,
               std::shared_ptr<const List>, std::shared_ptr<const Record>, ErrorValue>
      v_;
};

/// A sequence. `path` names it in its evidence ("participants[3].contacts"),
/// empty for computed lists.
struct List {
  std::string path;
  Mark mark;
  std::vector<Value> items;
  std::vector<Mark> marks;  // one per item for evidence lists, else empty
};

/// One key of a record with where it was written.
struct Field {
  std::string key;
  Value value;
  Mark mark;
};

/// A mapping, in the order it was written.
struct Record {
  std::string path;  // "" for the root
  Mark mark;
  std::vector<Field> fields;

  const Field* find(std::string_view key) const {
    for (const auto& f : fields)
      if (f.key == key) return &f;
    return nullptr;
  }
};

/// Name of a kind for messages ("a number", "a date").
const char* kind_name(Value::Kind k);
/// Text for messages and reports: numbers exact, lists as [a, b], records as {…}.
std::string to_display(const Value& v);
/// Structural equality of known values (numbers exactly); false across kinds.
bool same(const Value& a, const Value& b);
/// Path of a child of a list or record, as the report shows it.
std::string child_path(std::string_view parent, std::string_view key);
std::string child_path(std::string_view parent, std::size_t index);

}  // namespace verdict::engine
