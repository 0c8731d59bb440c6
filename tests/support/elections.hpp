// Small elections written by hand in tests.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "pb/model.hpp"

namespace fabrique::test {

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
