// Absurd amounts (a hostile or broken file) give a clear refusal or an exact
// answer, never a wrapped-around count.
#include <gtest/gtest.h>

#include <limits>

#include "pb/rule_support.hpp"
#include "pb/rules.hpp"
#include "support/elections.hpp"

namespace fabrique::pb {
namespace {

constexpr std::int64_t kHuge = std::numeric_limits<std::int64_t>::max() / 2 + 1;  // 2^62

TEST(Overflow, PointTotalsPast63BitsAreRefused) {
  Election e = test::approval_election(10, {{"a", 5}, {"b", 5}}, {{0}, {0}, {1}});
  e.vote_type = VoteType::Cumulative;
  e.has_points = true;
  e.ballots[0].points = {kHuge};
  e.ballots[1].points = {kHuge};
  e.ballots[2].points = {1};
  for (RuleName rule : {RuleName::Greedy, RuleName::EqualShares, RuleName::MaxWelfare})
    EXPECT_THROW(count(e, {rule, Utility::Points}), RuleError) << to_string(rule);
  // Counting by votes is unaffected.
  EXPECT_EQ(count(e, {RuleName::Greedy, Utility::Cost}).selected.size(), 2u);
}

TEST(Overflow, EqualSharesRefusesUtilityPast63Bits) {
  // Cost utility: three supporters x a cost of 2^62.
  Election e = test::approval_election(kHuge, {{"a", kHuge}}, {{0}, {0}, {0}});
  EXPECT_THROW(equal_shares(e, Utility::Cost, TieBreak::IdString), RuleError);
  EXPECT_NO_THROW(equal_shares(e, Utility::Cardinality, TieBreak::IdString));
}

TEST(Overflow, MaxWelfareStaysExactWithHugeCosts) {
  // Welfare = votes x cost: products of these pass 2^127 in the bound.
  Election e = test::approval_election(kHuge, {{"a", kHuge}, {"b", kHuge / 2}, {"c", kHuge / 2}},
                                       {{0, 1, 2}, {0, 1, 2}, {0}, {1, 2}});
  Outcome outcome = max_welfare(e, Utility::Cost, TieBreak::IdString);
  // a alone: 3 x 2^62; b and c: 3 x 2^61 + 3 x 2^61 = 3 x 2^62. Tie: denser first.
  EXPECT_LE(outcome.total_cost, e.budget);
  EXPECT_EQ(welfare(e, Utility::Cost, outcome.selected), mpz_class(3) * (mpz_class(1) << 62));
}

TEST(Overflow, ProductComparisonPast128Bits) {
  using detail::Wide;
  const Wide big = Wide(1) << 100;
  EXPECT_EQ(detail::compare_products(big, big, big, big), 0);
  EXPECT_EQ(detail::compare_products(big, big + 1, big, big), 1);
  EXPECT_EQ(detail::compare_products(3, 4, 2, 6), 0);
  EXPECT_EQ(detail::compare_products(3, 4, 2, 7), -1);
}

}  // namespace
}  // namespace fabrique::pb
