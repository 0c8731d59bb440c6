// Running a test on every storage backend: SQLite always, PostgreSQL on the
// server that scripts/with-postgres starts (FABRIQUE_TEST_POSTGRES).
//
//   class OutboxTest : public fabrique::test::BackendTest {};
//   TEST_P(OutboxTest, SendsOnce) {
//     auto db = fresh_database();  // migrated, empty, this test's own
//     ...
//   }
//   FABRIQUE_INSTANTIATE_ON_BACKENDS(OutboxTest);  // OutboxTest.SendsOnce/sqlite, .../postgres
//
// Both backends are always instantiated: ctest lists the tests when they are
// built, before any server runs. A PostgreSQL test finding no server skips
// itself, or fails when FABRIQUE_REQUIRE_POSTGRES=1 (as `make test` sets).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace fabrique::test {

// {"sqlite", "postgres"}.
std::vector<std::string> test_backends();

// Why `backend` cannot be tested in this process, or nullopt when it can.
std::optional<std::string> backend_unavailable(const std::string& backend);

// FABRIQUE_REQUIRE_POSTGRES=1: an unavailable backend fails the test.
bool backends_required();

// A database of one test's own, deleted (SQLite: its directory) or dropped
// (PostgreSQL) when destroyed.
class TestDatabase : public store::Database {
 public:
  TestDatabase(std::unique_ptr<store::Database> database, std::string url,
               std::function<void()> cleanup);
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase() override;

  std::unique_ptr<store::Connection> connect() override { return database_->connect(); }
  std::string kind() const override { return database_->kind(); }
  // For store::open() elsewhere, or `fabrique serve --database URL`.
  const std::string& url() const { return url_; }

 private:
  std::unique_ptr<store::Database> database_;
  std::string url_;
  std::function<void()> cleanup_;
};

// An empty database on `backend` ("sqlite" or "postgres") with every
// migration applied. `name` (the test's, say) only helps to recognise it.
// Throws when the backend is unavailable.
std::unique_ptr<TestDatabase> fresh_database(const std::string& backend, const std::string& name);

// The same without migrations: not even schema_migrations exists.
std::unique_ptr<TestDatabase> empty_database(const std::string& backend, const std::string& name);

// Names the instances by backend: Suite.Test/sqlite, Suite.Test/postgres.
struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<std::string>& info) const {
    return info.param;
  }
};

// A fixture run once per backend (GetParam() is the backend). A subclass
// overriding SetUp() calls BackendTest::SetUp() first and returns when
// IsSkipped() or HasFatalFailure().
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  const std::string& backend() const { return GetParam(); }
  // fresh_database(backend(), the current test's name).
  std::unique_ptr<TestDatabase> fresh_database() const;
  std::unique_ptr<TestDatabase> empty_database() const;
};

// BackendTest with a fresh database of the test's own (database_) and one
// connection to it (db_), both closed after the test. A subclass overriding
// SetUp() calls DatabaseTest::SetUp() first and returns when IsSkipped() or
// HasFatalFailure(); one overriding TearDown() calls DatabaseTest::TearDown()
// last.
class DatabaseTest : public BackendTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<store::Connection> db_;
};

// The current test's name, e.g. "StoreTest.Types/postgres".
std::string current_test_name();

}  // namespace fabrique::test

// In the SetUp() of a fixture not derived from BackendTest: skips the test
// when `backend` is unavailable, fails it when that is required.
#define FABRIQUE_SKIP_UNLESS_AVAILABLE(backend)                                     \
  do {                                                                              \
    if (const auto fabrique_why = ::fabrique::test::backend_unavailable(backend)) { \
      if (::fabrique::test::backends_required()) FAIL() << *fabrique_why;           \
      GTEST_SKIP() << *fabrique_why;                                                \
    }                                                                               \
  } while (false)

// Runs every TEST_P of `suite` (a TestWithParam<std::string>) on each backend.
#define FABRIQUE_INSTANTIATE_ON_BACKENDS(suite)                                             \
  INSTANTIATE_TEST_SUITE_P(, suite, ::testing::ValuesIn(::fabrique::test::test_backends()), \
                           ::fabrique::test::BackendName())
