// The storage layer: parameters, types, transactions, migrations, durability
// and concurrency on both backends (StoreTest.*/sqlite, StoreTest.*/postgres);
// what only one backend has (pragmas, backup and restore, NUL bytes, the
// PostgreSQL type mapping and reconnection) in SqliteStoreTest and
// PostgresStoreTest.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/backup.hpp"
#include "store/migrations.hpp"
#include "store/pool.hpp"
#include "store/postgres.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "support/databases.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using fabrique::store::Connection;
using fabrique::store::Database;
using fabrique::store::Migration;
using fabrique::store::Row;
using fabrique::store::StoreError;
using fabrique::store::Value;
using fabrique::test::BackendTest;

namespace {

std::int64_t count(Connection& c, const std::string& table) {
  return std::get<std::int64_t>(c.query("SELECT count(*) FROM " + table).at(0).at(0));
}

// The message of the StoreError `f` throws, or "" when it throws none.
template <typename F>
std::string store_error(F&& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

using fabrique::test::contains;

const std::string kInsertAccount =
    "INSERT INTO accounts (email, password_hash, display_name, created_at) "
    "VALUES ($1, 'h', $2, '2026-01-01T00:00:00Z')";

// A fresh directory per test, removed afterwards: for what only SQLite has.
class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::unique_ptr<Database> open_db(const std::string& name = "db.sqlite") const {
    return fabrique::store::open("sqlite:" + path(name));
  }

  fabrique::test::TempDir dir_{"store"};
};

class StoreTest : public BackendTest {};
class PostgresStoreTest : public BackendTest {};

FABRIQUE_INSTANTIATE_ON_BACKENDS(StoreTest);
INSTANTIATE_TEST_SUITE_P(, PostgresStoreTest, ::testing::Values(std::string("postgres")),
                         fabrique::test::BackendName());

// `make test` must not pass without having run the PostgreSQL half.
TEST(StoreBackends, PostgresIsThereWhenRequired) {
  if (!fabrique::test::backends_required()) GTEST_SKIP() << "FABRIQUE_REQUIRE_POSTGRES unset";
  const auto why = fabrique::test::backend_unavailable("postgres");
  EXPECT_FALSE(why.has_value()) << *why;
}

// ---------------------------------------------------------------- both backends

TEST_P(StoreTest, NumberedParametersBind) {
  auto db = fresh_database();
  auto c = db->connect();
  auto rows = c->query("SELECT $2, '$1 stays', $1", {std::int64_t{7}, std::string("two")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Row{std::string("two"), std::string("$1 stays"), std::int64_t{7}}));

  std::vector<Value> ten;
  for (std::int64_t i = 1; i <= 10; ++i) ten.emplace_back(i * 100);
  rows = c->query("SELECT $10, $1, $9, $2, $3, $4, $5, $6, $7, $8", ten);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value(std::int64_t{1000}));
  EXPECT_EQ(rows[0][1], Value(std::int64_t{100}));
  EXPECT_EQ(rows[0][2], Value(std::int64_t{900}));

  // A count that does not match is an error, not a silent NULL or a value ignored.
  EXPECT_NE(store_error([&] { c->query("SELECT $1, $2", {std::int64_t{1}}); }), "");
  EXPECT_NE(store_error([&] { c->query("SELECT $1", {std::int64_t{1}, std::int64_t{2}}); }), "");
  EXPECT_NE(store_error([&] { c->query("SELECT $1"); }), "");
  // ... and leaves the connection usable, in a transaction too.
  c->transaction([&](Connection& tx) {
    EXPECT_NE(store_error([&] { tx.query("SELECT $2", {std::int64_t{1}}); }), "");
    EXPECT_EQ(tx.query("SELECT $1", {std::int64_t{5}}).at(0).at(0), Value(std::int64_t{5}));
  });
}

TEST_P(StoreTest, TypedColumnsRoundTrip) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE t (n BIGINT, i BIGINT, r DOUBLE PRECISION, s TEXT)");
  const std::vector<std::int64_t> integers{0, -1, INT64_MIN, INT64_MAX, 9007199254740993};
  const std::vector<double> reals{0.0, 3.25, -1e300, 0.1, 5e-324, 1.7976931348623157e308};
  const std::vector<std::string> texts{
      "", "Épinal – 東京 – 🚲", "it's \"quoted\" $1 -- not a comment", std::string(100000, 'x')};
  std::int64_t n = 0;
  const std::string insert = "INSERT INTO t (n, i, r, s) VALUES ($1, $2, $3, $4)";
  for (std::int64_t v : integers) c->execute(insert, {n++, v, nullptr, nullptr});
  for (double v : reals) c->execute(insert, {n++, nullptr, v, nullptr});
  for (const std::string& v : texts) c->execute(insert, {n++, nullptr, nullptr, v});
  c->execute(insert, {n++, nullptr, nullptr, nullptr});

  const auto rows = c->query("SELECT i, r, s FROM t ORDER BY n");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(n));
  std::size_t at = 0;
  for (std::int64_t v : integers) EXPECT_EQ(rows[at++], (Row{v, nullptr, nullptr})) << v;
  for (double v : reals) EXPECT_EQ(rows[at++], (Row{nullptr, v, nullptr})) << v;
  for (const std::string& v : texts) EXPECT_EQ(rows[at++], (Row{nullptr, nullptr, v})) << v;
  EXPECT_EQ(rows[at], (Row{nullptr, nullptr, nullptr}));

  // The empty string is not NULL.
  EXPECT_EQ(count(*c, "t WHERE s = ''"), 1);
  EXPECT_EQ(count(*c, "t WHERE s IS NULL"), static_cast<std::int64_t>(n) - 4);
  // Values compare by value in WHERE, whatever their kind.
  EXPECT_EQ(c->query("SELECT n FROM t WHERE i = $1", {INT64_MIN}).at(0).at(0),
            Value(std::int64_t{2}));
  EXPECT_EQ(c->query("SELECT count(*) FROM t WHERE r < $1", {0.0}).at(0).at(0),
            Value(std::int64_t{1}));
  EXPECT_EQ(c->query("SELECT n FROM t WHERE s = $1", {texts[1]}).size(), 1u);
}

