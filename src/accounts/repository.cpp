#include "accounts/repository.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <random>
#include <thread>

#include "core/crypto.hpp"
#include "core/time.hpp"
#include "store/values.hpp"

namespace fabrique::accounts {

namespace {

using store::optional_text;
using store::Row;
using store::text;
using store::Value;

constexpr const char* kAccountColumnNames[] = {"id",
                                               "email",
                                               "display_name",
                                               "role",
                                               "language",
                                               "created_at",
                                               "district_id",
                                               "birth_date",
                                               "verified_at",
                                               "verification_method",
                                               "email_confirmed_at"};
static_assert(std::size(kAccountColumnNames) == kAccountColumnCount);

}  // namespace

std::string account_columns(const std::string& alias) {
  std::string columns;
  for (const char* name : kAccountColumnNames)
    columns += (columns.empty() ? "" : ", ") + (alias.empty() ? "" : alias + ".") + name;
  return columns;
}

Account account_from_row(const Row& row) {
  Account account;
  account.id = std::get<std::int64_t>(row.at(0));
  account.email = text(row.at(1));
  account.display_name = text(row.at(2));
  account.role = parse_role(text(row.at(3))).value_or(Role::Resident);
  account.language = parse_lang(text(row.at(4))).value_or(Lang::Fr);
  account.created_at = text(row.at(5));
  if (std::holds_alternative<std::int64_t>(row.at(6)))
    account.district_id = std::get<std::int64_t>(row.at(6));
  account.birth_date = optional_text(row.at(7));
  account.verified_at = optional_text(row.at(8));
  account.verification_method = text(row.at(9));
  account.email_confirmed_at = optional_text(row.at(10));
  return account;
}

namespace {

std::optional<Account> first_account(const std::vector<Row>& rows) {
  if (rows.empty()) return std::nullopt;
  return account_from_row(rows.front());
}

std::string lang_code(Lang lang) { return lang == Lang::Fr ? "fr" : "en"; }

}  // namespace

std::string normalize_email(std::string email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.pop_back();
  email.erase(0, email.find_first_not_of(" \t\r\n"));
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; });
  return email;
}

std::optional<Account> find_account(store::Connection& db, std::int64_t id) {
  return first_account(
      db.query("SELECT " + account_columns() + " FROM accounts WHERE id = $1", {id}));
}

std::optional<Account> find_account_by_email(store::Connection& db, const std::string& email) {
  return first_account(db.query("SELECT " + account_columns() + " FROM accounts WHERE email = $1",
                                {normalize_email(email)}));
}

std::optional<std::string> password_hash_of(store::Connection& db, std::int64_t id) {
  const auto rows = db.query("SELECT password_hash FROM accounts WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return text(rows.front().at(0));
}

namespace {

std::int64_t insert(store::Connection& db, const std::string& email,
                    const std::string& password_hash, const std::string& display_name, Role role,
                    Lang language, bool confirmed) {
  const std::string now = now_iso8601();
  const auto rows = db.query(
      "INSERT INTO accounts (email, password_hash, display_name, role, language, created_at, "
      "email_confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      {normalize_email(email), password_hash, display_name, std::string(role_name(role)),
       lang_code(language), now, confirmed ? Value(now) : Value(nullptr)});
  return std::get<std::int64_t>(rows.at(0).at(0));
}

void end_reset_tokens(store::Connection& db, std::int64_t account_id) {
  db.execute("DELETE FROM password_resets WHERE account_id = $1 AND used_at IS NULL", {account_id});
}

}  // namespace

std::int64_t insert_account(store::Connection& db, const std::string& email,
                            const std::string& password_hash, const std::string& display_name,
                            Role role, Lang language) {
  return insert(db, email, password_hash, display_name, role, language, true);
}

std::int64_t insert_unconfirmed_account(store::Connection& db, const std::string& email,
                                        const std::string& password_hash,
                                        const std::string& display_name, Lang language) {
  return insert(db, email, password_hash, display_name, Role::Resident, language, false);
}

void replace_pending_sign_up(store::Connection& db, std::int64_t id,
                             const std::string& password_hash, const std::string& display_name,
                             Lang language) {
  db.execute(
      "UPDATE accounts SET password_hash = $1, display_name = $2, language = $3 "
      "WHERE id = $4 AND email_confirmed_at IS NULL",
      {password_hash, display_name, lang_code(language), id});
  end_reset_tokens(db, id);
}

void set_password_hash(store::Connection& db, std::int64_t id, const std::string& hash) {
  db.execute("UPDATE accounts SET password_hash = $1 WHERE id = $2", {hash, id});
  end_reset_tokens(db, id);
}

void confirm_email(store::Connection& db, std::int64_t id) {
  db.execute(
      "UPDATE accounts SET email_confirmed_at = $1 WHERE id = $2 AND email_confirmed_at IS NULL",
      {now_iso8601(), id});
  db.execute("DELETE FROM email_confirmations WHERE account_id = $1", {id});
}

void set_language(store::Connection& db, std::int64_t id, Lang language) {
  db.execute("UPDATE accounts SET language = $1 WHERE id = $2", {lang_code(language), id});
}

void set_role(store::Connection& db, std::int64_t id, Role role) {
  db.execute("UPDATE accounts SET role = $1 WHERE id = $2", {std::string(role_name(role)), id});
}

std::vector<Account> list_accounts(store::Connection& db, int limit, int offset) {
  std::vector<Account> accounts;
  for (const Row& row :
       db.query("SELECT " + account_columns() + " FROM accounts ORDER BY id LIMIT $1 OFFSET $2",
                {std::int64_t{limit}, std::int64_t{offset}}))
    accounts.push_back(account_from_row(row));
  return accounts;
}

