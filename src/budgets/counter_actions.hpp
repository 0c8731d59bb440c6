// At the town hall counter: a clerk finds a person on the census from their
// identity document, then enters their paper ballot or helps them vote; or
// uploads a file of paper ballots. Each action checks the clerk's permission
// (EnterCounterBallots) and is on record in the audit log, refusals too
// (never the choices). The rules of one person, one ballot are those of
// voting_actions.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/model.hpp"
#include "budgets/model.hpp"
#include "budgets/voting_actions.hpp"
#include "core/crypto.hpp"
#include "residency/model.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// ---- One person at the counter

struct CounterLookup {
  VoterLookup who;
  bool allowed = true;  // false: the clerk's account may not enter counter ballots
};
// The person a clerk looks up on the census from their identity document.
// Every lookup that reaches the census is on record (budget.counter.lookup),
// found or not.
CounterLookup identify_at_counter(store::Connection& db, const crypto::Key& census_key,
                                  const accounts::Account& clerk, const Process& process,
                                  const residency::IdentityForm& form,
                                  std::chrono::year_month_day today);

// A clerk's entry of one person's ballots (one per unit, at least one): on
// paper, or the person voting with the clerk's help. Refused when the clerk
// may not enter counter ballots, and when the person is on the roll already,
// by any channel. Audited (never the choices), as are refusals.
CastResult cast_at_counter(store::Connection& db, const crypto::Key& ballot_key,
                           const Process& process, const Voter& voter, Channel channel,
                           std::int64_t clerk_id, const std::vector<UnitBallot>& ballots,
                           std::string_view now);

// ---- Paper ballots in bulk

struct PaperImportOptions {
  // false: a file with any bad line enters nothing (all or nothing).
  // true: the good lines are entered, the bad ones reported and skipped.
  bool skip_bad_lines = false;
  std::optional<std::chrono::year_month_day> today;  // default: today_utc()
  std::size_t max_errors = residency::kMaxStoredErrors;
};

struct PaperImportReport {
  std::optional<Text> refusal;              // the file as a whole, or the phase
  std::int64_t lines = 0;                   // data lines
  std::int64_t entered = 0;                 // ballots entered
  std::int64_t people = 0;                  // people put on the roll
  std::vector<residency::RowError> errors;  // the first max_errors bad lines
  std::int64_t error_count = 0;
};

// Refused when the clerk may not enter counter ballots. Checks every line (identity on the census,
// eligibility, projects, not on the roll yet, not twice in the file for one budget), then enters
// the good ones in one transaction (none when a line is bad, unless skip_bad_lines). A person may
// have one line per budget they vote in.
PaperImportReport import_paper_ballots(store::Connection& db, const crypto::Key& ballot_key,
                                       const crypto::Key& census_key, const Process& process,
                                       std::int64_t clerk_id, std::string_view csv,
                                       const PaperImportOptions& options, std::string_view now);

}  // namespace fabrique::budgets
