// The Method of Equal Shares (pabutools method_of_equal_shares with an
// additive satisfaction) and its "add1" completion.
//
// Every voter starts with an equal share of the budget. In each round the
// project that its supporters can pay for at the lowest price per unit of
// utility is bought; supporters pay that price times their utility, or all
// they have left if that is less. A project its supporters can no longer pay
// for is dropped. Ties go to the tie-break order.
//
// Exactness: the rule is run first with long double arithmetic. Every decision
// that chooses between outcomes (which project is cheapest, whether a project
// is still affordable) is accepted only when its margin is far above the
// worst rounding error (bounds below, ~1e-13 relative against a true error
// below ~1e-17); otherwise the run is redone with GMP rationals, where every
// comparison is exact. Decisions that do not change the outcome (whether a
// supporter at the exact price pays "all" or "the price") need no check.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "pb/rule_support.hpp"

namespace fabrique::pb {

namespace {

struct TooCloseToCall {};

// Arithmetic policies: the fast one calls "too close" instead of guessing.
struct FastMath {
  using Num = long double;
  static constexpr long double kRelative = 1e-13L;
  static Num from(std::int64_t v) { return static_cast<Num>(v); }
  static Num ratio(std::int64_t a, std::int64_t b) { return static_cast<Num>(a) / b; }
  // -1, 0 or 1; throws when |a-b| is within the error bound `error`.
  static int compare(const Num& a, const Num& b, const Num& error) {
    Num gap = a - b;
    if (std::fabs(gap) <= error + kRelative * std::max(std::fabs(a), std::fabs(b)))
      throw TooCloseToCall{};
    return gap < 0 ? -1 : 1;
  }
  static bool certainly_greater(const Num& a, const Num& b, const Num& error) {
    Num gap = a - b;
    return gap > error + kRelative * std::max(std::fabs(a), std::fabs(b));
  }
  static Num error_of_ratio(const Num& numerator_scale, const Num& denominator) {
    return kRelative * numerator_scale / denominator;
  }
  static mpq_class exact(const Num& v) { return mpq_class(static_cast<double>(v)); }
};

struct ExactMath {
  using Num = mpq_class;
  static Num from(std::int64_t v) { return mpq_class(mpz_class(static_cast<long>(v))); }
  static Num ratio(std::int64_t a, std::int64_t b) {
    mpq_class q(mpz_class(static_cast<long>(a)), mpz_class(static_cast<long>(b)));
    q.canonicalize();
    return q;
  }
  static int compare(const Num& a, const Num& b, const Num&) { return cmp(a, b); }
  static bool certainly_greater(const Num& a, const Num& b, const Num&) { return a > b; }
  static Num error_of_ratio(const Num&, const Num&) { return 0; }
  static mpq_class exact(const Num& v) { return v; }
};

// What the rule needs to know about a profile, independent of the voters'
// budget: built once, reused by every run of add1.
struct Profile {
  std::vector<detail::BallotGroup> groups;
  std::vector<std::vector<detail::Supporter>> supporters;
  std::vector<std::int64_t> total_utility;  // sum over supporters of multiplicity x utility
  std::vector<std::int64_t> same_utility;   // the utility all supporters share, or 0
  std::vector<ProjectIndex> candidates;     // supported, positive cost
  std::vector<ProjectIndex> free_projects;  // supported, cost 0: selected upfront
  std::vector<std::uint32_t> rank;
  std::int64_t voters = 0;
};

Profile make_profile(const Election& election, Utility utility, TieBreak tie_break) {
  Profile profile;
  profile.groups = detail::group_ballots(election, utility);
  profile.supporters = detail::supporters_by_project(profile.groups, election.projects.size());
  profile.rank = detail::tie_ranks(election, tie_break);
  profile.voters = static_cast<std::int64_t>(election.ballots.size());
  std::size_t n = election.projects.size();
  profile.total_utility.assign(n, 0);
  profile.same_utility.assign(n, 0);
  for (ProjectIndex p = 0; p < n; ++p) {
    const auto& supporters = profile.supporters[p];
    bool same = true;
    for (const auto& s : supporters) {
      profile.total_utility[p] += profile.groups[s.group].multiplicity * s.utility;
      if (s.utility != supporters.front().utility) same = false;
    }
    if (!supporters.empty() && same) profile.same_utility[p] = supporters.front().utility;
    if (profile.total_utility[p] > 0) {
      if (election.projects[p].cost > 0)
        profile.candidates.push_back(p);
      else
        profile.free_projects.push_back(p);
    }
  }
  return profile;
}

template <class Math>
class EqualSharesRun {
 public:
  using Num = typename Math::Num;

