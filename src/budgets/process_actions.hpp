// What staff do with a process itself: set it up, change it within the
// rules, open the next phase now. Each action checks the account's
// permission (ManageBudgets), validates (process_rules.hpp), then writes the
// change and its audit entry in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "accounts/model.hpp"
#include "budgets/model.hpp"
#include "budgets/process_rules.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

enum class ProcessOutcome {
  Done,
  InvalidForm,  // errors say why
  NotAllowed,   // the account may not manage budgets
  LastPhase,    // next phase: the process is in its last one
};

struct ProcessResult {
  ProcessOutcome outcome = ProcessOutcome::Done;
  FieldErrors errors;
  Process process;  // as saved (Done), or as far as the form allowed
};

// The city's districts, as the process form offers them.
std::vector<DistrictChoice> district_choices(store::Connection& db);

// A new process from the form; its address name (slug) must be new.
ProcessResult create_process(store::Connection& db, const accounts::Account& staff,
                             const ProcessForm& form);
// An edit of `before` at `now`, within what may still change (validate_edit).
ProcessResult edit_process(store::Connection& db, const accounts::Account& staff,
                           const Process& before, const ProcessForm& form, const std::string& now);
// Opens the phase after the current one at `now` (open_next_phase): Done
// with the process's new schedule, or LastPhase.
ProcessResult open_next_phase_now(store::Connection& db, const accounts::Account& staff,
                                  const Process& before, const std::string& now);

}  // namespace fabrique::budgets
