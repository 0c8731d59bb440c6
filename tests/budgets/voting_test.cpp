// Voting on SQLite and PostgreSQL: one ballot per person and budget, a
// changed ballot replacing the first, paper after online and online after
// paper refused, who may vote where and when, the counter's audit entries,
// 50 concurrent submissions for one resident leaving exactly one ballot,
// sealing, bulk paper ballots, and ballot secrecy: nothing in the ballot
// rows names, dates or orders a voter, and no row can be matched to a
// person without the instance's ballot key (nor with it once sealed).
#include "budgets/ballot_repository.hpp"
#include "budgets/counter_actions.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "accounts/repository.hpp"
#include "budgets/repository.hpp"
#include "core/crypto.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "residency/repository.hpp"
#include "store/values.hpp"
#include "support/budget_process.hpp"
#include "support/databases.hpp"
#include "support/text.hpp"
#include "support/two_district_vote.hpp"

namespace fabrique::budgets {
namespace {

namespace chr = std::chrono;
using accounts::Role;
using store::integer;
using store::text;

constexpr chr::year_month_day kToday{chr::year{2026}, chr::month{3}, chr::day{10}};
const std::string kDuringVote = "2026-03-10T12:00:00Z";
const std::string kBeforeVote = "2026-02-10T12:00:00Z";
const std::string kAfterVote = "2026-04-10T12:00:00Z";

using fabrique::test::contains;
using fabrique::test::nb;

// The census: people of the centre and of the harbour, one too young on the
// day the vote opens (16 on 2026-03-05, the vote opens on 2026-03-01), and
// twelve more residents of the centre for the secrecy test.
std::string census_csv() {
  std::string csv =
      "document_number,birth_date,postal_code,district\n"
      "AB123456,1990-12-31,75011,centre\n"
      "CD987654,2000-01-15,75012,port\n"
      "YO000001,2010-03-05,75011,centre\n"
      "EF111111,1985-05-05,75011,centre\n"
      "GH222222,1970-07-07,75012,port\n";
  for (int i = 0; i < 12; ++i) csv += fmt::format("RS{:06},1980-01-01,75011,centre\n", i);
  return csv;
}

class VotingTest : public test::TwoDistrictVoteTest {
 protected:
  void SetUp() override {
    TwoDistrictVoteTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    residency::ImportOptions options;
    options.today = kToday;
    ASSERT_EQ(residency::import_census(*db_, census_key_, census_csv(), options).imported, 17);
    city_unit_ = process_.city_wide_unit()->id;
    jardin_ = project(centre_unit_, "Jardin partagé", 40'000);
    bancs_ = project(centre_unit_, "Bancs publics", 30'000);
    ponton_ = project(port_unit_, "Ponton", 45'000);
    tram_ = project(city_unit_, "Navette", 200'000);
    alice_ = resident("alice@example.org", {"AB123456", "1990-12-31", "75011"});
    bob_ = resident("bob@example.org", {"CD987654", "2000-01-15", "75012"});
  }

  // A verified account of the identity; its voter.
  Voter resident(const std::string& email, const residency::IdentityForm& identity) {
    const std::int64_t id =
        accounts::insert_account(*db_, email, "x", email, Role::Resident, Lang::Fr);
    residency::VerifyOptions options;
    options.today = kToday;
    const auto result = residency::verify_residency(*db_, census_key_, id, identity, options);
    EXPECT_EQ(result.outcome, residency::VerificationOutcome::Verified) << email;
    accounts_[email] = id;
    const VoterLookup who = voter_of_account(*db_, *accounts::find_account(*db_, id));
    EXPECT_TRUE(who.voter) << email;
    return who.voter.value_or(Voter{});
  }

  Voter census_voter(const residency::IdentityForm& identity) {
    const VoterLookup who = voter_of_identity(*db_, census_key_, identity, kToday);
    EXPECT_TRUE(who.voter);
    return who.voter.value_or(Voter{});
  }

  CastResult online(store::Connection& db, const Voter& voter, std::int64_t unit,
                    std::vector<Choice> choices, const std::string& now = kDuringVote) {
    return cast_online(db, ballot_key_, process_, voter, {unit, std::move(choices)}, now);
  }
  CastResult online(const Voter& voter, std::int64_t unit, std::vector<Choice> choices,
                    const std::string& now = kDuringVote) {
    return online(*db_, voter, unit, std::move(choices), now);
  }
  CastResult counter(store::Connection& db, const Voter& voter, std::vector<UnitBallot> ballots,
                     Channel channel = Channel::Paper, const std::string& now = kDuringVote) {
    return cast_at_counter(db, ballot_key_, process_, voter, channel, clerk_, ballots, now);
  }
  CastResult counter(const Voter& voter, std::vector<UnitBallot> ballots,
                     Channel channel = Channel::Paper, const std::string& now = kDuringVote) {
    return counter(*db_, voter, std::move(ballots), channel, now);
  }

  std::int64_t count(const std::string& table) {
    return integer(db_->query("SELECT COUNT(*) FROM " + table).at(0).at(0));
  }

  std::vector<std::string> audit(const std::string& action) {
    std::vector<std::string> out;
    for (const auto& row : db_->query(
             "SELECT subject, detail, actor_account_id FROM audit_log WHERE action = $1 ORDER "
             "BY id",
             {action}))
      out.push_back(text(row.at(0)) + " | " + text(row.at(1)) + " | " +
                    std::to_string(integer(row.at(2))));
    return out;
  }

  PaperImportReport import(const std::string& csv, bool skip = false,
                           const std::string& now = kDuringVote) {
    PaperImportOptions options;
    options.skip_bad_lines = skip;
    options.today = kToday;
    return import_paper_ballots(*db_, ballot_key_, census_key_, process_, clerk_, csv, options,
                                now);
  }

  std::int64_t city_unit_ = 0;
  std::int64_t jardin_ = 0, bancs_ = 0, ponton_ = 0, tram_ = 0;
  std::map<std::string, std::int64_t> accounts_;
  Voter alice_, bob_;
};

TEST_P(VotingTest, AnOnlineBallotPutsThePersonOnTheRollAndTheBallotInTheBox) {
  const CastResult result = online(alice_, centre_unit_, {{jardin_, 1}, {bancs_, 1}});
  ASSERT_EQ(result.status, CastStatus::Cast);
  ASSERT_EQ(result.receipts.size(), 1u);
  EXPECT_TRUE(
      std::regex_match(result.receipts[0], std::regex("[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-"
                                                      "[0-9A-HJKMNP-TV-Z]{5}")))
      << result.receipts[0];
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(roll_channel(*db_, process_.id, alice_.census_entry_id), Channel::Online);
  EXPECT_EQ(participation_by_district(*db_, process_.id),
            (std::map<std::int64_t, std::int64_t>{{centre_, 1}}));
  const auto current =
      current_ballot(*db_, ballot_key_, process_, *process_.unit(centre_unit_), alice_);
  ASSERT_TRUE(current);
  EXPECT_EQ(*current, (std::vector<Choice>{{jardin_, 1}, {bancs_, 1}}));
  EXPECT_TRUE(receipt_in_ballot_box(*db_, ballot_key_, process_.id,
                                    *normalize_receipt_code(result.receipts[0])));
  EXPECT_TRUE(audit("budget.ballot.counter").empty());  // online ballots are not audited
}

// The first ballot's receipt is still found: the receipt check never tells
// whether a ballot was replaced (docs/ballot-secrecy.md, "Receipts").
TEST_P(VotingTest, AChangedBallotReplacesTheFirstAndBothReceiptsAreFound) {
  const CastResult first = online(alice_, centre_unit_, {{jardin_, 1}});
  const CastResult second = online(alice_, centre_unit_, {{bancs_, 1}});
  ASSERT_EQ(first.status, CastStatus::Cast);
  ASSERT_EQ(second.status, CastStatus::Replaced);
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(count("budget_participations"), 1);
  const auto ballots = ballots_of_unit(*db_, process_.id, centre_unit_);
  ASSERT_EQ(ballots.size(), 1u);
  EXPECT_EQ(ballots[0].choices, (std::vector<Choice>{{bancs_, 1}}));
  EXPECT_TRUE(receipt_in_ballot_box(*db_, ballot_key_, process_.id,
                                    *normalize_receipt_code(first.receipts[0])));
  EXPECT_TRUE(receipt_in_ballot_box(*db_, ballot_key_, process_.id,
                                    *normalize_receipt_code(second.receipts[0])));
  EXPECT_FALSE(receipt_in_ballot_box(*db_, ballot_key_, process_.id, "000000000000000"));
}

TEST_P(VotingTest, TheCityWideBallotIsIndependentOfTheDistrictOne) {
  ASSERT_TRUE(online(alice_, centre_unit_, {{jardin_, 1}}).ok());
  ASSERT_TRUE(online(alice_, city_unit_, {{tram_, 1}}).ok());
  ASSERT_TRUE(online(alice_, city_unit_, {{tram_, 1}}).ok());
  EXPECT_EQ(count("budget_ballots"), 2);
  EXPECT_EQ(count("budget_participations"), 1);
  EXPECT_EQ(ballot_count(*db_, process_.id, centre_unit_), 1);
  EXPECT_EQ(ballot_count(*db_, process_.id, city_unit_), 1);
}

TEST_P(VotingTest, WrongDistrictIsRefusedNamingTheResidentsDistrict) {
  const CastResult result = online(alice_, port_unit_, {{ponton_, 1}});
  ASSERT_EQ(result.status, CastStatus::Refused);
  EXPECT_EQ(result.refusal->en,
            "You live in Town centre: you can vote for the projects of Town centre and for the "
            "city-wide ones, not for those of The Harbour.");
  EXPECT_TRUE(contains(result.refusal->fr, "Vous habitez Centre-ville"));
  EXPECT_EQ(count("budget_ballots"), 0);
  EXPECT_EQ(count("budget_participations"), 0);
}

TEST_P(VotingTest, CityWideNeedsTheScope) {
  process_.scope = Scope::OwnDistrict;
  const CastResult result = online(alice_, city_unit_, {{tram_, 1}});
  ASSERT_EQ(result.status, CastStatus::Refused);
  EXPECT_TRUE(contains(result.refusal->en, "the city-wide projects are not put to the vote"));
  EXPECT_EQ(voter_units(process_, alice_).size(), 1u);
}

TEST_P(VotingTest, AProjectOfAnotherDistrictIsRefusedWithTheBallotsRules) {
  const CastResult result = online(alice_, centre_unit_, {{ponton_, 1}});
  ASSERT_EQ(result.status, CastStatus::Invalid);
  ASSERT_FALSE(result.errors.empty());
  EXPECT_TRUE(contains(result.errors[0].message.en, "is a project of The Harbour"));
  EXPECT_EQ(count("budget_ballots"), 0);
  EXPECT_EQ(count("budget_participations"), 0);
}

TEST_P(VotingTest, TooYoungOnTheDayTheVoteOpensIsRefused) {
  const Voter young = resident("young@example.org", {"YO000001", "2010-03-05", "75011"});
  const CastResult result = online(young, centre_unit_, {{jardin_, 1}});
  ASSERT_EQ(result.status, CastStatus::Refused);
  EXPECT_EQ(result.refusal->en,
            nb("Only people aged 16 or more on 1·March 2026, the day the vote opened, vote in this "
               "participatory budget."));
}

TEST_P(VotingTest, OnlineBallotsOnlyDuringTheVote) {
  const CastResult before = online(alice_, centre_unit_, {{jardin_, 1}}, kBeforeVote);
  ASSERT_EQ(before.status, CastStatus::Refused);
  // The process's dates are midnights UTC, 1 am in Paris in winter and 2 am in summer.
  EXPECT_EQ(before.refusal->en,
            nb("The vote has not opened yet: it opens on 1·March 2026 at 1·am."));
  const CastResult after = online(alice_, centre_unit_, {{jardin_, 1}}, kAfterVote);
  ASSERT_EQ(after.status, CastStatus::Refused);
  EXPECT_EQ(after.refusal->fr, nb("Le vote est clos‿: il a pris fin le 1er·avril 2026 à 2·h."));
  EXPECT_EQ(count("budget_ballots"), 0);
}

TEST_P(VotingTest, CounterBallotsAreEnteredWhileTheVoteIsOpen) {
  // The count runs by itself when the vote closes: every ballot, paper ones
  // too, must be in by then.
  const Voter paper = census_voter({"EF111111", "05/05/1985", "75011"});
  for (Channel channel : {Channel::Paper, Channel::Assisted}) {
    EXPECT_EQ(counter(paper, {{centre_unit_, {{jardin_, 1}}}}, channel, kBeforeVote).status,
              CastStatus::Refused);
    EXPECT_EQ(counter(paper, {{centre_unit_, {{jardin_, 1}}}}, channel, kAfterVote).status,
              CastStatus::Refused);
  }
  // The count may start between the clerk's page and the ballot's
  // transaction: the transaction sees it, and the ballot box it read stays final.
  db_->execute("UPDATE budget_processes SET counted_at = $2 WHERE id = $1",
               {process_.id, std::string("2026-03-10T11:00:00Z")});
  const CastResult late = counter(paper, {{centre_unit_, {{jardin_, 1}}}});
  ASSERT_EQ(late.status, CastStatus::Refused);
  EXPECT_EQ(late.refusal->en, "The vote has just closed: this ballot was not cast.");
  EXPECT_EQ(online(alice_, centre_unit_, {{jardin_, 1}}).status, CastStatus::Refused);
  EXPECT_EQ(count("budget_ballots"), 0);
  EXPECT_EQ(count("budget_participations"), 0);
  db_->execute("UPDATE budget_processes SET counted_at = NULL WHERE id = $1", {process_.id});
  EXPECT_EQ(counter(paper, {{centre_unit_, {{jardin_, 1}}}}).status, CastStatus::Cast);
  EXPECT_EQ(audit("budget.ballot.counter_refused").size(), 4u);
}

TEST_P(VotingTest, PaperAfterOnlineIsRefusedAndAudited) {
  ASSERT_TRUE(online(alice_, centre_unit_, {{jardin_, 1}}).ok());
  const CastResult result = counter(alice_, {{centre_unit_, {{bancs_, 1}}}});
  ASSERT_EQ(result.status, CastStatus::Refused);
  EXPECT_EQ(result.refusal->en,
            "This person has already voted in this participatory budget (online). One person, "
            "one ballot: this ballot cannot be entered.");
  EXPECT_TRUE(contains(result.refusal->fr, "a déjà voté dans ce budget participatif (en ligne)"));
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(ballots_of_unit(*db_, process_.id, centre_unit_)[0].choices,
            (std::vector<Choice>{{jardin_, 1}}));
  EXPECT_EQ(roll_channel(*db_, process_.id, alice_.census_entry_id), Channel::Online);
  EXPECT_EQ(audit("budget.ballot.counter_refused"),
            (std::vector<std::string>{
                fmt::format("bp-2026 | channel=paper; census_entry={}; reason=already_voted | {}",
                            alice_.census_entry_id, clerk_)}));
}

TEST_P(VotingTest, OnlineAfterPaperIsRefusedPaperIsFinal) {
  ASSERT_EQ(counter(alice_, {{centre_unit_, {{jardin_, 1}}}}).status, CastStatus::Cast);
  const CastResult result = online(alice_, centre_unit_, {{bancs_, 1}});
  ASSERT_EQ(result.status, CastStatus::Refused);
  EXPECT_TRUE(contains(result.refusal->en, "that ballot is final and cannot be replaced online"));
  // Not even in the other budget, which the paper ballot left aside.
  EXPECT_EQ(online(alice_, city_unit_, {{tram_, 1}}).status, CastStatus::Refused);
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(ballots_of_unit(*db_, process_.id, centre_unit_)[0].choices,
            (std::vector<Choice>{{jardin_, 1}}));
  EXPECT_EQ(roll_channel(*db_, process_.id, alice_.census_entry_id), Channel::Paper);
}

TEST_P(VotingTest, ACounterEntryTakesBothBudgetsAtOnceAndIsAuditedWithoutTheChoices) {
  const Voter paper = census_voter({"EF111111", "1985-05-05", "75011"});
  const CastResult result =
      counter(paper, {{centre_unit_, {{jardin_, 1}, {bancs_, 1}}}, {city_unit_, {{tram_, 1}}}},
              Channel::Assisted);
  ASSERT_EQ(result.status, CastStatus::Cast);
  EXPECT_EQ(result.receipts.size(), 2u);
  EXPECT_EQ(count("budget_ballots"), 2);
  EXPECT_EQ(roll_channel(*db_, process_.id, paper.census_entry_id), Channel::Assisted);
  const auto entries = audit("budget.ballot.counter");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0], fmt::format("bp-2026 | channel=assisted; census_entry={}; "
                                    "budgets=centre city-wide | {}",
                                    paper.census_entry_id, clerk_));
  // A second visit is refused, whatever the channel.
  EXPECT_EQ(counter(paper, {{centre_unit_, {{jardin_, 1}}}}).status, CastStatus::Refused);
  EXPECT_EQ(count("budget_ballots"), 2);
}

TEST_P(VotingTest, CounterRefusesAnotherDistrictsBudgetOnRecord) {
  const CastResult result = counter(bob_, {{centre_unit_, {{jardin_, 1}}}});
  ASSERT_EQ(result.status, CastStatus::Refused);
  EXPECT_TRUE(contains(result.refusal->en, "This person lives in The Harbour"));
  EXPECT_EQ(audit("budget.ballot.counter_refused").size(), 1u);
  EXPECT_EQ(count("budget_participations"), 0);
}

// 50 submissions at once, each on its own connection: exactly one ballot
// and one roll row, on SQLite (one writer at a time) and on PostgreSQL
// (READ COMMITTED: the constraints and ON CONFLICT decide, not a read).
TEST_P(VotingTest, FiftyConcurrentSubmissionsForOneResidentStoreOneBallot) {
  constexpr int kThreads = 50;
  std::vector<std::unique_ptr<store::Connection>> connections;
  for (int i = 0; i < kThreads; ++i) connections.push_back(database_->connect());
  std::atomic<int> ready{0}, succeeded{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      try {
        const std::vector<Choice> choices =
            i % 2 ? std::vector<Choice>{{jardin_, 1}} : std::vector<Choice>{{bancs_, 1}};
        if (online(*connections[i], alice_, centre_unit_, choices).ok()) ++succeeded;
      } catch (const std::exception& error) {
        ++failed;
        ADD_FAILURE() << error.what();
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(succeeded.load(), kThreads);  // each answered success: the last one counts
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(count("budget_participations"), 1);
  const auto ballots = ballots_of_unit(*db_, process_.id, centre_unit_);
  ASSERT_EQ(ballots.size(), 1u);
  EXPECT_EQ(ballots[0].choices.size(), 1u);
  // Every receipt shown stays checkable, one row each.
  EXPECT_EQ(count("budget_receipts"), kThreads);
}

// The same race between the counter and the resident's own submissions:
// whoever is first, the person is on the roll once with one ballot.
TEST_P(VotingTest, ConcurrentCounterAndOnlineSubmissionsStoreOneBallot) {
  constexpr int kThreads = 50;
  std::vector<std::unique_ptr<store::Connection>> connections;
  for (int i = 0; i < kThreads; ++i) connections.push_back(database_->connect());
  std::atomic<int> ready{0}, counter_wins{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      try {
        if (i % 2) {
          online(*connections[i], alice_, centre_unit_, {{jardin_, 1}});
        } else if (counter(*connections[i], alice_, {{centre_unit_, {{bancs_, 1}}}}).ok()) {
          ++counter_wins;
        }
      } catch (const std::exception& error) {
        ++failed;
        ADD_FAILURE() << error.what();
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_LE(counter_wins.load(), 1);
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(count("budget_participations"), 1);
  const auto channel = roll_channel(*db_, process_.id, alice_.census_entry_id);
  const auto ballots = ballots_of_unit(*db_, process_.id, centre_unit_);
  ASSERT_EQ(ballots.size(), 1u);
  if (counter_wins.load() == 1) {
    EXPECT_EQ(channel, Channel::Paper);
    EXPECT_EQ(ballots[0].choices, (std::vector<Choice>{{bancs_, 1}}));
  } else {
    EXPECT_EQ(channel, Channel::Online);
    EXPECT_EQ(ballots[0].choices, (std::vector<Choice>{{jardin_, 1}}));
  }
}

TEST_P(VotingTest, SealingUnlinksEvenForTheBallotKeyButKeepsBallotsAndReceipts) {
  const CastResult cast = online(alice_, centre_unit_, {{jardin_, 1}});
  ASSERT_TRUE(online(bob_, port_unit_, {{ponton_, 1}}).ok());
  const Unit& centre = *process_.unit(centre_unit_);
  ASSERT_TRUE(current_ballot(*db_, ballot_key_, process_, centre, alice_));
  seal_ballots(*db_, process_.id);
  EXPECT_FALSE(current_ballot(*db_, ballot_key_, process_, centre, alice_));
  EXPECT_EQ(ballot_count(*db_, process_.id, centre_unit_), 1);
  EXPECT_EQ(ballots_of_unit(*db_, process_.id, centre_unit_)[0].choices,
            (std::vector<Choice>{{jardin_, 1}}));
  EXPECT_TRUE(receipt_in_ballot_box(*db_, ballot_key_, process_.id,
                                    *normalize_receipt_code(cast.receipts[0])));
  // Nor does a receipt lead to a ballot any more: the rows' receipt hashes are sealed too.
  for (const auto& row : db_->query("SELECT ballot_key, receipt_hash FROM budget_ballots")) {
    EXPECT_TRUE(text(row.at(0)).starts_with("sealed:"));
    EXPECT_TRUE(text(row.at(1)).starts_with("sealed:"));
  }
}

// What someone reading the database (or a backup of it) learns from the
// ballots: nothing that names, dates or orders a voter.
TEST_P(VotingTest, BallotRowsCannotBeLinkedToVoters) {
  std::vector<Voter> voters{alice_};
  for (int i = 0; i < 12; ++i)
    voters.push_back(resident(fmt::format("r{}@example.org", i),
                              {fmt::format("RS{:06}", i), "1980-01-01", "75011"}));
  // Cast in this order; the keys in the order they were written.
  std::vector<std::string> written;
  for (std::size_t i = 0; i < voters.size(); ++i) {
    ASSERT_TRUE(online(voters[i], centre_unit_, {{i % 2 ? jardin_ : bancs_, 1}}).ok());
    written.push_back(
        ballot_key(ballot_key_, process_.id, centre_unit_, voters[i].census_entry_id));
  }

  // The columns: no time, no voter.
  const std::string columns_sql =
      backend() == "sqlite"
          ? "SELECT name FROM pragma_table_info('budget_ballots') ORDER BY name"
          : "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'budget_ballots' ORDER BY column_name";
  std::vector<std::string> columns;
  for (const auto& row : db_->query(columns_sql)) columns.push_back(text(row.at(0)));
  EXPECT_EQ(columns, (std::vector<std::string>{"ballot_key", "choices", "process_id",
                                               "receipt_hash", "unit_id"}));

  // Every value of every row: a keyed hash, a receipt hash, the process,
  // the unit and project ids; none holds an email, an account or census id, a time.
  std::vector<std::string> identifiers;
  for (const auto& [email, id] : accounts_) {
    identifiers.push_back(email);
    identifiers.push_back(std::to_string(id));
  }
  for (const Voter& v : voters) identifiers.push_back(std::to_string(v.census_entry_id));
  const std::regex hex64("[0-9a-f]{64}");
  const std::regex date("[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}:[0-9]{2}");
  std::vector<std::string> natural_order;
  for (const auto& row :
       db_->query("SELECT ballot_key, process_id, unit_id, choices, receipt_hash FROM "
                  "budget_ballots")) {
    const std::string key = text(row.at(0));
    natural_order.push_back(key);
    EXPECT_TRUE(std::regex_match(key, hex64)) << key;
    EXPECT_TRUE(std::regex_match(text(row.at(4)), hex64));
    EXPECT_EQ(integer(row.at(1)), process_.id);
    EXPECT_EQ(integer(row.at(2)), centre_unit_);
    const std::string choices = text(row.at(3));
    EXPECT_TRUE(choices == std::to_string(jardin_) || choices == std::to_string(bancs_)) << choices;
    EXPECT_FALSE(std::regex_search(choices, date)) << choices;
    for (const std::string& value : {key, text(row.at(4))}) {
      EXPECT_FALSE(std::regex_search(value, date)) << value;
      for (const std::string& id : identifiers) {
        EXPECT_NE(value, id);
        EXPECT_FALSE(contains(value, id) && id.find('@') != std::string::npos) << value;
      }
    }
  }

  // No order: what every reader uses (key order) is not the order of
  // casting; nor, on SQLite (WITHOUT ROWID), is the table's own order.
  std::vector<std::string> key_order;
  for (const auto& row : db_->query("SELECT ballot_key FROM budget_ballots ORDER BY ballot_key"))
    key_order.push_back(text(row.at(0)));
  EXPECT_NE(key_order, written);
  if (backend() == "sqlite") {
    EXPECT_NE(natural_order, written);
    // Overwritten bytes (a replaced ballot, a sealed key) are zeroed in the file.
    EXPECT_EQ(integer(db_->query("PRAGMA secure_delete").at(0).at(0)), 1);
  }

  // Without the ballot key, no way to recompute a row's key from what the
  // database holds about a person (their census entry and account ids).
  for (const crypto::Key& other : {census_key_, crypto::random_key()})
    for (const Voter& v : voters)
      for (const std::string& guess :
           {ballot_key(other, process_.id, centre_unit_, v.census_entry_id),
            crypto::hash_hex(
                fmt::format("{}:{}:{}", process_.id, centre_unit_, v.census_entry_id))})
        EXPECT_EQ(std::count(natural_order.begin(), natural_order.end(), guess), 0);
  // With it (the running instance), each row is one voter's...
  for (const std::string& key : written)
    EXPECT_EQ(std::count(natural_order.begin(), natural_order.end(), key), 1);
  // ... until the count seals the ballots: then not even with it.
  seal_ballots(*db_, process_.id);
  std::vector<std::string> sealed;
  for (const auto& row : db_->query("SELECT ballot_key FROM budget_ballots"))
    sealed.push_back(text(row.at(0)));
  EXPECT_EQ(sealed.size(), written.size());
  for (const std::string& key : written)
    EXPECT_EQ(std::count(sealed.begin(), sealed.end(), key), 0);

  // The roll has no time either, and says nothing of the choices.
  const std::string roll_sql =
      backend() == "sqlite"
          ? "SELECT name FROM pragma_table_info('budget_participations') ORDER BY name"
          : "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'budget_participations' ORDER BY column_name";
  std::vector<std::string> roll;
  for (const auto& row : db_->query(roll_sql)) roll.push_back(text(row.at(0)));
  EXPECT_EQ(roll,
            (std::vector<std::string>{"census_entry_id", "channel", "district_id", "process_id"}));
}

// ---- Paper ballots in bulk

const std::string kHeader = "document_number,birth_date,postal_code,district,projects\n";

TEST_P(VotingTest, AFileOfPaperBallotsIsAllOrNothingByDefault) {
  ASSERT_TRUE(online(alice_, centre_unit_, {{jardin_, 1}}).ok());
  const std::string csv = kHeader +
                          fmt::format("EF111111,05/05/1985,75011,centre,{} {}\n", jardin_, bancs_) +
                          fmt::format("EF111111,05/05/1985,75011,city-wide,{}\n", tram_) +
                          fmt::format("GH222222,1970-07-07,75012,centre,{}\n", jardin_) +
                          fmt::format("AB123456,1990-12-31,75011,centre,{}\n", bancs_) +
                          fmt::format("ZZ999999,1990-12-31,75011,centre,{}\n", bancs_) +
                          fmt::format("EF111111,05/05/1985,75011,centre,{}\n", bancs_) +
                          fmt::format("GH222222,1970-07-07,75012,port,{}\n", jardin_);
  const PaperImportReport report = import(csv);
  EXPECT_FALSE(report.refusal);
  EXPECT_EQ(report.lines, 7);
  EXPECT_EQ(report.entered, 0);
  EXPECT_EQ(report.error_count, 5);
  ASSERT_EQ(report.errors.size(), 5u);
  EXPECT_EQ(report.errors[0].line, 4u);
  EXPECT_TRUE(contains(report.errors[0].message.en, "This person lives in The Harbour"));
  EXPECT_EQ(report.errors[1].line, 5u);
  EXPECT_TRUE(contains(report.errors[1].message.en,
                       "already voted in this participatory budget "
                       "(online)"));
  EXPECT_EQ(report.errors[2].line, 6u);
  EXPECT_TRUE(contains(report.errors[2].message.fr, "Personne au recensement"));
  EXPECT_EQ(report.errors[3].line, 7u);
  EXPECT_TRUE(contains(report.errors[3].message.en, "Duplicates line 2"));
  EXPECT_EQ(report.errors[4].line, 8u);
  EXPECT_TRUE(contains(report.errors[4].message.en, "is a project of Town centre"));
  for (const auto& e : report.errors) {
    EXPECT_FALSE(contains(e.message.en, "EF111111") || contains(e.message.en, "GH222222") ||
                 contains(e.message.en, "ZZ999999") || contains(e.message.en, "AB123456"));
  }
  EXPECT_EQ(count("budget_ballots"), 1);
  EXPECT_EQ(count("budget_participations"), 1);
  EXPECT_TRUE(audit("budget.ballot.import").empty());
}

TEST_P(VotingTest, AFileOfPaperBallotsCanSkipItsBadLines) {
  ASSERT_TRUE(online(alice_, centre_unit_, {{jardin_, 1}}).ok());
  const std::string csv = kHeader +
                          fmt::format("EF111111,05/05/1985,75011,centre,{} {}\n", jardin_, bancs_) +
                          fmt::format("EF111111,05/05/1985,75011,city-wide,{}\n", tram_) +
                          fmt::format("AB123456,1990-12-31,75011,centre,{}\n", bancs_) +
                          fmt::format("GH222222,1970-07-07,75012,port,{}\n", ponton_);
  const PaperImportReport report = import(csv, true);
  EXPECT_EQ(report.lines, 4);
  EXPECT_EQ(report.entered, 3);
  EXPECT_EQ(report.people, 2);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].line, 4u);
  EXPECT_EQ(count("budget_ballots"), 4);
  EXPECT_EQ(count("budget_participations"), 3);
  EXPECT_EQ(participation_by_channel(*db_, process_.id),
            (std::map<std::string, std::int64_t>{{"online", 1}, {"paper", 2}}));
  const auto entries = audit("budget.ballot.counter");
  ASSERT_EQ(entries.size(), 3u);
  for (const std::string& entry : entries) {
    EXPECT_TRUE(contains(entry, "channel=paper; census_entry=")) << entry;
    EXPECT_FALSE(contains(entry, "projects")) << entry;
  }
  EXPECT_TRUE(contains(entries[0], "budgets=centre; source=file line 2"));
  EXPECT_EQ(audit("budget.ballot.import").size(), 1u);
  // The same file again: everyone in it has voted now.
  const PaperImportReport again = import(csv, true);
  EXPECT_EQ(again.entered, 0);
  EXPECT_EQ(again.error_count, 4);
}

TEST_P(VotingTest, AFileIsRefusedOutsideThePaperPhaseOrWhenUnreadable) {
  EXPECT_TRUE(import(kHeader + "EF111111,05/05/1985,75011,centre,1\n", false, kBeforeVote).refusal);
  const PaperImportReport report = import("name,projects\nx,1\n");
  ASSERT_TRUE(report.refusal);
  EXPECT_TRUE(contains(report.refusal->en, "missing: document_number"));
  EXPECT_EQ(count("budget_participations"), 0);
}

// ---- Who is voting

TEST_P(VotingTest, AnAccountVotesOnlyWhenVerifiedAndOfAVotingRole) {
  const std::int64_t unverified =
      accounts::insert_account(*db_, "new@example.org", "x", "New", Role::Resident, Lang::Fr);
  const VoterLookup who = voter_of_account(*db_, *accounts::find_account(*db_, unverified));
  EXPECT_FALSE(who.voter);
  EXPECT_TRUE(contains(who.refusal->en, "Only verified residents vote"));
  const VoterLookup clerk = voter_of_account(*db_, *accounts::find_account(*db_, clerk_));
  EXPECT_FALSE(clerk.voter);
  EXPECT_TRUE(contains(clerk.refusal->en, "does not vote"));
  const VoterLookup nobody =
      voter_of_identity(*db_, census_key_, {"ZZ999999", "1990-12-31", "75011"}, kToday);
  EXPECT_FALSE(nobody.voter);
  EXPECT_TRUE(nobody.refusal);
  const VoterLookup bad = voter_of_identity(*db_, census_key_, {"", "x", "1"}, kToday);
  EXPECT_EQ(bad.errors.size(), 3u);
  // The census identity and the account find the same person.
  EXPECT_EQ(census_voter({"AB123456", "31/12/1990", "75011"}).census_entry_id,
            alice_.census_entry_id);
}

// Defence in depth: the counter's actions ask allows() themselves, whatever
// the route in front of them checked.
TEST_P(VotingTest, TheCounterActionsRefuseAnAccountThatIsNotAClerk) {
  const std::int64_t resident = accounts_.at("alice@example.org");
  const CastResult cast = cast_at_counter(*db_, ballot_key_, process_, bob_, Channel::Paper,
                                          resident, {{centre_unit_, {{jardin_, 1}}}}, kDuringVote);
  EXPECT_EQ(cast.status, CastStatus::Refused);
  EXPECT_FALSE(roll_channel(*db_, process_.id, bob_.census_entry_id));

  PaperImportOptions options;
  options.today = kToday;
  const PaperImportReport report = import_paper_ballots(
      *db_, ballot_key_, census_key_, process_, resident,
      "document_number,birth_date,postal_code,district,projects\n"
      "CD987654,2000-01-15,75012," +
          process_.unit(centre_unit_)->slug + "," + std::to_string(jardin_) + "\n",
      options, kDuringVote);
  EXPECT_TRUE(report.refusal);
  EXPECT_EQ(report.entered, 0);

  const CounterLookup lookup =
      identify_at_counter(*db_, census_key_, *accounts::find_account(*db_, resident), process_,
                          {"CD987654", "2000-01-15", "75012"}, kToday);
  EXPECT_FALSE(lookup.allowed);
  EXPECT_FALSE(lookup.who.voter);
  EXPECT_TRUE(audit("budget.counter.lookup").empty());
  EXPECT_EQ(count("budget_ballots"), 0);

  // The clerk's lookup is on record.
  const CounterLookup found =
      identify_at_counter(*db_, census_key_, *accounts::find_account(*db_, clerk_), process_,
                          {"CD987654", "2000-01-15", "75012"}, kToday);
  EXPECT_TRUE(found.allowed);
  ASSERT_TRUE(found.who.voter);
  EXPECT_EQ(audit("budget.counter.lookup").size(), 1u);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(VotingTest);

// ---- Receipts (no storage)

TEST(Receipts, CodesAreGroupedAndReadLeniently) {
  const std::string code = new_receipt_code();
  ASSERT_EQ(code.size(), 17u);
  EXPECT_EQ(code[5], '-');
  const auto normalized = normalize_receipt_code(code);
  ASSERT_TRUE(normalized);
  EXPECT_EQ(normalized->size(), 15u);
  EXPECT_EQ(normalize_receipt_code("7kq2m x9rta 4hwce"), "7KQ2MX9RTA4HWCE");
  EXPECT_EQ(normalize_receipt_code("OIL00-00000-00000"), "011000000000000");
  EXPECT_FALSE(normalize_receipt_code("7KQ2M-X9RTA-4HWC"));    // too short
  EXPECT_FALSE(normalize_receipt_code("7KQ2M-X9RTA-4HWCEE"));  // too long
  EXPECT_FALSE(normalize_receipt_code("7KQ2M-X9RTA-4HWCU"));   // U is not in the alphabet
  EXPECT_NE(new_receipt_code(), new_receipt_code());
  const crypto::Key key = crypto::random_key();
  EXPECT_NE(receipt_hash(key, "7KQ2MX9RTA4HWCE"), receipt_hash(key, "7KQ2MX9RTA4HWCF"));
  EXPECT_NE(receipt_hash(key, "7KQ2MX9RTA4HWCE"),
            receipt_hash(crypto::random_key(), "7KQ2MX9RTA4HWCE"));
}

}  // namespace
}  // namespace fabrique::budgets
