// Issue 9, item 2: guessing the census. Online verification attempts are
// recorded before the census is looked at and then counted, so parallel
// requests cannot slip past the limit; the limits hold per account, per
// client address and for the whole installation; and an identity that
// already verifies another account is answered exactly as a wrong guess,
// while the administrators are alerted. On SQLite and PostgreSQL, and
// through the pages.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "accounts/repository.hpp"
#include "core/crypto.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "residency/repository.hpp"
#include "store/values.hpp"
#include "support/databases.hpp"
#include "support/web_platform.hpp"

namespace fabrique::residency {
namespace {

namespace chr = std::chrono;
using accounts::Role;
using store::integer;

constexpr chr::year_month_day kToday{chr::year{2026}, chr::month{3}, chr::day{10}};

const std::string kCensus =
    "document_number,birth_date,postal_code,district\n"
    "AB123456,1990-12-31,75011,centre\n"
    "CD987654,2000-01-15,75011,centre\n";

class AbuseCensusGuessing : public test::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    key_ = crypto::random_key();
    ASSERT_TRUE(add_district(*db_, {"centre", "Centre-ville", "Town centre"}).errors.empty());
    ImportOptions options;
    options.today = kToday;
    ASSERT_EQ(import_census(*db_, key_, kCensus, options).imported, 2);
  }

  std::int64_t account(const std::string& email) {
    return accounts::insert_account(*db_, email, "x", email, Role::Resident, Lang::Fr);
  }

  // The attempts on record for a subject (subjects are stored hashed).
  std::int64_t recorded(const std::string& subject) {
    return integer(db_->query("SELECT COUNT(*) FROM login_failures WHERE subject = $1",
                              {crypto::hash_hex(subject)})
                       .at(0)
                       .at(0));
  }

  VerifyOptions options(const std::string& address = "198.51.100.7") {
    VerifyOptions o;
    o.today = kToday;
    o.client_address = address;
    return o;
  }

  crypto::Key key_{};
};

TEST_P(AbuseCensusGuessing, HundredConcurrentWrongVerificationsAreRecordedAndRefusedAfterTheLimit) {
  const std::int64_t guesser = account("guesser@example.org");
  constexpr int kRequests = 100;
  std::vector<std::unique_ptr<store::Connection>> connections;
  for (int i = 0; i < kRequests; ++i) connections.push_back(database_->connect());
  std::atomic<int> ready{0};
  std::atomic<int> busy{0};
  std::map<VerificationOutcome, int> outcomes;
  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kRequests) std::this_thread::yield();
      // Well-formed, wrong: a guess.
      const IdentityForm guess{"ZZ" + std::to_string(100000 + i), "1990-12-31", "75011"};
      try {
        const auto result = verify_residency(*connections[i], key_, guesser, guess, options());
        const std::lock_guard lock(mutex);
        ++outcomes[result.outcome];
      } catch (const store::StoreError&) {
        // SQLite, on a loaded machine: a hundred writers at once can outlast
        // the busy timeout. The request fails (the server answers 500) and
        // changes nothing; it never reaches the census.
        ++busy;
      }
    });
  for (auto& thread : threads) thread.join();

  // Every attempt that got an answer is on record; no more than the limit
  // reached the census.
  const VerifyOptions defaults;
  if (GetParam() == "postgres") {
    EXPECT_EQ(busy.load(), 0);
  }
  EXPECT_GE(recorded("residency:" + std::to_string(guesser)), kRequests - busy.load());
  EXPECT_LE(outcomes[VerificationOutcome::NoMatch], defaults.attempts_per_hour);
  EXPECT_EQ(outcomes[VerificationOutcome::NoMatch] +
                outcomes[VerificationOutcome::TooManyAttempts] + busy.load(),
            kRequests);
  EXPECT_GE(outcomes[VerificationOutcome::TooManyAttempts],
            kRequests - defaults.attempts_per_hour - busy.load());
  // And after the limit, even the right identity is refused.
  EXPECT_EQ(
      verify_residency(*db_, key_, guesser, {"AB123456", "1990-12-31", "75011"}, options()).outcome,
      VerificationOutcome::TooManyAttempts);
  EXPECT_FALSE(accounts::find_account(*db_, guesser)->verified());
}

TEST_P(AbuseCensusGuessing, ManyAccountsFromOneAddressMeetTheAddressLimit) {
  VerifyOptions limited = options("203.0.113.5");
  limited.attempts_per_address_per_hour = 5;
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    // A fresh account each time: the per-account limit never bites.
    const std::int64_t id = account("sock" + std::to_string(i) + "@example.org");
    const auto outcome =
        verify_residency(*db_, key_, id, {"ZZ12345" + std::to_string(i), "1990-12-31", "75011"},
                         limited)
            .outcome;
    if (outcome == VerificationOutcome::TooManyAttempts) ++refused;
  }
  EXPECT_EQ(refused, 3);
  // Another address is not concerned.
  const std::int64_t elsewhere = account("elsewhere@example.org");
  EXPECT_EQ(verify_residency(*db_, key_, elsewhere, {"AB123456", "1990-12-31", "75011"},
                             options("192.0.2.99"))
                .outcome,
            VerificationOutcome::Verified);
}

