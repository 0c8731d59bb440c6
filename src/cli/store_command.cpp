// `fabrique backup` and `fabrique restore`: one command each way, for SQLite
// (PostgreSQL is backed up with pg_dump; see docs/operating.md when it lands).
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/language.hpp"
#include "store/backup.hpp"
#include "store/store.hpp"

namespace fabrique::cli {

namespace {

// Refused before anything is read or written, in both languages.
struct Refusal {
  Text text;
};

// "sqlite:PATH" or a bare path; anything else is refused.
std::string sqlite_path(const std::string& url) {
  const std::string prefix = "sqlite:";
  if (url.rfind(prefix, 0) == 0) return url.substr(prefix.size());
  if (url.find("://") != std::string::npos)
    throw Refusal{{"backup and restore handle SQLite databases; back up PostgreSQL with pg_dump",
                   "backup et restore traitent les bases SQLite\u202f; sauvegardez PostgreSQL avec "
                   "pg_dump"}};
  return url;
}

template <class Body>
void guarded_store(const std::string& lang_code, Body body) {
  const Lang lang = parse_lang(lang_code).value_or(Lang::Fr);
  try {
    std::cout << body().in(lang) << "\n";
  } catch (const Refusal& refusal) {
    print_error(refusal.text.in(lang));
    throw CLI::RuntimeError(1);
  } catch (const std::exception& error) {
    print_error(error.what());
    throw CLI::RuntimeError(1);
  }
}

struct StoreArgs {
  std::string database = "sqlite:fabrique.db";
  std::string file;
  std::string lang = "fr";
};

}  // namespace

void register_store(CLI::App& app, Lang lang) {
  const auto say = [lang](const Text& text) { return text.in(lang); };
  auto args = std::make_shared<StoreArgs>();

  CLI::App* backup = app.add_subcommand(
      "backup", say({"Write a consistent copy of the database, while it runs",
                     "Écrire une copie cohérente de la base de données, pendant qu'elle sert"}));
  backup->add_option("--database", args->database, "sqlite:PATH")->capture_default_str();
  backup
      ->add_option("to", args->file,
                   say({"backup file to write", "fichier de sauvegarde à écrire"}))
      ->required();
  add_lang_option(*backup, args->lang, lang);
  backup->callback([args] {
    guarded_store(args->lang, [&] {
      store::backup_sqlite(sqlite_path(args->database), args->file);
      return Text{"backup written to " + args->file, "sauvegarde écrite dans " + args->file};
    });
  });

  CLI::App* restore = app.add_subcommand(
      "restore", say({"Replace the database's content with a backup (stop the server first)",
                      "Remplacer le contenu de la base de données par une sauvegarde (arrêtez "
                      "d'abord le serveur)"}));
  restore->add_option("--database", args->database, "sqlite:PATH")->capture_default_str();
  restore
      ->add_option("from", args->file,
                   say({"backup file to restore", "fichier de sauvegarde à restaurer"}))
      ->required();
  add_lang_option(*restore, args->lang, lang);
  restore->callback([args] {
    guarded_store(args->lang, [&] {
      store::restore_sqlite(args->file, sqlite_path(args->database));
      return Text{"database restored from " + args->file,
                  "base de données restaurée depuis " + args->file};
    });
  });
}

}  // namespace fabrique::cli
