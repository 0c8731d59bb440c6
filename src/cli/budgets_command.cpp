// `fabrique budgets export`: a counted budget's exports for staff and
// scripts, the same files the web site serves (budgets/export.hpp).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "budgets/export.hpp"
#include "budgets/repository.hpp"
#include "budgets/results_repository.hpp"
#include "cli/commands.hpp"
#include "store/store.hpp"

namespace fabrique::cli {

namespace {

struct ExportArgs {
  std::string database;
  std::string process;
  std::string district;
  std::string format = "pb";
  std::string output;
  std::string lang = "fr";
};

// A refusal the user can act on, in both languages.
struct Refusal {
  Text text;
};

std::string export_text(const ExportArgs& args) {
  auto database = store::open(args.database);
  auto db = database->connect();
  const auto process = budgets::find_process(*db, args.process);
  if (!process)
    throw Refusal{{fmt::format("no participatory budget '{}' in this database", args.process),
                   fmt::format("aucun budget participatif '{}' dans cette base", args.process)}};
  const budgets::Unit* unit = process->unit_by_slug(args.district);
  if (!unit) {
    std::string known;
    for (const auto& u : process->units) known += (known.empty() ? "" : ", ") + u.slug;
    throw Refusal{{fmt::format("the budget '{}' has no district '{}' (its districts: {})",
                               args.process, args.district, known),
                   fmt::format("le budget '{}' n'a pas de quartier '{}' (ses quartiers : {})",
                               args.process, args.district, known)}};
  }
  const auto stored = budgets::result_of(*db, process->id, unit->id);
  if (!stored)
    throw Refusal{{fmt::format("the vote of '{}' has not been counted yet", args.process),
                   fmt::format("le vote de '{}' n'a pas encore été dépouillé", args.process)}};
  return budgets::export_unit(*process, *unit, *stored, *budgets::parse_export_format(args.format))
      .body;
}

void write_output(const ExportArgs& args, const std::string& text) {
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
    std::cout.flush();
    return;
  }
  std::ofstream out(args.output, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Refusal{{"cannot write " + args.output, "impossible d'écrire " + args.output}};
}

void run_export(const ExportArgs& args) {
  const Lang lang = parse_lang(args.lang).value_or(Lang::Fr);
  try {
    write_output(args, export_text(args));
  } catch (const Refusal& refusal) {
    std::cerr << "fabrique: " << refusal.text.in(lang) << "\n";
    throw CLI::RuntimeError(1);
  } catch (const budgets::CountError& error) {
    std::cerr << "fabrique: " << error.text().in(lang) << "\n";
    throw CLI::RuntimeError(1);
  } catch (const std::exception& error) {
    std::cerr << "fabrique: " << error.what() << "\n";
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void register_budgets(CLI::App& app) {
  CLI::App* budgets =
      app.add_subcommand("budgets", "Participatory budgets: data for staff and scripts");
  budgets->require_subcommand(1);

  auto args = std::make_shared<ExportArgs>();
  CLI::App* export_cmd = budgets->add_subcommand(
      "export",
      "Export a counted budget of one district: the anonymous ballots as .pb (the file the "
      "count was made from: `fabrique pb count FILE --rule official` recounts it), or the "
      "results per project as CSV or JSON");
  export_cmd
      ->add_option("--database", args->database, "Database URL (sqlite:PATH or postgres://...)")
      ->required();
  export_cmd->add_option("--process", args->process, "The budget's address name (slug)")
      ->required();
  export_cmd->add_option("--district", args->district, "The district's slug, or city-wide")
      ->required();
  export_cmd->add_option("--format", args->format, "pb, csv or json")
      ->check(CLI::IsMember({"pb", "csv", "json"}))
      ->capture_default_str();
  export_cmd->add_option("--output", args->output, "Output file (default: standard output)");
  export_cmd->add_option("--lang", args->lang, "Language of messages")
      ->check(CLI::IsMember({"fr", "en"}))
      ->capture_default_str();
  export_cmd->callback([args] { run_export(*args); });
}

}  // namespace fabrique::cli