TEST_P(StoreTest, ExecuteCountsChangedRows) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE t (v INTEGER)");
  for (std::int64_t v = 1; v <= 5; ++v) EXPECT_EQ(c->execute("INSERT INTO t VALUES ($1)", {v}), 1);
  EXPECT_EQ(c->execute("UPDATE t SET v = v + 10 WHERE v > $1", {std::int64_t{2}}), 3);
  EXPECT_EQ(c->execute("DELETE FROM t WHERE v = $1", {std::int64_t{99}}), 0);
  EXPECT_EQ(c->execute("DELETE FROM t"), 5);
}

TEST_P(StoreTest, SeveralStatementsWithoutParameters) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);\n INSERT INTO a VALUES (2);");
  // The rows are the last statement's.
  EXPECT_EQ(c->query("INSERT INTO a VALUES (3); SELECT count(*) FROM a").at(0).at(0),
            Value(std::int64_t{3}));
  EXPECT_NE(store_error([&] {
              c->execute("INSERT INTO a VALUES ($1); INSERT INTO a VALUES (5)", {std::int64_t{4}});
            }),
            "");
  EXPECT_EQ(count(*c, "a"), 3);
}

TEST_P(StoreTest, ErrorsNameTheStatement) {
  auto db = fresh_database();
  auto c = db->connect();
  const std::string message = store_error([&] { c->query("SELECT * FROM no_such_table"); });
  EXPECT_TRUE(message.starts_with(backend() + ": ")) << message;
  EXPECT_TRUE(contains(message, "no_such_table")) << message;
  EXPECT_TRUE(contains(message, "(in: SELECT * FROM no_such_table)")) << message;
  // The connection goes on.
  EXPECT_EQ(c->query("SELECT 1").at(0).at(0), Value(std::int64_t{1}));
}

TEST_P(StoreTest, ConstraintFailuresSayWhichKind) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute(kInsertAccount, {std::string("a@example.org"), std::string("A")});
  EXPECT_TRUE(
      contains(store_error([&] {
                 c->execute(kInsertAccount, {std::string("a@example.org"), std::string("B")});
               }),
               "UNIQUE constraint failed"));
  EXPECT_TRUE(
      contains(store_error([&] { c->execute("INSERT INTO sessions VALUES ('t', 99, 'x', 'y')"); }),
               "FOREIGN KEY constraint failed"));
  EXPECT_TRUE(contains(store_error([&] {
                         c->execute("INSERT INTO settings (name, value) VALUES ('x', $1)",
                                    {nullptr});
                       }),
                       "NOT NULL constraint failed"));
  EXPECT_TRUE(contains(
      store_error([&] { c->execute("UPDATE accounts SET role = $1", {std::string("king")}); }),
      "CHECK constraint failed"));
  EXPECT_EQ(c->query("SELECT role FROM accounts").at(0).at(0), Value(std::string("resident")));
}

