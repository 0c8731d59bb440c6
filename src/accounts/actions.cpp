#include "accounts/actions.hpp"

#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "mail/mail.hpp"

namespace fabrique::accounts {

namespace {

// Code points, not bytes: "Zoé" is three characters long.
std::size_t characters(const std::string& text) {
  std::size_t count = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) ++count;
  return count;
}

}  // namespace

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
  if (characters(password) < 10)
    return Text{"Choose a password of at least 10 characters.",
                "Choisissez un mot de passe d'au moins 10 caractères."};
  if (password.size() > 1000)
    return Text{"This password is too long (1000 bytes at most).",
                "Ce mot de passe est trop long (1000 octets au plus)."};
  return std::nullopt;
}

FieldErrors check_sign_up(const SignUp& form) {
  FieldErrors errors;
  const std::size_t name_length = characters(form.display_name);
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
  });
}

}  // namespace fabrique::accounts
