// Verifying a residency, on SQLite and PostgreSQL: every outcome (match,
// no match, taken, under age, already verified, bad form, not eligible, too
// many attempts), the counter and its audit entry, and two accounts racing
// for one census entry: exactly one wins.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "accounts/repository.hpp"
#include "core/crypto.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "residency/repository.hpp"
#include "support/databases.hpp"
#include "support/text.hpp"

namespace fabrique::residency {
namespace {

namespace chr = std::chrono;
using accounts::Role;

constexpr chr::year_month_day kVerificationDay{chr::year{2026}, chr::month{6}, chr::day{1}};

const IdentityForm kAlice{"AB123456", "1990-12-31", "75011"};
const IdentityForm kBob{"CD987654", "2000-01-15", "75012"};
const IdentityForm kChild{"YO000001", "2012-01-01", "75011"};  // 14 on kVerificationDay
const IdentityForm kNobody{"ZZ999999", "1990-12-31", "75011"};

using fabrique::test::contains;

class ResidencyVerifyTest : public test::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    key_ = crypto::random_key();
    centre_ = add_district(*db_, {"centre", "Centre-ville", "Town centre"}).id;
    port_ = add_district(*db_, {"port", "Le Port", "The Harbour"}).id;
    ImportOptions options;
    options.today = kVerificationDay;
    const ImportReport report = import_census(*db_, key_,
                                              "document_number,birth_date,postal_code,district\n"
                                              "AB123456,31/12/1990,75011,centre\n"
                                              "CD987654,2000-01-15,75012,port\n"
                                              "YO000001,2012-01-01,75011,centre\n",
                                              options);
    ASSERT_EQ(report.imported, 3);
    alice_ = account("alice@example.org", Role::Resident, "Alice");
    bob_ = account("bob@example.org", Role::Resident, "Bob");
    clerk_ = account("clerk@example.org", Role::Clerk, "Claire Guichet");
  }

  std::int64_t account(const std::string& email, Role role, const std::string& name) {
    return accounts::insert_account(*db_, email, "not a hash", name, role, Lang::Fr);
  }

  VerifyResult verify(std::int64_t account_id, const IdentityForm& form,
                      VerificationMethod method = VerificationMethod::Online) {
    VerifyOptions options;
    options.method = method;
    options.today = kVerificationDay;
    if (method == VerificationMethod::Counter) {
      options.clerk_id = clerk_;
      options.attempts_per_hour = 0;
    }
    return verify_residency(*db_, key_, account_id, form, options);
  }

  std::int64_t attempts(std::int64_t account_id) {
    return accounts::recent_login_failures(*db_, "residency:" + std::to_string(account_id),
                                           chr::hours(1));
  }

  std::string audit_text() {
    std::string all;
    for (const auto& row : db_->query("SELECT action, subject, detail FROM audit_log"))
      for (const auto& value : row) all += std::get<std::string>(value) + "\n";
    return all;
  }

  crypto::Key key_{};
  std::int64_t centre_ = 0, port_ = 0, alice_ = 0, bob_ = 0, clerk_ = 0;
};

TEST_P(ResidencyVerifyTest, AMatchVerifiesTheAccountInOneGo) {
  const VerifyResult result = verify(alice_, kAlice);
  ASSERT_EQ(result.outcome, VerificationOutcome::Verified);
  ASSERT_TRUE(result.district);
  EXPECT_EQ(result.district->slug, "centre");
  const auto account = accounts::find_account(*db_, alice_);
  EXPECT_TRUE(account->verified());
  EXPECT_EQ(account->district_id, centre_);
  EXPECT_EQ(account->birth_date, "1990-12-31");
  EXPECT_EQ(account->verification_method, "online");
  const auto row =
      db_->query("SELECT census_entry_id, verified_by FROM accounts WHERE id = $1", {alice_});
  const auto entry =
      find_census_entry(*db_, crypto::keyed_hash_hex(key_, "AB123456|1990-12-31|75011"));
  EXPECT_EQ(std::get<std::int64_t>(row[0][0]), entry->id);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(row[0][1]));
  const auto audit = db_->query(
      "SELECT actor_account_id, action, subject FROM audit_log WHERE action LIKE "
      "'residency.%'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(audit[0][0]), alice_);
  EXPECT_EQ(std::get<std::string>(audit[0][1]), "residency.verified_online");
  EXPECT_EQ(std::get<std::string>(audit[0][2]), std::to_string(alice_));
  EXPECT_FALSE(contains(audit_text(), "AB123456"));
}

TEST_P(ResidencyVerifyTest, OtherSpellingsOfTheSameIdentityMatch) {
  EXPECT_EQ(verify(alice_, {" ab-123 456 ", "31/12/1990", "75 011"}).outcome,
            VerificationOutcome::Verified);
}

