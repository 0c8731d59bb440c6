// Voting, as pure decisions: who may vote where and when (with a message
// for every refusal, to the voter or to the clerk), and the keys and
// receipts that keep ballots secret (docs/ballot-secrecy.md). No storage, no
// clock (callers pass `now`); the keys are the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/model.hpp"
#include "budgets/model.hpp"
#include "core/crypto.hpp"

namespace fabrique::budgets {

// ---- Who may vote where and when

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

// The refusals of a ballot's transaction.
// Someone on the roll already, by `channel`: one person, one ballot (to the clerk).
Text already_voted(Channel channel);
// An online ballot after a counter one, which is final.
Text counter_ballot_is_final();
// The vote closed between the page and the ballot's transaction.
Text vote_just_closed();
// A person on the roll who has since moved to another district (a census
// update): the ballot they cast stays in `voted_in`, where they lived then.
Text moved_since_voting(const Text& voted_in);

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
}  // namespace fabrique::budgets
