// The `fabrique` binary: one subcommand per capability.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/language.hpp"

int main(int argc, char** argv) {
  using fabrique::Text;
  // Help is written before the options are parsed: its language first.
  const fabrique::Lang lang = fabrique::cli::language_of_arguments(argc, argv);
  CLI::App app{Text{"Fabrique, the participatory city platform",
                    "Fabrique, la plateforme de participation de la ville"}
                   .in(lang)};
  fabrique::cli::prepare_help(app, lang);
  app.set_version_flag(
      "--version", "fabrique 0.1.0",
      Text{"Print the version and exit", "Afficher la version et quitter"}.in(lang));
  app.require_subcommand(1);
  app.set_config("--config", "",
                 Text{"Read options from a file: a [serve] section of key = value lines",
                      "Lire les options dans un fichier\u202f: une section [serve] de lignes clé = "
                      "valeur"}
                     .in(lang));
  fabrique::cli::register_pb(app, lang);
  fabrique::cli::register_serve(app, lang);
  fabrique::cli::register_store(app, lang);
  fabrique::cli::register_demo(app, lang);
  fabrique::cli::register_budgets(app, lang);
  fabrique::cli::finish_help(app, lang);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
