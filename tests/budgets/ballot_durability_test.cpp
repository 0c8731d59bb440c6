// No acknowledged ballot is lost: residents cast ballots over HTTP on the
// real `fabrique serve`, in parallel, and the server is killed (SIGKILL, no
// chance to flush anything) in the middle of the burst. After a restart on
// the same database, every ballot whose receipt was shown is in the ballot
// box, the roll and the ballot box agree, and the count counts every ballot.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "budgets/ballot_repository.hpp"
#include "budgets/results_actions.hpp"
#include "budgets/results_repository.hpp"
#include "core/secrets.hpp"
#include "store/values.hpp"
#include "support/budget_seed.hpp"
#include "support/server_process.hpp"
#include "web/app.hpp"

namespace fabrique {
namespace {

namespace bhttp = boost::beast::http;
using test::Browser;
using test::Reply;
using test::Server;

// The receipt code a confirmation page shows, or "" when it shows none.
std::string receipt_of(const std::string& page) {
  const std::string marker = "<p class=\"receipt\"><strong>";
  const std::size_t at = page.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t start = at + marker.size();
  return page.substr(start, page.find('<', start) - start);
}

TEST(BallotDurability, EveryAcknowledgedBallotSurvivesKillNine) {
  const test::TempDir scratch("ballot-durability");  // outlives the servers
  const std::filesystem::path& dir = scratch.path();
  const std::string database = (dir / "fabrique.db").string();
  const std::string url = "sqlite:" + database;

  constexpr int kVoters = 240;
  test::SeededVote seeded;
  {
    auto db = store::open(url);
    store::migrate(*db);
    seeded = test::seed_vote(*db, {.slug = "durable",
                                   .districts = 2,
                                   .projects = 12,
                                   .voters = kVoters,
                                   .unit_amount = 100000});
  }
  // The server reads the same secret file: the forms' key makes the CSRF tokens.
  const fabrique::Secrets secrets =
      fabrique::load_or_create_secrets(fabrique::default_secret_file(url));

  std::vector<std::string> receipts;
  std::mutex receipts_mutex;
  std::atomic<int> next{0}, failures{0};
  {
    Server server(dir, database, 1);
    ASSERT_NE(server.port(), 0) << "the server did not start";
    std::vector<std::thread> voters;
    for (int t = 0; t < 8; ++t)
      voters.emplace_back([&] {
        for (int v = next++; v < kVoters; v = next++) {
          const std::string& token = seeded.session_tokens[static_cast<std::size_t>(v)];
          const auto& ids = seeded.projects_by_unit[seeded.voter_unit[static_cast<std::size_t>(v)]];
          Browser browser(server.port());
          browser.set_cookie("fabrique_session", token);
          const test::Fields fields{
              {"csrf", crypto::keyed_hash_hex(secrets.forms, "session:" + token)},
              {"action", "confirm"},
              {"project", std::to_string(ids[static_cast<std::size_t>(v) % ids.size()])}};
          try {
            const Reply reply =
                browser.send(bhttp::verb::post, "/budgets/durable/vote", test::form_body(fields));
            const std::string receipt = receipt_of(reply.body());
            if (reply.result_int() == 200 && !receipt.empty()) {
              std::lock_guard lock(receipts_mutex);
              receipts.push_back(receipt);
            } else {
              ++failures;
            }
          } catch (const std::exception&) {
            return;  // the server is gone: this ballot was never acknowledged
          }
        }
      });
    // Kill it in the middle of the burst, the moment 60 ballots are acknowledged.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      {
        std::lock_guard lock(receipts_mutex);
        if (receipts.size() >= 60) break;
      }
      if (std::chrono::steady_clock::now() > deadline || next.load() >= kVoters) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server.kill();
    for (auto& voter : voters) voter.join();
  }
  EXPECT_EQ(failures.load(), 0) << "a ballot was refused before the kill";
  ASSERT_GE(receipts.size(), 60u);
  EXPECT_LT(receipts.size(), static_cast<std::size_t>(kVoters)) << "the kill came too late";

  // Restarted: every receipt shown is in the ballot box.
  std::int64_t stored = 0, on_roll = 0;
  {
    Server server(dir, database, 2);
    ASSERT_NE(server.port(), 0) << "the server did not restart";
    for (const std::string& receipt : receipts) {
      Browser browser(server.port());
      browser.set_cookie("fabrique_lang", "en");
      const Reply page = browser.fill_in("/budgets/durable/receipt", "/budgets/durable/receipt",
                                         {{"code", receipt}});
      EXPECT_NE(page.body().find("A ballot with this receipt was put in the ballot box."),
                std::string::npos)
          << "receipt " << receipt << " is lost";
    }
    server.kill();
  }

  // The roll and the ballot box agree, and the count counts every ballot.
  auto database_handle = store::open(url);
  auto db = database_handle->connect();
  for (const auto& unit : seeded.process.units)
    stored += budgets::ballot_count(*db, seeded.process.id, unit.id);
  on_roll =
      store::integer(db->query("SELECT COUNT(*) FROM budget_participations WHERE process_id = $1",
                               {seeded.process.id})
                         .at(0)
                         .at(0));
  EXPECT_GE(stored, static_cast<std::int64_t>(receipts.size()));
  EXPECT_EQ(on_roll, stored);

  const std::string after_close = "2999-01-01T00:00:00Z";
  budgets::count_process(*db, *budgets::find_process(*db, "durable"), after_close);
  std::int64_t counted = 0;
  for (const auto& result : budgets::results_of(*db, *budgets::find_process(*db, "durable")))
    counted += result.result.ballots;
  EXPECT_EQ(counted, stored);
}

}  // namespace
}  // namespace fabrique
