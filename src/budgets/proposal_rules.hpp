// Proposals, their feasibility review and the implementation tracking of
// funded projects, as pure decisions: forms → values or field errors; who
// may do what in which phase. No storage, no clock (callers pass `today`).
// The actions are in proposal_actions.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/model.hpp"
#include "budgets/model.hpp"

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

}  // namespace fabrique::budgets
