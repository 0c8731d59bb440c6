#include "budgets/results_actions.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "accounts/permissions.hpp"
#include "audit/audit.hpp"
#include "budgets/ballot_repository.hpp"
#include "budgets/count.hpp"
#include "budgets/export.hpp"
#include "budgets/repository.hpp"
#include "budgets/results_repository.hpp"
#include "core/time.hpp"

namespace fabrique::budgets {

namespace json = boost::json;

namespace {

const Text kNotClosed{"The vote has not closed yet: the count comes after it.",
                      "Le vote n'est pas encore clos\u202f: le dépouillement vient après."};
const Text kPublished{"The results are published: they can no longer be recounted.",
                      "Les résultats sont publiés\u202f: ils ne peuvent plus être recomptés."};
const Text kRunning{
    "A count of this vote is running: its results will show in a moment.",
    "Un dépouillement de ce vote est en cours\u202f: ses résultats s'afficheront dans "
    "un instant."};
const Text kGone{"This participatory budget no longer exists.",
                 "Ce budget participatif n'existe plus."};
const Text kNotAllowed{"Your account does not manage participatory budgets.",
                       "Votre compte ne gère pas les budgets participatifs."};

// budget_results.outcome: the result, and the comparison beside it so that
// the staff's page does not count the vote again on every load.
std::string stored_outcome(const CountedUnit& counted) {
  json::object outcome = to_json(counted.result).as_object();
  outcome["comparison"] = to_json(counted.comparison);
  return json::serialize(outcome);
}

// Reads the process and its ballots, outside any transaction (the claim
// keeps ballots out of the box), and counts every unit. Throws CountError.
std::vector<ResultRow> compute(store::Connection& db, std::int64_t process_id) {
  const auto process = find_process_by_id(db, process_id);
  if (!process) throw CountError(kGone);
  const std::vector<Project> projects = list_projects(db, process->id);
  std::vector<ResultRow> rows;
  for (const Unit& unit : process->units) {
    CountedUnit counted =
        count_unit(*process, unit, projects, ballots_of_unit(db, process->id, unit.id));
    rows.push_back({unit.id, stored_outcome(counted), std::move(counted.pabulib)});
  }
  return rows;
}

// Computes and writes the claimed count (with `audit_entry` when given, in
// the results' transaction); gives the claim up when anything fails.
// Returns false when the claim was lost meanwhile (nothing written).
bool count_claimed(store::Connection& db, const CountClaim& claim, const std::string& now,
                   const std::optional<audit::Entry>& audit_entry) {
  try {
    const std::vector<ResultRow> rows = compute(db, claim.process_id);
    // Counted: the ballots are sealed (in short transactions of their own;
    // the claim keeps the box closed), then the results written at once.
    seal_ballots(db, claim.process_id);
    bool written = false;
    db.transaction([&](store::Connection& tx) {
      if (!finish_count(tx, claim, now)) return;
      replace_results(tx, claim.process_id, now, rows);
      if (audit_entry) audit::record(tx, *audit_entry);
      written = true;
    });
    return written;
  } catch (...) {
    try {
      release_count(db, claim);
    } catch (const store::StoreError&) {
      // The claim goes stale and is taken over later (kStaleCountClaim).
    }
    throw;
  }
}

Text refusal_text(ClaimRefusal refusal) {
  switch (refusal) {
    case ClaimRefusal::Published:
      return kPublished;
    case ClaimRefusal::Running:
    case ClaimRefusal::Counted:
      return kRunning;
    case ClaimRefusal::Gone:
      return kGone;
    case ClaimRefusal::NotClosed:
    case ClaimRefusal::None:
      break;
  }
  return kNotClosed;
}

void count(store::Connection& db, const Process& process, const std::string& now,
           const std::optional<audit::Entry>& audit_entry) {
  if (now < process.schedule.vote_close) throw CountError(kNotClosed);
  const ClaimAttempt attempt = claim_count(db, process.id, now, /*recount=*/true);
  if (!attempt.claim) throw CountError(refusal_text(attempt.refusal));
  if (!count_claimed(db, *attempt.claim, now, audit_entry)) throw CountError(kRunning);
}

void publish_results(store::Connection& db, const Process& process, const std::string& now,
                     std::optional<std::int64_t> staff_id) {
  db.transaction([&](store::Connection& tx) {
    switch (mark_published(tx, process.id, now)) {
      case PublishRefusal::None:
        break;
      case PublishRefusal::Published:
        throw CountError(
            {"The results are already published.", "Les résultats sont déjà publiés."});
      case PublishRefusal::Running:
        throw CountError(kRunning);
      case PublishRefusal::Gone:
        throw CountError(kGone);
      case PublishRefusal::NotCounted:
        throw CountError({"The vote has not been counted yet: count it first.",
                          "Le vote n'a pas encore été dépouillé\u202f: dépouillez-le d'abord."});
    }
    // Funded projects enter implementation tracking (those already tracked keep their state).
    const std::vector<StoredResult> results = results_of(tx, process);
    for (const StoredResult& stored : results)
      for (const std::string& id : stored.result.funded)
        plan_implementation(tx, process.id, std::stoll(id));
    if (!staff_id) return;
    // The digests of the files published, which the results page shows:
    // a later change to a stored .pb would no longer match this entry.
    std::string digests;
    for (const StoredResult& stored : results)
      if (const Unit* unit = process.unit(stored.unit_id))
        digests += fmt::format("{}{}-{}.pb sha256={}", digests.empty() ? "" : "; ", process.slug,
                               unit->slug, pabulib_sha256(stored));
    audit::record(tx, {.actor = staff_id,
                       .action = "budget.publish",
                       .subject = process.slug,
                       .detail = digests});
  });
}

}  // namespace

void count_process(store::Connection& db, const Process& process, const std::string& now) {
  count(db, process, now, std::nullopt);
}

void count_process(store::Connection& db, const Process& process) {
  count_process(db, process, now_iso8601());
}

void count_by_staff(store::Connection& db, const accounts::Account& staff, const Process& process,
                    const std::string& now) {
  if (!accounts::allows(staff.role, accounts::Permission::ManageBudgets))
    throw CountError(kNotAllowed);
  count(db, process, now,
        audit::Entry{.actor = staff.id,
                     .action = "budget.count",
                     .subject = process.slug,
                     .detail = std::string(rule_name(process.rule))});
}

bool count_if_due(store::Connection& db, const Process& process, const std::string& now) {
  if (process.counted_at || process.published_at || now < process.schedule.vote_close) return false;
  const ClaimAttempt attempt = claim_count(db, process.id, now, /*recount=*/false);
  if (!attempt.claim) return false;  // another request counts it, or did
  return count_claimed(db, *attempt.claim, now, std::nullopt);
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
  publish_results(db, process, now, std::nullopt);
}

void publish_by_staff(store::Connection& db, const accounts::Account& staff, const Process& process,
                      const std::string& now) {
  if (!accounts::allows(staff.role, accounts::Permission::ManageBudgets))
    throw CountError(kNotAllowed);
  publish_results(db, process, now, staff.id);
}

}  // namespace fabrique::budgets
