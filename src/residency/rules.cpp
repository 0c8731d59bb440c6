#include "residency/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "core/text.hpp"
#include "core/time.hpp"

namespace fabrique::residency {

namespace {

namespace chr = std::chrono;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
char to_upper(char c) { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

// The character at `at`, described for a message.
Text describe_character(std::string_view text, std::size_t at) {
  const std::size_t length = utf8_length(text, at);
  if (length == 0) return {"a byte that is not UTF-8", "un octet qui n'est pas de l'UTF-8"};
  const std::string_view character = text.substr(at, length);
  if (is_control(character)) return {"a control character", "un caractère de contrôle"};
  return {quoted_en(character), quoted_fr(character)};
}

Checked failure(std::string en, std::string fr) { return {{}, Text{std::move(en), std::move(fr)}}; }

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

int to_int(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

std::string quoted_en(std::string_view text) { return "“" + quotable(text) + "”"; }
std::string quoted_fr(std::string_view text) { return "«\u202f" + quotable(text) + "\u202f»"; }

Checked normalize_document_number(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty())
    return failure("Document number: missing.", "Numéro de document\u202f: manquant.");
  std::string value;
  std::size_t position = 0;  // in characters, from 1
  for (std::size_t at = 0; at < text.size();) {
    ++position;
    const char c = text[at];
    if (c == ' ' || c == '-') {
      ++at;
      continue;
    }
    if (is_digit(c) || is_upper(c) || is_lower(c)) {
      value += to_upper(c);
      ++at;
      continue;
    }
    const Text what = describe_character(text, at);
    return failure(
        fmt::format("Document number: only letters and digits are allowed (spaces and hyphens are "
                    "ignored); found {} at position {}.",
                    what.en, position),
        fmt::format("Numéro de document\u202f: seuls les lettres et les chiffres sont admis (les "
                    "espaces et les tirets sont ignorés)\u202f; {} trouvé en position {}.",
                    what.fr, position));
  }
  if (value.size() < 4 || value.size() > 20)
    return failure(
        fmt::format("Document number: expected 4 to 20 letters or digits, found {}.", value.size()),
        fmt::format("Numéro de document\u202f: 4 à 20 lettres ou chiffres attendus, {} "
                    "trouvé{}.",
                    value.size(), value.size() > 1 ? "s" : ""));
  return {std::move(value), std::nullopt};
}

Checked normalize_birth_date(std::string_view raw, chr::year_month_day today) {
  const std::string_view text = trim(raw);
  if (text.empty()) return failure("Birth date: missing.", "Date de naissance\u202f: manquante.");
  int year = 0, month = 0, day = 0;
  bool shaped = false;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && all_digits(text.substr(0, 4)) &&
      all_digits(text.substr(5, 2)) && all_digits(text.substr(8, 2))) {
    year = to_int(text.substr(0, 4));
    month = to_int(text.substr(5, 2));
    day = to_int(text.substr(8, 2));
    shaped = true;
  } else if (const std::size_t first = text.find('/'); first != std::string_view::npos) {
    const std::size_t second = text.find('/', first + 1);
    if (second != std::string_view::npos) {
      const std::string_view d = text.substr(0, first);
      const std::string_view m = text.substr(first + 1, second - first - 1);
      const std::string_view y = text.substr(second + 1);
      if (all_digits(d) && d.size() <= 2 && all_digits(m) && m.size() <= 2 && all_digits(y) &&
          y.size() == 4) {
        year = to_int(y);
        month = to_int(m);
        day = to_int(d);
        shaped = true;
      }
    }
  }
  if (!shaped)
    return failure(
        fmt::format("Birth date: expected YYYY-MM-DD or DD/MM/YYYY, found {}.", quoted_en(text)),
        fmt::format("Date de naissance\u202f: AAAA-MM-JJ ou JJ/MM/AAAA attendu, {} trouvé.",
                    quoted_fr(text)));
  const chr::year_month_day date{chr::year(year), chr::month(static_cast<unsigned>(month)),
                                 chr::day(static_cast<unsigned>(day))};
  if (!date.ok())
    return failure(
        fmt::format("Birth date: {} is not a real date.", quoted_en(text)),
        fmt::format("Date de naissance\u202f: {} n'est pas une date réelle.", quoted_fr(text)));
  if (year < 1900)
    return failure(
        fmt::format("Birth date: {} is before 1900.", quoted_en(text)),
        fmt::format("Date de naissance\u202f: {} est antérieure à 1900.", quoted_fr(text)));
  if (chr::sys_days(date) > chr::sys_days(today))
    return failure(fmt::format("Birth date: {} is in the future.", quoted_en(text)),
                   fmt::format("Date de naissance\u202f: {} est dans le futur.", quoted_fr(text)));
  return {format_date(date), std::nullopt};
}

Checked normalize_postal_code(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return failure("Postal code: missing.", "Code postal\u202f: manquant.");
  std::string value;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (c == ' ') continue;
    if (is_digit(c) || is_upper(c) || is_lower(c)) {
      value += to_upper(c);
      continue;
    }
    const Text what = describe_character(text, at);
    return failure(
        fmt::format("Postal code: only letters, digits and spaces are allowed; found {}.", what.en),
        fmt::format("Code postal\u202f: seuls les lettres, les chiffres et les espaces sont "
                    "admis\u202f; {} "
                    "trouvé.",
                    what.fr));
  }
  if (text.size() < 3 || text.size() > 10)
    return failure(
        fmt::format("Postal code: expected 3 to 10 letters, digits or spaces, found {} "
                    "({} character{}).",
                    quoted_en(text), text.size(), text.size() == 1 ? "" : "s"),
        fmt::format("Code postal\u202f: 3 à 10 lettres, chiffres ou espaces attendus, {} "
                    "trouvé ({} caractère{}).",
                    quoted_fr(text), text.size(), text.size() == 1 ? "" : "s"));
  return {std::move(value), std::nullopt};
}

CheckedIdentity check_identity(const IdentityForm& form, chr::year_month_day today) {
  CheckedIdentity out;
  Checked document = normalize_document_number(form.document_number);
  Checked birth = normalize_birth_date(form.birth_date, today);
  Checked postal = normalize_postal_code(form.postal_code);
  if (document.error) out.errors["document_number"] = *document.error;
  if (birth.error) out.errors["birth_date"] = *birth.error;
  if (postal.error) out.errors["postal_code"] = *postal.error;
  out.identity = {std::move(document.value), std::move(birth.value), std::move(postal.value)};
  return out;
}

std::string identity_key(const Identity& identity) {
  return identity.document_number + "|" + identity.birth_date + "|" + identity.postal_code;
}

std::string person_key(const Identity& identity) { return "person|" + identity.document_number; }

bool old_enough(std::string_view birth_date, int minimum_age, chr::year_month_day today) {
  const auto birth = parse_date(birth_date);
  return birth && age_on(*birth, today) >= minimum_age;
}

NewDistrict normalize_district(NewDistrict district) {
  district.slug = ascii_lower(trim(district.slug));
  district.name_fr = std::string(trim(district.name_fr));
  district.name_en = std::string(trim(district.name_en));
  return district;
}

FieldErrors check_district(const NewDistrict& district) {
  FieldErrors errors;
  const std::string& slug = district.slug;
  if (slug.empty()) {
    errors["slug"] = {"Identifier: missing.", "Identifiant\u202f: manquant."};
  } else {
    const bool characters = std::all_of(
        slug.begin(), slug.end(), [](char c) { return is_lower(c) || is_digit(c) || c == '-'; });
    if (!characters || slug.size() < 2 || slug.size() > 40 || slug.front() == '-' ||
        slug.back() == '-' || slug.find("--") != std::string::npos)
      errors["slug"] = {
          "Identifier: 2 to 40 lower-case letters, digits and single hyphens, starting and ending "
          "with a letter or a digit (for example old-town).",
          "Identifiant\u202f: 2 à 40 lettres minuscules, chiffres et tirets isolés, commençant et "
          "finissant par une lettre ou un chiffre (par exemple vieille-ville)."};
  }
  const auto check_name = [&](const std::string& field, const std::string& name, const char* en,
                              const char* fr) {
    if (name.empty()) {
      errors[field] = {fmt::format("{}: missing.", en), fmt::format("{}\u202f: manquant.", fr)};
      return;
    }
    bool clean = valid_utf8(name);
    for (std::size_t at = 0; clean && at < name.size();) {
      const std::size_t length = utf8_length(name, at);
      if (is_control(name.substr(at, length))) clean = false;
      at += length;
    }
    if (!clean)
      errors[field] = {fmt::format("{}: contains characters that are not allowed.", en),
                       fmt::format("{}\u202f: contient des caractères non admis.", fr)};
    else if (code_points(name) > 100)
      errors[field] = {fmt::format("{}: at most 100 characters.", en),
                       fmt::format("{}\u202f: 100 caractères au plus.", fr)};
  };
  check_name("name_fr", district.name_fr, "French name", "Nom en français");
  check_name("name_en", district.name_en, "English name", "Nom en anglais");
  return errors;
}

Text outcome_message(VerificationOutcome outcome, VerificationMethod method, int minimum_age) {
  const bool counter = method == VerificationMethod::Counter;
  switch (outcome) {
    case VerificationOutcome::Verified:
      if (counter) return {"The account is verified.", "Le compte est vérifié."};
      return {"Your residency is verified: you can now propose projects and vote.",
              "Votre résidence est vérifiée\u202f: vous pouvez maintenant proposer des projets et "
              "voter."};
    case VerificationOutcome::InvalidForm:
      return {"Some fields are not filled in as expected.",
              "Certains champs ne sont pas remplis comme attendu."};
    case VerificationOutcome::NoMatch:
      if (counter)
        return {
            "No one on the census has this document number, birth date and postal code "
            "together. Check what you typed against the document; if it is right, the person "
            "is not on the census.",
            "Personne au recensement n'a ensemble ce numéro de document, cette date de "
            "naissance et ce code postal. Comparez la saisie au document\u202f; si elle est juste, "
            "la personne n'est pas au recensement."};
      [[fallthrough]];
    case VerificationOutcome::TakenByAnother:
      if (counter && outcome == VerificationOutcome::TakenByAnother)
        return {
            "This identity already verifies another account. Do not verify this one: refer "
            "the case to the census office, which can check who holds the other account.",
            "Cette identité vérifie déjà un autre compte. Ne vérifiez pas celui-ci\u202f: "
            "transmettez le cas au service du recensement, qui peut voir qui détient l'autre "
            "compte."};
      // Online, the same words for both: a guesser must not learn that an
      // identity exists and is taken (the administrators are alerted instead).
      return {
          "We cannot verify your residency with these details. Check the document number, "
          "the birth date and the postal code, and try again. If they are right, come to the "
          "town hall counter with your identity document: a clerk will verify your residency "
          "there.",
          "Nous ne pouvons pas vérifier votre résidence avec ces informations. Vérifiez le "
          "numéro du document, la date de naissance et le code postal, puis réessayez. S’ils "
          "sont justes, présentez-vous au guichet de la mairie avec votre pièce d’identité\u202f: "
          "un agent y vérifiera votre résidence."};
    case VerificationOutcome::UnderAge:
      if (counter)
        return {
            fmt::format("The person is under {}: they cannot take part yet.", minimum_age),
            fmt::format("La personne a moins de {} ans\u202f: elle ne peut pas encore participer.",
                        minimum_age)};
      return {fmt::format("You must be at least {} to take part. Your account stays open: come "
                          "back once you are {}.",
                          minimum_age, minimum_age),
              fmt::format("Il faut avoir au moins {} ans pour participer. Votre compte reste "
                          "ouvert\u202f: revenez quand vous aurez {} ans.",
                          minimum_age, minimum_age)};
    case VerificationOutcome::AlreadyVerified:
      if (counter) return {"This account is already verified.", "Ce compte est déjà vérifié."};
      return {"Your residency is already verified.", "Votre résidence est déjà vérifiée."};
    case VerificationOutcome::NotEligible:
      return {
          "This account cannot be verified as a resident's (staff and organisation accounts "
          "take no part as residents).",
          "Ce compte ne peut pas être vérifié comme celui d'un habitant (les comptes du "
          "personnel et des organisations ne participent pas comme habitants)."};
    case VerificationOutcome::TooManyAttempts:
      return {
          "Too many unsuccessful attempts. Wait an hour and try again, or go to the town hall "
          "with your identity document.",
          "Trop de tentatives infructueuses. Attendez une heure puis réessayez, ou présentez-"
          "vous à la mairie avec votre pièce d'identité."};
    case VerificationOutcome::EmailNotConfirmed:
      return {
          "Confirm your e-mail address first: follow the link in the message we sent you when "
          "you created your account (or ask for a new password: that link confirms it too).",
          "Confirmez d’abord votre adresse e-mail\u202f: suivez le lien du message que nous vous "
          "avons envoyé à la création du compte (ou demandez un nouveau mot de passe\u202f: ce "
          "lien "
          "la confirme aussi)."};
  }
  return {"Unknown outcome.", "Résultat inconnu."};
}

}  // namespace fabrique::residency