TEST_P(ResidencyVerifyTest, NoMatchChangesNothingAndCountsAnAttempt) {
  const VerifyResult result = verify(alice_, kNobody);
  EXPECT_EQ(result.outcome, VerificationOutcome::NoMatch);
  EXPECT_TRUE(result.errors.empty()) << "which field is wrong is not said";
  EXPECT_FALSE(accounts::find_account(*db_, alice_)->verified());
  EXPECT_EQ(attempts(alice_), 1);
  // One field off is no match either.
  EXPECT_EQ(verify(alice_, {"AB123456", "1990-12-30", "75011"}).outcome,
            VerificationOutcome::NoMatch);
  EXPECT_EQ(verify(alice_, {"AB123456", "1990-12-31", "75012"}).outcome,
            VerificationOutcome::NoMatch);
  EXPECT_EQ(attempts(alice_), 3);
}

TEST_P(ResidencyVerifyTest, AnEntryVerifiesOneAccountOnly) {
  ASSERT_EQ(verify(alice_, kAlice).outcome, VerificationOutcome::Verified);
  EXPECT_EQ(verify(bob_, kAlice).outcome, VerificationOutcome::TakenByAnother);
  EXPECT_FALSE(accounts::find_account(*db_, bob_)->verified());
  EXPECT_EQ(attempts(bob_), 1);
  // Bob's own entry still works.
  EXPECT_EQ(verify(bob_, kBob).outcome, VerificationOutcome::Verified);
  EXPECT_EQ(accounts::find_account(*db_, bob_)->district_id, port_);
}

TEST_P(ResidencyVerifyTest, UnderAgeIsToldBeforeTheCensusIsLookedAt) {
  EXPECT_EQ(verify(alice_, kChild).outcome, VerificationOutcome::UnderAge);
  EXPECT_EQ(verify(alice_, {"ZZ000000", "2012-01-01", "99999"}).outcome,
            VerificationOutcome::UnderAge);
  EXPECT_EQ(attempts(alice_), 0);
  EXPECT_FALSE(accounts::find_account(*db_, alice_)->verified());
  // On the 16th birthday, the same person is old enough.
  VerifyOptions options;
  options.today = chr::year_month_day{chr::year{2028}, chr::month{1}, chr::day{1}};
  EXPECT_EQ(verify_residency(*db_, key_, alice_, kChild, options).outcome,
            VerificationOutcome::Verified);
}

TEST_P(ResidencyVerifyTest, AVerifiedAccountStaysAsItIs) {
  ASSERT_EQ(verify(alice_, kAlice).outcome, VerificationOutcome::Verified);
  EXPECT_EQ(verify(alice_, kBob).outcome, VerificationOutcome::AlreadyVerified);
  EXPECT_EQ(accounts::find_account(*db_, alice_)->district_id, centre_);
  EXPECT_EQ(verify(bob_, kBob).outcome, VerificationOutcome::Verified);  // kBob still free
}

TEST_P(ResidencyVerifyTest, ABadFormSaysWhichFieldAndCountsNoAttempt) {
  const VerifyResult result = verify(alice_, {"AB", "31/02/1990", "75011"});
  EXPECT_EQ(result.outcome, VerificationOutcome::InvalidForm);
  EXPECT_TRUE(result.errors.contains("document_number"));
  EXPECT_TRUE(result.errors.contains("birth_date"));
  EXPECT_FALSE(result.errors.contains("postal_code"));
  EXPECT_EQ(attempts(alice_), 0);
}

TEST_P(ResidencyVerifyTest, OnlyResidentsAndElectedOfficialsAreVerified) {
  const std::int64_t organisation = account("asso@example.org", Role::Organisation, "Asso");
  EXPECT_EQ(verify(organisation, kAlice).outcome, VerificationOutcome::NotEligible);
  EXPECT_EQ(verify(clerk_, kAlice).outcome, VerificationOutcome::NotEligible);
  EXPECT_EQ(verify(999999, kAlice).outcome, VerificationOutcome::NotEligible);
  const std::int64_t elected = account("maire@example.org", Role::Elected, "Maire");
  EXPECT_EQ(verify(elected, kAlice).outcome, VerificationOutcome::Verified);
}

TEST_P(ResidencyVerifyTest, TenFailedAttemptsAnHourThenWait) {
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(verify(alice_, kNobody).outcome, VerificationOutcome::NoMatch) << i;
  EXPECT_EQ(verify(alice_, kAlice).outcome, VerificationOutcome::TooManyAttempts);
  EXPECT_FALSE(accounts::find_account(*db_, alice_)->verified());
  // Another account is not held back, and the counter has no such limit.
  EXPECT_EQ(verify(bob_, kBob).outcome, VerificationOutcome::Verified);
  EXPECT_EQ(verify(alice_, kAlice, VerificationMethod::Counter).outcome,
            VerificationOutcome::Verified);
}

