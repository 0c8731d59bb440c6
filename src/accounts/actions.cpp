#include "accounts/actions.hpp"

#include <algorithm>

#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "mail/mail.hpp"

namespace fabrique::accounts {

bool plausible_email(const std::string& email) {
  if (!mail::plausible_address(email)) return false;
  const std::size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() || email.size() > 254)
    return false;
  if (email.find('@', at + 1) != std::string::npos) return false;
  const std::string domain = email.substr(at + 1);
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.')
    return false;
  for (unsigned char c : email)
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
      return false;
  return true;
}

std::optional<Text> check_new_password(const std::string& password) {
  if (code_points(password) < 10)
    return Text{"Choose a password of at least 10 characters.",
                "Choisissez un mot de passe d'au moins 10 caractères."};
  if (password.size() > 1000)
    return Text{"This password is too long (1000 bytes at most).",
                "Ce mot de passe est trop long (1000 octets au plus)."};
  return std::nullopt;
}

FieldErrors check_sign_up(const SignUp& form) {
  FieldErrors errors;
  const std::size_t name_length = code_points(form.display_name);
  if (name_length == 0)
    errors["display_name"] = {"Enter the name others will see.",
                              "Indiquez le nom que les autres verront."};
  else if (name_length > 80)
    errors["display_name"] = {"Keep the name under 80 characters.",
                              "Le nom doit faire moins de 80 caractères."};
  else if (!is_clean_text(form.display_name) ||
           form.display_name.find_first_of("\r\n\t") != std::string::npos)
    errors["display_name"] = {"The name contains characters that cannot be shown.",
                              "Le nom contient des caractères qui ne peuvent pas être affichés."};
  if (!plausible_email(normalize_email(form.email)))
    errors["email"] = {"Enter an email address like name@example.org.",
                       "Indiquez une adresse e-mail comme nom@exemple.fr."};
  if (auto problem = check_new_password(form.password)) errors["password"] = *problem;
  return errors;
}

namespace {

void audit(store::Connection& tx, std::int64_t account_id, const std::string& action) {
  audit::record(tx, {.actor = account_id, .action = action, .subject = std::to_string(account_id)});
}

}  // namespace

SignUpResult sign_up(store::Connection& db, const SignUp& form, const std::string& password_hash,
                     const MailSite& site) {
  SignUpResult result;
  result.errors = check_sign_up(form);
  if (!result.errors.empty()) return result;
  const std::string email = normalize_email(form.email);
  if (!admit_attempt(db, "sign-up-mail:" + email, kAccountMailLimits)) {
    if (const auto account = find_account_by_email(db, email)) result.account_id = account->id;
    return result;
  }
  try {
    db.transaction([&](store::Connection& tx) {
      const auto existing = find_account_by_email(tx, email);
      if (!existing) {
        result.account_id =
            insert_unconfirmed_account(tx, email, password_hash, form.display_name, form.language);
        audit::record(tx,
                      {.actor = result.account_id, .action = "account.created", .subject = email});
        mail::enqueue(tx, confirmation_mail(site, email, form.display_name, form.language,
                                            create_confirmation_token(tx, result.account_id)));
        result.outcome = SignUpOutcome::Created;
        return;
      }
      result.account_id = existing->id;
      if (existing->email_confirmed()) {
        mail::enqueue(
            tx, already_registered_mail(site, email, existing->display_name, existing->language));
        result.outcome = SignUpOutcome::AlreadyRegistered;
        return;
      }
      // Whoever signed the address up before did not confirm it: the newest
      // sign-up stands, so that a squatter cannot keep the owner out.
      replace_pending_sign_up(tx, existing->id, password_hash, form.display_name, form.language);
      mail::enqueue(tx, confirmation_mail(site, email, form.display_name, form.language,
                                          create_confirmation_token(tx, existing->id)));
      result.outcome = SignUpOutcome::PendingReplaced;
    });
  } catch (const store::StoreError&) {
    // Someone signed the address up between the look-up and the insert: theirs stands.
    const auto account = find_account_by_email(db, email);
    if (!account) throw;
    result.account_id = account->id;
    result.outcome = SignUpOutcome::NothingSent;
  }
  return result;
}

std::optional<std::int64_t> confirm_address(store::Connection& db, const std::string& token) {
  std::optional<std::int64_t> confirmed;
  db.transaction([&](store::Connection& tx) {
    const auto account_id = confirmation_token_account(tx, token);
    if (!account_id) return;
    confirm_email(tx, *account_id);  // ends this link and any other
    audit(tx, *account_id, "account.email_confirmed");
    confirmed = account_id;
  });
  return confirmed;
}

