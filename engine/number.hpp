// Exact numbers: a normalised fraction of 64-bit integers. Every operation
// checks for overflow and reports it instead of wrapping.
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace verdict::engine {

/// An exact rational number num/den with den > 0 and gcd(num, den) == 1.
class Number {
public:
  constexpr Number() = default;
  constexpr Number(std::int64_t n) : num_(n), den_(1) {}  // NOLINT: integers are numbers

  /// num/den normalised; nullopt when den is zero or the result does not fit.
  static std::optional<Number> fraction(std::int64_t num, std::int64_t den);
  /// Parses "15", "-0.5", "1e3", "2.50" exactly; "35%" when allow_percent.
  /// nullopt when the text is not a number or does not fit.
  static std::optional<Number> parse(std::string_view text, bool allow_percent = false);

  std::int64_t num() const { return num_; }
  std::int64_t den() const { return den_; }
  bool is_integer() const { return den_ == 1; }

  // Arithmetic: nullopt on overflow or division by zero.
  static std::optional<Number> add(Number a, Number b);
  static std::optional<Number> sub(Number a, Number b);
  static std::optional<Number> mul(Number a, Number b);
  static std::optional<Number> div(Number a, Number b);
  std::optional<Number> negate() const;

  friend bool operator==(Number a, Number b) { return a.num_ == b.num_ && a.den_ == b.den_; }
  friend std::strong_ordering operator<=>(Number a, Number b);

  /// Decimal text: exact when the fraction terminates within `max_decimals`,
  /// otherwise rounded half away from zero to `max_decimals` places, or to
  /// more (up to six more) where fewer would end in a 0 and so show the
  /// value rounder than it is (0.19996 as "0.19996", not "0.2").
  std::string to_string(int max_decimals = 6) const;
  /// As a percentage ("20%", "33.3%").
  std::string to_percent(int max_decimals = 1) const;
  double to_double() const { return static_cast<double>(num_) / static_cast<double>(den_); }

private:
  std::int64_t num_ = 0;
  std::int64_t den_ = 1;
};

}  // namespace verdict::engine
