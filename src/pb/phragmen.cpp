// Sequential Phragmén (pabutools sequential_phragmen), approval ballots.
//
// Voters earn money continuously; a project is bought as soon as its
// supporters together hold its cost, and all of them are then back to the same
// load. The rule stops at the first round whose cheapest-in-load project (or
// any project tied with it) no longer fits in the budget.
//
// All supporters of a bought project share one load, so a voter's load is one
// of at most (rounds + 1) values: the tally keeps, per project, how many of its
// supporters sit at each load, and every load stays an exact rational.
#include <algorithm>

#include "pb/rule_support.hpp"

namespace fabrique::pb {

Outcome sequential_phragmen(const Election& election, TieBreak tie_break) {
  if (election.vote_type != VoteType::Approval && election.vote_type != VoteType::ChooseOne)
    throw RuleError({"sequential Phragmén applies to approval ballots only",
                     "la méthode séquentielle de Phragmén ne s'applique qu'aux bulletins "
                     "d'approbation"});
  const auto& projects = election.projects;
  const std::size_t n = projects.size();
  auto rank = detail::tie_ranks(election, tie_break);
  auto groups = detail::group_ballots(election, Utility::Cardinality);
  auto supporters = detail::supporters_by_project(groups, n);
  auto votes = detail::vote_counts(election);

  std::vector<mpq_class> loads{mpq_class(0)};  // distinct load values, class 0 = 0
  std::vector<std::uint32_t> group_class(groups.size(), 0);
  // at_load[p][c]: supporters of p (with multiplicity) whose load is loads[c].
  std::vector<std::vector<std::int64_t>> at_load(n);
  for (ProjectIndex p = 0; p < n; ++p) at_load[p].assign(1, votes[p]);

  std::vector<ProjectIndex> remaining;
  for (ProjectIndex p = 0; p < n; ++p)
    if (projects[p].cost <= election.budget) remaining.push_back(p);

  Outcome outcome;
  outcome.rule_label = "phragmen";
  outcome.utility_label = "cardinality";
  outcome.reports = detail::blank_reports(election);
  for (ProjectIndex p = 0; p < n; ++p) {
    if (projects[p].cost > election.budget)
      outcome.reports[p].fate =
          projects[p].cost == kNotFeasibleCost ? Fate::NotFeasible : Fate::DidNotFit;
    else if (votes[p] == 0)
      outcome.reports[p].fate = Fate::NoSupport;
  }
  Money spent = 0;
  while (!remaining.empty()) {
    // New max load of each project; unsupported projects never win unless
    // nothing else is left (pabutools: infinite load).
    std::vector<ProjectIndex> tied;
    mpq_class best;
    bool best_infinite = true;
    std::vector<mpq_class> new_load(n);
    for (ProjectIndex p : remaining) {
      bool infinite = votes[p] == 0;
      if (!infinite) {
        mpq_class total(mpz_class(static_cast<long>(projects[p].cost)));
        for (std::size_t c = 0; c < at_load[p].size(); ++c)
          if (at_load[p][c] != 0 && c != 0) total += loads[c] * at_load[p][c];
        new_load[p] = total / votes[p];
      }
      if (tied.empty() || (!infinite && (best_infinite || new_load[p] < best))) {
        tied.assign(1, p);
        best_infinite = infinite;
        if (!infinite) best = new_load[p];
      } else if (infinite == best_infinite && (infinite || new_load[p] == best)) {
        tied.push_back(p);
      }
    }
    bool overflow = std::any_of(tied.begin(), tied.end(), [&](ProjectIndex p) {
      return spent + projects[p].cost > election.budget;
    });
    if (overflow) {
      for (ProjectIndex p : tied)
        if (spent + projects[p].cost > election.budget) {
          outcome.reports[p].fate = Fate::DidNotFit;
          outcome.reports[p].remaining = election.budget - spent;
        }
      break;
    }
    ProjectIndex chosen =
        *std::min_element(tied.begin(), tied.end(),
                          [&](ProjectIndex a, ProjectIndex b) { return rank[a] < rank[b]; });
    outcome.selected.push_back(chosen);
    spent += projects[chosen].cost;
    if (!best_infinite) {
      outcome.reports[chosen].price = best;
      std::uint32_t fresh = static_cast<std::uint32_t>(loads.size());
      loads.push_back(best);
      for (auto& counts : at_load) counts.resize(loads.size(), 0);
      for (const auto& s : supporters[chosen]) {
        const auto& group = groups[s.group];
        for (ProjectIndex q : group.projects) {
          at_load[q][group_class[s.group]] -= group.multiplicity;
          at_load[q][fresh] += group.multiplicity;
        }
        group_class[s.group] = fresh;
      }
    }
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen));
  }
  detail::finish_outcome(election, outcome);
  return outcome;
}

}  // namespace fabrique::pb