bool request_password_reset(store::Connection& db, const std::string& email, const MailSite& site) {
  const std::string address = normalize_email(email);
  // Counted for every address, so that the answer takes as long either way.
  if (!admit_attempt(db, "reset-mail:" + address, kAccountMailLimits)) return false;
  const auto account = find_account_by_email(db, address);
  if (!account) return false;
  try {
    db.transaction([&](store::Connection& tx) {
      mail::enqueue(tx, reset_mail(site, account->email, account->display_name, account->language,
                                   create_reset_token(tx, account->id)));
    });
  } catch (const mail::MailError&) {
    return false;  // an address of an older account that no mail can reach
  }
  return true;
}

std::optional<std::int64_t> reset_password(store::Connection& db, const std::string& token,
                                           const std::string& password_hash) {
  std::optional<std::int64_t> changed;
  db.transaction([&](store::Connection& tx) {
    // Checked inside the transaction: a link works once.
    const auto account_id = reset_token_account(tx, token);
    if (!account_id) return;
    use_reset_token(tx, token);
    set_password_hash(tx, *account_id, password_hash);  // ends the other links
    confirm_email(tx, *account_id);                     // the link proved the mailbox
    close_all_sessions(tx, *account_id);
    audit(tx, *account_id, "account.password_reset");
    changed = account_id;
  });
  return changed;
}

void change_password(store::Connection& db, std::int64_t account_id,
                     const std::string& password_hash, const std::string& kept_session) {
  db.transaction([&](store::Connection& tx) {
    set_password_hash(tx, account_id, password_hash);  // ends the reset links
    // Whoever else holds a session (the reason to change it, often) is out.
    close_other_sessions(tx, account_id, kept_session);
    audit(tx, account_id, "account.password_changed");
  });
}

namespace {

constexpr std::chrono::seconds kEveryoneBurstWindow{10};

// The limits per client address, then for everyone, of a form that costs a
// password hash or a mail. An attempt refused for its address is not counted
// for everyone: one client alone cannot use up everyone's allowance. While
// everyone's allowance is used up, a request is refused before anything is
// written: a flood then costs one read per request, and the database stays
// free for the rest of the site (ballots).
std::optional<Refusal> over_limits(Caller& caller, const std::string& action,
                                   const FormLimits& limits) {
  const std::string everyone = action + "-everyone";
  // Spread over the minute: a sixth of it in any 10 seconds (10 at least),
  // so that a burst does not take the whole minute's hashes at once.
  const std::vector<Limit> everyone_limits{
      {limits.per_minute, kEveryoneWindow},
      {std::max(limits.per_minute / 6, std::min(limits.per_minute, 10)), kEveryoneBurstWindow}};
  for (const Limit& limit : everyone_limits)
    if (recent_login_failures(caller.db, everyone, limit.window) >= limit.max)
      return Refusal::FromEveryone;
  if (!admit_attempt(caller.db, action + "-address:" + caller.client_address,
                     {{limits.per_address, limits.address_window}}))
    return Refusal::FromAddress;
  if (!admit_attempt(caller.db, everyone, everyone_limits)) return Refusal::FromEveryone;
  return std::nullopt;
}

// The failures of one account from one client address: what locks out a
// guesser but never the owner elsewhere (docs/operating.md, "Accounts").
std::string sign_in_failures(const std::string& email, const std::string& address) {
  return "sign-in:" + email + " from " + address;
}

}  // namespace

SignUpRequest sign_up(Caller& caller, const SignUp& form, const FormLimits& limits,
                      const MailSite& site) {
  SignUpRequest request;
  request.errors = check_sign_up(form);
  if (!request.errors.empty()) return request;
  request.refusal = over_limits(caller, "sign-up", limits);
  if (request.refusal) return request;
  // The hash, with no connection held; whatever the address, so that every
  // sign-up takes as long.
  caller.release_db();
  const auto hash = caller.hashing.hash(form.password);
  if (!hash) {
    request.refusal = Refusal::HashingBusy;
    return request;
  }
  const SignUpResult result = sign_up(caller.db, form, *hash, site);
  request.errors = result.errors;
  request.outcome = result.outcome;
  return request;
}

