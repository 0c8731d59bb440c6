// Mail: the outbox (queued with the action's transaction), the message
// format, folder and SMTP delivery, retries with backoff, several senders on
// one database. Every test that touches the outbox runs on SQLite and on
// PostgreSQL (support/databases.hpp); SMTP against a fake server on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "mail/mail.hpp"
#include "mail/message.hpp"
#include "mail/sender.hpp"
#include "store/store.hpp"
#include "support/databases.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using fabrique::mail::DeliveryReport;
using fabrique::mail::FolderTransport;
using fabrique::mail::Mail;
using fabrique::mail::MailError;
using fabrique::mail::MailSender;
using fabrique::mail::MailSettings;
using fabrique::mail::SenderOptions;
using fabrique::mail::SmtpTransport;
using fabrique::mail::Transport;
using fabrique::store::Connection;
using fabrique::store::Database;
using Time = std::chrono::system_clock::time_point;

namespace {

// 2025-03-01T09:00:00Z
const Time kT0 = std::chrono::sys_days{std::chrono::year{2025} / 3 / 1} + 9h;

// A database of the test's own on each backend, and a scratch folder.
class MailTest : public fabrique::test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    dir_ = std::make_unique<fabrique::test::TempDir>("mail");
    db_ = fresh_database();
    c_ = db_->connect();
  }
  void TearDown() override {
    c_.reset();
    db_.reset();
    dir_.reset();
  }

  std::int64_t scalar(const std::string& sql) {
    return std::get<std::int64_t>(c_->query(sql).at(0).at(0));
  }
  std::int64_t queued() { return scalar("SELECT count(*) FROM outbox"); }
  // One column of the only outbox row, as text ("NULL" for NULL).
  std::string column(const std::string& name) {
    const auto rows = c_->query("SELECT " + name + " FROM outbox");
    EXPECT_EQ(rows.size(), 1u);
    const auto& value = rows.at(0).at(0);
    if (std::holds_alternative<std::nullptr_t>(value)) return "NULL";
    if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
    return std::get<std::string>(value);
  }

  std::unique_ptr<fabrique::test::TempDir> dir_;
  std::unique_ptr<fabrique::test::TestDatabase> db_;
  std::unique_ptr<Connection> c_;
};

Mail sample(const std::string& recipient = "alice@example.org") {
  return Mail{recipient, "Votre compte", "Bonjour,\nvoici le lien.\n"};
}

// Remembers what it delivered; fails the first `failures` deliveries.
class RecordingTransport final : public Transport {
 public:
  explicit RecordingTransport(int failures = 0) : failures_(failures) {}
  void deliver(const Mail& mail, std::string_view message_id) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (failures_ > 0) {
      --failures_;
      throw fabrique::mail::TransportError("server unavailable (" + std::to_string(calls_) + ")");
    }
    delivered_.push_back({mail, std::string(message_id)});
    changed_.notify_all();
  }
  std::size_t delivered() {
    std::lock_guard lock(mutex_);
    return delivered_.size();
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<std::pair<Mail, std::string>> all() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return delivered_.size() >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int failures_;
  int calls_ = 0;
  std::vector<std::pair<Mail, std::string>> delivered_;
};

// A transport that forwards to one shared RecordingTransport, so that two
// senders (each owning its transport) can be observed together.
class SharedTransport final : public Transport {
 public:
  explicit SharedTransport(RecordingTransport& target) : target_(target) {}
  void deliver(const Mail& mail, std::string_view message_id) override {
    target_.deliver(mail, message_id);
  }

 private:
  RecordingTransport& target_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string base64_decode(std::string_view text) {
  const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const auto v = digits.find(c);
    if (v == std::string::npos) throw std::runtime_error("bad base64");
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFFu);
    }
  }
  return out;
}

// A parsed message: unfolded headers by name, and the body.
struct Parsed {
  std::map<std::string, std::string> headers;
  std::vector<std::string> order;
  std::string body;
};

