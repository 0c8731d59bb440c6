// Small elections written by hand in tests.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "pb/model.hpp"

namespace fabrique::test {

// The ids of the `selected` projects, sorted: a selection compared whatever its order.
inline std::vector<std::string> sorted_ids(const pb::Election& e,
                                           const std::vector<pb::ProjectIndex>& selected) {
  std::vector<std::string> ids;
  for (pb::ProjectIndex p : selected) ids.push_back(e.projects[p].id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Projects as (id, cost); ballots as lists of project indices, approval.
inline pb::Election approval_election(
    pb::Money budget, std::initializer_list<std::pair<const char*, pb::Money>> projects,
    std::initializer_list<std::vector<pb::ProjectIndex>> ballots) {
  pb::Election e;
  e.budget = budget;
  for (const auto& [id, cost] : projects) {
    pb::Project project;
    project.id = id;
    project.cost = cost;
    e.projects.push_back(project);
  }
  for (const auto& projects_voted : ballots) {
    pb::Ballot ballot;
    ballot.voter_id = std::to_string(e.ballots.size());
    ballot.projects = projects_voted;
    e.ballots.push_back(ballot);
  }
  return e;
}

}  // namespace fabrique::test