TEST_P(AbuseCensusGuessing, ACampaignOverManyAddressesMeetsTheGlobalLimit) {
  int refused = 0;
  for (int i = 0; i < 6; ++i) {
    VerifyOptions spread = options("198.51.100." + std::to_string(i + 1));
    spread.attempts_per_hour_globally = 4;
    const std::int64_t id = account("spread" + std::to_string(i) + "@example.org");
    if (verify_residency(*db_, key_, id, {"ZZ99999" + std::to_string(i), "1990-12-31", "75011"},
                         spread)
            .outcome == VerificationOutcome::TooManyAttempts)
      ++refused;
  }
  EXPECT_EQ(refused, 2);
}

TEST_P(AbuseCensusGuessing, SuccessfulVerificationsDoNotUseUpTheLimits) {
  VerifyOptions tight = options();
  tight.attempts_per_address_per_hour = 1;
  const std::int64_t alice = account("alice@example.org");
  const std::int64_t bob = account("bob@example.org");
  EXPECT_EQ(verify_residency(*db_, key_, alice, {"AB123456", "1990-12-31", "75011"}, tight).outcome,
            VerificationOutcome::Verified);
  // From the same address (a family, a library), the next person verifies too.
  EXPECT_EQ(verify_residency(*db_, key_, bob, {"CD987654", "2000-01-15", "75011"}, tight).outcome,
            VerificationOutcome::Verified);
}

TEST_P(AbuseCensusGuessing, AnUnconfirmedAddressCannotVerify) {
  const std::int64_t fresh =
      accounts::insert_unconfirmed_account(*db_, "fresh@example.org", "x", "Fresh", Lang::Fr);
  EXPECT_EQ(
      verify_residency(*db_, key_, fresh, {"AB123456", "1990-12-31", "75011"}, options()).outcome,
      VerificationOutcome::EmailNotConfirmed);
  EXPECT_FALSE(accounts::find_account(*db_, fresh)->verified());
  EXPECT_EQ(recorded("residency:" + std::to_string(fresh)), 0);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AbuseCensusGuessing);

// Through the pages: what the person reads, and who is alerted.
class AbuseCensusGuessingPages : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = web_.add_account("admin@example.org", Role::Administrator, "Ada Admin");
    holder_ = web_.add_account("holder@example.org", Role::Resident, "Holder");
    guesser_ = web_.add_account("guesser@example.org", Role::Resident, "Guesser");
    ASSERT_TRUE(add_district(web_.db(), {"centre", "Centre-ville", "Town centre"}).errors.empty());
    ASSERT_EQ(import_census(web_.db(), web_.platform().app().secrets.census, kCensus).imported, 2);
    ASSERT_EQ(web_.post("/account/residency", web_.signed_in(holder_),
                        {{"document_number", "AB123456"},
                         {"birth_date", "1990-12-31"},
                         {"postal_code", "75011"}})
                  .status,
              303);
  }

  std::int64_t count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    return integer(web_.db().query(sql, params).at(0).at(0));
  }

  test::WebPlatform web_;
  std::int64_t admin_ = 0, holder_ = 0, guesser_ = 0;
};

std::string without(std::string text, const std::string& part) {
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part))
    text.erase(at, part.size());
  return text;
}

TEST_F(AbuseCensusGuessingPages, AnIdentityInUseIsAnsweredAsAWrongGuessAndStaffAreAlerted) {
  const test::Client guesser = web_.signed_in(guesser_);
  const auto attempt = [&](const std::string& document) {
    return web_.post(
        "/account/residency", guesser,
        {{"document_number", document}, {"birth_date", "1990-12-31"}, {"postal_code", "75011"}});
  };
  const std::int64_t mails_before = count("SELECT COUNT(*) FROM outbox");
  const http::Response wrong = attempt("AB123457");  // no one has it
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox"), mails_before);
  const http::Response taken = attempt("AB123456");  // the holder's, typed correctly

  // The same status, the same page but for the number typed.
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(taken.status, wrong.status);
  EXPECT_EQ(without(taken.body, "AB123456"), without(wrong.body, "AB123457"));
  // It tells everyone who fails to come to the counter with their papers.
  EXPECT_NE(wrong.body.find("guichet"), std::string::npos);
  EXPECT_EQ(taken.body.find("autre compte"), std::string::npos);

  // The administrators are alerted: a mail and an audit entry.
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE recipient = 'admin@example.org'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'residency.identity_in_use' AND "
                  "subject = $1",
                  {std::to_string(guesser_)}),
            1);
  EXPECT_FALSE(web_.account(guesser_)->verified());
}

}  // namespace
}  // namespace fabrique::residency
