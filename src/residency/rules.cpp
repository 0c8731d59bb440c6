#include "residency/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "core/time.hpp"

namespace fabrique::residency {

namespace {

namespace chr = std::chrono;

constexpr std::size_t kQuoteLimit = 30;  // characters of a found value shown in a message

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
char to_upper(char c) { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

// The length of the UTF-8 sequence starting at `at`, or 0 when it is not one.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  return length;
}

// Where the first byte that is not UTF-8 is, or npos.
std::size_t utf8_error_at(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = utf8_length(text, at);
    if (length == 0) return at;
    at += length;
  }
  return std::string_view::npos;
}

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  return count;
}

bool is_control(std::string_view text, std::size_t at, std::size_t length) {
  const auto lead = static_cast<unsigned char>(text[at]);
  if (length == 1) return lead < 0x20 || lead == 0x7F;
  // U+0080 to U+009F: C2 80 to C2 9F.
  return length == 2 && lead == 0xC2 && static_cast<unsigned char>(text[at + 1]) <= 0x9F;
}

// A value found in a file or a form, safe to show: at most kQuoteLimit
// characters, control characters and bytes that are not UTF-8 as "?".
std::string shown(std::string_view text) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size();) {
    if (count == kQuoteLimit) {
      out += "…";
      break;
    }
    const std::size_t length = utf8_length(text, at);
    if (length == 0 || is_control(text, at, length)) {
      out += '?';
      at += length == 0 ? 1 : length;
    } else {
      out.append(text.substr(at, length));
      at += length;
    }
    ++count;
  }
  return out;
}

std::string quoted_en(std::string_view text) { return "“" + shown(text) + "”"; }
std::string quoted_fr(std::string_view text) { return "« " + shown(text) + " »"; }

// The character at `at`, described for a message.
Text describe_character(std::string_view text, std::size_t at) {
  const std::size_t length = utf8_length(text, at);
  if (length == 0) return {"a byte that is not UTF-8", "un octet qui n'est pas de l'UTF-8"};
  if (is_control(text, at, length)) return {"a control character", "un caractère de contrôle"};
  const std::string_view character = text.substr(at, length);
  return {quoted_en(character), quoted_fr(character)};
}

Text join(const std::vector<Text>& parts) {
  Text out;
  for (const Text& part : parts) {
    if (!out.en.empty()) {
      out.en += " ";
      out.fr += " ";
    }
    out.en += part.en;
    out.fr += part.fr;
  }
  return out;
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

bool valid_utf8(std::string_view text) { return utf8_error_at(text) == std::string_view::npos; }

Checked normalize_document_number(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return failure("Document number: missing.", "Numéro de document : manquant.");
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
        fmt::format("Numéro de document : seuls les lettres et les chiffres sont admis (les "
                    "espaces et les tirets sont ignorés) ; {} trouvé en position {}.",
                    what.fr, position));
  }
  if (value.size() < 4 || value.size() > 20)
    return failure(
        fmt::format("Document number: expected 4 to 20 letters or digits, found {}.", value.size()),
        fmt::format("Numéro de document : 4 à 20 lettres ou chiffres attendus, {} "
                    "trouvé{}.",
                    value.size(), value.size() > 1 ? "s" : ""));
  return {std::move(value), std::nullopt};
}

Checked normalize_birth_date(std::string_view raw, chr::year_month_day today) {
  const std::string_view text = trim(raw);
  if (text.empty()) return failure("Birth date: missing.", "Date de naissance : manquante.");
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
        fmt::format("Date de naissance : AAAA-MM-JJ ou JJ/MM/AAAA attendu, {} trouvé.",
                    quoted_fr(text)));
  const chr::year_month_day date{chr::year(year), chr::month(static_cast<unsigned>(month)),
                                 chr::day(static_cast<unsigned>(day))};
  if (!date.ok())
    return failure(
        fmt::format("Birth date: {} is not a real date.", quoted_en(text)),
        fmt::format("Date de naissance : {} n'est pas une date réelle.", quoted_fr(text)));
  if (year < 1900)
    return failure(fmt::format("Birth date: {} is before 1900.", quoted_en(text)),
                   fmt::format("Date de naissance : {} est antérieure à 1900.", quoted_fr(text)));
  if (chr::sys_days(date) > chr::sys_days(today))
    return failure(fmt::format("Birth date: {} is in the future.", quoted_en(text)),
                   fmt::format("Date de naissance : {} est dans le futur.", quoted_fr(text)));
  return {format_date(date), std::nullopt};
}

