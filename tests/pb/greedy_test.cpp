// Greedy's order, where pabutools' choices are easy to get wrong.
#include <gtest/gtest.h>

#include "pb/rules.hpp"
#include "support/elections.hpp"

namespace fabrique::pb {
namespace {

// "free" costs nothing and has the most votes.
Election with_free_project() {
  return test::approval_election(10, {{"free", 0}, {"x", 4}, {"y", 5}},
                                 {{0, 1, 2}, {0, 1}, {0, 2}, {0}, {1}});
}

TEST(Greedy, FreeProjectHasNoDensityUnderCostUtility) {
  // pabutools: total Cost_Sat of a free project is 0, so density 0: it comes
  // last, after x (3 votes) and y (2 votes), and is still funded.
  Outcome outcome = greedy(with_free_project(), Utility::Cost, TieBreak::IdString);
  EXPECT_EQ(outcome.selected, (std::vector<ProjectIndex>{1, 2, 0}));
}

TEST(Greedy, FreeSupportedProjectComesFirstUnderCardinality) {
  // Cardinality_Sat: 4 > 0 over a cost of 0: infinite density.
  Outcome outcome = greedy(with_free_project(), Utility::Cardinality, TieBreak::IdString);
  EXPECT_EQ(outcome.selected.front(), 0u);
}

TEST(Greedy, TiesGoToTheIdAsAString) {
  // Same votes, same cost: "10" < "9" as strings.
  Election e = test::approval_election(5, {{"9", 5}, {"10", 5}}, {{0, 1}});
  EXPECT_EQ(greedy(e, Utility::Cost, TieBreak::IdString).selected, std::vector<ProjectIndex>{1});
  EXPECT_EQ(greedy(e, Utility::Cost, TieBreak::IdNatural).selected, std::vector<ProjectIndex>{0});
}

}  // namespace
}  // namespace fabrique::pb
