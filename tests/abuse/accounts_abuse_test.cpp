// Issue 9, items 5 and 7 (and the confirmed address item 2 requires): what
// someone can do to the platform or to someone else through the account
// forms. Each test says which item it covers. On both backends.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "accounts/actions.hpp"
#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "core/crypto.hpp"
#include "core/time.hpp"
#include "store/migrations.hpp"
#include "support/databases.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

using accounts::Role;
using test::Client;
using test::Fields;
using test::WebPlatform;

const std::string kConfirmFirstFr =
    "Si vous venez de créer votre compte, suivez d'abord le lien du message que nous vous avons "
    "envoyé.";
const std::string kConfirmFirstEn =
    "If you have just created your account, first follow the link in the message we sent you.";

using fabrique::test::contains;

http::Headers from(const std::string& address) { return {{"X-Forwarded-For", address}}; }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
  return text;
}

// The message of a form's error box (<div class="errors" role="alert"><p>…),
// unescaped.
std::string problem_of(const std::string& body) {
  const std::string marker = "role=\"alert\"><p>";
  const std::size_t at = body.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t start = at + marker.size();
  std::string text = body.substr(start, body.find("</p>", start) - start);
  for (const auto& [entity, character] : {std::pair{"&#39;", "'"},
                                          {"&apos;", "'"},
                                          {"&quot;", "\""},
                                          {"&lt;", "<"},
                                          {"&gt;", ">"},
                                          {"&amp;", "&"}})
    text = replaced(text, entity, character);
  return text;
}

class AbuseAccounts : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    database_ = fresh_database();
  }

  WebPlatform& web(web::Config config = {}, std::size_t connections = 4) {
    web_ = std::make_unique<WebPlatform>(std::move(config), database_->url(), connections);
    return *web_;
  }

  http::Response sign_up(const std::string& email, const std::string& password,
                         const std::string& name = "Zoé", http::Headers extra = {}) {
    return web_->post("/sign-up", web_->visitor(),
                      {{"display_name", name}, {"email", email}, {"password", password}},
                      std::move(extra));
  }
  http::Response sign_in(const std::string& email, const std::string& password,
                         http::Headers extra = {}) {
    return web_->post("/sign-in", web_->visitor(), {{"email", email}, {"password", password}},
                      std::move(extra));
  }
  http::Response forgot(const std::string& email, http::Headers extra = {}) {
    return web_->post("/password/forgot", web_->visitor(), {{"email", email}}, std::move(extra));
  }
  // Moves every recorded attempt back in time (the limits' windows pass).
  void age_attempts(std::chrono::seconds by) {
    web_->db().execute("UPDATE login_failures SET at = $1", {iso8601(Clock::now() - by)});
  }
  std::int64_t count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    return std::get<std::int64_t>(web_->db().query(sql, params).at(0).at(0));
  }
  std::string last_token(const std::string& email, const std::string& path) {
    const auto bodies = web_->mails_to(email);
    return bodies.empty() ? std::string() : WebPlatform::token_in(bodies.back(), path);
  }

  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<WebPlatform> web_;  // after database_: destroyed first
};

