// The count of one budget, pure: the election built from the stored ballots,
// its .pb text, and the result counted from that text.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "budgets/count.hpp"
#include "pb/pabulib.hpp"
#include "pb/rules.hpp"

namespace fabrique::budgets {
namespace {

Process a_process(BallotType type, CountingRule rule) {
  Process p;
  p.id = 7;
  p.slug = "quartiers-2026";
  p.title_fr = "Budget des quartiers 2026";
  p.title_en = "Neighbourhood budget 2026";
  p.schedule = {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z",
                "2026-03-22T00:00:00Z", "2026-04-01T00:00:00Z"};
  p.ballot_type = type;
  p.rule = rule;
  p.min_choices = 1;
  p.max_choices = 3;
  p.points_total = 10;
  p.units = {Unit{11, 1, "centre", "Centre-ville", "City centre", 100},
             Unit{12, 2, "port", "Le Port", "The Harbour", 80}};
  return p;
}

Project a_project(std::int64_t id, std::int64_t unit_id, Amount cost, ReviewStatus status,
                  std::string title) {
  Project p;
  p.id = id;
  p.process_id = 7;
  p.unit_id = unit_id;
  p.title = std::move(title);
  p.estimated_cost = cost;
  p.status = status;
  return p;
}

// Centre: 1 (60), 2 (50), 3 (40) feasible, 4 infeasible; 5 belongs to the harbour.
std::vector<Project> projects() {
  auto revised = a_project(2, 11, 55, ReviewStatus::Feasible, "Bancs; et \"tables\"");
  revised.final_cost = 50;  // the count uses the reviewed cost
  return {a_project(1, 11, 60, ReviewStatus::Feasible, "Jardin partagé"), revised,
          a_project(3, 11, 40, ReviewStatus::Feasible, "Fontaine"),
          a_project(4, 11, 10, ReviewStatus::Infeasible, "Téléphérique"),
          a_project(5, 12, 30, ReviewStatus::Feasible, "Ponton")};
}

StoredBallot ballot(std::vector<Choice> choices) { return {11, std::move(choices)}; }

std::vector<StoredBallot> approval_ballots() {
  std::vector<StoredBallot> out;
  for (int i = 0; i < 5; ++i) out.push_back(ballot({{1, 1}}));
  for (int i = 0; i < 3; ++i) out.push_back(ballot({{3, 1}, {2, 1}}));
  for (int i = 0; i < 2; ++i) out.push_back(ballot({{3, 1}}));
  return out;
}

std::vector<std::string> ids_of(const pb::Election& e, const std::vector<pb::ProjectIndex>& sel) {
  std::vector<std::string> out;
  for (auto p : sel) out.push_back(e.projects[p].id);
  return out;
}

// Each ballot as "id,id" (or "id:points,..."), sorted: the profile as a multiset.
std::vector<std::string> profile(const pb::Election& e) {
  std::vector<std::string> out;
  for (const auto& b : e.ballots) {
    std::string row;
    for (std::size_t k = 0; k < b.projects.size(); ++k) {
      row += e.projects[b.projects[k]].id;
      if (!b.points.empty()) row += ":" + std::to_string(b.points[k]);
      row += ",";
    }
    out.push_back(row);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(BudgetCount, AnApprovalElectionHoldsTheUnitsFeasibleProjectsAndNoVoterIdentity) {
  const Process process = a_process(BallotType::Approval, CountingRule::Greedy);
  const pb::Election e = build_election(process, process.units[0], projects(), approval_ballots());
  ASSERT_EQ(e.projects.size(), 3u);  // not the infeasible one, not the harbour's
  EXPECT_EQ(e.projects[0].id, "1");
  EXPECT_EQ(e.projects[1].id, "2");
  EXPECT_EQ(e.projects[1].cost, 50);
  EXPECT_EQ(e.projects[2].name, "Fontaine");
  EXPECT_EQ(e.budget, 100);
  EXPECT_EQ(e.vote_type, pb::VoteType::Approval);
  EXPECT_FALSE(e.has_points);
  EXPECT_EQ(*e.meta_value("rule"), "greedy");
  EXPECT_EQ(*e.meta_value("instance"), "quartiers-2026");
  EXPECT_EQ(*e.meta_value("unit"), "Centre-ville");
  EXPECT_EQ(*e.meta_value("country"), "France");
  EXPECT_EQ(*e.meta_value("num_votes"), "10");
  EXPECT_EQ(*e.meta_value("num_projects"), "3");
  EXPECT_EQ(*e.meta_value("date_begin"), "01.03.2026");
  EXPECT_EQ(*e.meta_value("date_end"), "21.03.2026");  // closes at midnight: the day before
  EXPECT_EQ(e.min_length, 1);
  EXPECT_EQ(e.max_length, 3);
  ASSERT_EQ(e.ballots.size(), 10u);
  for (std::size_t i = 0; i < e.ballots.size(); ++i)
    EXPECT_EQ(e.ballots[i].voter_id, std::to_string(i + 1));
  // An approval ballot is a set, written in project order.
  for (const auto& b : e.ballots) EXPECT_TRUE(std::is_sorted(b.projects.begin(), b.projects.end()));

  // The file reads back as the same election, quotes and semicolons included.
  const std::string text = pb::write_pabulib(e);
  const pb::Election back = pb::read_pabulib(text, "centre.pb", {.strict = true}).election;
  EXPECT_EQ(back.projects[1].name, "Bancs; et \"tables\"");
  EXPECT_EQ(profile(back), profile(e));
}

TEST(BudgetCount, ShufflingKeepsEveryBallotAndChangesTheOrder) {
  const Process process = a_process(BallotType::Approval, CountingRule::Greedy);
  std::vector<StoredBallot> ballots;
  for (int i = 0; i < 60; ++i)
    ballots.push_back(ballot(i % 3 == 0   ? std::vector<Choice>{{1, 1}}
                             : i % 3 == 1 ? std::vector<Choice>{{2, 1}, {3, 1}}
                                          : std::vector<Choice>{{1, 1}, {2, 1}, {3, 1}}));
  const pb::Election first = build_election(process, process.units[0], projects(), ballots);
  const pb::Election second = build_election(process, process.units[0], projects(), ballots);
  EXPECT_EQ(profile(first), profile(second));
  EXPECT_EQ(first.ballots.size(), 60u);
  std::vector<std::size_t> sizes_first, sizes_second, sizes_stored;
  for (const auto& b : first.ballots) sizes_first.push_back(b.projects.size());
  for (const auto& b : second.ballots) sizes_second.push_back(b.projects.size());
  for (const auto& b : ballots) sizes_stored.push_back(b.choices.size());
  // 60 ballots in 3 kinds: the chance of two equal permutations is nil.
  EXPECT_NE(sizes_first, sizes_second);
  EXPECT_NE(sizes_first, sizes_stored);
}

TEST(BudgetCount, CumulativeBallotsCarryTheirPoints) {
  const Process process = a_process(BallotType::Cumulative, CountingRule::Greedy);
  const std::vector<StoredBallot> ballots{ballot({{3, 6}, {1, 4}}), ballot({{2, 10}}),
                                          ballot({{1, 7}, {3, 3}})};
  const CountedUnit counted = count_unit(process, process.units[0], projects(), ballots);
  const pb::Election e = pb::read_pabulib(counted.pabulib, "c.pb", {.strict = true}).election;
  EXPECT_EQ(e.vote_type, pb::VoteType::Cumulative);
  EXPECT_TRUE(e.has_points);
  EXPECT_EQ(e.max_sum_points, 10);
  EXPECT_EQ(profile(e), (std::vector<std::string>{"1:4,3:6,", "1:7,3:3,", "2:10,"}));
  // Greedy ranks by points: 1 (11), 2 (10), 3 (9); 1 + 2 cost 110 > 100, so 1 then 3.
  EXPECT_EQ(counted.result.funded, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(counted.result.project("1")->points, 11);
  EXPECT_EQ(counted.result.project("2")->points, 10);
  EXPECT_EQ(counted.result.project("1")->votes, 2);
}

TEST(BudgetCount, RankedBallotsKeepTheVotersOrder) {
  const Process process = a_process(BallotType::Ranked, CountingRule::EqualShares);
  const std::vector<StoredBallot> ballots{ballot({{3, 1}, {1, 1}, {2, 1}}),
                                          ballot({{2, 1}, {1, 1}})};
  const pb::Election e = build_election(process, process.units[0], projects(), ballots);
  EXPECT_EQ(e.vote_type, pb::VoteType::Ordinal);
  EXPECT_EQ(*e.meta_value("rule"), "equalshares/add1");
  EXPECT_EQ(profile(e), (std::vector<std::string>{"2,1,", "3,1,2,"}));
}

TEST(BudgetCount, KnapsackBallotsAreApprovalsWithTheBudgetAsLimit) {
  const Process process = a_process(BallotType::Knapsack, CountingRule::Phragmen);
  const pb::Election e = build_election(process, process.units[0], projects(), approval_ballots());
  EXPECT_EQ(e.vote_type, pb::VoteType::Approval);
  EXPECT_EQ(*e.meta_value("max_sum_cost"), "100");
  EXPECT_EQ(*e.meta_value("rule"), "phragmen");
  EXPECT_FALSE(e.max_length.has_value());
}

TEST(BudgetCount, TheResultIsWhatTheOfficialRuleGivesOnThePublishedText) {
  for (CountingRule rule :
       {CountingRule::Greedy, CountingRule::EqualShares, CountingRule::Phragmen}) {
    const Process process = a_process(BallotType::Approval, rule);
    const CountedUnit counted =
        count_unit(process, process.units[0], projects(), approval_ballots());
    const pb::Election e = pb::read_pabulib(counted.pabulib, "x.pb").election;
    pb::RuleOptions options;
    options.rule = pb::RuleName::Official;  // as `fabrique pb count --rule official`
    const pb::Outcome recount = pb::count(e, options);
    EXPECT_EQ(ids_of(e, recount.selected), counted.result.funded) << rule_name(rule);
    EXPECT_EQ(recount.total_cost, counted.result.total_cost);
    EXPECT_FALSE(counted.result.funded.empty());
    EXPECT_EQ(counted.result.rule, pabulib_rule(rule));
    EXPECT_EQ(counted.result.ballots, 10);
    EXPECT_EQ(counted.result.budget, 100);
    // A recount of a fresh shuffle gives the same result.
    const CountedUnit again = count_unit(process, process.units[0], projects(), approval_ballots());
    EXPECT_EQ(again.result.funded, counted.result.funded);
  }
  const Process greedy = a_process(BallotType::Approval, CountingRule::Greedy);
  const UnitResult r = count_unit(greedy, greedy.units[0], projects(), approval_ballots()).result;
  // 1 and 3 have 5 votes each, 2 has 3: 1 (60) and 3 (40) fill the 100.
  EXPECT_EQ(r.funded, (std::vector<std::string>{"1", "3"}));
  ASSERT_EQ(r.projects.size(), 3u);
  const ProjectResult* benches = r.project("2");
  EXPECT_FALSE(benches->selected);
  EXPECT_EQ(benches->fate, "did-not-fit");
  EXPECT_EQ(benches->votes, 3);
  EXPECT_EQ(benches->project_id, 2);
  EXPECT_EQ(benches->title, "Bancs; et \"tables\"");
  EXPECT_NE(benches->explanation.en.find("only 0 EUR was left"), std::string::npos)
      << benches->explanation.en;
  EXPECT_NE(benches->explanation.fr.find("non financé"), std::string::npos);
  EXPECT_EQ(r.project("1")->round, 1);
  EXPECT_EQ(r.project("3")->round, 2);
  EXPECT_NE(r.summary.en.find("Spent: 100 EUR of 100 EUR"), std::string::npos) << r.summary.en;
}

TEST(BudgetCount, AUnitNobodyVotedInFundsNothingAndSaysWhy) {
  const Process process = a_process(BallotType::Approval, CountingRule::Greedy);
  const CountedUnit counted = count_unit(process, process.units[0], projects(), {});
  EXPECT_TRUE(counted.result.funded.empty());
  EXPECT_EQ(counted.result.ballots, 0);
  EXPECT_EQ(counted.result.total_cost, 0);
  EXPECT_NE(counted.result.summary.en.find("No ballot was cast"), std::string::npos);
  ASSERT_EQ(counted.result.projects.size(), 3u);  // still listed, with the reason
  for (const auto& p : counted.result.projects) {
    EXPECT_EQ(p.fate, kNoBallotFate);
    EXPECT_NE(p.explanation.fr.find("aucun bulletin"), std::string::npos);
  }
  // The file recounts to nothing under every rule, as published.
  const pb::Election e = pb::read_pabulib(counted.pabulib, "empty.pb").election;
  EXPECT_TRUE(e.projects.empty());
  for (const RuleOutcome& o : compare(counted.pabulib)) {
    EXPECT_TRUE(o.applies);
    EXPECT_TRUE(o.funded.empty());
  }
  pb::RuleOptions options;
  options.rule = pb::RuleName::Official;
  EXPECT_TRUE(pb::count(e, options).selected.empty());

  // A unit without a feasible project: nothing was on its ballot.
  const CountedUnit harbour = count_unit(process, process.units[1], {}, {});
  EXPECT_TRUE(harbour.result.projects.empty());
  EXPECT_NE(harbour.result.summary.fr.find("Aucun projet"), std::string::npos);
}

TEST(BudgetCount, ResultsSurviveJson) {
  const Process process = a_process(BallotType::Cumulative, CountingRule::Greedy);
  const UnitResult r =
      count_unit(process, process.units[0], projects(), {ballot({{3, 6}, {1, 4}})}).result;
  const std::string text = boost::json::serialize(to_json(r));
  const UnitResult back = unit_result_from_json(boost::json::parse(text));
  EXPECT_EQ(boost::json::serialize(to_json(back)), text);
  EXPECT_EQ(back.funded, r.funded);
  EXPECT_EQ(back.projects.at(0).points, r.projects.at(0).points);
  EXPECT_EQ(back.summary.fr, r.summary.fr);
  EXPECT_THROW(unit_result_from_json(boost::json::parse("{\"rule\": 1}")), CountError);
}

TEST(BudgetCount, RulesAreComparedAndPhragmenRefusesRankings) {
  const Process approval = a_process(BallotType::Approval, CountingRule::Greedy);
  const auto outcomes =
      compare(count_unit(approval, approval.units[0], projects(), approval_ballots()).pabulib);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].rule, CountingRule::Greedy);
  EXPECT_EQ(outcomes[0].funded, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(outcomes[1].rule, CountingRule::EqualShares);
  EXPECT_EQ(outcomes[2].rule, CountingRule::Phragmen);
  for (const auto& o : outcomes) EXPECT_TRUE(o.applies);

  const Process ranked = a_process(BallotType::Ranked, CountingRule::Greedy);
  const auto ranked_outcomes =
      compare(count_unit(ranked, ranked.units[0], projects(), approval_ballots()).pabulib);
  EXPECT_TRUE(ranked_outcomes[0].applies);
  EXPECT_FALSE(ranked_outcomes[2].applies);
  EXPECT_NE(ranked_outcomes[2].error.en.find("approval"), std::string::npos);

  const Process phragmen_ranked = a_process(BallotType::Ranked, CountingRule::Phragmen);
  try {
    count_unit(phragmen_ranked, phragmen_ranked.units[0], projects(), approval_ballots());
    ADD_FAILURE() << "Phragmén counted a ranking";
  } catch (const CountError& error) {
    EXPECT_NE(error.text().en.find("City centre"), std::string::npos) << error.text().en;
  }
}

TEST(BudgetCount, TheComparisonIsCountedWithTheResult) {
  for (CountingRule rule :
       {CountingRule::Greedy, CountingRule::EqualShares, CountingRule::Phragmen}) {
    const Process process = a_process(BallotType::Approval, rule);
    const CountedUnit counted =
        count_unit(process, process.units[0], projects(), approval_ballots());
    const std::vector<RuleOutcome> again = compare(counted.pabulib);
    ASSERT_EQ(counted.comparison.size(), 3u);
    for (std::size_t i = 0; i < again.size(); ++i) {
      EXPECT_EQ(counted.comparison[i].rule, again[i].rule);
      EXPECT_EQ(counted.comparison[i].funded, again[i].funded) << rule_name(again[i].rule);
      EXPECT_EQ(counted.comparison[i].total_cost, again[i].total_cost);
      if (again[i].rule == rule) {  // the official count, reused
        EXPECT_EQ(counted.comparison[i].funded, counted.result.funded);
        EXPECT_EQ(counted.comparison[i].total_cost, counted.result.total_cost);
      }
    }
  }
  // A rule that does not apply says why, in the comparison too.
  const Process ranked = a_process(BallotType::Ranked, CountingRule::Greedy);
  const CountedUnit counted = count_unit(ranked, ranked.units[0], projects(), approval_ballots());
  ASSERT_EQ(counted.comparison.size(), 3u);
  EXPECT_TRUE(counted.comparison[0].applies);
  EXPECT_FALSE(counted.comparison[2].applies);
  EXPECT_NE(counted.comparison[2].error.fr.find("approbation"), std::string::npos)
      << counted.comparison[2].error.fr;
}

TEST(BudgetCount, ComparisonsSurviveJson) {
  const Process ranked = a_process(BallotType::Ranked, CountingRule::Greedy);
  const auto comparison =
      count_unit(ranked, ranked.units[0], projects(), approval_ballots()).comparison;
  const std::string text = boost::json::serialize(to_json(comparison));
  const std::vector<RuleOutcome> back = comparison_from_json(boost::json::parse(text));
  EXPECT_EQ(boost::json::serialize(to_json(back)), text);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].funded, comparison[0].funded);
  EXPECT_EQ(back[1].rule, CountingRule::EqualShares);
  EXPECT_FALSE(back[2].applies);
  EXPECT_EQ(back[2].error.en, comparison[2].error.en);
  EXPECT_THROW(comparison_from_json(boost::json::parse("{}")), CountError);
  EXPECT_THROW(comparison_from_json(boost::json::parse(
                   R"([{"rule": "lottery", "applies": true, "funded": [], "total_cost": 0}])")),
               CountError);
}

TEST(BudgetCount, ABallotForAProjectNotOnTheBallotStopsTheCount) {
  const Process process = a_process(BallotType::Approval, CountingRule::Greedy);
  EXPECT_THROW(count_unit(process, process.units[0], projects(), {ballot({{4, 1}})}), CountError);
}

}  // namespace
}  // namespace fabrique::budgets
