// `fabrique demo`: fills a database with a demo city (districts, a census,
// one account of each role) so that `make run` shows a living platform. Run
// again, it changes nothing and prints the logins again.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "budgets/model.hpp"
#include "budgets/pages.hpp"
#include "budgets/repository.hpp"
#include "cli/commands.hpp"
#include "cli/demo.hpp"
#include "cli/demo_budgets.hpp"
#include "cli/language.hpp"
#include "core/secrets.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "store/store.hpp"

namespace fabrique::cli {

namespace {

struct DemoArgs {
  std::string database = "sqlite:fabrique-demo.db";
  std::string secret_file;
  std::string lang = "fr";  // of what it prints
};

}  // namespace

const std::vector<DemoAccount>& demo_accounts() {
  static const std::vector<DemoAccount> list{
      {"admin@demo.fabrique.example", "Alice Administratrice", accounts::Role::Administrator},
      {"moderator@demo.fabrique.example", "Marc Modérateur", accounts::Role::Moderator},
      {"reviewer@demo.fabrique.example", "Inès Instructrice", accounts::Role::Reviewer},
      {"clerk@demo.fabrique.example", "Claude Accueil", accounts::Role::Clerk},
      {"elected@demo.fabrique.example", "Élise Élue", accounts::Role::Elected},
      {"association@demo.fabrique.example", "Association Vélo Villeneuve",
       accounts::Role::Organisation},
      {"resident@demo.fabrique.example", "Rémi Résident", accounts::Role::Resident},
      {"newcomer@demo.fabrique.example", "Nora Nouvelle", accounts::Role::Resident},
  };
  return list;
}

const std::vector<DemoDistrict>& demo_districts() {
  static const std::vector<DemoDistrict> list{
      {"centre", "Centre-ville", "City centre", "45000"},
      {"rive-gauche", "Rive gauche", "Left bank", "45100"},
      {"les-vignes", "Les Vignes", "Les Vignes", "45160"},
      {"port", "Quartier du Port", "Harbour district", "45200"},
  };
  return list;
}

// Deterministic people: person i lives in district i % 4, born on a date
// spread over 1940–2012, with document number DEMO000i.
std::string demo_census_csv(int people) {
  std::string csv = "document_number,birth_date,postal_code,district\n";
  const auto& districts = demo_districts();
  for (int i = 1; i <= people; ++i) {
    const auto& district = districts[static_cast<std::size_t>(i) % districts.size()];
    const int year = 1940 + (i * 7) % 73;
    const int month = 1 + (i * 5) % 12;
    const int day = 1 + (i * 11) % 28;
    csv += fmt::format("DEMO{:04},{:04}-{:02}-{:02},{},{}\n", i, year, month, day,
                       district.postal_code, district.slug);
  }
  return csv;
}

// Person `i` of the demo census, as a resident would type it.
residency::IdentityForm demo_identity(int i) {
  const std::string csv = demo_census_csv(i);
  std::string line = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  line.pop_back();
  std::vector<std::string> fields;
  for (std::size_t at = 0, comma; at <= line.size(); at = comma + 1) {
    comma = line.find(',', at);
    if (comma == std::string::npos) comma = line.size();
    fields.push_back(line.substr(at, comma - at));
  }
  return {fields.at(0), fields.at(1), fields.at(2)};
}

namespace {

// The participatory budgets, all or nothing, once (their own setting, so
// that a demo database seeded before they existed gets them too).
void seed_budgets_once(store::Connection& db, const Secrets& secrets) {
  if (!db.query("SELECT 1 FROM settings WHERE name = 'demo_budgets_seeded'").empty()) return;
  db.transaction([&](store::Connection& tx) {
    seed_demo_budgets(tx, secrets);
    tx.execute("INSERT INTO settings (name, value) VALUES ('demo_budgets_seeded', $1)",
               {now_iso8601()});
  });
}

}  // namespace

DemoSeedReport seed_demo(store::Database& database, const Secrets& secrets) {
  DemoSeedReport report;
  auto db = database.connect();
  if (!db->query("SELECT 1 FROM settings WHERE name = 'demo_seeded'").empty()) {
    seed_budgets_once(*db, secrets);  // a demo made before the budgets existed gets them
    return report;
  }
  report.seeded = true;
  const std::string hash = accounts::hash_password(kDemoPassword);
  db->transaction([&](store::Connection& tx) {
    for (const auto& district : demo_districts())
      tx.execute("INSERT INTO districts (slug, name_fr, name_en) VALUES ($1, $2, $3)",
                 {district.slug, district.name_fr, district.name_en});
    for (const auto& account : demo_accounts())
      accounts::insert_account(tx, account.email, hash, account.display_name, account.role,
                               Lang::Fr);
    tx.execute("INSERT INTO settings (name, value) VALUES ('demo_seeded', $1)", {now_iso8601()});
    audit::record(tx, {.action = "demo.seeded"});
  });
  report.census_people = seed_demo_census(*db, secrets, demo_census_csv(kDemoCensusPeople));
  // Rémi is a verified resident already (DEMO0002); Nora verifies herself.
  const auto remi = accounts::find_account_by_email(*db, "resident@demo.fabrique.example");
  residency::VerifyOptions options;
  options.minimum_age = 0;
  const auto verified =
      residency::verify_residency(*db, secrets.census, remi->id, demo_identity(2), options);
  if (verified.outcome != residency::VerificationOutcome::Verified)
    throw std::runtime_error("the demo resident could not be verified");
  seed_budgets_once(*db, secrets);
  return report;
}

std::size_t seed_demo_census(store::Connection& db, const Secrets& secrets,
                             const std::string& csv) {
  const auto report = residency::import_census(db, secrets.census, csv);
  if (report.status != residency::ImportStatus::Done)
    throw std::runtime_error(
        "the demo census did not import: " +
        (report.errors.empty() ? std::string("?") : report.errors[0].message.en));
  return static_cast<std::size_t>(report.imported);
}

namespace {

// What the demo holds: its budgets, its logins, a census entry to try.
void print_demo(const DemoSeedReport& report, store::Connection& db, Lang lang) {
  if (report.seeded)
    std::cout << fmt::format(
        fmt::runtime(Text{"demo: created the demo city ({} districts, {} people on the census, "
                          "{} accounts)\n",
                          "démo\u202f: ville de démonstration créée ({} quartiers, {} personnes au "
                          "recensement, {} comptes)\n"}
                         .in(lang)),
        demo_districts().size(), report.census_people, demo_accounts().size());
  std::cout << Text{"\nParticipatory budgets:\n", "\nBudgets participatifs\u202f:\n"}.in(lang);
  for (const auto& process : budgets::list_processes(db))
    std::cout << fmt::format("  {:<22} {:<15} /budgets/{}\n", process.slug,
                             budgets::phase_label(budgets::current_phase(process)).in(lang),
                             process.slug);
  std::cout << fmt::format(
      fmt::runtime(Text{"\nDemo logins (password for all: {})\n",
                        "\nIdentifiants de démonstration (mot de passe de tous\u202f: {})\n"}
                       .in(lang)),
      kDemoPassword);
  for (const auto& account : demo_accounts())
    std::cout << fmt::format("  {:<17} {}\n", accounts::role_label(account.role).in(lang),
                             account.email);
  const auto person = demo_identity(1);
  const std::string last = fmt::format("DEMO{:04}", kDemoCensusPeople);
  std::cout << fmt::format(
      fmt::runtime(Text{"\nresident@ is verified; newcomer@ is not. To verify a residency, use a "
                        "census entry, e.g. document {}, born {}, postal code {} (entries "
                        "DEMO0001 to {}).\n",
                        "\nresident@ est vérifié\u202f; newcomer@ ne l'est pas. Pour vérifier une "
                        "résidence, utilisez une personne du recensement, par exemple le "
                        "document {}, né le {}, code postal {} (DEMO0001 à {}).\n"}
                       .in(lang)),
      person.document_number, typed_date(*parse_date(person.birth_date)), person.postal_code, last);
}

}  // namespace

void register_demo(CLI::App& app, Lang lang) {
  const auto say = [lang](const Text& text) { return text.in(lang); };
  auto args = std::make_shared<DemoArgs>();
  CLI::App* demo = app.add_subcommand(
      "demo", say({"Fill a database with a demo city and print logins",
                   "Remplir une base de données avec une ville de démonstration et afficher les "
                   "identifiants"}));
  demo->add_option("--database", args->database, say({"Database URL", "URL de la base de données"}))
      ->capture_default_str();
  demo->add_option("--secret-file", args->secret_file,
                   say({"Instance secrets (default: beside the SQLite file)",
                        "Secrets de l'instance (par défaut\u202f: à côté du fichier SQLite)"}));
  add_lang_option(*demo, args->lang, lang);
  demo->callback([args] {
    const Lang out = parse_lang(args->lang).value_or(Lang::Fr);
    try {
      auto database = store::open(args->database);
      store::migrate(*database);
      const auto secrets = load_or_create_secrets(args->secret_file.empty()
                                                      ? default_secret_file(args->database)
                                                      : std::filesystem::path(args->secret_file));
      const DemoSeedReport report = seed_demo(*database, secrets);
      print_demo(report, *database->connect(), out);
    } catch (const std::exception& e) {
      std::cerr << "fabrique demo: " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace fabrique::cli