Parsed parse_message(const std::string& message) {
  // Every line ends with CRLF: no bare CR or LF anywhere.
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n') {
      EXPECT_TRUE(i > 0 && message[i - 1] == '\r') << "bare LF at " << i;
    }
    if (message[i] == '\r') {
      EXPECT_TRUE(i + 1 < message.size() && message[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  const std::size_t split = message.find("\r\n\r\n");
  EXPECT_NE(split, std::string::npos);
  Parsed parsed;
  parsed.body = message.substr(split + 4);
  std::string head = message.substr(0, split + 2);
  std::string name;
  std::size_t start = 0;
  while (start < head.size()) {
    const std::size_t end = head.find("\r\n", start);
    const std::string line = head.substr(start, end - start);
    EXPECT_LE(line.size(), 998u);
    start = end + 2;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      parsed.headers[name] += line;  // unfolding: drop the CRLF, keep the space
      continue;
    }
    const std::size_t colon = line.find(": ");
    EXPECT_NE(colon, std::string::npos) << line;
    name = line.substr(0, colon);
    EXPECT_EQ(parsed.headers.count(name), 0u) << "duplicate " << name;
    parsed.headers[name] = line.substr(colon + 2);
    parsed.order.push_back(name);
  }
  return parsed;
}

// RFC 2047: encoded words (UTF-8, B) separated by white space, or plain text.
std::string decode_words(const std::string& value) {
  if (value.rfind("=?", 0) != 0) return value;
  std::string out;
  std::size_t at = 0;
  while (at < value.size()) {
    while (at < value.size() && value[at] == ' ') ++at;
    if (at == value.size()) break;
    const std::string prefix = "=?UTF-8?B?";
    EXPECT_EQ(value.compare(at, prefix.size(), prefix), 0) << value;
    const std::size_t end = value.find("?=", at + prefix.size());
    EXPECT_LE(end - at + 2, 75u);  // an encoded word is at most 75 characters
    out += base64_decode(value.substr(at + prefix.size(), end - at - prefix.size()));
    at = end + 2;
  }
  return out;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  return files;
}

// ---- Queuing

TEST_P(MailTest, OutboxEnqueueFollowsTheCallersTransaction) {
  EXPECT_THROW(c_->transaction([&](Connection& tx) {
    tx.execute("INSERT INTO settings (name, value) VALUES ('x', 'y')");
    fabrique::mail::enqueue(tx, sample());
    throw std::runtime_error("the action fails after queuing its mail");
  }),
               std::runtime_error);
  EXPECT_EQ(queued(), 0);

  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample(), kT0); });
  EXPECT_EQ(queued(), 1);
  EXPECT_EQ(column("recipient"), "alice@example.org");
  EXPECT_EQ(column("created_at"), "2025-03-01T09:00:00Z");
  EXPECT_EQ(column("next_attempt_at"), "2025-03-01T09:00:00Z");
  EXPECT_EQ(column("attempts"), "0");
  EXPECT_EQ(column("sent_at"), "NULL");
}

TEST_P(MailTest, OutboxRefusesHeaderInjectionAndQueuesNothing) {
  const std::vector<Mail> bad = {
      {"alice@example.org\r\nBcc: everyone@example.org", "Hi", "body"},
      {"alice@example.org\nBcc: everyone@example.org", "Hi", "body"},
      {"alice@example.org", "Hi\r\nBcc: everyone@example.org", "body"},
      {"alice@example.org", "Hi\rthere", "body"},
      {"alice@example.org", "Hi\tthere", "body"},
      {"alice@example.org, bob@example.org", "Hi", "body"},
      {"Alice <alice@example.org>", "Hi", "body"},
      {"alice", "Hi", "body"},
      {"", "Hi", "body"},
      {"alice@example.org", "Caf\xC3", "body"},             // cut UTF-8
      {"alice@example.org", "Hi", std::string("a\0b", 3)},  // NUL
      {"alice@example.org", "Hi", "\xFF"},
  };
  for (const Mail& mail : bad) {
    SCOPED_TRACE(mail.recipient + " / " + mail.subject);
    try {
      c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, mail); });
      ADD_FAILURE() << "accepted";
    } catch (const MailError& e) {
      EXPECT_FALSE(e.text().en.empty());
      EXPECT_FALSE(e.text().fr.empty());
      EXPECT_STREQ(e.what(), e.text().en.c_str());
    }
    EXPECT_TRUE(fabrique::mail::check(mail).has_value());
  }
  EXPECT_EQ(queued(), 0);

  // Both languages say why.
  const auto why = fabrique::mail::check(bad[0]);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->en.find("header injection"), std::string::npos) << why->en;
  EXPECT_NE(why->fr.find("injection d’en-tête"), std::string::npos) << why->fr;
}

