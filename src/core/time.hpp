// Time as the platform stores and shows it: UTC, ISO 8601, compared as text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/lang.hpp"

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

// How a stored time (iso8601) is shown to people. Today UTC and the same in
// both languages; one place to make it local time and localised later.
// "2026-04-21T18:30:00Z" → "2026-04-21".
std::string display_date(std::string_view stored);
// → "2026-04-21 at 18:30 UTC" / "2026-04-21 à 18:30 UTC".
Text display_moment(std::string_view stored);

}  // namespace fabrique
