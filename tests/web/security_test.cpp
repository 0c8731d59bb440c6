// What an attacker would try first: forms posted from elsewhere (CSRF), the
// staff area with a resident's account, script in every text a user can
// write (XSS), stolen or stale sessions, reset links used twice or late,
// password guessing, redirects to another site.
#include <gtest/gtest.h>

#include <chrono>
#include <kainjow/mustache.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

using accounts::Role;
using test::Client;
using test::Fields;
using test::WebPlatform;

using fabrique::test::contains;

std::string escaped(const std::string& text) { return kainjow::mustache::html_escape(text); }

// The page shows `payload` escaped, never as markup.
void expect_escaped(const http::Response& page, const std::string& payload,
                    const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_TRUE(page.content_type.starts_with("text/html")) << page.content_type;
  EXPECT_TRUE(contains(page.body, escaped(payload))) << "missing " << escaped(payload);
  if (payload.find_first_of("<>\"'&") != std::string::npos) {
    EXPECT_FALSE(contains(page.body, payload)) << "raw payload in the page";
  }
}

Client with_cookie(Client client, const std::string& cookie) {
  client.cookies += (client.cookies.empty() ? "" : "; ") + cookie;
  return client;
}

std::int64_t count(store::Connection& db, const std::string& sql,
                   const std::vector<store::Value>& params = {}) {
  return std::get<std::int64_t>(db.query(sql, params).at(0).at(0));
}

// --- CSRF ---------------------------------------------------------------

TEST(SecurityCsrf, MissingTokenChangesNothing) {
  WebPlatform web;
  const auto id = web.add_account("fr@example.org", Role::Resident);
  const Client session = web.signed_in(id);

  const http::Response refused = web.send("POST", "/account/language", session, "language=en");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(web.account(id)->language, Lang::Fr);
  EXPECT_TRUE(test::set_cookie_for(refused, "fabrique_lang").empty());

  const Client visitor = web.visitor();
  const http::Response sign_up = web.send("POST", "/sign-up", visitor,
                                          test::form_body({{"display_name", "Mallory"},
                                                           {"email", "mallory@example.org"},
                                                           {"password", "long enough password"}}));
  EXPECT_EQ(sign_up.status, 403);
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM accounts WHERE email = 'mallory@example.org'"),
            0);
  EXPECT_TRUE(test::set_cookie_for(sign_up, web.session_cookie_name()).empty());

  // The same with the token: the control that the form itself is right.
  EXPECT_EQ(web.post("/account/language", session, {{"language", "en"}}).status, 303);
  EXPECT_EQ(web.account(id)->language, Lang::En);
}

TEST(SecurityCsrf, ForeignOrForgedTokensChangeNothing) {
  WebPlatform web;
  const auto id = web.add_account("victim@example.org", Role::Resident);
  const auto other = web.add_account("other@example.org", Role::Resident);
  const Client session = web.signed_in(id);
  const Client other_session = web.signed_in(other);
  const Client visitor = web.visitor();

  struct Attempt {
    std::string what;
    Client client;
    std::string token;
  };
  const std::vector<Attempt> attempts{
      {"a wrong token", session, std::string(64, '0')},
      {"an empty token", session, ""},
      {"another session's token", session, other_session.csrf},
      {"a visitor's token with a session", with_cookie(session, visitor.cookies), visitor.csrf},
      {"a session's token from a visitor", visitor, session.csrf},
      {"a visitor token without its cookie", Client{}, visitor.csrf},
      {"a token for another visitor cookie", web.visitor(), visitor.csrf},
  };
  for (const Attempt& attempt : attempts) {
    SCOPED_TRACE(attempt.what);
    const http::Response language = web.post("/account/language", attempt.client,
                                             {{"language", "en"}, {"csrf", attempt.token}});
    // Without a session the route's permission refuses first (sign in), its
    // form unread; with one, the token does.
    if (attempt.client.cookies.find(web.session_cookie_name()) == std::string::npos) {
      EXPECT_EQ(language.status, 303);
      EXPECT_EQ(test::header_of(language, "Location"), "/sign-in?next=%2F");
    } else {
      EXPECT_EQ(language.status, 403);
    }
    EXPECT_EQ(web.account(id)->language, Lang::Fr);
    EXPECT_EQ(web.post("/sign-up", attempt.client,
                       {{"display_name", "Mallory"},
                        {"email", "mallory@example.org"},
                        {"password", "long enough password"},
                        {"csrf", attempt.token}})
                  .status,
              403);
  }
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM accounts WHERE email = 'mallory@example.org'"),
            0);

  // The X-CSRF-Token header is checked the same way.
  EXPECT_EQ(web.send("POST", "/account/language", session, "language=en",
                     {{"X-CSRF-Token", other_session.csrf}})
                .status,
            403);
  EXPECT_EQ(web.send("POST", "/account/language", session, "language=en",
                     {{"X-CSRF-Token", session.csrf}})
                .status,
            303);
}