TEST_P(StoreTest, TransactionCommitsOrRollsBackWhole) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE t (v INTEGER)");
  c->transaction([](Connection& tx) {
    tx.execute("INSERT INTO t VALUES (1)");
    tx.execute("INSERT INTO t VALUES (2)");
  });
  EXPECT_EQ(count(*c, "t"), 2);

  EXPECT_THROW(c->transaction([](Connection& tx) {
    tx.execute("INSERT INTO t VALUES (3)");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_EQ(count(*c, "t"), 2);

  // A failing statement midway: nothing of the transaction stays.
  EXPECT_THROW(c->transaction([](Connection& tx) {
    tx.execute("INSERT INTO t VALUES (4)");
    tx.execute("INSERT INTO no_such_table VALUES (5)");
  }),
               StoreError);
  EXPECT_EQ(count(*c, "t"), 2);

  // Nested: the inner failure undoes only the inner part.
  c->transaction([](Connection& tx) {
    tx.execute("INSERT INTO t VALUES (6)");
    EXPECT_THROW(tx.transaction([](Connection& inner) {
      inner.execute("INSERT INTO t VALUES (7)");
      throw std::runtime_error("inner");
    }),
                 std::runtime_error);
  });
  EXPECT_EQ(count(*c, "t"), 3);

  // Another connection sees the committed rows.
  EXPECT_EQ(count(*db->connect(), "t"), 3);
}

// The way to go on after a failed statement on both backends: run it in a
// nested transaction (a savepoint), and catch there.
TEST_P(StoreTest, NestedTransactionRecoversFromAFailedStatement) {
  auto db = fresh_database();
  auto c = db->connect();
  c->transaction([&](Connection& tx) {
    tx.execute(kInsertAccount, {std::string("a@example.org"), std::string("A")});
    const std::string message = store_error([&] {
      tx.transaction([&](Connection& inner) {
        inner.execute("INSERT INTO audit_log (at, action) VALUES ('t', 'duplicate attempt')");
        inner.execute(kInsertAccount, {std::string("a@example.org"), std::string("again")});
      });
    });
    EXPECT_TRUE(contains(message, "UNIQUE")) << message;
    // Two levels deep, the middle one kept.
    tx.transaction([&](Connection& middle) {
      middle.execute("INSERT INTO audit_log (at, action) VALUES ('t', 'middle')");
      EXPECT_THROW(middle.transaction([](Connection& inner) {
        inner.execute("INSERT INTO audit_log (at, action) VALUES ('t', 'inner')");
        inner.query("SELECT * FROM no_such_table");
      }),
                   StoreError);
    });
    tx.execute(kInsertAccount, {std::string("b@example.org"), std::string("B")});
  });
  auto other = db->connect();
  EXPECT_EQ(count(*other, "accounts"), 2);
  EXPECT_EQ(other->query("SELECT action FROM audit_log"),
            (std::vector<Row>{{std::string("middle")}}));
}

// Every step's version, in order (the list grows; the released steps stay).
static std::vector<int> every_version() {
  std::vector<int> versions;
  for (const Migration& m : fabrique::store::migrations()) versions.push_back(m.version);
  return versions;
}

TEST_P(StoreTest, MigrateAppliesOnceAndCreatesTables) {
  auto db = empty_database();
  EXPECT_EQ(fabrique::store::migrate(*db), every_version());
  EXPECT_EQ(fabrique::store::migrate(*db), std::vector<int>{});
  auto c = db->connect();
  const auto rows =
      c->query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), every_version().size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(rows[i][0], Value(std::int64_t{every_version()[i]}));
  EXPECT_EQ(std::get<std::string>(rows[0][2]).size(), 20u);  // 2026-01-01T00:00:00Z
  for (const char* table :
       {"settings", "districts", "census_entries", "accounts", "census_imports", "sessions",
        "password_resets", "login_failures", "outbox", "audit_log", "budget_processes",
        "budget_units", "budget_images", "budget_projects", "budget_project_updates",
        "budget_follows", "budget_participations", "budget_ballots", "budget_results"}) {
    EXPECT_EQ(count(*c, table), 0) << table;
  }
  EXPECT_EQ(count(*c, "email_confirmations"), 0);
  // Ids are assigned; sessions reference accounts (foreign keys enforced).
  c->execute(kInsertAccount, {std::string("a@example.org"), std::string("A")});
  c->execute(kInsertAccount, {std::string("b@example.org"), std::string("B")});
  EXPECT_EQ(c->query("SELECT id, role, language FROM accounts ORDER BY id"),
            (std::vector<Row>{{std::int64_t{1}, std::string("resident"), std::string("fr")},
                              {std::int64_t{2}, std::string("resident"), std::string("fr")}}));
  EXPECT_NE(store_error([&] { c->execute("INSERT INTO sessions VALUES ('t', 99, 'x', 'y')"); }),
            "");
  // ON DELETE CASCADE and SET NULL.
  c->execute("INSERT INTO sessions VALUES ('t', 2, 'x', 'y')");
  c->execute("INSERT INTO audit_log (at, actor_account_id, action) VALUES ('t', 2, 'a')");
  c->execute("DELETE FROM accounts WHERE id = 2");
  EXPECT_EQ(count(*c, "sessions"), 0);
  EXPECT_EQ(c->query("SELECT actor_account_id FROM audit_log").at(0).at(0), Value(nullptr));
  // A database from a newer program is refused.
  c->execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')");
  EXPECT_NE(store_error([&] { fabrique::store::migrate(*db); }).find("newer"), std::string::npos);
}

// Two servers starting at once on one database: each step is applied once.
TEST_P(StoreTest, ConcurrentMigrateAppliesEachStepOnce) {
  // Applying a step twice would fail (the table exists, the column exists);
  // the pause on PostgreSQL widens the window in which both could try.
  const std::vector<Migration> list{
      {1, "one", "CREATE TABLE steps (version INTEGER); INSERT INTO steps VALUES (1)",
       "CREATE TABLE steps (version INTEGER); SELECT pg_sleep(0.05); INSERT INTO steps VALUES (1)"},
      {2, "two", "INSERT INTO steps VALUES (2)"},
      {3, "three", "ALTER TABLE steps ADD COLUMN note TEXT; INSERT INTO steps VALUES (3, 'x')"},
  };
  constexpr int kRounds = 4;
  constexpr int kThreads = 4;
  for (int round = 0; round < kRounds; ++round) {
    auto db = empty_database();
    // Every other round, schema_migrations exists already: the race is then
    // on the steps themselves.
    if (round % 2 == 1) fabrique::store::migrate(*db, {});
    std::vector<std::vector<int>> applied(kThreads);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ++ready;
        while (ready.load() < kThreads) std::this_thread::yield();
        try {
          applied[static_cast<std::size_t>(t)] = fabrique::store::migrate(*db, list);
        } catch (const std::exception& e) {
          ADD_FAILURE() << "round " << round << ", thread " << t << ": " << e.what();
        }
      });
    }
    for (auto& thread : threads) thread.join();
    std::vector<int> all;
    for (const auto& some : applied) all.insert(all.end(), some.begin(), some.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<int>{1, 2, 3})) << "round " << round;
    auto c = db->connect();
    EXPECT_EQ(c->query("SELECT version FROM steps ORDER BY version"),
              (std::vector<Row>{{std::int64_t{1}}, {std::int64_t{2}}, {std::int64_t{3}}}));
    EXPECT_EQ(count(*c, "schema_migrations"), 3);
  }

  // The platform's own schema too.
  auto db = empty_database();
  std::vector<int> first, second;
  std::thread a([&] { first = fabrique::store::migrate(*db); });
  std::thread b([&] { second = fabrique::store::migrate(*db); });
  a.join();
  b.join();
  first.insert(first.end(), second.begin(), second.end());
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, every_version());
}

