// One function per thing a person does with their account. Each validates
// its input and returns the errors (in both languages) or does the change.
// Password hashes are computed by the caller, before, with no database
// connection held (HashingQueue, password.hpp): these functions never hash.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accounts/mails.hpp"
#include "accounts/model.hpp"
#include "accounts/repository.hpp"
#include "store/store.hpp"

namespace fabrique::accounts {

struct SignUp {
  std::string display_name;
  std::string email;
  std::string password;
  Lang language = Lang::Fr;
};

FieldErrors check_sign_up(const SignUp& form);
std::optional<Text> check_new_password(const std::string& password);
// An address we can write to (mail::plausible_address), as typed.
bool plausible_email(const std::string& email);

// Mails about an account that one address receives: one in 5 minutes, five
// a day, for sign-ups and for password resets each (admit_attempt(), keyed
// on the address), so that nobody can flood someone's mailbox through us.
inline const std::vector<Limit> kAccountMailLimits{{1, std::chrono::minutes(5)},
                                                   {5, std::chrono::hours(24)}};

// What a sign-up did. Whoever signs up sees the same page whatever it did:
// only the mail, which the owner of the address reads, tells.
enum class SignUpOutcome {
  Created,            // a new account, unconfirmed; the confirmation link mailed
  PendingReplaced,    // the address was awaiting confirmation: this sign-up's name,
                      // password and language replace the pending ones, a new link
                      // is mailed and the earlier links end
  AlreadyRegistered,  // a confirmed account has the address: the mail says so
  NothingSent,        // a mail went to the address moments ago: nothing changes
};

struct SignUpResult {
  std::int64_t account_id = 0;  // the account of the address, if any
  SignUpOutcome outcome = SignUpOutcome::NothingSent;
  FieldErrors errors;
};
// Signs `form` up; `password_hash` is hash_password(form.password). Queues
// the mail in the same transaction. Call outside a transaction (the mail
// limit counts atomically, kAccountMailLimits).
SignUpResult sign_up(store::Connection& db, const SignUp& form, const std::string& password_hash,
                     const MailSite& site);

// Confirms the address of a valid confirmation link (its account may now
// sign in); nullopt when the link is unknown, used, replaced or expired.
std::optional<std::int64_t> confirm_address(store::Connection& db, const std::string& token);

// Mails a reset link to the account of `email` (the link proves the mailbox:
// using it confirms the address too), unless there is no such account or a
// reset mail went there moments ago (kAccountMailLimits). Returns whether a
// mail was queued. The attempt is counted whether or not the account exists.
bool request_password_reset(store::Connection& db, const std::string& email, const MailSite& site);

// Sets the password of a valid reset link's account, in one transaction:
// the link is used, the account's other reset links end, its address is
// confirmed, every session closes. nullopt when the link is not valid.
std::optional<std::int64_t> reset_password(store::Connection& db, const std::string& token,
                                           const std::string& password_hash);

// A signed-in person's new password: every other session closes, the reset
// links end.
void change_password(store::Connection& db, std::int64_t account_id,
                     const std::string& password_hash, const std::string& kept_session);

}  // namespace fabrique::accounts
