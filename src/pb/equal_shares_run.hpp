// Internal to the Method of Equal Shares (equal_shares.cpp: one run;
// equal_shares_add1.cpp: the add1 completion): what a run needs to know
// about the ballots, and how to ask for one run. Not for use elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pb/rule_support.hpp"

namespace fabrique::pb::mes {

// What the rule needs to know about a profile, independent of the voters'
// budget: built once, reused by every run of add1.
struct Profile {
  std::vector<detail::BallotGroup> groups;
  std::vector<std::vector<detail::Supporter>> supporters;
  std::vector<std::int64_t> total_utility;  // sum over supporters of multiplicity x utility
  std::vector<std::int64_t> same_utility;   // the utility all supporters share, or 0
  std::vector<std::int64_t> max_utility;    // the largest utility of a supporter
  std::vector<std::int64_t> min_utility;    // the smallest
  std::vector<std::int64_t> voters_for;     // supporters, with multiplicity
  std::vector<ProjectIndex> candidates;     // supported, positive cost
  std::vector<ProjectIndex> free_projects;  // supported, cost 0: selected upfront
  std::vector<std::uint32_t> rank;
  std::int64_t voters = 0;
};

Profile make_profile(const Election& election, Utility utility, TieBreak tie_break);

// One MES run at a given per-voter budget, B/n + extra_units cost units.
struct RunRequest {
  std::int64_t extra_units = 0;
  std::vector<ProjectReport>* reports = nullptr;
  bool exact_reports = false;
  std::vector<std::uint64_t>* trace = nullptr;
  bool exact = false;  // skip the fast path
};

// Fast path first, exact when the fast path cannot decide (or when asked).
// Returns the selection; `*exact_used` tells which path answered.
std::vector<ProjectIndex> run_equal_shares(const Election& election, const Profile& profile,
                                           const RunRequest& request, bool* exact_used = nullptr);

// The outcome at a given share, with its per-project reports. Their figures
// (prices, money left) come from the fast path unless `exact_reports`; the
// selection is exact either way.
Outcome make_outcome(const Election& election, const Profile& profile, Utility utility,
                     std::int64_t extra_units, std::string label, bool exact_reports);

}  // namespace fabrique::pb::mes