TEST(MailAddress, PlausibleAddresses) {
  using fabrique::mail::plausible_address;
  for (const char* good : {"alice@example.org", "a.b+tag@sub.example.fr", "x@localhost",
                           "o'neil@example.ie", "user_1@my-host.example"}) {
    EXPECT_TRUE(plausible_address(good)) << good;
  }
  for (const char* bad :
       {"", "alice", "@example.org", "alice@", "alice@@example.org", "al ice@example.org",
        "alice@example", "alice@exa mple.org", ".alice@example.org", "alice.@example.org",
        "a..b@example.org", "alice@-example.org", "alice@example-.org", "alice@example..org",
        "\"alice\"@example.org", "alice@[127.0.0.1]", "alice@exämple.org", "élise@example.org",
        "<alice@example.org>"}) {
    EXPECT_FALSE(plausible_address(bad)) << bad;
  }
  EXPECT_FALSE(plausible_address(std::string(65, 'a') + "@example.org"));
  EXPECT_TRUE(plausible_address(std::string(64, 'a') + "@example.org"));
}

TEST(MailTime, UtcTextRoundTrips) {
  EXPECT_EQ(fabrique::iso8601(kT0 + 3723s + 500ms), "2025-03-01T10:02:03Z");
  EXPECT_EQ(fabrique::parse_iso8601("2025-03-01T10:02:03Z"), kT0 + 3723s);
  // Past the end of system_clock: refused rather than overflowing.
  EXPECT_FALSE(fabrique::parse_iso8601(fabrique::mail::kGivenUp).has_value());
  EXPECT_TRUE(fabrique::parse_iso8601("2262-01-01T00:00:00Z").has_value());
  for (const char* bad : {"2025-02-30T00:00:00Z", "2025-03-01 10:02:03Z", "2025-03-01T24:00:00Z",
                          "2025-03-01T10:02:03", ""}) {
    EXPECT_FALSE(fabrique::parse_iso8601(bad).has_value()) << bad;
  }
}

// ---- The message

