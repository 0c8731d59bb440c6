#include "core/time.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace fabrique {

namespace {

bool read_int(std::string_view text, std::size_t at, std::size_t width, int& out) {
  if (at + width > text.size()) return false;
  for (std::size_t i = at; i < at + width; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  std::from_chars(text.data() + at, text.data() + at + width, out);
  return true;
}

}  // namespace

std::string iso8601(Clock::time_point at) {
  const std::time_t seconds = Clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string now_iso8601() { return iso8601(Clock::now()); }

std::optional<Clock::time_point> parse_iso8601(std::string_view text) {
  if (text.size() != 20 || text[10] != 'T' || text[19] != 'Z' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  const auto date = parse_date(text.substr(0, 10));
  int h = 0, m = 0, s = 0;
  if (!date || !read_int(text, 11, 2, h) || !read_int(text, 14, 2, m) ||
      !read_int(text, 17, 2, s) || h > 23 || m > 59 || s > 59)
    return std::nullopt;
  return std::chrono::sys_days(*date) + std::chrono::hours(h) + std::chrono::minutes(m) +
         std::chrono::seconds(s);
}

std::optional<std::chrono::year_month_day> parse_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_int(text, 0, 4, y) ||
      !read_int(text, 5, 2, m) || !read_int(text, 8, 2, d))
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(y),
                                         std::chrono::month(static_cast<unsigned>(m)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(std::chrono::year_month_day date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

int age_on(std::chrono::year_month_day birth, std::chrono::year_month_day on) {
  int years = static_cast<int>(on.year()) - static_cast<int>(birth.year());
  const auto birthday =
      std::pair{static_cast<unsigned>(birth.month()), static_cast<unsigned>(birth.day())};
  const auto current =
      std::pair{static_cast<unsigned>(on.month()), static_cast<unsigned>(on.day())};
  if (current < birthday) --years;
  return years;
}

std::chrono::year_month_day today_utc() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(Clock::now())};
}

}  // namespace fabrique
