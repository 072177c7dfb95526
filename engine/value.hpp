// The engine's values: exact numbers, dates, strings, lists, records, and the
// two values that three-valued logic needs: unknown (absent evidence) and null
// (known to be none). An evaluation error is a value too, so it propagates.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <new>
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

/// A value; cheap to copy (strings, lists and records are shared). A tagged
/// union rather than std::variant: copying or destroying a scalar is a branch
/// and a copy, and the evaluator does that for every node.
class Value {
public:
  enum class Kind : std::uint8_t { unknown, null, boolean, number, date, duration, string, list, record, error };

  Value() noexcept : n_() {}
  Value(const Value& o) noexcept : kind_(o.kind_), borrowed_(o.borrowed_) {
    if (o.shared()) copy_payload(o);
    else n_ = o.n_;  // Number is the widest scalar (and holds a borrowed pointer)
  }
  Value(Value&& o) noexcept : kind_(o.kind_), borrowed_(o.borrowed_) {
    if (o.shared()) move_payload(o);
    else n_ = o.n_;
  }
  Value& operator=(const Value& o) noexcept {
    if (!shared() && !o.shared()) {
      kind_ = o.kind_;
      borrowed_ = o.borrowed_;
      n_ = o.n_;
    } else if (this != &o) {
      Value copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      if (shared()) release();
      kind_ = o.kind_;
      borrowed_ = o.borrowed_;
      if (o.shared()) move_payload(o);
      else n_ = o.n_;
    }
    return *this;
  }
  ~Value() {
    if (shared()) release();
  }

  static Value unknown() { return Value(); }
  static Value null() { Value v; v.kind_ = Kind::null; return v; }
  static Value boolean(bool b) { Value v; v.kind_ = Kind::boolean; v.b_ = b; return v; }
  static Value number(Number n) { Value v; v.kind_ = Kind::number; v.n_ = n; return v; }
  static Value date(Date d) { Value v; v.kind_ = Kind::date; v.d_ = d; return v; }
  static Value duration(Duration d) { Value v; v.kind_ = Kind::duration; v.du_ = d; return v; }
  static Value string(std::string s) {
    Value v;
    v.kind_ = Kind::string;
    new (&v.s_) std::shared_ptr<const std::string>(std::make_shared<const std::string>(std::move(s)));
    return v;
  }
  static Value list(std::shared_ptr<const List> l) {
    Value v;
    v.kind_ = Kind::list;
    new (&v.l_) std::shared_ptr<const List>(std::move(l));
    return v;
  }
  static Value record(std::shared_ptr<const Record> r) {
    Value v;
    v.kind_ = Kind::record;
    new (&v.r_) std::shared_ptr<const Record>(std::move(r));
    return v;
  }
  /// The same record, not owned: copying and destroying it touch no
  /// reference count. Only for values that the record outlives: the
  /// evaluator's filtered lists of evidence records, which live no longer
  /// than the evaluation; what leaves it is made owned again (owned()).
  /// Any other value is copied as is.
  static Value borrow(const Value& v) {
    if (v.kind_ != Kind::record) return v;
    Value b;
    b.kind_ = Kind::record;
    b.borrowed_ = true;
    b.br_ = v.borrowed_ ? v.br_ : v.r_.get();
    return b;
  }
  static Value error(std::string message) {
    Value v = string(std::move(message));
    v.kind_ = Kind::error;
    return v;
  }

  /// Makes this value the number `n`, in place.
  void set_number(Number n) noexcept {
    if (shared()) release();
    kind_ = Kind::number;
    borrowed_ = false;
    n_ = n;
  }

  /// This value with every borrowed record in it owned again (a list
  /// holding one is copied): for a value that outlives the evaluation.
  Value owned() const;
  /// Whether it is, or a list in it holds, a borrowed record.
  bool holds_borrowed() const;

