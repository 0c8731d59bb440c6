// The SQLite online backup API, wrapped: one page-copy loop for both
// directions.
#include "store/backup.hpp"

#include <sqlite3.h>

#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace fabrique::store {

namespace {

// An open sqlite3 handle, closed on scope exit.
class Handle {
 public:
  Handle(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError("sqlite: cannot open " + path + ": " + why);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kSqliteBusyTimeoutMs);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { sqlite3_close_v2(db_); }
  sqlite3* get() const { return db_; }

  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw StoreError(std::string("sqlite: ") + sqlite3_errmsg(db_) + " (in: " + sql + ")");
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

// Copies every page of `from` into `to`. The source is read under one read
// transaction per step; copying everything in one step gives a single
// consistent snapshot (in WAL mode, writers are not blocked meanwhile).
void copy_pages(Handle& from, Handle& to, const std::string& what) {
  sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
  if (backup == nullptr) {
    throw StoreError("sqlite: " + what + ": " + sqlite3_errmsg(to.get()));
  }
  int rc = SQLITE_OK;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kSqliteBusyTimeoutMs);
  for (;;) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_DONE) break;
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    break;
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    throw StoreError("sqlite: " + what + ": " + sqlite3_errstr(rc));
  }
}

void remove_side_files(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(path + "-wal", ignored);
  std::filesystem::remove(path + "-shm", ignored);
  std::filesystem::remove(path + "-journal", ignored);
}

// Why `path` cannot be restored from, or empty when it can.
std::string restore_refusal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read it";
  char header[16] = {};
  in.read(header, sizeof header);
  if (in.gcount() != static_cast<std::streamsize>(sizeof header) ||
      std::string_view(header, sizeof header) != std::string_view("SQLite format 3\0", 16)) {
    return "it is not a SQLite database";
  }
  in.close();

  Handle db(path, SQLITE_OPEN_READONLY);
  sqlite3_stmt* statement = nullptr;
  const char* sql =
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'";
  if (sqlite3_prepare_v2(db.get(), sql, -1, &statement, nullptr) != SQLITE_OK) {
    return std::string("it cannot be read as a SQLite database (") + sqlite3_errmsg(db.get()) + ")";
  }
  const bool has_migrations =
      sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_int64(statement, 0) == 1;
  sqlite3_finalize(statement);
  if (!has_migrations)
    return "it is a SQLite database but not a Fabrique one (no schema_migrations table)";

  if (sqlite3_prepare_v2(db.get(), "PRAGMA quick_check", -1, &statement, nullptr) != SQLITE_OK) {
    return std::string("it cannot be checked (") + sqlite3_errmsg(db.get()) + ")";
  }
  std::string verdict;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    if (text != nullptr) verdict = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(statement);
  if (verdict != "ok") return "it is damaged (quick_check: " + verdict + ")";
  return {};
}

}  // namespace

void backup_sqlite(const std::string& database_path, const std::string& to_path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::exists(database_path, error)) {
    throw StoreError("backup: no database at " + database_path);
  }
  if (fs::exists(to_path, error) && fs::equivalent(database_path, to_path, error)) {
    throw StoreError("backup: the destination is the database itself: " + to_path);
  }

  // Without SQLITE_OPEN_CREATE: a mistyped path fails instead of backing up
  // an empty new database.
  Handle from(database_path, SQLITE_OPEN_READWRITE);
  const std::string temporary = to_path + ".partial-" + std::to_string(::getpid());
  remove_side_files(temporary);
  fs::remove(temporary, error);
  try {
    {
      Handle to(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      to.exec("PRAGMA synchronous=FULL");
      copy_pages(from, to, "backup of " + database_path);
    }
    // A stale -wal beside an old copy would be replayed over the new one.
    remove_side_files(to_path);
    fs::rename(temporary, to_path);
  } catch (const fs::filesystem_error& e) {
    remove_side_files(temporary);
    fs::remove(temporary, error);
    throw StoreError(std::string("backup: ") + e.what());
  } catch (...) {
    remove_side_files(temporary);
    fs::remove(temporary, error);
    throw;
  }
}

void restore_sqlite(const std::string& from_path, const std::string& database_path) {
  if (const std::string why = restore_refusal(from_path); !why.empty()) {
    throw StoreError("restore refused: " + from_path + ": " + why);
  }
  Handle from(from_path, SQLITE_OPEN_READONLY);
  Handle to(database_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  to.exec("PRAGMA journal_mode=WAL");
  to.exec("PRAGMA synchronous=FULL");
  copy_pages(from, to, "restore of " + database_path + " from " + from_path);
}

}  // namespace fabrique::store
