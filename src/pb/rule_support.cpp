#include "pb/rule_support.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <numeric>

namespace fabrique::pb::detail {

namespace {

// "12" < "100" numerically; non-numeric ids come after numeric ones.
std::optional<std::uint64_t> as_number(const std::string& id) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (error != std::errc() || end != id.data() + id.size() || id.empty()) return std::nullopt;
  return value;
}

}  // namespace

const Text kTooLarge{"amounts too large to count exactly (over 2^63)",
                     "montants trop grands pour un dépouillement exact (plus de 2^63)"};

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t result;
  if (__builtin_add_overflow(a, b, &result)) throw RuleError(kTooLarge);
  return result;
}

std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t result;
  if (__builtin_mul_overflow(a, b, &result)) throw RuleError(kTooLarge);
  return result;
}

namespace {
mpz_class to_mpz(Wide value) {
  // Non-negative by contract: split into two 64-bit halves.
  auto high = static_cast<unsigned long>(value >> 64);
  auto low = static_cast<unsigned long>(value & Wide(~std::uint64_t{0}));
  mpz_class result = high;
  result <<= 64;
  result += low;
  return result;
}
}  // namespace

int compare_products(Wide a, Wide b, Wide c, Wide d) {
  Wide left, right;
  if (!__builtin_mul_overflow(a, b, &left) && !__builtin_mul_overflow(c, d, &right))
    return left < right ? -1 : left > right ? 1 : 0;
  return cmp(to_mpz(a) * to_mpz(b), to_mpz(c) * to_mpz(d));
}

std::vector<std::uint32_t> tie_ranks(const Election& election, TieBreak tie_break) {
  const auto& projects = election.projects;
  std::vector<ProjectIndex> order(projects.size());
  std::iota(order.begin(), order.end(), 0);
  auto by_id = [&](ProjectIndex a, ProjectIndex b) { return projects[a].id < projects[b].id; };
  switch (tie_break) {
    case TieBreak::IdString:
      std::sort(order.begin(), order.end(), by_id);
      break;
    case TieBreak::IdNatural:
      std::sort(order.begin(), order.end(), [&](ProjectIndex a, ProjectIndex b) {
        auto na = as_number(projects[a].id), nb = as_number(projects[b].id);
        if (na && nb && *na != *nb) return *na < *nb;
        if (na.has_value() != nb.has_value()) return na.has_value();
        return by_id(a, b);
      });
      break;
    case TieBreak::Cheapest:
      std::sort(order.begin(), order.end(), [&](ProjectIndex a, ProjectIndex b) {
        if (projects[a].cost != projects[b].cost) return projects[a].cost < projects[b].cost;
        return by_id(a, b);
      });
      break;
  }
  std::vector<std::uint32_t> rank(projects.size());
  for (std::uint32_t place = 0; place < order.size(); ++place) rank[order[place]] = place;
  return rank;
}

std::vector<std::int64_t> vote_counts(const Election& election) {
  std::vector<std::int64_t> votes(election.projects.size(), 0);
  for (const auto& ballot : election.ballots)
    for (ProjectIndex p : ballot.projects) ++votes[p];
  return votes;
}

std::vector<std::int64_t> point_totals(const Election& election) {
  std::vector<std::int64_t> totals(election.projects.size(), 0);
  for (const auto& ballot : election.ballots)
    for (std::size_t k = 0; k < ballot.points.size(); ++k)
      totals[ballot.projects[k]] = checked_add(totals[ballot.projects[k]], ballot.points[k]);
  return totals;
}

std::int64_t entry_utility(const Election& election, Utility utility, ProjectIndex project,
                           std::int64_t points) {
  switch (utility) {
    case Utility::Cost:
      return election.projects[project].cost;
    case Utility::Cardinality:
      return 1;
    case Utility::Points:
      return points;
  }
  return 0;
}

std::vector<BallotGroup> group_ballots(const Election& election, Utility utility) {
  std::map<std::vector<std::pair<ProjectIndex, std::int64_t>>, std::int64_t> counts;
  std::vector<std::pair<ProjectIndex, std::int64_t>> key;
  for (const auto& ballot : election.ballots) {
    key.clear();
    for (std::size_t k = 0; k < ballot.projects.size(); ++k) {
      std::int64_t points = k < ballot.points.size() ? ballot.points[k] : 0;
      // Under the cost and cardinality utilities a ballot is an approval set.
      if (utility != Utility::Points) points = 0;
      key.emplace_back(ballot.projects[k], points);
    }
    std::sort(key.begin(), key.end());
    ++counts[key];
  }
  std::vector<BallotGroup> groups;
  groups.reserve(counts.size());
  for (const auto& [entries, multiplicity] : counts) {
    BallotGroup group;
    group.multiplicity = multiplicity;
    for (const auto& [project, points] : entries) {
      std::int64_t u = entry_utility(election, utility, project, points);
      if (u <= 0) continue;
      group.projects.push_back(project);
      group.utilities.push_back(u);
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<std::vector<Supporter>> supporters_by_project(const std::vector<BallotGroup>& groups,
                                                          std::size_t project_count) {
  std::vector<std::vector<Supporter>> supporters(project_count);
  for (std::uint32_t g = 0; g < groups.size(); ++g)
    for (std::size_t k = 0; k < groups[g].projects.size(); ++k)
      supporters[groups[g].projects[k]].push_back(
          {g, groups[g].utilities[k], groups[g].multiplicity});
  return supporters;
}

Money total_cost(const Election& election, const std::vector<ProjectIndex>& projects) {
  Money total = 0;
  for (ProjectIndex p : projects) total += election.projects[p].cost;
  return total;
}

bool is_exhaustive_among(const Election& election, const std::vector<ProjectIndex>& selected,
                         const std::vector<ProjectIndex>& candidates) {
  std::vector<bool> chosen(election.projects.size(), false);
  for (ProjectIndex p : selected) chosen[p] = true;
  Money left = election.budget - total_cost(election, selected);
  return std::none_of(candidates.begin(), candidates.end(), [&](ProjectIndex p) {
    return !chosen[p] && election.projects[p].cost <= left;
  });
}

bool is_exhaustive(const Election& election, const std::vector<ProjectIndex>& selected) {
  std::vector<ProjectIndex> all(election.projects.size());
  std::iota(all.begin(), all.end(), 0);
  return is_exhaustive_among(election, selected, all);
}

std::vector<ProjectReport> blank_reports(const Election& election) {
  std::vector<ProjectReport> reports(election.projects.size());
  auto votes = vote_counts(election);
  for (ProjectIndex p = 0; p < reports.size(); ++p) {
    reports[p].project = p;
    reports[p].supporters = votes[p];
  }
  return reports;
}

void finish_outcome(const Election& election, Outcome& outcome) {
  outcome.total_cost = total_cost(election, outcome.selected);
  outcome.exhaustive = is_exhaustive(election, outcome.selected);
  if (outcome.reports.empty()) outcome.reports = blank_reports(election);
  int round = 0;
  for (ProjectIndex p : outcome.selected) {
    outcome.reports[p].fate = Fate::Selected;
    outcome.reports[p].round = ++round;
  }
}

}  // namespace fabrique::pb::detail
