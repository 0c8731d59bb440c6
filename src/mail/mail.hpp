// Outgoing mail: what a capability queues. The outbox is a table, so a mail
// is queued in the same transaction as the action that causes it, and is
// sent (by MailSender, sender.hpp) if and only if that action commits.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "core/lang.hpp"
#include "store/store.hpp"

namespace fabrique::mail {

struct Mail {
  std::string recipient;  // one address, "name@example.org" (no display name)
  std::string subject;    // UTF-8, one line
  std::string body;       // plain text, UTF-8; line ends are normalised to CRLF on the wire
};

// A mail or a setting that cannot be used, in both languages. Copyable, so it
// can travel as a value; what() is the English text.
class MailError : public std::runtime_error {
 public:
  explicit MailError(Text text) : std::runtime_error(text.en), text_(std::move(text)) {}
  const Text& text() const { return text_; }

 private:
  Text text_;
};

// Why `mail` cannot be queued, or nullopt when it can: the recipient must be
// one plausible ASCII address; recipient and subject must not contain CR, LF
// or other control characters (header injection); subject and body must be
// valid UTF-8 without NUL.
std::optional<Text> check(const Mail& mail);

// True when `address` is one plausible address: dot-atom local part, "@",
// a domain of letters, digits and hyphens with at least one dot (or
// "localhost", for demos), at most 254 characters.
bool plausible_address(std::string_view address);

// Queues `mail` on `connection`. Call it inside the transaction of the
// action that causes the mail: it is then queued if and only if that
// transaction commits. Throws MailError (and queues nothing) when check()
// refuses the mail; store::StoreError when the database does.
void enqueue(store::Connection& connection, const Mail& mail);
// The same, with the queue time given (tests).
void enqueue(store::Connection& connection, const Mail& mail,
             std::chrono::system_clock::time_point now);

}  // namespace fabrique::mail
