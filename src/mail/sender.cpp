#include "mail/sender.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace fabrique::mail {

namespace {

using std::chrono::system_clock;

Mailbox from_or_throw(const std::string& from) {
  auto mailbox = parse_mailbox(from);
  if (!mailbox) {
    throw MailError(
        Text{"The sender address (from) is not a valid e-mail address.",
             "L’adresse d’expédition (from) n’est pas une adresse électronique valide."});
  }
  return *mailbox;
}

// "2024-01-02T15:04:05Z" -> "20240102T150405Z": fit for file names and ids.
std::string compact(std::string_view iso) {
  std::string out;
  for (char c : iso) {
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

std::string errno_text(const char* what, const std::filesystem::path& path) {
  return fmt::format("{} {}: {}", what, path.string(), std::strerror(errno));
}

// Keeps last_error to a size worth storing; cuts between UTF-8 characters.
std::string clip(std::string text) {
  constexpr std::size_t kMax = 1000;
  if (text.size() <= kMax) return text;
  std::size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0u) == 0x80u) --end;
  text.resize(end);
  return text;
}

std::string text_of(const store::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return {};
}

std::int64_t integer_of(const store::Value& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  return 0;
}

}  // namespace

// ---- FolderTransport

FolderTransport::FolderTransport(std::filesystem::path dir, std::string from)
    : dir_(std::move(dir)), from_(from_or_throw(from)) {}

void FolderTransport::deliver(const Mail& mail, std::string_view message_id) {
  const auto now = system_clock::now();
  std::string id;
  for (char c : message_id.substr(0, message_id.find('@'))) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    id += safe ? c : '_';
  }
  const std::string name = compact(iso8601(now)) + "-" + id + ".eml";
  const std::string message = format_message(mail, message_id, from_, now);

  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) {
    throw TransportError(fmt::format("cannot create {}: {}", dir_.string(), error.message()));
  }
  // A name of its own per writer: several senders may share the folder.
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path temporary =
      dir_ / fmt::format(".{}.{}.{}.tmp", name, ::getpid(), counter++);
  const std::filesystem::path final_path = dir_ / name;

  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw TransportError(errno_text("cannot create", temporary));
  auto fail = [&](const char* what) {
    const std::string text = errno_text(what, temporary);
    ::close(fd);
    ::unlink(temporary.c_str());
    throw TransportError(text);
  };
  std::size_t written = 0;
  while (written < message.size()) {
    const ssize_t n = ::write(fd, message.data() + written, message.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  // Synced before the rename: after a crash the .eml is whole or absent.
  if (::fsync(fd) != 0) fail("cannot sync");
  if (::close(fd) != 0) {
    const std::string text = errno_text("cannot close", temporary);
    ::unlink(temporary.c_str());
    throw TransportError(text);
  }
  if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
    const std::string text = errno_text("cannot rename into", final_path);
    ::unlink(temporary.c_str());
    throw TransportError(text);
  }
  // The rename itself is durable once the folder is synced.
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

// ---- make_transport

std::unique_ptr<Transport> make_transport(const MailSettings& settings) {
  if (!settings.smtp_url.empty()) return std::make_unique<SmtpTransport>(settings);
  if (settings.folder.empty()) {
    throw MailError(
        Text{"Mail settings: give an SMTP URL or a folder to write mail into.",
             "Réglages du courrier\u202f: indiquez une URL SMTP ou un dossier où écrire "
             "les messages."});
  }
  return std::make_unique<FolderTransport>(settings.folder, settings.from);
}

// ---- MailSender

struct MailSender::Claimed {
  std::int64_t id = 0;
  Mail mail;
  std::string created_at;
  std::string lease;  // the next_attempt_at this sender set when claiming
  std::int64_t attempts = 0;
};

namespace {

SenderOptions with_domain(SenderOptions options, const MailSettings& settings) {
  const Mailbox from = from_or_throw(settings.from);
  options.message_id_domain = from.address.substr(from.address.rfind('@') + 1);
  return options;
}

}  // namespace

MailSender::MailSender(store::Database& database, std::unique_ptr<Transport> transport,
                       SenderOptions options)
    : database_(database), transport_(std::move(transport)), options_(std::move(options)) {
  if (!transport_) throw std::invalid_argument("MailSender: no transport");
  // Zero would make a failing row due again at once, or let two senders take it.
  if (options_.lease.count() <= 0 || options_.first_backoff.count() <= 0 ||
      options_.max_backoff < options_.first_backoff || options_.max_attempts < 1 ||
      options_.batch < 1) {
    throw std::invalid_argument("MailSender: lease, backoffs, attempts and batch must be > 0");
  }
}

MailSender::MailSender(store::Database& database, const MailSettings& settings,
                       SenderOptions options)
    : MailSender(database, make_transport(settings), with_domain(std::move(options), settings)) {}

MailSender::~MailSender() { stop(); }

void MailSender::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void MailSender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  changed_.notify_all();
}

void MailSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  transport_->cancel();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

DeliveryReport MailSender::deliver_due_now() {
  auto connection = database_.connect();
  return deliver_due(*connection);
}

system_clock::time_point MailSender::now() const {
  return options_.clock ? options_.clock() : system_clock::now();
}

void MailSender::log(std::string_view line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << line << '\n';
  }
}

