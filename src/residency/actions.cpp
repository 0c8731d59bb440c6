#include "residency/actions.hpp"

#include <fmt/format.h>

#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "core/time.hpp"
#include "mail/mail.hpp"
#include "residency/repository.hpp"
#include "residency/rules.hpp"

namespace fabrique::residency {

namespace {

constexpr std::chrono::hours kAttemptWindow{1};

std::string attempts_subject(std::int64_t account_id) {
  return "residency:" + std::to_string(account_id);
}
std::string address_subject(const std::string& address) { return "residency-address:" + address; }
constexpr const char* kAllAttempts = "residency:*";

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
    case VerificationOutcome::EmailNotConfirmed:
      return "email_not_confirmed";
  }
  return "?";
}

// Someone typed, correctly, the identity that verifies another account: the
// person in front of the screen may be the census entry's owner whose
// identity was stolen, or a thief. Neither is told (the page answers as for a
// wrong guess and sends everyone to the counter); the administrators are.
void alert_identity_in_use(store::Connection& db, const accounts::Account& account,
                           std::int64_t entry_id) {
  const auto holder = account_of_census_entry(db, entry_id);
  const std::string holder_id = holder ? std::to_string(*holder) : "?";
  db.transaction([&](store::Connection& tx) {
    audit::record(
        tx, {.action = "residency.identity_in_use",
             .subject = std::to_string(account.id),
             .detail = fmt::format("account={}; verified_account={}", account.id, holder_id)});
    for (const auto& [email, lang] : administrators(tx)) {
      const bool fr = lang == Lang::Fr;
      mail::enqueue(
          tx,
          {email,
           fr ? "Vérification de résidence\u202f: identité déjà utilisée (usurpation possible)"
              : "Residency verification: identity already in use (possible identity theft)",
           fr ? fmt::format(
                    "Bonjour,\n\nLe compte no {} ({}) vient de saisir correctement le "
                    "numéro de document, la date de naissance et le code postal d'une "
                    "personne du recensement dont l'identité vérifie déjà le compte no {}.\n\n"
                    "L'une des deux personnes utilise peut-être l'identité de l'autre. Rien "
                    "n'a été modifié, et la personne a seulement lu que la vérification "
                    "avait échoué et qu'elle pouvait se présenter au guichet avec ses "
                    "papiers. Si elle vient, comparez sa pièce d'identité avec celle du "
                    "titulaire du compte no {}.\n\nLe journal d'audit garde la trace de "
                    "cette alerte (residency.identity_in_use).\n",
                    account.id, account.email, holder_id, holder_id)
              : fmt::format("Hello,\n\nAccount #{} ({}) has just typed, correctly, the document "
                            "number, birth date and postal code of a person on the census whose "
                            "identity already verifies account #{}.\n\nOne of the two may be "
                            "using the other's identity. Nothing was changed, and the person was "
                            "only told that the verification failed and that they can come to the "
                            "counter with their papers. If they come, compare their identity "
                            "document with that of the holder of account #{}.\n\nThe audit log "
                            "keeps this alert (residency.identity_in_use).\n",
                            account.id, account.email, holder_id, holder_id)});
    }
  });
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
                   "Identifiant\u202f: un autre quartier l'a déjà."};
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
      audit::record(
          db, {.actor = options.clerk_id,
               .action = "residency.counter_refused",
               .subject = std::to_string(account_id),
               .detail = fmt::format("account={}; outcome={}", account_id, outcome_name(outcome))});
    return result;
  };

  const auto account = accounts::find_account(db, account_id);
  if (!account || !accounts::allows(account->role, accounts::Permission::VerifyOwnResidency))
    return refuse(VerificationOutcome::NotEligible);
  if (account->verified()) return refuse(VerificationOutcome::AlreadyVerified);
  // Online, an address whose owner answered: sign-ups are free, so an
  // unconfirmed account would make guessing the census cheaper still.
  if (online && !account->email_confirmed()) return refuse(VerificationOutcome::EmailNotConfirmed);

  // The limits, online: (subject, allowed per hour).
  std::vector<std::pair<std::string, int>> limits;
  if (online) {
    limits = {{attempts_subject(account_id), options.attempts_per_hour},
              {kAllAttempts, options.attempts_per_hour_globally}};
    if (!options.client_address.empty())
      limits.emplace_back(address_subject(options.client_address),
                          options.attempts_per_address_per_hour);
    std::erase_if(limits, [](const auto& limit) { return limit.second <= 0; });
  }
  const auto over_a_limit = [&] {
    for (const auto& [subject, allowed] : limits)
      if (accounts::recent_login_failures(db, subject, kAttemptWindow) > allowed) return true;
    return false;
  };
  CheckedIdentity checked = check_identity(form, today);
  if (!checked.errors.empty()) {
    result.errors = std::move(checked.errors);
    return refuse(VerificationOutcome::InvalidForm);
  }
  // Before the census is looked at: the age tells nothing about it.
  if (!old_enough(checked.identity.birth_date, options.minimum_age, today))
    return refuse(VerificationOutcome::UnderAge);

  // The attempt is on record before the census is looked at, then counted
  // with every other: of parallel attempts, the k-th to be recorded sees at
  // least k, so no more than the limit ever reach the census.
  std::vector<std::int64_t> attempts;
  for (const auto& [subject, allowed] : limits)
    attempts.push_back(accounts::record_attempt(db, subject));
  if (over_a_limit()) return refuse(VerificationOutcome::TooManyAttempts);

  const std::string hash = crypto::keyed_hash_hex(census_key, identity_key(checked.identity));
  const auto entry = find_census_entry(db, hash);
  if (!entry) return refuse(VerificationOutcome::NoMatch);

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
        audit::record(tx, {.actor = account_id,
                           .action = "residency.verified_online",
                           .subject = std::to_string(account_id),
                           .detail = fmt::format("account={}; district={}", account_id, slug)});
      } else {
        std::string clerk = "unknown";
        if (options.clerk_id) {
          const auto who = accounts::find_account(tx, *options.clerk_id);
          clerk = fmt::format("{} ({})", *options.clerk_id, who ? who->display_name : "?");
        }
        audit::record(tx, {.actor = options.clerk_id,
                           .action = "residency.verified_at_counter",
                           .subject = std::to_string(account_id),
                           .detail = fmt::format("account={} ({}); clerk={}; district={}",
                                                 account_id, account->email, clerk, slug)});
      }
    });
  } catch (const store::StoreError& error) {
    if (!unique_violation(error)) throw;
    // Another account took the entry between our check and our write.
    outcome = VerificationOutcome::TakenByAnother;
  }
  if (outcome == VerificationOutcome::TakenByAnother) {
    if (online) alert_identity_in_use(db, *account, entry->id);
    return refuse(VerificationOutcome::TakenByAnother);
  }
  if (outcome != VerificationOutcome::Verified) return refuse(outcome);
  // A success is not a failed attempt: it does not count against the limits.
  for (const std::int64_t attempt : attempts) accounts::forget_attempt(db, attempt);
  result.outcome = VerificationOutcome::Verified;
  result.district = std::move(district);
  return result;
}

}  // namespace fabrique::residency