  EqualSharesRun(const Election& election, const Profile& profile, const Num& voter_budget)
      : election_(election), profile_(profile) {
    budget_.assign(profile.groups.size(), voter_budget);
  }

  // The selected projects in order; fills `reports` when given.
  std::vector<ProjectIndex> run(std::vector<ProjectReport>* reports) {
    std::vector<ProjectIndex> selected = profile_.free_projects;
    struct Candidate {
      ProjectIndex project;
      Num affordability;  // a lower bound of the current value: it only grows
      Num error;
    };
    std::vector<Candidate> remaining;
    for (ProjectIndex p : profile_.candidates) {
      Num cost = Math::from(election_.projects[p].cost);
      Num total = Math::from(profile_.total_utility[p]);
      remaining.push_back({p, Math::ratio(election_.projects[p].cost, profile_.total_utility[p]),
                           Math::error_of_ratio(cost, total)});
    }
    int round = static_cast<int>(selected.size());
    while (!remaining.empty()) {
      std::stable_sort(remaining.begin(), remaining.end(),
                       [](const Candidate& a, const Candidate& b) {
                         return a.affordability < b.affordability;
                       });
      std::optional<std::size_t> best;
      Num best_error = 0;
      std::vector<std::size_t> dropped;
      for (std::size_t k = 0; k < remaining.size(); ++k) {
        auto& candidate = remaining[k];
        ProjectIndex p = candidate.project;
        Num available = 0;
        for (const auto& s : profile_.supporters[p])
          available += budget_[s.group] * Math::from(profile_.groups[s.group].multiplicity);
        Num cost = Math::from(election_.projects[p].cost);
        if (Math::compare(available, cost, Num(0)) < 0) {
          dropped.push_back(k);
          if (reports) {
            (*reports)[p].fate = Fate::RanOutOfMoney;
            (*reports)[p].supporters_money = Math::exact(available);
          }
          continue;
        }
        if (best && Math::certainly_greater(candidate.affordability,
                                            remaining[*best].affordability,
                                            candidate.error + best_error))
          break;  // its price can only have grown since it was computed
        affordability(p, candidate.affordability, candidate.error);
        if (!best) {
          best = k;
          best_error = candidate.error;
          continue;
        }
        const auto& current = remaining[*best];
        int order = Math::compare(candidate.affordability, current.affordability,
                                  candidate.error + best_error);
        if (order < 0 || (order == 0 && profile_.rank[p] < profile_.rank[current.project])) {
          best = k;
          best_error = candidate.error;
        }
      }
      if (!best) {
        remaining.clear();
        break;
      }
      ProjectIndex chosen = remaining[*best].project;
      Num price = remaining[*best].affordability;
      pay(chosen, price, reports, ++round);
      selected.push_back(chosen);
      // Remove the chosen and the dropped, keeping the others' order.
      std::vector<bool> gone(remaining.size(), false);
      gone[*best] = true;
      for (std::size_t k : dropped) gone[k] = true;
      std::vector<Candidate> next;
      for (std::size_t k = 0; k < remaining.size(); ++k)
        if (!gone[k]) next.push_back(std::move(remaining[k]));
      remaining = std::move(next);
    }
    return selected;
  }

