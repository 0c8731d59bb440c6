// The instance's secrets: keys kept in a file beside the database, never in
// it. The web layer signs forms with them, residency hashes census identities,
// budgets keys stored ballots; the CLI creates the file.
#pragma once

#include <filesystem>
#include <string>

#include "core/crypto.hpp"

namespace fabrique {

// Keys that never go into the database: who can read a backup must not be
// able to recompute census hashes or forge CSRF tokens.
struct Secrets {
  crypto::Key forms;   // CSRF tokens
  crypto::Key census;  // keyed hashes of census identities
  // Keys of stored ballots (docs/ballot-secrecy.md): without it, the
  // database alone cannot tell whose ballot a row is.
  crypto::Key ballots;
};

// Reads the secret file, or creates it (mode 0600) with fresh keys. Every
// instance serving one database must use the same file.
Secrets load_or_create_secrets(const std::filesystem::path& path);
// The default secret file of a database URL: "<file>.secret" beside an
// SQLite database, "fabrique.secret" in the working directory otherwise.
std::filesystem::path default_secret_file(const std::string& database_url);

}  // namespace fabrique
