// The ballot itself, as pure decisions: reading what a voter ticked or typed
// into choices, checking them against the process's rules (with a message a
// voter understands for every refusal), the running budget meter, and the
// the ballot page's filters. No storage, no clock, no secret. (Files of
// paper ballots: paper_ballots.hpp.)
//
// The form's fields (one ballot; `prefix` lets a page hold several, one per
// budget, as the counter's does):
//   approval, knapsack   PREFIXproject=ID        once per chosen project
//   cumulative           PREFIXpoints_ID=N       N points (empty or 0: none)
//   ranked               PREFIXrank_ID=R         R = 1 for the favourite (empty: unranked)
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "budgets/model.hpp"

namespace fabrique::budgets {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// A problem with a ballot: the message, and the id of the form input it is
// about (what the error summary links to): "PREFIXchoices" for the ballot as
// a whole.
struct BallotError {
  std::string field;
  Text message;
};

// The input names and ids of a ballot form.
std::string choices_field(std::string_view prefix);  // the fieldset's id
std::string project_field(std::string_view prefix);  // approval, knapsack
std::string points_field(std::string_view prefix, std::int64_t project_id);
std::string rank_field(std::string_view prefix, std::int64_t project_id);
// The id of the input for one project (checkbox or number).
std::string input_id(std::string_view prefix, std::int64_t project_id);

// What a ballot form holds, read and checked.
struct BallotEntry {
  // What could be read: approval, knapsack and cumulative by project id,
  // ranked by rank. Only projects of `projects` that are candidates of the
  // unit, so that the meter counts what can be cast.
  std::vector<Choice> choices;
  // Project id → the value as the voter left it ("1" for a ticked box, the
  // points or rank as typed), to show the form again exactly.
  std::map<std::int64_t, std::string> entered;
  std::vector<BallotError> errors;  // empty: the ballot can be cast
};

// The projects on a unit's ballot: its feasible ones.
bool on_ballot(const Project& project, const Unit& unit);

// Reads the form's fields of one ballot and checks it against the rules.
BallotEntry check_ballot(const Process& process, const Unit& unit, const ProjectIndex& projects,
                         const FormFields& fields, std::string_view prefix = "");

// The project ids a ballot form names (whatever the ballot type), so that
// the caller can look them up before check_ballot(); at most kMaxBallotEntries.
std::vector<std::int64_t> projects_named(const FormFields& fields, std::string_view prefix = "");

// True when nothing was ticked or typed on this ballot (a budget the voter
// leaves aside at the counter).
bool left_blank(const BallotEntry& entry);

// Checks choices already read (a stored ballot, a paper ballot's line, what
// an action is asked to cast): every project on this unit's ballot, once;
// the number of choices, the total cost, the points, the ranks. Errors name
// the ballot as a whole (field "choices").
std::vector<BallotError> check_choices(const Process& process, const Unit& unit,
                                       const ProjectIndex& projects,
                                       const std::vector<Choice>& choices);

// What the voter is told about the ballot's rules ("Choose 1 to 5 projects").
Text ballot_instructions(const Process& process, const Unit& unit);

// The running budget meter of a ballot.
struct Meter {
  Amount total = 0;   // cost of the chosen projects on the ballot
  Amount amount = 0;  // the unit's budget
  Amount remaining = 0;
  Amount over_by = 0;
  int percent = 0;  // total / amount, rounded down (may exceed 100)
  bool over = false;
  std::int64_t chosen = 0;
  std::int64_t points_used = 0;  // cumulative ballots
  std::int64_t points_total = 0;
  std::int64_t points_left = 0;
};
Meter budget_meter(const Process& process, const Unit& unit, const ProjectIndex& projects,
                   const std::vector<Choice>& choices);

// The ballot page's filters: words of the title or description (ASCII
// letters compared without case) and a highest cost.
bool matches_filter(const Project& project, std::string_view search,
                    std::optional<Amount> max_cost);

// The entered value of a project on the form, from stored choices: "1" for
// approval and knapsack, the points, or the rank (position + 1).
std::map<std::int64_t, std::string> entered_of(BallotType type, const std::vector<Choice>& choices);

// A project number as a form or a file gives it ("12", " +12 "); nullopt
// when it is not a positive whole number.
std::optional<std::int64_t> parse_project_id(std::string_view text);

}  // namespace fabrique::budgets
