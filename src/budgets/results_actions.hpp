// What happens to a closed vote: it is counted (by itself, by the first page
// asked after the close or by the server's periodic call; again by staff
// before publication), then staff publish the results.
//
// A count claims the process (a short transaction), reads the ballots and
// counts every budget under the process's rule and the others (outside any
// transaction: ~2 s on 100,000 ballots, during which SQLite's write lock
// stays free for everyone else), seals the ballots (in short transactions of
// kSealBatch ballots), then writes the results and counted_at in one short
// transaction (results_repository.hpp explains the claim). A count that fails
// gives the claim up and changes nothing; one that dies after sealing is
// redone when its claim goes stale (sealed ballots count the same).
#pragma once

#include <string>

#include "accounts/model.hpp"
#include "budgets/model.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// Counts every unit of `process` from the stored ballots and writes the
// results with the comparison of the rules, counted_at, and seals the
// ballots. Refused (CountError, nothing changes) before the vote has closed
// at `now`, once the results are published, and while another count runs; a
// second call recounts (the same result: the rules depend on the ballots, not
// on their order). Throws CountError when the rule does not apply to a unit's
// ballots. Must not be called inside a transaction (it makes its own two).
void count_process(store::Connection& db, const Process& process, const std::string& now);
void count_process(store::Connection& db, const Process& process);  // now

// Staff's count from the results page: count_process, once the account may
// manage budgets (CountError otherwise), with its audit entry (budget.count)
// in the transaction that writes the results.
void count_by_staff(store::Connection& db, const accounts::Account& staff, const Process& process,
                    const std::string& now);

// Counts a process whose vote has closed and that was never counted, if it
// is one; returns whether it counted. Safe to call from several requests at
// once: one claims and counts, the others find the claim and return false.
bool count_if_due(store::Connection& db, const Process& process, const std::string& now);
// The same for every process; returns how many were counted. A process whose
// count fails is skipped (its error stays visible on the staff's results page).
int count_due_processes(store::Connection& db);

// Makes the results public: sets published_at and marks every funded project
// not yet tracked as planned. Refused (CountError) before the count, while a
// count runs, and once published.
void publish(store::Connection& db, const Process& process, const std::string& now);
// Staff's publication: publish, once the account may manage budgets, with
// its audit entry (budget.publish: the SHA-256 of every .pb published) in
// the same transaction.
void publish_by_staff(store::Connection& db, const accounts::Account& staff, const Process& process,
                      const std::string& now);

}  // namespace fabrique::budgets
