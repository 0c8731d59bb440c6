#include "budgets/process_rules.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace fabrique::budgets {
namespace {

const std::vector<DistrictChoice> kDistricts{{1, "centre", "Centre", "Centre"},
                                             {2, "port", "Le Port", "The Harbour"}};

ProcessForm good_form() {
  ProcessForm f;
  f.slug = "budget-2027";
  f.title_fr = "Budget participatif 2027";
  f.title_en = "Participatory budget 2027";
  f.description_fr = "Proposez et choisissez les projets de votre quartier.";
  f.description_en = "Propose and choose your district's projects.";
  f.total_amount = "300 000";
  f.district_amounts = {{"centre", "100000"}, {"port", "150 000 €"}};
  f.city_wide_amount = "50000";
  f.proposals_open = "2027-01-01";
  f.review_open = "2027-02-01";
  f.vote_open = "2027-03-01";
  f.vote_close = "2027-03-22";
  f.implementation_open = "2027-05-01";
  f.scope = "district-and-city";
  f.minimum_age = "16";
  f.ballot_type = "approval";
  f.min_choices = "1";
  f.max_choices = "3";
  f.points_total = "10";
  f.rule = "mes";
  return f;
}

TEST(ProcessRules, AGoodFormGivesTheProcessWithItsUnits) {
  const auto result = validate_process(good_form(), kDistricts);
  ASSERT_TRUE(result.errors.empty()) << result.errors.begin()->second.en;
  const Process& p = result.process;
  EXPECT_EQ(p.slug, "budget-2027");
  EXPECT_EQ(p.total_amount, 300000);
  ASSERT_EQ(p.units.size(), 3u);
  EXPECT_EQ(p.units[0].slug, "centre");
  EXPECT_EQ(p.units[0].district_id, 1);
  EXPECT_EQ(p.units[1].amount, 150000);
  EXPECT_TRUE(p.units[2].city_wide());
  // Midnight in Paris (UTC+1 in winter), where the installation is.
  EXPECT_EQ(p.schedule.vote_open, "2027-02-28T23:00:00Z");
  // The vote's last day is the 22nd: it closes when the 22nd ends.
  EXPECT_EQ(p.schedule.vote_close, "2027-03-22T23:00:00Z");
  EXPECT_EQ(p.rule, CountingRule::EqualShares);
  EXPECT_EQ(p.scope, Scope::OwnDistrictAndCityWide);
  EXPECT_EQ(p.max_choices, 3);
}

TEST(ProcessRules, TheTotalMustBeTheSumOfTheAmounts) {
  ProcessForm f = good_form();
  f.total_amount = "299999";
  const auto result = validate_process(f, kDistricts);
  ASSERT_TRUE(result.errors.contains("total_amount"));
  EXPECT_NE(result.errors.at("total_amount").en.find("€300,000"), std::string::npos)
      << result.errors.at("total_amount").en;
  EXPECT_NE(result.errors.at("total_amount").fr.find("300\u202f000"), std::string::npos);
}

TEST(ProcessRules, EachBadFieldIsNamed) {
  ProcessForm f = good_form();
  f.slug = "Budget 2027";
  f.title_en = "x";
  f.district_amounts["centre"] = "cent mille";
  f.vote_close = "2027-02-30";
  f.scope = "anyone";
  f.minimum_age = "-1";
  f.ballot_type = "plurality";
  f.rule = "borda";
  const auto errors = validate_process(f, kDistricts).errors;
  for (const char* field : {"slug", "title_en", "amount_centre", "vote_close", "scope",
                            "minimum_age", "ballot_type", "rule"})
    EXPECT_TRUE(errors.contains(field)) << field;
  EXPECT_FALSE(errors.contains("title_fr"));
}

TEST(ProcessRules, DatesMustFollowEachOther) {
  ProcessForm f = good_form();
  f.vote_close = "2027-02-28";   // the day before the opening: no vote at all
  f.review_open = "2026-12-01";  // before proposals open
  const auto errors = validate_process(f, kDistricts).errors;
  ASSERT_TRUE(errors.contains("vote_close"));
  EXPECT_EQ(errors.at("vote_close").en,
            "The last day of the vote must come on or after the opening of the vote.");
  ASSERT_TRUE(errors.contains("review_open"));
  EXPECT_EQ(errors.at("review_open").fr,
            "Le début de l'analyse ne peut pas précéder l'ouverture des propositions.");
}

TEST(ProcessRules, PhragmenCountsApprovalAndBudgetBallotsOnly) {
  ProcessForm f = good_form();
  f.rule = "phragmen";
  EXPECT_TRUE(validate_process(f, kDistricts).errors.empty());
  f.ballot_type = "knapsack";
  EXPECT_TRUE(validate_process(f, kDistricts).errors.empty());
  for (const char* type : {"cumulative", "ranked"}) {
    f.ballot_type = type;
    const auto errors = validate_process(f, kDistricts).errors;
    ASSERT_TRUE(errors.contains("rule")) << type;
    EXPECT_NE(errors.at("rule").en.find("approval and budget ballots only"), std::string::npos);
  }
}

TEST(ProcessRules, CityWideVotingNeedsACityWideAmount) {
  ProcessForm f = good_form();
  f.city_wide_amount = "";
  f.total_amount = "250000";
  EXPECT_TRUE(validate_process(f, kDistricts).errors.contains("city_wide_amount"));
  f.scope = "district";
  EXPECT_TRUE(validate_process(f, kDistricts).errors.empty());
}

TEST(ProcessRules, ApprovalLimitsMustBeOrdered) {
  ProcessForm f = good_form();
  f.min_choices = "4";
  f.max_choices = "3";
  EXPECT_TRUE(validate_process(f, kDistricts).errors.contains("max_choices"));
  f.ballot_type = "knapsack";  // limits do not apply to a knapsack ballot
  EXPECT_TRUE(validate_process(f, kDistricts).errors.empty());
}

Process saved() {
  Process p = validate_process(good_form(), kDistricts).process;
  p.id = 7;
  for (std::size_t i = 0; i < p.units.size(); ++i) p.units[i].id = 100 + static_cast<int>(i);
  return p;
}

TEST(ProcessRules, BeforeTheVoteEverythingButTheAddressMayChange) {
  ProcessForm f = good_form();
  f.slug = "another-name";
  f.district_amounts["centre"] = "90000";
  f.total_amount = "290000";
  f.rule = "greedy";
  const auto result = validate_edit(saved(), f, kDistricts, "2027-02-10T00:00:00Z");
  ASSERT_TRUE(result.errors.empty()) << result.errors.begin()->second.en;
  EXPECT_EQ(result.process.slug, "budget-2027");
  EXPECT_EQ(result.process.units[0].id, 100);
  EXPECT_EQ(result.process.units[0].amount, 90000);
}

TEST(ProcessRules, OnceTheVoteHasOpenedTheBallotIsFixed) {
  ProcessForm f = good_form();
  f.rule = "greedy";
  f.max_choices = "5";
  f.district_amounts["centre"] = "90000";
  f.total_amount = "290000";
  const auto errors = validate_edit(saved(), f, kDistricts, "2027-03-05T12:00:00Z").errors;
  EXPECT_TRUE(errors.contains("rule"));
  EXPECT_TRUE(errors.contains("ballot_type"));
  EXPECT_TRUE(errors.contains("total_amount"));

  // Texts and a later close may still change.
  ProcessForm texts = good_form();
  texts.title_en = "Participatory budget 2027, extended";
  texts.vote_close = "2027-03-29";
  EXPECT_TRUE(validate_edit(saved(), texts, kDistricts, "2027-03-05T12:00:00Z").errors.empty());
  // But the close cannot be put in the past by hand.
  texts.vote_close = "2027-03-04";
  EXPECT_TRUE(validate_edit(saved(), texts, kDistricts, "2027-03-05T12:00:00Z")
                  .errors.contains("vote_close"));
}

TEST(ProcessRules, DistrictsAreFixedOnceProposalsOpen) {
  ProcessForm f = good_form();
  f.district_amounts.erase("port");
  f.total_amount = "150000";
  EXPECT_TRUE(
      validate_edit(saved(), f, kDistricts, "2027-01-10T00:00:00Z").errors.contains("districts"));
  EXPECT_TRUE(validate_edit(saved(), f, kDistricts, "2026-12-10T00:00:00Z").errors.empty());
}

TEST(ProcessRules, OpeningTheNextPhaseMovesOneDate) {
  const Schedule s = saved().schedule;
  const auto next = open_next_phase(s, "2027-02-10T08:00:00Z");  // in review
  ASSERT_TRUE(next);
  EXPECT_EQ(next->vote_open, "2027-02-10T08:00:00Z");
  EXPECT_EQ(next->vote_close, s.vote_close);
  EXPECT_EQ(phase_at(*next, "2027-02-10T08:00:00Z"), Phase::Vote);
  EXPECT_FALSE(open_next_phase(s, "2027-06-01T00:00:00Z"));
}

TEST(ProcessRules, DatesAsStaffTypeThem) {
  ProcessForm f = good_form();
  f.vote_open = "01/03/2027";
  f.vote_close = "01/03/2027";  // a vote of one day
  f.implementation_open = "  2027-05-01 ";
  auto result = validate_process(f, kDistricts);
  ASSERT_TRUE(result.errors.empty()) << result.errors.begin()->second.en;
  EXPECT_EQ(result.process.schedule.vote_open, "2027-02-28T23:00:00Z");
  EXPECT_EQ(result.process.schedule.vote_close, "2027-03-01T23:00:00Z");
  // A time after the date: that moment, local (summer time from 28 March).
  f.vote_close = "01/04/2027 18:30";
  result = validate_process(f, kDistricts);
  ASSERT_TRUE(result.errors.empty());
  EXPECT_EQ(result.process.schedule.vote_close, "2027-04-01T16:30:00Z");
  // Shown back in the form as typed; the last day at midnight as that day.
  EXPECT_EQ(form_of(result.process).vote_close, "01/04/2027 18:30");
  EXPECT_EQ(form_of(result.process).vote_open, "01/03/2027");
  EXPECT_EQ(form_of(saved()).vote_close, "22/03/2027");
  // What is not a date says what is expected.
  f.vote_open = "1er mars";
  const auto errors = validate_process(f, kDistricts).errors;
  ASSERT_TRUE(errors.contains("vote_open"));
  EXPECT_EQ(errors.at("vote_open").fr,
            "L'ouverture du vote doit être une date (jj/mm/aaaa, par exemple 31/03/2027).");
}

TEST(ProcessRules, SavingTheFormUnchangedDuringTheVoteChangesNothing) {
  // The vote was opened by "open the next phase now", at a time with seconds.
  Process p = saved();
  p.schedule.vote_open = "2027-02-10T08:00:17Z";
  const auto result = validate_edit(p, form_of(p), kDistricts, "2027-02-11T00:00:00Z");
  EXPECT_TRUE(result.errors.empty()) << result.errors.begin()->second.en;
  EXPECT_EQ(result.process.schedule.vote_open, "2027-02-10T08:00:17Z");
  EXPECT_EQ(result.process.schedule.vote_close, p.schedule.vote_close);
  // Moving it is still refused.
  ProcessForm moved = form_of(p);
  moved.vote_open = "10/02/2027 10:00";
  EXPECT_TRUE(
      validate_edit(p, moved, kDistricts, "2027-02-11T00:00:00Z").errors.contains("vote_open"));
}

TEST(ProcessRules, TheFormOfAProcessValidatesBackToIt) {
  const Process p = saved();
  const auto again = validate_process(form_of(p), kDistricts);
  ASSERT_TRUE(again.errors.empty());
  EXPECT_EQ(again.process.schedule.vote_close, p.schedule.vote_close);
  EXPECT_EQ(again.process.units.size(), p.units.size());
}

TEST(Phases, FollowTheDates) {
  const Schedule s = saved().schedule;
  // Local midnight in Paris: 23:00 UTC the day before, in winter.
  EXPECT_EQ(phase_at(s, "2026-12-31T22:59:59Z"), Phase::Upcoming);
  EXPECT_EQ(phase_at(s, "2026-12-31T23:00:00Z"), Phase::Proposals);
  EXPECT_EQ(phase_at(s, "2027-02-15T00:00:00Z"), Phase::Review);
  // The 22nd is the last day of the vote, to its end.
  EXPECT_EQ(phase_at(s, "2027-03-22T22:59:59Z"), Phase::Vote);
  EXPECT_EQ(phase_at(s, "2027-03-22T23:00:00Z"), Phase::Results);
  EXPECT_EQ(phase_at(s, "2027-05-01T00:00:00Z"), Phase::Implementation);
}

TEST(Amounts, AreWrittenTheWayEachLanguageDoes) {
  EXPECT_EQ(format_amount(1234567, Lang::En), "€1,234,567");
  EXPECT_EQ(format_amount(1234567, Lang::Fr), "1\u202f234\u202f567\u00a0€");
  EXPECT_EQ(format_amount(500, Lang::Fr), "500\u00a0€");
}

}  // namespace
TEST(PlainWords, EveryRulePhaseAndStatusIsExplained) {
  std::vector<Text> all;
  for (CountingRule r : {CountingRule::Greedy, CountingRule::EqualShares, CountingRule::Phragmen})
    all.push_back(rule_explanation(r));
  for (Phase p : {Phase::Upcoming, Phase::Proposals, Phase::Review, Phase::Vote, Phase::Results,
                  Phase::Implementation})
    all.push_back(phase_explanation(p));
  for (ReviewStatus s : {ReviewStatus::Submitted, ReviewStatus::Feasible, ReviewStatus::Infeasible,
                         ReviewStatus::Merged})
    all.push_back(review_status_explanation(s));
  for (ImplementationStatus s : {ImplementationStatus::Planned, ImplementationStatus::InProgress,
                                 ImplementationStatus::Done, ImplementationStatus::Abandoned})
    all.push_back(implementation_status_explanation(s));
  std::set<std::string> different;
  for (const Text& t : all) {
    // One sentence or two, ended, in each language.
    EXPECT_GT(t.en.size(), 15u) << t.en;
    EXPECT_GT(t.fr.size(), 15u) << t.fr;
    EXPECT_EQ(t.en.back(), '.') << t.en;
    EXPECT_EQ(t.fr.back(), '.') << t.fr;
    EXPECT_NE(t.en, t.fr);
    different.insert(t.fr);
  }
  EXPECT_EQ(different.size(), all.size()) << "each says its own thing";
  EXPECT_NE(rule_explanation(CountingRule::EqualShares).fr.find("la même part du budget"),
            std::string::npos);
}

}  // namespace fabrique::budgets
