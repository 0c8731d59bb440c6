// `--rule official` reproduces the city's own result (the `selected` column,
// expected.json's official_selected_sorted) on every shared file whose META
// rule the engine knows.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "pb/pabulib.hpp"
#include "pb/rules.hpp"
#include "support/elections.hpp"
#include "support/paths.hpp"

namespace fabrique::pb {
namespace {

namespace json = boost::json;

json::object load_expected() {
  std::ifstream in(test::pabulib_dir() / "expected.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

using test::sorted_ids;

Election load(const std::string& file) {
  return read_pabulib_file((test::pabulib_dir() / file).string()).election;
}

TEST(OfficialRule, ReproducesEveryCityResult) {
  auto expected = load_expected();
  int checked = 0;
  for (const auto& [file, instance] : expected.at("instances").as_object()) {
    const auto& official = instance.at("official_selected_sorted");
    if (official.is_null()) continue;
    SCOPED_TRACE(std::string(file));
    Election e = load(std::string(file));
    std::vector<std::string> want;
    for (const auto& id : official.as_array()) want.emplace_back(id.as_string());
    Outcome outcome = count(e, {RuleName::Official});
    EXPECT_EQ(sorted_ids(e, outcome.selected), want);
    ++checked;
  }
  // Assen, Częstochowa, Gdynia, Katowice, both Kraków, Łódź, both Warszawa, Wieliczka.
  EXPECT_EQ(checked, 10);
}

// pabutools ignores min_project_score_threshold: on Warszawa 2026 its greedy
// funds a project under the 3,000-vote threshold, which the city did not.
TEST(OfficialRule, ThresholdIsWhatWarszawa2026Needs) {
  Election e = load("Poland_Warszawa_2026.pb");
  auto plain = count(e, {RuleName::Greedy, Utility::Cost});
  auto official = count(e, {RuleName::Official});
  EXPECT_NE(sorted_ids(e, plain.selected), sorted_ids(e, official.selected));
  auto below = std::find_if(plain.selected.begin(), plain.selected.end(), [&](ProjectIndex p) {
    return official.reports[p].fate == Fate::BelowThreshold;
  });
  EXPECT_NE(below, plain.selected.end()) << "the plain greedy funds a project under the threshold";
}

// Kraków 2021's ordinal ballots carry points (3, 2, 1): the city ranked by
// points, which the vote count does not reproduce.
TEST(OfficialRule, PointsAreWhatKrakow2021Needs) {
  Election e = load("Poland_Krakow_2021_Bienczyce.pb");
  ASSERT_TRUE(e.has_points);
  auto by_votes = count(e, {RuleName::Greedy, Utility::Cost});
  auto official = count(e, {RuleName::Official});
  EXPECT_NE(sorted_ids(e, by_votes.selected), sorted_ids(e, official.selected));
  EXPECT_EQ(official.utility_label, "points");
}

TEST(OfficialRule, UnknownRuleIsAClearError) {
  Election e = load(
      "US_Stanford_Dataset_Your_Voice_Your_Choice_Parks_and_Streets-_Seattle_2019_District_6_vote_"
      "rankings.pb");
  try {
    count(e, {RuleName::Official});
    FAIL() << "expected a RuleError";
  } catch (const RuleError& error) {
    EXPECT_NE(std::string(error.what()).find("'unknown'"), std::string::npos) << error.what();
  }
}

TEST(OfficialRule, GreedyNoSkipStopsAtFirstMisfit) {
  // a: 3 votes, b: 2, c: 1. a fits, b does not: the count stops before c.
  Election e =
      test::approval_election(10, {{"a", 6}, {"b", 6}, {"c", 1}}, {{0, 1, 2}, {0, 1}, {0}});
  e.meta.push_back({"rule", "greedy-no-skip"});
  auto outcome = count(e, {RuleName::Official});
  EXPECT_EQ(sorted_ids(e, outcome.selected), std::vector<std::string>{"a"});
  EXPECT_EQ(outcome.reports[2].fate, Fate::StoppedBeforeTurn);
  e.meta[0].value = "greedy";
  EXPECT_EQ(sorted_ids(e, count(e, {RuleName::Official}).selected),
            (std::vector<std::string>{"a", "c"}));
}

}  // namespace
}  // namespace fabrique::pb
