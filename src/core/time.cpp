#include "core/time.hpp"

#include <fmt/format.h>

#include <charconv>

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
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(at);
  const auto day = floor<days>(seconds);
  const year_month_day date{day};
  const hh_mm_ss clock{seconds - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
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
  using namespace std::chrono;
  const sys_seconds at = sys_days(*date) + hours(h) + minutes(m) + seconds(s);
  // system_clock counts nanoseconds on Linux: it ends in 2262.
  if (at > floor<seconds>(Clock::time_point::max()) || at < ceil<seconds>(Clock::time_point::min()))
    return std::nullopt;
  return time_point_cast<Clock::duration>(at);
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

std::string display_date(std::string_view stored) { return std::string(stored.substr(0, 10)); }

Text display_moment(std::string_view stored) {
  const std::string date = display_date(stored);
  const std::string time = stored.size() >= 16 ? std::string(stored.substr(11, 5)) : "00:00";
  return {fmt::format("{} at {} UTC", date, time), fmt::format("{} à {} UTC", date, time)};
}

std::chrono::year_month_day today_utc() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(Clock::now())};
}

}  // namespace fabrique
