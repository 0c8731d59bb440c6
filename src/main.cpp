// The `fabrique` binary: one subcommand per capability.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Fabrique, the participatory city platform"};
  app.set_version_flag("--version", "fabrique 0.1.0");
  app.require_subcommand(1);
  app.set_config("--config", "",
                 "Read options from a file: a [serve] section of key = value lines");
  fabrique::cli::register_pb(app);
  fabrique::cli::register_serve(app);
  fabrique::cli::register_store(app);
  fabrique::cli::register_demo(app);
  fabrique::cli::register_budgets(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
