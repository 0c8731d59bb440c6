// Test databases on each backend (databases.hpp).
#include "support/databases.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "store/migrations.hpp"
#include "support/temp_dir.hpp"

namespace fabrique::test {

namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string postgres_url() { return environment("FABRIQUE_TEST_POSTGRES"); }

// Letters, digits and underscores only: safe in a path and as an unquoted
// PostgreSQL identifier.
std::string identifier(const std::string& name, std::size_t max) {
  std::string out;
  for (char c : name) {
    if (out.size() >= max) break;
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  return out;
}

// A name no other database of this machine's tests has: pid and counter.
std::string unique_name(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  const std::string prefix =
      "ft_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_";
  return prefix + identifier(name, 63 - prefix.size());  // PostgreSQL's limit
}

// FABRIQUE_TEST_POSTGRES with its database replaced by `database`.
std::string with_database(const std::string& url, const std::string& database) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    throw std::runtime_error("FABRIQUE_TEST_POSTGRES is not a postgres:// URL");
  }
  const std::size_t query = url.find('?', scheme + 3);
  const std::size_t end = query == std::string::npos ? url.size() : query;
  const std::size_t slash = url.find('/', scheme + 3);
  if (slash == std::string::npos || slash > end) {
    return url.substr(0, end) + "/" + database + url.substr(end);
  }
  return url.substr(0, slash + 1) + database + url.substr(end);
}

// One connection per process to the database FABRIQUE_TEST_POSTGRES names,
// to create and drop the others. Never destroyed: a TestDatabase may outlive
// static destruction.
struct Maintenance {
  std::mutex mutex;
  std::unique_ptr<store::Database> database;
  std::unique_ptr<store::Connection> connection;

  // `body` with the connection, one caller at a time in this process.
  template <class Body>
  auto with(Body body) {
    const std::lock_guard lock(mutex);
    if (!connection) {
      database = store::open(postgres_url());
      connection = database->connect();
    }
    return body(*connection);
  }
  void run(const std::string& sql) {
    with([&](store::Connection& c) { return c.execute(sql); });
  }
};

Maintenance& maintenance() {
  static auto* instance = new Maintenance;
  return *instance;
}

// The migrations' text, condensed: a template made from other migrations
// (another build on the same cluster) is never used.
std::string migrations_fingerprint() {
  std::size_t hash = 0;
  for (const auto& migration : store::migrations())
    hash = hash * 1000003u ^
           std::hash<std::string>{}(std::to_string(migration.version) + migration.name +
                                    store::dialect_sql(migration, "postgres"));
  return std::to_string(store::migrations().size()) + "_" + std::to_string(hash % 1000000007u);
}

// A PostgreSQL database with every migration applied, for
// CREATE DATABASE ... TEMPLATE: copying it takes a fraction of the time
// migrating takes. Made once per cluster (every test process of a run asks
// for the same one; an advisory lock lets one make it while the others
// wait), under another name first, so that a process killed halfway leaves
// no half-migrated template.
const std::string& migrated_template() {
  static const std::string name = [] {
    const std::string final_name = "ft_template_" + migrations_fingerprint();
    maintenance().with([&](store::Connection& c) {
      c.execute("SELECT pg_advisory_lock(727274)");
      try {
        if (c.query("SELECT 1 FROM pg_database WHERE datname = $1", {final_name}).empty()) {
          const std::string making = "ft_making_" + std::to_string(::getpid());
          c.execute("DROP DATABASE IF EXISTS " + making);
          c.execute("CREATE DATABASE " + making);
          {
            auto database = store::open(with_database(postgres_url(), making));
            store::migrate(*database);
          }  // closed: a template may have no connection when copied
          c.execute("ALTER DATABASE " + making + " RENAME TO " + final_name);
        }
      } catch (...) {
        c.execute("SELECT pg_advisory_unlock(727274)");
        throw;
      }
      c.execute("SELECT pg_advisory_unlock(727274)");
      return 0;
    });
    return final_name;
  }();
  return name;
}

// A database of its own on `backend`; on PostgreSQL, `migrated` copies the
// migrated template instead of an empty database.
std::unique_ptr<TestDatabase> create(const std::string& backend, const std::string& name,
                                     bool migrated) {
  if (const auto why = backend_unavailable(backend)) throw std::runtime_error(*why);
  if (backend == "sqlite") {
    auto dir = std::make_shared<TempDir>("db");
    const std::string url = dir->sqlite_url();
    return std::make_unique<TestDatabase>(store::open(url), url, [dir]() mutable { dir.reset(); });
  }
  const std::string unique = unique_name(name);
  maintenance().run("CREATE DATABASE " + unique +
                    (migrated ? " TEMPLATE " + migrated_template() : std::string()));
  const std::string url = with_database(postgres_url(), unique);
  auto drop = [unique] {
    try {
      // FORCE: a connection a test left open must not keep the database.
      maintenance().run("DROP DATABASE IF EXISTS " + unique + " WITH (FORCE)");
    } catch (const std::exception&) {  // the throwaway cluster goes anyway
    }
  };
  try {
    return std::make_unique<TestDatabase>(store::open(url), url, drop);
  } catch (...) {
    drop();
    throw;
  }
}

}  // namespace

std::vector<std::string> test_backends() { return {"sqlite", "postgres"}; }

std::optional<std::string> backend_unavailable(const std::string& backend) {
  if (backend == "sqlite") return std::nullopt;
  if (backend == "postgres") {
    if (!postgres_url().empty()) return std::nullopt;
    return std::string(
        "no PostgreSQL to test on: FABRIQUE_TEST_POSTGRES is not set (run the tests under "
        "scripts/with-postgres)");
  }
  return "unknown backend " + backend;
}

bool backends_required() { return environment("FABRIQUE_REQUIRE_POSTGRES") == "1"; }

TestDatabase::TestDatabase(std::unique_ptr<store::Database> database, std::string url,
                           std::function<void()> cleanup)
    : database_(std::move(database)), url_(std::move(url)), cleanup_(std::move(cleanup)) {}

TestDatabase::~TestDatabase() {
  database_.reset();
  if (cleanup_) cleanup_();
}

std::unique_ptr<TestDatabase> fresh_database(const std::string& backend, const std::string& name) {
  auto database = create(backend, name, /*migrated=*/true);
  if (backend != "postgres") store::migrate(*database);  // PostgreSQL: copied migrated
  return database;
}

std::unique_ptr<TestDatabase> empty_database(const std::string& backend, const std::string& name) {
  return create(backend, name, /*migrated=*/false);
}

std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "test";
  return std::string(info->test_suite_name()) + "." + info->name();
}

void BackendTest::SetUp() { FABRIQUE_SKIP_UNLESS_AVAILABLE(backend()); }

void DatabaseTest::SetUp() {
  BackendTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  database_ = fresh_database();
  db_ = database_->connect();
}

void DatabaseTest::TearDown() {
  db_.reset();  // before its database is dropped
  database_.reset();
}

std::unique_ptr<TestDatabase> BackendTest::fresh_database() const {
  return ::fabrique::test::fresh_database(backend(), current_test_name());
}

std::unique_ptr<TestDatabase> BackendTest::empty_database() const {
  return ::fabrique::test::empty_database(backend(), current_test_name());
}

}  // namespace fabrique::test
