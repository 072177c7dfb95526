// Calendar dates: parsing, validity, arithmetic with month-end clamping.
#include <doctest/doctest.h>

#include "engine/date.hpp"

using namespace verdict::engine;

static Date d(const char* text) {
  auto v = parse_date(text);
  REQUIRE(v.has_value());
  return *v;
}

TEST_CASE("dates parse and print") {
  CHECK(to_string(d("2026-06-30")) == "2026-06-30");
  CHECK(to_string(d("1970-01-01")) == "1970-01-01");
  CHECK(d("1970-01-02").days == 1);
  CHECK(to_string(d("2000-02-29")) == "2000-02-29");
}

TEST_CASE("dates that do not exist are refused") {
  CHECK_FALSE(parse_date("2026-02-30").has_value());
  CHECK_FALSE(parse_date("2023-02-29").has_value());
  CHECK_FALSE(parse_date("1900-02-29").has_value());
  CHECK_FALSE(parse_date("2026-13-01").has_value());
  CHECK_FALSE(parse_date("2026-00-10").has_value());
  CHECK_FALSE(parse_date("2026-6-30").has_value());
  CHECK_FALSE(parse_date("2026-06-30x").has_value());
}

TEST_CASE("a year back from a leap day clamps to February's last day") {
  CHECK(to_string(*add(d("2024-02-29"), Duration{12, 0}, -1)) == "2023-02-28");
  CHECK(to_string(*add(d("2024-02-29"), Duration{12, 0}, 1)) == "2025-02-28");
  CHECK(to_string(*add(d("2024-02-29"), Duration{48, 0}, 1)) == "2028-02-29");
}

TEST_CASE("months clamp to the month's last day") {
  CHECK(to_string(*add(d("2026-08-31"), Duration{6, 0}, -1)) == "2026-02-28");
  CHECK(to_string(*add(d("2026-01-31"), Duration{1, 0}, 1)) == "2026-02-28");
  CHECK(to_string(*add(d("2026-12-15"), Duration{1, 0}, 1)) == "2027-01-15");
  CHECK(to_string(*add(d("2026-01-15"), Duration{1, 0}, -1)) == "2025-12-15");
}

TEST_CASE("days and weeks") {
  CHECK(to_string(*add(d("2026-06-30"), Duration{0, 1}, 1)) == "2026-07-01");
  CHECK(to_string(*add(d("2026-03-01"), Duration{0, 14}, -1)) == "2026-02-15");
  CHECK(d("2026-06-30").days - d("2025-06-30").days == 365);
}

TEST_CASE("date arithmetic stays within the years 1 to 9999 and never wraps") {
  CHECK(to_string(*add(d("9999-12-30"), Duration{0, 1}, 1)) == "9999-12-31");
  CHECK_FALSE(add(d("9999-12-31"), Duration{0, 1}, 1).has_value());
  CHECK_FALSE(add(d("9999-06-30"), Duration{12, 0}, 1).has_value());
  CHECK(to_string(*add(d("0002-01-01"), Duration{12, 0}, -1)) == "0001-01-01");
  CHECK_FALSE(add(d("0001-01-01"), Duration{0, 1}, -1).has_value());
  CHECK_FALSE(add(d("0001-06-30"), Duration{12, 0}, -1).has_value());
  CHECK_FALSE(add(d("2026-06-30"), Duration{0, 2'000'000'000}, 1).has_value());
  CHECK_FALSE(add(d("2026-06-30"), Duration{2'000'000'000, 0}, -1).has_value());
}
