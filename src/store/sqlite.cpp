// The SQLite backend: the sqlite3 C API directly, one sqlite3* per Connection.
#include "store/sqlite.hpp"

#include <sqlite3.h>

#include <cctype>
#include <string>
#include <unordered_map>
#include <utility>

namespace fabrique::store {

namespace {

constexpr std::size_t kSqliteStatementCacheSize = 64;

[[noreturn]] void fail(sqlite3* db, std::string_view sql) {
  std::string message = "sqlite: ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  if (!sql.empty()) {
    message += " (in: ";
    message += first_words(sql);
    message += ")";
  }
  throw StoreError(message);
}

bool only_space(std::string_view text) {
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

class SqliteConnection final : public Connection {
 public:
  std::string_view for_share() const override { return ""; }
  explicit SqliteConnection(const std::string& path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string message = "sqlite: cannot open " + path + ": ";
      message += db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError(message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kSqliteBusyTimeoutMs);
    try {
      // journal_mode=WAL: readers never block the writer. synchronous=FULL:
      // the WAL is synced at every commit, so a committed transaction
      // survives a power loss, not just a crash of the process.
      exec_script("PRAGMA journal_mode=WAL");
      exec_script("PRAGMA synchronous=FULL");
      exec_script("PRAGMA foreign_keys=ON");
      // Deleted and overwritten content (replaced ballot keys) is zeroed in
      // the file, not left for someone reading it raw.
      exec_script("PRAGMA secure_delete=ON");
    } catch (...) {
      close();
      throw;
    }
  }

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  ~SqliteConnection() override { close(); }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<Row> rows;
    run(sql, params, &rows);
    return rows;
  }

  std::int64_t execute(std::string_view sql, const std::vector<Value>& params) override {
    return run(sql, params, nullptr);
  }

  void transaction(const std::function<void(Connection&)>& body) override {
    // Nested calls become savepoints, so a helper that needs a transaction
    // can be called from inside another one.
    const bool nested = sqlite3_get_autocommit(db_) == 0;
    std::string savepoint;
    if (nested) {
      savepoint = "fabrique_sp" + std::to_string(++savepoint_counter_);
      exec_script("SAVEPOINT " + savepoint);
    } else {
      // IMMEDIATE takes the write lock now (waiting up to the busy timeout),
      // so the transaction cannot fail later on a read-to-write upgrade.
      exec_script("BEGIN IMMEDIATE");
    }
    try {
      body(*this);
    } catch (...) {
      undo(nested, savepoint);
      throw;
    }
    try {
      exec_script(nested ? "RELEASE " + savepoint : std::string("COMMIT"));
    } catch (...) {
      undo(nested, savepoint);
      throw;
    }
  }

 private:
  void close() {
    for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
    cache_.clear();
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }

  // Rolls back after a failure, never throwing: the original error is the
  // one worth reporting.
  void undo(bool nested, const std::string& savepoint) noexcept {
    if (sqlite3_get_autocommit(db_) != 0) return;  // SQLite already rolled back
    if (nested) {
      const std::string sql = "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint;
      sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }

  void exec_script(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(db_, sql);
  }

  // Runs every statement of `sql`. Several statements are allowed only
  // without parameters (as PostgreSQL's simple protocol does); rows are
  // collected from the last statement when `rows` is given. Returns the rows
  // changed by the last statement.
  std::int64_t run(std::string_view original, const std::vector<Value>& params,
                   std::vector<Row>* rows) {
    const std::string sql = translate_numbered_parameters(original);

    if (auto hit = cache_.find(sql); hit != cache_.end()) {
      return step_all(hit->second, original, params, rows);
    }

    std::int64_t changes = 0;
    const char* rest = sql.c_str();
    const char* end = sql.c_str() + sql.size();
    bool first = true;
    while (rest < end &&
           !only_space(std::string_view(rest, static_cast<std::size_t>(end - rest)))) {
      sqlite3_stmt* statement = nullptr;
      const char* tail = nullptr;
      if (sqlite3_prepare_v2(db_, rest, static_cast<int>(end - rest), &statement, &tail) !=
          SQLITE_OK) {
        fail(db_, std::string_view(rest, static_cast<std::size_t>(end - rest)));
      }
      const bool whole =
          first && (tail == nullptr ||
                    only_space(std::string_view(tail, static_cast<std::size_t>(end - tail))));
      if (statement == nullptr) {  // only a comment or whitespace left
        rest = tail;
        continue;
      }
      if (!whole && !params.empty()) {
        sqlite3_finalize(statement);
        throw StoreError("sqlite: several statements in one call cannot take parameters (in: " +
                         first_words(original) + ")");
      }
      if (whole) {
        // A single statement: keep it prepared for the next call.
        if (cache_.size() >= kSqliteStatementCacheSize) {
          for (auto& [text, cached] : cache_) sqlite3_finalize(cached);
          cache_.clear();
        }
        cache_.emplace(sql, statement);
        return step_all(statement, original, params, rows);
      }
      try {
        if (rows != nullptr) rows->clear();
        changes = step_all(statement, original, params, rows);
      } catch (...) {
        sqlite3_finalize(statement);
        throw;
      }
      sqlite3_finalize(statement);
      rest = tail;
      first = false;
    }
    return changes;
  }

  // Binds, steps to the end, collects rows; leaves the statement reset and
  // its bindings cleared, ready for reuse.
  std::int64_t step_all(sqlite3_stmt* statement, std::string_view sql,
                        const std::vector<Value>& params, std::vector<Row>* rows) {
    struct Reset {
      sqlite3_stmt* statement;
      ~Reset() {
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
      }
    } reset{statement};

    const int expected = sqlite3_bind_parameter_count(statement);
    if (static_cast<std::size_t>(expected) != params.size()) {
      throw StoreError("sqlite: the statement takes " + std::to_string(expected) +
                       " parameter(s), " + std::to_string(params.size()) +
                       " given (in: " + first_words(sql) + ")");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(params[i])) {
        rc = sqlite3_bind_null(statement, index);
      } else if (const auto* integer = std::get_if<std::int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(statement, index, *integer);
      } else if (const auto* real = std::get_if<double>(&params[i])) {
        rc = sqlite3_bind_double(statement, index, *real);
      } else {
        const auto& text = std::get<std::string>(params[i]);
        rc = sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) fail(db_, sql);
    }

    for (;;) {
      const int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(db_, sql);
      if (rows == nullptr) continue;
      const int columns = sqlite3_column_count(statement);
      Row row;
      row.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(statement, c)) {
          case SQLITE_INTEGER:
            row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(statement, c)));
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(statement, c));
            break;
          case SQLITE_NULL:
            row.emplace_back(nullptr);
            break;
          default: {  // TEXT or BLOB: the bytes as they are, NULs included
            const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, c));
            const int size = sqlite3_column_bytes(statement, c);
            row.emplace_back(data == nullptr ? std::string()
                                             : std::string(data, static_cast<std::size_t>(size)));
          }
        }
      }
      rows->push_back(std::move(row));
    }
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  unsigned savepoint_counter_ = 0;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {
    SqliteConnection check(path_);  // fail now, not at the first request
  }

  std::unique_ptr<Connection> connect() override {
    return std::make_unique<SqliteConnection>(path_);
  }

  std::string kind() const override { return "sqlite"; }

 private:
  std::string path_;
};

}  // namespace

