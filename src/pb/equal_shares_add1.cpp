// The "add1" completion of the Method of Equal Shares: every voter's share
// raised one currency unit at a time, as pabutools does, until the outcome is
// exhaustive; and MES + add1 completed greedily.
#include <algorithm>
#include <string>
#include <vector>

#include "pb/equal_shares_run.hpp"
#include "pb/rules.hpp"

namespace fabrique::pb {

namespace mes {
namespace {

bool selects_every_candidate(const Profile& profile, const std::vector<ProjectIndex>& selected) {
  return selected.size() == profile.candidates.size() + profile.free_projects.size();
}

// add1: raise every voter's share by one currency unit at a time, as pabutools
// does, and stop at the first exhaustive outcome (or, with Add1Stop::Overspend,
// only when the next outcome would overspend).
//
// Walking every unit takes millions of runs on budgets in forint. Between two
// shares whose runs made exactly the same decisions (same projects visited,
// dropped and chosen, same supporters paying all they had), every quantity of
// the run is the same affine function of the share, so every decision keeps
// its sign in between: the outcome cannot change there, and those steps are
// skipped. The search gallops (1, 2, 4... steps ahead) while the decisions
// stay the same, and every skip is confirmed on exact runs at both ends.
class Add1Search {
 public:
  Add1Search(const Election& election, const Profile& profile, Add1Stop stop)
      : election_(election), profile_(profile), stop_(stop), step_(election.cost_scale) {}

  // The share (as extra cost units) whose outcome is the answer, or -1 for
  // the initial allocation (even B/n overspends).
  std::int64_t run() {
    std::int64_t previous_extra = -1;
    Run current = run_at(0, true);
    for (;;) {
      switch (verdict(current.selected)) {
        case Verdict::Overspends:
          return previous_extra;
        case Verdict::Stop:
          return current.extra;
        case Verdict::GoOn:
          break;
      }
      if (quiet_ > 0) --quiet_;
      if (!current.traced || quiet_ > 0) {
        previous_extra = current.extra;
        current = run_at(current.extra + step_, quiet_ <= 1);
        continue;
      }
      // Gallop while the fast runs make the same decisions; the first probe
      // is the next step, needed anyway. A skip needs exact runs at both
      // ends, which cost tens of fast runs: only worth it for long stretches.
      // (Equal fast decisions already prove equal outcomes at the probes.)
      std::int64_t reach = 0;
      std::map<std::int64_t, Run> probes;
      for (std::int64_t ahead = 1; ahead <= kMaxGallop; ahead *= 2) {
        Run probe = run_at(current.extra + ahead * step_, true);
        bool same = probe.trace == current.trace;
        probes.emplace(ahead, std::move(probe));
        if (!same) break;
        reach = ahead;
      }
      if (reach >= 2 && (reach < kMinSkip || !confirmed(current, probes.at(reach)))) reach = 1;
      // Where decisions change at every step (large electorates), tracing
      // costs more than it saves: back off exponentially.
      if (reach == 0) {
        misses_ = std::min(misses_ + 1, 10);
        quiet_ = std::int64_t{1} << misses_;
      } else {
        misses_ = 0;
      }
      previous_extra = current.extra + reach * step_;
      auto next = probes.find(reach + 1);
      if (next != probes.end())
        current = std::move(next->second);
      else
        current = run_at(previous_extra + step_, quiet_ <= 1);
    }
  }

  const std::vector<ProjectIndex>& initial() const { return profile_.free_projects; }
  std::int64_t runs() const { return runs_; }

 private:
  enum class Verdict { Overspends, Stop, GoOn };
  static constexpr std::int64_t kMaxGallop = std::int64_t{1} << 40;
  static constexpr std::int64_t kMinSkip = 16;

  Verdict verdict(const std::vector<ProjectIndex>& selected) const {
    if (detail::total_cost(election_, selected) > election_.budget) return Verdict::Overspends;
    if (stop_ == Add1Stop::Exhaustive &&
        detail::is_exhaustive_among(election_, selected, profile_.candidates))
      return Verdict::Stop;
    // Everything supported is bought: more money cannot change the outcome.
    if (selects_every_candidate(profile_, selected)) return Verdict::Stop;
    return Verdict::GoOn;
  }

  struct Run {
    std::int64_t extra = 0;
    std::vector<ProjectIndex> selected;
    std::vector<std::uint64_t> trace;
    bool exact = false;   // the trace came from exact arithmetic
    bool traced = false;  // the run recorded its decisions
  };

  Run run_at(std::int64_t extra, bool traced) {
    ++runs_;
    Run run;
    run.extra = extra;
    run.traced = traced;
    run.selected = run_equal_shares(election_, profile_,
                                    {.extra_units = extra, .trace = traced ? &run.trace : nullptr},
                                    &run.exact);
    return run;
  }

  // The same decisions at both ends, in exact arithmetic (fast traces only
  // propose a skip).
  bool confirmed(Run& from, Run& to) {
    for (Run* run : {&from, &to}) {
      if (run->exact) continue;
      ++runs_;
      run_equal_shares(election_, profile_,
                       {.extra_units = run->extra, .trace = &run->trace, .exact = true});
      run->exact = true;
    }
    return from.trace == to.trace;
  }

  const Election& election_;
  const Profile& profile_;
  Add1Stop stop_;
  std::int64_t step_;
  std::int64_t runs_ = 0;
  int misses_ = 0;          // consecutive failed gallops
  std::int64_t quiet_ = 0;  // steps left to run untraced
};

}  // namespace
}  // namespace mes

Outcome equal_shares_add1(const Election& election, Utility utility, TieBreak tie_break,
                          Add1Stop stop, bool exact_reports) {
  mes::Profile profile = mes::make_profile(election, utility, tie_break);
  mes::Add1Search search(election, profile, stop);
  const std::int64_t chosen_extra = search.run();
  const std::vector<ProjectIndex>& previous = search.initial();
  const std::int64_t steps = search.runs();
  std::string label = stop == Add1Stop::Exhaustive ? "mes-add1" : "mes-add1-overspend";
  Outcome outcome;
  if (chosen_extra < 0) {
    // Even the first share overspends: pabutools returns the initial allocation.
    outcome.rule_label = label;
    outcome.utility_label = to_string(utility);
    outcome.selected = previous;
    detail::finish_outcome(election, outcome);
  } else {
    outcome = mes::make_outcome(election, profile, utility, chosen_extra, label, exact_reports);
  }
  outcome.budget_steps = steps;
  return outcome;
}

Outcome equal_shares_add1_greedy(const Election& election, Utility utility, TieBreak tie_break,
                                 bool exact_reports) {
  Outcome mes =
      equal_shares_add1(election, utility, tie_break, Add1Stop::Exhaustive, exact_reports);
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
