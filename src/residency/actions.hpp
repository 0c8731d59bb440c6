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
  // Failed online attempts (no match, taken) allowed per account per hour.
  int attempts_per_hour = 10;
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
VerifyResult verify_residency(store::Connection& db, const crypto::Key& census_key,
                              std::int64_t account_id, const IdentityForm& form,
                              const VerifyOptions& options);

}  // namespace fabrique::residency
