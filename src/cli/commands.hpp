// Subcommands of the `fabrique` binary, one registration function each.
#pragma once

#include <CLI/CLI.hpp>

namespace fabrique::cli {

// `fabrique pb ...`: the counting engine on pabulib files.
void register_pb(CLI::App& app);

}  // namespace fabrique::cli
