// The Method of Equal Shares (pabutools method_of_equal_shares with an
// additive satisfaction) and its "add1" completion.
//
// Every voter starts with an equal share of the budget. In each round the
// project that its supporters can pay for at the lowest price per unit of
// utility is bought; supporters pay that price times their utility, or all
// they have left if that is less. A project its supporters can no longer pay
// for is dropped. Ties go to the tie-break order.
//
// Exactness: the rule is run first in double precision, carrying for every
// voter group a bound on its budget's distance to the exact value and for
// every price a bound on its distance to the exact price (a first-order
// rounding analysis with twice the unit roundoff per operation; see
// docs/counting-rules.md). A decision that chooses between outcomes (which
// project is cheapest, whether two prices tie, whether a project is still
// affordable) is taken only when its margin exceeds those bounds; otherwise
// the run is redone with GMP rationals, where every comparison is exact.
// Which side of its price a supporter who can exactly afford it falls on does
// not change the outcome: the bound on the price accounts for it.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "pb/equal_shares_run.hpp"
#include "pb/rule_support.hpp"

namespace fabrique::pb {

namespace mes {

namespace {

struct TooCloseToCall {};

// Arithmetic policies. The fast one carries error bounds and calls "too close"
// instead of guessing; the exact one has no error.
struct FastMath {
  using Num = double;
  static constexpr bool kExact = false;
  // Twice the unit roundoff: every bound below uses it per rounding, generously.
  static constexpr Num kUnit = std::numeric_limits<double>::epsilon();
  static Num from(std::int64_t v) { return static_cast<Num>(v); }
  static Num ratio(std::int64_t a, std::int64_t b) { return static_cast<Num>(a) / b; }
  // -1 or 1; throws when |a - b| is within `error`, the bound on both errors.
  // (The subtraction itself rounds too.)
  static int compare(const Num& a, const Num& b, const Num& error) {
    Num gap = a - b;
    if (!(std::fabs(gap) > error + kUnit * std::max(std::fabs(a), std::fabs(b))))
      throw TooCloseToCall{};
    return gap < 0 ? -1 : 1;
  }
  static bool certainly_greater(const Num& a, const Num& b, const Num& error) {
    return a - b > error + kUnit * std::max(std::fabs(a), std::fabs(b));
  }
  static mpq_class exact(const Num& v) { return mpq_class(static_cast<double>(v)); }
};

struct ExactMath {
  using Num = mpq_class;
  static constexpr bool kExact = true;
  static Num from(std::int64_t v) { return mpq_class(mpz_class(static_cast<long>(v))); }
  static Num ratio(std::int64_t a, std::int64_t b) {
    mpq_class q(mpz_class(static_cast<long>(a)), mpz_class(static_cast<long>(b)));
    q.canonicalize();
    return q;
  }
  static int compare(const Num& a, const Num& b, const Num&) { return cmp(a, b); }
  static bool certainly_greater(const Num& a, const Num& b, const Num&) { return a > b; }
  static mpq_class exact(const Num& v) { return v; }
};

template <class Math>
class EqualSharesRun {
 public:
  using Num = typename Math::Num;

  // `trace`, when given, receives every decision of the run (see Trace).
  EqualSharesRun(const Election& election, const Profile& profile, const Num& voter_budget,
                 std::vector<std::uint64_t>* trace = nullptr)
      : election_(election), profile_(profile), trace_(trace), share_(voter_budget) {
    budget_.assign(profile.groups.size(), voter_budget);
    if constexpr (!Math::kExact) {
      budget_error_.assign(profile.groups.size(), Math::kUnit * share_);
      max_budget_error_ = Math::kUnit * share_;
    }
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
      Num price = Math::ratio(election_.projects[p].cost, profile_.total_utility[p]);
      Num error = 0;
      if constexpr (!Math::kExact) error = 2 * Math::kUnit * price;  // conversions, division
      remaining.push_back({p, price, error});
    }
    int round = static_cast<int>(selected.size());
    std::vector<bool> gone;
    while (!remaining.empty()) {
      std::stable_sort(
          remaining.begin(), remaining.end(),
          [](const Candidate& a, const Candidate& b) { return a.affordability < b.affordability; });
      gone.assign(remaining.size(), false);
      std::optional<std::size_t> best;
      for (std::size_t k = 0; k < remaining.size(); ++k) {
        auto& candidate = remaining[k];
        record(kVisit | candidate.project);
        // Prices only grow as voters spend: a project whose last price is
        // already above the best one cannot win this round, nor can those
        // after it. (pabutools checks affordability first; the order of the
        // two checks changes no outcome, only when a lost cause is dropped.)
        if (best && Math::certainly_greater(candidate.affordability, remaining[*best].affordability,
                                            candidate.error + remaining[*best].error))
          break;
        if (!affordability(candidate.project, candidate.affordability, candidate.error, reports)) {
          gone[k] = true;
          continue;
        }
        if (!best) {
          best = k;
          continue;
        }
        const auto& current = remaining[*best];
        int order = Math::compare(candidate.affordability, current.affordability,
                                  candidate.error + current.error);
        if (order < 0 ||
            (order == 0 && profile_.rank[candidate.project] < profile_.rank[current.project]))
          best = k;
      }
      if (!best) break;  // nothing left is affordable
      ProjectIndex chosen = remaining[*best].project;
      record(kChoose | chosen);
      pay(chosen, remaining[*best].affordability, remaining[*best].error, reports, ++round);
      selected.push_back(chosen);
      gone[*best] = true;
      std::size_t kept = 0;
      for (std::size_t k = 0; k < remaining.size(); ++k)
        if (!gone[k]) remaining[kept++] = std::move(remaining[k]);
      remaining.resize(kept);
    }
    return selected;
  }

