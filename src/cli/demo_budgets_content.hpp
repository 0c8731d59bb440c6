// What the demo's participatory budgets say: five processes, one in each
// phase (proposals, review, vote, results, implementation), their projects,
// and how the demo's residents take to them. Data only: demo_budgets.cpp
// seeds it.
#pragma once

#include <utility>
#include <vector>

#include "budgets/model.hpp"

namespace fabrique::cli {

// The review notes of feasible projects: the note of one that has none of
// its own, and of one whose cost the departments revised.
inline constexpr const char* kFeasibleNote =
    "Réalisable\u202f: chiffrage confirmé par les services techniques.";
inline constexpr const char* kRevisedNote =
    "Réalisable\u202f: le coût a été revu après le chiffrage des services techniques.";

struct DemoProject {
  const char* unit;  // district slug, or "city-wide"
  const char* title;
  const char* description;
  budgets::Amount cost;
  int appeal = 5;  // how many voters like it, relatively
  budgets::ReviewStatus status = budgets::ReviewStatus::Feasible;
  const char* review_note = "";    // "": kFeasibleNote
  budgets::Amount final_cost = 0;  // 0: the estimate stands
  const char* merged_into = "";    // the title of the project it joined
};

// Days from the day of seeding, so that each process sits in its phase.
struct DemoSchedule {
  int proposals_open;
  int review_open;
  int vote_open;
  int vote_close;
  int implementation_open;
};

struct DemoProcess {
  const char* slug;
  const char* title_fr;
  const char* title_en;
  const char* description_fr;
  const char* description_en;
  DemoSchedule days;
  budgets::BallotType ballot_type;
  budgets::CountingRule rule;
  budgets::Scope scope = budgets::Scope::OwnDistrict;
  int minimum_age = 16;
  int min_choices = 1;
  int max_choices = 4;
  int points_total = 10;
  std::vector<std::pair<const char*, budgets::Amount>> amounts;  // unit slug → amount
  std::vector<DemoProject> projects;
  double turnout = 0;  // share of the census that votes (ballots are cast)
};

// The projects of the published 2025 budget (demo_budgets_2025.cpp).
std::vector<DemoProject> budget_2025_projects();

// In the order of their phases, from proposals open to implementation.
const std::vector<DemoProcess>& demo_budget_processes();

}  // namespace fabrique::cli
