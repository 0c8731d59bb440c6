// The vocabulary of a participatory-budgeting election, as the pabulib format
// describes it: an instance (budget, projects) and a profile (ballots).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fabrique::pb {

using ProjectIndex = std::uint32_t;

// Money is kept in integer "cost units". Files almost always carry whole
// currency units; when one carries cents (`12.50`) every amount of the file is
// scaled by the same power of ten so that arithmetic stays integral.
// `cost_scale` says how many cost units make one currency unit.
using Money = std::int64_t;

// The cost that pabulib files use for a project the city could not carry out.
inline constexpr Money kNotFeasibleCost = 999999999;

enum class VoteType { Approval, Ordinal, Cumulative, Scoring, ChooseOne };

struct Project {
  std::string id;
  Money cost = 0;  // in cost units
  std::string name;
  // Every PROJECTS column, as read, in file order (cost/id included), so a
  // file can be written back with nothing lost.
  std::vector<std::string> fields;
  std::optional<bool> selected;       // the `selected` column, when present
  std::optional<std::int64_t> score;  // the `score` column, when present

  bool operator==(const Project&) const = default;
};

struct Ballot {
  std::string voter_id;
  // Projects in the order the voter wrote them (an ordinal ballot's ranking).
  std::vector<ProjectIndex> projects;
  // Points given to each project of `projects`, same order; empty when the
  // file has no `points` column.
  std::vector<std::int64_t> points;
  std::vector<std::string> fields;  // every VOTES column, as read

  bool operator==(const Ballot&) const = default;
};

struct MetaEntry {
  std::string key;
  std::string value;

  bool operator==(const MetaEntry&) const = default;
};

struct Election {
  std::vector<MetaEntry> meta;  // in file order
  Money budget = 0;             // in cost units
  std::int64_t cost_scale = 1;  // cost units per currency unit
  VoteType vote_type = VoteType::Approval;
  std::vector<Project> projects;
  std::vector<std::string> project_columns;
  std::vector<Ballot> ballots;
  std::vector<std::string> vote_columns;
  bool has_points = false;  // ballots carry a points column

  // Optional rule parameters from META; absent when the file does not say.
  std::optional<std::int64_t> min_length;
  std::optional<std::int64_t> max_length;
  std::optional<std::int64_t> max_sum_points;
  std::optional<std::int64_t> min_project_score_threshold;

  // Member-wise: two elections are equal when every field above is.
  bool operator==(const Election&) const = default;

  const std::string* meta_value(const std::string& key) const {
    for (const auto& entry : meta)
      if (entry.key == key) return &entry.value;
    return nullptr;
  }
  std::optional<ProjectIndex> find_project(const std::string& id) const {
    for (ProjectIndex i = 0; i < projects.size(); ++i)
      if (projects[i].id == id) return i;
    return std::nullopt;
  }
};

std::string to_string(VoteType type);

}  // namespace fabrique::pb
