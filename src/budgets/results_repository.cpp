#include "budgets/results_repository.hpp"

#include <boost/json.hpp>
#include <map>

#include "core/crypto.hpp"
#include "core/time.hpp"
#include "store/values.hpp"

namespace fabrique::budgets {

namespace json = boost::json;
using store::integer;
using store::optional_text;
using store::Row;
using store::text;

namespace {

constexpr std::string_view kClaimMark = "counting:";

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
                      std::string("Un résultat enregistré est endommagé\u202f: ") + error.what()});
  }
  out.pabulib = text(row.at(3));
  return out;
}

// A claim's parts: "counting:CLAIMED_AT;TOKEN;PREVIOUS".
struct Marker {
  std::string claimed_at;
  std::optional<std::string> previous;
};

std::optional<Marker> marker_of(const std::string& stored) {
  if (!stored.starts_with(kClaimMark)) return std::nullopt;
  const std::string rest = stored.substr(kClaimMark.size());
  const std::size_t first = rest.find(';');
  const std::size_t second = first == std::string::npos ? first : rest.find(';', first + 1);
  Marker marker;
  marker.claimed_at = rest.substr(0, first);
  if (second != std::string::npos && second + 1 < rest.size())
    marker.previous = rest.substr(second + 1);
  return marker;
}

bool stale(const Marker& marker, const std::string& now) {
  const auto claimed = parse_iso8601(marker.claimed_at);
  const auto at = parse_iso8601(now);
  return !claimed || !at || *at - *claimed > kStaleCountClaim;
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

// ---- The count's claim

ClaimAttempt claim_count(store::Connection& db, std::int64_t process_id, const std::string& now,
                         bool recount) {
  ClaimAttempt attempt;
  db.transaction([&](store::Connection& tx) {
    const auto rows =
        tx.query("SELECT counted_at, published_at, vote_close FROM budget_processes WHERE id = $1",
                 {process_id});
    if (rows.empty()) {
      attempt.refusal = ClaimRefusal::Gone;
      return;
    }
    const auto stored = optional_text(rows.front().at(0));
    if (optional_text(rows.front().at(1))) {
      attempt.refusal = ClaimRefusal::Published;
      return;
    }
    if (now < text(rows.front().at(2))) {
      attempt.refusal = ClaimRefusal::NotClosed;
      return;
    }
    std::optional<std::string> previous = stored;
    if (stored) {
      if (const auto marker = marker_of(*stored)) {
        if (!stale(*marker, now)) {
          attempt.refusal = ClaimRefusal::Running;
          return;
        }
        previous = marker->previous;  // its count died: taken over
      } else if (!recount) {
        attempt.refusal = ClaimRefusal::Counted;
        return;
      }
    }
    CountClaim claim{process_id,
                     std::string(kClaimMark) + now + ";" + crypto::random_token(12) + ";" +
                         previous.value_or(""),
                     previous};
    // Conditional on what was read: of two claims, the second finds the
    // first's marker (PostgreSQL re-reads the row once the first commits).
    const std::int64_t changed =
        stored ? tx.execute(
                     "UPDATE budget_processes SET counted_at = $2 WHERE id = $1 AND "
                     "published_at IS NULL AND counted_at = $3",
                     {process_id, claim.marker, *stored})
               : tx.execute(
                     "UPDATE budget_processes SET counted_at = $2 WHERE id = $1 AND "
                     "published_at IS NULL AND counted_at IS NULL",
                     {process_id, claim.marker});
    if (changed == 0) {
      attempt.refusal = ClaimRefusal::Running;
      return;
    }
    attempt.claim = std::move(claim);
  });
  return attempt;
}

void release_count(store::Connection& db, const CountClaim& claim) {
  db.execute("UPDATE budget_processes SET counted_at = $3 WHERE id = $1 AND counted_at = $2",
             {claim.process_id, claim.marker, store::nullable(claim.previous)});
}

bool finish_count(store::Connection& tx, const CountClaim& claim, const std::string& now) {
  return tx.execute(
             "UPDATE budget_processes SET counted_at = $3 WHERE id = $1 AND counted_at = $2 "
             "AND published_at IS NULL",
             {claim.process_id, claim.marker, now}) > 0;
}

void replace_results(store::Connection& tx, std::int64_t process_id, const std::string& counted_at,
                     const std::vector<ResultRow>& rows) {
  tx.execute("DELETE FROM budget_results WHERE process_id = $1", {process_id});
  for (const ResultRow& row : rows)
    tx.execute(
        "INSERT INTO budget_results (process_id, unit_id, counted_at, outcome, pabulib) "
        "VALUES ($1, $2, $3, $4, $5)",
        {process_id, row.unit_id, counted_at, row.outcome, row.pabulib});
}

std::optional<std::string> counted_at_of(const std::optional<std::string>& stored) {
  if (!stored) return std::nullopt;
  if (const auto marker = marker_of(*stored)) return marker->previous;
  return stored;
}

// ---- Publication

PublishRefusal mark_published(store::Connection& tx, std::int64_t process_id,
                              const std::string& now) {
  const auto changed = tx.execute(
      "UPDATE budget_processes SET published_at = $2 WHERE id = $1 AND counted_at IS NOT NULL "
      "AND counted_at NOT LIKE 'counting:%' AND published_at IS NULL",
      {process_id, now});
  if (changed > 0) return PublishRefusal::None;
  const auto rows =
      tx.query("SELECT counted_at, published_at FROM budget_processes WHERE id = $1", {process_id});
  if (rows.empty()) return PublishRefusal::Gone;
  if (optional_text(rows.front().at(1))) return PublishRefusal::Published;
  const auto counted = optional_text(rows.front().at(0));
  if (counted && marker_of(*counted)) return PublishRefusal::Running;
  return PublishRefusal::NotCounted;
}

void plan_implementation(store::Connection& tx, std::int64_t process_id, std::int64_t project_id) {
  tx.execute(
      "UPDATE budget_projects SET implementation = 'planned' WHERE id = $1 AND "
      "process_id = $2 AND implementation IS NULL",
      {project_id, process_id});
}

}  // namespace fabrique::budgets