std::string translate_numbered_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  std::size_t i = 0;
  const std::size_t n = sql.size();
  auto copy_quoted = [&](char quote) {  // '...' or "..." with the quote doubled inside
    out += sql[i++];
    while (i < n) {
      const char c = sql[i++];
      out += c;
      if (c == quote) {
        if (i < n && sql[i] == quote) {
          out += sql[i++];
        } else {
          return;
        }
      }
    }
  };
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      copy_quoted(c);
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const std::size_t eol = sql.find('\n', i);
      const std::size_t stop = eol == std::string_view::npos ? n : eol;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const std::size_t close = sql.find("*/", i + 2);
      const std::size_t stop = close == std::string_view::npos ? n : close + 2;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '$' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])) != 0) {
      out += '?';
      ++i;
      while (i < n && std::isdigit(static_cast<unsigned char>(sql[i])) != 0) out += sql[i++];
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::string first_words(std::string_view sql) {
  constexpr int kWords = 4;
  std::string out;
  int words = 0;
  std::size_t i = 0;
  while (i < sql.size() && words < kWords) {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i])) != 0) ++i;
    if (i == sql.size()) break;
    if (!out.empty()) out += ' ';
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i])) == 0) out += sql[i++];
    ++words;
  }
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i])) != 0) ++i;
  if (i < sql.size()) out += " ...";
  return out;
}

std::unique_ptr<Database> open_sqlite(const std::string& path) {
  if (path.empty()) throw StoreError("sqlite: empty database path");
  return std::make_unique<SqliteDatabase>(path);
}

}  // namespace fabrique::store
