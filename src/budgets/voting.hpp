// Voting: who may vote where, and the actions that put ballots in the box —
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
#include "budgets/ballot.hpp"
#include "budgets/ballots_store.hpp"
#include "budgets/model.hpp"
#include "core/crypto.hpp"
#include "residency/model.hpp"
#include "store/group_commit.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// A person who may take part: their census entry (the one-person key), where
// they live and when they were born. Never stored with a ballot.
struct Voter {
  std::int64_t census_entry_id = 0;
  std::int64_t district_id = 0;
  std::string birth_date;  // YYYY-MM-DD
  Text district_name;      // for messages
};

// ---- Pure rules

// How a person took part: "online", "on paper at the counter", ...
Text channel_label(Channel channel);

// The units a voter may vote in: their district's, then the city-wide one
// when the process's scope includes it.
std::vector<const Unit*> voter_units(const Process& process, const Voter& voter);
// Why the voter may not vote in `unit`, or nullopt. Addressed to the voter,
// or to the clerk (`at_counter`: "this person lives in...").
std::optional<Text> unit_refusal(const Process& process, const Voter& voter, const Unit& unit,
                                 bool at_counter = false);
// Too young on the day the vote opens, or nullopt.
std::optional<Text> age_refusal(const Process& process, const Voter& voter);
// Online ballots are cast during the vote phase only.
std::optional<Text> online_phase_refusal(const Process& process, std::string_view now);
// At the counter, paper and assisted ballots alike: during the vote only,
// since the count runs by itself at the close.
std::optional<Text> counter_phase_refusal(const Process& process, Channel channel,
                                          std::string_view now);
// The account's own standing: a role that votes, a verified residency.
std::optional<Text> account_refusal(const accounts::Account& account);

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

// ---- Keys and receipts

// keyed_hash_hex(key, "process:unit:census_entry").
std::string ballot_key(const crypto::Key& key, std::int64_t process_id, std::int64_t unit_id,
                       std::int64_t census_entry_id);
// A fresh receipt: 15 characters of an alphabet without look-alikes, in
// groups of five ("7KQ2M-X9RTA-4HWCE"): 75 random bits.
std::string new_receipt_code();
// Upper-cased, spaces and hyphens removed, O read as 0, I and L as 1;
// nullopt when it cannot be a receipt.
std::optional<std::string> normalize_receipt_code(std::string_view code);
// The receipts key: derived from the instance's ballot key (crypto_kdf,
// context "receipts"), so it is in no database and needs no line of its own
// in the secret file.
crypto::Key receipts_key(const crypto::Key& ballot_key);
// What the database keeps of a receipt: keyed_hash_hex(receipts key,
// unkeyed_receipt_hash(code)). Without the secret file, a code found on a
// voter cannot be matched to any row.
std::string receipt_hash(const crypto::Key& ballot_key, std::string_view normalized_code);
// What Fabrique kept before receipts were keyed: BLAKE2b of
// "fabrique-receipt:CODE". Only key_legacy_receipts and tests need it.
std::string unkeyed_receipt_hash(std::string_view normalized_code);
// Keys the receipt hashes written before they were keyed (migration 5
// marks them "unkeyed:"): each becomes keyed_hash_hex(receipts key, old
// hash), the same as receipt_hash() of its code. Run at start-up, once the
// secrets are loaded; idempotent. Returns how many hashes it keyed.
std::int64_t key_legacy_receipts(store::Connection& db, const crypto::Key& ballot_key);

// ---- Reading

// How the person is on the roll of the process, if at all.
std::optional<Channel> roll_channel(store::Connection& db, std::int64_t process_id,
                                    std::int64_t census_entry_id);
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
// The projects of the process with these ids (what judging a ballot needs).
ProjectIndex chosen_projects(store::Connection& db, std::int64_t process_id,
                             const std::vector<std::int64_t>& ids);
// The projects a ballot page shows and names: the unit's candidates and the named ones.
ProjectIndex ballot_projects(store::Connection& db, const Process& process, const Unit& unit,
                             const std::vector<std::int64_t>& named);

// ---- Casting

enum class CastStatus {
  Cast,      // in the ballot box
  Replaced,  // in the ballot box, in place of the voter's previous online ballot
  Invalid,   // the ballot breaks a rule: `errors` say which
  Refused,   // the person may not vote now, here, or again: `refusal` says why
};

struct UnitBallot {
  std::int64_t unit_id = 0;
  std::vector<Choice> choices;
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

// A clerk's entry of one person's ballots (one per unit, at least one): on
// paper, or the person voting with the clerk's help. Refused when the person
// is on the roll already, by any channel. Audited (never the choices), as
// are refusals.
CastResult cast_at_counter(store::Connection& db, const crypto::Key& ballot_key,
                           const Process& process, const Voter& voter, Channel channel,
                           std::int64_t clerk_id, const std::vector<UnitBallot>& ballots,
                           std::string_view now);

// ---- Paper ballots in bulk

struct PaperImportOptions {
  // false: a file with any bad line enters nothing (all or nothing).
  // true: the good lines are entered, the bad ones reported and skipped.
  bool skip_bad_lines = false;
  std::optional<std::chrono::year_month_day> today;  // default: today_utc()
  std::size_t max_errors = residency::kMaxStoredErrors;
};

struct PaperImportReport {
  std::optional<Text> refusal;              // the file as a whole, or the phase
  std::int64_t lines = 0;                   // data lines
  std::int64_t entered = 0;                 // ballots entered
  std::int64_t people = 0;                  // people put on the roll
  std::vector<residency::RowError> errors;  // the first max_errors bad lines
  std::int64_t error_count = 0;
};

// Checks every line (identity on the census, eligibility, projects, not
// on the roll yet, not twice in the file for one budget), then enters the
// good ones in one transaction (none when a line is bad, unless
// skip_bad_lines). A person may have one line per budget they vote in.
PaperImportReport import_paper_ballots(store::Connection& db, const crypto::Key& ballot_key,
                                       const crypto::Key& census_key, const Process& process,
                                       std::int64_t clerk_id, std::string_view csv,
                                       const PaperImportOptions& options, std::string_view now);

}  // namespace fabrique::budgets