// Issue 9, item 7: sign-up does not reveal whether an address is registered:
// the same page, no session either way; the mail says what happened.
TEST_P(AbuseAccounts, SignUpOfARegisteredAddressLooksLikeANewOne) {
  WebPlatform& w = web();
  w.add_account("taken@example.org", Role::Resident, "Owner");
  const http::Response fresh = sign_up("new@example.org", "a new password 1");
  const http::Response taken = sign_up("taken@example.org", "a squatter's password");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_EQ(taken.status, 200);
  EXPECT_EQ(replaced(fresh.body, "new@example.org", "ADDRESS"),
            replaced(taken.body, "taken@example.org", "ADDRESS"));
  EXPECT_TRUE(contains(fresh.body,
                       "Nous vous avons écrit à new@example.org\u202f: suivez le lien "
                       "du message pour confirmer votre adresse."))
      << fresh.body;
  EXPECT_EQ(test::set_cookie_for(fresh, w.session_cookie_name()), "");
  EXPECT_EQ(test::set_cookie_for(taken, w.session_cookie_name()), "");
  // The JSON answer too.
  const Fields form{{"display_name", "Zoé"}, {"password", "a new password 1"}};
  auto json_of = [&](const std::string& email) {
    Fields fields = form;
    fields.emplace_back("email", email);
    return w.post("/sign-up", w.visitor(), fields, {{"Accept", "application/json"}});
  };
  age_attempts(std::chrono::minutes(6));
  EXPECT_EQ(replaced(json_of("new2@example.org").body, "new2@example.org", "A"),
            replaced(json_of("taken@example.org").body, "taken@example.org", "A"));

  // The mails tell: a link to the new address; to the registered one, that
  // it has an account, how to sign in or reset its password, and no link
  // that could change anything.
  const auto to_new = w.mails_to("new@example.org");
  ASSERT_EQ(to_new.size(), 1u);
  EXPECT_TRUE(contains(to_new[0], "/sign-up/confirm?token=")) << to_new[0];
  const auto to_taken = w.mails_to("taken@example.org");
  ASSERT_GE(to_taken.size(), 1u);
  EXPECT_TRUE(contains(to_taken[0], "Un compte existe déjà avec cette adresse")) << to_taken[0];
  EXPECT_TRUE(contains(to_taken[0], "/sign-in\n")) << to_taken[0];
  EXPECT_TRUE(contains(to_taken[0], "/password/forgot\n")) << to_taken[0];
  EXPECT_FALSE(contains(to_taken[0], "token=")) << to_taken[0];
  // The owner's password is unchanged; the squatter's opens nothing.
  EXPECT_EQ(sign_in("taken@example.org", test::kPassword).status, 303);
  EXPECT_EQ(sign_in("taken@example.org", "a squatter's password").status, 422);
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts WHERE email = 'taken@example.org'"), 1);
}

// Issue 9, item 7: a squatter who signs an address up first cannot keep the
// owner out: the newest sign-up replaces the pending one, a new link is
// mailed and the earlier one ends; mails to one address are limited.
TEST_P(AbuseAccounts, NewestSignUpOfAnUnconfirmedAddressWins) {
  WebPlatform& w = web();
  ASSERT_EQ(sign_up("victim@example.org", "the squatter's password", "Squatter").status, 200);
  const std::string squatter_link = last_token("victim@example.org", "/sign-up/confirm");
  ASSERT_FALSE(squatter_link.empty());
  age_attempts(std::chrono::minutes(6));
  const http::Response owner = sign_up("victim@example.org", "the owner's password", "Owner");
  EXPECT_EQ(owner.status, 200);
  ASSERT_EQ(w.mails_to("victim@example.org").size(), 2u);
  const std::string owner_link = last_token("victim@example.org", "/sign-up/confirm");
  EXPECT_EQ(w.get("/sign-up/confirm?token=" + squatter_link).status, 410);
  const http::Response page = w.get("/sign-up/confirm?token=" + owner_link);
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Owner"));
  // Moments later, another sign-up: the same page, no mail, nothing changes.
  EXPECT_EQ(sign_up("victim@example.org", "a third password", "Third").status, 200);
  EXPECT_EQ(w.mails_to("victim@example.org").size(), 2u);
  EXPECT_EQ(w.get("/sign-up/confirm?token=" + owner_link).status, 200);

  ASSERT_EQ(w.post("/sign-up/confirm", w.visitor(), {{"token", owner_link}}).status, 303);
  EXPECT_EQ(sign_in("victim@example.org", "the owner's password").status, 303);
  EXPECT_EQ(sign_in("victim@example.org", "the squatter's password").status, 422);
  EXPECT_EQ(sign_in("victim@example.org", "a third password").status, 422);
  const auto account = accounts::find_account_by_email(w.db(), "victim@example.org");
  EXPECT_EQ(account->display_name, "Owner");
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts"), 1);
}

