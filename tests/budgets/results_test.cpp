// The count of a closed vote in the store, on SQLite and PostgreSQL: only
// after the close, sealing the ballots, recount before publication only,
// publication opening the tracking of the funded projects, and the periodic
// count of due processes, once even when requests race for it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "budgets/results_store.hpp"
#include "budgets/results_support.hpp"
#include "pb/pabulib.hpp"
#include "store/values.hpp"
#include "support/databases.hpp"

namespace fabrique::budgets {
namespace {

const std::string kBeforeClose = "2026-03-21T23:59:59Z";
const std::string kAfterClose = "2026-03-22T08:00:00Z";

class BudgetResults : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    database_ = fresh_database();
    db_ = database_->connect();
  }
  store::Connection& db() { return *db_; }
  Process reload(const Process& p) { return *find_process(db(), p.slug); }
  std::optional<std::string> implementation_of(std::int64_t project_id) {
    return store::optional_text(
        db().query("SELECT implementation FROM budget_projects WHERE id = $1", {project_id})
            .at(0)
            .at(0));
  }

  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<store::Connection> db_;
};

TEST_P(BudgetResults, CountsOnlyOnceTheVoteHasClosedAndSealsTheBallots) {
  auto s = test::closed_vote(db(), "quartiers");
  EXPECT_THROW(count_process(db(), s.process, kBeforeClose), CountError);
  EXPECT_TRUE(results_of(db(), s.process).empty());
  EXPECT_FALSE(reload(s.process).counted_at);

  count_process(db(), s.process, kAfterClose);
  EXPECT_EQ(reload(s.process).counted_at, kAfterClose);
  const auto results = results_of(db(), s.process);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].result.unit_slug, "centre");
  EXPECT_EQ(results[0].counted_at, kAfterClose);
  EXPECT_EQ(results[0].result.rule, "greedy");
  EXPECT_EQ(results[0].result.ballots, 10);
  EXPECT_EQ(results[0].result.funded,
            (std::vector<std::string>{std::to_string(s.jardin), std::to_string(s.fontaine)}));
  EXPECT_EQ(results[0].result.total_cost, 100);
  ASSERT_EQ(results[0].result.projects.size(), 3u);  // the infeasible one is not on the ballot
  EXPECT_EQ(results[1].result.funded, (std::vector<std::string>{std::to_string(s.ponton)}));
  EXPECT_EQ(results[1].result.ballots, 2);

  // The stored file is the one counted, and names no one.
  const auto e = pb::read_pabulib(results[0].pabulib, "centre.pb").election;
  EXPECT_EQ(e.ballots.size(), 10u);
  EXPECT_EQ(results[0].pabulib.find("person-"), std::string::npos);

  const auto unsealed = db().query(
      "SELECT COUNT(*) FROM budget_ballots WHERE process_id = $1 AND ballot_key NOT LIKE "
      "'sealed:%'",
      {s.process.id});
  EXPECT_EQ(store::integer(unsealed.at(0).at(0)), 0);

  const auto one = result_of(db(), s.process.id, s.process.units[1].id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->result.unit_slug, "port");
}

TEST_P(BudgetResults, RecountsBeforePublicationOnlyAndPublicationStartsTracking) {
  auto s = test::closed_vote(db(), "quartiers");
  EXPECT_THROW(publish(db(), s.process, kAfterClose), CountError);  // not counted
  count_process(db(), s.process, kAfterClose);
  // A project already tracked keeps its state.
  db().execute("UPDATE budget_projects SET implementation = 'in-progress' WHERE id = $1",
               {s.fontaine});

  count_process(db(), s.process, "2026-03-23T09:00:00Z");  // a recount: same result
  const auto recounted = results_of(db(), s.process);
  EXPECT_EQ(recounted[0].counted_at, "2026-03-23T09:00:00Z");
  EXPECT_EQ(recounted[0].result.funded,
            (std::vector<std::string>{std::to_string(s.jardin), std::to_string(s.fontaine)}));

  publish(db(), s.process, "2026-03-24T10:00:00Z");
  EXPECT_EQ(reload(s.process).published_at, "2026-03-24T10:00:00Z");
  EXPECT_EQ(implementation_of(s.jardin), "planned");
  EXPECT_EQ(implementation_of(s.ponton), "planned");
  EXPECT_EQ(implementation_of(s.fontaine), "in-progress");
  EXPECT_EQ(implementation_of(s.bancs), std::nullopt);

  EXPECT_THROW(publish(db(), s.process, "2026-03-25T10:00:00Z"), CountError);
  try {
    count_process(db(), s.process, "2026-03-25T10:00:00Z");
    ADD_FAILURE() << "recounted after publication";
  } catch (const CountError& error) {
    EXPECT_NE(error.text().en.find("published"), std::string::npos);
  }
  EXPECT_EQ(results_of(db(), s.process)[0].counted_at, "2026-03-23T09:00:00Z");
}

TEST_P(BudgetResults, ARuleThatDoesNotApplyChangesNothing) {
  auto s = test::closed_vote(db(), "quartiers", CountingRule::Phragmen);
  db().execute("UPDATE budget_processes SET ballot_type = 'ranked' WHERE id = $1", {s.process.id});
  EXPECT_THROW(count_process(db(), reload(s.process), kAfterClose), CountError);
  EXPECT_FALSE(reload(s.process).counted_at);
  EXPECT_TRUE(results_of(db(), s.process).empty());
  const auto unsealed =
      db().query("SELECT COUNT(*) FROM budget_ballots WHERE ballot_key NOT LIKE 'sealed:%'");
  EXPECT_EQ(store::integer(unsealed.at(0).at(0)), 12);
}

TEST_P(BudgetResults, DueProcessesAreCountedOnceEvenByRacingRequests) {
  auto closed = test::closed_vote(db(), "quartiers");
  // A second process, still voting, in the same districts.
  Process open = closed.process;
  open.slug = "encore-ouvert";
  open.schedule.vote_close = "2098-01-01T00:00:00Z";
  open.id = insert_process(db(), open);

  std::atomic<int> counted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      auto connection = database_->connect();
      counted += count_if_due(*connection, closed.process, kAfterClose) ? 1 : 0;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counted.load(), 1);
  EXPECT_EQ(results_of(db(), closed.process).size(), 2u);

  EXPECT_EQ(count_due_processes(db()), 0);  // counted already; the other is still voting
  EXPECT_FALSE(reload(open).counted_at);
  db().execute("UPDATE budget_processes SET counted_at = NULL WHERE id = $1", {closed.process.id});
  EXPECT_EQ(count_due_processes(db()), 1);
  EXPECT_TRUE(reload(closed.process).counted_at);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(BudgetResults);

}  // namespace
}  // namespace fabrique::budgets
