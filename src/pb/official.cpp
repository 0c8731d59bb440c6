// The rule a city applied, as named in the file's META `rule` field, in the
// pabulib vocabulary. Greedy variants rank by points where ballots carry
// points (cumulative ballots, ordinal ballots with a points column) and by
// votes otherwise, as the cities did; unlike pabutools, greedy-threshold
// excludes projects under META min_project_score_threshold.
#include <algorithm>

#include "pb/rule_support.hpp"

namespace fabrique::pb {

namespace {

enum class GreedyKind { Skip, NoSkip, Threshold };

Outcome official_greedy(const Election& election, TieBreak tie_break, GreedyKind kind) {
  const auto& projects = election.projects;
  auto rank = detail::tie_ranks(election, tie_break);
  const bool by_points = election.has_points;
  auto scores = by_points ? detail::point_totals(election) : detail::vote_counts(election);

  Outcome outcome;
  outcome.rule_label = kind == GreedyKind::Skip     ? "greedy"
                       : kind == GreedyKind::NoSkip ? "greedy-no-skip"
                                                    : "greedy-threshold";
  outcome.utility_label = by_points ? "points" : "votes";
  outcome.reports = detail::blank_reports(election);

  std::optional<std::int64_t> threshold;
  if (kind == GreedyKind::Threshold) {
    threshold = election.min_project_score_threshold;
    if (!threshold)
      outcome.notes.push_back("greedy-threshold without min_project_score_threshold: no threshold");
  }

  std::vector<ProjectIndex> order(projects.size());
  for (ProjectIndex p = 0; p < order.size(); ++p) order[p] = p;
  std::sort(order.begin(), order.end(), [&](ProjectIndex a, ProjectIndex b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    return rank[a] < rank[b];
  });
  Money remaining = election.budget;
  bool stopped = false;
  for (ProjectIndex p : order) {
    auto& report = outcome.reports[p];
    report.score = scores[p];
    report.remaining = remaining;
    if (threshold && scores[p] < *threshold) {
      report.fate = Fate::BelowThreshold;
      continue;
    }
    if (stopped) {
      report.fate = Fate::StoppedBeforeTurn;
      continue;
    }
    if (projects[p].cost <= remaining) {
      outcome.selected.push_back(p);
      remaining -= projects[p].cost;
    } else {
      report.fate = projects[p].cost == kNotFeasibleCost ? Fate::NotFeasible : Fate::DidNotFit;
      if (kind == GreedyKind::NoSkip) stopped = true;
    }
  }
  detail::finish_outcome(election, outcome);
  return outcome;
}

}  // namespace

Outcome official(const Election& election, TieBreak tie_break, bool exact_reports) {
  const std::string* rule = election.meta_value("rule");
  if (!rule)
    throw RuleError(
        {"the file names no rule (META rule): choose one with --rule",
         "le fichier ne nomme aucune règle (META rule)\u202f: choisissez-en une avec --rule"});
  const std::string& name = *rule;
  Outcome outcome;
  if (name == "greedy") {
    outcome = official_greedy(election, tie_break, GreedyKind::Skip);
  } else if (name == "greedy-no-skip") {
    outcome = official_greedy(election, tie_break, GreedyKind::NoSkip);
  } else if (name == "greedy-threshold") {
    outcome = official_greedy(election, tie_break, GreedyKind::Threshold);
  } else if (name == "equalshares") {
    outcome = equal_shares(election, Utility::Cost, tie_break, exact_reports);
  } else if (name == "equalshares/add1") {
    outcome =
        equal_shares_add1(election, Utility::Cost, tie_break, Add1Stop::Exhaustive, exact_reports);
  } else if (name == "equalshares/add1-comparison") {
    // Wieliczka's count: raise the shares until the next step would overspend.
    outcome =
        equal_shares_add1(election, Utility::Cost, tie_break, Add1Stop::Overspend, exact_reports);
  } else if (name == "phragmen") {
    // Not in pabulib's vocabulary: the name Fabrique exports for a process
    // counted with sequential Phragmén, so that its file recounts as published.
    outcome = sequential_phragmen(election, tie_break);
  } else {
    const char* known =
        "greedy, greedy-no-skip, greedy-threshold, equalshares, equalshares/add1, "
        "equalshares/add1-comparison, phragmen";
    throw RuleError(
        {"the file's rule '" + name + "' is not one the engine knows (" + known + ")",
         "la règle du fichier '" + name + "' n'est pas une règle connue (" + known + ")"});
  }
  outcome.rule_label = "official: " + name;
  return outcome;
}

}  // namespace fabrique::pb
