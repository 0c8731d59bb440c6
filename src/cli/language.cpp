#include "cli/language.hpp"

#include <iostream>
#include <string_view>

namespace fabrique::cli {

Lang language_of_arguments(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string code;
    if (arg == "--lang" && i + 1 < argc)
      code = argv[i + 1];
    else if (arg.starts_with("--lang="))
      code = arg.substr(7);
    else
      continue;
    return parse_lang(code).value_or(Lang::Fr);
  }
  return Lang::Fr;
}

void prepare_help(CLI::App& root, Lang lang) {
  root.set_help_flag("-h,--help",
                     Text{"Print this help and exit", "Afficher cette aide et quitter"}.in(lang));
  const auto formatter = root.get_formatter();
  formatter->label("Usage", Text{"Usage", "Utilisation"}.in(lang));
  formatter->label("Positionals", Text{"Positionals", "Arguments"}.in(lang));
  formatter->label("REQUIRED", Text{"REQUIRED", "OBLIGATOIRE"}.in(lang));
  formatter->label("SUBCOMMAND", Text{"SUBCOMMAND", "SOUS-COMMANDE"}.in(lang));
}

namespace {

void name_subcommand_groups(CLI::App& command, const std::string& heading) {
  for (CLI::App* sub : command.get_subcommands({})) {
    sub->group(heading);
    name_subcommand_groups(*sub, heading);
  }
}

}  // namespace

void finish_help(CLI::App& root, Lang lang) {
  name_subcommand_groups(root, Text{"Subcommands", "Sous-commandes"}.in(lang));
}

void add_lang_option(CLI::App& command, std::string& code, Lang help_lang) {
  command
      .add_option(
          "--lang", code,
          Text{"Language of messages (fr or en)", "Langue des messages (fr ou en)"}.in(help_lang))
      ->check(CLI::IsMember({"fr", "en"}))
      ->capture_default_str();
}

void print_error(const std::string& message) { std::cerr << "fabrique: " << message << "\n"; }

}  // namespace fabrique::cli
