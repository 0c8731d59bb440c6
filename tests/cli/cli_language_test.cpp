// The command line speaks French by default and English with --lang en, as
// `fabrique pb` always did for its messages: the help of every subcommand,
// and the messages of serve, backup, restore, demo and budgets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/language.hpp"
#include "support/cli_run.hpp"
#include "support/text.hpp"

namespace fabrique::cli {
namespace {

using test::run_fabrique;

using fabrique::test::contains;

TEST(CliLanguage, LangIsReadFromTheArgumentsFrenchByDefault) {
  const auto of = [](std::vector<const char*> args) {
    args.insert(args.begin(), "fabrique");
    return language_of_arguments(static_cast<int>(args.size()), args.data());
  };
  EXPECT_EQ(of({"serve", "--help"}), Lang::Fr);
  EXPECT_EQ(of({"serve", "--lang", "en", "--help"}), Lang::En);
  EXPECT_EQ(of({"backup", "--lang=en", "x.db"}), Lang::En);
  EXPECT_EQ(of({"demo", "--lang", "fr"}), Lang::Fr);
  EXPECT_EQ(of({"demo", "--lang", "de"}), Lang::Fr);
  EXPECT_EQ(of({"demo", "--lang"}), Lang::Fr);
}

TEST(CliLanguage, HelpOfEachCommandInFrenchThenEnglish) {
  const std::vector<std::pair<std::vector<std::string>, std::pair<std::string, std::string>>> helps{
      {{"serve"}, {"Adresse et port d'écoute", "Address and port to listen on"}},
      {{"backup"}, {"fichier de sauvegarde à écrire", "backup file to write"}},
      {{"restore"}, {"fichier de sauvegarde à restaurer", "backup file to restore"}},
      {{"demo"}, {"ville de démonstration", "demo city"}},
      {{"budgets", "export"}, {"Le slug du quartier", "The district's slug"}},
      {{}, {"Sous-commandes", "Subcommands"}},
  };
  for (const auto& [command, texts] : helps) {
    std::vector<std::string> fr = command, en = command;
    fr.push_back("--help");
    en.insert(en.end(), {"--lang", "en", "--help"});
    const auto french = run_fabrique(fr);
    EXPECT_EQ(french.status, 0) << french.err;
    EXPECT_TRUE(contains(french.out, texts.first)) << french.out;
    EXPECT_TRUE(contains(french.out, "Afficher cette aide")) << french.out;
    const auto english = run_fabrique(en);
    EXPECT_EQ(english.status, 0) << english.err;
    EXPECT_TRUE(contains(english.out, texts.second)) << english.out;
    EXPECT_FALSE(contains(english.out, texts.first)) << english.out;
  }
}

TEST(CliLanguage, MessagesInTheChosenLanguage) {
  const auto restore_fr =
      run_fabrique({"restore", "--database", "postgres://nobody@127.0.0.1:1/none", "b.db"});
  EXPECT_EQ(restore_fr.status, 1);
  EXPECT_EQ(
      restore_fr.err,
      "fabrique: backup et restore traitent les bases SQLite\u202f; sauvegardez PostgreSQL avec "
      "pg_dump\n");
  const auto restore_en = run_fabrique(
      {"restore", "--database", "postgres://nobody@127.0.0.1:1/none", "b.db", "--lang", "en"});
  EXPECT_EQ(restore_en.status, 1);
  EXPECT_EQ(restore_en.err,
            "fabrique: backup and restore handle SQLite databases; back up PostgreSQL with "
            "pg_dump\n");

  const auto serve_fr = run_fabrique({"serve", "--listen", "nowhere"});
  EXPECT_EQ(serve_fr.status, 1);
  EXPECT_EQ(serve_fr.err, "fabrique: --listen\u202f: HÔTE:PORT attendu, reçu 'nowhere'\n");
  const auto serve_en = run_fabrique({"serve", "--lang", "en", "--listen", "nowhere"});
  EXPECT_EQ(serve_en.err, "fabrique: --listen: expected HOST:PORT, got 'nowhere'\n");
}

}  // namespace
}  // namespace fabrique::cli
