// Shared pieces of the counting rules: tie-break order, vote tallies, ballots
// grouped by identical content. Internal to src/pb.
#pragma once

#include <cstdint>
#include <vector>

#include "pb/rules.hpp"

namespace fabrique::pb::detail {

// Products of two 64-bit amounts (votes x cost, welfare x cost) fit in 128 bits.
__extension__ typedef __int128 Wide;

// Sums and products of amounts from a file, refusing to overflow: hostile or
// absurd files (points or costs near 2^63) get a RuleError, not a wrong count.
std::int64_t checked_add(std::int64_t a, std::int64_t b);
std::int64_t checked_mul(std::int64_t a, std::int64_t b);

// Sign of a*b - c*d for non-negative values, exact even past 128 bits.
int compare_products(Wide a, Wide b, Wide c, Wide d);

// rank[p] is p's place in the tie-break order: lower wins a tie.
std::vector<std::uint32_t> tie_ranks(const Election& election, TieBreak tie_break);

// Number of ballots containing each project.
std::vector<std::int64_t> vote_counts(const Election& election);
// Sum of the points given to each project (0 when ballots carry no points).
std::vector<std::int64_t> point_totals(const Election& election);

// Utility a single ballot entry gives under `utility` (0 = not a supporter).
std::int64_t entry_utility(const Election& election, Utility utility, ProjectIndex project,
                           std::int64_t points);

// Identical ballots (same projects with the same utilities) merged into one
// group with a multiplicity: every rule treats them alike, and real profiles
// shrink a lot (Warszawa 2026: 61,668 ballots).
struct BallotGroup {
  std::vector<ProjectIndex> projects;   // sorted
  std::vector<std::int64_t> utilities;  // same order, all > 0
  std::int64_t multiplicity = 0;
};
std::vector<BallotGroup> group_ballots(const Election& election, Utility utility);

// Supporters of each project: the group, its utility for the project, and the
// group's multiplicity (kept here so the rules' hot loops read one array).
struct Supporter {
  std::uint32_t group;
  std::int64_t utility;
  std::int64_t multiplicity;
};
std::vector<std::vector<Supporter>> supporters_by_project(const std::vector<BallotGroup>& groups,
                                                          std::size_t project_count);

Money total_cost(const Election& election, const std::vector<ProjectIndex>& projects);

// True when no project outside `selected` fits in the rest of the budget.
bool is_exhaustive(const Election& election, const std::vector<ProjectIndex>& selected);
// The same, looking only at `candidates` (add1: supported projects with a cost).
bool is_exhaustive_among(const Election& election, const std::vector<ProjectIndex>& selected,
                         const std::vector<ProjectIndex>& candidates);

// Fills `outcome.total_cost` / `exhaustive` and the Selected entries of reports.
void finish_outcome(const Election& election, Outcome& outcome);

std::vector<ProjectReport> blank_reports(const Election& election);

}  // namespace fabrique::pb::detail
