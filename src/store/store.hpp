// One storage interface for every capability; SQLite (embedded default) and
// PostgreSQL behind it. SQL is written once, with PostgreSQL-style numbered
// parameters ($1, $2, ...), always bound, never spliced into the text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fabrique::store {

// A value bound to or read from a statement.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
using Row = std::vector<Value>;

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A connection: used by one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual std::vector<Row> query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Returns the number of rows changed.
  virtual std::int64_t execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs `body` in a transaction: committed (durably) when it returns, rolled
  // back when it throws.
  virtual void transaction(const std::function<void(Connection&)>& body) = 0;
  // " FOR SHARE" on PostgreSQL, "" on SQLite (whose write transactions
  // already exclude each other): appended to a SELECT of one row, it keeps
  // that row from changing until the transaction ends.
  virtual std::string_view for_share() const = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual std::unique_ptr<Connection> connect() = 0;
  virtual std::string kind() const = 0;  // "sqlite" or "postgres"
};

// "sqlite:PATH" (or a bare path) or "postgres://...".
std::unique_ptr<Database> open(const std::string& url);

// Applies the numbered migrations not yet applied, each in its own
// transaction; returns the versions it applied.
std::vector<int> migrate(Database& database);

}  // namespace fabrique::store
