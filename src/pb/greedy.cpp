// Utilitarian greedy (pabutools greedy_utilitarian_welfare with an additive
// satisfaction): projects by total utility per unit of cost, best first; a
// project that no longer fits is skipped and the scan goes on.
#include <algorithm>
#include <numeric>

#include "pb/rule_support.hpp"

namespace fabrique::pb {

namespace {

// Total utility over cost, exactly; a supported project costing nothing comes
// first of all (pabutools: infinite density).
struct Density {
  detail::Wide utility = 0;
  detail::Wide cost = 1;
  bool infinite = false;
};

bool denser(const Density& a, const Density& b) {
  if (a.infinite != b.infinite) return a.infinite;
  if (a.infinite) return false;
  return a.utility * b.cost > b.utility * a.cost;
}

bool same_density(const Density& a, const Density& b) { return !denser(a, b) && !denser(b, a); }

std::vector<std::int64_t> total_utilities(const Election& election, Utility utility) {
  auto votes = detail::vote_counts(election);
  if (utility == Utility::Points) return detail::point_totals(election);
  if (utility == Utility::Cardinality) return votes;
  // Cost utility: votes x cost, divided by cost below. Keep the vote count and
  // let density() account for it, so nothing overflows.
  return votes;
}

}  // namespace

Outcome greedy(const Election& election, Utility utility, TieBreak tie_break,
               const std::vector<ProjectIndex>& already_selected) {
  const auto& projects = election.projects;
  auto rank = detail::tie_ranks(election, tie_break);
  auto totals = total_utilities(election, utility);

  std::vector<Density> density(projects.size());
  for (ProjectIndex p = 0; p < projects.size(); ++p) {
    if (totals[p] <= 0) continue;  // density 0
    // Under the cost utility a free project gives nothing: density 0, as in
    // pabutools (it is still taken, since it always fits).
    if (utility == Utility::Cost && projects[p].cost == 0) continue;
    if (projects[p].cost == 0) {
      density[p].infinite = true;
    } else if (utility == Utility::Cost) {
      density[p] = {totals[p], 1, false};  // votes x cost / cost
    } else {
      density[p] = {totals[p], projects[p].cost, false};
    }
  }

  std::vector<bool> taken(projects.size(), false);
  for (ProjectIndex p : already_selected) taken[p] = true;
  std::vector<ProjectIndex> order;
  for (ProjectIndex p = 0; p < projects.size(); ++p)
    if (!taken[p]) order.push_back(p);
  std::sort(order.begin(), order.end(), [&](ProjectIndex a, ProjectIndex b) {
    if (!same_density(density[a], density[b])) return denser(density[a], density[b]);
    return rank[a] < rank[b];
  });

  Outcome outcome;
  outcome.rule_label = "greedy";
  outcome.utility_label = to_string(utility);
  outcome.reports = detail::blank_reports(election);
  outcome.selected = already_selected;
  Money remaining = election.budget - detail::total_cost(election, already_selected);
  for (ProjectIndex p : order) {
    auto& report = outcome.reports[p];
    report.score = density[p].infinite ? mpq_class(0)
                                       : mpq_class(mpz_class(static_cast<long>(density[p].utility)),
                                                   mpz_class(static_cast<long>(density[p].cost)));
    report.score.canonicalize();
    report.remaining = remaining;
    if (projects[p].cost <= remaining) {
      outcome.selected.push_back(p);
      remaining -= projects[p].cost;
    } else {
      report.fate = projects[p].cost == kNotFeasibleCost ? Fate::NotFeasible : Fate::DidNotFit;
    }
  }
  detail::finish_outcome(election, outcome);
  return outcome;
}

}  // namespace fabrique::pb