 private:
  // pabutools' affordability: the lowest price per unit of utility at which the
  // supporters, each paying price x utility or all they have, cover the cost.
  void affordability(ProjectIndex p, Num& result, Num& error) {
    const auto& supporters = profile_.supporters[p];
    order_.resize(supporters.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::int64_t same = profile_.same_utility[p];
    std::sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
      const auto& sa = supporters[a];
      const auto& sb = supporters[b];
      if (same) return budget_[sa.group] < budget_[sb.group];
      return budget_[sa.group] * Math::from(sb.utility) <
             budget_[sb.group] * Math::from(sa.utility);
    });
    Num cost = Math::from(election_.projects[p].cost);
    Num paid = 0;
    Num denominator = Math::from(profile_.total_utility[p]);
    for (std::uint32_t k : order_) {
      const auto& s = supporters[k];
      const auto& group = profile_.groups[s.group];
      Num factor = (cost - paid) / denominator;
      if (factor * Math::from(s.utility) <= budget_[s.group]) {
        result = factor;
        error = Math::error_of_ratio(cost + paid, denominator);
        return;
      }
      paid += budget_[s.group] * Math::from(group.multiplicity);
      denominator -= Math::from(group.multiplicity * s.utility);
    }
    // Only reachable through rounding on the fast path (available >= cost).
    throw TooCloseToCall{};
  }

  void pay(ProjectIndex p, const Num& price, std::vector<ProjectReport>* reports, int round) {
    std::int64_t exhausted = 0;
    for (const auto& s : profile_.supporters[p]) {
      Num due = price * Math::from(s.utility);
      Num& budget = budget_[s.group];
      if (due >= budget) {
        exhausted += profile_.groups[s.group].multiplicity;
        budget = 0;
      } else {
        budget -= due;
      }
    }
    if (reports) {
      auto& report = (*reports)[p];
      report.fate = Fate::Selected;
      report.round = round;
      std::int64_t same = profile_.same_utility[p];
      report.price = Math::exact(same ? Num(price * Math::from(same)) : price);
      report.score = Math::exact(price);
      report.exhausted_supporters = exhausted;
    }
  }

  const Election& election_;
  const Profile& profile_;
  std::vector<Num> budget_;
  std::vector<std::uint32_t> order_;
};

// One MES run at a given per-voter budget, B/n + extra_units cost units.
// Fast path first, exact when the fast path cannot decide.
std::vector<ProjectIndex> run_equal_shares(const Election& election, const Profile& profile,
                                           std::int64_t extra_units,
                                           std::vector<ProjectReport>* reports,
                                           bool force_exact = false) {
  if (profile.voters == 0) return profile.free_projects;
  if (!force_exact && !reports) {
    try {
      long double share = static_cast<long double>(election.budget) / profile.voters +
                          static_cast<long double>(extra_units);
      return EqualSharesRun<FastMath>(election, profile, share).run(nullptr);
    } catch (const TooCloseToCall&) {
    }
  }
  mpq_class share(mpz_class(static_cast<long>(election.budget)),
                  mpz_class(static_cast<long>(profile.voters)));
  share.canonicalize();
  share += mpz_class(static_cast<long>(extra_units));
  return EqualSharesRun<ExactMath>(election, profile, share).run(reports);
}

Outcome make_outcome(const Election& election, const Profile& profile, Utility utility,
                     std::int64_t extra_units, std::string label) {
  Outcome outcome;
  outcome.reports = detail::blank_reports(election);
  for (ProjectIndex p = 0; p < election.projects.size(); ++p)
    if (profile.total_utility[p] <= 0) outcome.reports[p].fate = Fate::NoSupport;
  outcome.selected = run_equal_shares(election, profile, extra_units, &outcome.reports);
  outcome.rule_label = std::move(label);
  outcome.utility_label = to_string(utility);
  if (profile.voters > 0) {
    outcome.voter_budget = mpq_class(mpz_class(static_cast<long>(election.budget)),
                                     mpz_class(static_cast<long>(profile.voters)));
    outcome.voter_budget.canonicalize();
    outcome.voter_budget += mpz_class(static_cast<long>(extra_units));
  }
  // Reports were filled by the run; finish_outcome only adds totals.
  auto reports = outcome.reports;
  detail::finish_outcome(election, outcome);
  for (ProjectIndex p = 0; p < reports.size(); ++p)
    if (reports[p].fate == Fate::Selected) outcome.reports[p].round = reports[p].round;
  return outcome;
}

bool selects_every_candidate(const Profile& profile, const std::vector<ProjectIndex>& selected) {
  return selected.size() == profile.candidates.size() + profile.free_projects.size();
}

}  // namespace

