#include "core/time.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <array>
#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <stdexcept>

#include "core/text.hpp"

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

std::chrono::year_month_day today_utc() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(Clock::now())};
}

// --- Dates as people type them

namespace {

// Digits at text[at…] (1 to `most` of them): their value, `at` moved past them.
std::optional<int> digits(std::string_view text, std::size_t& at, std::size_t most) {
  const std::size_t from = at;
  while (at < text.size() && at - from < most && text[at] >= '0' && text[at] <= '9') ++at;
  if (at == from || (at < text.size() && text[at] >= '0' && text[at] <= '9')) return std::nullopt;
  int value = 0;
  std::from_chars(text.data() + from, text.data() + at, value);
  return value;
}

std::optional<std::chrono::year_month_day> make_date(int y, int m, int d) {
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(y),
                                         std::chrono::month(static_cast<unsigned>(m)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

// The date at the start of `text`; `at` moved past it.
std::optional<std::chrono::year_month_day> read_typed_date(std::string_view text, std::size_t& at) {
  const std::size_t from = at;
  const auto first = digits(text, at, 4);
  if (!first || at >= text.size()) return std::nullopt;
  const char separator = text[at];
  if (at - from == 4) {  // 2027-03-31
    if (separator != '-') return std::nullopt;
    ++at;
    const auto month = digits(text, at, 2);
    if (!month || at >= text.size() || text[at] != '-') return std::nullopt;
    ++at;
    const auto day = digits(text, at, 2);
    if (!day) return std::nullopt;
    return make_date(*first, *month, *day);
  }
  if (separator != '/' && separator != '.' && separator != '-') return std::nullopt;
  ++at;
  const auto month = digits(text, at, 2);
  if (!month || at >= text.size() || text[at] != separator) return std::nullopt;
  ++at;
  const std::size_t year_at = at;
  const auto year = digits(text, at, 4);
  if (!year || at - year_at != 4) return std::nullopt;
  return make_date(*year, *month, *first);
}

}  // namespace

std::optional<std::chrono::year_month_day> parse_typed_date(std::string_view raw) {
  const std::string_view text = trim(raw);
  std::size_t at = 0;
  const auto date = read_typed_date(text, at);
  if (!date || at != text.size()) return std::nullopt;
  return date;
}

std::optional<TypedMoment> parse_typed_moment(std::string_view raw) {
  const std::string_view text = trim(raw);
  std::size_t at = 0;
  const auto date = read_typed_date(text, at);
  if (!date) return std::nullopt;
  if (at == text.size()) return TypedMoment{*date, std::nullopt};
  // " 18:30", " à 18 h 30", " 18h30", " 18 h"
  std::string_view rest = trim(text.substr(at));
  if (at == 0 || text[at] != ' ' || rest.empty()) return std::nullopt;
  if (rest.starts_with("à ")) rest = trim(rest.substr(std::string_view("à ").size()));
  std::size_t i = 0;
  const auto hours = digits(rest, i, 2);
  if (!hours || *hours > 23) return std::nullopt;
  while (i < rest.size() && rest[i] == ' ') ++i;
  int minutes = 0;
  if (i < rest.size() && (rest[i] == ':' || rest[i] == 'h')) {
    const bool h = rest[i] == 'h';
    ++i;
    while (h && i < rest.size() && rest[i] == ' ') ++i;
    if (i < rest.size()) {
      const std::size_t minutes_at = i;
      const auto m = digits(rest, i, 2);
      if (!m || i - minutes_at != 2 || *m > 59) return std::nullopt;
      minutes = *m;
    } else if (!h) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (i != rest.size()) return std::nullopt;
  return TypedMoment{*date, std::chrono::minutes(*hours * 60 + minutes)};
}

std::string typed_date(std::chrono::year_month_day date) {
  return fmt::format("{:02}/{:02}/{:04}", static_cast<unsigned>(date.day()),
                     static_cast<unsigned>(date.month()), static_cast<int>(date.year()));
}

Text typed_date_hint() {
  return {"dd/mm/yyyy, for example 31/03/2027", "jj/mm/aaaa, par exemple 31/03/2027"};
}

// --- Time zones

std::optional<TimeZone> TimeZone::named(std::string_view name) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(zone, std::string(zone->name()));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::chrono::local_seconds TimeZone::local(Clock::time_point at) const {
  const auto local = zone_->to_local(std::chrono::floor<std::chrono::seconds>(at));
  return std::chrono::local_seconds(local.time_since_epoch());
}

Clock::time_point TimeZone::instant(std::chrono::local_seconds local) const {
  const date::local_seconds wall{local.time_since_epoch()};
  const auto info = zone_->get_info(wall);
  if (info.result == date::local_info::nonexistent) return info.second.begin;  // after the gap
  return zone_->to_sys(wall, date::choose::earliest);
}

Clock::time_point TimeZone::start_of(std::chrono::year_month_day day) const {
  return instant(std::chrono::local_days(std::chrono::sys_days(day).time_since_epoch()));
}

std::chrono::year_month_day TimeZone::date_at(Clock::time_point at) const {
  return std::chrono::year_month_day{
      std::chrono::sys_days(std::chrono::floor<std::chrono::days>(local(at)).time_since_epoch())};
}

namespace {

constexpr std::string_view kDefaultTimeZone = "Europe/Paris";

// Read on every date shown, by every request thread: an atomic pointer, no
// lock. Zones once set stay where they are (a deque does not move them), so a
// reference a caller holds stays good when the operator's zone is set.
std::mutex zone_mutex;  // for setting only
std::deque<TimeZone> zones;
std::atomic<const TimeZone*> installation_zone{nullptr};

}  // namespace

const TimeZone& installation_time_zone() {
  if (const TimeZone* zone = installation_zone.load(std::memory_order_acquire)) return *zone;
  // First use with none set: the default, unless a zone was set meanwhile.
  const std::lock_guard lock(zone_mutex);
  if (const TimeZone* zone = installation_zone.load(std::memory_order_acquire)) return *zone;
  auto paris = TimeZone::named(kDefaultTimeZone);
  if (!paris)
    throw std::runtime_error(
        "the time-zone database has no Europe/Paris: install Debian's tzdata package");
  zones.push_back(std::move(*paris));
  installation_zone.store(&zones.back(), std::memory_order_release);
  return zones.back();
}

bool set_installation_time_zone(std::string_view name) {
  auto zone = TimeZone::named(name);
  if (!zone) return false;
  const std::lock_guard lock(zone_mutex);
  zones.push_back(std::move(*zone));
  installation_zone.store(&zones.back(), std::memory_order_release);
  return true;
}

std::chrono::year_month_day today_local() { return installation_time_zone().date_at(Clock::now()); }

// --- Times as people read them

namespace {

constexpr std::array<const char*, 12> kMonthsFr = {"janvier",   "février", "mars",     "avril",
                                                   "mai",       "juin",    "juillet",  "août",
                                                   "septembre", "octobre", "novembre", "décembre"};
constexpr std::array<const char*, 12> kMonthsEn = {"January",   "February", "March",    "April",
                                                   "May",       "June",     "July",     "August",
                                                   "September", "October",  "November", "December"};

// A no-break space: "21 décembre", "18 h 30" and "6:30 pm" never break apart.
constexpr std::string_view kNbsp = "\u00a0";

std::string time_of_day(std::chrono::minutes since_midnight, Lang lang) {
  const int h = static_cast<int>(since_midnight.count() / 60);
  const int m = static_cast<int>(since_midnight.count() % 60);
  if (lang == Lang::Fr)
    return m == 0 ? fmt::format("{}{}h", h, kNbsp)
                  : fmt::format("{}{}h{}{:02}", h, kNbsp, kNbsp, m);
  const int h12 = h % 12 == 0 ? 12 : h % 12;
  const char* half = h < 12 ? "am" : "pm";
  return m == 0 ? fmt::format("{}{}{}", h12, kNbsp, half)
                : fmt::format("{}:{:02}{}{}", h12, m, kNbsp, half);
}

std::string date_and_time(std::chrono::year_month_day date, std::string_view time, Lang lang) {
  return date_in_words(date, lang) + (lang == Lang::Fr ? " à " : " at ") + std::string(time);
}

struct LocalReading {
  std::chrono::year_month_day date;
  std::chrono::minutes time;
};

// A calendar date ("2026-05-31", a tracking update's) is that day, at its
// start; an instant is read on the installation's clock.
std::optional<LocalReading> read_local(std::string_view stored) {
  if (stored.size() == 10) {
    const auto day = parse_date(stored);
    if (!day) return std::nullopt;
    return LocalReading{*day, std::chrono::minutes(0)};
  }
  const auto at = parse_iso8601(stored);
  if (!at) return std::nullopt;
  const auto local = installation_time_zone().local(*at);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  return LocalReading{std::chrono::year_month_day{std::chrono::sys_days(day.time_since_epoch())},
                      std::chrono::floor<std::chrono::minutes>(local - day)};
}

}  // namespace

std::string date_in_words(std::chrono::year_month_day date, Lang lang) {
  const unsigned day = static_cast<unsigned>(date.day());
  const unsigned month = static_cast<unsigned>(date.month()) - 1;
  const int year = static_cast<int>(date.year());
  if (lang == Lang::Fr)
    return fmt::format("{}{}{}{} {}", day, day == 1 ? "er" : "", kNbsp, kMonthsFr.at(month), year);
  return fmt::format("{}{}{} {}", day, kNbsp, kMonthsEn.at(month), year);
}

std::string display_date(std::string_view stored, Lang lang) {
  const auto local = read_local(stored);
  return local ? date_in_words(local->date, lang) : std::string();
}

std::string display_moment(std::string_view stored, Lang lang) {
  const auto local = read_local(stored);
  return local ? date_and_time(local->date, time_of_day(local->time, lang), lang) : std::string();
}

std::string display_start(std::string_view stored, Lang lang) {
  const auto local = read_local(stored);
  if (!local) return {};
  if (local->time.count() == 0) return date_in_words(local->date, lang);
  return date_and_time(local->date, time_of_day(local->time, lang), lang);
}

std::string display_deadline(std::string_view stored, Lang lang) {
  const auto local = read_local(stored);
  if (!local) return {};
  if (local->time.count() != 0)
    return date_and_time(local->date, time_of_day(local->time, lang), lang);
  // Over at midnight: the last day is the one before, to its end.
  const std::chrono::year_month_day last{std::chrono::sys_days(local->date) - std::chrono::days(1)};
  return date_and_time(last, lang == Lang::Fr ? "minuit" : "11:59\u00a0pm", lang);
}

Text display_date(std::string_view stored) {
  return {display_date(stored, Lang::En), display_date(stored, Lang::Fr)};
}
Text display_moment(std::string_view stored) {
  return {display_moment(stored, Lang::En), display_moment(stored, Lang::Fr)};
}
Text display_start(std::string_view stored) {
  return {display_start(stored, Lang::En), display_start(stored, Lang::Fr)};
}
Text display_deadline(std::string_view stored) {
  return {display_deadline(stored, Lang::En), display_deadline(stored, Lang::Fr)};
}

}  // namespace fabrique
