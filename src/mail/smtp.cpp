// SmtpTransport (sender.hpp) on libcurl's easy interface: one connection per
// message, which is plenty for a platform's notifications.
#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "mail/sender.hpp"

namespace fabrique::mail {

namespace {

constexpr long kConnectTimeoutSeconds = 15;
constexpr long kTotalTimeoutSeconds = 60;

void global_init() {
  // curl_global_init is not thread-safe everywhere: once per process.
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw TransportError("smtp: libcurl could not be initialised");
    }
  });
}

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

size_t read_message(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t room = size * count;
  const std::size_t left = upload->data->size() - upload->offset;
  const std::size_t n = left < room ? left : room;
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  // Non-zero aborts the transfer: how stop() interrupts a slow server.
  return static_cast<std::atomic<bool>*>(user)->load() ? 1 : 0;
}

// A 5xx reply refuses this message for good (RFC 5321 4.2.1: do not send it
// again as is): no such mailbox, content refused. Except the replies about
// our own credentials (RFC 4954: 530, 534, 535, 538): those say the settings
// are wrong, which a fix makes right for every waiting message, so they are
// retried like a network failure.
bool refused_for_good(CURLcode result, long code) {
  if (code < 500 || code > 599 || result == CURLE_LOGIN_DENIED) return false;
  return code != 530 && code != 534 && code != 535 && code != 538;
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

SmtpTransport::SmtpTransport(const MailSettings& settings) : settings_(settings) {
  const auto from = parse_mailbox(settings.from);
  if (!from) {
    throw MailError(
        Text{"The sender address (from) is not a valid e-mail address.",
             "L’adresse d’expédition (from) n’est pas une adresse électronique valide."});
  }
  from_ = *from;
  if (!starts_with(settings.smtp_url, "smtp://") && !starts_with(settings.smtp_url, "smtps://")) {
    throw MailError(Text{"The SMTP URL must start with smtp:// or smtps://.",
                         "L’URL SMTP doit commencer par smtp:// ou smtps://."});
  }
  global_init();
}

void SmtpTransport::deliver(const Mail& mail, std::string_view message_id) {
  const std::string message =
      format_message(mail, message_id, from_, std::chrono::system_clock::now());
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw TransportError("smtp: cannot create a libcurl handle");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(
      curl_slist_append(nullptr, ("<" + mail.recipient + ">").c_str()), curl_slist_free_all);
  if (!recipients) throw TransportError("smtp: out of memory");

  Upload upload{&message};
  char error[CURL_ERROR_SIZE] = {};
  const std::string envelope_from = "<" + from_.address + ">";
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, settings_.smtp_url.c_str());
  // Only mail protocols, whatever the URL says (no file://, no redirects).
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // The server named in the settings, not one chosen by an all_proxy
  // variable the service happened to inherit.
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // safe in a thread
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, kTotalTimeoutSeconds);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  if (settings_.smtp_starttls)
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!settings_.smtp_user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, settings_.smtp_user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, settings_.smtp_password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &cancelled_);

  const CURLcode result = curl_easy_perform(h);
  if (result != CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    // libcurl's messages name the step and the server's code, never the password.
    throw TransportError(
        fmt::format("smtp: {}{}", error[0] != '\0' ? error : curl_easy_strerror(result),
                    code != 0 ? fmt::format(" (server replied {})", code) : ""),
        refused_for_good(result, code));
  }
}

}  // namespace fabrique::mail