std::string open_session(store::Connection& db, std::int64_t account_id) {
  const std::string token = crypto::random_token();
  const auto now = Clock::now();
  db.execute(
      "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, "
      "$4)",
      {crypto::hash_hex(token), account_id, iso8601(now), iso8601(now + kSessionLifetime)});
  return token;
}

std::optional<Account> account_for_session(store::Connection& db, const std::string& token) {
  if (token.empty() || token.size() > 100) return std::nullopt;
  return first_account(db.query("SELECT " + account_columns("a") +
                                    " FROM sessions s JOIN accounts a ON a.id = s.account_id "
                                    "WHERE s.token_hash = $1 AND s.expires_at > $2",
                                {crypto::hash_hex(token), now_iso8601()}));
}

void close_session(store::Connection& db, const std::string& token) {
  db.execute("DELETE FROM sessions WHERE token_hash = $1", {crypto::hash_hex(token)});
}

void close_all_sessions(store::Connection& db, std::int64_t account_id) {
  db.execute("DELETE FROM sessions WHERE account_id = $1", {account_id});
}

void close_other_sessions(store::Connection& db, std::int64_t account_id,
                          const std::string& kept_token) {
  db.execute("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2",
             {account_id, crypto::hash_hex(kept_token)});
}

std::string create_reset_token(store::Connection& db, std::int64_t account_id) {
  end_reset_tokens(db, account_id);
  const std::string token = crypto::random_token();
  const auto now = Clock::now();
  db.execute(
      "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4)",
      {crypto::hash_hex(token), account_id, iso8601(now), iso8601(now + kResetLifetime)});
  return token;
}

std::optional<std::int64_t> reset_token_account(store::Connection& db, const std::string& token) {
  if (token.empty() || token.size() > 100) return std::nullopt;
  const auto rows = db.query(
      "SELECT account_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL "
      "AND expires_at > $2",
      {crypto::hash_hex(token), now_iso8601()});
  if (rows.empty()) return std::nullopt;
  return std::get<std::int64_t>(rows.front().at(0));
}

void use_reset_token(store::Connection& db, const std::string& token) {
  db.execute("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2",
             {now_iso8601(), crypto::hash_hex(token)});
}

std::string create_confirmation_token(store::Connection& db, std::int64_t account_id) {
  db.execute("DELETE FROM email_confirmations WHERE account_id = $1", {account_id});
  const std::string token = crypto::random_token();
  const auto now = Clock::now();
  db.execute(
      "INSERT INTO email_confirmations (token_hash, account_id, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4)",
      {crypto::hash_hex(token), account_id, iso8601(now), iso8601(now + kConfirmationLifetime)});
  return token;
}

std::optional<std::int64_t> confirmation_token_account(store::Connection& db,
                                                       const std::string& token) {
  if (token.empty() || token.size() > 100) return std::nullopt;
  const auto rows = db.query(
      "SELECT account_id FROM email_confirmations WHERE token_hash = $1 AND expires_at > $2",
      {crypto::hash_hex(token), now_iso8601()});
  if (rows.empty()) return std::nullopt;
  return std::get<std::int64_t>(rows.front().at(0));
}

void record_login_failure(store::Connection& db, const std::string& subject) {
  record_attempt(db, subject);
}

std::int64_t record_attempt(store::Connection& db, const std::string& subject) {
  const auto rows =
      db.query("INSERT INTO login_failures (subject, at) VALUES ($1, $2) RETURNING id",
               {crypto::hash_hex(subject), now_iso8601()});
  return std::get<std::int64_t>(rows.at(0).at(0));
}

void forget_attempt(store::Connection& db, std::int64_t attempt_id) {
  db.execute("DELETE FROM login_failures WHERE id = $1", {attempt_id});
}

void prune_attempts(store::Connection& db, std::chrono::seconds age) {
  db.execute("DELETE FROM login_failures WHERE at < $1", {iso8601(Clock::now() - age)});
}

std::optional<std::int64_t> admit_attempt(store::Connection& db, const std::string& subject,
                                          const std::vector<Limit>& limits) {
  // Already over: refused at the cost of a read.
  for (const Limit& limit : limits)
    if (recent_login_failures(db, subject, limit.window) >= limit.max) return std::nullopt;
  // Recorded (and committed) first, then counted: the k-th attempt to commit
  // counts at least k, so no more than `max` ever see a count within it.
  // Concurrent attempts can also all see each other and all step back,
  // leaving none admitted though the limit was never reached (four sign-ups
  // of one address at once made no account and sent no mail): whoever steps
  // back while the others have gone too tries again, after a random pause,
  // a few times.
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (int round = 0;; ++round) {
    const std::int64_t attempt = record_attempt(db, subject);
    bool over = false;
    for (const Limit& limit : limits)
      over = over || recent_login_failures(db, subject, limit.window) > limit.max;
    if (!over) return attempt;
    forget_attempt(db, attempt);
    if (round == 4) return std::nullopt;
    for (const Limit& limit : limits)
      if (recent_login_failures(db, subject, limit.window) >= limit.max) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::microseconds(200 + jitter() % 3000));
  }
}

std::int64_t recent_login_failures(store::Connection& db, const std::string& subject,
                                   std::chrono::seconds window) {
  const auto rows = db.query("SELECT COUNT(*) FROM login_failures WHERE subject = $1 AND at > $2",
                             {crypto::hash_hex(subject), iso8601(Clock::now() - window)});
  return std::get<std::int64_t>(rows.at(0).at(0));
}

void clear_login_failures(store::Connection& db, const std::string& subject) {
  db.execute("DELETE FROM login_failures WHERE subject = $1", {crypto::hash_hex(subject)});
}

}  // namespace fabrique::accounts
