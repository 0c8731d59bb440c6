// A counted-vote scenario shared by the results tests: two districts with a
// census, a process whose vote has closed, feasible projects, and ballots
// with the roll rows that go with them, written as the casting side would.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "budgets/ballot_repository.hpp"
#include "budgets/repository.hpp"
#include "core/crypto.hpp"
#include "residency/actions.hpp"
#include "store/store.hpp"

namespace fabrique::test {

struct ResultsScenario {
  std::int64_t centre = 0, port = 0;  // district ids
  budgets::Process process;
  std::int64_t jardin = 0, bancs = 0, fontaine = 0, cable_car = 0, ponton = 0;  // project ids
  int next_person = 0;
};

inline std::int64_t add_feasible(store::Connection& db, const budgets::Process& process,
                                 std::int64_t unit_id, const std::string& title,
                                 budgets::Amount cost,
                                 budgets::ReviewStatus status = budgets::ReviewStatus::Feasible) {
  budgets::Project p;
  p.process_id = process.id;
  p.unit_id = unit_id;
  p.title = title;
  p.description = "Description de " + title;
  p.estimated_cost = cost;
  p.created_at = p.updated_at = "2026-01-05T10:00:00Z";
  p.id = budgets::insert_project(db, p);
  p.status = status;
  p.review_note = status == budgets::ReviewStatus::Feasible ? "Réalisable." : "Hors compétence.";
  budgets::update_project(db, p);
  return p.id;
}

// A person of `district` on the census and the roll, and their ballot.
inline void cast(store::Connection& db, ResultsScenario& s, std::int64_t district,
                 std::int64_t unit_id, const std::vector<budgets::Choice>& choices,
                 bool with_points = false) {
  const std::string who = "person-" + std::to_string(++s.next_person);
  db.execute(
      "INSERT INTO census_entries (identity_hash, district_id, import_id) VALUES ($1, $2, 1)",
      {who, district});
  const auto entry = std::get<std::int64_t>(
      db.query("SELECT id FROM census_entries WHERE identity_hash = $1", {who}).at(0).at(0));
  db.execute(
      "INSERT INTO budget_participations (process_id, census_entry_id, district_id, channel) "
      "VALUES ($1, $2, $3, 'online')",
      {s.process.id, entry, district});
  db.execute(
      "INSERT INTO budget_ballots (ballot_key, process_id, unit_id, choices, receipt_hash) "
      "VALUES ($1, $2, $3, $4, $5)",
      {crypto::random_token(16), s.process.id, unit_id,
       budgets::choices_to_text(choices, with_points), crypto::random_token(16)});
}

// Centre (100 €): jardin 60, bancs 50, fontaine 40, cable car infeasible;
// port (80 €): ponton 30. Ballots in the centre: 5 × {jardin}, 3 × {bancs,
// fontaine}, 2 × {fontaine}; in the port: 2 × {ponton}. Greedy funds jardin
// and fontaine in the centre, ponton in the port. Plus two people on the
// census of each district who did not vote.
inline ResultsScenario closed_vote(store::Connection& db, const std::string& slug,
                                   budgets::CountingRule rule = budgets::CountingRule::Greedy,
                                   const std::string& vote_close = "2026-03-22T00:00:00Z") {
  ResultsScenario s;
  s.centre = residency::add_district(db, {"centre", "Centre-ville", "City centre"}).id;
  s.port = residency::add_district(db, {"port", "Le Port", "The Harbour"}).id;
  budgets::Process p;
  p.slug = slug;
  p.title_fr = "Budget des quartiers";
  p.title_en = "Neighbourhood budget";
  p.description_fr = "Les projets des quartiers.";
  p.description_en = "The districts' projects.";
  p.total_amount = 180;
  p.schedule = {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", vote_close,
                "2099-01-01T00:00:00Z"};
  p.ballot_type = budgets::BallotType::Approval;
  p.min_choices = 1;
  p.max_choices = 3;
  p.rule = rule;
  p.units = {budgets::Unit{0, s.centre, "centre", "", "", 100},
             budgets::Unit{0, s.port, "port", "", "", 80}};
  p.id = budgets::insert_process(db, p);
  s.process = *budgets::find_process(db, slug);
  const std::int64_t centre_unit = s.process.units.at(0).id;
  const std::int64_t port_unit = s.process.units.at(1).id;
  s.jardin = add_feasible(db, s.process, centre_unit, "Jardin partagé", 60);
  s.bancs = add_feasible(db, s.process, centre_unit, "Bancs", 50);
  s.fontaine = add_feasible(db, s.process, centre_unit, "Fontaine", 40);
  s.cable_car = add_feasible(db, s.process, centre_unit, "Téléphérique", 10,
                             budgets::ReviewStatus::Infeasible);
  s.ponton = add_feasible(db, s.process, port_unit, "Ponton", 30);
  for (int i = 0; i < 5; ++i) cast(db, s, s.centre, centre_unit, {{s.jardin, 1}});
  for (int i = 0; i < 3; ++i) cast(db, s, s.centre, centre_unit, {{s.bancs, 1}, {s.fontaine, 1}});
  for (int i = 0; i < 2; ++i) cast(db, s, s.centre, centre_unit, {{s.fontaine, 1}});
  for (int i = 0; i < 2; ++i) cast(db, s, s.port, port_unit, {{s.ponton, 1}});
  for (std::int64_t district : {s.centre, s.centre, s.port, s.port})
    db.execute(
        "INSERT INTO census_entries (identity_hash, district_id, import_id) VALUES ($1, $2, 1)",
        {"absent-" + std::to_string(++s.next_person), district});
  return s;
}

}  // namespace fabrique::test
