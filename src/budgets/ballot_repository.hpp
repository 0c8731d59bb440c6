// Ballots and the roll in the store, kept apart so that no one reading the
// database or an export can tell whose ballot a row is (docs/ballot-secrecy.md):
//   budget_participations  who took part (census entry, district, channel), no choice;
//   budget_ballots         what was chosen (unit, choices), keyed by a keyed hash
//                          of (process, unit, person) that only the running
//                          instance can compute; no time, no insertion order.
// One person, one ballot per budget: the roll's primary key (process, person)
// and the ballot's key (one per process, unit and person) make it hold under
// concurrency on both backends.
//
// Every SQL statement about the roll, the ballots and the receipts is here;
// the keys and hashes are computed by the callers (voting_rules.hpp), so
// nothing here holds a secret.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "budgets/model.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// Every ballot of one budget of a process, in key order (which says nothing
// about who cast it or when).
std::vector<StoredBallot> ballots_of_unit(store::Connection& db, std::int64_t process_id,
                                          std::int64_t unit_id);
std::int64_t ballot_count(store::Connection& db, std::int64_t process_id, std::int64_t unit_id);

// People on the roll of a process by district id (turnout), and by channel name.
std::map<std::int64_t, std::int64_t> participation_by_district(store::Connection& db,
                                                               std::int64_t process_id);
std::map<std::string, std::int64_t> participation_by_channel(store::Connection& db,
                                                             std::int64_t process_id);

// ---- The roll

// Puts the person on the roll of the process (with the district they vote
// from and the channel); false when they were on it already, by any channel.
// ON CONFLICT DO NOTHING: of concurrent enrolments, exactly one wins.
bool enrol(store::Connection& db, std::int64_t process_id, const Voter& voter, Channel channel);
// How the person is on the roll of the process, if at all.
std::optional<Channel> roll_channel(store::Connection& db, std::int64_t process_id,
                                    std::int64_t census_entry_id);
// The district the person was on the roll from, if on it.
std::optional<std::int64_t> roll_district(store::Connection& db, std::int64_t process_id,
                                          std::int64_t census_entry_id);

// ---- Ballots and receipts

// Whether a ballot is stored under this key.
bool ballot_exists(store::Connection& db, const std::string& ballot_key);
// Writes, or replaces, the ballot stored under `ballot_key`: the key alone
// identifies the row, so concurrent upserts of one person's ballot leave
// exactly one row, the last one written.
void put_ballot(store::Connection& db, const std::string& ballot_key, std::int64_t process_id,
                std::int64_t unit_id, const std::string& choices, const std::string& receipt_hash);
// The choices stored under `ballot_key` in the process (until the count seals them).
std::optional<std::vector<Choice>> find_ballot(store::Connection& db, const std::string& ballot_key,
                                               std::int64_t process_id);
// Every receipt issued stays checkable, a replaced ballot's too: one row per
// receipt, pointing to no ballot.
void insert_receipt(store::Connection& db, const std::string& receipt_hash,
                    std::int64_t process_id);
bool receipt_exists(store::Connection& db, const std::string& receipt_hash,
                    std::int64_t process_id);
// Replaces every receipt hash marked "unkeyed:" (migration 5), in both
// tables, by rekey(the hash without its mark), in one transaction; returns
// how many it replaced. In hash order, which says nothing of when anyone voted.
std::int64_t rekey_unkeyed_receipts(store::Connection& db,
                                    const std::function<std::string(const std::string&)>& rekey);

// Inside a ballot's transaction: the vote is still open and uncounted, and
// stays so until the transaction ends (PostgreSQL: the process row is
// share-locked, so the count's claim waits for this ballot; SQLite: write
// transactions exclude each other). Without it, a ballot checked just
// before the close could commit after the count has read the ballot box.
bool vote_still_open(store::Connection& db, std::int64_t process_id, std::string_view now);

// ---- Who votes

struct CensusLink {
  std::int64_t census_entry_id = 0;
  std::string birth_date;
};
// The census entry and birth date of a verified account; nullopt otherwise.
std::optional<CensusLink> census_link_of_account(store::Connection& db, std::int64_t account_id);
// The district of a census entry that is not retired (a full census that no
// longer lists the person retires it); nullopt otherwise.
std::optional<std::int64_t> district_of_live_entry(store::Connection& db,
                                                   std::int64_t census_entry_id);

// ---- After the vote

// After the vote has closed: replaces every ballot key of the process, and
// every ballot's receipt hash, by random values, so that from then on not
// even the instance's keys link a ballot to a person or to a receipt
// (receipts stay checkable in budget_receipts). Idempotent. In short
// transactions of kSealBatch ballots each, so that sealing 100,000 ballots
// never holds SQLite's write lock for long (a reader of the keys may see
// some sealed and some not: sealing is idempotent, and the count's claim
// keeps the box closed meanwhile).
inline constexpr std::size_t kSealBatch = 1000;
void seal_ballots(store::Connection& db, std::int64_t process_id);

}  // namespace fabrique::budgets
