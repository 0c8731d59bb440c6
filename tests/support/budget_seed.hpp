// A participatory budget in its vote, seeded straight into a store: districts,
// feasible projects, ballots already cast (with the roll) and verified
// residents with open sessions who have not voted yet. For the scale bench
// (bench/budgets_scale.cpp) and the tests that need a vote under load.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "budgets/model.hpp"
#include "budgets/repository.hpp"
#include "core/crypto.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "store/store.hpp"
#include "support/budget_process.hpp"

namespace fabrique::test {

struct VoteSeedOptions {
  std::string slug = "city-scale";
  int districts = 4;
  int projects = 1000;  // spread over the districts in turn
  int ballots = 0;      // already cast
  int voters = 0;       // signed in, not voted yet
  budgets::Amount unit_amount = 2'500'000;
};

// Rows per INSERT: few round trips, well under SQLite's parameter limit.
template <class Row>
inline void insert_rows(store::Connection& db, const std::string& head, int columns,
                        const std::vector<Row>& rows,
                        const std::function<void(const Row&, std::vector<store::Value>&)>& bind) {
  constexpr std::size_t kPerStatement = 200;
  for (std::size_t start = 0; start < rows.size(); start += kPerStatement) {
    const std::size_t end = std::min(rows.size(), start + kPerStatement);
    std::string sql = head + " VALUES ";
    std::vector<store::Value> params;
    for (std::size_t i = start; i < end; ++i) {
      sql += i == start ? "(" : ", (";
      for (int c = 0; c < columns; ++c)
        sql += (c ? ", $" : "$") + std::to_string(params.size() + c + 1);
      sql += ")";
      bind(rows[i], params);
    }
    db.execute(sql, params);
  }
}

struct SeededVote {
  budgets::Process process;
  std::vector<std::vector<std::int64_t>> projects_by_unit;  // project ids per unit
  std::vector<std::string> session_tokens;                  // one per voter, not voted yet
  std::vector<std::size_t> voter_unit;                      // each voter's unit index
};

inline SeededVote seed_vote(store::Database& database, const VoteSeedOptions& options) {
  auto db = database.connect();
  SeededVote out;
  std::vector<std::int64_t> district_ids;
  for (int d = 0; d < options.districts; ++d) {
    const std::string slug = "district-" + std::to_string(d + 1);
    district_ids.push_back(residency::add_district(*db, {slug, "Quartier " + std::to_string(d + 1),
                                                         "District " + std::to_string(d + 1)})
                               .id);
  }
  budgets::Process p;
  p.slug = options.slug;
  p.title_fr = "Budget participatif à l'échelle d'une grande ville";
  p.title_en = "Participatory budget at the scale of a large city";
  p.description_fr = "Mille projets, cent mille bulletins.";
  p.description_en = "A thousand projects, a hundred thousand ballots.";
  p.schedule = {day_from_today(-60), day_from_today(-30), day_from_today(-1), day_from_today(30),
                day_from_today(90)};
  p.ballot_type = budgets::BallotType::Approval;
  p.min_choices = 1;
  p.max_choices = 5;
  p.rule = budgets::CountingRule::Greedy;
  for (int d = 0; d < options.districts; ++d) {
    budgets::Unit unit;
    unit.district_id = district_ids[d];
    unit.amount = options.unit_amount;
    p.units.push_back(unit);
    p.total_amount += unit.amount;
  }
  db->transaction([&](store::Connection& tx) { budgets::insert_process(tx, p); });
  out.process = *budgets::find_process(*db, options.slug);
  const auto& units = out.process.units;

  std::mt19937_64 random(20261122);
  out.projects_by_unit.resize(units.size());
  db->transaction([&](store::Connection& tx) {
    const std::string now = now_iso8601();
    for (int i = 0; i < options.projects; ++i) {
      const std::size_t u = static_cast<std::size_t>(i) % units.size();
      const budgets::Amount cost = 20'000 + static_cast<budgets::Amount>(random() % 180) * 1'000;
      const auto rows = tx.query(
          "INSERT INTO budget_projects (process_id, unit_id, title, description, estimated_cost, "
          "status, final_cost, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'feasible', "
          "$5, $6, $6) RETURNING id",
          {out.process.id, units[u].id,
           fmt::format("Projet {:04}\u202f: aménagement du quartier", i + 1),
           "Un projet proposé par des habitants, étudié et jugé réalisable par les services.", cost,
           now});
      out.projects_by_unit[u].push_back(std::get<std::int64_t>(rows.at(0).at(0)));
    }
  });

  // The people: `ballots` who voted, then `voters` who will vote over HTTP.
  const int people = options.ballots + options.voters;
  struct Person {
    std::string hash;
    std::int64_t district;
  };
  std::vector<Person> census;
  for (int i = 0; i < people; ++i)
    census.push_back({crypto::hash_hex("bench-person-" + std::to_string(i)),
                      district_ids[static_cast<std::size_t>(i) % district_ids.size()]});
  db->transaction([&](store::Connection& tx) {
    insert_rows<Person>(
        tx, "INSERT INTO census_entries (identity_hash, district_id, import_id)", 3, census,
        [](const Person& person, std::vector<store::Value>& params) {
          params.insert(params.end(), {person.hash, person.district, std::int64_t{0}});
        });
  });
  const auto first_entry =
      std::get<std::int64_t>(db->query("SELECT MIN(id) FROM census_entries").at(0).at(0));

  // Ballots: each voter approves 1 to 5 of their district's projects, some
  // projects far more popular than others (a Zipf-like draw).
  struct BallotRow {
    std::int64_t entry, district, unit;
    std::string choices;
  };
  std::vector<BallotRow> ballots;
  for (int i = 0; i < options.ballots; ++i) {
    const std::size_t u = static_cast<std::size_t>(i) % units.size();
    const auto& ids = out.projects_by_unit[u];
    std::vector<budgets::Choice> choices;
    const int count = 1 + static_cast<int>(random() % 5);
    while (static_cast<int>(choices.size()) < count) {
      const double x = std::uniform_real_distribution<double>(0, 1)(random);
      const auto pick = static_cast<std::size_t>(std::pow(x, 3) * static_cast<double>(ids.size()));
      const budgets::Choice choice{ids[std::min(pick, ids.size() - 1)], 1};
      if (std::find(choices.begin(), choices.end(), choice) == choices.end())
        choices.push_back(choice);
    }
    ballots.push_back(
        {first_entry + i, district_ids[u], units[u].id, budgets::choices_to_text(choices, false)});
  }
  db->transaction([&](store::Connection& tx) {
    insert_rows<BallotRow>(
        tx, "INSERT INTO budget_participations (process_id, census_entry_id, district_id, channel)",
        4, ballots, [&](const BallotRow& b, std::vector<store::Value>& params) {
          params.insert(params.end(), {out.process.id, b.entry, b.district, std::string("online")});
        });
    insert_rows<BallotRow>(
        tx, "INSERT INTO budget_ballots (ballot_key, process_id, unit_id, choices, receipt_hash)",
        5, ballots, [&](const BallotRow& b, std::vector<store::Value>& params) {
          params.insert(params.end(), {crypto::random_token(24), out.process.id, b.unit, b.choices,
                                       crypto::random_token(24)});
        });
  });

  // The residents who vote during the measurement: verified, signed in.
  const std::string hash = accounts::hash_password("bench-password-2026");
  db->transaction([&](store::Connection& tx) {
    for (int v = 0; v < options.voters; ++v) {
      const int person = options.ballots + v;
      const std::size_t u = static_cast<std::size_t>(person) % units.size();
      const auto rows = tx.query(
          "INSERT INTO accounts (email, password_hash, display_name, created_at, census_entry_id, "
          "district_id, birth_date, verified_at, verification_method, email_confirmed_at) VALUES "
          "($1, $2, $3, $4, $5, $6, '1980-01-01', $4, 'online', $4) RETURNING id",
          {fmt::format("voter{}@bench.example", v), hash, fmt::format("Voter {}", v), now_iso8601(),
           first_entry + person, district_ids[u]});
      out.session_tokens.push_back(
          accounts::open_session(tx, std::get<std::int64_t>(rows.at(0).at(0))));
      out.voter_unit.push_back(u);
    }
  });
  return out;
}

}  // namespace fabrique::test