Checked normalize_postal_code(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return failure("Postal code: missing.", "Code postal : manquant.");
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
        fmt::format("Code postal : seuls les lettres, les chiffres et les espaces sont admis ; {} "
                    "trouvé.",
                    what.fr));
  }
  if (text.size() < 3 || text.size() > 10)
    return failure(fmt::format("Postal code: expected 3 to 10 letters, digits or spaces, found {} "
                               "({} character{}).",
                               quoted_en(text), text.size(), text.size() == 1 ? "" : "s"),
                   fmt::format("Code postal : 3 à 10 lettres, chiffres ou espaces attendus, {} "
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
  district.slug = lower(trim(district.slug));
  district.name_fr = std::string(trim(district.name_fr));
  district.name_en = std::string(trim(district.name_en));
  return district;
}

FieldErrors check_district(const NewDistrict& district) {
  FieldErrors errors;
  const std::string& slug = district.slug;
  if (slug.empty()) {
    errors["slug"] = {"Identifier: missing.", "Identifiant : manquant."};
  } else {
    const bool characters = std::all_of(
        slug.begin(), slug.end(), [](char c) { return is_lower(c) || is_digit(c) || c == '-'; });
    if (!characters || slug.size() < 2 || slug.size() > 40 || slug.front() == '-' ||
        slug.back() == '-' || slug.find("--") != std::string::npos)
      errors["slug"] = {
          "Identifier: 2 to 40 lower-case letters, digits and single hyphens, starting and ending "
          "with a letter or a digit (for example old-town).",
          "Identifiant : 2 à 40 lettres minuscules, chiffres et tirets isolés, commençant et "
          "finissant par une lettre ou un chiffre (par exemple vieille-ville)."};
  }
  const auto check_name = [&](const std::string& field, const std::string& name, const char* en,
                              const char* fr) {
    if (name.empty()) {
      errors[field] = {fmt::format("{}: missing.", en), fmt::format("{} : manquant.", fr)};
      return;
    }
    bool clean = valid_utf8(name);
    for (std::size_t at = 0; clean && at < name.size();) {
      const std::size_t length = utf8_length(name, at);
      if (is_control(name, at, length)) clean = false;
      at += length;
    }
    if (!clean)
      errors[field] = {fmt::format("{}: contains characters that are not allowed.", en),
                       fmt::format("{} : contient des caractères non admis.", fr)};
    else if (code_points(name) > 100)
      errors[field] = {fmt::format("{}: at most 100 characters.", en),
                       fmt::format("{} : 100 caractères au plus.", fr)};
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
              "Votre résidence est vérifiée : vous pouvez maintenant proposer des projets et "
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
            "naissance et ce code postal. Comparez la saisie au document ; si elle est juste, "
            "la personne n'est pas au recensement."};
      [[fallthrough]];
    case VerificationOutcome::TakenByAnother:
      if (counter && outcome == VerificationOutcome::TakenByAnother)
        return {
            "This identity already verifies another account. Do not verify this one: refer "
            "the case to the census office, which can check who holds the other account.",
            "Cette identité vérifie déjà un autre compte. Ne vérifiez pas celui-ci : "
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
          "sont justes, présentez-vous au guichet de la mairie avec votre pièce d’identité : "
          "un agent y vérifiera votre résidence."};
    case VerificationOutcome::UnderAge:
      if (counter)
        return {fmt::format("The person is under {}: they cannot take part yet.", minimum_age),
                fmt::format("La personne a moins de {} ans : elle ne peut pas encore participer.",
                            minimum_age)};
      return {fmt::format("You must be at least {} to take part. Your account stays open: come "
                          "back once you are {}.",
                          minimum_age, minimum_age),
              fmt::format("Il faut avoir au moins {} ans pour participer. Votre compte reste "
                          "ouvert : revenez quand vous aurez {} ans.",
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
          "Confirmez d’abord votre adresse e-mail : suivez le lien du message que nous vous "
          "avons envoyé à la création du compte (ou demandez un nouveau mot de passe : ce lien "
          "la confirme aussi)."};
  }
  return {"Unknown outcome.", "Résultat inconnu."};
}

// ---------------------------------------------------------------------------
// Census files.

namespace {

// The separator of the first non-blank line: the more frequent of ';' and
// ',' outside quotes (',' when neither appears).
char detect_separator(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find_first_of("\r\n", at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (!trim(line).empty()) {
      std::size_t commas = 0, semicolons = 0;
      bool quoted = false;
      for (char c : line) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == ',') ++commas;
        if (c == ';') ++semicolons;
      }
      return semicolons > commas ? ';' : ',';
    }
    at = end + 1;
  }
  return ',';
}