TEST(MailMessage, HeadersBodyAndEncodedSubject) {
  const std::string subject =
      "Votre projet «\u202fJardins partagés\u202f» est reçu ✓ — merci\u202f!";
  const Mail mail{"alice@example.org", subject, "Bonjour Élise,\nligne 2\r\n.point\rfin"};
  const auto from = fabrique::mail::parse_mailbox("Ville de Sèvres <no-reply@sevres.example>");
  ASSERT_TRUE(from.has_value());
  const std::string message =
      fabrique::mail::format_message(mail, "42.20250301T090000Z@sevres.example", *from, kT0);
  const Parsed parsed = parse_message(message);

  const std::vector<std::string> expected = {
      "Date",          "From",         "To",           "Subject",
      "Message-ID",    "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
      "Auto-Submitted"};
  EXPECT_EQ(parsed.order, expected);
  EXPECT_EQ(parsed.headers.at("Date"), "Sat, 01 Mar 2025 09:00:00 +0000");
  EXPECT_EQ(parsed.headers.at("To"), "alice@example.org");
  EXPECT_EQ(parsed.headers.at("Message-ID"), "<42.20250301T090000Z@sevres.example>");
  EXPECT_EQ(parsed.headers.at("MIME-Version"), "1.0");
  EXPECT_EQ(parsed.headers.at("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(parsed.headers.at("Content-Transfer-Encoding"), "8bit");
  // Non-ASCII header text travels as encoded words, and decodes back.
  EXPECT_EQ(parsed.headers.at("Subject").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_EQ(decode_words(parsed.headers.at("Subject")), subject);
  const std::string& from_header = parsed.headers.at("From");
  ASSERT_NE(from_header.find(" <no-reply@sevres.example>"), std::string::npos) << from_header;
  EXPECT_EQ(decode_words(from_header.substr(0, from_header.find(" <"))), "Ville de Sèvres");
  for (const auto& [name, value] : parsed.headers) {
    EXPECT_EQ(value.find_first_of("\r\n"), std::string::npos);
  }
  // Headers are 7-bit; the body is the UTF-8 text with CRLF line ends.
  for (char c : message.substr(0, message.find("\r\n\r\n"))) {
    EXPECT_TRUE(c == '\r' || c == '\n' || (c >= 0x20 && c < 0x7F)) << static_cast<int>(c);
  }
  EXPECT_EQ(parsed.body, "Bonjour Élise,\r\nligne 2\r\n.point\r\nfin\r\n");
}

TEST(MailMessage, PlainAsciiSubjectAndLongLines) {
  const auto from = fabrique::mail::parse_mailbox("no-reply@example.org");
  ASSERT_TRUE(from.has_value());
  // Long ASCII subjects are folded at spaces, not encoded.
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "word" + std::to_string(i) + " ";
  subject += "end";
  const Mail mail{"bob@example.org", subject, std::string(1200, 'x') + "\n\xC3\xA9=\n"};
  const std::string message = fabrique::mail::format_message(mail, "1.x@example.org", *from, kT0);
  const Parsed parsed = parse_message(message);
  EXPECT_EQ(parsed.headers.at("From"), "no-reply@example.org");
  EXPECT_EQ(parsed.headers.at("Subject"), subject);  // unfolded
  const std::string head = message.substr(0, message.find("\r\n\r\n") + 2);
  EXPECT_NE(head.find("\r\n word"), std::string::npos) << head;  // folded
  for (std::size_t at = 0; at < head.size();) {
    const std::size_t end = head.find("\r\n", at);
    EXPECT_LE(end - at, 78u) << head.substr(at, end - at);
    at = end + 2;
  }
  // A line past 998 octets cannot go as 8bit: quoted-printable instead.
  EXPECT_EQ(parsed.headers.at("Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_NE(parsed.body.find("=C3=A9=3D\r\n"), std::string::npos);
  std::string unsoftened;  // soft line breaks removed
  for (std::size_t i = 0; i < parsed.body.size(); ++i) {
    if (parsed.body.compare(i, 3, "=\r\n") == 0) {
      i += 2;
      continue;
    }
    unsoftened += parsed.body[i];
  }
  EXPECT_EQ(unsoftened.substr(0, 1202), std::string(1200, 'x') + "\r\n");
  // An ASCII subject that looks like an encoded word is encoded, not trusted.
  EXPECT_EQ(fabrique::mail::encode_header_text("=?UTF-8?B?QQ==?=", 9).rfind("=?UTF-8?B?", 0), 0u);
}

TEST(MailMessage, Mailboxes) {
  using fabrique::mail::parse_mailbox;
  EXPECT_EQ(parse_mailbox("Fabrique <no-reply@localhost>")->display, "Fabrique");
  EXPECT_EQ(parse_mailbox("Fabrique <no-reply@localhost>")->address, "no-reply@localhost");
  EXPECT_EQ(parse_mailbox("\"Mairie, accueil\" <a@example.org>")->display, "Mairie, accueil");
  EXPECT_EQ(parse_mailbox("a@example.org")->display, "");
  EXPECT_FALSE(parse_mailbox("Fabrique <not an address>").has_value());
  EXPECT_FALSE(parse_mailbox("Evil\r\nBcc: x@example.org <a@example.org>").has_value());
}

// ---- Folder delivery

TEST_P(MailTest, MailFolderDeliveryWritesAParseableMessage) {
  const std::string subject = "Réinitialisation du mot de passe — Fabrique";
  c_->transaction([&](Connection& tx) {
    fabrique::mail::enqueue(tx,
                            {"alice@example.org", subject, "Suivez ce lien\u202f: https://x/r\n"});
  });
  const fs::path folder = *dir_ / "mail";
  MailSettings settings;
  settings.folder = folder.string();
  settings.from = "Mairie de Test <mairie@test.example>";
  MailSender sender(*db_, settings);
  const DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.sent, 1u);
  EXPECT_EQ(report.failed, 0u);

  const auto files = files_in(folder);
  ASSERT_EQ(files.size(), 1u);  // no temporary file left behind
  const std::string name = files[0].filename().string();
  EXPECT_EQ(files[0].extension(), ".eml");
  EXPECT_EQ((fs::status(files[0]).permissions() & fs::perms::all),
            fs::perms::owner_read | fs::perms::owner_write);

  const Parsed parsed = parse_message(read_file(files[0]));
  EXPECT_EQ(decode_words(parsed.headers.at("Subject")), subject);
  EXPECT_EQ(parsed.headers.at("To"), "alice@example.org");
  EXPECT_EQ(parsed.headers.at("From"), "Mairie de Test <mairie@test.example>");
  EXPECT_EQ(parsed.headers.at("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(parsed.headers.at("Content-Transfer-Encoding"), "8bit");
  EXPECT_EQ(parsed.headers.at("MIME-Version"), "1.0");
  EXPECT_TRUE(parsed.headers.count("Date"));
  const std::string id = parsed.headers.at("Message-ID");
  EXPECT_EQ(id.front(), '<');
  EXPECT_NE(id.find("@test.example>"), std::string::npos) << id;
  // The file is named <timestamp>-<id>.eml after the Message-ID.
  EXPECT_NE(name.find("-" + id.substr(1, id.find('@') - 1) + ".eml"), std::string::npos) << name;
  EXPECT_EQ(parsed.body, "Suivez ce lien\u202f: https://x/r\r\n");
  EXPECT_NE(column("sent_at"), "NULL");
}

TEST(MailSettingsTest, TransportFromSettings) {
  MailSettings settings;
  EXPECT_THROW(fabrique::mail::make_transport(settings), MailError);  // nowhere to deliver
  settings.folder = "mail";
  EXPECT_NE(dynamic_cast<FolderTransport*>(fabrique::mail::make_transport(settings).get()),
            nullptr);
  settings.smtp_url = "smtp://127.0.0.1:2525";
  EXPECT_NE(dynamic_cast<SmtpTransport*>(fabrique::mail::make_transport(settings).get()), nullptr);
  settings.smtp_url = "http://127.0.0.1/";
  EXPECT_THROW(fabrique::mail::make_transport(settings), MailError);
  settings.smtp_url = "";
  settings.from = "Fabrique";
  EXPECT_THROW(fabrique::mail::make_transport(settings), MailError);
}

// ---- The sender: marking, retries, concurrency

TEST_P(MailTest, OutboxDeliveredRowsAreMarkedAndNotSentTwice) {
  c_->transaction([&](Connection& tx) {
    fabrique::mail::enqueue(tx, sample("a@example.org"), kT0);
    fabrique::mail::enqueue(tx, sample("b@example.org"), kT0 + 1s);
    fabrique::mail::enqueue(tx, sample("later@example.org"), kT0 + 1h);  // not due yet
  });
  auto transport = std::make_unique<RecordingTransport>();
  RecordingTransport& seen = *transport;
  Time now = kT0 + 10s;
  SenderOptions options;
  options.clock = [&] { return now; };
  MailSender sender(*db_, std::move(transport), options);

  DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.sent, 2u);
  ASSERT_EQ(seen.delivered(), 2u);
  EXPECT_EQ(seen.all()[0].first.recipient, "a@example.org");  // oldest first
  EXPECT_EQ(seen.all()[1].first.recipient, "b@example.org");
  EXPECT_EQ(seen.all()[0].second, "1.20250301T090000Z@localhost");
  EXPECT_EQ(scalar("SELECT count(*) FROM outbox WHERE sent_at = '2025-03-01T09:00:10Z' "
                   "AND attempts = 1 AND last_error IS NULL"),
            2);

  report = sender.deliver_due_now();
  EXPECT_EQ(report.sent, 0u);
  EXPECT_EQ(seen.delivered(), 2u);

  now = kT0 + 2h;
  EXPECT_EQ(sender.deliver_due_now().sent, 1u);
  EXPECT_EQ(sender.deliver_due_now().sent, 0u);
  EXPECT_EQ(seen.delivered(), 3u);
  EXPECT_EQ(scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL"), 0);
}

TEST_P(MailTest, OutboxFailingTransportBacksOffThenSucceeds) {
  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample(), kT0); });
  auto transport = std::make_unique<RecordingTransport>(2);
  RecordingTransport& seen = *transport;
  Time now = kT0;
  std::vector<std::string> logged;
  SenderOptions options;
  options.clock = [&] { return now; };
  options.log = [&](std::string_view line) { logged.emplace_back(line); };
  MailSender sender(*db_, std::move(transport), options);

  DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(report.sent, 0u);
  EXPECT_EQ(column("last_error"), "server unavailable (1)");
  EXPECT_EQ(column("attempts"), "1");
  EXPECT_EQ(column("next_attempt_at"), "2025-03-01T09:01:00Z");  // first backoff: 60 s
  EXPECT_EQ(column("sent_at"), "NULL");
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("outbox #1"), std::string::npos) << logged[0];
  EXPECT_EQ(logged[0].find("alice@"), std::string::npos) << "no address in the log";

  now = kT0 + 30s;  // not due yet
  report = sender.deliver_due_now();
  EXPECT_EQ(report.sent + report.failed, 0u);
  EXPECT_EQ(seen.calls(), 1);

  now = kT0 + 60s;
  EXPECT_EQ(sender.deliver_due_now().failed, 1u);
  EXPECT_EQ(column("last_error"), "server unavailable (2)");
  EXPECT_EQ(column("next_attempt_at"), "2025-03-01T09:03:00Z");  // doubled: 120 s

  now = kT0 + 180s;
  EXPECT_EQ(sender.deliver_due_now().sent, 1u);
  EXPECT_EQ(column("sent_at"), "2025-03-01T09:03:00Z");
  EXPECT_EQ(column("attempts"), "3");
  EXPECT_EQ(seen.delivered(), 1u);
  now = kT0 + 10h;
  EXPECT_EQ(sender.deliver_due_now().sent, 0u);
  EXPECT_EQ(seen.calls(), 3);
}

TEST_P(MailTest, OutboxBackoffIsCappedAndGivesUp) {
  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample(), kT0); });
  auto transport = std::make_unique<RecordingTransport>(1000);
  RecordingTransport& seen = *transport;
  Time now = kT0;
  SenderOptions options;
  options.clock = [&] { return now; };
  options.log = [](std::string_view) {};
  options.first_backoff = 1000s;
  options.max_backoff = 1500s;
  options.max_attempts = 3;
  MailSender sender(*db_, std::move(transport), options);

  EXPECT_EQ(sender.deliver_due_now().failed, 1u);
  EXPECT_EQ(column("next_attempt_at"), fabrique::iso8601(kT0 + 1000s));
  now = kT0 + 1000s;
  EXPECT_EQ(sender.deliver_due_now().failed, 1u);
  EXPECT_EQ(column("next_attempt_at"), fabrique::iso8601(now + 1500s));  // capped
  now += 1500s;
  const DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.given_up, 1u);
  EXPECT_EQ(report.failed, 0u);
  EXPECT_EQ(column("next_attempt_at"), std::string(fabrique::mail::kGivenUp));
  EXPECT_EQ(column("attempts"), "3");
  EXPECT_EQ(column("last_error"), "server unavailable (3)");
  EXPECT_EQ(column("sent_at"), "NULL");
  now += 1000h;
  EXPECT_EQ(sender.deliver_due_now().given_up, 0u);
  EXPECT_EQ(seen.calls(), 3);
}

