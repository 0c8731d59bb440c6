// The SQLite backend of the storage interface (store.hpp). Internal: the rest
// of the platform goes through store::open().
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace fabrique::store {

// How long a connection waits for another writer's lock before it gives up
// (the platform's connections and the backup's alike).
inline constexpr int kSqliteBusyTimeoutMs = 5000;

// Opens (creating if needed) the SQLite database file at `path`. Every
// connection runs in WAL mode with synchronous=FULL, foreign keys on and a
// busy timeout, so that concurrent writers wait rather than fail.
std::unique_ptr<Database> open_sqlite(const std::string& path);

// Rewrites PostgreSQL-style numbered parameters ($1, $2, ...) as SQLite's
// ?1, ?2, ...; string literals, quoted identifiers and comments are left alone.
std::string translate_numbered_parameters(std::string_view sql);

// The first few words of `sql`, whitespace collapsed: enough to name a
// statement in an error message without quoting all of it.
std::string first_words(std::string_view sql);

}  // namespace fabrique::store
