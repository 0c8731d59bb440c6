// The demo city's participatory budgets: one process in each phase
// (proposals, review, vote, results, implementation), with projects,
// reviews, ballots cast through the voting rules, and the last two counted
// and published, their funded projects tracked.
#pragma once

#include <string>
#include <vector>

#include "core/secrets.hpp"
#include "store/store.hpp"

namespace fabrique::cli {

// The slugs of the demo's processes, in the order of their phases.
inline constexpr const char* kDemoProposalsBudget = "budget-2027";
inline constexpr const char* kDemoReviewBudget = "rues-apaisees";
inline constexpr const char* kDemoVoteBudget = "cours-oasis-2026";
inline constexpr const char* kDemoResultsBudget = "budget-jeunesse-2026";
inline constexpr const char* kDemoPublishedBudget = "budget-2025";

struct DemoBudgetsReport {
  int processes = 0;
  int projects = 0;
  int ballots = 0;
};

// Seeds the processes into a database that has the demo's districts,
// accounts and census (seed_demo calls it once, in its first run).
DemoBudgetsReport seed_demo_budgets(store::Connection& db, const Secrets& secrets);

}  // namespace fabrique::cli
