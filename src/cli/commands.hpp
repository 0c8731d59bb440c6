// Subcommands of the `fabrique` binary, one registration function each,
// their help in `lang` (cli/language.hpp: --lang, French by default).
#pragma once

#include <CLI/CLI.hpp>

#include "core/lang.hpp"

namespace fabrique::cli {

// `fabrique pb ...`: the counting engine on pabulib files.
void register_pb(CLI::App& app, Lang lang);

// `fabrique serve`: the web platform over HTTP.
void register_serve(CLI::App& app, Lang lang);

// `fabrique backup` / `fabrique restore`: the SQLite database, one command each way.
void register_store(CLI::App& app, Lang lang);

// `fabrique demo`: a demo city in a database, and its logins.
void register_demo(CLI::App& app, Lang lang);

// `fabrique budgets export`: a counted budget's .pb, CSV or JSON.
void register_budgets(CLI::App& app, Lang lang);

}  // namespace fabrique::cli
