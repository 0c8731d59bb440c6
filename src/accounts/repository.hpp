// Accounts, sessions, reset and confirmation tokens, and the attempts the
// rate limits count, in the store.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/model.hpp"
#include "store/store.hpp"

namespace fabrique::accounts {

inline constexpr std::chrono::hours kSessionLifetime{24 * 30};
inline constexpr std::chrono::hours kResetLifetime{1};
inline constexpr std::chrono::hours kConfirmationLifetime{24};

// The account columns, in the order account_from_row() reads them, each
// prefixed by `alias.` when given ("a" → "a.id, a.email, ...").
std::string account_columns(const std::string& alias = "");
// An Account from a row whose first kAccountColumnCount values are account_columns().
Account account_from_row(const store::Row& row);
inline constexpr std::size_t kAccountColumnCount = 11;

std::optional<Account> find_account(store::Connection& db, std::int64_t id);
// `email` as typed: compared lower-cased.
std::optional<Account> find_account_by_email(store::Connection& db, const std::string& email);
std::optional<std::string> password_hash_of(store::Connection& db, std::int64_t id);
// Inserts and returns the new id; throws store::StoreError when the email is
// taken. The address counts as confirmed: for accounts that staff, the demo
// or the tests make. A sign-up makes an unconfirmed one.
std::int64_t insert_account(store::Connection& db, const std::string& email,
                            const std::string& password_hash, const std::string& display_name,
                            Role role, Lang language);
std::int64_t insert_unconfirmed_account(store::Connection& db, const std::string& email,
                                        const std::string& password_hash,
                                        const std::string& display_name, Lang language);
// A newer sign-up of an unconfirmed address replaces what the pending one
// chose (a squatter cannot keep the owner out). Ends the reset links too.
void replace_pending_sign_up(store::Connection& db, std::int64_t id,
                             const std::string& password_hash, const std::string& display_name,
                             Lang language);
// Also ends the account's reset links: they were sent for the old password.
void set_password_hash(store::Connection& db, std::int64_t id, const std::string& hash);
// Marks the address confirmed (once: the first time is kept) and ends the
// account's confirmation links.
void confirm_email(store::Connection& db, std::int64_t id);
void set_language(store::Connection& db, std::int64_t id, Lang language);
void set_role(store::Connection& db, std::int64_t id, Role role);
std::vector<Account> list_accounts(store::Connection& db, int limit, int offset);

// A new session for the account; returns the token for the cookie (only its
// hash is stored).
std::string open_session(store::Connection& db, std::int64_t account_id);
std::optional<Account> account_for_session(store::Connection& db, const std::string& token);
void close_session(store::Connection& db, const std::string& token);
void close_all_sessions(store::Connection& db, std::int64_t account_id);
void close_other_sessions(store::Connection& db, std::int64_t account_id,
                          const std::string& kept_token);

// A single-use password-reset token, valid kResetLifetime, until a newer one
// is made or the password changes (the older ones end here).
std::string create_reset_token(store::Connection& db, std::int64_t account_id);
// The account of a valid, unused token (it stays unused).
std::optional<std::int64_t> reset_token_account(store::Connection& db, const std::string& token);
void use_reset_token(store::Connection& db, const std::string& token);

// A single-use link that confirms the address, valid kConfirmationLifetime,
// until a newer one is made or the address is confirmed.
std::string create_confirmation_token(store::Connection& db, std::int64_t account_id);
// The account of a valid token (confirm_email() ends it).
std::optional<std::int64_t> confirmation_token_account(store::Connection& db,
                                                       const std::string& token);

// Attempts of a subject within `window`: failed sign-ins, and the other
// actions a rate limit counts (subjects name what is counted: "sign-in:"
// with an email and an address, "sign-up-address:" with an address...).
// Subjects are stored hashed.
void record_login_failure(store::Connection& db, const std::string& subject);
std::int64_t recent_login_failures(store::Connection& db, const std::string& subject,
                                   std::chrono::seconds window);
void clear_login_failures(store::Connection& db, const std::string& subject);
// record_login_failure(), returning the row, which forget_attempt() removes.
std::int64_t record_attempt(store::Connection& db, const std::string& subject);
void forget_attempt(store::Connection& db, std::int64_t attempt_id);
// Deletes attempts older than `age` (the longest window): background jobs.
void prune_attempts(store::Connection& db, std::chrono::seconds age);

// At most `max` attempts within `window`.
struct Limit {
  std::int64_t max = 0;
  std::chrono::seconds window{0};
};
// Admits one attempt of `subject` when it stays within every limit: the
// attempt is recorded first, then counted (record-then-count, on a
// connection outside any transaction), so of any number of concurrent
// attempts at most `max` are admitted. A refused attempt is not kept (a
// refusal neither extends the wait nor uses up the allowance), and once the
// limit is reached, refusals cost one read and no write. Returns the
// attempt admitted (for forget_attempt() or clear_login_failures()), or
// nullopt when refused.
std::optional<std::int64_t> admit_attempt(store::Connection& db, const std::string& subject,
                                          const std::vector<Limit>& limits);

std::string normalize_email(std::string email);

}  // namespace fabrique::accounts
