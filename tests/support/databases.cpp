// Test databases on each backend (databases.hpp).
#include "support/databases.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace fabrique::test {

namespace {

namespace fs = std::filesystem;

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

  void run(const std::string& sql) {
    const std::lock_guard lock(mutex);
    if (!connection) {
      database = store::open(postgres_url());
      connection = database->connect();
    }
    connection->execute(sql);
  }
};

Maintenance& maintenance() {
  static auto* instance = new Maintenance;
  return *instance;
}

std::unique_ptr<TestDatabase> create(const std::string& backend, const std::string& name) {
  if (const auto why = backend_unavailable(backend)) throw std::runtime_error(*why);
  const std::string unique = unique_name(name);
  if (backend == "sqlite") {
    const fs::path dir = fs::temp_directory_path() / ("fabrique-" + unique);
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string url = "sqlite:" + (dir / "db.sqlite").string();
    return std::make_unique<TestDatabase>(store::open(url), url, [dir] {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    });
  }
  maintenance().run("CREATE DATABASE " + unique);
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
  auto database = create(backend, name);
  store::migrate(*database);
  return database;
}

std::unique_ptr<TestDatabase> empty_database(const std::string& backend, const std::string& name) {
  return create(backend, name);
}

std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "test";
  return std::string(info->test_suite_name()) + "." + info->name();
}

void BackendTest::SetUp() { FABRIQUE_SKIP_UNLESS_AVAILABLE(backend()); }

std::unique_ptr<TestDatabase> BackendTest::fresh_database() const {
  return ::fabrique::test::fresh_database(backend(), current_test_name());
}

std::unique_ptr<TestDatabase> BackendTest::empty_database() const {
  return ::fabrique::test::empty_database(backend(), current_test_name());
}

}  // namespace fabrique::test
