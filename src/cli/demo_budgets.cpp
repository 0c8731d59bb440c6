#include "cli/demo_budgets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <stdexcept>

#include "accounts/repository.hpp"
#include "budgets/repository.hpp"
#include "budgets/results_actions.hpp"
#include "budgets/results_repository.hpp"
#include "budgets/voting_actions.hpp"
#include "cli/demo.hpp"
#include "core/time.hpp"

namespace fabrique::cli {

namespace {

using budgets::Amount;
using budgets::BallotType;
using budgets::Choice;
using budgets::CountingRule;
using budgets::Process;
using budgets::Project;
using budgets::ReviewStatus;
using budgets::Unit;

// --- Dates relative to the day of seeding, so that each process sits in its phase.

std::chrono::sys_days day(int offset) {
  return std::chrono::sys_days(today_utc()) + std::chrono::days(offset);
}
std::string at_midnight(int offset) {
  return format_date(std::chrono::year_month_day{day(offset)}) + "T00:00:00Z";
}
std::string at_noon(int offset) {
  return format_date(std::chrono::year_month_day{day(offset)}) + "T12:00:00Z";
}
std::string date_of(int offset) { return format_date(std::chrono::year_month_day{day(offset)}); }

// --- What the demo says

struct DemoProject {
  const char* unit;  // district slug, or "city-wide"
  const char* title;
  const char* description;
  Amount cost;
  int appeal = 5;  // how many voters like it, relatively
  ReviewStatus status = ReviewStatus::Feasible;
  const char* review_note = "";
  Amount final_cost = 0;         // 0: the estimate stands
  const char* merged_into = "";  // the title of the project it joined
};

struct DemoProcess {
  const char* slug;
  const char* title_fr;
  const char* title_en;
  const char* description_fr;
  const char* description_en;
  int proposals_open, review_open, vote_open, vote_close, implementation_open;  // days from today
  BallotType ballot_type;
  CountingRule rule;
  budgets::Scope scope = budgets::Scope::OwnDistrict;
  int minimum_age = 16;
  int min_choices = 1, max_choices = 4, points_total = 10;
  std::vector<std::pair<const char*, Amount>> amounts;  // unit slug → amount
  std::vector<DemoProject> projects;
  double turnout = 0;  // share of the census that votes (ballots are cast)
};

const char* const kFeasible = "Réalisable : chiffrage confirmé par les services techniques.";
const char* const kRevised =
    "Réalisable : le coût a été revu après le chiffrage des services techniques.";

DemoProcess implementation_process() {
  return {
      kDemoPublishedBudget,
      "Budget participatif 2025",
      "Participatory budget 2025",
      "700 000 € pour les projets des habitants : chaque quartier choisit les siens, et toute la "
      "ville choisit ensemble les projets d'intérêt général.",
      "€700,000 for residents' projects: each district chooses its own, and the whole city "
      "chooses the city-wide ones together.",
      -430,
      -370,
      -330,
      -309,
      -280,
      BallotType::Approval,
      CountingRule::EqualShares,
      budgets::Scope::OwnDistrictAndCityWide,
      16,
      1,
      4,
      10,
      {{"centre", 150000},
       {"les-vignes", 100000},
       {"port", 130000},
       {"rive-gauche", 120000},
       {"city-wide", 200000}},
      {
          {"centre", "Végétaliser la place du Marché",
           "Des arbres en pleine terre, des massifs et des bancs à l'ombre sur la place minérale.",
           45000, 9},
          {"centre", "Fontaines à eau potable dans le centre",
           "Quatre fontaines accessibles, raccordées au réseau, sur le parcours des promeneurs.",
           18000, 7, ReviewStatus::Feasible, kRevised, 21000},
          {"centre", "Abris vélos sécurisés près de la gare",
           "Deux abris fermés de 40 places chacun, accessibles avec la carte de transport.", 36000,
           6},
          {"centre", "Bancs et ombrières rue des Halles",
           "Des bancs tous les 50 mètres et des voiles d'ombrage l'été.", 22000, 5},
          {"centre", "Boîte à livres et bibliothèque de rue",
           "Trois boîtes à livres entretenues par les bénévoles de la médiathèque.", 6000, 4},
          {"centre", "Éclairage solaire du passage Saint-Jean",
           "Un éclairage autonome et doux pour traverser le passage le soir en sécurité.", 28000,
           3},
          {"centre", "Toilettes publiques accessibles",
           "Des toilettes gratuites, accessibles en fauteuil, ouvertes de 7 h à 22 h.", 55000, 6},
          {"centre", "Fresque participative à l'école Jules-Ferry",
           "Une fresque peinte avec les élèves sur le mur de la cour.", 12000, 3},
          {"centre", "Patinoire couverte permanente",
           "Une patinoire ouverte toute l'année sur le parking du marché.", 480000, 5,
           ReviewStatus::Infeasible,
           "Non réalisable : le coût dépasse de loin le budget du quartier et le parking est "
           "indispensable au marché."},
          {"rive-gauche", "Jardin partagé des Tilleuls",
           "Vingt parcelles cultivées par les habitants, un récupérateur d'eau et un abri à "
           "outils.",
           25000, 8},
          {"rive-gauche", "Aire de jeux inclusive au parc de Loire",
           "Des jeux accessibles aux enfants en situation de handicap, sur sol souple.", 60000, 9},
          {"rive-gauche", "Piste cyclable le long du quai",
           "Une piste séparée de la route sur 800 mètres, jusqu'au pont.", 85000, 6},
          {"rive-gauche", "Composteurs collectifs dans les résidences",
           "Dix composteurs installés et un guide composteur formé par résidence.", 8000, 5},
          {"rive-gauche", "Terrain de basket rénové",
           "Un revêtement neuf, des paniers réglables et un éclairage jusqu'à 22 h.", 30000, 4},
          {"rive-gauche", "Nichoirs et hôtels à insectes",
           "Cinquante nichoirs et dix hôtels à insectes posés avec les écoles.", 4000, 3},
          {"rive-gauche", "Verger public rue des Écoles",
           "Trente arbres fruitiers en libre cueillette.", 15000, 5},
          {"rive-gauche", "Parcours sportif en accès libre",
           "Dix agrès de sport le long des berges, pour tous les âges.", 40000, 4,
           ReviewStatus::Feasible, kRevised, 44000},
          {"rive-gauche", "Agrès de sport au parc",
           "Quelques agrès de musculation au parc de Loire.", 20000, 3, ReviewStatus::Merged,
           "Fusionné avec « Parcours sportif en accès libre », qui prévoit les mêmes agrès sur un "
           "parcours plus long.",
           0, "Parcours sportif en accès libre"},
          {"les-vignes", "Navette électrique vers le centre le samedi",
           "Une navette toutes les 30 minutes le samedi, pendant un an d'essai.", 70000, 5},
          {"les-vignes", "Rénovation du city-stade",
           "Des filets, des buts et un sol neufs pour le terrain multisport.", 45000, 7},
          {"les-vignes", "Chemin piéton éclairé vers le collège",
           "Un chemin stabilisé et éclairé de 600 mètres entre les résidences et le collège.",
           38000, 8},
          {"les-vignes", "Ruches pédagogiques",
           "Quatre ruches et des ateliers avec un apiculteur pour les écoles.", 7000, 3},
          {"les-vignes", "Bancs le long de la coulée verte",
           "Quinze bancs pour faire des pauses sur la promenade.", 12000, 5},
          {"les-vignes", "Matériel partagé pour la fête de quartier",
           "Tables, barnums et sonorisation prêtés aux associations.", 9000, 4},
          {"les-vignes", "Plantation de 100 arbres",
           "Cent arbres d'essences locales dans les rues les plus chaudes du quartier.", 30000, 9},
          {"les-vignes", "Local associatif rénové",
           "Isolation, peinture et mobilier du local de la rue des Pressoirs.", 60000, 4},
          {"port", "Ponton de baignade surveillée",
           "Un ponton flottant et une zone de baignade surveillée en juillet et août.", 90000, 7},
          {"port", "Promenade plantée sur l'ancien quai",
           "Des plantations, des bancs et des jeux d'eau sur 300 mètres de quai.", 65000, 8},
          {"port", "Skatepark",
           "Un skatepark en béton de 400 m², dessiné avec les jeunes du quartier.", 55000, 5},
          {"port", "Atelier de réparation de vélos",
           "Un atelier associatif équipé, ouvert deux soirs par semaine.", 14000, 6},
          {"port", "Filets anti-déchets aux sorties pluviales",
           "Des filets pour que les déchets n'aillent plus dans le fleuve.", 10000, 4},
          {"port", "Tables de pique-nique au bord de l'eau",
           "Douze tables, dont quatre accessibles en fauteuil.", 8000, 5},
          {"port", "Équipements du marché de nuit estival",
           "Des branchements électriques et de l'éclairage pour le marché de nuit.", 20000, 3},
          {"city-wide", "Réseau de fontaines dans toute la ville",
           "Vingt fontaines à eau potable réparties dans les quatre quartiers.", 120000, 7},
          {"city-wide", "Vélos cargo en libre-service",
           "Trente vélos cargo électriques en prêt dans cinq stations.", 95000, 6},
          {"city-wide", "Forêt urbaine à la porte Nord",
           "Une forêt dense de 3 000 arbres plantés avec les habitants.", 150000, 8},
          {"city-wide", "Application de signalement des pannes d'éclairage",
           "Signaler une panne en deux clics et suivre sa réparation.", 40000, 3},
          {"city-wide", "Bus des services publics itinérant",
           "Un bus aménagé qui apporte les démarches administratives dans chaque quartier.", 110000,
           5},
          {"city-wide", "Festival des cultures du monde",
           "Un week-end de concerts, de cuisines et d'ateliers, gratuit.", 50000, 4},
      },
      0.42};
}

DemoProcess results_process() {
  return {kDemoResultsBudget,
          "Budget jeunesse 2026",
          "Youth budget 2026",
          "100 000 € pour les projets proposés et choisis par les jeunes : chacun répartit 10 "
          "points entre les projets de son quartier.",
          "€100,000 for projects proposed and chosen by young people: each shares 10 points among "
          "the projects of their district.",
          -160,
          -120,
          -40,
          -12,
          60,
          BallotType::Cumulative,
          CountingRule::Greedy,
          budgets::Scope::OwnDistrict,
          11,
          1,
          4,
          10,
          {{"centre", 25000}, {"les-vignes", 25000}, {"port", 25000}, {"rive-gauche", 25000}},
          {
              {"centre", "Salle de répétition pour la musique",
               "Une salle insonorisée et équipée, réservable en ligne.", 15000, 8},
              {"centre", "Tournoi annuel de jeux vidéo",
               "Un tournoi ouvert à tous à la médiathèque, avec des ateliers.", 6000, 5},
              {"centre", "Murs d'expression libre",
               "Trois murs où le graff est autorisé et encadré.", 8000, 6},
              {"rive-gauche", "Espace de street workout",
               "Des barres et des agrès de musculation en accès libre.", 18000, 8},
              {"rive-gauche", "Wi-Fi gratuit au parc de Loire",
               "Un accès Wi-Fi public autour du kiosque.", 9000, 4},
              {"rive-gauche", "Cinéma en plein air",
               "Six séances l'été, films choisis par les jeunes.", 7000, 6},
              {"les-vignes", "Piste de BMX", "Une piste en terre de 200 mètres.", 22000, 7},
              {"les-vignes", "Studio photo partagé",
               "Un studio et du matériel prêtés au centre social.", 10000, 4},
              {"les-vignes", "Jardin des jeunes", "Un potager cultivé par les jeunes du quartier.",
               5000, 3},
              {"port", "Initiation à la voile",
               "Des stages gratuits de voile avec le club nautique.", 20000, 7},
              {"port", "Scène ouverte sur le quai",
               "Une petite scène couverte pour les concerts et le théâtre.", 12000, 6},
              {"port", "Tables de ping-pong", "Quatre tables en béton près du skatepark.", 3000, 5},
          },
          0.22};
}

DemoProcess vote_process() {
  return {
      kDemoVoteBudget,
      "Cours d'école oasis 2026",
      "Schoolyard oases 2026",
      "280 000 € pour rafraîchir les cours d'école et les ouvrir au quartier : choisissez les "
      "projets que vous voulez, dans la limite du budget de votre quartier.",
      "€280,000 to cool schoolyards down and open them to the district: choose the projects "
      "you want, within your district's budget.",
      -100,
      -60,
      -7,
      14,
      60,
      BallotType::Knapsack,
      CountingRule::Greedy,
      budgets::Scope::OwnDistrict,
      16,
      1,
      4,
      10,
      {{"centre", 80000}, {"les-vignes", 60000}, {"port", 70000}, {"rive-gauche", 70000}},
      {
          {"centre", "Débitumer la cour de l'école Jules-Ferry",
           "Remplacer 400 m² d'enrobé par de la terre, des copeaux et des plantes.", 45000, 8},
          {"centre", "Préau végétalisé à l'école Victor-Hugo",
           "Une pergola plantée de glycines pour l'ombre.", 25000, 6},
          {"centre", "Fontaines dans les cours du centre",
           "Une fontaine à boire dans chacune des trois cours.", 12000, 5},
          {"centre", "Cour ouverte le samedi",
           "Du mobilier et un gardiennage pour ouvrir la cour aux familles le samedi.", 18000, 4},
          {"rive-gauche", "Potager pédagogique à l'école des Tilleuls",
           "Des bacs cultivés par les classes, un composteur et un récupérateur d'eau.", 15000, 7},
          {"rive-gauche", "Arbres dans la cour Jean-Moulin",
           "Huit arbres en pleine terre et des bancs autour.", 30000, 6},
          {"rive-gauche", "Sol souple et jeux d'eau",
           "Des brumisateurs et un sol souple pour l'été.", 35000, 5},
          {"les-vignes", "Débitumer la cour de l'école des Pressoirs",
           "Une cour plus fraîche, avec des îlots de verdure.", 40000, 8},
          {"les-vignes", "Cabane et coin calme", "Une cabane en bois et un coin lecture ombragé.",
           9000, 5},
          {"les-vignes", "Voiles d'ombrage", "Trois voiles tendues au-dessus de la cour.", 14000,
           4},
          {"port", "Mare pédagogique à l'école du Port",
           "Une petite mare clôturée pour observer la faune.", 16000, 6},
          {"port", "Cour nature de l'école Marie-Curie",
           "Des buttes, des plantes et des rondins à la place du bitume.", 50000, 7},
          {"port", "Fontaines et bancs ombragés", "Deux fontaines et six bancs sous des arbres.",
           12000, 5},
          {"port", "Terrain de sport rénové", "Un sol neuf et des buts pour le terrain de la cour.",
           28000, 4},
      },
      0.16};
}

DemoProcess review_process() {
  return {
      kDemoReviewBudget,
      "Rues apaisées",
      "Calmer streets",
      "200 000 € pour des rues plus sûres et plus calmes : les services de la ville étudient "
      "la faisabilité des propositions avant le vote.",
      "€200,000 for safer, calmer streets: the city's departments are checking that the "
      "proposals can be carried out before the vote.",
      -50,
      -10,
      20,
      41,
      100,
      BallotType::Approval,
      CountingRule::EqualShares,
      budgets::Scope::OwnDistrict,
      16,
      1,
      3,
      10,
      {{"centre", 50000}, {"les-vignes", 50000}, {"port", 50000}, {"rive-gauche", 50000}},
      {
          {"centre", "Rue scolaire devant l'école Jules-Ferry",
           "Fermer la rue aux voitures aux heures d'entrée et de sortie.", 12000, 5,
           ReviewStatus::Feasible, kFeasible},
          {"centre", "Plateau piéton rue Royale",
           "Surélever la chaussée au carrefour pour ralentir les voitures.", 35000, 5,
           ReviewStatus::Feasible, kRevised, 42000},
          {"centre", "Interdire les voitures dans tout le centre",
           "Un centre-ville entièrement piéton, jour et nuit.", 45000, 5, ReviewStatus::Infeasible,
           "Non réalisable dans ce budget : une telle décision relève du plan de circulation "
           "voté par le conseil municipal ; la proposition lui est transmise."},
          {"rive-gauche", "Écluses et chicanes rue des Écoles",
           "Des rétrécissements pour faire ralentir les voitures.", 20000, 5,
           ReviewStatus::Feasible, kFeasible},
          {"rive-gauche", "Passages piétons éclairés",
           "Un éclairage renforcé sur les cinq passages les plus fréquentés.", 18000, 5},
          {"les-vignes", "Zone 30 dans tout le quartier",
           "Des panneaux, des marquages et deux radars pédagogiques.", 25000, 5,
           ReviewStatus::Feasible, kFeasible},
          {"les-vignes", "Radars pédagogiques",
           "Deux radars qui affichent la vitesse des voitures.", 6000, 5, ReviewStatus::Merged,
           "Fusionné avec « Zone 30 dans tout le quartier », qui comprend les deux radars.", 0,
           "Zone 30 dans tout le quartier"},
          {"les-vignes", "Trottoirs élargis avenue des Vignes",
           "Des trottoirs de deux mètres pour les poussettes et les fauteuils.", 48000, 5},
          {"port", "Traversée sécurisée du quai",
           "Un passage piéton avec îlot central face à la halle.", 30000, 5},
          {"port", "Stationnement vélo rue du Port",
           "Trente arceaux à la place de trois places de voiture.", 7000, 5},
      },
      0};
}

DemoProcess proposals_process() {
  return {
      kDemoProposalsBudget,
      "Budget participatif 2027",
      "Participatory budget 2027",
      "Proposez vos projets pour votre quartier ou pour toute la ville : 700 000 € seront "
      "confiés aux habitants.",
      "Propose your projects for your district or for the whole city: €700,000 will be "
      "entrusted to residents.",
      -10,
      35,
      80,
      101,
      150,
      BallotType::Approval,
      CountingRule::Phragmen,
      budgets::Scope::OwnDistrictAndCityWide,
      16,
      1,
      4,
      10,
      {{"centre", 150000},
       {"les-vignes", 100000},
       {"port", 130000},
       {"rive-gauche", 120000},
       {"city-wide", 200000}},
      {
          {"centre", "Jardin sur le toit de la médiathèque",
           "Un jardin partagé et une terrasse de lecture sur le toit.", 80000, 5,
           ReviewStatus::Submitted},
          {"rive-gauche", "Guinguette associative au bord de l'eau",
           "Un lieu convivial tenu par les associations l'été.", 40000, 5, ReviewStatus::Submitted},
          {"les-vignes", "Aire de pique-nique couverte",
           "Un abri et des tables près de la coulée verte.", 25000, 5, ReviewStatus::Submitted},
          {"port", "Bibliothèque de plage", "Des livres en libre accès l'été sur le quai.", 8000, 5,
           ReviewStatus::Submitted},
          {"city-wide", "Carte interactive des arbres de la ville",
           "Chaque arbre, son essence et son âge, en ligne et sur des panneaux.", 30000, 5,
           ReviewStatus::Submitted},
          {"city-wide", "Ressourcerie municipale",
           "Un lieu pour donner, réparer et racheter des objets.", 180000, 5,
           ReviewStatus::Submitted},
      },
      0};
}

// --- Building blocks

struct Person {
  budgets::Voter voter;
  int number = 0;  // DEMOnnnn
};

// Every person of the demo census as the voting rules know them, but Rémi
// (DEMO0002), left free to vote in the demo himself.
std::vector<Person> demo_people(store::Connection& db, const web::Secrets& secrets) {
  std::vector<Person> people;
  const std::string csv = demo_census_csv(kDemoCensusPeople);
  std::size_t at = csv.find('\n') + 1;
  for (int i = 1; at < csv.size(); ++i) {
    const std::size_t end = csv.find('\n', at);
    const std::string line = csv.substr(at, end - at);
    at = end + 1;
    if (i == 2) continue;
    std::vector<std::string> fields;
    for (std::size_t from = 0, comma; from <= line.size(); from = comma + 1) {
      comma = std::min(line.find(',', from), line.size());
      fields.push_back(line.substr(from, comma - from));
    }
    const auto found = budgets::voter_of_identity(
        db, secrets.census, {fields.at(0), fields.at(1), fields.at(2)}, today_utc());
    if (found.voter) people.push_back({*found.voter, i});
  }
  return people;
}

std::optional<std::int64_t> account_id(store::Connection& db, const std::string& email) {
  const auto account = accounts::find_account_by_email(db, email);
  if (!account) return std::nullopt;
  return account->id;
}

Process insert_demo_process(store::Connection& db, const DemoProcess& spec) {
  Process p;
  p.slug = spec.slug;
  p.title_fr = spec.title_fr;
  p.title_en = spec.title_en;
  p.description_fr = spec.description_fr;
  p.description_en = spec.description_en;
  p.schedule = {at_midnight(spec.proposals_open), at_midnight(spec.review_open),
                at_midnight(spec.vote_open), at_midnight(spec.vote_close),
                at_midnight(spec.implementation_open)};
  p.scope = spec.scope;
  p.minimum_age = spec.minimum_age;
  p.ballot_type = spec.ballot_type;
  p.min_choices = spec.min_choices;
  p.max_choices = spec.max_choices;
  p.points_total = spec.points_total;
  p.rule = spec.rule;
  for (const auto& [slug, amount] : spec.amounts) {
    Unit unit;
    unit.amount = amount;
    if (std::string(slug) != budgets::kCityWideSlug) {
      const auto rows = db.query("SELECT id FROM districts WHERE slug = $1", {std::string(slug)});
      if (rows.empty()) throw std::runtime_error(std::string("demo district missing: ") + slug);
      unit.district_id = std::get<std::int64_t>(rows.at(0).at(0));
    }
    p.total_amount += amount;
    p.units.push_back(unit);
  }
  budgets::insert_process(db, p);
  return *budgets::find_process(db, p.slug);
}

// Inserts the projects, reviewed as the spec says; returns title → id.
std::map<std::string, std::int64_t> insert_demo_projects(store::Connection& db,
                                                         const Process& process,
                                                         const DemoProcess& spec) {
  std::vector<std::optional<std::int64_t>> authors{
      account_id(db, "resident@demo.fabrique.example"),
      account_id(db, "association@demo.fabrique.example"),
      account_id(db, "elected@demo.fabrique.example"), std::nullopt};
  const std::optional<std::int64_t> reviewer = account_id(db, "reviewer@demo.fabrique.example");
  std::map<std::string, std::int64_t> ids;
  int n = 0;
  for (const DemoProject& d : spec.projects) {
    const Unit* unit = process.unit_by_slug(d.unit);
    if (!unit) throw std::runtime_error(std::string("demo unit missing: ") + d.unit);
    Project p;
    p.process_id = process.id;
    p.unit_id = unit->id;
    p.author_id = authors[static_cast<std::size_t>(n) % authors.size()];
    p.title = d.title;
    p.description = d.description;
    p.estimated_cost = d.cost;
    p.created_at = p.updated_at = at_noon(spec.proposals_open + 1 + n % 20);
    p.id = budgets::insert_project(db, p);
    ids[d.title] = p.id;
    ++n;
    if (d.status == ReviewStatus::Submitted) continue;
    p.status = d.status;
    p.review_note = *d.review_note ? d.review_note : kFeasible;
    if (d.final_cost > 0) p.final_cost = d.final_cost;
    if (*d.merged_into) p.merged_into = ids.at(d.merged_into);
    p.updated_at = at_noon(spec.review_open + 2 + n % 10);
    budgets::update_project(db, p);
    db.execute("UPDATE budget_projects SET reviewed_by = $2, reviewed_at = $3 WHERE id = $1",
               {p.id, reviewer ? store::Value(*reviewer) : store::Value(nullptr), p.updated_at});
  }
  return ids;
}

// Picks up to `count` distinct projects, each with a chance that grows with its appeal.
std::vector<const DemoProject*> pick(std::vector<const DemoProject*> pool, std::size_t count,
                                     std::mt19937& random) {
  std::vector<const DemoProject*> chosen;
  while (chosen.size() < count && !pool.empty()) {
    int total = 0;
    for (const DemoProject* p : pool) total += p->appeal * p->appeal;
    int ticket = std::uniform_int_distribution<int>(0, total - 1)(random);
    std::size_t i = 0;
    for (; i + 1 < pool.size(); ++i) {
      ticket -= pool[i]->appeal * pool[i]->appeal;
      if (ticket < 0) break;
    }
    chosen.push_back(pool[i]);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return chosen;
}

// A plausible ballot of the process's type among `pool` (the unit's projects).
std::vector<Choice> demo_ballot(const DemoProcess& spec, const Unit& unit,
                                const std::vector<const DemoProject*>& pool,
                                const std::map<std::string, std::int64_t>& ids,
                                std::mt19937& random) {
  std::vector<Choice> choices;
  const auto id_of = [&](const DemoProject* p) { return ids.at(p->title); };
  const auto cost_of = [](const DemoProject* p) {
    return p->final_cost > 0 ? p->final_cost : p->cost;
  };
  switch (spec.ballot_type) {
    case BallotType::Approval:
    case BallotType::Ranked: {
      const auto count =
          std::uniform_int_distribution<int>(spec.min_choices, spec.max_choices)(random);
      for (const DemoProject* p : pick(pool, static_cast<std::size_t>(count), random))
        choices.push_back({id_of(p), 1});
      break;
    }
    case BallotType::Knapsack: {
      Amount left = unit.amount;
      for (const DemoProject* p : pick(pool, pool.size(), random)) {
        if (cost_of(p) > left) continue;
        choices.push_back({id_of(p), 1});
        left -= cost_of(p);
        if (choices.size() >= 4) break;
      }
      break;
    }
    case BallotType::Cumulative: {
      const auto chosen =
          pick(pool, std::uniform_int_distribution<std::size_t>(1, 3)(random), random);
      std::int64_t left = spec.points_total;
      for (std::size_t k = 0; k < chosen.size(); ++k) {
        const std::int64_t points =
            k + 1 == chosen.size()
                ? left
                : std::uniform_int_distribution<std::int64_t>(
                      1, left - static_cast<std::int64_t>(chosen.size() - k - 1))(random);
        choices.push_back({id_of(chosen[k]), points});
        left -= points;
      }
      break;
    }
  }
  return choices;
}

// Casts the ballots of a share of the census through the voting rules, at a
// moment of the vote; returns how many ballots went in.
int cast_demo_ballots(store::Connection& db, const web::Secrets& secrets, const Process& process,
                      const DemoProcess& spec, const std::map<std::string, std::int64_t>& ids,
                      const std::vector<Person>& people, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::bernoulli_distribution votes(spec.turnout), also_city_wide(0.8);
  const std::string now = at_noon(std::min(spec.vote_open + 3, -1));
  int cast = 0;
  for (const Person& person : people) {
    if (!votes(random)) continue;
    for (const Unit* unit : budgets::voter_units(process, person.voter)) {
      if (unit->city_wide() && !also_city_wide(random)) continue;
      std::vector<const DemoProject*> pool;
      for (const DemoProject& d : spec.projects)
        if (d.unit == unit->slug && d.status == ReviewStatus::Feasible) pool.push_back(&d);
      const budgets::UnitBallot ballot{unit->id, demo_ballot(spec, *unit, pool, ids, random)};
      const auto result =
          budgets::cast_online(db, secrets.ballots, process, person.voter, ballot, now);
      if (result.ok()) ++cast;  // the under-age are refused, as they would be
    }
  }
  return cast;
}

// Where the funded projects of the published 2025 budget stand, a year on.
void track_implementation(store::Connection& db, const Process& process) {
  const auto admin = account_id(db, "admin@demo.fabrique.example");
  const auto post = [&](std::int64_t project, int offset, const char* fr, const char* en) {
    db.execute(
        "INSERT INTO budget_project_updates (project_id, posted_on, body_fr, body_en, posted_by) "
        "VALUES ($1, $2, $3, $4, $5)",
        {project, date_of(offset), std::string(fr), std::string(en),
         admin ? store::Value(*admin) : store::Value(nullptr)});
  };
  const auto set = [&](std::int64_t project, const char* status, int progress,
                       std::optional<Amount> spent) {
    db.execute(
        "UPDATE budget_projects SET implementation = $2, progress = $3, spent = $4 WHERE id = $1",
        {project, std::string(status), std::int64_t{progress},
         spent ? store::Value(*spent) : store::Value(nullptr)});
  };
  bool abandoned_one = false;
  for (const auto& stored : budgets::results_of(db, process)) {
    const auto& funded = stored.result.funded;
    for (std::size_t k = 0; k < funded.size(); ++k) {
      const std::int64_t id = std::stoll(funded[k]);
      const Amount cost = stored.result.project(funded[k])->cost;
      post(id, -265, "Le projet est inscrit au programme des travaux de l'année.",
           "The project is in this year's works programme.");
      if (k == 0) {
        set(id, "done", 100, cost * 96 / 100);
        post(id, -200, "Les travaux ont commencé.", "Work has started.");
        post(id, -45, "Le projet est terminé et a été inauguré avec les habitants.",
             "The project is finished and was opened with the residents.");
      } else if (k == 1) {
        set(id, "in-progress", 60, std::nullopt);
        post(id, -150, "Les études sont terminées ; les travaux sont commandés.",
             "The studies are done; the work is ordered.");
        post(id, -20, "Les travaux avancent : la moitié est faite.",
             "Work is progressing: half of it is done.");
      } else if (k == 2 && !abandoned_one && stored.result.unit_slug == "city-wide") {
        abandoned_one = true;
        set(id, "abandoned", 0, std::nullopt);
        post(id, -90,
             "Les études ont montré un coût bien supérieur à l'estimation : le projet est "
             "abandonné et son montant reporté au prochain budget participatif.",
             "The studies showed a cost far above the estimate: the project is abandoned and its "
             "amount carried over to the next participatory budget.");
      } else if (k == 2) {
        set(id, "in-progress", 25, std::nullopt);
        post(id, -60, "Le marché de travaux est attribué.", "The works contract is awarded.");
      }
    }
  }
}

}  // namespace

DemoBudgetsReport seed_demo_budgets(store::Connection& db, const web::Secrets& secrets) {
  DemoBudgetsReport report;
  const std::vector<Person> people = demo_people(db, secrets);
  const DemoProcess specs[] = {proposals_process(), review_process(), vote_process(),
                               results_process(), implementation_process()};
  std::uint32_t seed = 2025;
  for (const DemoProcess& spec : specs) {
    const Process process = insert_demo_process(db, spec);
    const auto ids = insert_demo_projects(db, process, spec);
    ++report.processes;
    report.projects += static_cast<int>(spec.projects.size());
    if (spec.turnout > 0)
      report.ballots += cast_demo_ballots(db, secrets, process, spec, ids, people, ++seed);
    if (spec.vote_close < 0) {
      const std::string now = now_iso8601();
      budgets::count_process(db, process, now);
      budgets::publish(db, process, now);
    }
  }
  track_implementation(db, *budgets::find_process(db, kDemoPublishedBudget));
  return report;
}

}  // namespace fabrique::cli
