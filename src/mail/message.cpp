#include "mail/message.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>

#include "core/text.hpp"

namespace fabrique::mail {

namespace {

// RFC 5322: lines SHOULD stay within 78 characters, MUST within 998.
constexpr std::size_t kFoldAt = 78;
constexpr std::size_t kMaxLine = 998;
// Bytes of UTF-8 per encoded word: 39 bytes are 52 base64 characters, so
// "Subject: =?UTF-8?B?...?=" fits in 78.
constexpr std::size_t kWordBytes = 39;

std::string base64(std::string_view bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += kDigits[(v >> 6) & 63];
    out += kDigits[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned v =
        static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += kDigits[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool printable_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// Printable ASCII folded at spaces so that lines stay within kFoldAt where
// the words allow it.
std::string fold_ascii(std::string_view text, std::size_t used) {
  std::string out;
  std::size_t line = used;
  std::size_t start = 0;
  while (start < text.size()) {
    // The next piece: leading spaces and one word.
    std::size_t end = start;
    while (end < text.size() && text[end] == ' ') ++end;
    while (end < text.size() && text[end] != ' ') ++end;
    const std::string_view piece = text.substr(start, end - start);
    if (line + piece.size() > kFoldAt && !out.empty() && piece.front() == ' ') {
      out += "\r\n";  // the piece's own leading space starts the continuation line
      line = 0;
    }
    out += piece;
    line += piece.size();
    start = end;
  }
  return out;
}

// Encoded words, each holding whole UTF-8 characters.
std::string encoded_words(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(start + kWordBytes, text.size());
    // Never split a character: back off to the start of the one cut.
    while (end < text.size() && end > start &&
           (static_cast<unsigned char>(text[end]) & 0xC0u) == 0x80u) {
      --end;
    }
    if (end == start) end = std::min(start + kWordBytes, text.size());  // not UTF-8; keep going
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// A display name as a phrase: atoms as they are, other ASCII quoted, the
// rest encoded.
std::string encode_display(std::string_view name) {
  if (!printable_ascii(name)) return encoded_words(name);
  bool atoms = true;
  for (char c : name) {
    const bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == ' ' ||
                       std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
    if (!atext) atoms = false;
  }
  if (atoms && name.find("=?") == std::string_view::npos) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// The body with every line end as CRLF, ending with one.
std::string crlf_lines(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 40 + 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

bool has_long_line(std::string_view crlf_text) {
  std::size_t start = 0;
  while (start < crlf_text.size()) {
    std::size_t end = crlf_text.find("\r\n", start);
    if (end == std::string_view::npos) end = crlf_text.size();
    if (end - start > kMaxLine) return true;
    start = end + 2;
  }
  return false;
}

// RFC 2045 quoted-printable of CRLF-terminated lines, soft breaks at 76.
std::string quoted_printable(std::string_view crlf_text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t start = 0;
  while (start < crlf_text.size()) {
    std::size_t end = crlf_text.find("\r\n", start);
    if (end == std::string_view::npos) end = crlf_text.size();
    std::size_t line = 0;
    for (std::size_t i = start; i < end; ++i) {
      const auto c = static_cast<unsigned char>(crlf_text[i]);
      const bool last = i + 1 == end;
      std::string piece;
      if (c == '=' || c >= 0x7F || (c < 0x20 && c != '\t') || ((c == ' ' || c == '\t') && last)) {
        piece = {'=', kHex[c >> 4], kHex[c & 15]};
      } else {
        piece = std::string(1, static_cast<char>(c));
      }
      if (line + piece.size() > 75) {
        out += "=\r\n";
        line = 0;
      }
      out += piece;
      line += piece.size();
    }
    out += "\r\n";
    start = end + 2;
  }
  return out;
}

}  // namespace

std::optional<Mailbox> parse_mailbox(std::string_view text) {
  if (has_control_characters(text)) return std::nullopt;
  text = trim(text, " ");
  Mailbox mailbox;
  if (!text.empty() && text.back() == '>') {
    const std::size_t open = text.rfind('<');
    if (open == std::string_view::npos) return std::nullopt;
    mailbox.address = std::string(text.substr(open + 1, text.size() - open - 2));
    std::string_view display = trim(text.substr(0, open), " ");
    if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
      display = display.substr(1, display.size() - 2);
    }
    if (display.find_first_of("\"\\") != std::string_view::npos) return std::nullopt;
    mailbox.display = std::string(display);
  } else {
    mailbox.address = std::string(text);
  }
  if (!plausible_address(mailbox.address)) return std::nullopt;
  return mailbox;
}

std::string encode_header_text(std::string_view text, std::size_t used) {
  if (printable_ascii(text) && text.find("=?") == std::string_view::npos) {
    return fold_ascii(text, used);
  }
  return encoded_words(text);
}

std::string rfc5322_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day date{day};
  const hh_mm_ss clock{secs - day};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[weekday{day}.c_encoding()],
                     static_cast<unsigned>(date.day()),
                     kMonths[static_cast<unsigned>(date.month()) - 1],
                     static_cast<int>(date.year()), clock.hours().count(), clock.minutes().count(),
                     clock.seconds().count());
}

std::string format_message(const Mail& mail, std::string_view message_id, const Mailbox& from,
                           std::chrono::system_clock::time_point date) {
  const std::string body = crlf_lines(mail.body);
  const bool qp = has_long_line(body);
  std::string from_header = from.address;
  if (!from.display.empty()) from_header = encode_display(from.display) + " <" + from.address + ">";

  std::string out;
  out.reserve(body.size() + 512);
  out += "Date: " + rfc5322_date(date) + "\r\n";
  out += "From: " + from_header + "\r\n";
  out += "To: " + mail.recipient + "\r\n";
  out += "Subject: " + encode_header_text(mail.subject, 9) + "\r\n";
  out += "Message-ID: <" + std::string(message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (qp ? "quoted-printable" : "8bit") + "\r\n";
  // RFC 3834: no vacation auto-replies to a machine's mail.
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += qp ? quoted_printable(body) : body;
  return out;
}

}  // namespace fabrique::mail
