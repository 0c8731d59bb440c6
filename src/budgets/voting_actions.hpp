// Voting, the actions that put ballots in the box —
// online by the resident, at the counter by a clerk (a paper ballot, or
// helping the person vote), and a file of paper ballots in bulk.
//
// One person, one ballot per budget (docs/ballot-secrecy.md):
//   - the roll (budget_participations) has one row per person and process,
//     whatever the channel: inserted with ON CONFLICT DO NOTHING, it decides
//     who was first, on SQLite and on PostgreSQL alike;
//   - the ballot (budget_ballots) is keyed by a keyed hash of (process, unit,
//     census entry) under the instance's ballot key: upserted, so a second
//     online ballot replaces the first (the last one counts), and concurrent
//     submissions leave exactly one row.
// A paper or assisted ballot is final: no online ballot replaces it, and a
// person already on the roll (by any channel) cannot vote at the counter.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/model.hpp"
#include "budgets/ballot_rules.hpp"
#include "budgets/model.hpp"
#include "budgets/voting_rules.hpp"
#include "core/crypto.hpp"
#include "residency/model.hpp"
#include "store/group_commit.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// ---- Who is voting

struct VoterLookup {
  std::optional<Voter> voter;
  std::optional<Text> refusal;  // why this person cannot vote (not verified, not on the census...)
  FieldErrors errors;           // identity fields, by form field name
};
// The voter an account stands for (verified residents and elected officials).
VoterLookup voter_of_account(store::Connection& db, const accounts::Account& account);
// The voter of a census identity (a clerk reads it from an identity document).
VoterLookup voter_of_identity(store::Connection& db, const crypto::Key& census_key,
                              const residency::IdentityForm& form,
                              std::chrono::year_month_day today);
// The voter of a census entry, with a birth date already established.
std::optional<Voter> voter_of_entry(store::Connection& db, std::int64_t census_entry_id,
                                    const std::string& birth_date);

// ---- Start-up

// Keys the receipt hashes written before they were keyed (migration 5
// marks them "unkeyed:"): each becomes keyed_hash_hex(receipts key, old
// hash), the same as receipt_hash() of its code. Run at start-up, once the
// secrets are loaded; idempotent. Returns how many hashes it keyed.
std::int64_t key_legacy_receipts(store::Connection& db, const crypto::Key& ballot_key);

// ---- Reading

// The voter's current ballot in `unit` (until the count seals the ballots).
std::optional<std::vector<Choice>> current_ballot(store::Connection& db, const crypto::Key& key,
                                                  const Process& process, const Unit& unit,
                                                  const Voter& voter);
// Whether this receipt was issued for a ballot of the process that entered
// the ballot box: the voter's current ballot or one they replaced since
// (budget_receipts keeps both, alike, so that no one shown a receipt can
// learn whether its ballot was replaced), before and after the count.
bool receipt_in_ballot_box(store::Connection& db, const crypto::Key& ballot_key,
                           std::int64_t process_id, std::string_view normalized_code);

// ---- Casting

enum class CastStatus {
  Cast,      // in the ballot box
  Replaced,  // in the ballot box, in place of the voter's previous online ballot
  Invalid,   // the ballot breaks a rule: `errors` say which
  Refused,   // the person may not vote now, here, or again: `refusal` says why
};

struct CastResult {
  CastStatus status = CastStatus::Refused;
  std::optional<Text> refusal;
  std::vector<BallotError> errors;
  std::vector<std::string> receipts;  // one per ballot cast, in order; shown once
  bool ok() const { return status == CastStatus::Cast || status == CastStatus::Replaced; }
};

// The resident's own ballot for one unit, during the vote. Replaces their
// earlier online ballot of that unit; refused after a paper or assisted one.
// `batch`, when given, writes the ballot in a transaction shared with other
// concurrent ballots (store/group_commit.hpp): one durable commit for many.
CastResult cast_online(store::Connection& db, const crypto::Key& ballot_key, const Process& process,
                       const Voter& voter, const UnitBallot& ballot, std::string_view now,
                       store::GroupCommit* batch = nullptr);

// The resident's ballot from the ballot page: cast_online for the voter
// `account` stands for, once allowed (Permission::Vote) and verified
// (voter_of_account); refused otherwise, with why.
CastResult vote_online(store::Connection& db, const crypto::Key& ballot_key,
                       const accounts::Account& account, const Process& process,
                       const UnitBallot& ballot, std::string_view now,
                       store::GroupCommit* batch = nullptr);

// ---- Steps the counter's actions share (counter_actions.hpp)

// The eligibility and rules of one unit's ballot for this voter: a refusal,
// or the ballot's errors, or nothing when it can be cast.
std::optional<CastResult> judge_ballot(store::Connection& db, const Process& process,
                                       const Voter& voter, const UnitBallot& ballot,
                                       bool at_counter);
// Writes (or replaces) the voter's ballot of one unit and its receipt, in
// the caller's transaction; returns the receipt's code. `replaced` tells
// whether it replaced an earlier ballot of the voter.
std::string store_ballot(store::Connection& tx, const crypto::Key& ballot_key,
                         const Process& process, const Voter& voter, const UnitBallot& ballot,
                         bool& replaced);
// A refusal, with why.
CastResult refused_ballot(Text why);

}  // namespace fabrique::budgets
