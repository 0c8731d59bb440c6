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
#include "cli/language.hpp"
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
                   fmt::format("le budget '{}' n'a pas de quartier '{}' (ses quartiers\u202f: {})",
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
    print_error(refusal.text.in(lang));
    throw CLI::RuntimeError(1);
  } catch (const budgets::CountError& error) {
    print_error(error.text().in(lang));
    throw CLI::RuntimeError(1);
  } catch (const std::exception& error) {
    print_error(error.what());
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void register_budgets(CLI::App& app, Lang lang) {
  const auto say = [lang](const Text& text) { return text.in(lang); };
  CLI::App* budgets = app.add_subcommand(
      "budgets", say({"Participatory budgets: data for staff and scripts",
                      "Budgets participatifs\u202f: les données pour les agents et les scripts"}));
  budgets->require_subcommand(1);

  auto args = std::make_shared<ExportArgs>();
  CLI::App* export_cmd = budgets->add_subcommand(
      "export",
      say({"Export a counted budget of one district: the anonymous ballots as .pb (the file the "
           "count was made from: `fabrique pb count FILE --rule official` recounts it), or the "
           "results per project as CSV or JSON",
           "Exporter le budget dépouillé d'un quartier\u202f: les bulletins anonymes en .pb (le "
           "fichier du dépouillement\u202f: `fabrique pb count FICHIER --rule official` le "
           "recompte), "
           "ou les résultats par projet en CSV ou JSON"}));
  export_cmd
      ->add_option("--database", args->database,
                   say({"Database URL (sqlite:PATH or postgres://...)",
                        "URL de la base de données (sqlite:CHEMIN ou postgres://...)"}))
      ->required();
  export_cmd
      ->add_option(
          "--process", args->process,
          say({"The budget's address name (slug)", "Le nom du budget dans son adresse (slug)"}))
      ->required();
  export_cmd
      ->add_option("--district", args->district,
                   say({"The district's slug, or city-wide", "Le slug du quartier, ou city-wide"}))
      ->required();
  export_cmd->add_option("--format", args->format, say({"pb, csv or json", "pb, csv ou json"}))
      ->check(CLI::IsMember({"pb", "csv", "json"}))
      ->capture_default_str();
  export_cmd->add_option("--output", args->output,
                         say({"Output file (default: standard output)",
                              "Fichier de sortie (par défaut\u202f: la sortie "
                              "standard)"}));
  add_lang_option(*export_cmd, args->lang, lang);
  export_cmd->callback([args] { run_export(*args); });
}

}  // namespace fabrique::cli