// Issue 9, items 2 and 7: an unconfirmed account cannot sign in, and fails
// exactly as a wrong password or an unknown address does; every failure
// says to follow the link first.
TEST_P(AbuseAccounts, UnconfirmedAccountCannotSignInAndLooksLikeAWrongPassword) {
  WebPlatform& w = web();
  w.add_account("confirmed@example.org", Role::Resident);
  ASSERT_EQ(sign_up("pending@example.org", "the pending password").status, 200);
  const http::Response pending = sign_in("pending@example.org", "the pending password");
  const http::Response wrong = sign_in("confirmed@example.org", "not the password");
  const http::Response unknown = sign_in("nobody@example.org", "the pending password");
  for (const http::Response* response : {&pending, &wrong, &unknown}) {
    EXPECT_EQ(response->status, 422);
    EXPECT_EQ(test::set_cookie_for(*response, w.session_cookie_name()), "");
    EXPECT_EQ(problem_of(response->body),
              "Adresse e-mail ou mot de passe incorrect. " + kConfirmFirstFr);
  }
  const http::Response english =
      w.post("/sign-in", w.visitor(),
             {{"email", "pending@example.org"}, {"password", "the pending password"}},
             {{"Accept-Language", "en"}});
  EXPECT_EQ(problem_of(english.body), "Email address or password incorrect. " + kConfirmFirstEn);

  const std::string link = last_token("pending@example.org", "/sign-up/confirm");
  ASSERT_EQ(w.post("/sign-up/confirm", w.visitor(), {{"token", link}}).status, 303);
  EXPECT_EQ(sign_in("pending@example.org", "the pending password").status, 303);
}

// Issue 9, item 2 (a confirmed address) and item 7: the link opens a page
// with a button (a mail scanner that follows links confirms nothing); the
// button confirms and signs in; the link works once, for 24 hours.
TEST_P(AbuseAccounts, ConfirmationLinkNeedsTheButtonAndWorksOnce) {
  WebPlatform& w = web();
  ASSERT_EQ(sign_up("zoe@example.org", "zoé's password", "Zoé").status, 200);
  const std::string link = last_token("zoe@example.org", "/sign-up/confirm");
  const auto id = accounts::find_account_by_email(w.db(), "zoe@example.org")->id;

  const http::Response page = w.get("/sign-up/confirm?token=" + link);
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "<form method=\"post\" action=\"/sign-up/confirm\">"));
  EXPECT_TRUE(contains(page.body, "zoe@example.org"));
  EXPECT_EQ(test::set_cookie_for(page, w.session_cookie_name()), "");
  EXPECT_FALSE(w.account(id)->email_confirmed());

  const http::Response confirmed = w.post("/sign-up/confirm", w.visitor(), {{"token", link}});
  EXPECT_EQ(confirmed.status, 303);
  EXPECT_EQ(test::header_of(confirmed, "Location"), "/account");
  const std::string session =
      test::cookie_value(test::set_cookie_for(confirmed, w.session_cookie_name()));
  EXPECT_EQ(w.get("/account", w.session_client(session)).status, 200);
  EXPECT_TRUE(w.account(id)->email_confirmed());
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.email_confirmed' AND "
                  "actor_account_id = $1",
                  {id}),
            1);
  // Once.
  EXPECT_EQ(w.get("/sign-up/confirm?token=" + link).status, 410);
  EXPECT_EQ(w.post("/sign-up/confirm", w.visitor(), {{"token", link}}).status, 410);
  // Only the token's hash is stored.
  EXPECT_EQ(count("SELECT COUNT(*) FROM email_confirmations WHERE token_hash = $1", {link}), 0);

  // Not after 24 hours.
  ASSERT_EQ(sign_up("late@example.org", "a late password").status, 200);
  const std::string late = last_token("late@example.org", "/sign-up/confirm");
  w.db().execute("UPDATE email_confirmations SET expires_at = $1",
                 {iso8601(Clock::now() - std::chrono::seconds(1))});
  EXPECT_EQ(w.get("/sign-up/confirm?token=" + late).status, 410);
  EXPECT_EQ(w.post("/sign-up/confirm", w.visitor(), {{"token", late}}).status, 410);
  EXPECT_FALSE(accounts::find_account_by_email(w.db(), "late@example.org")->email_confirmed());
  EXPECT_EQ(w.get("/sign-up/confirm?token=made-up").status, 410);
}

