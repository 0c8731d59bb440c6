// The storage layer on SQLite: parameters, types, transactions, migrations,
// durability, concurrency, backup and restore.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/backup.hpp"
#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace fs = std::filesystem;
using fabrique::store::Connection;
using fabrique::store::Database;
using fabrique::store::Row;
using fabrique::store::StoreError;
using fabrique::store::Value;

namespace {

// A fresh directory per test, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("fabrique-store-" + std::to_string(::getpid()) + "-" +
                                        info->test_suite_name() + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::unique_ptr<Database> open_db(const std::string& name = "db.sqlite") const {
    return fabrique::store::open("sqlite:" + path(name));
  }

  fs::path dir_;
};

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

}  // namespace

TEST(StoreParameters, TranslationLeavesLiteralsAndCommentsAlone) {
  using fabrique::store::translate_numbered_parameters;
  EXPECT_EQ(translate_numbered_parameters("SELECT $1, $2, $10"), "SELECT ?1, ?2, ?10");
  EXPECT_EQ(translate_numbered_parameters("SELECT '$1', 'it''s $2', $3"),
            "SELECT '$1', 'it''s $2', ?3");
  EXPECT_EQ(translate_numbered_parameters("SELECT \"$1\" -- $2\n, /* $3 */ $4"),
            "SELECT \"$1\" -- $2\n, /* $3 */ ?4");
  EXPECT_EQ(translate_numbered_parameters("SELECT $a, $"), "SELECT $a, $");
}

TEST_F(StoreTest, NumberedParametersBind) {
  auto db = open_db();
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

  // A count that does not match is an error, not a silent NULL.
  EXPECT_NE(store_error([&] { c->query("SELECT $1, $2", {std::int64_t{1}}); }), "");
}

TEST_F(StoreTest, TypesRoundTrip) {
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

TEST_F(StoreTest, TransactionCommitsOrRollsBackWhole) {
  auto db = open_db();
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

TEST_F(StoreTest, MigrateAppliesOnceAndCreatesTables) {
  auto db = open_db();
  EXPECT_EQ(fabrique::store::migrate(*db), std::vector<int>{1});
  EXPECT_EQ(fabrique::store::migrate(*db), std::vector<int>{});
  auto c = db->connect();
  const auto rows = c->query("SELECT version, name, applied_at FROM schema_migrations");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value(std::int64_t{1}));
  EXPECT_EQ(std::get<std::string>(rows[0][2]).size(), 20u);  // 2026-01-01T00:00:00Z
  for (const char* table : {"accounts", "sessions", "audit_log"}) {
    EXPECT_EQ(count(*c, table), 0) << table;
  }
  // Ids are assigned; sessions reference accounts (foreign keys enforced).
  c->execute(
      "INSERT INTO accounts (email, password_hash, display_name, created_at) "
      "VALUES ($1, $2, $3, $4)",
      {std::string("a@example.org"), std::string("h"), std::string("A"),
       std::string("2026-01-01T00:00:00Z")});
  EXPECT_EQ(c->query("SELECT id, role, language FROM accounts").at(0),
            (Row{std::int64_t{1}, std::string("resident"), std::string("fr")}));
  EXPECT_NE(store_error([&] { c->execute("INSERT INTO sessions VALUES ('t', 99, 'x', 'y')"); }),
            "");
  // A database from a newer program is refused.
  c->execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')");
  EXPECT_NE(store_error([&] { fabrique::store::migrate(*db); }).find("newer"), std::string::npos);
}

TEST_F(StoreTest, UniqueEmailViolationChangesNothing) {
  auto db = open_db();
  fabrique::store::migrate(*db);
  auto c = db->connect();
  const std::string insert =
      "INSERT INTO accounts (email, password_hash, display_name, created_at) "
      "VALUES ($1, 'h', $2, 'now')";
  c->execute(insert, {std::string("x@example.org"), std::string("first")});
  const std::string message = store_error([&] {
    c->transaction([&](Connection& tx) {
      tx.execute("INSERT INTO audit_log (at, action) VALUES ('now', 'signup')");
      tx.execute(insert, {std::string("x@example.org"), std::string("second")});
    });
  });
  EXPECT_NE(message.find("UNIQUE"), std::string::npos) << message;
  EXPECT_NE(message.find("INSERT INTO accounts"), std::string::npos) << message;
  EXPECT_EQ(count(*c, "accounts"), 1);
  EXPECT_EQ(count(*c, "audit_log"), 0);
  EXPECT_EQ(c->query("SELECT display_name FROM accounts").at(0).at(0), Value(std::string("first")));
}

TEST_F(StoreTest, PragmasAreInEffect) {
  auto db = open_db();
  auto c = db->connect();
  EXPECT_EQ(c->query("PRAGMA journal_mode").at(0).at(0), Value(std::string("wal")));
  EXPECT_EQ(c->query("PRAGMA synchronous").at(0).at(0), Value(std::int64_t{2}));
  EXPECT_EQ(c->query("PRAGMA foreign_keys").at(0).at(0), Value(std::int64_t{1}));
  EXPECT_EQ(c->query("PRAGMA busy_timeout").at(0).at(0), Value(std::int64_t{5000}));
}

TEST_F(StoreTest, OpenUrls) {
  EXPECT_EQ(fabrique::store::open(path("bare.sqlite"))->kind(), "sqlite");
  EXPECT_TRUE(fs::exists(path("bare.sqlite")));
  EXPECT_EQ(store_error([] { fabrique::store::open("postgres://localhost/x"); }),
            "PostgreSQL backend not built yet");
  EXPECT_NE(store_error([&] { fabrique::store::open("sqlite:" + path("no/such/dir/db")); }), "");
}

TEST_F(StoreTest, ConcurrentWritersAllSucceed) {
  auto db = open_db();
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

TEST_F(StoreTest, CommittedRowSurvivesProcessKill) {
  const std::string file = path("db.sqlite");
  open_db()->connect()->execute("CREATE TABLE t (v TEXT)");
  const pid_t child = ::fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child commits, then dies at once: no close, no destructor, no exit handler.
    try {
      auto db = fabrique::store::open("sqlite:" + file);
      auto c = db->connect();
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
  auto c = open_db()->connect();
  EXPECT_EQ(c->query("SELECT v FROM t").at(0).at(0), Value(std::string("committed")));
}

TEST_F(StoreTest, BackupWhileWritingHasEveryCommittedRow) {
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
  EXPECT_EQ(count(*copy, "schema_migrations"), 1);
  EXPECT_FALSE(fs::exists(path("backup.sqlite.partial-" + std::to_string(::getpid()))));
}

TEST_F(StoreTest, RestoreBringsBackTheBackup) {
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

TEST_F(StoreTest, RestoreRefusesWhatIsNotAFabriqueDatabase) {
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
