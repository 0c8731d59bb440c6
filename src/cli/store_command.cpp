// `fabrique backup` and `fabrique restore`: one command each way, for SQLite
// (PostgreSQL is backed up with pg_dump; see docs/operating.md when it lands).
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "store/backup.hpp"
#include "store/store.hpp"

namespace fabrique::cli {

namespace {

// "sqlite:PATH" or a bare path; anything else is refused.
std::string sqlite_path(const std::string& url) {
  const std::string prefix = "sqlite:";
  if (url.rfind(prefix, 0) == 0) return url.substr(prefix.size());
  if (url.find("://") != std::string::npos)
    throw store::StoreError(
        "backup and restore handle SQLite databases; back up PostgreSQL with pg_dump");
  return url;
}

template <class Body>
void guarded_store(Body body) {
  try {
    body();
  } catch (const std::exception& error) {
    std::cerr << "fabrique: " << error.what() << "\n";
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void register_store(CLI::App& app) {
  auto database = std::make_shared<std::string>("sqlite:fabrique.db");
  auto file = std::make_shared<std::string>();

  CLI::App* backup =
      app.add_subcommand("backup", "Write a consistent copy of the database, while it runs");
  backup->add_option("--database", *database, "sqlite:PATH")->capture_default_str();
  backup->add_option("to", *file, "backup file to write")->required();
  backup->callback([database, file] {
    guarded_store([&] {
      store::backup_sqlite(sqlite_path(*database), *file);
      std::cout << "backup written to " << *file << "\n";
    });
  });

  CLI::App* restore = app.add_subcommand(
      "restore", "Replace the database's content with a backup (stop the server first)");
  restore->add_option("--database", *database, "sqlite:PATH")->capture_default_str();
  restore->add_option("from", *file, "backup file to restore")->required();
  restore->callback([database, file] {
    guarded_store([&] {
      store::restore_sqlite(*file, sqlite_path(*database));
      std::cout << "database restored from " << *file << "\n";
    });
  });
}

}  // namespace fabrique::cli
