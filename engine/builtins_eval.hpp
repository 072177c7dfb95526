// Operators and builtin functions over values, with three-valued semantics,
// as templates over the evaluation context (the evaluator, which provides
// ref, items, push_element, pop_element, membership_index, new_list and fail), so
// that their calls back into it are direct. Included only by evaluator.cpp.
#pragma once
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "engine/builtins.hpp"

namespace verdict::engine {

namespace detail {

// What boolean and unknown results refer to.
inline const Value kUnknownValue;
inline const Value kTrueValue = Value::boolean(true);
inline const Value kFalseValue = Value::boolean(false);
inline const Value& bool_ref(bool b) { return b ? kTrueValue : kFalseValue; }

using K = Value::Kind;

// -1, 0, 1 for two known, non-null values of one orderable kind.
template <class Ctx>
int compare(Ctx& ctx, const Expr& at, const Value& a, const Value& b) {
  if (a.kind() != b.kind())
    ctx.fail(at, fmt::format("cannot compare {} with {}", kind_name(a.kind()), kind_name(b.kind())));
  if (auto c = order_of(a, b)) return *c;
  ctx.fail(at, fmt::format("cannot order {}", kind_name(a.kind())));
}

template <class Ctx>
bool equal(Ctx& ctx, const Expr& at, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.kind() != b.kind())
    ctx.fail(at, fmt::format("cannot compare {} ({}) with {} ({})", kind_name(a.kind()), to_display(a),
                             kind_name(b.kind()), to_display(b)));
  return same(a, b);
}

template <class Ctx>
Value arithmetic(Ctx& ctx, const Expr& e, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::null();
  auto overflow = [&](std::optional<Number> n) {
    // The operands exactly (1/127 is not 0): a fraction as NUM/DEN.
    auto exact = [](const Number& x) {
      return x.den() == 1 ? fmt::format("{}", x.num()) : fmt::format("{}/{}", x.num(), x.den());
    };
    if (!n)
      ctx.fail(e, fmt::format("number overflow in '{}' of {} and {}", op_symbol(e.op), exact(a.as_number()),
                              exact(b.as_number())));
    return Value::number(*n);
  };
  if (a.kind() == K::number && b.kind() == K::number) {
    switch (e.op) {
      case Op::add: return overflow(Number::add(a.as_number(), b.as_number()));
      case Op::sub: return overflow(Number::sub(a.as_number(), b.as_number()));
      case Op::mul: return overflow(Number::mul(a.as_number(), b.as_number()));
      case Op::div:
        if (b.as_number().num() == 0) return Value::unknown();  // division by zero is unknown
        return overflow(Number::div(a.as_number(), b.as_number()));
      default: break;
    }
  }
  auto in_calendar = [&](std::optional<Date> d) {
    if (!d) ctx.fail(e, fmt::format("'{}' gives a date outside the years 1 to 9999", op_symbol(e.op)));
    return Value::date(*d);
  };
  if (a.kind() == K::date && b.kind() == K::duration && (e.op == Op::add || e.op == Op::sub))
    return in_calendar(add(a.as_date(), b.as_duration(), e.op == Op::add ? 1 : -1));
  if (a.kind() == K::duration && b.kind() == K::date && e.op == Op::add)
    return in_calendar(add(b.as_date(), a.as_duration(), 1));
  if (a.kind() == K::date && b.kind() == K::date && e.op == Op::sub)
    return Value::number(Number(static_cast<std::int64_t>(a.as_date().days) - b.as_date().days));
  if (a.kind() == K::duration && b.kind() == K::duration && (e.op == Op::add || e.op == Op::sub)) {
    int s = e.op == Op::add ? 1 : -1;
    const std::int64_t months = std::int64_t{a.as_duration().months} + s * std::int64_t{b.as_duration().months};
    const std::int64_t days = std::int64_t{a.as_duration().days} + s * std::int64_t{b.as_duration().days};
    if (months < -INT32_MAX || months > INT32_MAX || days < -INT32_MAX || days > INT32_MAX)
      ctx.fail(e, fmt::format("duration overflow in '{}'", op_symbol(e.op)));
    return Value::duration({static_cast<std::int32_t>(months), static_cast<std::int32_t>(days)});
  }
  ctx.fail(e, fmt::format("cannot apply '{}' to {} and {}", op_symbol(e.op), kind_name(a.kind()), kind_name(b.kind())));
}

inline const char* fn_name(Builtin b);

template <class Ctx>
const List* list_arg(Ctx& ctx, const Expr& at, const Value& v, Builtin fn) {
  if (v.kind() != K::list)
    ctx.fail(at, fmt::format("{}() needs a list, got {} ({})", fn_name(fn), kind_name(v.kind()), to_display(v)));
  return &v.as_list();
}

inline const char* fn_name(Builtin b) {
  switch (b) {
    case Builtin::count: return "count";
    case Builtin::share: return "share";
    case Builtin::share_where: return "share";
    case Builtin::any: return "any";
    case Builtin::all: return "all";
    case Builtin::sum: return "sum";
    case Builtin::min: return "min";
    case Builtin::max: return "max";
    case Builtin::distinct: return "distinct";
    case Builtin::known: return "known";
    case Builtin::between: return "between";
    case Builtin::latest: return "latest";
    case Builtin::earliest: return "earliest";
  }
  return "?";
}

template <class Ctx>
Value share_of(Ctx& ctx, const Expr& e, std::size_t part, std::size_t whole) {
  if (whole == 0) return Value::unknown();  // a share of nothing is unknown
  auto n = Number::fraction(static_cast<std::int64_t>(part), static_cast<std::int64_t>(whole));
  if (!n) ctx.fail(e, "number overflow in share()");
  return Value::number(*n);
}

}  // namespace detail

