// Backup and restore of a SQLite database with SQLite's online backup API:
// consistent while the database is in use.
#pragma once

#include <string>

namespace fabrique::store {

// Writes a consistent copy of the database at `database_path` to `to_path`
// (replaced if it exists), while other connections keep reading and writing.
// The copy is written beside `to_path` and renamed into place, so `to_path`
// never holds a half-written copy. Throws StoreError.
void backup_sqlite(const std::string& database_path, const std::string& to_path);

// Replaces the content of the database at `database_path` (created if
// missing) with the backup at `from_path`. Refuses, with a StoreError saying
// why, when `from_path` is not a sound SQLite database holding a
// schema_migrations table. Connections open on the database see the restored
// content at their next transaction.
void restore_sqlite(const std::string& from_path, const std::string& database_path);

}  // namespace fabrique::store
