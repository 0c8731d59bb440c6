// core/time.hpp: stored times (ISO 8601 UTC) and how they are shown.
#include "core/time.hpp"

#include <gtest/gtest.h>

#include "support/text.hpp"

namespace fabrique {
namespace {

using namespace std::chrono_literals;

using test::nb;

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

// Every reading below is in the default zone, Europe/Paris (UTC+1 in
// winter, UTC+2 in summer): the tests set it, whatever ran before.
class CoreTimeDisplay : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(set_installation_time_zone("Europe/Paris")); }
};

TEST_F(CoreTimeDisplay, DatesAndMomentsInLocalTimeAndInEachLanguage) {
  // 22:59 UTC in winter is 23:59 in Paris, on the same day.
  EXPECT_EQ(display_moment("2026-12-21T22:59:00Z", Lang::Fr), nb("21·décembre 2026 à 23·h·59"));
  EXPECT_EQ(display_moment("2026-12-21T22:59:00Z", Lang::En), nb("21·December 2026 at 11:59·pm"));
  // 23:30 UTC is already the next day in Paris.
  EXPECT_EQ(display_date("2026-12-21T23:30:00Z", Lang::Fr), nb("22·décembre 2026"));
  EXPECT_EQ(display_date("2026-12-21T23:30:00Z", Lang::En), nb("22·December 2026"));
  // Summer time: UTC+2. Whole hours without minutes; the first of the month.
  EXPECT_EQ(display_moment("2027-03-01T17:00:00Z", Lang::Fr), nb("1er·mars 2027 à 18·h"));
  EXPECT_EQ(display_moment("2027-07-01T16:00:00Z", Lang::En), nb("1·July 2027 at 6·pm"));
  EXPECT_EQ(display_moment("2027-07-01T10:05:00Z", Lang::En), nb("1·July 2027 at 12:05·pm"));
  EXPECT_EQ(display_moment("2027-07-01T22:30:00Z", Lang::En), nb("2·July 2027 at 12:30·am"));
  // Both languages at once, for messages; nothing for what is not a time.
  EXPECT_EQ(display_date("2026-04-21T18:30:00Z").en, nb("21·April 2026"));
  EXPECT_EQ(display_date("2026-04-21T18:30:00Z").fr, nb("21·avril 2026"));
  EXPECT_EQ(display_date("", Lang::Fr), "");
  EXPECT_EQ(display_moment("yesterday", Lang::En), "");
}

TEST_F(CoreTimeDisplay, ADeadlineAtMidnightNamesTheLastDay) {
  // A vote that closes at 00:00 on 21 December (Paris) lasts all of the 20th.
  const std::string close = "2026-12-20T23:00:00Z";
  EXPECT_EQ(display_deadline(close, Lang::Fr), nb("20·décembre 2026 à minuit"));
  EXPECT_EQ(display_deadline(close, Lang::En), nb("20·December 2026 at 11:59·pm"));
  // Another time of day is that time, on that day.
  EXPECT_EQ(display_deadline("2026-12-20T17:00:00Z", Lang::Fr), nb("20·décembre 2026 à 18·h"));
  // A start at midnight is its day alone.
  EXPECT_EQ(display_start(close, Lang::Fr), nb("21·décembre 2026"));
  EXPECT_EQ(display_start("2026-12-21T08:30:00Z", Lang::En), nb("21·December 2026 at 9:30·am"));
  // The first of January: the deadline is still in the year before.
  EXPECT_EQ(display_deadline("2026-12-31T23:00:00Z", Lang::Fr), nb("31·décembre 2026 à minuit"));
}

TEST_F(CoreTimeDisplay, AnotherTimeZoneIsReadAsIs) {
  ASSERT_TRUE(set_installation_time_zone("America/Cayenne"));  // UTC-3, no summer time
  EXPECT_EQ(display_moment("2026-12-21T02:00:00Z", Lang::Fr), nb("20·décembre 2026 à 23·h"));
  EXPECT_FALSE(set_installation_time_zone("Europe/Atlantis"));
  EXPECT_FALSE(set_installation_time_zone(""));
  EXPECT_EQ(installation_time_zone().name(), "America/Cayenne") << "a refused name changes nothing";
}

TEST_F(CoreTimeDisplay, LocalMidnightAcrossTheChangesOfTheClock) {
  const TimeZone& paris = installation_time_zone();
  using std::chrono::year;
  EXPECT_EQ(iso8601(paris.start_of(year{2026} / 12 / 21)), "2026-12-20T23:00:00Z");
  EXPECT_EQ(iso8601(paris.start_of(year{2027} / 7 / 1)), "2027-06-30T22:00:00Z");
  // 29 March 2026: the clock goes from 02:00 to 03:00, so 02:30 never happens
  // there: the instant just after the gap.
  const auto skipped =
      std::chrono::local_days(std::chrono::sys_days(year{2026} / 3 / 29).time_since_epoch()) +
      std::chrono::hours(2) + std::chrono::minutes(30);
  EXPECT_EQ(iso8601(paris.instant(skipped)), "2026-03-29T01:00:00Z");
  // 25 October 2026: 02:30 happens twice; the first one.
  const auto repeated =
      std::chrono::local_days(std::chrono::sys_days(year{2026} / 10 / 25).time_since_epoch()) +
      std::chrono::hours(2) + std::chrono::minutes(30);
  EXPECT_EQ(iso8601(paris.instant(repeated)), "2026-10-25T00:30:00Z");
  EXPECT_EQ(paris.date_at(*parse_iso8601("2026-12-20T23:00:00Z")), year{2026} / 12 / 21);
}

TEST(CoreTime, DatesAsPeopleTypeThem) {
  using std::chrono::year;
  for (const char* typed : {"31/03/2027", "31/3/2027", " 31.03.2027 ", "31-03-2027", "2027-03-31"})
    EXPECT_EQ(parse_typed_date(typed), year{2027} / 3 / 31) << typed;
  for (const char* bad : {"", "31/03/27", "30/02/2027", "2027-02-30", "31/03-2027", "31/13/2027",
                          "2027/03/31", "31 mars 2027", "31/03/2027 12:00", "0031/03/2027"})
    EXPECT_FALSE(parse_typed_date(bad)) << bad;
  // With a time of day, for the phases of a process.
  const auto moment = parse_typed_moment("20/12/2026 18:30");
  ASSERT_TRUE(moment);
  EXPECT_EQ(moment->date, year{2026} / 12 / 20);
  EXPECT_EQ(moment->time, std::chrono::minutes(18 * 60 + 30));
  for (const char* same : {"20/12/2026 18 h 30", "20/12/2026 à 18 h 30", "20/12/2026 18h30"})
    EXPECT_EQ(parse_typed_moment(same)->time, std::chrono::minutes(18 * 60 + 30)) << same;
  EXPECT_EQ(parse_typed_moment("20/12/2026 18 h")->time, std::chrono::hours(18));
  EXPECT_FALSE(parse_typed_moment("20/12/2026")->time);
  for (const char* bad : {"20/12/2026 24:00", "20/12/2026 18:5", "20/12/2026 18",
                          "20/12/2026 18:30 pm", "20/12/202618:30"})
    EXPECT_FALSE(parse_typed_moment(bad)) << bad;
  EXPECT_EQ(typed_date_hint().fr, "jj/mm/aaaa, par exemple 31/03/2027");
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