TEST_P(MailTest, OutboxAttemptCutShortByACrashCountsTowardsGivingUp) {
  // As if a sender had claimed the row for its last attempt and died.
  c_->execute(
      "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at, attempts) "
      "VALUES ('a@example.org', 's', 'b', '2025-03-01T09:00:00Z', '2025-03-01T09:10:00Z', 2)");
  auto transport = std::make_unique<RecordingTransport>();
  RecordingTransport& seen = *transport;
  Time now = kT0 + 1h;
  SenderOptions options;
  options.clock = [&] { return now; };
  options.log = [](std::string_view) {};
  options.max_attempts = 2;
  MailSender sender(*db_, std::move(transport), options);
  EXPECT_EQ(sender.deliver_due_now().given_up, 1u);
  EXPECT_EQ(seen.calls(), 0);
  EXPECT_EQ(column("next_attempt_at"), std::string(fabrique::mail::kGivenUp));
  EXPECT_EQ(column("last_error"), "interrupted");
}

TEST_P(MailTest, OutboxTwoSendersDeliverEachMailOnce) {
  constexpr int kMails = 120;
  c_->transaction([&](Connection& tx) {
    for (int i = 0; i < kMails; ++i) {
      fabrique::mail::enqueue(tx, sample("user" + std::to_string(i) + "@example.org"), kT0);
    }
  });
  RecordingTransport shared;
  SenderOptions options;
  options.batch = 7;  // many small claims, so that the two interleave
  MailSender first(*db_, std::make_unique<SharedTransport>(shared), options);
  auto other_db = fabrique::store::open(db_->url());  // as a second server would
  MailSender second(*other_db, std::make_unique<SharedTransport>(shared), options);

  DeliveryReport a, b;
  std::thread one([&] { a = first.deliver_due_now(); });
  std::thread two([&] { b = second.deliver_due_now(); });
  one.join();
  two.join();
  EXPECT_EQ(a.sent + b.sent, static_cast<std::size_t>(kMails));
  std::set<std::string> recipients;
  for (const auto& [mail, id] : shared.all()) recipients.insert(mail.recipient);
  EXPECT_EQ(shared.delivered(), static_cast<std::size_t>(kMails));
  EXPECT_EQ(recipients.size(), static_cast<std::size_t>(kMails));
  EXPECT_EQ(scalar("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1"),
            kMails);
}

