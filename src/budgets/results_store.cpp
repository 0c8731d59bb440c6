#include "budgets/results_store.hpp"

#include <boost/json.hpp>
#include <map>

#include "budgets/ballots_store.hpp"
#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "store/values.hpp"

namespace fabrique::budgets {

namespace json = boost::json;
using store::integer;
using store::Row;
using store::text;

namespace {

const Text kNotClosed{"The vote has not closed yet: the count comes after it.",
                      "Le vote n'est pas encore clos : le dépouillement vient après."};
const Text kPublished{"The results are published: they can no longer be recounted.",
                      "Les résultats sont publiés : ils ne peuvent plus être recomptés."};

StoredResult stored_result(const Row& row) {
  StoredResult out;
  out.unit_id = integer(row.at(0));
  out.counted_at = text(row.at(1));
  try {
    const json::value outcome = json::parse(text(row.at(2)));
    out.result = unit_result_from_json(outcome);
    if (const json::value* comparison = outcome.as_object().if_contains("comparison"))
      out.comparison = comparison_from_json(*comparison);
  } catch (const CountError&) {
    throw;
  } catch (const std::exception& error) {
    throw CountError({std::string("A stored result is damaged: ") + error.what(),
                      std::string("Un résultat enregistré est endommagé : ") + error.what()});
  }
  out.pabulib = text(row.at(3));
  return out;
}

// budget_results.outcome: the result, and the comparison beside it so that
// the staff's page does not count the vote again on every load.
std::string stored_outcome(const CountedUnit& counted) {
  json::object outcome = to_json(counted.result).as_object();
  outcome["comparison"] = to_json(counted.comparison);
  return json::serialize(outcome);
}

// Counts every unit and replaces the process's results; seals the ballots.
// Runs inside the caller's transaction, after it has claimed the process row.
void count_units(store::Connection& tx, const Process& process, const std::string& now) {
  const std::vector<Project> projects = list_projects(tx, process.id);
  tx.execute("DELETE FROM budget_results WHERE process_id = $1", {process.id});
  for (const Unit& unit : process.units) {
    CountedUnit counted =
        count_unit(process, unit, projects, ballots_of_unit(tx, process.id, unit.id));
    tx.execute(
        "INSERT INTO budget_results (process_id, unit_id, counted_at, outcome, pabulib) "
        "VALUES ($1, $2, $3, $4, $5)",
        {process.id, unit.id, now, stored_outcome(counted), counted.pabulib});
  }
  seal_ballots(tx, process.id);
}

// The process as stored now, inside the transaction that holds its row.
Process reread(store::Connection& tx, std::int64_t id) {
  auto process = find_process_by_id(tx, id);
  if (!process)
    throw CountError(
        {"This participatory budget no longer exists.", "Ce budget participatif n'existe plus."});
  return *process;
}

}  // namespace

std::vector<StoredResult> results_of(store::Connection& db, const Process& process) {
  std::map<std::int64_t, StoredResult> by_unit;
  for (const Row& row : db.query("SELECT unit_id, counted_at, outcome, pabulib FROM "
                                 "budget_results WHERE process_id = $1",
                                 {process.id})) {
    StoredResult result = stored_result(row);
    by_unit.emplace(result.unit_id, std::move(result));
  }
  std::vector<StoredResult> out;
  for (const Unit& unit : process.units) {
    const auto found = by_unit.find(unit.id);
    if (found != by_unit.end()) out.push_back(std::move(found->second));
  }
  return out;
}

std::optional<StoredResult> result_of(store::Connection& db, std::int64_t process_id,
                                      std::int64_t unit_id) {
  const auto rows = db.query(
      "SELECT unit_id, counted_at, outcome, pabulib FROM budget_results WHERE process_id = $1 "
      "AND unit_id = $2",
      {process_id, unit_id});
  if (rows.empty()) return std::nullopt;
  return stored_result(rows.front());
}

void count_process(store::Connection& db, const Process& process, const std::string& now) {
  if (now < process.schedule.vote_close) throw CountError(kNotClosed);
  db.transaction([&](store::Connection& tx) {
    // The conditional update takes the process row: a concurrent count or
    // publication waits for this one, then sees what it did.
    const auto claimed = tx.execute(
        "UPDATE budget_processes SET counted_at = $2 WHERE id = $1 AND published_at IS NULL "
        "AND vote_close <= $2",
        {process.id, now});
    if (claimed == 0) {
      const Process current = reread(tx, process.id);
      throw CountError(current.published_at ? kPublished : kNotClosed);
    }
    count_units(tx, reread(tx, process.id), now);
  });
}

void count_process(store::Connection& db, const Process& process) {
  count_process(db, process, now_iso8601());
}

bool count_if_due(store::Connection& db, const Process& process, const std::string& now) {
  if (process.counted_at || process.published_at || now < process.schedule.vote_close) return false;
  bool counted = false;
  db.transaction([&](store::Connection& tx) {
    const auto claimed = tx.execute(
        "UPDATE budget_processes SET counted_at = $2 WHERE id = $1 AND counted_at IS NULL AND "
        "published_at IS NULL AND vote_close <= $2",
        {process.id, now});
    if (claimed == 0) return;  // another request counted it first
    count_units(tx, reread(tx, process.id), now);
    counted = true;
  });
  return counted;
}

int count_due_processes(store::Connection& db) {
  const std::string now = now_iso8601();
  int counted = 0;
  for (const Process& process : list_processes(db)) {
    try {
      if (count_if_due(db, process, now)) ++counted;
    } catch (const CountError&) {
      // Left uncounted: the staff's results page counts it again and shows why.
    }
  }
  return counted;
}

void publish(store::Connection& db, const Process& process, const std::string& now) {
  db.transaction([&](store::Connection& tx) {
    const auto changed = tx.execute(
        "UPDATE budget_processes SET published_at = $2 WHERE id = $1 AND counted_at IS NOT NULL "
        "AND published_at IS NULL",
        {process.id, now});
    if (changed == 0) {
      const Process current = reread(tx, process.id);
      throw CountError(
          current.published_at
              ? Text{"The results are already published.", "Les résultats sont déjà publiés."}
              : Text{"The vote has not been counted yet: count it first.",
                     "Le vote n'a pas encore été dépouillé : dépouillez-le d'abord."});
    }
    // Funded projects enter implementation tracking (those already tracked keep their state).
    for (const StoredResult& stored : results_of(tx, process))
      for (const std::string& id : stored.result.funded)
        tx.execute(
            "UPDATE budget_projects SET implementation = 'planned' WHERE id = $1 AND "
            "process_id = $2 AND implementation IS NULL",
            {std::stoll(id), process.id});
  });
}

}  // namespace fabrique::budgets
