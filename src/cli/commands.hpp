// Subcommands of the `fabrique` binary, one registration function each.
#pragma once

#include <CLI/CLI.hpp>

namespace fabrique::cli {

// `fabrique pb ...`: the counting engine on pabulib files.
void register_pb(CLI::App& app);

// `fabrique serve`: the web platform over HTTP.
void register_serve(CLI::App& app);

// `fabrique backup` / `fabrique restore`: the SQLite database, one command each way.
void register_store(CLI::App& app);

// `fabrique demo`: a demo city in a database, and its logins.
void register_demo(CLI::App& app);

// `fabrique budgets export`: a counted budget's .pb, CSV or JSON.
void register_budgets(CLI::App& app);

}  // namespace fabrique::cli