std::size_t line_of(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) ++line;
  }
  return line;
}

}  // namespace

CensusReader::CensusReader(std::string_view text, const DistrictIndex& districts,
                           chr::year_month_day today)
    : text_(text), districts_(districts), today_(today) {
  if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  if (const std::size_t bad = utf8_error_at(text_); bad != std::string_view::npos) {
    const std::size_t line = line_of(text_, bad);
    refusal_ = RowError{
        line,
        {fmt::format("The file is not UTF-8 (line {}). Save it as “CSV UTF-8” and send it again.",
                     line),
         fmt::format("Le fichier n'est pas en UTF-8 (ligne {}). Enregistrez-le au format « CSV "
                     "UTF-8 » et envoyez-le à nouveau.",
                     line)}};
    return;
  }
  separator_ = detect_separator(text_);
  if (!next_fields()) {
    refusal_ = RowError{1, {"The file is empty.", "Le fichier est vide."}};
    return;
  }
  if (syntax_error_) {
    refusal_ = RowError{record_line_,
                        {"The header line cannot be read: " + syntax_error_->en,
                         "La ligne d'en-tête est illisible : " + syntax_error_->fr}};
    return;
  }
  width_ = fields_.size();
  bool found[4] = {false, false, false, false};
  std::string names;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const std::string name = lower(trim(fields_[i]));
    if (i < 8) names += (names.empty() ? "" : ", ") + shown(name);
    if (i == 8) names += ", …";
    for (std::size_t c = 0; c < 4; ++c) {
      if (name != kCensusColumns[c]) continue;
      if (found[c]) {
        refusal_ = RowError{
            record_line_,
            {fmt::format("The header (line {}) names the column {} twice.", record_line_, name),
             fmt::format("L'en-tête (ligne {}) nomme deux fois la colonne {}.", record_line_,
                         name)}};
        return;
      }
      found[c] = true;
      columns_[c] = i;
    }
  }
  std::string missing;
  for (std::size_t c = 0; c < 4; ++c)
    if (!found[c]) missing += (missing.empty() ? "" : ", ") + std::string(kCensusColumns[c]);
  if (!missing.empty()) {
    refusal_ = RowError{
        record_line_,
        {fmt::format("The header (line {}) lacks the column(s) {}. It must name document_number, "
                     "birth_date, postal_code and district, in any order, separated by commas or "
                     "semicolons; found: {}.",
                     record_line_, missing, names),
         fmt::format("L'en-tête (ligne {}) n'a pas la ou les colonnes {}. Il doit nommer "
                     "document_number, birth_date, postal_code et district, dans n'importe quel "
                     "ordre, séparées par des virgules ou des points-virgules ; trouvé : {}.",
                     record_line_, missing, names)}};
  }
}

