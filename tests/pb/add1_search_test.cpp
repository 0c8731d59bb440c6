// mes-add1 skips stretches of shares only where it has proved the outcome
// cannot change: its answer is the one a walk over every currency unit gives.
#include <gtest/gtest.h>

#include <random>

#include "pb/pabulib.hpp"
#include "pb/rule_support.hpp"
#include "pb/rules.hpp"
#include "support/paths.hpp"

namespace fabrique::pb {
namespace {

// What pabutools does: one MES run per currency unit of share.
std::vector<ProjectIndex> walk_every_unit(const Election& e, Add1Stop stop,
                                          std::int64_t* final_extra) {
  auto votes = detail::vote_counts(e);
  std::vector<ProjectIndex> candidates, previous;
  for (ProjectIndex p = 0; p < e.projects.size(); ++p)
    if (votes[p] > 0) (e.projects[p].cost > 0 ? candidates : previous).push_back(p);
  const std::size_t everything = candidates.size() + previous.size();
  *final_extra = -1;
  for (std::int64_t extra = 0;; extra += e.cost_scale) {
    auto selected = equal_shares_selection(e, Utility::Cost, TieBreak::IdString, extra);
    if (detail::total_cost(e, selected) > e.budget) return previous;
    *final_extra = extra;
    if (stop == Add1Stop::Exhaustive && detail::is_exhaustive_among(e, selected, candidates))
      return selected;
    if (selected.size() == everything) return selected;
    previous = std::move(selected);
  }
}

Election random_election(std::mt19937_64& rng) {
  Election e;
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int projects = pick(3, 6), voters = pick(4, 10);
  for (int p = 0; p < projects; ++p) {
    Project project;
    project.id = std::to_string(pick(1, 40) * 10 + p);
    // Costs in "forint": shares of a few thousand units per voter.
    project.cost = pick(1, 8) * 2500 + pick(0, 3) * 137;
    e.projects.push_back(project);
  }
  e.budget = pick(2, 5) * 6000;
  for (int v = 0; v < voters; ++v) {
    Ballot ballot;
    ballot.voter_id = std::to_string(v);
    for (ProjectIndex p = 0; p < e.projects.size(); ++p)
      if (pick(0, 2) == 0) ballot.projects.push_back(p);
    e.ballots.push_back(ballot);
  }
  return e;
}

TEST(Add1Search, SameAnswerAsWalkingEveryUnit) {
  std::mt19937_64 rng(20261121);
  int skipped = 0;
  for (int round = 0; round < 16; ++round) {
    Election e = random_election(rng);
    for (Add1Stop stop : {Add1Stop::Exhaustive, Add1Stop::Overspend}) {
      std::int64_t walked_extra = 0;
      auto walked = walk_every_unit(e, stop, &walked_extra);
      Outcome fast = equal_shares_add1(e, Utility::Cost, TieBreak::IdString, stop);
      EXPECT_EQ(fast.selected, walked) << "instance " << round;
      if (walked_extra > 0 && fast.budget_steps < walked_extra) ++skipped;
    }
  }
  EXPECT_GT(skipped, 0) << "the search never skipped a step";
}

// Assen 2024 with every amount multiplied by 1,000 (a forint-sized budget):
// pabutools would run MES 843,000 times to reach the answer.
TEST(Add1Search, ForintSizedBudgetNeedsFewRuns) {
  Election e =
      read_pabulib_file((test::pabulib_dir() / "Netherlands_Assen_2024.pb").string()).election;
  Outcome plain = equal_shares_add1(e, Utility::Cost, TieBreak::IdString, Add1Stop::Exhaustive);
  for (auto& project : e.projects) project.cost *= 1000;
  e.budget *= 1000;
  Outcome scaled = equal_shares_add1(e, Utility::Cost, TieBreak::IdString, Add1Stop::Exhaustive);
  EXPECT_EQ(scaled.selected, plain.selected);
  mpq_class base(mpz_class(static_cast<long>(e.budget)),
                 mpz_class(static_cast<long>(e.ballots.size())));
  base.canonicalize();
  mpq_class units = scaled.voter_budget - base;
  EXPECT_GT(units, 800000) << "the answer lies far from B/n";
  EXPECT_LT(scaled.budget_steps, 20000) << "runs actually computed";
}

}  // namespace
}  // namespace fabrique::pb
