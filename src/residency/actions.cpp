#include "residency/actions.hpp"

#include <fmt/format.h>

#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "core/time.hpp"
#include "residency/repository.hpp"
#include "residency/rules.hpp"

namespace fabrique::residency {

namespace {

constexpr std::chrono::hours kAttemptWindow{1};

std::string attempts_subject(std::int64_t account_id) {
  return "residency:" + std::to_string(account_id);
}

std::string_view outcome_name(VerificationOutcome outcome) {
  switch (outcome) {
    case VerificationOutcome::Verified:
      return "verified";
    case VerificationOutcome::InvalidForm:
      return "invalid_form";
    case VerificationOutcome::NoMatch:
      return "no_match";
    case VerificationOutcome::TakenByAnother:
      return "taken_by_another";
    case VerificationOutcome::UnderAge:
      return "under_age";
    case VerificationOutcome::AlreadyVerified:
      return "already_verified";
    case VerificationOutcome::NotEligible:
      return "not_eligible";
    case VerificationOutcome::TooManyAttempts:
      return "too_many_attempts";
  }
  return "?";
}

bool unique_violation(const store::StoreError& error) {
  // Both backends word it so (postgres.cpp maps SQLSTATE 23505).
  return std::string_view(error.what()).find("UNIQUE constraint failed") != std::string_view::npos;
}

}  // namespace

AddDistrictResult add_district(store::Connection& db, const NewDistrict& input) {
  AddDistrictResult result;
  const NewDistrict district = normalize_district(input);
  result.errors = check_district(district);
  const Text taken{"Identifier: another district already has it.",
                   "Identifiant : un autre quartier l'a déjà."};
  if (!result.errors.contains("slug") && find_district_by_slug(db, district.slug))
    result.errors["slug"] = taken;
  if (!result.errors.empty()) return result;
  try {
    result.id = insert_district(db, district);
  } catch (const store::StoreError& error) {
    if (!unique_violation(error)) throw;
    result.errors["slug"] = taken;  // added meanwhile
  }
  return result;
}

VerifyResult verify_residency(store::Connection& db, const crypto::Key& census_key,
                              std::int64_t account_id, const IdentityForm& form,
                              const VerifyOptions& options) {
  VerifyResult result;
  const bool online = options.method == VerificationMethod::Online;
  const auto today = options.today.value_or(today_utc());
  const auto refuse = [&](VerificationOutcome outcome) {
    result.outcome = outcome;
    // At the counter, refusals are on record too: the clerk answers for them.
    if (!online)
      write_audit(db, options.clerk_id, "residency.counter_refused", std::to_string(account_id),
                  fmt::format("account={}; outcome={}", account_id, outcome_name(outcome)));
    return result;
  };

  const auto account = accounts::find_account(db, account_id);
  if (!account || !accounts::allows(account->role, accounts::Permission::VerifyOwnResidency))
    return refuse(VerificationOutcome::NotEligible);
  if (account->verified()) return refuse(VerificationOutcome::AlreadyVerified);
  const std::string subject = attempts_subject(account_id);
  if (online && options.attempts_per_hour > 0 &&
      accounts::recent_login_failures(db, subject, kAttemptWindow) >= options.attempts_per_hour)
    return refuse(VerificationOutcome::TooManyAttempts);

  CheckedIdentity checked = check_identity(form, today);
  if (!checked.errors.empty()) {
    result.errors = std::move(checked.errors);
    return refuse(VerificationOutcome::InvalidForm);
  }
  // Before the census is looked at: the age tells nothing about it.
  if (!old_enough(checked.identity.birth_date, options.minimum_age, today))
    return refuse(VerificationOutcome::UnderAge);

  const std::string hash = crypto::keyed_hash_hex(census_key, identity_key(checked.identity));
  const auto failed_attempt = [&](VerificationOutcome outcome) {
    if (online) accounts::record_login_failure(db, subject);
    return refuse(outcome);
  };
  const auto entry = find_census_entry(db, hash);
  if (!entry) return failed_attempt(VerificationOutcome::NoMatch);

  VerificationOutcome outcome = VerificationOutcome::Verified;
  std::optional<District> district;
  try {
    db.transaction([&](store::Connection& tx) {
      if (const auto holder = account_of_census_entry(tx, entry->id);
          holder && *holder != account_id) {
        outcome = VerificationOutcome::TakenByAnother;
        return;
      }
      store::Value verified_by = nullptr;
      if (!online && options.clerk_id) verified_by = *options.clerk_id;
      const std::int64_t changed = tx.execute(
          "UPDATE accounts SET census_entry_id = $1, district_id = $2, birth_date = $3, "
          "verified_at = $4, verified_by = $5, verification_method = $6 "
          "WHERE id = $7 AND verified_at IS NULL",
          {entry->id, entry->district_id, checked.identity.birth_date, now_iso8601(), verified_by,
           std::string(method_name(options.method)), account_id});
      if (changed == 0) {  // verified meanwhile, by another request
        outcome = VerificationOutcome::AlreadyVerified;
        return;
      }
      district = find_district(tx, entry->district_id);
      const std::string slug = district ? district->slug : std::to_string(entry->district_id);
      if (online) {
        write_audit(tx, account_id, "residency.verified_online", std::to_string(account_id),
                    fmt::format("account={}; district={}", account_id, slug));
      } else {
        std::string clerk = "unknown";
        if (options.clerk_id) {
          const auto who = accounts::find_account(tx, *options.clerk_id);
          clerk = fmt::format("{} ({})", *options.clerk_id, who ? who->display_name : "?");
        }
        write_audit(tx, options.clerk_id, "residency.verified_at_counter",
                    std::to_string(account_id),
                    fmt::format("account={} ({}); clerk={}; district={}", account_id,
                                account->email, clerk, slug));
      }
    });
  } catch (const store::StoreError& error) {
    if (!unique_violation(error)) throw;
    // Another account took the entry between our check and our write.
    outcome = VerificationOutcome::TakenByAnother;
  }
  if (outcome == VerificationOutcome::TakenByAnother)
    return failed_attempt(VerificationOutcome::TakenByAnother);
  if (outcome != VerificationOutcome::Verified) return refuse(outcome);
  result.outcome = VerificationOutcome::Verified;
  result.district = std::move(district);
  return result;
}

}  // namespace fabrique::residency