TEST_P(StoreTest, UniqueEmailViolationChangesNothing) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute(kInsertAccount, {std::string("x@example.org"), std::string("first")});
  const std::string message = store_error([&] {
    c->transaction([&](Connection& tx) {
      tx.execute("INSERT INTO audit_log (at, action) VALUES ('now', 'signup')");
      tx.execute(kInsertAccount, {std::string("x@example.org"), std::string("second")});
    });
  });
  EXPECT_NE(message.find("UNIQUE"), std::string::npos) << message;
  EXPECT_NE(message.find("INSERT INTO accounts"), std::string::npos) << message;
  EXPECT_EQ(count(*c, "accounts"), 1);
  EXPECT_EQ(count(*c, "audit_log"), 0);
  EXPECT_EQ(c->query("SELECT display_name FROM accounts").at(0).at(0), Value(std::string("first")));
  EXPECT_EQ(count(*db->connect(), "audit_log"), 0);
}

TEST_P(StoreTest, ConcurrentWritersAllSucceed) {
  auto db = fresh_database();
  db->connect()->execute("CREATE TABLE t (writer INTEGER, n INTEGER)");
  constexpr int kRows = 150;
  std::atomic<int> failures{0};
  auto writer = [&](std::int64_t id) {
    try {
      auto c = db->connect();
      for (std::int64_t n = 0; n < kRows; ++n) {
        if (n % 2 == 0) {
          c->transaction([&](Connection& tx) {
            tx.execute("INSERT INTO t VALUES ($1, $2)", {id, n});
          });
        } else {
          c->execute("INSERT INTO t VALUES ($1, $2)", {id, n});
        }
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
      ++failures;
    }
  };
  std::thread a(writer, 1);
  std::thread b(writer, 2);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count(*db->connect(), "t"), 2 * kRows);
}

