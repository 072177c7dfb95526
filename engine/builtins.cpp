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

std::size_t ValueHash::operator()(const Value& v) const noexcept {
  auto mix = [](std::size_t h, std::size_t x) { return h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); };
  std::size_t h = static_cast<std::size_t>(v.kind());
  switch (v.kind()) {
    case K::boolean: return mix(h, v.as_bool());
    case K::number: return mix(mix(h, std::hash<std::int64_t>{}(v.as_number().num())), std::hash<std::int64_t>{}(v.as_number().den()));
    case K::date: return mix(h, std::hash<std::int64_t>{}(v.as_date().days));
    case K::duration: return mix(mix(h, std::hash<std::int64_t>{}(v.as_duration().months)), std::hash<std::int64_t>{}(v.as_duration().days));
    case K::string: return mix(h, std::hash<std::string_view>{}(v.as_string()));
    case K::list:
      for (const auto& item : v.as_list().items) h = mix(h, (*this)(item));
      return h;
    case K::record: return mix(h, std::hash<const void*>{}(&v.as_record()));
    default: return h;
  }
}

}  // namespace verdict::engine