 private:
  // pabutools' affordability: the lowest price per unit of utility at which the
  // supporters, each paying price x utility or all they have, cover the cost.
  // Found by fixpoint: assume everyone can pay, mark who cannot ("poor": pays
  // all they have), recompute, until no one new is poor. The price only grows,
  // so the poor only grow; the fixpoint is the unique price where payments
  // meet the cost, the value pabutools' sorted scan finds.
  // Returns false when the supporters together cannot pay: the project is
  // dropped for good, as budgets only shrink. Otherwise `result` is the price
  // and, on the fast path, `error` bounds its distance to the exact price.
  bool affordability(ProjectIndex p, Num& result, Num& error, std::vector<ProjectReport>* reports) {
    // Two instances, so that the untraced hot loop carries no recording.
    return trace_ ? affordability<true>(p, result, error, reports)
                  : affordability<false>(p, result, error, reports);
  }

  template <bool kTracing>
  bool affordability(ProjectIndex p, Num& result, Num& error, std::vector<ProjectReport>* reports) {
    const auto& supporters = profile_.supporters[p];
    const Num cost = Math::from(election_.projects[p].cost);
    std::int64_t rich_utility = profile_.total_utility[p];
    Num paid_by_poor = 0;
    Num poor_error = 0;                           // the poor budgets' errors, with multiplicity
    Num price = cost / Math::from(rich_utility);  // if every supporter could pay
    // Only supporters who cannot pay twice the current price can turn poor
    // while the price stays below that: the loop scans those few ("at risk"),
    // and widens the list only if the price climbs past that horizon.
    Num horizon = price + price;
    // One pass: what the supporters hold together, and who is at risk.
    Num available = 0;
    Num available_error = 0;  // from the budgets' own errors
    at_risk_.clear();
    for (std::uint32_t k = 0; k < supporters.size(); ++k) {
      const auto& s = supporters[k];
      const Num& budget = budget_[s.group];
      available += budget * Math::from(s.multiplicity);
      if constexpr (!Math::kExact) available_error += budget_error_[s.group] * s.multiplicity;
      if (budget < horizon * Math::from(s.utility)) at_risk_.push_back(k);
    }
    // A sum of n products of budgets (each at most the share) rounds off by at
    // most (n + 2) x unit x voters x share, on top of the budgets' errors.
    Num sum_rounding = 0;
    if constexpr (!Math::kExact)
      sum_rounding = Math::from(static_cast<std::int64_t>(supporters.size()) + 2) * Math::kUnit *
                     Math::from(profile_.voters_for[p]) * share_;
    if (Math::compare(available, cost, available_error + sum_rounding) < 0) {
      record(kDrop | p);
      if (reports) {
        (*reports)[p].fate = Fate::RanOutOfMoney;
        (*reports)[p].supporters_money = Math::exact(available);
      }
      return false;
    }
    poor_.assign(supporters.size(), 0);
    discovered_.clear();
    Num price_error = 0;  // this price's distance to the root of its own formula
    Num boundary_weight = 0, boundary_gap = 0;
    for (;;) {
      if (!(price < horizon)) {
        horizon = price + price;
        at_risk_.clear();
        for (std::uint32_t k = 0; k < supporters.size(); ++k)
          if (!poor_[k] &&
              budget_[supporters[k].group] < horizon * Math::from(supporters[k].utility))
            at_risk_.push_back(k);
      }
      // Supporters whose budget is within `band` of what they owe are the
      // ones the fast path may have put on the wrong side.
      Num band = 0;
      if constexpr (!Math::kExact) {
        price_error = (poor_error + sum_rounding + Math::kUnit * (cost + paid_by_poor)) /
                          Math::from(rich_utility) +
                      2 * Math::kUnit * price;  // the division, and the denominator's conversion
        // The band of a supporter adds its budget's own error (below).
        band = 2 * price_error * Math::from(profile_.max_utility[p]) + Math::kUnit * share_;
        boundary_weight = boundary_gap = 0;
        // Every supporter inside its band must be on the at-risk list.
        if (!((horizon - price) * Math::from(profile_.min_utility[p]) > band + max_budget_error_))
          throw TooCloseToCall{};
      }
      bool changed = false;
      for (std::uint32_t k : at_risk_) {
        const auto& s = supporters[k];
        const Num& budget = budget_[s.group];
        const Num due = price * Math::from(s.utility);
        if (!poor_[k] && budget < due) {
          poor_[k] = 1;
          changed = true;
          if constexpr (kTracing) discovered_.push_back(k);
          paid_by_poor += budget * Math::from(s.multiplicity);
          rich_utility -= s.multiplicity * s.utility;
          if constexpr (!Math::kExact) poor_error += budget_error_[s.group] * s.multiplicity;
          continue;
        }
        if constexpr (!Math::kExact) {
          const Num own_band = band + budget_error_[s.group];
          if (std::fabs(budget - due) <= own_band) {
            if (!poor_[k]) boundary_weight += Math::from(s.multiplicity * s.utility);
            boundary_gap += 2 * own_band * Math::from(s.multiplicity);
          }
        }
      }
      if (!changed) break;
      if (rich_utility <= 0) throw TooCloseToCall{};  // only through rounding
      price = (cost - paid_by_poor) / Math::from(rich_utility);
    }
    result = price;
    if constexpr (!Math::kExact) {
      // The exact price is the root of sum(min(budget, price x utility)) =
      // cost; ours is the root of the same sum with our poor/rich split. They
      // differ only through supporters inside the band, by at most
      // boundary_gap over the slope the others guarantee.
      Num slope = Math::from(rich_utility) - boundary_weight;
      if (!(slope > 0)) throw TooCloseToCall{};
      Num shift = boundary_gap / slope;
      if (shift > price_error) throw TooCloseToCall{};  // outside the window the band covers
      error = price_error + shift;
    }
    if constexpr (kTracing) {
      trace_->push_back(kPoor | p);
      trace_->insert(trace_->end(), discovered_.begin(), discovered_.end());
    }
    return true;
  }