  Kind kind() const { return kind_; }
  bool is_unknown() const { return kind_ == Kind::unknown; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_error() const { return kind_ == Kind::error; }
  bool is_known() const { return !is_unknown() && !is_error(); }

  bool as_bool() const { check(Kind::boolean); return b_; }
  Number as_number() const { check(Kind::number); return n_; }
  Date as_date() const { check(Kind::date); return d_; }
  Duration as_duration() const { check(Kind::duration); return du_; }
  const std::string& as_string() const { check(Kind::string); return *s_; }
  const List& as_list() const { check(Kind::list); return *l_; }
  const Record& as_record() const { check(Kind::record); return borrowed_ ? *br_ : *r_; }
  const std::shared_ptr<const List>& list_ptr() const { check(Kind::list); return l_; }
  /// The list, moved out (the value is left unknown).
  std::shared_ptr<const List> take_list() {
    check(Kind::list);
    std::shared_ptr<const List> l = std::move(l_);
    release();
    return l;
  }
  /// The record, or null for any other kind.
  const Record* record_if() const { return kind_ != Kind::record ? nullptr : borrowed_ ? br_ : r_.get(); }
  const std::string& error_message() const { check(Kind::error); return *s_; }

private:
  bool shared() const { return kind_ >= Kind::string && !borrowed_; }
  // Reading the wrong kind is a bug in the caller (as with std::get).
  void check(Kind k) const {
    if (kind_ != k) [[unlikely]] wrong_kind(k);
  }
  [[noreturn]] void wrong_kind(Kind wanted) const;
  void copy_payload(const Value& o) noexcept {
    switch (kind_) {
      case Kind::string:
      case Kind::error: new (&s_) std::shared_ptr<const std::string>(o.s_); break;
      case Kind::list: new (&l_) std::shared_ptr<const List>(o.l_); break;
      case Kind::record: new (&r_) std::shared_ptr<const Record>(o.r_); break;
      default: n_ = o.n_; break;  // Number is the widest scalar
    }
  }
  void move_payload(Value& o) noexcept {
    switch (kind_) {
      case Kind::string:
      case Kind::error: new (&s_) std::shared_ptr<const std::string>(std::move(o.s_)); o.s_.~shared_ptr(); break;
      case Kind::list: new (&l_) std::shared_ptr<const List>(std::move(o.l_)); o.l_.~shared_ptr(); break;
      case Kind::record: new (&r_) std::shared_ptr<const Record>(std::move(o.r_)); o.r_.~shared_ptr(); break;
      default: n_ = o.n_; return;
    }
    o.kind_ = Kind::unknown;
    o.borrowed_ = false;
    new (&o.n_) Number();
  }
  void release() noexcept {
    switch (kind_) {
      case Kind::string:
      case Kind::error: s_.~shared_ptr(); break;
      case Kind::list: l_.~shared_ptr(); break;
      case Kind::record: r_.~shared_ptr(); break;
      default: return;
    }
    kind_ = Kind::unknown;
    new (&n_) Number();
  }

  Kind kind_ = Kind::unknown;
  bool borrowed_ = false;  // a record held by pointer (see borrow)
  union {
    bool b_;
    Number n_;
    Date d_;
    Duration du_;
    std::shared_ptr<const std::string> s_;  // string and error
    std::shared_ptr<const List> l_;
    std::shared_ptr<const Record> r_;
    const Record* br_;
  };
};

/// A sequence. `path` names it in its evidence ("participants[3].contacts"),
/// empty for computed lists.
struct List {
  std::string path;
  Mark mark;
  std::vector<Value> items;
  std::vector<Mark> marks;  // one per item for evidence lists, else empty
};

/// The number of a key name, the same for equal names within a process and
/// different for different ones (never 0). Names are numbered when a schema
/// or a ruleset is compiled, never for what evidence contains, so the table
/// stays as small as the schemas and rulesets loaded. Thread-safe.
std::uint32_t key_id(std::string_view key);

/// One key of a record with where it was written.
struct Field {
  std::string key;
  Value value;
  Mark mark;
  /// key_id(key) when the key is one its schema declares; 0 when not
  /// numbered (then only the text identifies it).
  std::uint32_t id = 0;
};

/// A mapping, in the order it was written.
struct Record : std::enable_shared_from_this<Record> {
  std::string path;  // "" for the root
  Mark mark;
  std::vector<Field> fields;

  /// Keys are short: compared inline, a word at a time (two overlapping
  /// loads cover 4 to 16 bytes), rather than through memcmp.
  [[gnu::always_inline]] static bool same_key(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    if (n >= 8) {  // eight bytes at a time, the last eight overlapping; no call (callers stay leaves)
      for (std::size_t i = 0; i + 8 < n; i += 8)
        if (load<std::uint64_t>(p + i) != load<std::uint64_t>(q + i)) return false;
      return load<std::uint64_t>(p + n - 8) == load<std::uint64_t>(q + n - 8);
    }
    if (n >= 4)
      return load<std::uint32_t>(p) == load<std::uint32_t>(q) && load<std::uint32_t>(p + n - 4) == load<std::uint32_t>(q + n - 4);
    for (std::size_t i = 0; i < n; ++i)
      if (p[i] != q[i]) return false;
    return true;
  }
  template <class T>
  static T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  /// Whether field `f` has the key `key`, whose number is `id` (0: not
  /// numbered). Two numbered keys are compared by number, otherwise by text.
  [[gnu::always_inline]] static bool has_key(const Field& f, std::string_view key, std::uint32_t id) {
    if ((f.id != 0) & (id != 0)) return f.id == id;
    return same_key(f.key, key);
  }
  const Field* find(std::string_view key) const {
    for (const auto& f : fields)
      if (same_key(f.key, key)) return &f;
    return nullptr;
  }
  /// find(), trying position `hint` first; on return `hint` is where the key
  /// was found (records of one schema type tend to share their key order).
  const Field* find(std::string_view key, std::uint32_t& hint) const {
    if (hint < fields.size() && same_key(fields[hint].key, key)) return &fields[hint];
    const Field* f = find(key);
    if (f) hint = static_cast<std::uint32_t>(f - fields.data());
    return f;
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
