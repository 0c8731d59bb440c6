// core/time.hpp: stored times (ISO 8601 UTC) and how they are shown.
#include "core/time.hpp"

#include <gtest/gtest.h>

namespace fabrique {
namespace {

using namespace std::chrono_literals;

TEST(CoreTime, Iso8601FloorsToTheSecondAndRoundTrips) {
  const Clock::time_point at =
      std::chrono::sys_days{std::chrono::year{2025} / 3 / 1} + 10h + 2min + 3s + 999ms;
  EXPECT_EQ(iso8601(at), "2025-03-01T10:02:03Z");
  EXPECT_EQ(parse_iso8601("2025-03-01T10:02:03Z"), at - 999ms);
  EXPECT_EQ(iso8601(Clock::time_point{}), "1970-01-01T00:00:00Z");
  // Before 1970 too: floored, not truncated towards 1970.
  EXPECT_EQ(iso8601(Clock::time_point{} - 1ms), "1969-12-31T23:59:59Z");
}

TEST(CoreTime, ParseRefusesWhatIso8601NeverWrites) {
  for (const char* bad : {"", "2025-03-01", "2025-03-01 10:02:03Z", "2025-03-01T10:02:03",
                          "2025-02-30T00:00:00Z", "2025-03-01T24:00:00Z", "2025-03-01T10:60:00Z",
                          "2025-03-01T10:02:03+01:00", "2025-3-01T10:02:03Z"})
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  // Past the end of the clock (nanoseconds since 1970 end in 2262): refused,
  // not overflowed.
  EXPECT_FALSE(parse_iso8601("9999-12-31T23:59:59Z"));
  EXPECT_TRUE(parse_iso8601("2262-01-01T00:00:00Z"));
}

TEST(CoreTime, DisplayDateAndMoment) {
  EXPECT_EQ(display_date("2026-04-21T18:30:00Z"), "2026-04-21");
  EXPECT_EQ(display_date("2026-04-21"), "2026-04-21");
  EXPECT_EQ(display_date(""), "");
  const Text moment = display_moment("2026-04-21T18:30:00Z");
  EXPECT_EQ(moment.en, "2026-04-21 at 18:30 UTC");
  EXPECT_EQ(moment.fr, "2026-04-21 à 18:30 UTC");
  // A bare date is midnight.
  EXPECT_EQ(display_moment("2026-04-21").fr, "2026-04-21 à 00:00 UTC");
}

TEST(CoreTime, Dates) {
  const auto date = parse_date("2024-02-29");
  ASSERT_TRUE(date);
  EXPECT_EQ(format_date(*date), "2024-02-29");
  EXPECT_FALSE(parse_date("2023-02-29"));
  EXPECT_FALSE(parse_date("2024-13-01"));
  EXPECT_EQ(age_on(*parse_date("2008-02-29"), *parse_date("2026-02-28")), 17);
  EXPECT_EQ(age_on(*parse_date("2008-02-29"), *parse_date("2026-03-01")), 18);
}

}  // namespace
}  // namespace fabrique
