// The public explanation: every project gets a sentence, in both languages,
// with figures that match the count.
#include <gtest/gtest.h>

#include "pb/explain.hpp"
#include "pb/pabulib.hpp"
#include "support/elections.hpp"
#include "support/text.hpp"

namespace fabrique::pb {
namespace {

// Budget 100; a: cost 60 (3 votes), b: 50 (2 votes), c: 999999999 (1 vote), d: 10 (none).
Election small_city() {
  Election e = test::approval_election(
      100, {{"a", 60}, {"b", 50}, {"c", kNotFeasibleCost}, {"d", 10}}, {{0, 1, 2}, {0, 1}, {0}});
  e.meta = {{"currency", "EUR"}, {"rule", "greedy-threshold"}};
  e.min_project_score_threshold = 2;
  for (auto& project : e.projects) project.name = "Projet " + project.id;
  return e;
}

using fabrique::test::contains;

TEST(Explain, GreedyTellsWhatWasLeft) {
  Election e = small_city();
  Outcome o = greedy(e, Utility::Cost, TieBreak::IdString);
  ASSERT_EQ(o.selected, (std::vector<ProjectIndex>{0, 3}));
  Explanation en = explain(e, o, Lang::En);
  Explanation fr = explain(e, o, Lang::Fr);
  ASSERT_EQ(en.projects.size(), 4u);
  EXPECT_TRUE(contains(en.projects[0], "a (Projet a): funded as number 1 (3 votes, cost 60 EUR)"))
      << en.projects[0];
  EXPECT_TRUE(contains(en.projects[1], "it costs 50 EUR, but only 40 EUR was left"))
      << en.projects[1];
  EXPECT_TRUE(contains(fr.projects[1], "il coûte 50 EUR, mais il ne restait que 40 EUR"))
      << fr.projects[1];
  EXPECT_TRUE(contains(en.projects[2], "could not be carried out")) << en.projects[2];
  EXPECT_TRUE(contains(fr.projects[2], "irréalisable")) << fr.projects[2];
  EXPECT_TRUE(contains(en.summary, "Spent: 70 EUR of 100 EUR; 2\u00a0projects funded"))
      << en.summary;
  EXPECT_TRUE(contains(fr.summary, "Dépensé\u202f: 70 EUR sur 100 EUR")) << fr.summary;
}

TEST(Explain, ThresholdAndNoSupport) {
  Election e = small_city();
  Outcome o = official(e, TieBreak::IdString);
  Explanation en = explain(e, o, Lang::En);
  Explanation fr = explain(e, o, Lang::Fr);
  EXPECT_TRUE(contains(en.projects[3], "under the threshold of 2")) << en.projects[3];
  EXPECT_TRUE(contains(fr.projects[3], "sous le seuil de 2")) << fr.projects[3];

  Outcome mes = equal_shares(e, Utility::Cost, TieBreak::IdString, true);
  Explanation mes_en = explain(e, mes, Lang::En);
  EXPECT_TRUE(contains(mes_en.projects[3], "nobody voted for it")) << mes_en.projects[3];
  EXPECT_TRUE(contains(explain(e, mes, Lang::Fr).projects[3], "personne n'a voté pour lui"));
}

TEST(Explain, EqualSharesTellsPricesAndMoneyLeft) {
  Election e = small_city();
  // Shares of 100/3: a's three supporters pay 20 each; then b's two supporters
  // hold 13.33 each, 26.67 in all, less than b's 50.
  Outcome o = equal_shares(e, Utility::Cost, TieBreak::IdString, true);
  ASSERT_EQ(o.selected, (std::vector<ProjectIndex>{0}));
  Explanation en = explain(e, o, Lang::En);
  EXPECT_TRUE(
      contains(en.projects[0], "funded in round 1; its 3 supporters paid at most 20.00 EUR"))
      << en.projects[0];
  EXPECT_TRUE(contains(en.projects[1], "its 2 supporters had only 26.67 EUR left"))
      << en.projects[1];
  EXPECT_TRUE(contains(en.summary, "share of 33.33 EUR")) << en.summary;
  Explanation fr = explain(e, o, Lang::Fr);
  EXPECT_TRUE(
      contains(fr.projects[0], "financé au tour 1\u202f; ses 3 soutiens ont payé 20.00 EUR"))
      << fr.projects[0];
}

TEST(Explain, DecimalsRoundHalfAwayFromZero) {
  EXPECT_EQ(format_decimal(mpq_class(1, 3)), "0.33");
  EXPECT_EQ(format_decimal(mpq_class(2, 3)), "0.67");
  EXPECT_EQ(format_decimal(mpq_class(-1, 8)), "-0.13");
  EXPECT_EQ(format_decimal(mpq_class(1, 1000)), "0.00");
  EXPECT_EQ(format_decimal(mpq_class(12345, 10), 0), "1235");
  EXPECT_EQ(format_decimal(mpq_class(5)), "5.00");
}

}  // namespace
}  // namespace fabrique::pb
