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
#include "cli/demo_budgets_content.hpp"
#include "core/time.hpp"
#include "residency/repository.hpp"

namespace fabrique::cli {

namespace {

using budgets::Amount;
using budgets::BallotType;
using budgets::Choice;
using budgets::Process;
using budgets::Project;
using budgets::ReviewStatus;
using budgets::Unit;

// --- Dates relative to the day of seeding, so that each process sits in its phase.

// Days of the installation's calendar (its time zone): a phase opens at local midnight.
std::chrono::sys_days day(int offset) {
  return std::chrono::sys_days(today_local()) + std::chrono::days(offset);
}
std::string at_midnight(int offset) {
  return iso8601(installation_time_zone().start_of(std::chrono::year_month_day{day(offset)}));
}
std::string at_noon(int offset) {
  return iso8601(installation_time_zone().start_of(std::chrono::year_month_day{day(offset)}) +
                 std::chrono::hours(12));
}
std::string date_of(int offset) { return format_date(std::chrono::year_month_day{day(offset)}); }

// --- Building blocks

struct Person {
  budgets::Voter voter;
  int number = 0;  // DEMOnnnn
};

// Every person of the demo census as the voting rules know them, but Rémi
// (DEMO0002), left free to vote in the demo himself.
std::vector<Person> demo_people(store::Connection& db, const Secrets& secrets) {
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
  p.schedule = {at_midnight(spec.days.proposals_open), at_midnight(spec.days.review_open),
                at_midnight(spec.days.vote_open), at_midnight(spec.days.vote_close),
                at_midnight(spec.days.implementation_open)};
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
      const auto district = residency::find_district_by_slug(db, slug);
      if (!district) throw std::runtime_error(std::string("demo district missing: ") + slug);
      unit.district_id = district->id;
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
    p.created_at = p.updated_at = at_noon(spec.days.proposals_open + 1 + n % 20);
    p.id = budgets::insert_project(db, p);
    ids[d.title] = p.id;
    ++n;
    if (d.status == ReviewStatus::Submitted) continue;
    p.status = d.status;
    p.review_note = *d.review_note ? d.review_note : kFeasibleNote;
    if (d.final_cost > 0) p.final_cost = d.final_cost;
    if (*d.merged_into) p.merged_into = ids.at(d.merged_into);
    p.updated_at = at_noon(spec.days.review_open + 2 + n % 10);
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
int cast_demo_ballots(store::Connection& db, const Secrets& secrets, const Process& process,
                      const DemoProcess& spec, const std::map<std::string, std::int64_t>& ids,
                      const std::vector<Person>& people, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::bernoulli_distribution votes(spec.turnout), also_city_wide(0.8);
  const std::string now = at_noon(std::min(spec.days.vote_open + 3, -1));
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
        post(id, -150, "Les études sont terminées\u202f; les travaux sont commandés.",
             "The studies are done; the work is ordered.");
        post(id, -20, "Les travaux avancent\u202f: la moitié est faite.",
             "Work is progressing: half of it is done.");
      } else if (k == 2 && !abandoned_one && stored.result.unit_slug == "city-wide") {
        abandoned_one = true;
        set(id, "abandoned", 0, std::nullopt);
        post(id, -90,
             "Les études ont montré un coût bien supérieur à l'estimation\u202f: le projet est "
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

// One process of the table: the process, its projects reviewed as it says,
// ballots from a share of the census (through the voting rules), and, once
// its vote has closed, its count, published.
void seed_demo_process(store::Connection& db, const Secrets& secrets, const DemoProcess& spec,
                       const std::vector<Person>& people, std::uint32_t ballots_seed,
                       DemoBudgetsReport& report) {
  const Process process = insert_demo_process(db, spec);
  const auto ids = insert_demo_projects(db, process, spec);
  ++report.processes;
  report.projects += static_cast<int>(spec.projects.size());
  if (spec.turnout > 0)
    report.ballots += cast_demo_ballots(db, secrets, process, spec, ids, people, ballots_seed);
  if (spec.days.vote_close < 0) {
    const std::string now = now_iso8601();
    budgets::count_process(db, process, now);
    budgets::publish(db, process, now);
  }
}

}  // namespace

DemoBudgetsReport seed_demo_budgets(store::Connection& db, const Secrets& secrets) {
  DemoBudgetsReport report;
  const std::vector<Person> people = demo_people(db, secrets);
  // Each process that has ballots draws them from a generator of its own,
  // seeded 2026, 2027, ... in the table's order: the demo is the same at
  // every seeding.
  std::uint32_t seed = 2025;
  for (const DemoProcess& spec : demo_budget_processes()) {
    const std::uint32_t ballots_seed = spec.turnout > 0 ? ++seed : 0;
    seed_demo_process(db, secrets, spec, people, ballots_seed, report);
  }
  track_implementation(db, *budgets::find_process(db, kDemoPublishedBudget));
  return report;
}

}  // namespace fabrique::cli
