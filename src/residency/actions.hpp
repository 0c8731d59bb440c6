// What people do with residency: staff add a district; a resident verifies
// their residency online; a clerk verifies someone's at the counter. Each
// validates its input and returns the outcome, or does the change.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/crypto.hpp"
#include "residency/model.hpp"
#include "store/store.hpp"

namespace fabrique::residency {

struct AddDistrictResult {
  std::int64_t id = 0;
  FieldErrors errors;  // slug, name_fr, name_en
};
// Normalizes and validates; the slug must be new. The demo seed uses it too.
AddDistrictResult add_district(store::Connection& db, const NewDistrict& district);

struct VerifyOptions {
  VerificationMethod method = VerificationMethod::Online;
  std::optional<std::int64_t> clerk_id;  // at the counter: who verifies (the audit's actor)
  int minimum_age = 16;
  // Online attempts that reach the census (recorded before the lookup, taken
  // back when they succeed) allowed per hour: per account, per client
  // address, and for the whole installation (a guessing campaign spread over
  // many accounts and addresses). 0: no limit (the counter: the clerk is
  // accountable, every attempt is audited).
  int attempts_per_hour = 10;
  int attempts_per_address_per_hour = 30;
  int attempts_per_hour_globally = 1000;
  std::string client_address;                        // online: where the request comes from
  std::optional<std::chrono::year_month_day> today;  // default: today_utc()
};

struct VerifyResult {
  VerificationOutcome outcome = VerificationOutcome::NoMatch;
  FieldErrors errors;                // InvalidForm: by field
  std::optional<District> district;  // Verified: where the person lives
};

// Links account `account_id` to the census entry of `form`'s identity, when
// there is one that verifies no other account and the person is old enough:
// in one transaction, the account gets the entry, its district, the birth
// date, verified_at and the method (and verified_by at the counter), and the
// audit log an entry (never the identity). The UNIQUE census_entry_id is the
// last guard when two accounts claim one entry at the same time: the loser
// gets TakenByAnother.
//
// Online, against guessing: the account's e-mail address must be confirmed;
// every attempt that would look the census up is recorded first, then the
// attempts are counted (so parallel requests cannot slip past the limits);
// and TakenByAnother is told to the person exactly as NoMatch is
// (outcome_message), while the administrators are alerted by mail and in the
// audit log: someone typed, correctly, the identity of an already verified
// person.
VerifyResult verify_residency(store::Connection& db, const crypto::Key& census_key,
                              std::int64_t account_id, const IdentityForm& form,
                              const VerifyOptions& options);

}  // namespace fabrique::residency
