// Accounts, sessions, reset tokens and failed sign-ins in the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/model.hpp"
#include "store/store.hpp"

namespace fabrique::accounts {

inline constexpr std::chrono::hours kSessionLifetime{24 * 30};
inline constexpr std::chrono::hours kResetLifetime{1};

// The account columns, in the order account_from_row() reads them, each
// prefixed by `alias.` when given ("a" → "a.id, a.email, ...").
std::string account_columns(const std::string& alias = "");
// An Account from a row whose first ten values are account_columns().
Account account_from_row(const store::Row& row);

std::optional<Account> find_account(store::Connection& db, std::int64_t id);
// `email` as typed: compared lower-cased.
std::optional<Account> find_account_by_email(store::Connection& db, const std::string& email);
std::optional<std::string> password_hash_of(store::Connection& db, std::int64_t id);
// Inserts and returns the new id; throws store::StoreError when the email is taken.
std::int64_t insert_account(store::Connection& db, const std::string& email,
                            const std::string& password_hash, const std::string& display_name,
                            Role role, Lang language);
void set_password_hash(store::Connection& db, std::int64_t id, const std::string& hash);
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

// A single-use password-reset token, valid kResetLifetime.
std::string create_reset_token(store::Connection& db, std::int64_t account_id);
// The account of a valid, unused token (it stays unused).
std::optional<std::int64_t> reset_token_account(store::Connection& db, const std::string& token);
void use_reset_token(store::Connection& db, const std::string& token);

// Failed sign-ins of a subject (an email or an address) within `window`.
void record_login_failure(store::Connection& db, const std::string& subject);
std::int64_t recent_login_failures(store::Connection& db, const std::string& subject,
                                   std::chrono::seconds window);
void clear_login_failures(store::Connection& db, const std::string& subject);
// Takes back the latest recorded attempt of a subject (one that succeeded
// after all, when attempts are recorded before their outcome is known).
void forget_one_login_failure(store::Connection& db, const std::string& subject);

std::string normalize_email(std::string email);

}  // namespace fabrique::accounts
