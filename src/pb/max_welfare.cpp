// Maximum utilitarian welfare under the budget: an exact 0/1 knapsack.
//
// Depth-first branch and bound over projects sorted by welfare per cost,
// bounded by the fractional (Dantzig) relaxation, all in integers. Among
// optimal sets the first found wins: the one that takes the denser projects,
// ties by the tie-break order.
#include <algorithm>

#include "pb/rule_support.hpp"

namespace fabrique::pb {

namespace {

using detail::Wide;

struct Item {
  ProjectIndex project;
  Money cost;
  Wide welfare;
};

class Knapsack {
 public:
  Knapsack(std::vector<Item> items, Money capacity) : items_(std::move(items)) {
    chosen_.assign(items_.size(), false);
    best_set_ = chosen_;  // the empty set, welfare 0
    search(0, capacity, 0);
  }
  std::vector<ProjectIndex> best() const {
    std::vector<ProjectIndex> result;
    for (std::size_t k = 0; k < items_.size(); ++k)
      if (best_set_[k]) result.push_back(items_[k].project);
    return result;
  }

 private:
  // Fractional bound: fill greedily by density, the last item in part; true
  // when that bound exceeds the best value found (compared in integers).
  bool can_beat(std::size_t from, Money capacity, Wide value) const {
    Wide whole = value;
    for (std::size_t k = from; k < items_.size(); ++k) {
      if (items_[k].cost <= capacity) {
        capacity -= items_[k].cost;
        whole += items_[k].welfare;
      } else {
        if (whole > best_value_) return true;
        // value + w*capacity/cost > best  <=>  (best - whole)*cost < w*capacity
        return detail::compare_products(best_value_ - whole, items_[k].cost, items_[k].welfare,
                                        capacity) < 0;
      }
    }
    return whole > best_value_;
  }

  void search(std::size_t k, Money capacity, Wide value) {
    if (value > best_value_) {
      best_value_ = value;
      best_set_ = chosen_;
    }
    if (k == items_.size() || !can_beat(k, capacity, value)) return;
    if (items_[k].cost <= capacity) {
      chosen_[k] = true;
      search(k + 1, capacity - items_[k].cost, value + items_[k].welfare);
      chosen_[k] = false;
    }
    search(k + 1, capacity, value);
  }

  std::vector<Item> items_;
  std::vector<bool> chosen_;
  std::vector<bool> best_set_;
  Wide best_value_ = 0;
};

}  // namespace

mpz_class welfare(const Election& election, Utility utility,
                  const std::vector<ProjectIndex>& projects) {
  std::vector<bool> in(election.projects.size(), false);
  for (ProjectIndex p : projects) in[p] = true;
  mpz_class total = 0;
  for (const auto& ballot : election.ballots)
    for (std::size_t k = 0; k < ballot.projects.size(); ++k) {
      ProjectIndex p = ballot.projects[k];
      if (!in[p]) continue;
      std::int64_t points = k < ballot.points.size() ? ballot.points[k] : 0;
      total += static_cast<long>(detail::entry_utility(election, utility, p, points));
    }
  return total;
}

Outcome max_welfare(const Election& election, Utility utility, TieBreak tie_break) {
  const auto& projects = election.projects;
  auto rank = detail::tie_ranks(election, tie_break);
  auto votes = detail::vote_counts(election);
  auto points = detail::point_totals(election);

  std::vector<ProjectIndex> free;
  std::vector<Item> items;
  for (ProjectIndex p = 0; p < projects.size(); ++p) {
    Wide w = utility == Utility::Points        ? Wide(points[p])
             : utility == Utility::Cardinality ? Wide(votes[p])
                                               : Wide(votes[p]) * projects[p].cost;
    if (w <= 0 || projects[p].cost > election.budget) continue;
    if (projects[p].cost == 0)
      free.push_back(p);
    else
      items.push_back({p, projects[p].cost, w});
  }
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    int order = detail::compare_products(a.welfare, b.cost, b.welfare, a.cost);
    if (order != 0) return order > 0;
    return rank[a.project] < rank[b.project];
  });
  Knapsack knapsack(std::move(items), election.budget);

  Outcome outcome;
  outcome.rule_label = "max-welfare";
  outcome.utility_label = to_string(utility);
  outcome.selected = free;
  for (ProjectIndex p : knapsack.best()) outcome.selected.push_back(p);
  outcome.reports = detail::blank_reports(election);
  for (ProjectIndex p = 0; p < projects.size(); ++p) {
    auto& report = outcome.reports[p];
    report.fate = projects[p].cost == kNotFeasibleCost ? Fate::NotFeasible : Fate::NotInOptimum;
  }
  detail::finish_outcome(election, outcome);
  return outcome;
}

}  // namespace fabrique::pb
