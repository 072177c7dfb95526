// Operators and builtin functions, over values, with three-valued semantics.
#pragma once
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/program.hpp"
#include "engine/value.hpp"

namespace verdict::engine {

/// An evaluation that cannot give a verdict (a type error the checker did not
/// catch, an overflow, the step budget): where in the ruleset, and why.
class EvalError : public std::runtime_error {
public:
  EvalError(std::string message, Span span) : std::runtime_error(std::move(message)), span(span) {}
  Span span;
};

/// -1, 0, 1 for two values of one orderable kind (numbers, dates, strings);
/// nullopt for any other pair.
inline std::optional<int> order_of(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return std::nullopt;
  switch (a.kind()) {
    case Value::Kind::number: {
      auto c = a.as_number() <=> b.as_number();
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case Value::Kind::date: return a.as_date() < b.as_date() ? -1 : a.as_date() > b.as_date() ? 1 : 0;
    case Value::Kind::string: {
      int c = a.as_string().compare(b.as_string());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default: return std::nullopt;
  }
}

/// A hash of a short byte string (an id, a kind), eight bytes at a time,
/// inline: the strings that joins and `in` look up are a few bytes long, and
/// calling a general-purpose hash cost more than hashing them.
inline std::uint64_t hash_bytes(const char* p, std::size_t n) noexcept {
  auto load64 = [](const char* q) { std::uint64_t v; std::memcpy(&v, q, 8); return v; };
  auto load32 = [](const char* q) { std::uint32_t v; std::memcpy(&v, q, 4); return std::uint64_t{v}; };
  std::uint64_t h = (n + 1) * 0x9E3779B97F4A7C15ull;
  auto round = [&h](std::uint64_t x) {
    h = (h ^ x) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  };
  for (; n > 8; p += 8, n -= 8) round(load64(p));
  // 0 to 8 bytes are left: two overlapping loads, or three single bytes.
  if (n >= 4) round(load32(p) | load32(p + n - 4) << 32);
  else if (n > 0)
    round(std::uint64_t{static_cast<unsigned char>(p[0])} | std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
          std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
  h ^= h >> 29;
  h *= 0x94D049BB133111EBull;
  return h ^ (h >> 32);
}

/// Hashing consistent with `same` (for distinct, membership and joins).
struct ValueHash {
  std::size_t operator()(const Value& v) const noexcept {
    if (v.kind() == Value::Kind::string) return hash_bytes(v.as_string().data(), v.as_string().size());
    return other(v);
  }
  static std::size_t other(const Value& v) noexcept;
};
struct ValueSame {
  bool operator()(const Value& a, const Value& b) const noexcept { return same(a, b); }
};
using ValueSet = std::unordered_set<Value, ValueHash, ValueSame>;

/// distinct(): the values added so far, each once, in the order first
/// added, into `kept`. A few distinct values are compared with each other
/// (no node to allocate per value); from the 17th on, they are hashed.
class DistinctValues {
public:
  explicit DistinctValues(std::vector<Value>& kept) : kept_(kept) {}
  void add(const Value& v) {
    if (kept_.size() <= kScanned) {
      for (const auto& w : kept_)
        if (same(w, v)) return;
      kept_.push_back(v);
      if (kept_.size() > kScanned) seen_.insert(kept_.begin(), kept_.end());
    } else if (seen_.insert(v).second) {
      kept_.push_back(v);
    }
  }

private:
  static constexpr std::size_t kScanned = 16;
  std::vector<Value>& kept_;
  ValueSet seen_;
};

/// A hash set over a list whose items are all known, non-null and of one kind.
struct MembershipIndex {
  Value::Kind kind = Value::Kind::unknown;
  ValueSet keys;
};

/// The items of an evaluated collection expression: all items of a list, or
/// only those at `subset` (when a `where` was answered by an index, without
/// building the filtered list). `value` is the collection when it is not a
/// list (unknown, an error, or a value of the wrong kind).
struct Items {
  const Value* value = nullptr;
  const std::vector<Value>* all = nullptr;
  const std::uint32_t* subset = nullptr;  // positions in `all`, when a subset
  std::size_t subset_size = 0;

  bool is_list() const { return all != nullptr; }
  std::size_t size() const { return subset ? subset_size : all->size(); }
  const Value& operator[](std::size_t k) const { return subset ? (*all)[subset[k]] : (*all)[k]; }
};
/// Positions of the items of a list that an index matched (possibly none).
struct Matches {
  const std::uint32_t* data = nullptr;
  std::size_t size = 0;
  const std::uint32_t* begin() const { return data; }
  const std::uint32_t* end() const { return data + size; }
};
inline Items items_of(const Value& v) {
  if (v.kind() == Value::Kind::list) return {&v, &v.as_list().items, nullptr, 0};
  return {&v, nullptr, nullptr, 0};
}

/// The part of the evaluation context that operators and builtins share
/// (engine/builtins_eval.hpp): reporting an error at a node.
class Context {
public:
  [[noreturn]] void fail(const Expr& at, std::string message) { throw EvalError(std::move(message), at.span); }
};

}  // namespace verdict::engine
