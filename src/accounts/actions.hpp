// One function per thing a person does with their account. Each validates
// its input and returns the errors (in both languages) or does the change.
//
// Two levels. The functions taking a store::Connection do the change itself,
// given a password hash computed before (they never hash). The functions
// taking a Caller are what a request does (routes.cpp calls exactly one):
// the rate limits, the password hash with no database connection held
// (HashingQueue, password.hpp), the change, its audit entry and its mails.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accounts/mails.hpp"
#include "accounts/model.hpp"
#include "accounts/password.hpp"
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

// ---- What a request does -------------------------------------------------

// What a request brings to an action besides its form.
struct Caller {
  store::Connection& db;
  HashingQueue& hashing;
  // Gives the connection back until db is used again: before a hash.
  std::function<void()> release_db = [] {};
  std::string client_address;
};

// Why a request was turned away before anything was checked or changed.
enum class Refusal {
  FromAddress,      // too many attempts from the client's address (429)
  FromEveryone,     // everyone's allowance is used up (503, a minute)
  TooManyFailures,  // sign-in: too many failures on the account from this address (429)
  HashingBusy,      // the hashing queue is full (503, a few seconds)
};

// The allowance of a form that costs a password hash or a mail: attempts
// from one client address within `address_window`, from everyone per minute
// (spread: a sixth of it in any 10 seconds). An attempt refused for its
// address is not counted for everyone.
struct FormLimits {
  int per_address = 0;
  std::chrono::seconds address_window{0};
  int per_minute = 0;
};
// The windows of the limits (the numbers are in web::Config).
inline constexpr std::chrono::minutes kSignInWindow{15};
inline constexpr std::chrono::hours kAddressWindow{1};  // sign-ups and resets per address
inline constexpr std::chrono::minutes kEveryoneWindow{1};

// Sign-up from a form: validated, limited, hashed, then sign_up() above.
struct SignUpRequest {
  FieldErrors errors;
  std::optional<Refusal> refusal;
  SignUpOutcome outcome = SignUpOutcome::NothingSent;  // whether a mail was queued
};
SignUpRequest sign_up(Caller& caller, const SignUp& form, const FormLimits& limits,
                      const MailSite& site);

// A valid confirmation link confirms the address and signs its account in
// (closing `previous_session`, whoever was signed in on this browser).
struct SignedIn {
  Account account;
  std::string session_token;  // for the cookie
};
std::optional<SignedIn> confirm_and_sign_in(store::Connection& db, const std::string& token,
                                            const std::string& previous_session);

// Sign-in: limited per client address, for everyone, and per account and
// client address (failures: a guesser is stopped without locking the owner
// out elsewhere). A password is verified even without an account, so that
// both cases take as long; an unconfirmed account fails like a wrong password.
struct SignInResult {
  std::optional<Refusal> refusal;
  std::optional<SignedIn> signed_in;  // neither: wrong address or password
};
SignInResult sign_in(Caller& caller, const std::string& email, const std::string& password,
                     const FormLimits& limits, int failures_per_account);

// Closes the session of a signed-in account. False when not allowed.
bool sign_out(store::Connection& db, const Account& account, const std::string& session_token);

// Forgotten password: the same answer whether or not the account exists.
struct ResetRequest {
  bool invalid_email = false;
  std::optional<Refusal> refusal;
  bool mailed = false;  // a reset mail was queued
};
ResetRequest ask_password_reset(Caller& caller, const std::string& email, const FormLimits& limits,
                                const MailSite& site);

// A new password through a reset link: checked, hashed, reset_password()
// above, and the failed sign-ins of its account from this address cleared.
struct NewPasswordResult {
  bool link_invalid = false;
  std::optional<Text> problem;  // the password is not acceptable
  std::optional<Refusal> refusal;
};
NewPasswordResult reset_password(Caller& caller, const std::string& token,
                                 const std::string& password);

// A signed-in person's new password, with the current one: both hashes in one
// turn of the queue; the other sessions close; audited.
struct PasswordChange {
  FieldErrors errors;  // current_password, new_password
  std::optional<Refusal> refusal;
  bool allowed = true;
};
PasswordChange change_password(Caller& caller, const Account& account,
                               const std::string& session_token,
                               const std::string& current_password,
                               const std::string& new_password);

// The language of the account's pages and mails. False when not allowed.
bool choose_language(store::Connection& db, const Account& account, Lang language);

}  // namespace fabrique::accounts