std::optional<SignedIn> confirm_and_sign_in(store::Connection& db, const std::string& token,
                                            const std::string& previous_session) {
  const auto account_id = confirm_address(db, token);
  if (!account_id) return std::nullopt;
  if (!previous_session.empty()) close_session(db, previous_session);
  auto account = find_account(db, *account_id);
  if (!account) return std::nullopt;
  return SignedIn{std::move(*account), open_session(db, *account_id)};
}

SignInResult sign_in(Caller& caller, const std::string& typed_email, const std::string& password,
                     const FormLimits& limits, int failures_per_account) {
  SignInResult result;
  const std::string email = normalize_email(typed_email);
  result.refusal = over_limits(caller, "sign-in", limits);
  if (result.refusal) return result;
  // Recorded as a failure now, counted, and cleared if the password is right.
  const std::string failures = sign_in_failures(email, caller.client_address);
  const auto attempt = admit_attempt(caller.db, failures, {{failures_per_account, kSignInWindow}});
  if (!attempt) {
    result.refusal = Refusal::TooManyFailures;
    return result;
  }
  const auto account = find_account_by_email(caller.db, email);
  const auto hash = account ? password_hash_of(caller.db, account->id) : std::nullopt;
  caller.release_db();
  // Without an account, a hash is still verified so both cases take as long.
  static const std::string decoy = hash_password("decoy password, never matches");
  const auto matches = caller.hashing.verify(password, hash ? *hash : decoy);
  if (!matches) {
    forget_attempt(caller.db, *attempt);  // not a failure: nothing was checked
    result.refusal = Refusal::HashingBusy;
    return result;
  }
  // An unconfirmed account fails exactly like a wrong password.
  if (!*matches || !hash || !account->email_confirmed()) return result;
  clear_login_failures(caller.db, failures);
  result.signed_in = SignedIn{*account, open_session(caller.db, account->id)};
  return result;
}

bool sign_out(store::Connection& db, const Account& account, const std::string& session_token) {
  if (!allows(account.role, Permission::UseAccount)) return false;
  close_session(db, session_token);
  return true;
}

ResetRequest ask_password_reset(Caller& caller, const std::string& typed_email,
                                const FormLimits& limits, const MailSite& site) {
  ResetRequest request;
  const std::string email = normalize_email(typed_email);
  request.invalid_email = !plausible_email(email);
  if (request.invalid_email) return request;
  request.refusal = over_limits(caller, "password-reset", limits);
  if (request.refusal) return request;
  // Whether or not the account exists, and whether or not a mail went there
  // moments ago, the caller answers the same: no one learns who has an account.
  request.mailed = request_password_reset(caller.db, email, site);
  return request;
}

NewPasswordResult reset_password(Caller& caller, const std::string& token,
                                 const std::string& password) {
  NewPasswordResult result;
  result.link_invalid = !reset_token_account(caller.db, token);
  if (result.link_invalid) return result;
  result.problem = check_new_password(password);
  if (result.problem) return result;
  caller.release_db();
  const auto hash = caller.hashing.hash(password);
  if (!hash) {
    result.refusal = Refusal::HashingBusy;
    return result;
  }
  const auto account_id = reset_password(caller.db, token, *hash);
  result.link_invalid = !account_id;
  if (!account_id) return result;
  if (const auto account = find_account(caller.db, *account_id))
    clear_login_failures(caller.db, sign_in_failures(account->email, caller.client_address));
  return result;
}

PasswordChange change_password(Caller& caller, const Account& account,
                               const std::string& session_token,
                               const std::string& current_password,
                               const std::string& new_password) {
  PasswordChange change;
  change.allowed = allows(account.role, Permission::UseAccount);
  if (!change.allowed) return change;
  if (auto problem = check_new_password(new_password)) change.errors["new_password"] = *problem;
  const auto hash = password_hash_of(caller.db, account.id);
  // Both hashes in one turn of the queue, with no connection held.
  caller.release_db();
  std::string new_hash;
  {
    const auto turn = caller.hashing.enter();
    if (!turn) {
      change.refusal = Refusal::HashingBusy;
      return change;
    }
    if (!hash || !verify_password(current_password, *hash))
      change.errors["current_password"] = {"The current password is not this one.",
                                           "Le mot de passe actuel n'est pas celui-ci."};
    if (change.errors.empty()) new_hash = hash_password(new_password);
  }
  if (!change.errors.empty()) return change;
  change_password(caller.db, account.id, new_hash, session_token);
  return change;
}

bool choose_language(store::Connection& db, const Account& account, Lang language) {
  if (!allows(account.role, Permission::UseAccount)) return false;
  set_language(db, account.id, language);
  return true;
}

}  // namespace fabrique::accounts