Outcome equal_shares(const Election& election, Utility utility, TieBreak tie_break) {
  Profile profile = make_profile(election, utility, tie_break);
  return make_outcome(election, profile, utility, 0, "mes");
}

Outcome equal_shares_add1(const Election& election, Utility utility, TieBreak tie_break,
                          Add1Stop stop) {
  Profile profile = make_profile(election, utility, tie_break);
  // Raising every voter's share by one currency unit at a time, as pabutools
  // does; the outcome of each step is the plain MES outcome at that share.
  const std::int64_t step = election.cost_scale;
  std::vector<ProjectIndex> previous = profile.free_projects;
  std::int64_t previous_extra = -1;
  std::int64_t steps = 0;
  std::int64_t extra = 0;
  std::int64_t chosen_extra = -1;
  for (;; extra += step) {
    ++steps;
    auto selected = run_equal_shares(election, profile, extra, nullptr);
    if (detail::total_cost(election, selected) > election.budget) {
      chosen_extra = previous_extra;
      break;
    }
    if (stop == Add1Stop::Exhaustive && detail::is_exhaustive(election, selected, profile.candidates)) {
      chosen_extra = extra;
      break;
    }
    // Everything supported is bought: more money cannot change the outcome.
    if (selects_every_candidate(profile, selected)) {
      chosen_extra = extra;
      break;
    }
    previous = std::move(selected);
    previous_extra = extra;
  }
  std::string label = stop == Add1Stop::Exhaustive ? "mes-add1" : "mes-add1-overspend";
  Outcome outcome;
  if (chosen_extra < 0) {
    // Even the first share overspends: pabutools returns the initial allocation.
    outcome.rule_label = label;
    outcome.utility_label = to_string(utility);
    outcome.selected = previous;
    detail::finish_outcome(election, outcome);
  } else {
    outcome = make_outcome(election, profile, utility, chosen_extra, label);
  }
  outcome.budget_steps = steps;
  return outcome;
}

std::vector<ProjectIndex> equal_shares_selection(const Election& election, Utility utility,
                                                 TieBreak tie_break, std::int64_t extra_units) {
  Profile profile = make_profile(election, utility, tie_break);
  return run_equal_shares(election, profile, extra_units, nullptr);
}

Outcome equal_shares_add1_greedy(const Election& election, Utility utility, TieBreak tie_break) {
  Outcome mes = equal_shares_add1(election, utility, tie_break, Add1Stop::Exhaustive);
  if (mes.exhaustive) {
    mes.rule_label = "mes-add1-greedy";
    return mes;
  }
  Outcome completed = greedy(election, utility, tie_break, mes.selected);
  // Keep the MES explanation of the projects MES chose.
  for (ProjectIndex p : mes.selected) completed.reports[p] = mes.reports[p];
  completed.rule_label = "mes-add1-greedy";
  completed.utility_label = mes.utility_label;
  completed.voter_budget = mes.voter_budget;
  completed.budget_steps = mes.budget_steps;
  return completed;
}

}  // namespace fabrique::pb
