// The count of a closed vote in the store (budget_results): one row per
// budget (unit) with its result (count.hpp's JSON) and the .pb text it was
// counted from; then publication, which opens the tracking of the funded
// projects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "budgets/count.hpp"
#include "budgets/model.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

struct StoredResult {
  std::int64_t unit_id = 0;
  std::string counted_at;
  UnitResult result;
  std::string pabulib;
  // The rules compared, counted with the result (member "comparison" of the
  // stored outcome, which to_json(result) does not write: not exported).
  // Absent from a result counted before Fabrique stored it.
  std::optional<std::vector<RuleOutcome>> comparison;
};

// The results of a process, in the process's unit order (empty before the
// count). Throws CountError when a stored result is damaged.
std::vector<StoredResult> results_of(store::Connection& db, const Process& process);
std::optional<StoredResult> result_of(store::Connection& db, std::int64_t process_id,
                                      std::int64_t unit_id);

// Counts every unit of `process` from the stored ballots and writes the
// results with the comparison of the rules, counted_at, and seals the
// ballots, in one transaction. Refused (CountError, nothing changes) before
// the vote has closed at `now`, and once the results are published; a second
// call recounts (the same result: the rules depend on the ballots, not on
// their order). Throws CountError when the rule does not apply to a unit's
// ballots.
void count_process(store::Connection& db, const Process& process, const std::string& now);
void count_process(store::Connection& db, const Process& process);  // now

// Counts a process whose vote has closed and that was never counted, if it
// is one; returns whether it counted. Safe to call from several requests at
// once: one counts, the others find it counted.
bool count_if_due(store::Connection& db, const Process& process, const std::string& now);
// The same for every process; returns how many were counted. A process whose
// count fails is skipped (its error stays visible on the staff's results page).
int count_due_processes(store::Connection& db);

// Makes the results public: sets published_at and marks every funded project
// not yet tracked as planned. Refused (CountError) before the count and once
// published.
void publish(store::Connection& db, const Process& process, const std::string& now);

}  // namespace fabrique::budgets
