// Issue 9, item 1: a resident who moved cannot vote twice. One person (one
// document number) is one census entry across imports: a later census that
// lists them at a new address updates that entry in place, so their old
// details verify no one, their verified account follows them to their new
// district, a ballot already cast stays where it was cast, and neither a
// second account, nor the counter, nor a paper-ballot file gives them a
// second ballot. A full census retires the people it no longer lists.
// On SQLite and PostgreSQL.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "accounts/repository.hpp"
#include "budgets/counter_actions.hpp"
#include "budgets/repository.hpp"
#include "core/crypto.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "residency/repository.hpp"
#include "store/values.hpp"
#include "support/budget_process.hpp"
#include "support/databases.hpp"
#include "support/two_district_vote.hpp"

namespace fabrique::budgets {
namespace {

namespace chr = std::chrono;
using accounts::Role;
using residency::VerificationOutcome;
using store::integer;

constexpr chr::year_month_day kToday{chr::year{2026}, chr::month{3}, chr::day{10}};
const std::string kDuringVote = "2026-03-10T12:00:00Z";

const residency::IdentityForm kAliceAtFirst{"AB123456", "1990-12-31", "75011"};
const residency::IdentityForm kAliceMoved{"AB123456", "1990-12-31", "75012"};

// Alice (centre, postal code 75011), Bob and Carol; in the second census
// Alice lives in the harbour (75012).
std::string census(bool alice_moved, bool with_carol = true) {
  std::string csv = "document_number,birth_date,postal_code,district\n";
  csv += alice_moved ? "AB123456,1990-12-31,75012,port\n" : "AB123456,1990-12-31,75011,centre\n";
  csv += "CD987654,2000-01-15,75012,port\n";
  if (with_carol) csv += "EF111111,1985-05-05,75011,centre\n";
  return csv;
}

class AbuseCensusMoves : public test::TwoDistrictVoteTest {
 protected:
  void SetUp() override {
    TwoDistrictVoteTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(import(census(false), true).imported, 3);
    jardin_ = project(centre_unit_, "Jardin partagé", 40'000);
    ponton_ = project(port_unit_, "Ponton", 45'000);
  }

  residency::ImportReport import(const std::string& csv, bool full) {
    residency::ImportOptions options;
    options.today = kToday;
    options.full_census = full;
    return residency::import_census(*db_, census_key_, csv, options);
  }

  std::int64_t account(const std::string& email) {
    return accounts::insert_account(*db_, email, "x", email, Role::Resident, Lang::Fr);
  }

  VerificationOutcome verify(std::int64_t account_id, const residency::IdentityForm& identity) {
    residency::VerifyOptions options;
    options.today = kToday;
    return residency::verify_residency(*db_, census_key_, account_id, identity, options).outcome;
  }

  VoterLookup voter_of(std::int64_t account_id) {
    return voter_of_account(*db_, *accounts::find_account(*db_, account_id));
  }

  PaperImportReport paper(const std::string& csv) {
    PaperImportOptions options;
    options.skip_bad_lines = true;
    options.today = kToday;
    return import_paper_ballots(*db_, ballot_key_, census_key_, process_, clerk_, csv, options,
                                kDuringVote);
  }

  std::int64_t count(const std::string& sql) { return integer(db_->query(sql).at(0).at(0)); }

  std::int64_t jardin_ = 0, ponton_ = 0;
};

TEST_P(AbuseCensusMoves, AResidentWhoMovedCastsExactlyOneBallotWhateverTheChannel) {
  // Alice verifies an account and votes in the centre, where she lives.
  const std::int64_t first = account("alice@example.org");
  ASSERT_EQ(verify(first, kAliceAtFirst), VerificationOutcome::Verified);
  const VoterLookup before = voter_of(first);
  ASSERT_TRUE(before.voter);
  ASSERT_TRUE(cast_online(*db_, ballot_key_, process_, *before.voter,
                          {centre_unit_, {{jardin_, 1}}}, kDuringVote)
                  .ok());

  // The new census lists her in the harbour.
  const residency::ImportReport moved = import(census(true), true);
  EXPECT_EQ(moved.imported, 0);
  EXPECT_EQ(moved.updated, 1);
  EXPECT_EQ(moved.already_present, 2);
  EXPECT_EQ(moved.retired, 0);
  EXPECT_EQ(residency::census_size(*db_), 3);

  // Her account follows the census to her new district.
  EXPECT_EQ(accounts::find_account(*db_, first)->district_id, port_);
  // A second account cannot be verified, with the new details nor the old.
  const std::int64_t second = account("alice.bis@example.org");
  EXPECT_EQ(verify(second, kAliceMoved), VerificationOutcome::TakenByAnother);
  EXPECT_EQ(verify(second, kAliceAtFirst), VerificationOutcome::NoMatch);
  EXPECT_FALSE(accounts::find_account(*db_, second)->verified());
  EXPECT_FALSE(voter_of(second).voter);

  // Online, her first account cannot vote again in her new district...
  const VoterLookup after = voter_of(first);
  ASSERT_TRUE(after.voter);
  EXPECT_EQ(after.voter->district_id, port_);
  const CastResult again = cast_online(*db_, ballot_key_, process_, *after.voter,
                                       {port_unit_, {{ponton_, 1}}}, kDuringVote);
  EXPECT_EQ(again.status, CastStatus::Refused);
  ASSERT_TRUE(again.refusal);
  EXPECT_NE(again.refusal->fr.find("Centre-ville"), std::string::npos) << again.refusal->fr;

  // ... nor at the counter: her old details are not on the census any more,
  // and her new ones are the person who has voted.
  EXPECT_FALSE(voter_of_identity(*db_, census_key_, kAliceAtFirst, kToday).voter);
  const VoterLookup at_counter = voter_of_identity(*db_, census_key_, kAliceMoved, kToday);
  ASSERT_TRUE(at_counter.voter);
  EXPECT_EQ(at_counter.voter->census_entry_id, before.voter->census_entry_id);
  EXPECT_EQ(cast_at_counter(*db_, ballot_key_, process_, *at_counter.voter, Channel::Paper, clerk_,
                            {{port_unit_, {{ponton_, 1}}}}, kDuringVote)
                .status,
            CastStatus::Refused);

  // ... nor by a paper-ballot file, with either address.
  const PaperImportReport file = paper(
      "document_number,birth_date,postal_code,district,projects\n"
      "AB123456,1990-12-31,75011,centre," +
      std::to_string(jardin_) +
      "\n"
      "AB123456,1990-12-31,75012,port," +
      std::to_string(ponton_) + "\n");
  EXPECT_EQ(file.entered, 0);
  EXPECT_EQ(file.error_count, 2);

  // Exactly one ballot counts: the first, in the centre.
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_participations"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_ballots"), 1);
  EXPECT_EQ(
      count(fmt::format("SELECT COUNT(*) FROM budget_ballots WHERE unit_id = {}", centre_unit_)),
      1);
}

TEST_P(AbuseCensusMoves, TheCityWideBallotOfAResidentWhoMovedCanStillBeChanged) {
  const std::int64_t alice = account("alice@example.org");
  ASSERT_EQ(verify(alice, kAliceAtFirst), VerificationOutcome::Verified);
  const std::int64_t city = process_.city_wide_unit()->id;
  const std::int64_t tram = project(city, "Navette", 200'000);
  ASSERT_TRUE(cast_online(*db_, ballot_key_, process_, *voter_of(alice).voter, {city, {{tram, 1}}},
                          kDuringVote)
                  .ok());
  import(census(true), true);
  const CastResult changed = cast_online(*db_, ballot_key_, process_, *voter_of(alice).voter,
                                         {city, {{tram, 1}}}, kDuringVote);
  EXPECT_EQ(changed.status, CastStatus::Replaced);
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_ballots"), 1);
}

TEST_P(AbuseCensusMoves, AFullCensusRetiresThoseItNoLongerListsAndAnUpdateRetiresNoOne) {
  const std::int64_t carol = account("carol@example.org");
  ASSERT_EQ(verify(carol, {"EF111111", "1985-05-05", "75011"}), VerificationOutcome::Verified);

  // An update without Carol changes nothing for her.
  const residency::ImportReport update = import(census(false, false), false);
  EXPECT_EQ(update.retired, 0);
  EXPECT_TRUE(accounts::find_account(*db_, carol)->verified());

  // The whole census without Carol retires her: her account is verified no
  // more, she can verify no account, vote neither online nor at the counter.
  const residency::ImportReport full = import(census(false, false), true);
  EXPECT_EQ(full.retired, 1);
  EXPECT_EQ(full.unverified, 1);
  EXPECT_EQ(residency::census_size(*db_), 2);
  EXPECT_FALSE(accounts::find_account(*db_, carol)->verified());
  EXPECT_FALSE(voter_of(carol).voter);
  EXPECT_EQ(verify(carol, {"EF111111", "1985-05-05", "75011"}), VerificationOutcome::NoMatch);
  EXPECT_FALSE(
      voter_of_identity(*db_, census_key_, {"EF111111", "1985-05-05", "75011"}, kToday).voter);

  // Back on a later census, she is the same entry again and may verify.
  const std::int64_t entries = count("SELECT COUNT(*) FROM census_entries");
  const residency::ImportReport back = import(census(false, true), true);
  EXPECT_EQ(back.updated, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM census_entries"), entries);
  EXPECT_EQ(verify(carol, {"EF111111", "1985-05-05", "75011"}), VerificationOutcome::Verified);
}

TEST_P(AbuseCensusMoves, EntriesOfBeforePersonHashesAreOnePersonAgainAtTheNextImport) {
  // What an earlier version left: the census only ever added entries, so a
  // person who moved has two, neither with a person hash.
  const std::int64_t alice = account("alice@example.org");
  ASSERT_EQ(verify(alice, kAliceAtFirst), VerificationOutcome::Verified);
  db_->execute("UPDATE census_entries SET person_hash = NULL");
  db_->execute(
      "INSERT INTO census_entries (identity_hash, district_id, import_id) VALUES ($1, $2, 0)",
      {crypto::keyed_hash_hex(census_key_, "AB123456|1990-12-31|75012"), port_});
  const std::int64_t second = account("alice.bis@example.org");
  ASSERT_EQ(verify(second, kAliceMoved), VerificationOutcome::Verified);  // the old hole

  // The next full census makes her one person again: her entry is the one of
  // her current address, the other verifies no one.
  const residency::ImportReport report = import(census(true), true);
  EXPECT_EQ(residency::census_size(*db_), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM census_entries WHERE retired_at IS NULL AND person_hash "
                  "IS NULL"),
            0);
  const bool first_verified = accounts::find_account(*db_, alice)->verified();
  const bool second_verified = accounts::find_account(*db_, second)->verified();
  EXPECT_NE(first_verified, second_verified) << report.updated << " " << report.retired;
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE verified_at IS NOT NULL"), 1);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AbuseCensusMoves);

}  // namespace
}  // namespace fabrique::budgets