// One CSV record into fields_ (blank records skipped); false at the end of
// the text. A quoting problem is left in syntax_error_ and the rest of the
// physical line is skipped.
bool CensusReader::next_fields() {
  const std::size_t n = text_.size();
  const auto at_line_end = [&](std::size_t i) {
    return i >= n || text_[i] == '\n' || text_[i] == '\r';
  };
  const auto end_line = [&] {
    if (pos_ < n && text_[pos_] == '\r') {
      ++pos_;
      if (pos_ < n && text_[pos_] == '\n') ++pos_;
      ++line_;
    } else if (pos_ < n && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
  };
  const auto skip_line = [&] {
    while (!at_line_end(pos_)) ++pos_;
    end_line();
  };
  for (;;) {
    if (pos_ >= n) return false;
    fields_.clear();
    syntax_error_.reset();
    record_line_ = line_;
    for (;;) {
      std::string field;
      std::size_t start = pos_;
      while (start < n && (text_[start] == ' ' || text_[start] == '\t')) ++start;
      if (start < n && text_[start] == '"') {
        const std::size_t opened = line_;
        pos_ = start + 1;
        bool closed = false;
        while (pos_ < n) {
          const char c = text_[pos_];
          if (c == '"') {
            if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
              field += '"';
              pos_ += 2;
              continue;
            }
            ++pos_;
            closed = true;
            break;
          }
          if (c == '\n' || (c == '\r' && (pos_ + 1 >= n || text_[pos_ + 1] != '\n'))) ++line_;
          field += c;
          ++pos_;
        }
        if (!closed) {
          syntax_error_ = Text{
              fmt::format("A quoted field opened on line {} is never closed.", opened),
              fmt::format("Un champ entre guillemets ouvert ligne {} n'est jamais fermé.", opened)};
          fields_.push_back(std::move(field));
          return true;
        }
        while (pos_ < n && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
        if (!at_line_end(pos_) && text_[pos_] != separator_) {
          syntax_error_ = Text{
              "Unexpected character after a closing quote (a quote inside a quoted field is "
              "written \"\").",
              "Caractère inattendu après un guillemet fermant (un guillemet dans un champ entre "
              "guillemets s'écrit \"\")."};
          fields_.push_back(std::move(field));
          skip_line();
          return true;
        }
      } else {
        while (!at_line_end(pos_) && text_[pos_] != separator_) field += text_[pos_++];
      }
      fields_.push_back(std::move(field));
      if (pos_ < n && text_[pos_] == separator_) {
        ++pos_;
        continue;
      }
      end_line();
      break;
    }
    const bool blank = std::all_of(fields_.begin(), fields_.end(),
                                   [](const std::string& f) { return trim(f).empty(); });
    if (!blank) return true;
  }
}

bool CensusReader::next(CensusRecord& record) {
  if (refusal_ || !next_fields()) return false;
  record.line = record_line_;
  record.identity = {};
  record.district_id = 0;
  record.error.reset();
  if (syntax_error_) {
    record.error = syntax_error_;
    return true;
  }
  if (fields_.size() != width_) {
    record.error = Text{fmt::format("This line has {} field{}; the header has {}.", fields_.size(),
                                    fields_.size() > 1 ? "s" : "", width_),
                        fmt::format("Cette ligne a {} champ{} ; l'en-tête en a {}.", fields_.size(),
                                    fields_.size() > 1 ? "s" : "", width_)};
    return true;
  }
  std::vector<Text> problems;
  Checked document = normalize_document_number(fields_[columns_[0]]);
  Checked birth = normalize_birth_date(fields_[columns_[1]], today_);
  Checked postal = normalize_postal_code(fields_[columns_[2]]);
  if (document.error) problems.push_back(*document.error);
  if (birth.error) problems.push_back(*birth.error);
  if (postal.error) problems.push_back(*postal.error);
  const std::string_view slug_text = trim(fields_[columns_[3]]);
  if (slug_text.empty()) {
    problems.push_back({"District: missing.", "Quartier : manquant."});
  } else if (const auto found = districts_.find(lower(slug_text)); found != districts_.end()) {
    record.district_id = found->second;
  } else {
    problems.push_back(
        {fmt::format("District: no district has the identifier {} (see the districts page).",
                     quoted_en(slug_text)),
         fmt::format("Quartier : aucun quartier n'a l'identifiant {} (voir la page des quartiers).",
                     quoted_fr(slug_text))});
  }
  if (!problems.empty()) {
    record.error = join(problems);
    return true;
  }
  record.identity = {std::move(document.value), std::move(birth.value), std::move(postal.value)};
  return true;
}

CensusCheck check_census(std::string_view text, const DistrictIndex& districts,
                         chr::year_month_day today, std::size_t max_errors) {
  CensusCheck check;
  CensusReader reader(text, districts, today);
  check.refusal = reader.refusal();
  if (check.refusal) return check;
  // Document number → the line that first had it.
  std::unordered_map<std::string, std::size_t> seen;
  CensusRecord record;
  while (reader.next(record)) {
    ++check.records;
    std::optional<Text> error = record.error;
    if (!error) {
      const auto [first, inserted] = seen.emplace(record.identity.document_number, record.line);
      if (!inserted)
        error =
            Text{fmt::format("Duplicates line {} (same document number).", first->second),
                 fmt::format("Doublon de la ligne {} (même numéro de document).", first->second)};
    }
    check.bad.push_back(error.has_value());
    if (!error) continue;
    ++check.error_count;
    if (check.errors.size() < max_errors) check.errors.push_back({record.line, std::move(*error)});
  }
  return check;
}

}  // namespace fabrique::residency
