// The ballot's pure rules: reading each ballot type from a form, every
// refusal with its message, the budget meter, the filters, and the lines of
// a file of paper ballots.
#include "budgets/ballot_rules.hpp"
#include "budgets/paper_ballots.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include "support/text.hpp"

namespace fabrique::budgets {
namespace {

namespace chr = std::chrono;

constexpr chr::year_month_day kToday{chr::year{2026}, chr::month{3}, chr::day{10}};

using fabrique::test::contains;

// Every message of a ballot's errors, in English then French.
std::string all_messages(const std::vector<BallotError>& errors) {
  std::string out;
  for (const BallotError& e : errors) out += e.message.en + "\n" + e.message.fr + "\n";
  return out;
}

class BallotRules : public ::testing::Test {
 protected:
  void SetUp() override {
    process_.id = 7;
    process_.slug = "bp-2026";
    process_.ballot_type = BallotType::Approval;
    process_.min_choices = 1;
    process_.max_choices = 3;
    process_.points_total = 10;
    process_.units = {{1, 100, "centre", "Centre-ville", "Town centre", 100'000},
                      {2, 200, "port", "Le Port", "The Harbour", 50'000},
                      {3, std::nullopt, "city-wide", "Toute la ville", "Whole city", 300'000}};
    add(11, 1, "Jardin partagé", 40'000);
    add(12, 1, "Bancs publics", 30'000);
    add(13, 1, "Fontaine", 50'000);
    add(14, 1, "Aire de jeux", 20'000);
    add(21, 2, "Ponton", 45'000);  // the harbour's
    add(15, 1, "Téléphérique", 90'000, ReviewStatus::Infeasible);
    add(16, 1, "Jardin bis", 40'000, ReviewStatus::Merged);
    add(17, 1, "Pas encore vu", 10'000, ReviewStatus::Submitted);
  }

  void add(std::int64_t id, std::int64_t unit, const std::string& title, Amount cost,
           ReviewStatus status = ReviewStatus::Feasible) {
    Project p;
    p.id = id;
    p.process_id = process_.id;
    p.unit_id = unit;
    p.title = title;
    p.description = "Description : " + title;
    p.estimated_cost = cost;
    p.status = status;
    projects_[id] = p;
  }

  const Unit& centre() const { return process_.units[0]; }

  BallotEntry check(const FormFields& fields, std::string_view prefix = "") const {
    return check_ballot(process_, centre(), projects_, fields, prefix);
  }

  Process process_;
  ProjectIndex projects_;
};

TEST_F(BallotRules, ApprovalReadsTheTickedProjectsInIdOrder) {
  const BallotEntry entry = check({{"project", "13"}, {"csrf", "x"}, {"project", "11"}});
  EXPECT_TRUE(entry.errors.empty()) << all_messages(entry.errors);
  EXPECT_EQ(entry.choices, (std::vector<Choice>{{11, 1}, {13, 1}}));
  EXPECT_EQ(entry.entered.at(11), "1");
  EXPECT_EQ(entry.entered.at(13), "1");
}

TEST_F(BallotRules, AProjectTickedTwiceIsChosenOnce) {
  const BallotEntry entry = check({{"project", "11"}, {"project", "11"}});
  EXPECT_TRUE(entry.errors.empty()) << all_messages(entry.errors);
  EXPECT_EQ(entry.choices, (std::vector<Choice>{{11, 1}}));
}

TEST_F(BallotRules, EmptyBallotIsRefused) {
  const BallotEntry entry = check({});
  ASSERT_EQ(entry.errors.size(), 1u);
  EXPECT_EQ(entry.errors[0].field, "choices");
  EXPECT_TRUE(contains(entry.errors[0].message.en, "Your ballot is empty"));
  EXPECT_TRUE(contains(entry.errors[0].message.fr, "Votre bulletin est vide"));
}

TEST_F(BallotRules, ApprovalCountsBetweenMinAndMax) {
  process_.min_choices = 2;
  const BallotEntry few = check({{"project", "11"}});
  ASSERT_EQ(few.errors.size(), 1u);
  EXPECT_EQ(few.errors[0].message.en, "Choose at least 2 projects; your ballot has 1.");
  EXPECT_EQ(few.errors[0].message.fr,
            "Choisissez au moins 2 projets\u202f; votre bulletin en a 1.");

  const BallotEntry many =
      check({{"project", "11"}, {"project", "12"}, {"project", "13"}, {"project", "14"}});
  ASSERT_EQ(many.errors.size(), 1u);
  EXPECT_EQ(many.errors[0].message.en, "Choose at most 3 projects; your ballot has 4: remove 1.");
  EXPECT_EQ(many.errors[0].message.fr,
            "Choisissez au plus 3 projets\u202f; votre bulletin en a 4\u202f: retirez-en 1.");
  // The meter still counts what was ticked, so the page can show it.
  EXPECT_EQ(many.choices.size(), 4u);
}

TEST_F(BallotRules, ProjectsNotOnTheBallotAreNamedWithTheReason) {
  const auto message = [&](const std::string& id) {
    return all_messages(check({{"project", id}}).errors);
  };
  EXPECT_TRUE(contains(message("999"), "There is no project number 999"));
  EXPECT_TRUE(contains(message("999"), "Il n'y a pas de projet numéro 999"));
  const std::string harbour = message("21");
  EXPECT_TRUE(contains(harbour,
                       "“Ponton” (no. 21) is a project of The Harbour: it is not on the "
                       "ballot of Town centre."));
  EXPECT_TRUE(contains(harbour, "«\u202fPonton\u202f» (no 21) est un projet de Le Port"));
  EXPECT_TRUE(contains(message("15"), "was found not feasible"));
  EXPECT_TRUE(contains(message("15"), "jugé non réalisable"));
  EXPECT_TRUE(contains(message("16"), "was merged with a similar project"));
  EXPECT_TRUE(contains(message("17"), "was not reviewed"));
  EXPECT_TRUE(contains(message("abc"), "(“abc”) is not a project number"));
  // None of them reaches the choices the meter counts.
  EXPECT_TRUE(check({{"project", "21"}}).choices.empty());
}

TEST_F(BallotRules, KnapsackSaysByHowMuchTheBallotIsOverTheBudget) {
  process_.ballot_type = BallotType::Knapsack;
  const BallotEntry fits = check({{"project", "11"}, {"project", "12"}, {"project", "14"}});
  EXPECT_TRUE(fits.errors.empty()) << all_messages(fits.errors);  // 90 000 of 100 000

  const BallotEntry over = check({{"project", "11"}, {"project", "12"}, {"project", "13"}});
  ASSERT_EQ(over.errors.size(), 1u);
  EXPECT_EQ(over.errors[0].message.en,
            "The projects you chose cost €120,000, which is €20,000 more than the budget of Town "
            "centre (€100,000). Remove projects until the total fits.");
  EXPECT_TRUE(contains(over.errors[0].message.fr, "soit 20\u202f000\u00a0€ de plus que le budget"));
}

TEST_F(BallotRules, KnapsackHasNoCountLimit) {
  process_.ballot_type = BallotType::Knapsack;
  process_.max_choices = 1;
  EXPECT_TRUE(check({{"project", "12"}, {"project", "14"}}).errors.empty());
}

TEST_F(BallotRules, CumulativeReadsPointsAndIgnoresEmptyAndZero) {
  process_.ballot_type = BallotType::Cumulative;
  const BallotEntry entry =
      check({{"points_13", "4"}, {"points_11", " 6 "}, {"points_12", ""}, {"points_14", "0"}});
  EXPECT_TRUE(entry.errors.empty()) << all_messages(entry.errors);
  EXPECT_EQ(entry.choices, (std::vector<Choice>{{11, 6}, {13, 4}}));
  EXPECT_EQ(entry.entered.at(12), "");
  EXPECT_EQ(entry.entered.at(11), " 6 ");
}

TEST_F(BallotRules, CumulativeRefusesNonNumbersNegativesAndTooManyPoints) {
  process_.ballot_type = BallotType::Cumulative;
  const BallotEntry bad = check({{"points_11", "beaucoup"}, {"points_12", "3"}});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].field, "choice-11");
  EXPECT_EQ(bad.errors[0].message.en,
            "Points for “Jardin partagé” (no. 11): write a whole number, like 2 (found "
            "“beaucoup”).");
  EXPECT_TRUE(contains(bad.errors[0].message.fr, "écrivez un nombre entier"));

  const BallotEntry negative = check({{"points_11", "-2"}, {"points_12", "3"}});
  ASSERT_EQ(negative.errors.size(), 1u);
  EXPECT_TRUE(contains(negative.errors[0].message.en, "points cannot be negative"));
  EXPECT_TRUE(contains(negative.errors[0].message.fr, "ne peuvent pas être négatifs"));

  const BallotEntry over = check({{"points_11", "7"}, {"points_12", "5"}});
  ASSERT_EQ(over.errors.size(), 1u);
  EXPECT_EQ(over.errors[0].message.en,
            "You gave 12 points, but you have 10 points: take away 2 "
            "points.");
  EXPECT_EQ(over.errors[0].message.fr,
            "Vous avez donné 12 points, mais vous en avez 10 points\u202f: retirez-en 2 points.");

  const BallotEntry none = check({{"points_11", ""}, {"points_12", "0"}});
  ASSERT_EQ(none.errors.size(), 1u);
  EXPECT_TRUE(contains(none.errors[0].message.en, "give points to at least one project"));
}

TEST_F(BallotRules, RankedOrdersByRankAndNeedsOneToNWithoutGaps) {
  process_.ballot_type = BallotType::Ranked;
  const BallotEntry entry = check({{"rank_11", "2"}, {"rank_13", "1"}, {"rank_12", "3"}});
  EXPECT_TRUE(entry.errors.empty()) << all_messages(entry.errors);
  EXPECT_EQ(entry.choices, (std::vector<Choice>{{13, 1}, {11, 1}, {12, 1}}));

  const BallotEntry gap = check({{"rank_11", "1"}, {"rank_13", "3"}});
  ASSERT_EQ(gap.errors.size(), 1u);
  EXPECT_EQ(gap.errors[0].message.en, "Ranks go 1, 2, 3… without gaps: rank 2 is missing.");
  EXPECT_EQ(gap.errors[0].message.fr,
            "Les rangs se suivent 1, 2, 3… sans trou\u202f: le rang 2 manque.");

  const BallotEntry twice = check({{"rank_11", "1"}, {"rank_13", "1"}});
  ASSERT_FALSE(twice.errors.empty());
  EXPECT_TRUE(contains(twice.errors[0].message.en, "Rank 1 is given to more than one project"));

  const BallotEntry zero = check({{"rank_11", "0"}});
  EXPECT_TRUE(contains(all_messages(zero.errors), "ranks start at 1"));

  const BallotEntry many =
      check({{"rank_11", "1"}, {"rank_12", "2"}, {"rank_13", "3"}, {"rank_14", "4"}});
  EXPECT_TRUE(contains(all_messages(many.errors),
                       "Rank at most 3 projects; you ranked 4: take 1 "
                       "out of the ranking."));
  process_.min_choices = 2;
  EXPECT_TRUE(contains(all_messages(check({{"rank_11", "1"}}).errors),
                       "Rank at least 2 projects; you ranked 1."));
}

TEST_F(BallotRules, APrefixKeepsTwoBallotsOfOnePageApart) {
  const FormFields fields{{"u1-project", "11"}, {"u3-project", "12"}, {"project", "13"}};
  const BallotEntry entry = check(fields, "u1-");
  EXPECT_EQ(entry.choices, (std::vector<Choice>{{11, 1}}));
  const BallotEntry empty = check(fields, "u2-");
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_EQ(empty.errors[0].field, "u2-choices");
  EXPECT_TRUE(left_blank(empty));
  EXPECT_FALSE(left_blank(entry));
  EXPECT_EQ(projects_named(fields, "u1-"), (std::vector<std::int64_t>{11}));
  EXPECT_EQ(projects_named({{"points_4", "1"}, {"rank_9", ""}, {"project", "x"}}),
            (std::vector<std::int64_t>{4, 9}));
}

TEST_F(BallotRules, CheckChoicesRefusesDuplicatesAndBadPoints) {
  const auto errors = check_choices(process_, centre(), projects_, {{11, 1}, {11, 1}});
  EXPECT_TRUE(contains(all_messages(errors), "is on the ballot more than once"));
  const auto points = check_choices(process_, centre(), projects_, {{11, 3}});
  EXPECT_TRUE(contains(all_messages(points), "a whole number of at least 1"));
  EXPECT_TRUE(check_choices(process_, centre(), projects_, {{11, 1}, {14, 1}}).empty());
}

TEST_F(BallotRules, MeterAddsTheCostsOfTheChosenProjectsOnTheBallot) {
  Meter meter = budget_meter(process_, centre(), projects_, {{11, 1}, {12, 1}, {21, 1}});
  EXPECT_EQ(meter.total, 70'000);  // the harbour's project is not counted
  EXPECT_EQ(meter.amount, 100'000);
  EXPECT_EQ(meter.remaining, 30'000);
  EXPECT_EQ(meter.percent, 70);
  EXPECT_EQ(meter.chosen, 2);
  EXPECT_FALSE(meter.over);

  meter = budget_meter(process_, centre(), projects_, {{11, 1}, {12, 1}, {13, 1}});
  EXPECT_EQ(meter.total, 120'000);
  EXPECT_EQ(meter.remaining, 0);
  EXPECT_EQ(meter.over_by, 20'000);
  EXPECT_EQ(meter.percent, 120);
  EXPECT_TRUE(meter.over);

  process_.ballot_type = BallotType::Cumulative;
  meter = budget_meter(process_, centre(), projects_, {{11, 3}, {12, 4}});
  EXPECT_EQ(meter.points_used, 7);
  EXPECT_EQ(meter.points_left, 3);
}

TEST_F(BallotRules, FiltersMatchWordsWithoutCaseAndTheHighestCost) {
  const Project& jardin = projects_.at(11);
  EXPECT_TRUE(matches_filter(jardin, "", std::nullopt));
  EXPECT_TRUE(matches_filter(jardin, "JARDIN", std::nullopt));
  EXPECT_TRUE(matches_filter(jardin, "description", std::nullopt));
  EXPECT_FALSE(matches_filter(jardin, "fontaine", std::nullopt));
  EXPECT_TRUE(matches_filter(jardin, "", 40'000));
  EXPECT_FALSE(matches_filter(jardin, "", 39'999));
}

TEST_F(BallotRules, EnteredValuesComeBackFromStoredChoices) {
  EXPECT_EQ(entered_of(BallotType::Ranked, {{13, 1}, {11, 1}}),
            (std::map<std::int64_t, std::string>{{13, "1"}, {11, "2"}}));
  EXPECT_EQ(entered_of(BallotType::Cumulative, {{13, 4}}),
            (std::map<std::int64_t, std::string>{{13, "4"}}));
  EXPECT_EQ(entered_of(BallotType::Approval, {{13, 1}}),
            (std::map<std::int64_t, std::string>{{13, "1"}}));
}

TEST_F(BallotRules, InstructionsFollowTheBallotType) {
  EXPECT_EQ(ballot_instructions(process_, centre()).en, "Choose 1 to 3 projects.");
  process_.ballot_type = BallotType::Knapsack;
  EXPECT_TRUE(contains(ballot_instructions(process_, centre()).fr, "100\u202f000\u00a0€"));
  process_.ballot_type = BallotType::Cumulative;
  EXPECT_TRUE(contains(ballot_instructions(process_, centre()).en, "Share up to 10 points"));
  process_.ballot_type = BallotType::Ranked;
  EXPECT_TRUE(contains(ballot_instructions(process_, centre()).fr, "1 pour votre préféré"));
}

TEST_F(BallotRules, TooManyEntriesAreRefused) {
  FormFields fields;
  for (std::size_t i = 0; i <= kMaxBallotEntries; ++i) fields.emplace_back("project", "11");
  EXPECT_TRUE(contains(all_messages(check(fields).errors), "too many choices"));
}

// ---- Files of paper ballots

TEST(PaperBallots, ReadsEveryLineWithNormalizedIdentities) {
  const PaperBallotFile file = read_paper_ballots(
      "\xEF\xBB\xBF"
      "Projects;District;document_number;birth_date;postal_code\r\n"
      "11 13;Centre;ab-123 456;31/12/1990;75 011\r\n"
      "\r\n"
      "\"12\";city-wide;CD987654;2000-01-15;75012\r\n",
      BallotType::Approval, kToday);
  ASSERT_FALSE(file.refusal);
  ASSERT_EQ(file.lines.size(), 2u);
  const PaperBallotLine& first = file.lines[0];
  EXPECT_EQ(first.line, 2u);
  EXPECT_FALSE(first.error);
  EXPECT_EQ(first.identity.document_number, "AB123456");
  EXPECT_EQ(first.identity.birth_date, "1990-12-31");
  EXPECT_EQ(first.identity.postal_code, "75011");
  EXPECT_EQ(first.unit_slug, "centre");
  EXPECT_EQ(first.choices, (std::vector<Choice>{{11, 1}, {13, 1}}));
  EXPECT_EQ(file.lines[1].line, 4u);
  EXPECT_EQ(file.lines[1].unit_slug, "city-wide");
}

TEST(PaperBallots, CumulativeAndRankedProjects) {
  const std::string header = "document_number,birth_date,postal_code,district,projects\n";
  PaperBallotFile file = read_paper_ballots(header + "AB123456,1990-12-31,75011,centre,13:4 11:6\n",
                                            BallotType::Cumulative, kToday);
  ASSERT_EQ(file.lines.size(), 1u);
  EXPECT_EQ(file.lines[0].choices, (std::vector<Choice>{{11, 6}, {13, 4}}));
  file = read_paper_ballots(header + "AB123456,1990-12-31,75011,centre,13 11 12\n",
                            BallotType::Ranked, kToday);
  EXPECT_EQ(file.lines[0].choices, (std::vector<Choice>{{13, 1}, {11, 1}, {12, 1}}));
  file = read_paper_ballots(header + "AB123456,1990-12-31,75011,centre,13 11\n",
                            BallotType::Cumulative, kToday);
  ASSERT_TRUE(file.lines[0].error);
  EXPECT_TRUE(contains(file.lines[0].error->en, "“13” is not PROJECT:POINTS"));
}

TEST(PaperBallots, LineErrorsSayWhatIsWrongButNeverTheDocumentNumber) {
  const PaperBallotFile file = read_paper_ballots(
      "document_number,birth_date,postal_code,district,projects\n"
      "XY98765432,1990-02-30,75011,,\n"
      "XY98765433,1990-01-01,75011,centre,douze\n"
      "XY98765434,1990-01-01,75011\n"
      "XY9#8765,1990-01-01,75011,centre,12\n",
      BallotType::Approval, kToday);
  ASSERT_FALSE(file.refusal);
  ASSERT_EQ(file.lines.size(), 4u);
  for (const PaperBallotLine& line : file.lines) {
    ASSERT_TRUE(line.error) << line.line;
    EXPECT_FALSE(contains(line.error->en, "XY98765")) << line.error->en;
    EXPECT_FALSE(contains(line.error->fr, "XY98765")) << line.error->fr;
    EXPECT_FALSE(contains(line.error->en, "XY9#")) << line.error->en;
  }
  EXPECT_TRUE(contains(file.lines[0].error->en, "is not a real date"));
  EXPECT_TRUE(contains(file.lines[0].error->en, "District: missing"));
  EXPECT_TRUE(contains(file.lines[0].error->en, "the ballot is empty"));
  EXPECT_TRUE(
      contains(file.lines[1].error->fr, "«\u202fdouze\u202f» n'est pas un numéro de projet"));
  EXPECT_TRUE(contains(file.lines[2].error->en, "This line has 3 fields; the header has 5."));
  EXPECT_TRUE(contains(file.lines[3].error->en, "Document number"));
}

TEST(PaperBallots, TheWholeFileIsRefusedWhenItCannotBeRead) {
  EXPECT_TRUE(read_paper_ballots("", BallotType::Approval, kToday).refusal);
  EXPECT_TRUE(read_paper_ballots("document_number,birth_date\n", BallotType::Approval, kToday)
                  .refusal->en.ends_with("missing: postal_code, district, projects."));
  EXPECT_TRUE(read_paper_ballots("document_number,birth_date,postal_code,district,projects\n\xff\n",
                                 BallotType::Approval, kToday)
                  .refusal);
}

TEST(PaperBallots, QuotedFieldsMayHoldSeparatorsAndQuotes) {
  const PaperBallotFile file = read_paper_ballots(
      "document_number,birth_date,postal_code,district,projects\n"
      "\"AB 123,456\",1990-12-31,75011,centre,\"11 12\"\n"
      "\"AB123456\"x,1990-12-31,75011,centre,11\n"
      "AB123456,1990-12-31,75011,centre,\"11\n",
      BallotType::Approval, kToday);
  ASSERT_EQ(file.lines.size(), 3u);
  ASSERT_TRUE(file.lines[0].error);  // a comma is not allowed in a document number
  EXPECT_TRUE(contains(file.lines[0].error->en, "“,”"));
  EXPECT_TRUE(contains(file.lines[1].error->en, "after a closing quote"));
  EXPECT_TRUE(contains(file.lines[2].error->en, "never closed"));
}

TEST(PaperBallots, ACellTypedOnSeveralLinesReadsAndMessagesStayOnOneLine) {
  const PaperBallotFile file = read_paper_ballots(
      "document_number,birth_date,postal_code,district,projects\n"
      "AB123456,1990-12-31,75011,centre,\"11\n12\"\n"
      "AB123457,1990-12-31,75011,centre,\"11\n1x\x01y\"\n",
      BallotType::Approval, kToday);
  ASSERT_EQ(file.lines.size(), 2u);
  EXPECT_FALSE(file.lines[0].error);
  EXPECT_EQ(file.lines[0].choices, (std::vector<Choice>{{11, 1}, {12, 1}}));
  ASSERT_TRUE(file.lines[1].error);
  EXPECT_EQ(file.lines[1].line, 4u);
  EXPECT_EQ(file.lines[1].error->en, "Projects: “1x?y” is not a project number.");
}

TEST(PaperBallots, QuotedValuesAreCutAtThirtyCharacters) {
  const ParsedChoices parsed =
      parse_paper_choices(std::string(28, '9') + "éèx\x7f", BallotType::Approval);
  ASSERT_TRUE(parsed.error);
  EXPECT_EQ(parsed.error->en,
            "Projects: “" + std::string(28, '9') + "éè…” is not a project number.");
}

TEST(PaperBallots, HugePointsAreRefusedWithoutOverflow) {
  Process process;
  process.id = 7;
  process.ballot_type = BallotType::Cumulative;
  process.points_total = 10;
  process.units = {{1, 100, "centre", "Centre-ville", "Town centre", 100'000}};
  ProjectIndex projects;
  for (std::int64_t id : {11, 12}) {
    Project p;
    p.id = id;
    p.process_id = 7;
    p.unit_id = 1;
    p.title = "P" + std::to_string(id);
    p.estimated_cost = 1'000;
    p.status = ReviewStatus::Feasible;
    projects[id] = p;
  }
  const std::string big = "9223372036854775807";
  const auto errors =
      check_choices(process, process.units[0], projects, {{11, INT64_MAX}, {12, INT64_MAX}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message.en,
            "You gave " + big +
                " points, but you have 10 points: take away 9223372036854775797 "
                "points.");
  const Meter meter =
      budget_meter(process, process.units[0], projects, {{11, INT64_MAX}, {12, INT64_MAX}});
  EXPECT_EQ(meter.points_used, INT64_MAX);
  EXPECT_EQ(meter.points_left, 0);
  const BallotEntry form =
      check_ballot(process, process.units[0], projects, {{"points_11", big}, {"points_12", big}});
  ASSERT_EQ(form.errors.size(), 1u);
  EXPECT_TRUE(form.errors[0].message.en.starts_with("You gave " + big + " points"));
}

}  // namespace
}  // namespace fabrique::budgets