// Read-modify-write of one row from two connections: no increment lost.
TEST_P(StoreTest, ConcurrentIncrementsOfOneRowAllCount) {
  auto db = fresh_database();
  db->connect()->execute(
      "CREATE TABLE counter (n BIGINT NOT NULL); INSERT INTO counter VALUES (0)");
  constexpr int kIncrements = 100;
  auto writer = [&] {
    try {
      auto c = db->connect();
      for (int i = 0; i < kIncrements; ++i) {
        c->transaction(
            [](Connection& tx) { tx.execute("UPDATE counter SET n = n + $1", {std::int64_t{1}}); });
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  };
  std::thread a(writer);
  std::thread b(writer);
  a.join();
  b.join();
  EXPECT_EQ(db->connect()->query("SELECT n FROM counter").at(0).at(0),
            Value(std::int64_t{2 * kIncrements}));
}

// An acknowledged commit is there for anyone who connects afterwards, even
// when the process that made it dies at once.
TEST_P(StoreTest, CommittedRowSurvivesProcessKill) {
  auto db = fresh_database();
  db->connect()->execute("CREATE TABLE t (v TEXT)");
  const pid_t child = ::fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child commits, then dies at once: no close, no destructor, no exit handler.
    try {
      auto mine = fabrique::store::open(db->url());
      auto c = mine->connect();
      c->transaction([](Connection& tx) { tx.execute("INSERT INTO t VALUES ('committed')"); });
      ::kill(::getpid(), SIGKILL);
    } catch (...) {
    }
    ::_exit(3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  auto c = fabrique::store::open(db->url())->connect();
  EXPECT_EQ(c->query("SELECT v FROM t").at(0).at(0), Value(std::string("committed")));
}

TEST_P(StoreTest, CommitIsVisibleToANewConnectionAtOnce) {
  auto db = fresh_database();
  auto writer = db->connect();
  auto reader = db->connect();  // open before the commit
  writer->execute("CREATE TABLE t (v BIGINT)");
  for (std::int64_t v = 1; v <= 20; ++v) {
    writer->transaction([&](Connection& tx) { tx.execute("INSERT INTO t VALUES ($1)", {v}); });
    EXPECT_EQ(count(*fabrique::store::open(db->url())->connect(), "t"), v);
    EXPECT_EQ(count(*reader, "t"), v);
  }
}

// ---------------------------------------------------------------- SQLite only

TEST(StoreParameters, TranslationLeavesLiteralsAndCommentsAlone) {
  using fabrique::store::translate_numbered_parameters;
  EXPECT_EQ(translate_numbered_parameters("SELECT $1, $2, $10"), "SELECT ?1, ?2, ?10");
  EXPECT_EQ(translate_numbered_parameters("SELECT '$1', 'it''s $2', $3"),
            "SELECT '$1', 'it''s $2', ?3");
  EXPECT_EQ(translate_numbered_parameters("SELECT \"$1\" -- $2\n, /* $3 */ $4"),
            "SELECT \"$1\" -- $2\n, /* $3 */ ?4");
  EXPECT_EQ(translate_numbered_parameters("SELECT $a, $"), "SELECT $a, $");
}

// SQLite keeps any value in an untyped column, NUL bytes included.
TEST_F(SqliteStoreTest, UntypedColumnKeepsEveryValue) {
  auto db = open_db();
  auto c = db->connect();
  c->execute("CREATE TABLE t (v)");
  const std::string with_nul("a\0b", 3);
  const std::string utf8 = "Épinal – 東京 – 🚲";
  const std::vector<Value> values{
      nullptr, std::int64_t{0}, std::int64_t{INT64_MIN}, std::int64_t{INT64_MAX},
      3.25,    -1e300,          std::string(),           with_nul,
      utf8};
  for (const Value& v : values) EXPECT_EQ(c->execute("INSERT INTO t (v) VALUES ($1)", {v}), 1);
  const auto rows = c->query("SELECT v FROM t ORDER BY rowid");
  ASSERT_EQ(rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(rows[i].at(0), values[i]) << i;
  EXPECT_EQ(std::get<std::string>(rows[7][0]).size(), 3u);
}

TEST_F(SqliteStoreTest, PragmasAreInEffect) {
  auto db = open_db();
  auto c = db->connect();
  EXPECT_EQ(c->query("PRAGMA journal_mode").at(0).at(0), Value(std::string("wal")));
  EXPECT_EQ(c->query("PRAGMA synchronous").at(0).at(0), Value(std::int64_t{2}));
  EXPECT_EQ(c->query("PRAGMA foreign_keys").at(0).at(0), Value(std::int64_t{1}));
  EXPECT_EQ(c->query("PRAGMA busy_timeout").at(0).at(0), Value(std::int64_t{5000}));
}

TEST_F(SqliteStoreTest, OpenUrls) {
  EXPECT_EQ(fabrique::store::open(path("bare.sqlite"))->kind(), "sqlite");
  EXPECT_TRUE(fs::exists(path("bare.sqlite")));
  EXPECT_EQ(fabrique::store::open("sqlite:" + path("prefixed.sqlite"))->kind(), "sqlite");
  EXPECT_TRUE(fs::exists(path("prefixed.sqlite")));
  EXPECT_NE(store_error([&] { fabrique::store::open("sqlite:" + path("no/such/dir/db")); }), "");
  EXPECT_NE(store_error([] { fabrique::store::open("sqlite:"); }), "");
}

TEST_F(SqliteStoreTest, BackupWhileWritingHasEveryCommittedRow) {
  auto db = open_db();
  fabrique::store::migrate(*db);
  db->connect()->execute("CREATE TABLE t (pair INTEGER, half INTEGER)");
  std::atomic<std::int64_t> committed{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    auto c = db->connect();
    for (std::int64_t i = 0; !stop.load(); ++i) {
      // Two rows per transaction: a consistent copy holds an even count.
      c->transaction([&](Connection& tx) {
        tx.execute("INSERT INTO t VALUES ($1, 0)", {i});
        tx.execute("INSERT INTO t VALUES ($1, 1)", {i});
      });
      committed.store(i + 1);
    }
  });
  while (committed.load() < 50) std::this_thread::yield();
  const std::int64_t before = committed.load();
  fabrique::store::backup_sqlite(path("db.sqlite"), path("backup.sqlite"));
  stop = true;
  writer.join();

  auto copy = fabrique::store::open("sqlite:" + path("backup.sqlite"))->connect();
  EXPECT_EQ(copy->query("PRAGMA integrity_check").at(0).at(0), Value(std::string("ok")));
  const std::int64_t rows = count(*copy, "t");
  EXPECT_GE(rows, 2 * before);
  EXPECT_EQ(rows % 2, 0);
  EXPECT_EQ(count(*copy, "schema_migrations"), static_cast<std::int64_t>(every_version().size()));
  EXPECT_FALSE(fs::exists(path("backup.sqlite.partial-" + std::to_string(::getpid()))));
}

TEST_F(SqliteStoreTest, RestoreBringsBackTheBackup) {
  auto db = open_db();
  fabrique::store::migrate(*db);
  auto c = db->connect();
  c->execute("INSERT INTO audit_log (at, action) VALUES ('t1', 'before backup')");
  fabrique::store::backup_sqlite(path("db.sqlite"), path("backup.sqlite"));
  c->execute("INSERT INTO audit_log (at, action) VALUES ('t2', 'after backup')");
  EXPECT_EQ(count(*c, "audit_log"), 2);

  fabrique::store::restore_sqlite(path("backup.sqlite"), path("db.sqlite"));
  // The open connection sees the restored content.
  EXPECT_EQ(count(*c, "audit_log"), 1);
  EXPECT_EQ(count(*open_db()->connect(), "audit_log"), 1);
  EXPECT_EQ(c->query("PRAGMA journal_mode").at(0).at(0), Value(std::string("wal")));

  // Into a new path too.
  fabrique::store::restore_sqlite(path("backup.sqlite"), path("fresh.sqlite"));
  EXPECT_EQ(count(*open_db("fresh.sqlite")->connect(), "audit_log"), 1);
}

TEST_F(SqliteStoreTest, RestoreRefusesWhatIsNotAFabriqueDatabase) {
  auto db = open_db();
  fabrique::store::migrate(*db);
  db->connect()->execute("INSERT INTO audit_log (at, action) VALUES ('t', 'keep me')");

  {
    std::ofstream out(path("notes.txt"));
    out << "this is not a database\n";
  }
  std::string message =
      store_error([&] { fabrique::store::restore_sqlite(path("notes.txt"), path("db.sqlite")); });
  EXPECT_NE(message.find("restore refused"), std::string::npos) << message;
  EXPECT_NE(message.find("not a SQLite database"), std::string::npos) << message;

  message = store_error(
      [&] { fabrique::store::restore_sqlite(path("missing.sqlite"), path("db.sqlite")); });
  EXPECT_NE(message.find("restore refused"), std::string::npos) << message;

  open_db("other.sqlite")->connect()->execute("CREATE TABLE x (y)");
  message = store_error(
      [&] { fabrique::store::restore_sqlite(path("other.sqlite"), path("db.sqlite")); });
  EXPECT_NE(message.find("schema_migrations"), std::string::npos) << message;

  // The database is untouched.
  EXPECT_EQ(count(*db->connect(), "audit_log"), 1);
}

// ---------------------------------------------------------------- PostgreSQL only

// No server needed: what open() does with PostgreSQL URLs it cannot reach.
TEST(StoreOpen, PostgresUrlsThatCannotConnect) {
  for (const char* scheme : {"postgres://", "postgresql://"}) {
    const std::string message = store_error(
        [&] { fabrique::store::open(scheme + std::string("someone:s3cret@127.0.0.1:1/nothing")); });
    EXPECT_TRUE(message.starts_with("postgres: cannot connect: ")) << message;
    EXPECT_FALSE(contains(message, "s3cret")) << message;
  }
}

TEST_P(PostgresStoreTest, ColumnTypesMapToValues) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute(
      "CREATE TABLE t (n BIGINT, i2 SMALLINT, i4 INTEGER, i8 BIGINT, f4 REAL, f8 DOUBLE PRECISION, "
      "num NUMERIC, b BOOLEAN, s TEXT, ts TIMESTAMPTZ, j JSONB)");
  c->execute(
      "INSERT INTO t VALUES (1, -32768, 2147483647, $1, 0.5, $2, 12.25, TRUE, $3, "
      "'2026-01-02T03:04:05Z', $4)",
      {INT64_MIN, 0.1, std::string("Épinal – 東京 – 🚲"), std::string(R"({"a": [1, "é"]})")});
  c->execute("INSERT INTO t (n, b) VALUES (2, FALSE)");
  c->execute("INSERT INTO t (n) VALUES (3)");
  c->execute("SET TIME ZONE 'UTC'");
  const auto rows = c->query("SELECT i2, i4, i8, f4, f8, num, b, s, ts, j FROM t ORDER BY n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            (Row{std::int64_t{-32768}, std::int64_t{2147483647}, INT64_MIN, 0.5, 0.1, 12.25,
                 std::int64_t{1}, std::string("Épinal – 東京 – 🚲"),
                 std::string("2026-01-02 03:04:05+00"), std::string(R"({"a": [1, "é"]})")}));
  EXPECT_EQ(rows[1][6], Value(std::int64_t{0}));
  for (const Value& v : rows[2]) EXPECT_EQ(v, Value(nullptr));
  // Expressions too: count is bigint, avg of integers numeric, comparisons boolean.
  EXPECT_EQ(c->query("SELECT count(*), avg(i4), 1 < 2, 'x' FROM t WHERE n = 1").at(0),
            (Row{std::int64_t{1}, 2147483647.0, std::int64_t{1}, std::string("x")}));
}

