// The wire form of a mail: one RFC 5322 message, the same for every
// transport (a folder of .eml files or SMTP).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "mail/mail.hpp"

namespace fabrique::mail {

// A mailbox: "Name <address>" or a bare address.
struct Mailbox {
  std::string display;  // may be empty; UTF-8
  std::string address;
};

// Reads "Fabrique <no-reply@example.org>" or "no-reply@example.org";
// nullopt when the address is not plausible or the text has a control
// character.
std::optional<Mailbox> parse_mailbox(std::string_view text);

// A header value for unstructured text (Subject): as it is when printable
// ASCII, otherwise RFC 2047 encoded words (=?UTF-8?B?...?=), folded with
// CRLF SP so that lines stay short. `used` is the length of the line before
// the value ("Subject: " is 9).
std::string encode_header_text(std::string_view text, std::size_t used);

// "Tue, 02 Jan 2024 15:04:05 +0000" (RFC 5322 date-time, in UTC).
std::string rfc5322_date(std::chrono::system_clock::time_point time);

// The whole message, CRLF line ends: Date, From, To, Subject, Message-ID
// (`message_id` is put between angle brackets), MIME-Version, Content-Type
// text/plain; charset=utf-8, Content-Transfer-Encoding 8bit (or
// quoted-printable when a body line is too long for 8bit), Auto-Submitted,
// then the body.
std::string format_message(const Mail& mail, std::string_view message_id, const Mailbox& from,
                           std::chrono::system_clock::time_point date);

}  // namespace fabrique::mail