// Issue 9, item 7: reset links die when a newer one is issued and when the
// password changes (through the account page or a reset); a reset, which
// proves the mailbox, confirms the address.
TEST_P(AbuseAccounts, ResetLinksDieWithANewerLinkOrANewPassword) {
  WebPlatform& w = web();
  const auto id = w.add_account("reset@example.org", Role::Resident);
  ASSERT_EQ(forgot("reset@example.org").status, 200);
  const std::string first = last_token("reset@example.org", "/password/reset");
  age_attempts(std::chrono::minutes(6));
  ASSERT_EQ(forgot("reset@example.org").status, 200);
  const std::string second = last_token("reset@example.org", "/password/reset");
  ASSERT_NE(first, second);
  EXPECT_EQ(w.get("/password/reset?token=" + first).status, 410);
  EXPECT_EQ(w.post("/password/reset", w.visitor(),
                   {{"token", first}, {"password", "an attacker's password"}})
                .status,
            410);
  EXPECT_EQ(w.get("/password/reset?token=" + second).status, 200);

  // The password changed on the account page: the link sent before dies.
  const Client session = w.signed_in(id);
  ASSERT_EQ(w.post("/account/password", session,
                   {{"current_password", test::kPassword}, {"new_password", "a changed password"}})
                .status,
            303);
  EXPECT_EQ(w.get("/password/reset?token=" + second).status, 410);

  // A reset through a link ends the others too.
  const std::string third = accounts::create_reset_token(w.db(), id);
  const std::string fourth = accounts::create_reset_token(w.db(), id);
  EXPECT_EQ(w.get("/password/reset?token=" + third).status, 410);
  const std::string extra = [&] {
    // An older link made at the same time as the one used (made directly).
    const std::string token = crypto::random_token();
    w.db().execute(
        "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES "
        "($1, $2, $3, $4)",
        {crypto::hash_hex(token), id, now_iso8601(),
         iso8601(Clock::now() + std::chrono::hours(1))});
    return token;
  }();
  ASSERT_EQ(w.post("/password/reset", w.visitor(),
                   {{"token", fourth}, {"password", "the reset password"}})
                .status,
            303);
  EXPECT_EQ(w.get("/password/reset?token=" + extra).status, 410);
  EXPECT_EQ(w.get("/password/reset?token=" + fourth).status, 410);

  // A reset confirms an address that was not.
  ASSERT_EQ(sign_up("unconfirmed@example.org", "never confirmed").status, 200);
  age_attempts(std::chrono::minutes(6));
  ASSERT_EQ(forgot("unconfirmed@example.org").status, 200);
  const std::string link = last_token("unconfirmed@example.org", "/password/reset");
  ASSERT_EQ(
      w.post("/password/reset", w.visitor(), {{"token", link}, {"password", "a password of mine"}})
          .status,
      303);
  EXPECT_TRUE(
      accounts::find_account_by_email(w.db(), "unconfirmed@example.org")->email_confirmed());
  EXPECT_EQ(sign_in("unconfirmed@example.org", "a password of mine").status, 303);
  // Its confirmation link ended with it.
  EXPECT_EQ(
      w.get("/sign-up/confirm?token=" + last_token("unconfirmed@example.org", "/sign-up/confirm"))
          .status,
      410);
}

// Issue 9, item 7: forgot-password mails one address at most once in 5
// minutes and five times a day, whoever asks and from wherever; the page is
// the same every time, for a known address or not.
TEST_P(AbuseAccounts, ForgotPasswordIsLimitedPerTargetAddress) {
  web::Config config;
  config.behind_proxy = true;
  WebPlatform& w = web(config);
  w.add_account("victim@example.org", Role::Resident);
  const http::Response first = forgot("victim@example.org", from("203.0.113.1"));
  EXPECT_EQ(first.status, 200);
  for (int i = 2; i <= 4; ++i) {
    const http::Response again =
        forgot("victim@example.org", from("203.0.113." + std::to_string(i)));
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, first.body);
  }
  EXPECT_EQ(forgot("nobody@example.org", from("203.0.113.9")).body, first.body);
  EXPECT_EQ(w.mails_to("victim@example.org").size(), 1u);
  // One more each time 5 minutes have passed, five in a day.
  for (std::size_t sent = 2; sent <= 6; ++sent) {
    age_attempts(std::chrono::minutes(6));
    EXPECT_EQ(forgot("victim@example.org", from("198.51.100." + std::to_string(sent))).body,
              first.body);
    EXPECT_EQ(w.mails_to("victim@example.org").size(), std::min<std::size_t>(sent, 5));
  }
  age_attempts(std::chrono::hours(25));
  forgot("victim@example.org", from("198.51.100.99"));
  EXPECT_EQ(w.mails_to("victim@example.org").size(), 6u);
}

