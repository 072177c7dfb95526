#include "engine/builtins.hpp"

namespace verdict::engine {

using K = Value::Kind;

const char* op_symbol(Op op) {
  switch (op) {
    case Op::eq: return "==";
    case Op::ne: return "!=";
    case Op::lt: return "<";
    case Op::le: return "<=";
    case Op::gt: return ">";
    case Op::ge: return ">=";
    case Op::in: return "in";
    case Op::add: return "+";
    case Op::sub: return "-";
    case Op::mul: return "*";
    case Op::div: return "/";
    default: return "?";
  }
}

// Numbers, dates and the rest: their words combined, then mixed so that the
// low bits (which an open-addressing table masks) depend on all of them.
std::size_t ValueHash::other(const Value& v) noexcept {
  auto mix = [](std::size_t h, std::size_t x) { return h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); };
  auto combined = [&]() -> std::size_t {
    std::size_t h = static_cast<std::size_t>(v.kind());
    switch (v.kind()) {
      case K::boolean: return mix(h, v.as_bool());
      case K::number:
        return mix(mix(h, static_cast<std::size_t>(v.as_number().num())), static_cast<std::size_t>(v.as_number().den()));
      case K::date: return mix(h, static_cast<std::size_t>(v.as_date().days));
      case K::duration:
        return mix(mix(h, static_cast<std::size_t>(v.as_duration().months)), static_cast<std::size_t>(v.as_duration().days));
      case K::list:
        for (const auto& item : v.as_list().items) h = mix(h, ValueHash{}(item));
        return h;
      case K::record: return mix(h, reinterpret_cast<std::uintptr_t>(&v.as_record()));
      default: return h;
    }
  };
  std::uint64_t x = combined();
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  return x ^ (x >> 33);
}

}  // namespace verdict::engine
