// The count of a closed vote in the store: budget_results, one row per
// budget (unit) with its result (count.hpp's JSON) and the .pb text it was
// counted from; the process row's counted_at, which also holds the count's
// claim while it runs; and publication, which opens the tracking of the
// funded projects. The steps are composed by results_actions.hpp.
#pragma once

#include <chrono>
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

// ---- The count's claim
//
// A count claims the process in a short transaction, computes outside any
// transaction, then writes its results in another short one: SQLite's write
// lock is held for milliseconds, not for the whole count. While the count
// runs, counted_at holds a claim ("counting:CLAIMED_AT;TOKEN;PREVIOUS"),
// which no reader sees as a time: Process::counted_at is then PREVIOUS (the
// time of the count being redone, or none). The claim is not NULL, so no
// ballot enters the box from then on (vote_still_open), and a second count
// finds the claim and stays out: each claim is written by exactly one count.
// A claim older than kStaleCountClaim (its count died with its process) may
// be taken over.

inline constexpr std::chrono::minutes kStaleCountClaim{15};

struct CountClaim {
  std::int64_t process_id = 0;
  std::string marker;                   // what counted_at holds while the count runs
  std::optional<std::string> previous;  // counted_at before the claim
};

enum class ClaimRefusal {
  None,
  Gone,       // no such process
  NotClosed,  // the vote has not closed at `now`
  Published,  // the results are public: no recount
  Running,    // another count holds the claim
  Counted,    // counted already (and `recount` was false)
};

struct ClaimAttempt {
  std::optional<CountClaim> claim;
  ClaimRefusal refusal = ClaimRefusal::None;
};

// Claims the count of the process at `now`, in its own short transaction.
// `recount`: a process counted already may be counted again (staff, before
// publication); otherwise only one never counted is claimed.
ClaimAttempt claim_count(store::Connection& db, std::int64_t process_id, const std::string& now,
                         bool recount);
// Gives the claim up (the count failed): counted_at is what it was before,
// if the claim is still there.
void release_count(store::Connection& db, const CountClaim& claim);
// Inside the results' transaction: replaces the claim by `now`; false when
// the claim is no longer there (taken over, or published meanwhile): then
// nothing may be written.
bool finish_count(store::Connection& tx, const CountClaim& claim, const std::string& now);

struct ResultRow {
  std::int64_t unit_id = 0;
  std::string outcome;  // the result's JSON, with the comparison beside it
  std::string pabulib;
};
// Inside the results' transaction: the process's results become `rows`.
void replace_results(store::Connection& tx, std::int64_t process_id, const std::string& counted_at,
                     const std::vector<ResultRow>& rows);

// What counted_at says to readers: the stored value, or the claim's PREVIOUS
// while a count runs.
std::optional<std::string> counted_at_of(const std::optional<std::string>& stored);

// ---- Publication

enum class PublishRefusal { None, Gone, NotCounted, Running, Published };
// Sets published_at, once counted and not yet published, and no count running.
PublishRefusal mark_published(store::Connection& tx, std::int64_t process_id,
                              const std::string& now);
// A funded project enters implementation tracking as planned (one already
// tracked keeps its state).
void plan_implementation(store::Connection& tx, std::int64_t process_id, std::int64_t project_id);

}  // namespace fabrique::budgets
