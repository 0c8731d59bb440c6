// Group commit: concurrent bodies share transactions, each keeps its own
// savepoint, and a caller returns only once its body is committed.
#include "store/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/databases.hpp"

namespace fabrique {
namespace {

class GroupCommitTest : public test::BackendTest {};

TEST_P(GroupCommitTest, EveryBodyIsCommittedOrUndoneAlone) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE gc (id BIGINT PRIMARY KEY, part BIGINT NOT NULL)");
  store::GroupCommit batch(*db);

  constexpr int kThreads = 16, kEach = 25;
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::int64_t id = t * kEach + i;
        try {
          batch.transaction([&](store::Connection& tx) {
            tx.execute("INSERT INTO gc (id, part) VALUES ($1, 1)", {id});
            // Every tenth body fails after writing: its row must not stay.
            if (id % 10 == 0) throw std::runtime_error("refused");
            tx.execute("UPDATE gc SET part = 2 WHERE id = $1", {id});
          });
          // Returned: committed, visible to another connection.
          auto other = db->connect();
          EXPECT_EQ(other->query("SELECT part FROM gc WHERE id = $1", {id}).at(0).at(0),
                    store::Value(std::int64_t{2}));
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "refused");
          ++refused;
        }
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(refused.load(), kThreads * kEach / 10);
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM gc").at(0).at(0),
            store::Value(std::int64_t{kThreads * kEach - refused.load()}));
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM gc WHERE id % 10 = 0").at(0).at(0),
            store::Value(std::int64_t{0}));
}

TEST_P(GroupCommitTest, AFailedStatementDoesNotSpoilTheOthers) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE gc (id BIGINT PRIMARY KEY)");
  c->execute("INSERT INTO gc (id) VALUES (1)");
  store::GroupCommit batch(*db);
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (std::int64_t id = 1; id <= 8; ++id)
    threads.emplace_back([&, id] {
      try {
        // id 1 breaks the primary key: on PostgreSQL too, only its savepoint aborts.
        batch.transaction(
            [&](store::Connection& tx) { tx.execute("INSERT INTO gc (id) VALUES ($1)", {id}); });
      } catch (const store::StoreError&) {
        ++failed;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 1);
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM gc").at(0).at(0), store::Value(std::int64_t{8}));
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(GroupCommitTest);

}  // namespace
}  // namespace fabrique
