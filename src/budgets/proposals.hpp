// Proposals, their feasibility review and the implementation tracking of
// funded projects.
//
// The first half is pure (forms → values or field errors; who may do what in
// which phase); the second half is one action per intent, each in its own
// transaction (nested in the caller's when there is one: routes wrap an
// action and its audit line in one transaction).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/model.hpp"
#include "budgets/model.hpp"
#include "store/store.hpp"

namespace fabrique::budgets {

// ---- Limits (characters are Unicode code points)
inline constexpr std::size_t kTitleMin = 5;
inline constexpr std::size_t kTitleMax = 120;
inline constexpr std::size_t kDescriptionMin = 20;
inline constexpr std::size_t kDescriptionMax = 5000;
inline constexpr std::size_t kLocationMax = 200;
inline constexpr std::size_t kReviewNoteMin = 10;
inline constexpr std::size_t kReviewNoteMax = 2000;
inline constexpr std::size_t kUpdateBodyMax = 5000;
// Request bodies are capped at 1 MiB; an image's base64 form, the other
// fields and the multipart framing must fit in it.
inline constexpr std::size_t kImageMaxBytes = 700 * 1024;

// Code points of valid UTF-8 text.
std::size_t text_length(std::string_view text);

// ---- Who may propose where

// The units `account` may propose in: every unit for an organisation; for a
// person, their district's unit and the city-wide one (when the process has
// them). Empty for anyone else.
std::vector<const Unit*> proposal_units(const Process& process, const accounts::Account& account);

// People (residents, elected) prove where they live before proposing;
// organisations do not have a residency.
bool needs_verification(const accounts::Account& account);

// ---- The proposal form

struct ProposalForm {
  std::string unit;  // the unit's slug
  std::string title;
  std::string description;
  std::string estimated_cost;
  std::string location;
};

struct ProposalValidation {
  Project project;  // unit_id, title, description, estimated_cost, location (trimmed)
  FieldErrors errors;
};

// Checks the form against the process and the units the author may use.
ProposalValidation validate_proposal(const Process& process, const ProposalForm& form,
                                     const std::vector<const Unit*>& allowed_units);

ProposalForm proposal_form_of(const Project& project, const Process& process);

// ---- Images

// "image/png", "image/jpeg" or "image/webp" by the file's first bytes (what
// the file is, whatever its name or declared type says); nullopt otherwise.
std::optional<std::string> sniff_image_type(std::string_view bytes);

struct ImageCheck {
  std::string content_type;  // empty when refused
  std::optional<Text> error;
};
// An uploaded image: a PNG, JPEG or WebP of at most kImageMaxBytes.
ImageCheck check_image(std::string_view bytes);

struct StoredImage {
  std::string content_type;
  std::string bytes;
};
std::int64_t insert_image(store::Connection& db, const std::string& content_type,
                          std::string_view bytes);
std::optional<StoredImage> find_image(store::Connection& db, std::int64_t id);

// ---- Editing rules

// Proposals are taken, and edited, during the proposals phase only.
bool proposals_open(Phase phase);
// The author edits a project during the proposals phase, until it is reviewed.
bool editable(Phase phase, const Project& project);
// Reviews are written, and changed, until the vote opens (ballots list the
// feasible projects at their final cost).
bool reviewable(Phase phase);

// ---- The review form

struct ReviewForm {
  std::string decision;  // "feasible", "infeasible", "merge"
  std::string final_cost;
  std::string note;  // the public explanation
  std::string merge_into;
};

struct ReviewDecision {
  ReviewStatus status = ReviewStatus::Submitted;
  std::optional<Amount> final_cost;
  std::string note;
  std::optional<std::int64_t> merged_into;
};

struct ReviewValidation {
  ReviewDecision decision;
  FieldErrors errors;
};

// The projects `project` may be merged into: the others of its unit that
// are not merged themselves.
std::vector<Project> merge_targets(const Project& project, const std::vector<Project>& projects);

ReviewValidation validate_review(const Process& process, const Project& project,
                                 const std::vector<Project>& targets, const ReviewForm& form);

ReviewForm review_form_of(const Project& project);

// ---- Implementation tracking

struct TrackingForm {
  std::string status;
  std::string progress;
  std::string spent;
};

struct TrackingValidation {
  ImplementationStatus status = ImplementationStatus::Planned;
  int progress = 0;
  std::optional<Amount> spent;
  FieldErrors errors;
};

TrackingValidation validate_tracking(const TrackingForm& form);

struct UpdateForm {
  std::string posted_on;  // YYYY-MM-DD, empty for today
  std::string body_fr;
  std::string body_en;
};

struct UpdateValidation {
  ProjectUpdate update;
  FieldErrors errors;
};

// `today` is YYYY-MM-DD: an update is not dated in the future.
UpdateValidation validate_update(const UpdateForm& form, const std::string& today);

// A funded project: the results set its implementation status.
inline bool funded(const Project& project) { return project.implementation.has_value(); }

// ---- Storage beyond repository.hpp

std::vector<ProjectUpdate> list_updates(store::Connection& db, std::int64_t project_id);
bool is_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id);
std::int64_t count_followers(store::Connection& db, std::int64_t project_id);
// The projects merged into `project_id`.
std::vector<Project> merged_into(store::Connection& db, const Process& process,
                                 std::int64_t project_id);

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

// Follows (or stops following) a project; idempotent.
void set_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id,
                   bool follow);

ActionResult update_tracking(store::Connection& db, const Process& process,
                             const accounts::Account& staff, std::int64_t project_id,
                             const TrackingForm& form);
// Posts a dated public update and mails every follower, each in their language.
ActionResult post_update(store::Connection& db, const Process& process,
                         const accounts::Account& staff, std::int64_t project_id,
                         const UpdateForm& form, const std::string& public_url,
                         const std::string& now);

}  // namespace fabrique::budgets