TEST_P(ResidencyVerifyTest, TheCounterRecordsTheClerkAndTheAccountNeverTheIdentity) {
  // A refusal first: recorded too, since the clerk answers for every attempt.
  EXPECT_EQ(verify(alice_, kNobody, VerificationMethod::Counter).outcome,
            VerificationOutcome::NoMatch);
  EXPECT_EQ(attempts(alice_), 0);
  ASSERT_EQ(verify(alice_, kAlice, VerificationMethod::Counter).outcome,
            VerificationOutcome::Verified);
  const auto account = accounts::find_account(*db_, alice_);
  EXPECT_EQ(account->verification_method, "counter");
  EXPECT_EQ(std::get<std::int64_t>(
                db_->query("SELECT verified_by FROM accounts WHERE id = $1", {alice_})[0][0]),
            clerk_);
  const auto audit = db_->query(
      "SELECT actor_account_id, action, subject, detail FROM audit_log WHERE action LIKE "
      "'residency.%' ORDER BY id");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(audit[0][0]), clerk_);
  EXPECT_EQ(std::get<std::string>(audit[0][1]), "residency.counter_refused");
  EXPECT_TRUE(contains(std::get<std::string>(audit[0][3]), "outcome=no_match"));
  EXPECT_EQ(std::get<std::int64_t>(audit[1][0]), clerk_);
  EXPECT_EQ(std::get<std::string>(audit[1][1]), "residency.verified_at_counter");
  EXPECT_EQ(std::get<std::string>(audit[1][2]), std::to_string(alice_));
  const std::string detail = std::get<std::string>(audit[1][3]);
  EXPECT_TRUE(contains(detail, "alice@example.org")) << detail;
  EXPECT_TRUE(contains(detail, "Claire Guichet")) << detail;
  EXPECT_TRUE(contains(detail, "district=centre")) << detail;
  const std::string all = audit_text();
  for (const char* clear : {"AB123456", "1990-12-31", "31/12/1990", "75011", "ZZ999999"})
    EXPECT_FALSE(contains(all, clear)) << "the audit log holds " << clear;
}

TEST_P(ResidencyVerifyTest, TwoAccountsRacingForOneEntryOneWins) {
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string document = "RACE" + std::to_string(1000 + round);
    ImportOptions options;
    options.today = kVerificationDay;
    ASSERT_EQ(import_census(*db_, key_,
                            "document_number,birth_date,postal_code,district\n" + document +
                                ",1980-01-01,75011,centre\n",
                            options)
                  .imported,
              1);
    const std::int64_t first =
        account("a" + std::to_string(round) + "@example.org", Role::Resident, "A");
    const std::int64_t second =
        account("b" + std::to_string(round) + "@example.org", Role::Resident, "B");
    std::atomic<int> ready{0};
    std::vector<VerificationOutcome> outcomes(2);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        auto connection = database_->connect();
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        VerifyOptions verify_options;
        verify_options.today = kVerificationDay;
        outcomes[i] = verify_residency(*connection, key_, i == 0 ? first : second,
                                       {document, "1980-01-01", "75011"}, verify_options)
                          .outcome;
      });
    }
    for (auto& thread : threads) thread.join();
    const int wins = (outcomes[0] == VerificationOutcome::Verified) +
                     (outcomes[1] == VerificationOutcome::Verified);
    const int losses = (outcomes[0] == VerificationOutcome::TakenByAnother) +
                       (outcomes[1] == VerificationOutcome::TakenByAnother);
    EXPECT_EQ(wins, 1);
    EXPECT_EQ(losses, 1);
    const auto entry =
        find_census_entry(*db_, crypto::keyed_hash_hex(key_, document + "|1980-01-01|75011"));
    EXPECT_EQ(std::get<std::int64_t>(db_->query(
                  "SELECT COUNT(*) FROM accounts WHERE census_entry_id = $1", {entry->id})[0][0]),
              1);
  }
}

TEST_P(ResidencyVerifyTest, TheUniqueConstraintSettlesWhatTheCheckCouldNotSee) {
  // A claims the entry in a transaction still open while B verifies: B's
  // check cannot see A's claim (PostgreSQL) or waits for it (SQLite); either
  // way B must lose once A commits.
  const auto entry =
      find_census_entry(*db_, crypto::keyed_hash_hex(key_, "AB123456|1990-12-31|75011"));
  ASSERT_TRUE(entry);
  auto holder = database_->connect();
  VerificationOutcome outcome = VerificationOutcome::Verified;
  std::thread racer;
  holder->transaction([&](store::Connection& tx) {
    tx.execute(
        "UPDATE accounts SET census_entry_id = $1, district_id = $2, verified_at = $3, "
        "verification_method = 'online' WHERE id = $4",
        {entry->id, entry->district_id, std::string("2026-06-01T00:00:00Z"), alice_});
    racer = std::thread([&] {
      auto connection = database_->connect();
      VerifyOptions options;
      options.today = kVerificationDay;
      outcome = verify_residency(*connection, key_, bob_, kAlice, options).outcome;
    });
    std::this_thread::sleep_for(chr::milliseconds(400));
  });
  racer.join();
  EXPECT_EQ(outcome, VerificationOutcome::TakenByAnother);
  EXPECT_FALSE(accounts::find_account(*db_, bob_)->verified());
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(ResidencyVerifyTest);

}  // namespace
}  // namespace fabrique::residency