DeliveryReport MailSender::deliver_due(store::Connection& connection) {
  DeliveryReport report;
  while (!stopping_) {
    const auto claimed_at = now();
    const std::string now_text = iso8601(claimed_at);
    const std::string lease_text = iso8601(claimed_at + options_.lease);

    // Claim in a short transaction, deliver outside it: no lock is held
    // while a mail server takes its time. The conditional UPDATE is the
    // claim: of two senders that read the same row, only the first one's
    // UPDATE matches next_attempt_at (PostgreSQL re-checks it after waiting
    // for the other's row lock; SQLite runs one writer at a time).
    std::vector<Claimed> claimed;
    std::size_t seen = 0;
    connection.transaction([&](store::Connection& tx) {
      claimed.clear();
      const auto rows = tx.query(
          "SELECT id, recipient, subject, body, created_at, next_attempt_at, attempts "
          "FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 "
          "ORDER BY next_attempt_at, id LIMIT $2",
          {now_text, static_cast<std::int64_t>(options_.batch)});
      seen = rows.size();
      for (const auto& row : rows) {
        const std::int64_t id = integer_of(row.at(0));
        const std::int64_t changed = tx.execute(
            "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1 "
            "WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
            {lease_text, id, text_of(row.at(5))});
        if (changed != 1) continue;
        claimed.push_back(Claimed{id,
                                  Mail{text_of(row.at(1)), text_of(row.at(2)), text_of(row.at(3))},
                                  text_of(row.at(4)), lease_text, integer_of(row.at(6)) + 1});
      }
    });

    for (std::size_t i = 0; i < claimed.size(); ++i) {
      const Claimed& row = claimed[i];
      if (stopping_) {
        // Not attempted: due again at once, for whoever runs next.
        connection.execute(
            "UPDATE outbox SET next_attempt_at = $1, attempts = attempts - 1 "
            "WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
            {now_text, row.id, row.lease});
        continue;
      }
      if (row.attempts > options_.max_attempts) {
        // Only after attempts cut short by a crash or a lease that ran out.
        connection.execute(
            "UPDATE outbox SET next_attempt_at = $1, "
            "last_error = COALESCE(last_error, 'interrupted') "
            "WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL",
            {std::string(kGivenUp), row.id, row.lease});
        ++report.given_up;
        log(fmt::format("mail: outbox #{} given up after {} attempts", row.id, row.attempts - 1));
        continue;
      }

      // Stable across retries, so that a receiver can drop a duplicate.
      const std::string message_id =
          fmt::format("{}.{}@{}", row.id, compact(row.created_at), options_.message_id_domain);
      std::string error;
      bool permanent = false;
      bool failed = false;
      try {
        transport_->deliver(row.mail, message_id);
      } catch (const TransportError& e) {
        failed = true;
        error = e.what();
        permanent = e.permanent();
      } catch (const std::exception& e) {
        failed = true;
        error = e.what();
      }
      if (failed && error.empty()) error = "delivery failed";
      const auto done_at = now();
      if (!failed) {
        connection.execute("UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL",
                           {iso8601(done_at), row.id});
        ++report.sent;
        continue;
      }

      std::string next;
      if (stopping_) {
        next = iso8601(done_at);  // cancelled by stop(): retry at the next start
        ++report.failed;
      } else if (permanent || row.attempts >= options_.max_attempts) {
        // A refusal for good (no such mailbox) would be refused again.
        next = std::string(kGivenUp);
        ++report.given_up;
      } else {
        auto backoff = options_.first_backoff;
        for (std::int64_t k = 1; k < row.attempts && backoff < options_.max_backoff; ++k) {
          backoff *= 2;
        }
        next = iso8601(done_at + std::min(backoff, options_.max_backoff));
        ++report.failed;
      }
      connection.execute(
          "UPDATE outbox SET next_attempt_at = $1, last_error = $2 "
          "WHERE id = $3 AND next_attempt_at = $4 AND sent_at IS NULL",
          {next, clip(error), row.id, row.lease});
      // The id, not the address: the log is no place for personal data.
      log(fmt::format("mail: outbox #{} attempt {} of {} failed{}: {}", row.id, row.attempts,
                      options_.max_attempts,
                      permanent          ? ", refused for good, given up"
                      : next == kGivenUp ? ", given up"
                                         : ", next at " + next,
                      error));
    }
    if (seen < options_.batch) break;
  }
  return report;
}

std::chrono::milliseconds MailSender::until_next_due(store::Connection& connection) {
  const auto rows = connection.query(
      "SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL AND next_attempt_at < $1",
      {std::string(kGivenUp)});
  if (rows.empty()) return options_.poll;
  const auto next = parse_iso8601(text_of(rows.front().at(0)));
  if (!next) return options_.poll;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - now());
  return std::clamp(wait, std::chrono::milliseconds(0), options_.poll);
}

void MailSender::run() {
  std::unique_ptr<store::Connection> connection;
  while (!stopping_) {
    auto wait = options_.poll;
    try {
      if (!connection) connection = database_.connect();
      deliver_due(*connection);
      wait = until_next_due(*connection);
    } catch (const std::exception& e) {
      log(fmt::format("mail: the sender cannot read the outbox: {}", e.what()));
      connection.reset();  // reconnect next time
    }
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [this] { return woken_ || stopping_; });
    woken_ = false;
  }
}

}  // namespace fabrique::mail
