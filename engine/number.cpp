#include "engine/number.hpp"

#include <cstdlib>
#include <numeric>

namespace verdict::engine {

namespace {
using i128 = __int128;

std::optional<Number> from128(i128 n, i128 d) {
  if (d == 0) return std::nullopt;
  if (d < 0) { n = -n; d = -d; }
  i128 a = n < 0 ? -n : n, b = d;
  while (b != 0) { i128 t = a % b; a = b; b = t; }
  if (a > 1) { n /= a; d /= a; }
  if (n > INT64_MAX || n < INT64_MIN + 1 || d > INT64_MAX) return std::nullopt;
  return Number::fraction(static_cast<std::int64_t>(n), static_cast<std::int64_t>(d));
}
}  // namespace

std::optional<Number> Number::fraction(std::int64_t num, std::int64_t den) {
  if (den == 0 || num == INT64_MIN || den == INT64_MIN) return std::nullopt;
  if (den < 0) { num = -num; den = -den; }
  std::int64_t g = std::gcd(num < 0 ? -num : num, den);
  if (g > 1) { num /= g; den /= g; }
  Number r;
  r.num_ = num;
  r.den_ = den;
  return r;
}

std::optional<Number> Number::parse(std::string_view s, bool allow_percent) {
  bool percent = false;
  if (allow_percent && !s.empty() && s.back() == '%') {
    percent = true;
    s.remove_suffix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  }
  if (s.empty()) return std::nullopt;
  std::size_t i = 0;
  bool neg = false;
  if (s[i] == '+' || s[i] == '-') { neg = s[i] == '-'; ++i; }
  i128 mant = 0;
  int scale = 0;  // value = mant * 10^-scale
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits = true;
      if (mant > (i128)1 << 100) return std::nullopt;
      mant = mant * 10 + (c - '0');
      if (dot) ++scale;
    } else if (c == '_' ) {
      continue;
    } else if (c == '.' && !dot) {
      dot = true;
    } else break;
  }
  if (!digits) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return std::nullopt;
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) { eneg = s[i] == '-'; ++i; }
    if (i >= s.size()) return std::nullopt;
    int e = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      e = e * 10 + (s[i] - '0');
      if (e > 40) return std::nullopt;
    }
    scale += eneg ? e : -e;
  }
  if (percent) scale += 2;
  i128 num = neg ? -mant : mant, den = 1;
  while (scale > 0) { den *= 10; --scale; if (den > (i128)1 << 100) return std::nullopt; }
  while (scale < 0) { num *= 10; ++scale; if (num > (i128)1 << 100 || num < -((i128)1 << 100)) return std::nullopt; }
  return from128(num, den);
}

// Whole numbers (the common case: counts, days, thresholds) skip the
// 128-bit arithmetic and the gcd; the result is the same, overflow included.
template <class Op>
static std::optional<Number> whole_result(std::int64_t a, std::int64_t b, Op op) {
  std::int64_t r;
  if (op(a, b, &r) || r == INT64_MIN) return std::nullopt;
  return Number(r);
}

std::optional<Number> Number::add(Number a, Number b) {
  if (a.den_ == 1 && b.den_ == 1)
    return whole_result(a.num_, b.num_, [](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_add_overflow(x, y, r); });
  return from128((i128)a.num_ * b.den_ + (i128)b.num_ * a.den_, (i128)a.den_ * b.den_);
}
std::optional<Number> Number::sub(Number a, Number b) {
  if (a.den_ == 1 && b.den_ == 1)
    return whole_result(a.num_, b.num_, [](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_sub_overflow(x, y, r); });
  return from128((i128)a.num_ * b.den_ - (i128)b.num_ * a.den_, (i128)a.den_ * b.den_);
}
std::optional<Number> Number::mul(Number a, Number b) {
  if (a.den_ == 1 && b.den_ == 1)
    return whole_result(a.num_, b.num_, [](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_mul_overflow(x, y, r); });
  return from128((i128)a.num_ * b.num_, (i128)a.den_ * b.den_);
}
std::optional<Number> Number::div(Number a, Number b) {
  if (b.num_ == 0) return std::nullopt;
  return from128((i128)a.num_ * b.den_, (i128)a.den_ * b.num_);
}
std::optional<Number> Number::negate() const { return fraction(-num_, den_); }

std::strong_ordering operator<=>(Number a, Number b) {
  if (a.den_ == b.den_) return a.num_ <=> b.num_;  // denominators are positive
  i128 l = (i128)a.num_ * b.den_, r = (i128)b.num_ * a.den_;
  return l < r ? std::strong_ordering::less : l > r ? std::strong_ordering::greater : std::strong_ordering::equal;
}

std::string Number::to_string(int max_decimals) const {
  // A value that is not exact at `max_decimals` places is not shown as a
  // rounder one, ending in a 0 it does not end in: 0.19996 is not "0.2" but
  // "0.19996", 0.2004 not "0.2" but "0.2004" (a failing 19.99% must not read
  // as the 20% it misses). A place is added while the last one shown would
  // be a 0 (at most six more); other roundings stay (0.12487 is "0.1249").
  for (int places = max_decimals;; ++places) {
    i128 n = num_, d = den_;
    const bool neg = n < 0;
    if (neg) n = -n;
    i128 whole = n / d, rem = n % d;
    std::string frac;
    for (int k = 0; k < places && rem != 0; ++k) {
      rem *= 10;
      frac.push_back(static_cast<char>('0' + static_cast<int>(rem / d)));
      rem %= d;
    }
    const bool exact = rem == 0;
    if (!exact && rem * 2 >= d) {  // round half away from zero
      int k = static_cast<int>(frac.size()) - 1;
      for (; k >= 0; --k) {
        if (frac[k] == '9') frac[k] = '0';
        else { ++frac[k]; break; }
      }
      if (k < 0) ++whole;
    }
    if (!exact && (frac.empty() || frac.back() == '0') && places < max_decimals + 6) continue;
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    std::string out;
    if (whole == 0) out.push_back('0');
    while (whole > 0) { out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(whole % 10))); whole /= 10; }
    if (!frac.empty()) out += "." + frac;
    if (neg && out != "0") out.insert(out.begin(), '-');
    return out;
  }
}

std::string Number::to_percent(int max_decimals) const {
  auto hundred = mul(*this, Number(100));
  if (!hundred) return to_string() + " (as a fraction)";
  return hundred->to_string(max_decimals) + "%";
}

}  // namespace verdict::engine