TEST_P(PostgresStoreTest, TextIsUtf8CharactersAndRefusesNul) {
  auto db = fresh_database();
  auto c = db->connect();
  const std::string text = "Épinal – 東京 – 🚲";
  EXPECT_EQ(c->query("SELECT length($1), octet_length($1), upper($1)", {text}).at(0),
            (Row{std::int64_t{15}, static_cast<std::int64_t>(text.size()),
                 std::string("ÉPINAL – 東京 – 🚲")}));
  c->execute("CREATE TABLE t (s TEXT)");
  const std::string message =
      store_error([&] { c->execute("INSERT INTO t VALUES ($1)", {std::string("a\0b", 3)}); });
  EXPECT_TRUE(contains(message, "NUL")) << message;
  EXPECT_EQ(count(*c, "t"), 0);
}

TEST_P(PostgresStoreTest, SpecialDoublesRoundTrip) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE t (n BIGINT, r DOUBLE PRECISION)");
  const std::vector<double> values{
      INFINITY, -INFINITY, NAN, -0.0, 2.2250738585072014e-308, 123456789.123456789};
  for (std::size_t i = 0; i < values.size(); ++i) {
    c->execute("INSERT INTO t VALUES ($1, $2)", {static_cast<std::int64_t>(i), values[i]});
  }
  const auto rows = c->query("SELECT r FROM t ORDER BY n");
  ASSERT_EQ(rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double read = std::get<double>(rows[i][0]);
    if (std::isnan(values[i])) {
      EXPECT_TRUE(std::isnan(read));
    } else {
      EXPECT_EQ(read, values[i]) << i;
      EXPECT_EQ(std::signbit(read), std::signbit(values[i])) << i;
    }
  }
  // A numeric beyond double's range reads as infinity rather than failing.
  EXPECT_EQ(c->query("SELECT CAST('1e400' AS NUMERIC)").at(0).at(0), Value(INFINITY));
}

