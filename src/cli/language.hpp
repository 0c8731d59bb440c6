// The language of the command line: `--lang fr` or `--lang en` on a
// subcommand, French when absent, as `fabrique pb` has always done. Help is
// written when the subcommands are registered, before CLI11 parses anything:
// main() reads --lang from the arguments first (language_of_arguments) and
// registers the subcommands in that language.
//
// The lines that programs read stay the same in both languages:
// `database: applied migration N` and `listening on http://HOST:PORT`
// (supervisors, the test harness and docs/operating.md wait for them).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/lang.hpp"

namespace fabrique::cli {

// The value of the first `--lang X` or `--lang=X` among the arguments, when
// it is fr or en; French otherwise.
Lang language_of_arguments(int argc, const char* const* argv);

// The root command's help in `lang`: CLI11's own words (Usage, the help
// flag), before the subcommands are added (they inherit them).
void prepare_help(CLI::App& root, Lang lang);
// After the subcommands are added: the heading they are listed under.
void finish_help(CLI::App& root, Lang lang);

// Adds `--lang` (fr or en) to `command`, into `code`.
void add_lang_option(CLI::App& command, std::string& code, Lang help_lang);

// The error line every subcommand prints: "fabrique: <message>".
void print_error(const std::string& message);

}  // namespace fabrique::cli
