// What people do with proposals: residents and organisations propose and
// edit projects, reviewers decide their feasibility, anyone signed in follows
// them, staff track the funded ones. Each action checks the account's
// permission (accounts::allows) and its situation, validates the form
// (proposal_rules.hpp), then does the change, its audit entry and its mails
// in one transaction (nested in the caller's when there is one).
#pragma once

#include <cstdint>
#include <string>

#include "accounts/model.hpp"
#include "budgets/model.hpp"
#include "budgets/proposal_rules.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// ---- Actions

enum class Outcome {
  Done,
  InvalidForm,  // errors say why
  NotOpen,      // not in a phase that allows it
  NotVerified,  // a person whose residency is not verified
  NoUnit,       // no unit of the process the person may propose in
  NotAuthor,    // someone else's project
  Reviewed,     // already reviewed: no longer editable
  NotFunded,    // tracking a project that was not funded
  NotAllowed,   // the account's role does not allow it
  NotFound,     // no such project in the process
};

struct ActionResult {
  Outcome outcome = Outcome::Done;
  FieldErrors errors;
  std::int64_t project_id = 0;
  int mails = 0;  // queued in the action's transaction
};

// What an author sends: the form and an optional image (empty: none).
struct Submission {
  ProposalForm form;
  std::string image;
  bool remove_image = false;  // editing: drop the current image
};

// `now` is ISO 8601 UTC (now_iso8601() in production).
ActionResult submit_proposal(store::Connection& db, const Process& process,
                             const accounts::Account& author, const Submission& submission,
                             const std::string& now);
ActionResult edit_proposal(store::Connection& db, const Process& process,
                           const accounts::Account& author, std::int64_t project_id,
                           const Submission& submission, const std::string& now);

// Records the decision and queues the author's mail (in their language,
// with links under `public_url`).
ActionResult review_project(store::Connection& db, const Process& process,
                            const accounts::Account& reviewer, std::int64_t project_id,
                            const ReviewForm& form, const std::string& public_url,
                            const std::string& now);

// Follows (or stops following) a project; idempotent. Anyone with an
// account (UseAccount); NotFound when the process has no such project.
ActionResult follow_project(store::Connection& db, const Process& process,
                            const accounts::Account& account, std::int64_t project_id, bool follow);

ActionResult update_tracking(store::Connection& db, const Process& process,
                             const accounts::Account& staff, std::int64_t project_id,
                             const TrackingForm& form);
// Posts a dated public update and mails every follower, each in their language.
ActionResult post_update(store::Connection& db, const Process& process,
                         const accounts::Account& staff, std::int64_t project_id,
                         const UpdateForm& form, const std::string& public_url,
                         const std::string& now);

}  // namespace fabrique::budgets