// Integers are bound as bigint, strings and NULLs typed by the statement; a
// statement is prepared once per kind of values.
TEST_P(PostgresStoreTest, ValuesOfEveryKindFitTheirColumns) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE t (i INTEGER, s TEXT, r DOUBLE PRECISION, d DATE)");
  const std::string insert = "INSERT INTO t VALUES ($1, $2, $3, $4)";
  c->execute(insert, {std::int64_t{1}, std::string("a"), 1.5, std::string("2026-03-01")});
  c->execute(insert, {nullptr, nullptr, nullptr, nullptr});
  c->execute(insert, {std::string("3"), std::int64_t{42}, std::int64_t{2}, nullptr});
  EXPECT_EQ(c->query("SELECT i, s, r, CAST(d AS TEXT) FROM t ORDER BY i NULLS LAST"),
            (std::vector<Row>{{std::int64_t{1}, std::string("a"), 1.5, std::string("2026-03-01")},
                              {std::int64_t{3}, std::string("42"), 2.0, nullptr},
                              {nullptr, nullptr, nullptr, nullptr}}));
  // A 64-bit value where a 32-bit one is expected is an error, not a wrap-around.
  EXPECT_NE(store_error([&] { c->execute(insert, {INT64_MAX, nullptr, nullptr, nullptr}); }), "");
  // An optional filter: the NULL needs a type (CAST works on SQLite too).
  const std::string filter = "SELECT count(*) FROM t WHERE CAST($1 AS BIGINT) IS NULL OR i = $1";
  EXPECT_EQ(c->query(filter, {nullptr}).at(0).at(0), Value(std::int64_t{3}));
  EXPECT_EQ(c->query(filter, {std::int64_t{3}}).at(0).at(0), Value(std::int64_t{1}));
}

// Unlike SQLite, PostgreSQL aborts the whole transaction on a failed
// statement: committing after swallowing the error must not pretend to work.
TEST_P(PostgresStoreTest, CommitAfterASwallowedErrorFails) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE t (v INTEGER)");
  const std::string message = store_error([&] {
    c->transaction([](Connection& tx) {
      tx.execute("INSERT INTO t VALUES (1)");
      EXPECT_THROW(tx.execute("INSERT INTO no_such_table VALUES (2)"), StoreError);
    });
  });
  EXPECT_TRUE(contains(message, "failed earlier")) << message;
  EXPECT_EQ(count(*c, "t"), 0);
  // The connection is out of the transaction and usable.
  c->transaction([](Connection& tx) { tx.execute("INSERT INTO t VALUES (3)"); });
  EXPECT_EQ(count(*db->connect(), "t"), 1);
}