TEST(SecurityCsrf, RoleChangeNeedsTheAdministratorsToken) {
  WebPlatform web;
  const auto admin = web.add_account("admin@example.org", Role::Administrator);
  const auto target = web.add_account("t@example.org", Role::Resident);
  const Client session = web.signed_in(admin);
  const std::string url = "/admin/accounts/" + std::to_string(target) + "/role";
  EXPECT_EQ(web.send("POST", url, session, "role=administrator").status, 403);
  EXPECT_EQ(
      web.post(url, session, {{"role", "administrator"}, {"csrf", web.visitor().csrf}}).status,
      403);
  EXPECT_EQ(web.account(target)->role, Role::Resident);
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM audit_log"), 0);
}

// --- The staff area ---------------------------------------------------

TEST(SecurityAdmin, ResidentIsRefusedEveryAdminRoute) {
  WebPlatform web;
  const auto resident = web.add_account("res@example.org", Role::Resident);
  const auto target = web.add_account("t@example.org", Role::Resident);
  int checked = 0;
  for (const web::RouteInfo& route : web.site().routes()) {
    if (!route.pattern.starts_with("/admin")) continue;
    std::string path = route.pattern;
    for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{'))
      path.replace(open, path.find('}', open) - open + 1, std::to_string(target));
    const Client session = web.signed_in(resident);
    const http::Response response = route.method == "GET"
                                        ? web.get(path, session)
                                        : web.post(path, session, {{"role", "administrator"}});
    EXPECT_EQ(response.status, 403) << route.method << " " << path;
    ++checked;
  }
  EXPECT_GE(checked, 4);
  EXPECT_EQ(web.account(target)->role, Role::Resident);
  EXPECT_EQ(web.account(resident)->role, Role::Resident);
}

// --- XSS -----------------------------------------------------------------

const std::vector<std::string> kPayloads{
    "<script>alert(1)</script>\"'&", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
    "{{{content}}}{{csrf}}",  // mustache is not run twice
};

TEST(SecurityXss, EveryTextAUserWritesIsEscapedWhereverShown) {
  WebPlatform web;
  const auto admin_id = web.add_account("admin@example.org", Role::Administrator, "Ada");
  const Client admin = web.signed_in(admin_id);

  // Real sign-ups: the names and emails go through the same path as anyone's.
  struct Person {
    std::string name;
    std::string email;
    std::int64_t id = 0;
    std::string session;
  };
  std::vector<Person> people;
  for (std::size_t i = 0; i < kPayloads.size(); ++i)
    people.push_back({kPayloads[i], "x" + std::to_string(i) + "'&{{csrf}}@example.org", 0, ""});
  for (Person& person : people) {
    person.session = web.sign_up_and_confirm(person.name, person.email);
    ASSERT_FALSE(person.session.empty()) << person.name;
    person.id = accounts::find_account_by_email(web.db(), person.email).value().id;
    ASSERT_EQ(web.account(person.id)->display_name, person.name);
  }

  const http::Response list = web.get("/admin/accounts", admin);
  const http::Response log = web.get("/admin/audit", admin);
  for (const Person& person : people) {
    SCOPED_TRACE(person.name);
    const http::Response own = web.get("/account", web.session_client(person.session));
    expect_escaped(own, person.name, "account page, name");
    expect_escaped(own, person.email, "account page, email");
    expect_escaped(list, person.name, "accounts list, name");
    expect_escaped(list, person.email, "accounts list, email");
    // account.created: the email as subject, the person as actor.
    expect_escaped(log, person.name, "audit log, actor name");
    expect_escaped(log, person.email, "audit log, subject and actor email");
    expect_escaped(web.get("/admin/accounts?q=" + test::url_encode(person.name), admin),
                   person.name, "accounts search");
    expect_escaped(web.get("/admin/audit?actor=" + test::url_encode(person.email), admin),
                   person.email, "audit filter by actor");

    // The role-change confirmation names the person.
    const http::Response changed =
        web.post("/admin/accounts/" + std::to_string(person.id) + "/role", admin,
                 {{"role", "organisation"}});
    ASSERT_EQ(changed.status, 303);
    const std::string flash = test::set_cookie_for(changed, "fabrique_flash");
    expect_escaped(web.get("/admin/accounts",
                           with_cookie(admin, "fabrique_flash=" + test::cookie_value(flash))),
                   person.name, "role change confirmation");

    // The sign-up form shown again with its errors.
    const http::Response again =
        web.post("/sign-up", web.visitor(),
                 {{"display_name", person.name}, {"email", person.email}, {"password", "short"}});
    EXPECT_EQ(again.status, 422);
    expect_escaped(again, person.name, "sign-up form, name");
    expect_escaped(again, person.email, "sign-up form, email");
  }

  // Audit entries: action, subject and detail come from user input.
  for (const std::string& payload : kPayloads)
    web.db().execute(
        "INSERT INTO audit_log (at, actor_account_id, action, subject, detail) "
        "VALUES ($1, NULL, $2, $3, $4)",
        {now_iso8601(), "x." + payload, "s" + payload, "d" + payload});
  const http::Response entries = web.get("/admin/audit", admin);
  for (const std::string& payload : kPayloads) {
    SCOPED_TRACE(payload);
    expect_escaped(entries, "x." + payload, "audit action");
    expect_escaped(entries, "s" + payload, "audit subject");
    expect_escaped(entries, "d" + payload, "audit detail");
    expect_escaped(web.get("/admin/audit?action=" + test::url_encode("x." + payload), admin),
                   "x." + payload, "audit filter by action");
  }
}

// The census file's name is chosen by whoever uploads it (an administrator's
// browser, or a file someone sent them).
TEST(SecurityXss, CensusFileNameIsEscaped) {
  WebPlatform web;
  const Client admin = web.signed_in(web.add_account("admin@example.org", Role::Administrator));
  web.db().execute(
      "INSERT INTO districts (slug, name_fr, name_en) VALUES ('centre', 'Centre', 'Centre')");
  // No slash or backslash: the pages show the last path component only.
  const std::string payload = "<img src=x onerror=alert(1)>'&{{csrf}}.csv";
  const std::string boundary = "fabrique-test-boundary";
  const std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + admin.csrf +
      "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"census\"; filename=\"" +
      payload +
      "\"\r\nContent-Type: text/csv\r\n\r\n"
      "document_number;birth_date;postal_code;district\r\nAB123456;31/12/1990;75011;centre\r\n"
      "\r\n--" +
      boundary + "--\r\n";
  const http::Response started =
      web.send("POST", "/admin/census", admin, body,
               {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  ASSERT_EQ(started.status, 303) << started.body;
  const std::string job = test::header_of(started, "Location");
  // The import runs on its own thread: wait for it before reading its pages
  // (and before the platform goes away).
  for (int i = 0; i < 500; ++i) {
    const auto rows = web.db().query("SELECT status FROM census_imports");
    if (!rows.empty() && std::get<std::string>(rows[0][0]) != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  expect_escaped(web.get(job, admin), payload, "import page");
  expect_escaped(web.get("/admin/census", admin), payload, "census page");
  expect_escaped(web.get("/admin/audit", admin), payload, "audit log");
}

// --- Sessions --------------------------------------------------------------

TEST(SecuritySession, CookieFlags) {
  WebPlatform web;
  web.add_account("cookie@example.org", Role::Resident);
  const http::Response signed_in = web.post(
      "/sign-in", web.visitor(), {{"email", "cookie@example.org"}, {"password", test::kPassword}});
  ASSERT_EQ(signed_in.status, 303);
  const std::string cookie = test::set_cookie_for(signed_in, "fabrique_session");
  ASSERT_FALSE(cookie.empty());
  EXPECT_TRUE(contains(cookie, "; HttpOnly"));
  EXPECT_TRUE(contains(cookie, "; SameSite=Lax"));
  EXPECT_TRUE(contains(cookie, "; Path=/"));
  EXPECT_FALSE(contains(cookie, "Secure"));  // plain http: a Secure cookie would never come back
  EXPECT_FALSE(contains(cookie, "Domain="));
  for (const std::string& any : test::set_cookies(signed_in))
    EXPECT_TRUE(contains(any, "; HttpOnly")) << any;
}

TEST(SecuritySession, HttpsCookieIsHostPrefixedAndSecure) {
  web::Config config;
  config.public_url = "https://participer.example.org";
  WebPlatform web(config);
  web.add_account("cookie@example.org", Role::Resident);
  const http::Response page = web.get("/sign-in");
  for (const std::string& any : test::set_cookies(page)) EXPECT_TRUE(contains(any, "; Secure"));

  const http::Response signed_in = web.post(
      "/sign-in", web.visitor(), {{"email", "cookie@example.org"}, {"password", test::kPassword}});
  ASSERT_EQ(signed_in.status, 303);
  EXPECT_TRUE(test::set_cookie_for(signed_in, "fabrique_session").empty());
  const std::string cookie = test::set_cookie_for(signed_in, "__Host-fabrique_session");
  ASSERT_FALSE(cookie.empty());
  EXPECT_TRUE(contains(cookie, "; Secure"));
  EXPECT_TRUE(contains(cookie, "; HttpOnly"));
  EXPECT_TRUE(contains(cookie, "; SameSite=Lax"));
  EXPECT_TRUE(contains(cookie, "; Path=/"));
  EXPECT_FALSE(contains(cookie, "Domain="));
  for (const std::string& any : test::set_cookies(signed_in))
    EXPECT_TRUE(contains(any, "; Secure")) << any;

  // Only the prefixed cookie opens the session.
  const std::string token = test::cookie_value(cookie);
  EXPECT_EQ(web.get("/account", Client{"__Host-fabrique_session=" + token, ""}).status, 200);
  EXPECT_EQ(web.get("/account", Client{"fabrique_session=" + token, ""}).status, 303);
}

TEST(SecuritySession, SignOutEndsTheSession) {
  WebPlatform web;
  const auto id = web.add_account("out@example.org", Role::Resident);
  const std::string token = web.open_session(id);
  const Client session = web.session_client(token);
  ASSERT_EQ(web.get("/account", session).status, 200);

  const http::Response out = web.post("/sign-out", session);
  EXPECT_EQ(out.status, 303);
  EXPECT_TRUE(contains(test::set_cookie_for(out, "fabrique_session"), "Max-Age=0"));
  // The browser keeps the old cookie: it no longer opens anything.
  const http::Response after = web.get("/account", session);
  EXPECT_EQ(after.status, 303);
  EXPECT_EQ(test::header_of(after, "Location"), "/sign-in?next=%2Faccount");
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM sessions WHERE token_hash = $1",
                  {crypto::hash_hex(token)}),
            0);
  // (sent to sign in: the session is a visitor's now)
  EXPECT_EQ(web.post("/account/language", session, {{"language", "en"}}).status, 303);
  EXPECT_EQ(web.account(id)->language, Lang::Fr);
}

TEST(SecuritySession, ExpiredSessionIsRefused) {
  WebPlatform web;
  const auto id = web.add_account("old@example.org", Role::Administrator);
  const std::string token = web.open_session(id);
  const Client session = web.session_client(token);
  ASSERT_EQ(web.get("/admin", session).status, 200);
  web.db().execute("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2",
                   {iso8601(Clock::now() - std::chrono::seconds(1)), crypto::hash_hex(token)});
  const http::Response refused = web.get("/admin", session);
  EXPECT_EQ(refused.status, 303);
  EXPECT_EQ(test::header_of(refused, "Location"), "/sign-in?next=%2Fadmin");
  EXPECT_EQ(web.get("/admin", session, {{"Accept", "application/json"}}).status, 401);
}

// --- Password reset ----------------------------------------------------------

TEST(SecurityReset, TokenWorksOnceAndExpires) {
  WebPlatform web;
  const auto id = web.add_account("reset@example.org", Role::Resident);
  const Client old_session = web.signed_in(id);

  const http::Response asked =
      web.post("/password/forgot", web.visitor(), {{"email", "RESET@example.org"}});
  ASSERT_EQ(asked.status, 200);
  const auto mail = web.db().query("SELECT body FROM outbox WHERE recipient = 'reset@example.org'");
  ASSERT_EQ(mail.size(), 1u);
  const std::string body = std::get<std::string>(mail[0][0]);
  const std::size_t at = body.find("token=");
  ASSERT_NE(at, std::string::npos) << body;
  const std::string token = body.substr(at + 6, body.find_first_of(" \n", at) - at - 6);

  EXPECT_EQ(web.get("/password/reset?token=" + token).status, 200);
  const std::string new_password = "a brand new password";
  const http::Response reset =
      web.post("/password/reset", web.visitor(), {{"token", token}, {"password", new_password}});
  EXPECT_EQ(reset.status, 303);
  EXPECT_EQ(test::header_of(reset, "Location"), "/sign-in");
  // Every session of the account ends with the old password.
  EXPECT_EQ(web.get("/account", old_session).status, 303);

  // Once only.
  const std::string hash = accounts::password_hash_of(web.db(), id).value();
  EXPECT_EQ(web.get("/password/reset?token=" + token).status, 410);
  EXPECT_EQ(web.post("/password/reset", web.visitor(),
                     {{"token", token}, {"password", "yet another password"}})
                .status,
            410);
  EXPECT_EQ(accounts::password_hash_of(web.db(), id).value(), hash);
  EXPECT_EQ(web.post("/sign-in", web.visitor(),
                     {{"email", "reset@example.org"}, {"password", new_password}})
                .status,
            303);

  // And not after its hour.
  const std::string late = accounts::create_reset_token(web.db(), id);
  EXPECT_EQ(web.get("/password/reset?token=" + late).status, 200);
  web.db().execute("UPDATE password_resets SET expires_at = $1 WHERE token_hash = $2",
                   {iso8601(Clock::now() - std::chrono::seconds(1)), crypto::hash_hex(late)});
  EXPECT_EQ(web.get("/password/reset?token=" + late).status, 410);
  EXPECT_EQ(web.post("/password/reset", web.visitor(),
                     {{"token", late}, {"password", "too late password"}})
                .status,
            410);
  EXPECT_EQ(accounts::password_hash_of(web.db(), id).value(), hash);
  EXPECT_EQ(web.get("/password/reset?token=made-up").status, 410);
}

// --- Password guessing ---------------------------------------------------------

TEST(SecurityRateLimit, SixthAttemptOnOneEmailIsRefused) {
  WebPlatform web;
  web.add_account("target@example.org", Role::Resident);
  web.add_account("bystander@example.org", Role::Resident);
  auto sign_in = [&](const std::string& email, const std::string& password) {
    return web.post("/sign-in", web.visitor(), {{"email", email}, {"password", password}}).status;
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(sign_in("target@example.org", "wrong password"), 422);
  // The sixth, even with the right password (and whatever the case of the email).
  EXPECT_EQ(sign_in("target@example.org", test::kPassword), 429);
  EXPECT_EQ(sign_in("Target@Example.org", test::kPassword), 429);
  EXPECT_EQ(sign_in("target@example.org", "wrong password"), 429);
  // Someone else is not locked out.
  EXPECT_EQ(sign_in("bystander@example.org", test::kPassword), 303);
  // Fifteen minutes later, the account opens again.
  web.db().execute("UPDATE login_failures SET at = $1",
                   {iso8601(Clock::now() - std::chrono::minutes(16))});
  EXPECT_EQ(sign_in("target@example.org", test::kPassword), 303);
}

// --- Redirects -------------------------------------------------------------------

TEST(SecurityRedirect, NextNeverLeavesTheSite) {
  WebPlatform web;
  const auto id = web.add_account("next@example.org", Role::Resident);
  const std::vector<std::string> elsewhere{"//evil.example",      "https://evil.example",
                                           "/\\evil.example",     "http:/evil.example",
                                           "javascript:alert(1)", "//evil.example/%2F.."};
  for (const std::string& next : elsewhere) {
    SCOPED_TRACE(next);
    const http::Response signed_in =
        web.post("/sign-in", web.visitor(),
                 {{"email", "next@example.org"}, {"password", test::kPassword}, {"next", next}});
    EXPECT_EQ(signed_in.status, 303);
    EXPECT_EQ(test::header_of(signed_in, "Location"), "/");
    // The sign-in form does not carry it either.
    const http::Response form = web.get("/sign-in?next=" + test::url_encode(next));
    EXPECT_TRUE(contains(form.body, "name=\"next\" value=\"/\"")) << form.body;
    // Already signed in: sent on at once.
    EXPECT_EQ(test::header_of(web.get("/sign-in?next=" + test::url_encode(next), web.signed_in(id)),
                              "Location"),
              "/");
    EXPECT_EQ(
        test::header_of(web.get("/language?to=en&back=" + test::url_encode(next)), "Location"),
        "/");
  }
  // A local path is kept.
  const http::Response local = web.post(
      "/sign-in", web.visitor(),
      {{"email", "next@example.org"}, {"password", test::kPassword}, {"next", "/account"}});
  EXPECT_EQ(test::header_of(local, "Location"), "/account");
}

}  // namespace
}  // namespace fabrique