TEST_P(MailTest, MailSenderThreadDeliversOnWakeAndStopsPromptly) {
  auto transport = std::make_unique<RecordingTransport>();
  RecordingTransport& seen = *transport;
  SenderOptions options;
  options.poll = std::chrono::hours(1);  // only wake() can make it look in time
  MailSender sender(*db_, std::move(transport), options);
  sender.start();
  std::this_thread::sleep_for(50ms);  // let it find the empty outbox and wait
  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample()); });
  sender.wake();
  EXPECT_TRUE(seen.wait_for(1, 10s));

  const auto before = std::chrono::steady_clock::now();
  sender.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
  sender.stop();  // idempotent
  EXPECT_NE(column("sent_at"), "NULL");
}

// ---- SMTP

// Just enough of an SMTP server on 127.0.0.1 for libcurl: greeting, EHLO,
// MAIL, RCPT, DATA (with dot-unstuffing), QUIT. Records what it receives.
class FakeSmtpServer {
 public:
  struct Options {
    int rcpt_reply = 250;
    bool silent = false;  // accept, then never greet
  };

  explicit FakeSmtpServer(Options options) : options_(options) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listener_ < 0) throw std::runtime_error("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(listener_);
      throw std::runtime_error("bind");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSmtpServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  unsigned short port() const { return port_; }
  std::vector<std::string> commands() {
    std::lock_guard lock(mutex_);
    return commands_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  // Waits for input, checking stop_ now and then; false when stopping or closed.
  bool readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      const int n = ::poll(&p, 1, 50);
      if (n > 0) return true;
      if (n < 0) return false;
    }
    return false;
  }

  bool read_line(int fd, std::string& buffer, std::string& line) {
    for (;;) {
      const std::size_t end = buffer.find("\r\n");
      if (end != std::string::npos) {
        line = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        return true;
      }
      if (!readable(fd)) return false;
      char chunk[4096];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }

  static void send_all(int fd, const std::string& text) {
    std::size_t sent = 0;
    while (sent < text.size()) {
      const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  void serve() {
    while (!stop_) {
      if (!readable(listener_)) return;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      if (!options_.silent) converse(fd);
      while (options_.silent && readable(fd)) {
        char chunk[256];
        if (::recv(fd, chunk, sizeof chunk, 0) <= 0) break;
      }
      ::close(fd);
    }
  }

  void converse(int fd) {
    std::string buffer, line;
    send_all(fd, "220 fake.test ESMTP\r\n");
    while (read_line(fd, buffer, line)) {
      {
        std::lock_guard lock(mutex_);
        commands_.push_back(line);
      }
      const std::string verb = line.substr(0, 4);
      if (verb == "EHLO" || verb == "HELO") {
        send_all(fd, "250-fake.test\r\n250 8BITMIME\r\n");
      } else if (verb == "MAIL") {
        send_all(fd, "250 OK\r\n");
      } else if (verb == "RCPT") {
        send_all(fd, options_.rcpt_reply == 250 ? "250 OK\r\n"
                     : options_.rcpt_reply >= 500
                         ? std::to_string(options_.rcpt_reply) + " 5.1.1 no such user\r\n"
                         : std::to_string(options_.rcpt_reply) + " 4.2.1 mailbox busy\r\n");
      } else if (verb == "DATA") {
        send_all(fd, "354 go ahead\r\n");
        std::string message;
        while (read_line(fd, buffer, line) && line != ".") {
          if (!line.empty() && line[0] == '.') line.erase(0, 1);  // dot-unstuffing
          message += line + "\r\n";
        }
        {
          std::lock_guard lock(mutex_);
          messages_.push_back(message);
        }
        send_all(fd, "250 queued\r\n");
      } else if (verb == "QUIT") {
        send_all(fd, "221 bye\r\n");
        return;
      } else if (verb == "RSET" || verb == "NOOP") {
        send_all(fd, "250 OK\r\n");
      } else {
        send_all(fd, "502 not implemented\r\n");
      }
    }
  }

  Options options_;
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> commands_;
  std::vector<std::string> messages_;
};

MailSettings smtp_settings(unsigned short port) {
  MailSettings settings;
  settings.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
  settings.from = "Fabrique <no-reply@fabrique.test>";
  return settings;
}

TEST_P(MailTest, MailSmtpDeliversToAServer) {
  FakeSmtpServer server({});
  const std::string subject = "Bienvenue à Fabrique";
  c_->transaction([&](Connection& tx) {
    fabrique::mail::enqueue(tx, {"alice@example.org", subject, "Bonjour,\n.ligne à point\nfin"});
  });
  MailSender sender(*db_, smtp_settings(server.port()));
  const DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.sent, 1u) << column("last_error");
  EXPECT_NE(column("sent_at"), "NULL");

  const auto commands = server.commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "MAIL FROM:<no-reply@fabrique.test>"),
            commands.end());
  EXPECT_NE(std::find(commands.begin(), commands.end(), "RCPT TO:<alice@example.org>"),
            commands.end());
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 1u);
  const Parsed parsed = parse_message(messages[0]);
  EXPECT_EQ(decode_words(parsed.headers.at("Subject")), subject);
  EXPECT_EQ(parsed.headers.at("From"), "Fabrique <no-reply@fabrique.test>");
  EXPECT_EQ(parsed.headers.at("To"), "alice@example.org");
  EXPECT_EQ(parsed.headers.at("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(parsed.headers.at("Message-ID").find("@fabrique.test>"), std::string::npos);
  EXPECT_EQ(parsed.body, "Bonjour,\r\n.ligne à point\r\nfin\r\n");
}

// A 5xx refuses the message for good: retrying would be refused again.
TEST_P(MailTest, MailSmtpPermanentRejectionIsGivenUpAtOnce) {
  FakeSmtpServer server({.rcpt_reply = 550});
  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample()); });
  SenderOptions options;
  std::vector<std::string> lines;
  options.log = [&](std::string_view line) { lines.emplace_back(line); };
  MailSender sender(*db_, smtp_settings(server.port()), options);
  const DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.given_up, 1u);
  EXPECT_EQ(report.failed, 0u);
  EXPECT_EQ(column("sent_at"), "NULL");
  EXPECT_EQ(column("attempts"), "1");
  EXPECT_EQ(column("next_attempt_at"), std::string(fabrique::mail::kGivenUp));
  EXPECT_NE(column("last_error").find("550"), std::string::npos) << column("last_error");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("given up"), std::string::npos) << lines[0];
  EXPECT_TRUE(server.messages().empty());
  // Nothing is due any more: the server hears from us no more.
  const std::size_t conversations = server.commands().size();
  const DeliveryReport again = sender.deliver_due_now();
  EXPECT_EQ(again.sent + again.failed + again.given_up, 0u);
  EXPECT_EQ(server.commands().size(), conversations);
}

