#include "accounts/actions.hpp"

#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "web/form.hpp"

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
  else if (!web::is_clean_text(form.display_name) ||
           form.display_name.find_first_of("\r\n\t") != std::string::npos)
    errors["display_name"] = {"The name contains characters that cannot be shown.",
                              "Le nom contient des caractères qui ne peuvent pas être affichés."};
  if (!plausible_email(normalize_email(form.email)))
    errors["email"] = {"Enter an email address like name@example.org.",
                       "Indiquez une adresse e-mail comme nom@exemple.fr."};
  if (auto problem = check_new_password(form.password)) errors["password"] = *problem;
  return errors;
}

SignUpResult sign_up(store::Connection& db, const SignUp& form) {
  SignUpResult result;
  result.errors = check_sign_up(form);
  if (!result.errors.empty()) return result;
  const std::string email = normalize_email(form.email);
  const Text taken{"An account already uses this email address. Sign in, or reset the password.",
                   "Un compte utilise déjà cette adresse e-mail. Connectez-vous ou "
                   "réinitialisez le mot de passe."};
  if (find_account_by_email(db, email)) {
    result.errors["email"] = taken;
    return result;
  }
  const std::string hash = hash_password(form.password);  // ~0.1 s: outside any transaction
  try {
    db.transaction([&](store::Connection& tx) {
      result.account_id =
          insert_account(tx, email, hash, form.display_name, Role::Resident, form.language);
      tx.execute(
          "INSERT INTO audit_log (at, actor_account_id, action, subject) "
          "SELECT created_at, id, 'account.created', email FROM accounts WHERE id = $1",
          {result.account_id});
    });
  } catch (const store::StoreError&) {
    // Someone took the address between the check and the insert.
    if (!find_account_by_email(db, email)) throw;
    result.errors["email"] = taken;
    result.account_id = 0;
  }
  return result;
}

}  // namespace fabrique::accounts
