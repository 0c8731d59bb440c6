#include "mail/mail.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>

#include "core/text.hpp"
#include "core/time.hpp"

namespace fabrique::mail {

namespace {

// Limits that keep the outbox small and every header within RFC 5322's
// 998-octet lines once encoded; far above what the platform writes.
constexpr std::size_t kMaxSubject = 900;
constexpr std::size_t kMaxBody = 1024 * 1024;

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// Dot-separated non-empty parts, each made only of chars accepted by `ok`.
template <typename Ok>
bool dotted(std::string_view text, Ok ok, std::size_t* parts) {
  *parts = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = text.find('.', start);
    const std::string_view part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return false;
    for (char c : part) {
      if (!ok(c)) return false;
    }
    ++*parts;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Text error(std::string en, std::string fr) { return Text{std::move(en), std::move(fr)}; }

}  // namespace

bool plausible_address(std::string_view address) {
  if (address.size() > 254) return false;
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  std::size_t parts = 0;
  if (!dotted(local, is_atext, &parts)) return false;
  if (domain.size() > 253 || !dotted(domain, is_label_char, &parts)) return false;
  // Labels do not start or end with a hyphen.
  for (std::size_t i = 0; i < domain.size(); ++i) {
    if (domain[i] != '-') continue;
    if (i == 0 || i + 1 == domain.size() || domain[i - 1] == '.' || domain[i + 1] == '.')
      return false;
  }
  // "jean@gmailcom" is a typo far more often than an address.
  return parts >= 2 || domain == "localhost";
}

std::optional<Text> check(const Mail& mail) {
  if (has_line_break(mail.recipient)) {
    return error("The recipient contains a line break: refused (header injection).",
                 "Le destinataire contient un saut de ligne\u202f: refusé (injection d’en-tête).");
  }
  if (has_line_break(mail.subject)) {
    return error("The subject contains a line break: refused (header injection).",
                 "L’objet contient un saut de ligne\u202f: refusé (injection d’en-tête).");
  }
  if (!plausible_address(mail.recipient)) {
    return error("The recipient is not a single valid e-mail address.",
                 "Le destinataire n’est pas une adresse électronique valide et unique.");
  }
  if (has_control_characters(mail.subject)) {
    return error("The subject contains a control character.",
                 "L’objet contient un caractère de contrôle.");
  }
  if (!valid_utf8(mail.subject)) {
    return error("The subject is not valid UTF-8.", "L’objet n’est pas de l’UTF-8 valide.");
  }
  if (mail.subject.size() > kMaxSubject) {
    return error(fmt::format("The subject is longer than {} bytes.", kMaxSubject),
                 fmt::format("L’objet dépasse {} octets.", kMaxSubject));
  }
  if (mail.body.find('\0') != std::string::npos || !valid_utf8(mail.body)) {
    return error("The body is not valid UTF-8 text.",
                 "Le corps du message n’est pas du texte UTF-8 valide.");
  }
  if (mail.body.size() > kMaxBody) {
    return error(fmt::format("The body is longer than {} bytes.", kMaxBody),
                 fmt::format("Le corps du message dépasse {} octets.", kMaxBody));
  }
  return std::nullopt;
}

void enqueue(store::Connection& connection, const Mail& mail) {
  enqueue(connection, mail, std::chrono::system_clock::now());
}

void enqueue(store::Connection& connection, const Mail& mail,
             std::chrono::system_clock::time_point now) {
  if (auto problem = check(mail)) throw MailError(std::move(*problem));
  const std::string at = iso8601(now);
  connection.execute(
      "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {mail.recipient, mail.subject, mail.body, at, at});
}

}  // namespace fabrique::mail
