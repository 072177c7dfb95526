// Calendar dates (days since 1970-01-01) and durations in months and days.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace verdict::engine {

/// A proleptic Gregorian date.
struct Date {
  std::int32_t days = 0;  // since 1970-01-01
  friend auto operator<=>(Date, Date) = default;
};

/// A calendar duration: months (a year is 12) then days (a week is 7).
struct Duration {
  std::int32_t months = 0;
  std::int32_t days = 0;
  friend bool operator==(Duration, Duration) = default;
};

struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};

Date date_from_civil(int y, unsigned m, unsigned d);
CivilDate civil_from_date(Date d);
bool is_valid_civil(int y, unsigned m, unsigned d);
unsigned days_in_month(int y, unsigned m);

/// Parses exactly `YYYY-MM-DD`; nullopt when malformed or not a real day.
std::optional<Date> parse_date(std::string_view text);
/// True when the text has the shape YYYY-MM-DD (whether or not the day exists).
bool looks_like_date(std::string_view text);
std::string to_string(Date d);
std::string to_string(Duration d);

/// date + duration, clamping to the last day of the month (sign = +1 or -1);
/// nullopt when the result falls outside the years 1 to 9999 (the dates
/// evidence and --as-of can hold).
std::optional<Date> add(Date d, Duration dur, int sign);

}  // namespace verdict::engine
