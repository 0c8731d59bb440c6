// The PostgreSQL backend of the storage interface (store.hpp), on libpq.
// Internal: the rest of the platform goes through store::open().
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace fabrique::store {

// Connects to the server at `url` (postgres://user@host:port/db, or any
// libpq connection string), once now to fail early and once per connect().
// Values are bound as text; integers are typed bigint, doubles double
// precision, strings and NULLs left for the server to infer from the
// statement. Columns read back by type: smallint/integer/bigint and boolean
// (0/1) as int64, real/double precision/numeric as double, everything else as
// text.
std::unique_ptr<Database> open_postgres(const std::string& url);

// False once the server has closed `connection` (a restart, an idle timeout,
// pg_terminate_backend), which it may have done while the connection sat
// idle in a pool: the pool then drops it instead of handing it to the next
// request. Cheap, no round trip; true for a connection of another backend.
bool connection_alive(Connection& connection);

}  // namespace fabrique::store
