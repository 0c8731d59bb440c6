// The web platform in-process for HTTP-level tests: a platform on a temporary
// SQLite database of the test's own, accounts made without the cost of a
// sign-up, and requests as a browser would send them (cookies, CSRF token,
// urlencoded forms) answered by platform.router().handle().
#pragma once

#include <gtest/gtest.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accounts/model.hpp"
#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "cli/serve.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"
#include "http/router.hpp"
#include "support/password_cost.hpp"
#include "support/temp_dir.hpp"
#include "web/site.hpp"

namespace fabrique::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The password of every account the tests make.
inline const std::string kPassword = "correct horse battery staple";

// Hashed once per test binary (at the test cost: support/password_cost.hpp).
inline const std::string& password_hash() {
  use_test_password_cost();
  static const std::string hash = accounts::hash_password(kPassword);
  return hash;
}

inline std::string url_encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

inline std::string form_body(const Fields& fields) {
  std::string body;
  for (const auto& [name, value] : fields)
    body += (body.empty() ? "" : "&") + url_encode(name) + "=" + url_encode(value);
  return body;
}

// The first header `name` of a response, or "".
inline std::string header_of(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (iequals(key, name)) return value;
  return {};
}

// Every Set-Cookie value of a response.
inline std::vector<std::string> set_cookies(const http::Response& response) {
  std::vector<std::string> out;
  for (const auto& [key, value] : response.headers)
    if (iequals(key, "Set-Cookie")) out.push_back(value);
  return out;
}

// The Set-Cookie value for cookie `name`, or "".
inline std::string set_cookie_for(const http::Response& response, const std::string& name) {
  for (const std::string& value : set_cookies(response))
    if (value.starts_with(name + "=")) return value;
  return {};
}

// The value a Set-Cookie gives (`a=VALUE; Path=/...` → VALUE).
inline std::string cookie_value(const std::string& set_cookie) {
  const std::size_t equals = set_cookie.find('=');
  if (equals == std::string::npos) return {};
  return set_cookie.substr(equals + 1, set_cookie.find(';') - equals - 1);
}

// Who sends a request: nobody in particular, a visitor with the visitor
// cookie, or a signed-in session. `csrf` is the token its forms carry.
struct Client {
  std::string cookies;  // the Cookie header, "" for none
  std::string csrf;
};

class WebPlatform {
 public:
  // On a SQLite database of its own, or on `database_url` (a test database
  // of either backend, support/databases.hpp).
  explicit WebPlatform(web::Config config = {}, const std::string& database_url = "",
                       std::size_t connections = 4) {
    use_test_password_cost();
    cli::PlatformOptions options;
    options.database_url = database_url.empty() ? dir_.sqlite_url() : database_url;
    options.secret_file = dir_ / "secret";
    options.mail.folder = (dir_ / "mail").string();
    options.config = std::move(config);
    options.send_mail = false;
    options.connections = connections;
    options.jobs_interval = std::chrono::seconds(0);  // tests run them by hand
    platform_ = std::make_unique<cli::Platform>(options);
    router_ = platform_->router();
    db_ = platform_->database().connect();
  }
  ~WebPlatform() {
    db_.reset();
    platform_.reset();
  }
  WebPlatform(const WebPlatform&) = delete;
  WebPlatform& operator=(const WebPlatform&) = delete;

