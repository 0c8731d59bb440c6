// Setting up a process: the form staff fill in, its validation, and what may
// still change once residents have taken part. Pure: no storage, no clock
// (callers pass `now`).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "budgets/model.hpp"

namespace fabrique::budgets {

// A district the city has, offered on the form.
struct DistrictChoice {
  std::int64_t id = 0;
  std::string slug;
  std::string name_fr;
  std::string name_en;
};

// What the form sends, raw. Dates are "YYYY-MM-DD" (the phase opens at
// 00:00 UTC that day) or a full ISO 8601 time kept from an earlier save.
struct ProcessForm {
  std::string slug;
  std::string title_fr, title_en;
  std::string description_fr, description_en;
  std::string total_amount;
  std::map<std::string, std::string> district_amounts;  // district slug → amount ("" = not part)
  std::string city_wide_amount;                         // "" = no city-wide budget
  std::string proposals_open, review_open, vote_open, vote_close, implementation_open;
  std::string scope;
  std::string minimum_age;
  std::string ballot_type;
  std::string min_choices, max_choices, points_total;
  std::string rule;
};

struct ProcessValidation {
  Process process;  // filled as far as the input allows
  FieldErrors errors;
};

// Validates a new process (the slug's uniqueness is the caller's check).
ProcessValidation validate_process(const ProcessForm& form,
                                   const std::vector<DistrictChoice>& districts);

// Validates an edit of `before` at `now`: the same checks, plus what may not
// change once a phase has begun. Once the vote has opened, the budgets, the
// ballot, the rule, who takes part and the vote's opening are fixed (ballots
// were cast under them); once it has closed, so is its closing.
ProcessValidation validate_edit(const Process& before, const ProcessForm& form,
                                const std::vector<DistrictChoice>& districts,
                                const std::string& now);

// The form as `process` fills it (to edit it).
ProcessForm form_of(const Process& process);

// The dates after "open the next phase now": the next boundary after `now`
// becomes `now` (later ones are kept, or moved to `now` when earlier).
// nullopt in the implementation phase (nothing comes next).
std::optional<Schedule> open_next_phase(const Schedule& schedule, const std::string& now);

// What opening `next` now does, for the page that asks staff to confirm it:
// what residents will and will no longer be able to do, and whether it can
// be undone (`after`: the schedule once it is open).
struct NextPhaseEffect {
  Text what;
  bool final = false;  // cannot be undone
};
NextPhaseEffect next_phase_effect(Phase next, const Schedule& after);

// A phase's date as staff type it, in the installation's time zone:
// "31/03/2027" or "2027-03-31" (midnight at the start of that day, or, for
// the vote's last day, at its end: the vote closes when that day is over),
// "31/03/2027 18:30" (that moment); the stored form (ISO 8601 UTC) is kept.
// → the stored form; nullopt for anything else.
std::optional<std::string> parse_phase_date(const std::string& text, bool last_day = false);
// The reverse, for the form: "31/03/2027" at local midnight (the day before
// for a last day), "31/03/2027 18:30" otherwise.
std::string typed_phase_date(const std::string& stored, bool last_day = false);

}  // namespace fabrique::budgets
