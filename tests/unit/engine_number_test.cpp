// Exact numbers: parsing, arithmetic, ordering, overflow, rendering.
#include <doctest/doctest.h>

#include "engine/number.hpp"

using verdict::engine::Number;

static Number n(const char* text) {
  auto v = Number::parse(text, true);
  REQUIRE(v.has_value());
  return *v;
}

TEST_CASE("decimals and percentages are exact fractions") {
  CHECK(n("0.6") == *Number::fraction(3, 5));
  CHECK(n("90%") == *Number::fraction(9, 10));
  CHECK(n("35%") == n("0.35"));
  CHECK(n("2.50") == *Number::fraction(5, 2));
  CHECK(n("1e3") == Number(1000));
  CHECK(n("-0.5") == *Number::fraction(-1, 2));
}

TEST_CASE("0.1 + 0.2 is exactly 0.3 and 3/15 is exactly 20%") {
  CHECK(*Number::add(n("0.1"), n("0.2")) == n("0.3"));
  CHECK(*Number::div(Number(3), Number(15)) == n("20%"));
  CHECK((*Number::div(Number(3), Number(15)) >= n("20%")));
  CHECK_FALSE((*Number::div(Number(2), Number(15)) >= n("20%")));
}

TEST_CASE("ordering compares fractions exactly") {
  CHECK(*Number::fraction(1, 3) < *Number::fraction(34, 100));
  CHECK(*Number::fraction(1, 3) > *Number::fraction(33, 100));
  CHECK(*Number::fraction(-1, 3) < Number(0));
}

TEST_CASE("overflow is reported, never wrapped") {
  Number big(INT64_MAX / 2 + 1);
  CHECK_FALSE(Number::mul(big, Number(4)).has_value());
  CHECK_FALSE(Number::add(Number(INT64_MAX - 1), Number(INT64_MAX - 1)).has_value());
  CHECK_FALSE(Number::parse("1e400").has_value());
  CHECK_FALSE(Number::div(Number(1), Number(0)).has_value());
}

TEST_CASE("malformed numbers are refused") {
  CHECK_FALSE(Number::parse("").has_value());
  CHECK_FALSE(Number::parse("abc").has_value());
  CHECK_FALSE(Number::parse("1.2.3").has_value());
  CHECK_FALSE(Number::parse("1e").has_value());
  CHECK_FALSE(Number::parse("35%").has_value());  // percent only where allowed
}

TEST_CASE("rendering") {
  CHECK(Number(15).to_string() == "15");
  CHECK(n("0.35").to_string() == "0.35");
  CHECK(Number::fraction(1, 3)->to_string(3) == "0.333");
  CHECK(Number::fraction(2, 3)->to_string(2) == "0.67");
  CHECK(n("0.2").to_percent() == "20%");
  CHECK(Number::fraction(1, 3)->to_percent() == "33.3%");
  CHECK(Number::fraction(-1, 2)->to_string() == "-0.5");
  CHECK(Number::fraction(2, 3)->to_percent() == "66.7%");
}

TEST_CASE("rendering: a value that is not exact is never shown as a rounder one") {
  // 1,999 of 10,000 is 19.99%: "20%" would read as the threshold it misses.
  CHECK(Number::fraction(1999, 10000)->to_percent() == "19.99%");
  CHECK(Number::fraction(19999, 100000)->to_percent() == "19.999%");
  CHECK(Number::fraction(2004, 10000)->to_percent() == "20.04%");  // not "20%" either
  CHECK(Number::fraction(1, 3000)->to_percent() == "0.03%");        // 0.0333…%: not "0%"
  CHECK(Number::fraction(-1999, 10000)->to_percent() == "-19.99%");
  CHECK(Number::fraction(99996, 100000)->to_string(4) == "0.99996");  // not "1"
  CHECK(Number::fraction(1, 7)->to_string(2) == "0.14");                // ends in 4: as before
  // Exact values keep their short form; past six more places a value is
  // rounded as before.
  CHECK(Number::fraction(1, 5)->to_percent() == "20%");
  CHECK(Number::fraction(1, 3)->to_string(1) == "0.3");
  CHECK(Number::fraction(1, 100000000)->to_string(1) == "0");
}

TEST_CASE("whole numbers: exact results up to the edge of the range") {
  CHECK(*Number::add(Number(2), Number(3)) == Number(5));
  CHECK(*Number::sub(Number(2), Number(5)) == Number(-3));
  CHECK(*Number::mul(Number(-4), Number(6)) == Number(-24));
  CHECK(*Number::add(Number(INT64_MAX), Number(0)) == Number(INT64_MAX));
  CHECK(*Number::mul(Number(INT64_MAX), Number(-1)) == Number(-INT64_MAX));
  CHECK_FALSE(Number::add(Number(INT64_MAX), Number(1)).has_value());
  CHECK_FALSE(Number::sub(Number(-INT64_MAX), Number(1)).has_value());  // INT64_MIN is out of range
  CHECK_FALSE(Number::mul(Number(INT64_MAX / 2 + 1), Number(-2)).has_value());
  // Mixed with fractions, and ordered with equal denominators.
  CHECK(*Number::add(Number(1), *Number::fraction(1, 2)) == *Number::fraction(3, 2));
  CHECK(Number(2) < Number(3));
  CHECK(*Number::fraction(1, 3) < *Number::fraction(2, 3));
  CHECK_FALSE(*Number::fraction(-1, 3) > *Number::fraction(-2, 6));
}
