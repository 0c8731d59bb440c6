#include <fmt/format.h>
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/language.hpp"
#include "pb/explain.hpp"
#include "pb/pabulib.hpp"
#include "pb/rules.hpp"

namespace fabrique::cli {

namespace {

namespace json = boost::json;
using namespace fabrique::pb;

struct CountArgs {
  std::string file;
  std::string rule = "greedy";
  std::string utility = "cost";
  std::string format = "text";
  std::string lang = "fr";
  std::string tie_break = "id";
  std::string stop = "exhaustive";
  bool explain = false;
  bool strict = false;
};

struct ConvertArgs {
  std::string input;
  std::string output;
  bool strict = false;
  std::string lang = "fr";
};

// Reads a file, printing its warnings in `lang`.
Election load(const std::string& path, bool strict, Lang lang) {
  ReadResult result = read_pabulib_file(path, ReadOptions{.strict = strict});
  for (const auto& warning : result.warnings)
    std::cerr << fmt::format("fabrique: {}: {}:{}: {}\n",
                             tr(lang, En{"warning"}, Fr{"avertissement"}), path, warning.line,
                             lang == Lang::Fr ? warning.reason_fr : warning.reason);
  return std::move(result.election);
}

json::object outcome_json(const Election& e, const Outcome& o, const CountArgs& args) {
  json::object out;
  out["rule"] = args.rule;
  if (args.rule.rfind("mes-add1", 0) == 0) out["stop"] = args.stop;
  out["utility"] = o.utility_label;
  json::array selected;
  for (ProjectIndex p : o.selected) selected.emplace_back(e.projects[p].id);
  out["selected"] = std::move(selected);
  out["total_cost"] = format_money(o.total_cost, e.cost_scale);
  out["budget"] = format_money(e.budget, e.cost_scale);
  out["exhaustive"] = o.exhaustive;
  if (o.voter_budget != 0) out["voter_budget"] = o.voter_budget.get_str();
  if (o.budget_steps > 0) out["budget_steps"] = o.budget_steps;
  if (args.explain) {
    Explanation x = explain(e, o, *parse_lang(args.lang));
    json::object explanation;
    explanation["summary"] = x.summary;
    json::array projects;
    for (std::size_t p = 0; p < x.projects.size(); ++p) {
      const auto& report = o.reports[p];
      json::object entry;
      entry["id"] = e.projects[p].id;
      entry["selected"] = report.fate == Fate::Selected;
      entry["round"] = report.round;
      entry["supporters"] = report.supporters;
      if (report.price != 0) entry["price"] = report.price.get_str();
      entry["text"] = x.projects[p];
      projects.emplace_back(std::move(entry));
    }
    explanation["projects"] = std::move(projects);
    out["explanation"] = std::move(explanation);
  }
  return out;
}

void print_text(const Election& e, const Outcome& o, const CountArgs& args) {
  Lang lang = *parse_lang(args.lang);
  const std::string currency = e.meta_value("currency") ? " " + *e.meta_value("currency") : "";
  std::cout << fmt::format(
      fmt::runtime(tr(lang, En{"Rule: {} (utility {})\n"}, Fr{"Règle\u202f: {} (utilité {})\n"})),
      o.rule_label, o.utility_label);
  std::cout << fmt::format(
      fmt::runtime(
          tr(lang, En{"Budget: {}{}; spent: {}{}; exhaustive: {}\n"},
             Fr{"Budget\u202f: {}{}\u202f; dépensé\u202f: {}{}\u202f; exhaustif\u202f: {}\n"})),
      format_money(e.budget, e.cost_scale), currency, format_money(o.total_cost, e.cost_scale),
      currency, o.exhaustive ? tr(lang, En{"yes"}, Fr{"oui"}) : tr(lang, En{"no"}, Fr{"non"}));
  std::cout << tr(lang, En{"Funded projects, in order of selection:\n"},
                  Fr{"Projets financés, dans l'ordre de sélection\u202f:\n"});
  int rank = 0;
  for (ProjectIndex p : o.selected) {
    const pb::Project& project = e.projects[p];
    std::cout << fmt::format("{:>4}. {:<12} {:>14}  {}\n", ++rank, project.id,
                             format_money(project.cost, e.cost_scale), project.name);
  }
  if (args.explain) {
    Explanation x = explain(e, o, lang);
    std::cout << "\n" << x.summary << "\n\n";
    for (const auto& line : x.projects) std::cout << "- " << line << "\n";
  }
}

int run_count(const CountArgs& args) {
  RuleOptions options;
  options.rule = *parse_rule(args.rule);
  options.utility = *parse_utility(args.utility);
  options.tie_break = *parse_tie_break(args.tie_break);
  options.add1_stop = args.stop == "overspend" ? Add1Stop::Overspend : Add1Stop::Exhaustive;
  options.exact_reports = args.explain;  // published figures are exact
  Election election = load(args.file, args.strict, *parse_lang(args.lang));
  Outcome outcome = count(election, options);
  if (args.format == "json")
    std::cout << json::serialize(outcome_json(election, outcome, args)) << "\n";
  else
    print_text(election, outcome, args);
  return 0;
}

int run_convert(const ConvertArgs& args) {
  Election election = load(args.input, args.strict, *parse_lang(args.lang));
  std::string text = write_pabulib(election);
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream out(args.output, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw RuleError({"cannot write " + args.output, "impossible d'écrire " + args.output});
  return 0;
}

int run_check(const std::string& file, bool strict, Lang lang) {
  Election e = load(file, strict, lang);
  std::cout << fmt::format(
      fmt::runtime(tr(lang, En{"{}: {} (rule {}), {} projects, {} ballots, budget {}\n"},
                      Fr{"{}: {} (règle {}), {} projets, {} bulletins, budget {}\n"})),
      file, to_string(e.vote_type), e.meta_value("rule") ? *e.meta_value("rule") : "-",
      e.projects.size(), e.ballots.size(), format_money(e.budget, e.cost_scale));
  return 0;
}

// Runs a subcommand body, turning every error into one line (in `lang`) and
// status 1.
template <class Body>
void guarded(const std::string& lang_code, Body body) {
  const Lang lang = parse_lang(lang_code).value_or(Lang::Fr);
  try {
    int status = body();
    if (status != 0) throw CLI::RuntimeError(status);
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const ParseError& error) {
    std::cerr << "fabrique: " << error.message(lang) << "\n";
    throw CLI::RuntimeError(1);
  } catch (const RuleError& error) {
    std::cerr << "fabrique: " << error.text().in(lang) << "\n";
    throw CLI::RuntimeError(1);
  } catch (const std::exception& error) {
    std::cerr << "fabrique: " << error.what() << "\n";
    throw CLI::RuntimeError(1);
  }
}

const Text kCountHelp{
    "Count a pabulib election and print the funded projects in selection order.\n"
    "Rules (meaning of pabutools 1.2.3; ties broken by project id as a string unless "
    "--tie-break says otherwise):\n"
    "  greedy           by total utility per cost; skip what does not fit\n"
    "  mes              Method of Equal Shares, no completion\n"
    "  mes-add1         MES, raising each voter's share by 1 currency unit until the outcome is\n"
    "                   exhaustive (--stop exhaustive, pabutools) or until the next step would\n"
    "                   overspend (--stop overspend, as Wieliczka 2023 counted)\n"
    "  mes-add1-greedy  mes-add1, then greedy on what is left\n"
    "  phragmen         sequential Phragmén (approval ballots)\n"
    "  max-welfare      the set of greatest total utility within the budget (exact)\n"
    "  official         the rule of the file's META `rule`, as the city applied it (greedy\n"
    "                   variants rank by points where ballots carry points; greedy-threshold\n"
    "                   drops projects under min_project_score_threshold)\n"
    "Utilities: cost (default) and cardinality treat cumulative and ordinal ballots as\n"
    "approvals, as pabutools does; points uses the points voters gave.",
    "Dépouiller une élection pabulib et afficher les projets financés dans l'ordre de "
    "sélection.\n"
    "Règles (au sens de pabutools 1.2.3\u202f; égalités départagées par l'identifiant du projet, "
    "comme texte, sauf --tie-break)\u202f:\n"
    "  greedy           par utilité totale rapportée au coût\u202f; passe ce qui ne tient pas\n"
    "  mes              méthode des parts égales (Equal Shares), sans complément\n"
    "  mes-add1         MES, en augmentant la part de chaque votant d'une unité monétaire jusqu'à\n"
    "                   un résultat exhaustif (--stop exhaustive, pabutools) ou jusqu'à ce que\n"
    "                   l'étape suivante dépasse (--stop overspend, comme Wieliczka en 2023)\n"
    "  mes-add1-greedy  mes-add1, puis greedy sur ce qui reste\n"
    "  phragmen         Phragmén séquentiel (bulletins d'approbation)\n"
    "  max-welfare      l'ensemble de plus grande utilité totale dans le budget (exact)\n"
    "  official         la règle du META `rule` du fichier, comme la ville l'a appliquée (les\n"
    "                   variantes greedy classent par points quand les bulletins en "
    "portent\u202f;\n"
    "                   greedy-threshold écarte les projets sous min_project_score_threshold)\n"
    "Utilités\u202f: cost (par défaut) et cardinality traitent les bulletins cumulatifs et "
    "ordinaux\n"
    "comme des approbations, comme pabutools\u202f; points utilise les points donnés par les "
    "votants."};

}  // namespace

void register_pb(CLI::App& app, Lang lang) {
  const auto say = [lang](const Text& text) { return text.in(lang); };
  CLI::App* pb =
      app.add_subcommand("pb", say({"The participatory-budgeting counting engine",
                                    "Le moteur de dépouillement des budgets participatifs"}));
  pb->require_subcommand(1);
  const std::string pb_file = say({"pabulib .pb file", "fichier pabulib .pb"});
  const std::string strict =
      say({"treat data warnings as errors", "traiter les avertissements comme des erreurs"});

  auto count_args = std::make_shared<CountArgs>();
  CLI::App* count_cmd = pb->add_subcommand("count", say(kCountHelp));
  count_cmd->add_option("file", count_args->file, pb_file)->required();
  count_cmd
      ->add_option("--rule", count_args->rule, say({"counting rule", "règle de dépouillement"}))
      ->check(CLI::IsMember(
          {"greedy", "mes", "mes-add1", "mes-add1-greedy", "phragmen", "max-welfare", "official"}))
      ->capture_default_str();
  count_cmd
      ->add_option("--utility", count_args->utility, say({"voter utility", "utilité du votant"}))
      ->check(CLI::IsMember({"cost", "cardinality", "points"}))
      ->capture_default_str();
  count_cmd->add_option("--format", count_args->format, say({"output format", "format de sortie"}))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  count_cmd->add_flag("--explain", count_args->explain,
                      say({"explain for each project why it was or was not funded",
                           "expliquer pour chaque projet pourquoi il a été financé ou non"}));
  count_cmd->add_option("--lang", count_args->lang, say({"language of texts", "langue des textes"}))
      ->check(CLI::IsMember({"fr", "en"}))
      ->capture_default_str();
  count_cmd
      ->add_option("--tie-break", count_args->tie_break,
                   say({"tie-break order: id (string, pabutools), id-natural, cheapest",
                        "ordre de départage\u202f: id (texte, pabutools), id-natural, cheapest"}))
      ->check(CLI::IsMember({"id", "id-natural", "cheapest"}))
      ->capture_default_str();
  count_cmd
      ->add_option("--stop", count_args->stop,
                   say({"when mes-add1 stops raising the shares",
                        "quand mes-add1 cesse d'augmenter les parts"}))
      ->check(CLI::IsMember({"exhaustive", "overspend"}))
      ->capture_default_str();
  count_cmd->add_flag("--strict", count_args->strict, strict);
  count_cmd->callback(
      [count_args] { guarded(count_args->lang, [&] { return run_count(*count_args); }); });

  auto convert_args = std::make_shared<ConvertArgs>();
  CLI::App* convert_cmd = pb->add_subcommand(
      "convert", say({"Read a .pb file and write it back in canonical form",
                      "Lire un fichier .pb et le réécrire sous sa forme canonique"}));
  convert_cmd->add_option("input", convert_args->input, pb_file)->required();
  convert_cmd->add_option("output", convert_args->output,
                          say({"output file (default: stdout)",
                               "fichier de sortie (par défaut\u202f: la sortie standard)"}));
  convert_cmd->add_flag("--strict", convert_args->strict, strict);
  add_lang_option(*convert_cmd, convert_args->lang, lang);
  convert_cmd->callback(
      [convert_args] { guarded(convert_args->lang, [&] { return run_convert(*convert_args); }); });

  auto check_file = std::make_shared<std::string>();
  auto check_strict = std::make_shared<bool>(false);
  auto check_lang = std::make_shared<std::string>("fr");
  CLI::App* check_cmd = pb->add_subcommand("check", say({"Validate a .pb file and summarise it",
                                                         "Vérifier un fichier .pb et le résumer"}));
  check_cmd->add_option("file", *check_file, pb_file)->required();
  check_cmd->add_flag("--strict", *check_strict, strict);
  add_lang_option(*check_cmd, *check_lang, lang);
  check_cmd->callback([check_file, check_strict, check_lang] {
    guarded(*check_lang,
            [&] { return run_check(*check_file, *check_strict, *parse_lang(*check_lang)); });
  });
}

}  // namespace fabrique::cli
