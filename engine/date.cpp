#include "engine/date.hpp"

#include <fmt/format.h>

namespace verdict::engine {

// Howard Hinnant's days_from_civil / civil_from_days.
Date date_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{era * 146097 + static_cast<int>(doe) - 719468};
}

CivilDate civil_from_date(Date date) {
  int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

unsigned days_in_month(int y, unsigned m) {
  static const unsigned table[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : 28;
  return table[m - 1];
}

bool is_valid_civil(int y, unsigned m, unsigned d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

bool looks_like_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::optional<Date> parse_date(std::string_view s) {
  if (!looks_like_date(s)) return std::nullopt;
  auto num = [&](int a, int n) {
    int v = 0;
    for (int i = a; i < a + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  int y = num(0, 4);
  unsigned m = static_cast<unsigned>(num(5, 2)), d = static_cast<unsigned>(num(8, 2));
  if (!is_valid_civil(y, m, d)) return std::nullopt;
  return date_from_civil(y, m, d);
}

std::string to_string(Date d) {
  auto c = civil_from_date(d);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string to_string(Duration d) {
  std::string out;
  auto part = [&](int n, const char* one, const char* many) {
    if (n == 0) return;
    if (!out.empty()) out += " ";
    out += fmt::format("{} {}", n, (n == 1 || n == -1) ? one : many);
  };
  if (d.months % 12 == 0) part(d.months / 12, "year", "years");
  else part(d.months, "month", "months");
  part(d.days, "day", "days");
  return out.empty() ? "0 days" : out;
}

std::optional<Date> add(Date date, Duration dur, int sign) {
  // In 64 bits: a duration of two billion days must not wrap.
  constexpr std::int64_t kFirst = -719162, kLast = 2932896;  // 0001-01-01 and 9999-12-31, in days since 1970-01-01
  std::int64_t days = date.days;
  if (dur.months != 0) {
    auto c = civil_from_date(date);
    const std::int64_t total = static_cast<std::int64_t>(c.year) * 12 + (c.month - 1) + std::int64_t{sign} * dur.months;
    const std::int64_t y = total >= 0 ? total / 12 : (total - 11) / 12;
    if (y < 1 || y > 9999) return std::nullopt;
    const unsigned m = static_cast<unsigned>(total - y * 12) + 1;
    const unsigned d = std::min(c.day, days_in_month(static_cast<int>(y), m));
    days = date_from_civil(static_cast<int>(y), m, d).days;
  }
  days += std::int64_t{sign} * dur.days;
  if (days < kFirst || days > kLast) return std::nullopt;
  return Date{static_cast<std::int32_t>(days)};
}

}  // namespace verdict::engine