// A 4xx is temporary: the message is retried after the backoff.
TEST_P(MailTest, MailSmtpTemporaryRejectionIsRetried) {
  FakeSmtpServer server({.rcpt_reply = 450});
  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample()); });
  SenderOptions options;
  options.log = [](std::string_view) {};
  MailSender sender(*db_, smtp_settings(server.port()), options);
  const auto before = std::chrono::system_clock::now();
  const DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(report.given_up, 0u);
  EXPECT_EQ(column("sent_at"), "NULL");
  EXPECT_NE(column("last_error").find("450"), std::string::npos) << column("last_error");
  // Due again after the first backoff (a minute), not given up.
  EXPECT_GE(column("next_attempt_at"), fabrique::iso8601(before + options.first_backoff - 1s));
  EXPECT_LT(column("next_attempt_at"), std::string(fabrique::mail::kGivenUp));
}

// A network failure (nobody listening) is temporary too.
TEST_P(MailTest, MailSmtpUnreachableServerIsRetried) {
  unsigned short port = 0;
  { port = FakeSmtpServer({}).port(); }  // closed: the port now refuses connections
  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample()); });
  SenderOptions options;
  options.log = [](std::string_view) {};
  MailSender sender(*db_, smtp_settings(port), options);
  const DeliveryReport report = sender.deliver_due_now();
  EXPECT_EQ(report.failed, 1u);
  EXPECT_EQ(report.given_up, 0u);
  EXPECT_LT(column("next_attempt_at"), std::string(fabrique::mail::kGivenUp));
}

TEST_P(MailTest, MailSmtpStopCancelsADeliveryToASilentServer) {
  FakeSmtpServer server({.silent = true});
  c_->transaction([&](Connection& tx) { fabrique::mail::enqueue(tx, sample()); });
  SenderOptions options;
  options.log = [](std::string_view) {};
  MailSender sender(*db_, smtp_settings(server.port()), options);
  sender.start();
  std::this_thread::sleep_for(300ms);  // the thread is now waiting for a greeting
  const auto before = std::chrono::steady_clock::now();
  sender.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_EQ(column("sent_at"), "NULL");
  EXPECT_NE(column("last_error"), "NULL");
  // Due again at once, for the next start.
  EXPECT_LE(column("next_attempt_at"), fabrique::iso8601(std::chrono::system_clock::now()));
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(MailTest);

}  // namespace