  void pay(ProjectIndex p, const Num& price, const Num& price_error,
           std::vector<ProjectReport>* reports, int round) {
    std::int64_t exhausted = 0;
    discovered_.clear();
    for (const auto& s : profile_.supporters[p]) {
      Num due = price * Math::from(s.utility);
      Num& budget = budget_[s.group];
      if constexpr (!Math::kExact) {
        // What the supporter owes is off by price error x utility, plus
        // roundings; one who surely gives all they have ends exactly at 0.
        Num& error = budget_error_[s.group];
        Num owed_error = price_error * Math::from(s.utility) + 2 * Math::kUnit * share_;
        if (due - budget > error + owed_error)
          error = 0;
        else
          error += owed_error;
        max_budget_error_ = std::max(max_budget_error_, error);
      }
      if (due >= budget) {
        exhausted += s.multiplicity;
        if (trace_) discovered_.push_back(s.group);
        budget = 0;
      } else {
        budget -= due;
      }
    }
    if (trace_) trace_->insert(trace_->end(), discovered_.begin(), discovered_.end());
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

  // Trace events: a tag in the high bits, a project index below; supporter
  // and group indices (poor sets, exhausted groups) follow untagged.
  static constexpr std::uint64_t kVisit = 1ull << 60, kDrop = 2ull << 60, kPoor = 3ull << 60,
                                 kChoose = 4ull << 60;
  void record(std::uint64_t event) {
    if (trace_) trace_->push_back(event);
  }

  const Election& election_;
  const Profile& profile_;
  std::vector<std::uint64_t>* trace_;
  Num share_;  // every voter's starting budget
  // Fast path: for each group, a bound on its budget's distance to the exact
  // value (first-order rounding analysis, twice the unit roundoff per step).
  std::vector<Num> budget_error_;
  Num max_budget_error_ = 0;
  std::vector<Num> budget_;
  std::vector<std::uint32_t> at_risk_;
  std::vector<char> poor_;
  std::vector<std::uint32_t> discovered_;  // poor supporters, exhausted groups
};

}  // namespace

Profile make_profile(const Election& election, Utility utility, TieBreak tie_break) {
  Profile profile;
  profile.groups = detail::group_ballots(election, utility);
  profile.supporters = detail::supporters_by_project(profile.groups, election.projects.size());
  profile.rank = detail::tie_ranks(election, tie_break);
  profile.voters = static_cast<std::int64_t>(election.ballots.size());
  std::size_t n = election.projects.size();
  profile.total_utility.assign(n, 0);
  profile.same_utility.assign(n, 0);
  profile.max_utility.assign(n, 0);
  profile.min_utility.assign(n, 0);
  profile.voters_for.assign(n, 0);
  for (ProjectIndex p = 0; p < n; ++p) {
    const auto& supporters = profile.supporters[p];
    bool same = true;
    for (const auto& s : supporters) {
      profile.total_utility[p] = detail::checked_add(
          profile.total_utility[p], detail::checked_mul(s.multiplicity, s.utility));
      profile.voters_for[p] += s.multiplicity;
      profile.max_utility[p] = std::max(profile.max_utility[p], s.utility);
      profile.min_utility[p] =
          profile.min_utility[p] == 0 ? s.utility : std::min(profile.min_utility[p], s.utility);
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

// Fast path first, exact when the fast path cannot decide (or when asked).
// Returns the selection; `*exact_used` tells which path answered.
std::vector<ProjectIndex> run_equal_shares(const Election& election, const Profile& profile,
                                           const RunRequest& request, bool* exact_used) {
  if (exact_used) *exact_used = false;
  if (request.trace) request.trace->clear();
  if (profile.voters == 0) return profile.free_projects;
  if (!request.exact && !(request.reports && request.exact_reports)) {
    try {
      double share = static_cast<double>(election.budget) / profile.voters +
                     static_cast<double>(request.extra_units);
      auto fast_reports = request.reports ? std::optional(*request.reports) : std::nullopt;
      auto selected = EqualSharesRun<FastMath>(election, profile, share, request.trace)
                          .run(fast_reports ? &*fast_reports : nullptr);
      if (request.reports) *request.reports = std::move(*fast_reports);
      return selected;
    } catch (const TooCloseToCall&) {
      if (request.trace) request.trace->clear();
    }
  }
  if (exact_used) *exact_used = true;
  mpq_class share(mpz_class(static_cast<long>(election.budget)),
                  mpz_class(static_cast<long>(profile.voters)));
  share.canonicalize();
  share += mpz_class(static_cast<long>(request.extra_units));
  return EqualSharesRun<ExactMath>(election, profile, share, request.trace).run(request.reports);
}

// The outcome at a given share, with its per-project reports. Their figures
// (prices, money left) come from the fast path unless `exact_reports`; the
// selection is exact either way.
Outcome make_outcome(const Election& election, const Profile& profile, Utility utility,
                     std::int64_t extra_units, std::string label, bool exact_reports) {
  Outcome outcome;
  outcome.reports = detail::blank_reports(election);
  for (ProjectIndex p = 0; p < election.projects.size(); ++p)
    if (profile.total_utility[p] <= 0) outcome.reports[p].fate = Fate::NoSupport;
  outcome.selected = run_equal_shares(
      election, profile,
      {.extra_units = extra_units, .reports = &outcome.reports, .exact_reports = exact_reports});
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

}  // namespace mes

Outcome equal_shares(const Election& election, Utility utility, TieBreak tie_break,
                     bool exact_reports) {
  mes::Profile profile = mes::make_profile(election, utility, tie_break);
  return mes::make_outcome(election, profile, utility, 0, "mes", exact_reports);
}

std::vector<ProjectIndex> equal_shares_selection(const Election& election, Utility utility,
                                                 TieBreak tie_break, std::int64_t extra_units) {
  mes::Profile profile = mes::make_profile(election, utility, tie_break);
  return mes::run_equal_shares(election, profile, {.extra_units = extra_units});
}

}  // namespace fabrique::pb