/// Applies a comparison, `in` or arithmetic operator to evaluated operands.
template <class Ctx>
Value apply_binary(Ctx& ctx, const Expr& e, const Value& a, const Value& b) {
  using namespace detail;
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  if (e.op == Op::in) {
    if (a.is_unknown() || b.is_unknown()) return Value::unknown();
    if (b.is_null()) return Value::boolean(false);
    if (b.kind() != K::list) ctx.fail(e, fmt::format("'in' needs a list on its right, got {}", kind_name(b.kind())));
    // Long lists of known values of one kind are looked up in a hash set.
    if (b.as_list().items.size() > 16 && !a.is_null())
      if (const auto* index = ctx.membership_index(b))
        if (index->kind == a.kind()) return Value::boolean(index->keys.count(a) > 0);
    bool unknown = false;
    for (const auto& item : b.as_list().items) {
      if (item.is_unknown()) { unknown = true; continue; }
      if (item.is_null() || a.is_null()) {
        if (item.is_null() && a.is_null()) return Value::boolean(true);
        continue;
      }
      if (item.kind() == a.kind() && same(item, a)) return Value::boolean(true);
      if (item.kind() != a.kind())
        ctx.fail(e, fmt::format("'in' compares {} with a list holding {}", kind_name(a.kind()), kind_name(item.kind())));
    }
    return unknown ? Value::unknown() : Value::boolean(false);
  }
  if (a.is_unknown() || b.is_unknown()) return Value::unknown();
  switch (e.op) {
    case Op::eq: return Value::boolean(equal(ctx, e, a, b));
    case Op::ne: return Value::boolean(!equal(ctx, e, a, b));
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge: {
      if (a.is_null() || b.is_null()) return Value::boolean(false);  // ordering with null is false
      int c = compare(ctx, e, a, b);
      bool r = e.op == Op::lt ? c < 0 : e.op == Op::le ? c <= 0 : e.op == Op::gt ? c > 0 : c >= 0;
      return Value::boolean(r);
    }
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div: return arithmetic(ctx, e, a, b);
    default: ctx.fail(e, "unsupported operator");
  }
}