// Issue 9, item 5: sign-up, sign-in and forgot-password are limited per
// client address and for everyone; an attempt refused for its address is
// not counted for everyone; the answers carry Retry-After.
TEST_P(AbuseAccounts, FormsAreLimitedPerClientAddressAndForEveryone) {
  web::Config config;
  config.behind_proxy = true;
  config.signups_per_address = 2;
  config.signups_per_minute = 4;
  config.login_attempts_per_address = 3;
  config.login_attempts_per_minute = 5;
  config.password_resets_per_address = 2;
  config.password_resets_per_minute = 3;
  WebPlatform& w = web(config);

  // Sign-up.
  EXPECT_EQ(sign_up("a1@example.org", "password a1 ok", "A", from("203.0.113.1")).status, 200);
  EXPECT_EQ(sign_up("a2@example.org", "password a2 ok", "A", from("203.0.113.1")).status, 200);
  const http::Response too_many =
      sign_up("a3@example.org", "password a3 ok", "A", from("203.0.113.1"));
  EXPECT_EQ(too_many.status, 429);
  EXPECT_EQ(test::header_of(too_many, "Retry-After"), "3600");
  EXPECT_TRUE(contains(problem_of(too_many.body), "depuis votre connexion"));
  EXPECT_FALSE(accounts::find_account_by_email(w.db(), "a3@example.org"));
  EXPECT_EQ(sign_up("b1@example.org", "password b1 ok", "B", from("203.0.113.2")).status, 200);
  EXPECT_EQ(sign_up("c1@example.org", "password c1 ok", "C", from("203.0.113.3")).status, 200);
  const http::Response busy = sign_up("d1@example.org", "password d1 ok", "D", from("203.0.113.4"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(test::header_of(busy, "Retry-After"), "60");
  EXPECT_FALSE(accounts::find_account_by_email(w.db(), "d1@example.org"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM accounts"), 4);

  // Sign-in (other addresses each time: the per-account limit stays out of it).
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(
        sign_in("x" + std::to_string(i) + "@example.org", "wrong", from("203.0.113.1")).status,
        422);
  const http::Response locked = sign_in("x9@example.org", "wrong", from("203.0.113.1"));
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(test::header_of(locked, "Retry-After"), "900");
  EXPECT_TRUE(contains(problem_of(locked.body), kConfirmFirstFr));
  EXPECT_EQ(sign_in("y1@example.org", "wrong", from("203.0.113.2")).status, 422);
  EXPECT_EQ(sign_in("y2@example.org", "wrong", from("203.0.113.3")).status, 422);
  const http::Response crowded = sign_in("y3@example.org", "wrong", from("203.0.113.4"));
  EXPECT_EQ(crowded.status, 503);
  EXPECT_EQ(test::header_of(crowded, "Retry-After"), "60");
  EXPECT_TRUE(contains(problem_of(crowded.body), kConfirmFirstFr));

  // Forgot-password.
  EXPECT_EQ(forgot("a1@example.org", from("203.0.113.1")).status, 200);
  EXPECT_EQ(forgot("a2@example.org", from("203.0.113.1")).status, 200);
  const http::Response asked_too_often = forgot("b1@example.org", from("203.0.113.1"));
  EXPECT_EQ(asked_too_often.status, 429);
  EXPECT_EQ(test::header_of(asked_too_often, "Retry-After"), "3600");
  EXPECT_EQ(forgot("b1@example.org", from("203.0.113.2")).status, 200);
  const http::Response reset_busy = forgot("c1@example.org", from("203.0.113.3"));
  EXPECT_EQ(reset_busy.status, 503);
  EXPECT_EQ(test::header_of(reset_busy, "Retry-After"), "60");

  // A minute later everyone may again; an hour later the first address too.
  age_attempts(std::chrono::minutes(2));
  EXPECT_EQ(sign_up("d1@example.org", "password d1 ok", "D", from("203.0.113.4")).status, 200);
  EXPECT_EQ(sign_up("a3@example.org", "password a3 ok", "A", from("203.0.113.1")).status, 429);
  age_attempts(std::chrono::minutes(61));
  EXPECT_EQ(sign_up("a3@example.org", "password a3 ok", "A", from("203.0.113.1")).status, 200);
}

// Issue 9, item 7: someone else's failures do not lock the victim out. The
// failures counted are those on one account from one client address: the
// attacker exhausts their own allowance on the account, the owner signing
// in from their own address gets in.
TEST_P(AbuseAccounts, AttackerFailuresDoNotLockOutTheVictim) {
  web::Config config;
  config.behind_proxy = true;
  WebPlatform& w = web(config);
  w.add_account("victim@example.org", Role::Resident);
  const http::Headers attacker = from("203.0.113.66");
  for (int i = 0; i < config.login_attempts_per_account; ++i)
    EXPECT_EQ(sign_in("victim@example.org", "guess " + std::to_string(i), attacker).status, 422);
  // The attacker is stopped, even with the right password...
  const http::Response stopped = sign_in("victim@example.org", test::kPassword, attacker);
  EXPECT_EQ(stopped.status, 429);
  EXPECT_EQ(test::header_of(stopped, "Retry-After"), "900");
  // ...the victim, from their own address, is not.
  const http::Response victim =
      sign_in("victim@example.org", test::kPassword, from("198.51.100.7"));
  EXPECT_EQ(victim.status, 303);
  EXPECT_FALSE(test::set_cookie_for(victim, w.session_cookie_name()).empty());
}

// Issue 9, item 7 (and 5): failures are recorded, then counted, so that 50
// wrong passwords sent at once from one address on one account get no more
// than `login_attempts_per_account` password checks; every other is refused.
TEST_P(AbuseAccounts, ParallelWrongPasswordsAreCountedAtomically) {
  web::Config config;
  config.login_attempts_per_address = 1000;  // only the per-account limit is tested here
  config.hash_queue = 64;                    // and no one is turned away for want of a turn
  config.hash_wait = std::chrono::seconds(120);
  WebPlatform& w = web(config, 8);
  w.add_account("target@example.org", Role::Resident);
  constexpr int kAttempts = 50;
  std::vector<int> statuses(kAttempts);
  std::vector<Client> clients;
  for (int i = 0; i < kAttempts; ++i) clients.push_back(w.visitor());
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i)
    threads.emplace_back([&, i] {
      statuses[static_cast<std::size_t>(i)] =
          w.post("/sign-in", clients[static_cast<std::size_t>(i)],
                 {{"email", "target@example.org"}, {"password", "wrong " + std::to_string(i)}})
              .status;
    });
  for (auto& thread : threads) thread.join();
  int checked = 0, refused = 0;
  for (int status : statuses) {
    if (status == 422) ++checked;
    if (status == 429) ++refused;
  }
  EXPECT_GE(checked, 1);
  EXPECT_LE(checked, config.login_attempts_per_account);
  EXPECT_EQ(checked + refused, kAttempts);
  // The failures that were checked are the ones counted: at most the limit.
  // And the account is now closed to this address, right password or not.
  EXPECT_EQ(sign_in("target@example.org", test::kPassword).status,
            checked == config.login_attempts_per_account ? 429 : 303);
}

// Issue 9, item 5: the limiter itself, on both backends: of many concurrent
// attempts at most `max` are admitted, and only the admitted are kept.
TEST_P(AbuseAccounts, LimiterAdmitsAtMostMaxOfConcurrentAttempts) {
  constexpr int kAttempts = 40;
  const accounts::Limit limit{5, std::chrono::minutes(15)};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i)
    threads.emplace_back([&] {
      auto c = database_->connect();
      if (accounts::admit_attempt(*c, "subject", {limit})) ++admitted;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_GE(admitted.load(), 1);
  EXPECT_LE(admitted.load(), limit.max);
  auto c = database_->connect();
  EXPECT_EQ(accounts::recent_login_failures(*c, "subject", limit.window), admitted.load());
  // Once full, refused at once.
  while (accounts::recent_login_failures(*c, "subject", limit.window) < limit.max)
    ASSERT_TRUE(accounts::admit_attempt(*c, "subject", {limit}));
  EXPECT_FALSE(accounts::admit_attempt(*c, "subject", {limit}));
  EXPECT_EQ(accounts::recent_login_failures(*c, "subject", limit.window), limit.max);
}

// Issue 9, item 5: when the hashing queue is full, sign-up, sign-in and
// password reset answer 503 with Retry-After (a page in both languages), and
// nothing changes; a sign-up of a registered address needs a hash as well
// (the same cost as a new one). Once a turn is free, all work again.
TEST_P(AbuseAccounts, FullHashingQueueAnswers503WithRetryAfter) {
  web::Config config;
  config.hashes_at_once = 1;
  config.hash_queue = 1;
  WebPlatform& w = web(config);
  w.add_account("registered@example.org", Role::Resident);
  const std::string reset =
      accounts::create_reset_token(w.db(), w.add_account("reset@example.org", Role::Resident));
  auto turn = w.platform().app().hashing.enter();  // the queue's one place, held
  ASSERT_TRUE(turn);

  const http::Response fresh = sign_up("new@example.org", "a good password");
  EXPECT_EQ(fresh.status, 503);
  EXPECT_EQ(test::header_of(fresh, "Retry-After"), "5");
  EXPECT_EQ(problem_of(fresh.body),
            "Le site est très chargé\u202f: réessayez dans quelques "
            "secondes.");
  const http::Response english =
      sign_up("new@example.org", "a good password", "Zoé", {{"Accept-Language", "en"}});
  EXPECT_EQ(english.status, 503);
  EXPECT_EQ(problem_of(english.body), "The site is very busy: try again in a few seconds.");
  EXPECT_EQ(sign_up("registered@example.org", "a good password").status, 503);
  EXPECT_FALSE(accounts::find_account_by_email(w.db(), "new@example.org"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox"), 0);

  for (int i = 0; i < 6; ++i) {
    const http::Response signing_in = sign_in("registered@example.org", test::kPassword);
    EXPECT_EQ(signing_in.status, 503);
    EXPECT_EQ(test::header_of(signing_in, "Retry-After"), "5");
  }
  const http::Response resetting =
      w.post("/password/reset", w.visitor(), {{"token", reset}, {"password", "a new password"}});
  EXPECT_EQ(resetting.status, 503);
  EXPECT_EQ(test::header_of(resetting, "Retry-After"), "5");
  EXPECT_EQ(w.get("/password/reset?token=" + reset).status, 200);  // not used up

  turn.reset();
  EXPECT_EQ(sign_up("new@example.org", "a good password").status, 200);
  // The busy answers were not failures: the right password opens the account.
  EXPECT_EQ(sign_in("registered@example.org", test::kPassword).status, 303);
  EXPECT_EQ(
      w.post("/password/reset", w.visitor(), {{"token", reset}, {"password", "a new password"}})
          .status,
      303);
}

// Issue 9, item 5: a password hash holds no database connection: with one
// pooled connection and a sign-up waiting for its hash, other requests are
// answered at once.
TEST_P(AbuseAccounts, NoConnectionIsHeldWhileHashing) {
  web::Config config;
  config.hashes_at_once = 1;
  config.hash_queue = 2;
  config.hash_wait = std::chrono::seconds(20);
  WebPlatform& w = web(config, 1);
  const Client resident = w.signed_in(w.add_account("resident@example.org", Role::Resident));
  auto turn = w.platform().app().hashing.enter();
  ASSERT_TRUE(turn);
  std::atomic<bool> done{false};
  int status = 0;
  std::thread waiting([&] {
    status = sign_up("new@example.org", "a good password").status;
    done = true;
  });
  // The sign-up is past its limits and waits for its hash.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (count("SELECT COUNT(*) FROM login_failures") < 2 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(w.get("/account", resident).status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(done.load());
  turn.reset();
  waiting.join();
  EXPECT_EQ(status, 200);
}

// Issue 9, item 2: accounts made before confirmation existed are confirmed
// by the migration that adds it.
TEST_P(AbuseAccounts, ExistingAccountsAreConfirmedByTheMigration) {
  auto db = empty_database();
  std::vector<store::Migration> before;
  for (const auto& migration : store::migrations())
    if (migration.version < 4) before.push_back(migration);
  store::migrate(*db, before);
  auto c = db->connect();
  c->execute(
      "INSERT INTO accounts (email, password_hash, display_name, created_at) "
      "VALUES ('old@example.org', 'x', 'Old', '2025-01-02T03:04:05Z')");
  store::migrate(*db);
  const auto account = accounts::find_account_by_email(*c, "old@example.org");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->email_confirmed_at, std::optional<std::string>("2025-01-02T03:04:05Z"));
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AbuseAccounts);

}  // namespace
}  // namespace fabrique
