// Nothing acknowledged is lost: the real `fabrique serve` is killed (SIGKILL,
// no chance to flush anything) the moment it has answered a sign-up, then
// restarted on the same database; the link of the mail must confirm the
// account, which must then sign in.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace fabrique {
namespace {

namespace bhttp = boost::beast::http;
using test::Browser;
using test::Reply;
using test::Server;

TEST(Durability, SignUpSurvivesKillNine) {
  const test::TempDir scratch("durability");  // outlives the servers
  const std::filesystem::path& dir = scratch.path();
  const std::string database = (dir / "fabrique.db").string();
  constexpr int kAccounts = 5;

  // Each server but the first is the restart after a kill: it serves the
  // checks of one round, then the sign-up of the next.
  int run = 0;
  auto server = std::make_unique<Server>(dir, database, ++run);
  ASSERT_NE(server->port(), 0) << "the server did not start";
  for (int i = 0; i < kAccounts; ++i) {
    SCOPED_TRACE("account " + std::to_string(i));
    const std::string email = "durable" + std::to_string(i) + "@example.org";
    {
      Browser browser(server->port());
      const Reply created = browser.fill_in("/sign-up", "/sign-up",
                                            {{"display_name", "Durable " + std::to_string(i)},
                                             {"email", email},
                                             {"password", test::kPassword}});
      // Killed the moment the answer is in: it was acknowledged.
      server->kill();
      ASSERT_EQ(created.result_int(), 200) << created.body();
    }
    server = std::make_unique<Server>(dir, database, ++run);
    ASSERT_NE(server->port(), 0) << "the server did not restart";
    // The account and the mail with its link were committed together.
    std::string token;
    {
      auto store = store::open("sqlite:" + database);
      const auto rows = store->connect()->query(
          "SELECT body FROM outbox WHERE recipient = $1 ORDER BY id DESC", {email});
      ASSERT_EQ(rows.size(), 1u);
      token = test::WebPlatform::token_in(std::get<std::string>(rows[0].at(0)), "/sign-up/confirm");
    }
    {
      Browser browser(server->port());
      const Reply confirmed = browser.fill_in("/sign-up/confirm?token=" + token, "/sign-up/confirm",
                                              {{"token", token}});
      EXPECT_EQ(confirmed.result_int(), 303) << confirmed.body();
    }
    // Every account so far, not just the last one.
    for (int j = 0; j <= i; ++j) {
      Browser browser(server->port());
      const Reply signed_in =
          browser.fill_in("/sign-in", "/sign-in",
                          {{"email", "durable" + std::to_string(j) + "@example.org"},
                           {"password", test::kPassword}});
      EXPECT_EQ(signed_in.result_int(), 303) << "account " << j << "\n" << signed_in.body();
      EXPECT_EQ(signed_in[bhttp::field::location], "/account");
      EXPECT_TRUE(browser.has_cookie("fabrique_session"));
      const Reply account = browser.send(bhttp::verb::get, "/account");
      EXPECT_EQ(account.result_int(), 200);
      EXPECT_NE(account.body().find("Durable " + std::to_string(j)), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace fabrique
