// Time as the platform stores it and as people read it. Stored: UTC, ISO 8601,
// compared as text (APIs, exports and <time datetime> keep that form). Read:
// in the installation's time zone (Europe/Paris unless the operator sets
// another) and in the reader's language: "21 décembre 2026 à 23 h 59",
// "11:59 pm on 21 December 2026".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/lang.hpp"

namespace date {
class time_zone;
}

namespace fabrique {

using Clock = std::chrono::system_clock;

// "2026-11-22T01:53:52Z": the form every stored time takes (sorts as text).
std::string iso8601(Clock::time_point at);
std::string now_iso8601();
// Parses exactly the form iso8601() writes; nullopt past what Clock holds
// (year 2262).
std::optional<Clock::time_point> parse_iso8601(std::string_view text);

// A calendar date "YYYY-MM-DD", validated (month lengths, leap years).
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
std::string format_date(std::chrono::year_month_day date);
// Whole years from `birth` to `on` (a 29 February birthday counts on 1 March).
int age_on(std::chrono::year_month_day birth, std::chrono::year_month_day on);
std::chrono::year_month_day today_utc();

// A date as people type it in a form: "31/03/2027" (day first, in French and
// in British English alike; "31/3/2027", "31.03.2027" and "31-03-2027" too)
// or "2027-03-31". Validated (no 30 February). typed_date_hint() says the same.
std::optional<std::chrono::year_month_day> parse_typed_date(std::string_view text);
// A date and, if given, a time of day: "31/03/2027", "31/03/2027 18:30",
// "31/03/2027 18 h 30", "2027-03-31 18:30"; {date, minutes since midnight}.
struct TypedMoment {
  std::chrono::year_month_day date;
  std::optional<std::chrono::minutes> time;
};
std::optional<TypedMoment> parse_typed_moment(std::string_view text);
// The way a form shows a date back: "31/03/2027".
std::string typed_date(std::chrono::year_month_day date);
// What a date field's hint and its error say: "jj/mm/aaaa, par exemple 31/03/2027".
Text typed_date_hint();

// A time zone of the IANA database (Debian's tzdata): "Europe/Paris".
class TimeZone {
 public:
  static std::optional<TimeZone> named(std::string_view name);
  const std::string& name() const { return name_; }

  // The wall-clock time here at `at` (seconds).
  std::chrono::local_seconds local(Clock::time_point at) const;
  // The instant at which the wall clock here shows `local`. In the hour a
  // clock skips (spring), the instant just after the gap; in the hour it
  // repeats (autumn), the first of the two.
  Clock::time_point instant(std::chrono::local_seconds local) const;
  // Midnight at the start of `day`, here.
  Clock::time_point start_of(std::chrono::year_month_day day) const;
  // The date here at `at`.
  std::chrono::year_month_day date_at(Clock::time_point at) const;

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
  const date::time_zone* zone_;
  std::string name_;
};

// The installation's time zone: Europe/Paris until set_installation_time_zone
// (`fabrique serve --time-zone`, read once at start-up). Returns false, and
// changes nothing, for a name the time-zone database does not know.
const TimeZone& installation_time_zone();
bool set_installation_time_zone(std::string_view name);
// Today's date in the installation's time zone.
std::chrono::year_month_day today_local();

// How stored times read, in the installation's time zone (a bare
// "YYYY-MM-DD" is a calendar day, read as it is); empty for an empty or
// unreadable text.
//   display_date     "21 décembre 2026", "1er mars 2027" / "21 December 2026"
//   display_moment   "21 décembre 2026 à 23 h 59", "… à 18 h" /
//                    "21 December 2026 at 11:59 pm", "… at 6 pm"
//   display_start    a moment that opens something: the date alone at midnight
//   display_deadline a moment that closes something (the first moment it is
//                    over): at midnight, the day before, so that "jusqu'au …"
//                    / "until …" reads right: "20 décembre 2026 à minuit" /
//                    "20 December 2026 at 11:59 pm", never "→ 21 December".
std::string display_date(std::string_view stored, Lang lang);
std::string display_moment(std::string_view stored, Lang lang);
std::string display_start(std::string_view stored, Lang lang);
std::string display_deadline(std::string_view stored, Lang lang);
// The same in both languages, for the messages built as Text.
Text display_date(std::string_view stored);
Text display_moment(std::string_view stored);
Text display_start(std::string_view stored);
Text display_deadline(std::string_view stored);
// A date (no time) in words: "1er mars 2027" / "1 March 2027".
std::string date_in_words(std::chrono::year_month_day date, Lang lang);

}  // namespace fabrique