TEST_P(PostgresStoreTest, PreparedStatementsOutliveRollbacks) {
  auto db = fresh_database();
  auto c = db->connect();
  c->execute("CREATE TABLE t (v BIGINT)");
  const std::string insert = "INSERT INTO t VALUES ($1)";
  EXPECT_THROW(c->transaction([&](Connection& tx) {
    tx.execute(insert, {std::int64_t{1}});  // prepared here
    throw std::runtime_error("roll back");
  }),
               std::runtime_error);
  c->execute(insert, {std::int64_t{2}});
  // More distinct statements than the cache holds.
  for (std::int64_t i = 0; i < 300; ++i) {
    EXPECT_EQ(c->query("SELECT $1 + " + std::to_string(i), {i}).at(0).at(0), Value(2 * i));
  }
  c->execute(insert, {std::int64_t{3}});
  EXPECT_EQ(c->query("SELECT v FROM t ORDER BY v"),
            (std::vector<Row>{{std::int64_t{2}}, {std::int64_t{3}}}));
}

// A server restart or an idle timeout cuts connections: the next call after
// the failed one connects again.
TEST_P(PostgresStoreTest, ReconnectsAfterTheServerDropsTheConnection) {
  auto db = fresh_database();
  auto victim = db->connect();
  const Value pid = victim->query("SELECT pg_backend_pid()").at(0).at(0);
  EXPECT_EQ(victim->query("SELECT $1", {std::int64_t{1}}).at(0).at(0), Value(std::int64_t{1}));
  db->connect()->query("SELECT pg_terminate_backend(CAST($1 AS INTEGER), 5000)", {pid});
  EXPECT_NE(store_error([&] { victim->query("SELECT $1", {std::int64_t{2}}); }), "");
  EXPECT_EQ(victim->query("SELECT $1", {std::int64_t{3}}).at(0).at(0), Value(std::int64_t{3}));
  EXPECT_NE(victim->query("SELECT pg_backend_pid()").at(0).at(0), pid);

  // Inside a transaction, no silent reconnection: the transaction fails whole.
  victim->execute("CREATE TABLE t (v INTEGER)");
  const Value again = victim->query("SELECT pg_backend_pid()").at(0).at(0);
  EXPECT_THROW(victim->transaction([&](Connection& tx) {
    tx.execute("INSERT INTO t VALUES (1)");
    db->connect()->query("SELECT pg_terminate_backend(CAST($1 AS INTEGER), 5000)", {again});
    EXPECT_THROW(tx.execute("INSERT INTO t VALUES (2)"), StoreError);
    tx.execute("INSERT INTO t VALUES (3)");
  }),
               StoreError);
  EXPECT_EQ(count(*victim, "t"), 0);
}

// The pool hands on no connection the server has closed: one closed while it
// sat idle is replaced before the next request takes it (that request's
// first statement works), and one found closed by a failed statement is
// dropped when given back.
TEST_P(PostgresStoreTest, PoolReplacesAConnectionTheServerClosed) {
  auto db = fresh_database();
  fabrique::store::Pool pool(*db, 1);
  const std::string terminate = "SELECT pg_terminate_backend(CAST($1 AS INTEGER), 5000)";
  Value idle_pid;
  {
    auto lease = pool.acquire();
    idle_pid = lease->query("SELECT pg_backend_pid()").at(0).at(0);
  }
  EXPECT_EQ(db->connect()->query(terminate, {idle_pid}).at(0).at(0), Value(std::int64_t{1}));
  Value busy_pid;
  {
    auto lease = pool.acquire();
    EXPECT_EQ(lease->query("SELECT $1", {std::int64_t{1}}).at(0).at(0), Value(std::int64_t{1}));
    busy_pid = lease->query("SELECT pg_backend_pid()").at(0).at(0);
    EXPECT_NE(busy_pid, idle_pid);
    db->connect()->query(terminate, {busy_pid});
    EXPECT_THROW(lease->query("SELECT $1", {std::int64_t{2}}), StoreError);
    EXPECT_FALSE(fabrique::store::connection_alive(*lease));
  }
  {
    auto lease = pool.acquire();  // a size of 1: the dropped one's place was freed
    EXPECT_TRUE(fabrique::store::connection_alive(*lease));
    EXPECT_EQ(lease->query("SELECT $1", {std::int64_t{3}}).at(0).at(0), Value(std::int64_t{3}));
    EXPECT_NE(lease->query("SELECT pg_backend_pid()").at(0).at(0), busy_pid);
  }
}

// While another server holds the migration lock, migrate() waits: here the
// other server is a second connection.
TEST_P(PostgresStoreTest, MigrationWaitsForAnotherHoldingTheLock) {
  auto db = empty_database();
  auto holder = db->connect();
  std::atomic<bool> released{false};
  std::vector<int> applied;
  std::thread migrating;
  holder->transaction([&](Connection& tx) {
    tx.query("SELECT pg_advisory_xact_lock($1)", {std::int64_t{0x6661627269717565}});
    migrating = std::thread([&] { applied = fabrique::store::migrate(*db); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // Still waiting: nothing created yet.
    EXPECT_EQ(count(*db->connect(), "pg_tables WHERE tablename = 'schema_migrations'"), 0);
    released = true;
  });
  migrating.join();
  EXPECT_TRUE(released.load());
  EXPECT_EQ(applied, every_version());
}

}  // namespace
