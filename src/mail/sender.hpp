// Delivering the outbox: a Transport hands one message over (into a folder,
// or to an SMTP server); MailSender claims due rows from the outbox, delivers
// them, marks them sent, or backs off and retries.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "mail/mail.hpp"
#include "mail/message.hpp"
#include "store/store.hpp"

namespace fabrique::mail {

struct MailSettings {
  std::string from = "Fabrique <no-reply@localhost>";
  std::string folder;    // where FolderTransport writes, when smtp_url is empty
  std::string smtp_url;  // "smtp://host:587" or "smtps://host:465"; empty: folder delivery
  std::string smtp_user;
  std::string smtp_password;
  // Require STARTTLS on smtp://. Without it smtp:// stays in clear text (a
  // relay on the same host); smtps:// is TLS from the start either way.
  bool smtp_starttls = false;
};

// A delivery that failed; the message is what the outbox's last_error keeps.
// A permanent failure (an SMTP 5xx about this message: no such mailbox,
// refused content) is given up at once; any other is retried with backoff.
class TransportError : public std::runtime_error {
 public:
  explicit TransportError(const std::string& what, bool permanent = false)
      : std::runtime_error(what), permanent_(permanent) {}
  bool permanent() const { return permanent_; }

 private:
  bool permanent_;
};

// Hands one message over. deliver() may be called from several threads at
// once; it throws (TransportError or another std::exception) on failure.
class Transport {
 public:
  virtual ~Transport() = default;
  // `message_id` is the Message-ID without its angle brackets.
  virtual void deliver(const Mail& mail, std::string_view message_id) = 0;
  // Asks deliveries in progress to give up soon (MailSender::stop()).
  virtual void cancel() {}
};

// Writes each message to <dir>/<timestamp>-<id>.eml (a temporary file, synced
// and renamed into place, so a reader never sees half a message); creates
// the folder when missing. Files are readable by the owner only: they hold
// links that sign people in.
class FolderTransport final : public Transport {
 public:
  explicit FolderTransport(std::filesystem::path dir, std::string from = MailSettings{}.from);
  void deliver(const Mail& mail, std::string_view message_id) override;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  Mailbox from_;
};

// Sends through an SMTP server with libcurl: smtp:// (STARTTLS required
// when settings.smtp_starttls) or smtps://, authenticated when a user is
// given. Timeouts: 15 s to connect, 60 s in all.
class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(const MailSettings& settings);
  void deliver(const Mail& mail, std::string_view message_id) override;
  void cancel() override { cancelled_ = true; }

 private:
  MailSettings settings_;
  Mailbox from_;
  std::atomic<bool> cancelled_{false};
};

// SmtpTransport when settings.smtp_url is set, otherwise FolderTransport on
// settings.folder. Throws MailError when the from address is not plausible,
// the URL is not smtp:// or smtps://, or neither a URL nor a folder is given.
std::unique_ptr<Transport> make_transport(const MailSettings& settings);

struct SenderOptions {
  std::size_t batch = 20;                       // rows claimed per transaction
  std::chrono::seconds lease{600};              // a claimed row is hidden this long
  std::chrono::seconds first_backoff{60};       // after the first failure; doubles
  std::chrono::seconds max_backoff{3600};       // the doubling stops here
  int max_attempts = 10;                        // then the row is given up
  std::chrono::milliseconds poll{30'000};       // the thread looks anyway this often
  std::string message_id_domain = "localhost";  // right of the @ in Message-IDs
  // Both are called from the sender's thread and from deliver_due_now().
  std::function<std::chrono::system_clock::time_point()> clock;  // default: system_clock
  std::function<void(std::string_view)> log;  // one line per failure; default: stderr
};

// next_attempt_at of a row given up after options.max_attempts: never due.
// Such rows keep sent_at NULL and their last_error.
inline constexpr std::string_view kGivenUp = "9999-12-31T23:59:59Z";

struct DeliveryReport {
  std::size_t sent = 0;
  std::size_t failed = 0;    // will be retried
  std::size_t given_up = 0;  // after max_attempts, or at once when refused for good
};

// Delivers the outbox of `database` through `transport`. Several senders
// (in one process or on several servers sharing a database) may run at
// once: each row is claimed by one of them at a time.
class MailSender {
 public:
  MailSender(store::Database& database, std::unique_ptr<Transport> transport,
             SenderOptions options = {});
  // make_transport(settings), Message-IDs in the domain of settings.from.
  MailSender(store::Database& database, const MailSettings& settings, SenderOptions options = {});
  ~MailSender();  // stop()s
  MailSender(const MailSender&) = delete;
  MailSender& operator=(const MailSender&) = delete;

  // Starts the thread that delivers due mail as it comes due.
  void start();
  // Delivers promptly (call after committing an enqueue()).
  void wake();
  // Stops the thread: a delivery in progress is cancelled or finishes, the
  // rest of its batch is released for the next run. Idempotent.
  void stop();

  // Delivers what is due now, on the calling thread, with its own
  // connection (tests, a CLI command); nothing once stop() was called.
  // Throws store::StoreError.
  DeliveryReport deliver_due_now();

 private:
  struct Claimed;
  DeliveryReport deliver_due(store::Connection& connection);
  std::chrono::system_clock::time_point now() const;
  std::chrono::milliseconds until_next_due(store::Connection& connection);
  void run();
  void log(std::string_view line) const;

  store::Database& database_;
  std::unique_ptr<Transport> transport_;
  SenderOptions options_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool woken_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace fabrique::mail