  cli::Platform& platform() { return *platform_; }
  web::Site& site() { return platform_->site(); }
  store::Connection& db() { return *db_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  std::int64_t add_account(const std::string& email, accounts::Role role,
                           const std::string& display_name = "Test person",
                           Lang language = Lang::Fr) {
    return accounts::insert_account(*db_, email, password_hash(), display_name, role, language);
  }

  std::string session_cookie_name() const {
    return web::session_cookie_name(platform_->app().config);
  }

  // A new session of the account, as a browser holding its cookie.
  Client signed_in(std::int64_t account_id) { return session_client(open_session(account_id)); }
  std::string open_session(std::int64_t account_id) {
    return accounts::open_session(*db_, account_id);
  }
  Client session_client(const std::string& token) {
    return {session_cookie_name() + "=" + token, session_csrf(token)};
  }
  std::string session_csrf(const std::string& token) {
    return crypto::keyed_hash_hex(platform_->app().secrets.forms, "session:" + token);
  }

  // A visitor who has loaded a page: the visitor cookie and its token.
  Client visitor() {
    const std::string id = crypto::random_token();
    return {"fabrique_visitor=" + id,
            crypto::keyed_hash_hex(platform_->app().secrets.forms, "visitor:" + id)};
  }

  http::Response send(const std::string& method, const std::string& target, const Client& client,
                      const std::string& body = "", http::Headers extra = {}) {
    http::Request request;
    request.method = method;
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    request.remote_address = "192.0.2.10";
    if (!client.cookies.empty()) request.headers.emplace_back("Cookie", client.cookies);
    bool typed = false;
    for (auto& header : extra) {
      typed = typed || iequals(header.first, "Content-Type");
      request.headers.push_back(std::move(header));
    }
    if (method == "POST" && !typed)
      request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = body;
    return router_.handle(request);
  }

  http::Response get(const std::string& target, const Client& client = {},
                     http::Headers extra = {}) {
    return send("GET", target, client, "", std::move(extra));
  }

  // A form sent with the client's CSRF token (unless `fields` has one).
  http::Response post(const std::string& target, const Client& client, Fields fields = {},
                      http::Headers extra = {}) {
    bool has_token = false;
    for (const auto& field : fields) has_token = has_token || field.first == "csrf";
    if (!has_token) fields.emplace_back("csrf", client.csrf);
    return send("POST", target, client, form_body(fields), std::move(extra));
  }

  std::optional<accounts::Account> account(std::int64_t id) {
    return accounts::find_account(*db_, id);
  }

  // The bodies of the mails queued for `recipient`, oldest first (the outbox).
  std::vector<std::string> mails_to(const std::string& recipient) {
    std::vector<std::string> bodies;
    for (const auto& row :
         db_->query("SELECT body FROM outbox WHERE recipient = $1 ORDER BY id", {recipient}))
      bodies.push_back(std::get<std::string>(row.at(0)));
    return bodies;
  }

  // The token of the first link in `body` that contains `path`
  // ("/sign-up/confirm", "/password/reset"), or "".
  static std::string token_in(const std::string& body, const std::string& path) {
    const std::size_t at = body.find(path + "?token=");
    if (at == std::string::npos) return {};
    const std::size_t start = at + path.size() + 7;
    return body.substr(start, body.find_first_of(" \r\n", start) - start);
  }

  // Signs up through the form as a visitor would, then follows the link of
  // the mail: the confirmation page, then its button. Returns the session
  // the confirmation opens ("" when a step failed).
  std::string sign_up_and_confirm(const std::string& display_name, const std::string& email,
                                  const std::string& password = kPassword) {
    const http::Response sent =
        post("/sign-up", visitor(),
             {{"display_name", display_name}, {"email", email}, {"password", password}});
    if (sent.status != 200) return {};
    const auto bodies = mails_to(accounts::normalize_email(email));
    if (bodies.empty()) return {};
    const std::string token = token_in(bodies.back(), "/sign-up/confirm");
    if (get("/sign-up/confirm?token=" + token).status != 200) return {};
    const http::Response confirmed = post("/sign-up/confirm", visitor(), {{"token", token}});
    if (confirmed.status != 303) return {};
    return cookie_value(set_cookie_for(confirmed, session_cookie_name()));
  }

 private:
  TempDir dir_{"web"};  // first: removed once the platform is gone
  std::unique_ptr<cli::Platform> platform_;
  http::Router router_;
  std::unique_ptr<store::Connection> db_;
};

}  // namespace fabrique::test