/// Evaluates an Op::call node: a value that outlives the call, or `scratch`.
template <class Ctx>
const Value& call_builtin(Ctx& ctx, const Expr& e, Value& scratch) {
  using namespace detail;
  // The function's name is only needed for an error: looked up then.
  const Builtin fn = e.fn;
  switch (e.fn) {
    case Builtin::count: {
      Value held;
      Items c = ctx.items(e.args[0], held);
      if (!c.is_list()) {
        if (!c.value->is_known()) return scratch = *c.value;
        list_arg(ctx, e.args[0], *c.value, fn);
      }
      return scratch = Value::number(Number(static_cast<std::int64_t>(c.size())));
    }
    case Builtin::share: {
      Value part_held, whole_held;
      const Value& part = ctx.ref(e.args[0], part_held);
      const Value& whole = ctx.ref(e.args[1], whole_held);
      if (!part.is_known()) return scratch = part;
      if (!whole.is_known()) return scratch = whole;
      return scratch = share_of(ctx, e, list_arg(ctx, e.args[0], part, fn)->items.size(),
                      list_arg(ctx, e.args[1], whole, fn)->items.size());
    }
    case Builtin::known: {
      Value held;
      const Value& v = ctx.ref(e.args[0], held);
      if (v.is_error()) return scratch = v;
      return bool_ref(!v.is_unknown());
    }
    case Builtin::between: {
      Value x_held, lo_held, hi_held;
      const Value& x = ctx.ref(e.args[0], x_held);
      const Value& lo = ctx.ref(e.args[1], lo_held);
      const Value& hi = ctx.ref(e.args[2], hi_held);
      for (const Value* v : {&x, &lo, &hi})
        if (v->is_error()) return scratch = *v;
      // Kleene and of lo <= x and x <= hi (unknown operands make unknown;
      // ordering with null is false).
      auto at_most = [&](const Value& a, const Value& b) -> std::optional<bool> {
        if (a.is_unknown() || b.is_unknown()) return std::nullopt;
        if (a.is_null() || b.is_null()) return false;
        return compare(ctx, e, a, b) <= 0;
      };
      auto a = at_most(lo, x);
      auto b = at_most(x, hi);
      if (a == false || b == false) return bool_ref(false);
      if (!a || !b) return kUnknownValue;
      return bool_ref(true);
    }
    case Builtin::latest:
    case Builtin::earliest: {
      std::optional<Date> best;
      bool unknown = false;
      for (const auto& arg : e.args) {
        Value held;
        const Value& v = ctx.ref(arg, held);
        if (v.is_error()) return scratch = v;
        if (v.is_unknown()) { unknown = true; continue; }
        if (v.is_null()) continue;
        if (v.kind() != K::date) ctx.fail(arg, fmt::format("{}() needs dates, got {}", fn_name(fn), kind_name(v.kind())));
        if (!best || (e.fn == Builtin::latest ? v.as_date() > *best : v.as_date() < *best)) best = v.as_date();
      }
      if (unknown) return kUnknownValue;
      return scratch = best ? Value::date(*best) : Value::null();
    }
    default: break;
  }

  // Collection operations whose second argument is evaluated per element.
  Value held;
  const Items list = ctx.items(e.args[0], held);
  if (!list.is_list()) {
    if (!list.value->is_known()) return scratch = *list.value;
    list_arg(ctx, e.args[0], *list.value, fn);
  }
  const std::size_t n = list.size();
  const Expr& per = e.args[1];
  Value v_held;  // what the per-element expression may return into, reused
  // The per-element expression on item k (valid until the next call).
  auto per_item = [&](std::size_t k) -> const Value& {
    ctx.push_element(list[k]);
    const Value& v = ctx.ref(per, v_held);
    ctx.pop_element();
    return v;
  };
  bool unknown = false;
  switch (e.fn) {
    case Builtin::any:
    case Builtin::all:
    case Builtin::share_where: {
      const bool is_any = e.fn == Builtin::any;
      std::size_t matches = 0;
      const auto* fast = ctx.compiled(per);  // engine/compiled.hpp
      for (std::size_t k = 0; k < n; ++k) {
        // The compiled condition when it decides, else the expression.
        auto t = Ctx::Tri::give_up;
        if (fast) {
          ctx.push_element(list[k]);
          t = ctx.run_cond(*fast);
          ctx.pop_element();
        }
        if (t == Ctx::Tri::give_up) {
          const Value& v = per_item(k);
          if (!v.is_unknown() && v.kind() != K::boolean)
            ctx.fail(per, fmt::format("{}() needs a condition, got {}", fn_name(fn), kind_name(v.kind())));
          t = v.is_unknown() ? Ctx::Tri::unknown : v.as_bool() ? Ctx::Tri::yes : Ctx::Tri::no;
        }
        if (t == Ctx::Tri::unknown) { unknown = true; continue; }
        const bool yes = t == Ctx::Tri::yes;
        matches += yes;
        // Kleene: one true decides any(), one false decides all().
        if (e.fn == Builtin::any && yes) return bool_ref(true);
        if (e.fn == Builtin::all && !yes) return bool_ref(false);
      }
      if (unknown) return kUnknownValue;
      if (e.fn == Builtin::share_where) return scratch = share_of(ctx, e, matches, n);
      return bool_ref(!is_any);
    }
    case Builtin::sum: {
      Number total;
      // The entry of largest magnitude so far: an overflow names it, the
      // evidence value to look at (not the small one that tipped the total).
      std::size_t largest = 0;
      Number largest_size;
      for (std::size_t k = 0; k < n; ++k) {
        const Value& v = per_item(k);
        if (v.is_unknown()) { unknown = true; continue; }
        if (v.is_null()) continue;  // none: adds nothing (min and max skip it too)
        if (v.kind() != K::number) ctx.fail(per, fmt::format("sum() needs numbers, got {} ({})", kind_name(v.kind()), to_display(v)));
        const Number x = v.as_number();
        const auto size = x < Number(0) ? Number::sub(Number(0), x) : std::optional<Number>(x);
        if (size && *size > largest_size) {
          largest = k;
          largest_size = *size;
        }
        auto s = Number::add(total, x);
        if (!s) {
          const Record* r = list[largest].record_if();
          ctx.fail(e, r && !r->path.empty()
                          ? fmt::format("number overflow in sum(); its largest value is {} at {} (line {})",
                                        largest_size.to_string(), r->path, r->mark.line)
                          : fmt::format("number overflow in sum(); its largest value is {} (entry {})", largest_size.to_string(),
                                        largest + 1));
        }
        total = *s;
      }
      return unknown ? kUnknownValue : (scratch = Value::number(total));
    }
    case Builtin::min:
    case Builtin::max: {
      Value best = Value::null();
      for (std::size_t k = 0; k < n; ++k) {
        const Value& v = per_item(k);
        if (v.is_unknown()) { unknown = true; continue; }
        if (v.is_null()) continue;
        if (best.is_null()) { best = v; continue; }
        int cmp = compare(ctx, per, v, best);
        if (e.fn == Builtin::min ? cmp < 0 : cmp > 0) best = v;
      }
      return unknown ? kUnknownValue : (scratch = best);
    }
    case Builtin::distinct: {
      auto out = ctx.new_list();
      out->items.reserve(n);
      DistinctValues kept(out->items);
      for (std::size_t k = 0; k < n; ++k) {
        const Value& v = per_item(k);
        if (v.is_unknown()) { unknown = true; continue; }
        kept.add(v);
      }
      if (unknown) return kUnknownValue;
      return scratch = Value::list(std::move(out));
    }
    default: ctx.fail(e, "unsupported function");
  }
}

}  // namespace verdict::engine
