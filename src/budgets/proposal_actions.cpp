#include "budgets/proposal_actions.hpp"

#include <algorithm>

#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "budgets/proposal_repository.hpp"
#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "mail/mail.hpp"

namespace fabrique::budgets {

namespace {

using accounts::Account;
using accounts::Permission;

std::string project_url(const std::string& public_url, const Process& process,
                        std::int64_t project_id) {
  return public_url + "/budgets/" + process.slug + "/projects/" + std::to_string(project_id);
}

// Queues `mail` when the address can take it (accounts' addresses were
// checked at sign-up; an old odd one must not undo the action).
bool queue(store::Connection& db, const mail::Mail& message) {
  if (mail::check(message)) return false;
  mail::enqueue(db, message);
  return true;
}

// ---- Mails, in the recipient's language

mail::Mail review_mail(const Account& author, const Process& process, const Project& project,
                       const ReviewDecision& decision, const std::optional<Project>& target,
                       const std::string& public_url) {
  const bool fr = author.language == Lang::Fr;
  const Lang lang = author.language;
  const std::string url = project_url(public_url, process, project.id);
  std::string body = fr ? "Bonjour " + author.display_name + ",\n\nVotre projet «\u202f" +
                              project.title + "\u202f», proposé au budget participatif «\u202f" +
                              process.title_fr + "\u202f», a été analysé.\n\nDécision\u202f: "
                        : "Hello " + author.display_name + ",\n\nYour project “" + project.title +
                              "”, proposed to the participatory budget “" + process.title_en +
                              "”, has been reviewed.\n\nDecision: ";
  body += review_status_label(decision.status).in(lang) + "\n";
  if (decision.status == ReviewStatus::Feasible && decision.final_cost)
    body += (fr ? "Coût retenu\u202f: " : "Cost retained: ") +
            format_amount(*decision.final_cost, lang) + "\n";
  if (target)
    body += (fr ? "Fusionné avec\u202f: «\u202f" + target->title + "\u202f» "
                : "Merged with: “" + target->title + "” ") +
            project_url(public_url, process, target->id) + "\n";
  if (!decision.note.empty())
    body += (fr ? "\nExplication\u202f:\n" : "\nExplanation:\n") + decision.note + "\n";
  body += fr ? "\nVoir votre projet\u202f: " + url + "\n" : "\nSee your project: " + url + "\n";
  if (decision.status == ReviewStatus::Feasible)
    body += fr ? "\nIl sera soumis au vote à partir du " +
                     display_start(process.schedule.vote_open, Lang::Fr) + ".\n"
               : "\nIt will be put to the vote from " +
                     display_start(process.schedule.vote_open, Lang::En) + ".\n";
  return {author.email,
          fr ? "Votre projet «\u202f" + project.title + "\u202f»\u202f: analyse de faisabilité"
             : "Your project “" + project.title + "”: feasibility review",
          body};
}

mail::Mail update_mail(const Account& follower, const Process& process, const Project& project,
                       const ProjectUpdate& update, const std::string& public_url) {
  const bool fr = follower.language == Lang::Fr;
  const std::string url = project_url(public_url, process, project.id);
  const std::string body =
      fr ? "Bonjour " + follower.display_name + ",\n\nDu nouveau sur le projet «\u202f" +
               project.title + "\u202f» (" + process.title_fr + "), le " + update.posted_on +
               "\u202f:\n\n" + update.body_fr + "\n\nVoir le projet\u202f: " + url +
               "\n\nVous recevez ce message parce que vous suivez ce projet. Pour ne plus le "
               "suivre, ouvrez sa page et choisissez «\u202fNe plus suivre\u202f».\n"
         : "Hello " + follower.display_name + ",\n\nNews of the project “" + project.title + "” (" +
               process.title_en + "), on " + update.posted_on + ":\n\n" + update.body_en +
               "\n\nSee the project: " + url +
               "\n\nYou receive this message because you follow this project. To stop, open "
               "its page and choose “Unfollow”.\n";
  return {follower.email,
          fr ? "Du nouveau sur le projet «\u202f" + project.title + "\u202f»"
             : "News of the project “" + project.title + "”",
          body};
}

ActionResult refused(Outcome outcome, FieldErrors errors = {}) {
  ActionResult result;
  result.outcome = outcome;
  result.errors = std::move(errors);
  return result;
}

// The audit detail of a review: the decision, the status before, the cost
// or the project merged into.
std::string review_detail(const Project& before, const ReviewForm& form) {
  std::string detail =
      "decision=" + form.decision + "; before=" + std::string(review_status_name(before.status));
  if (form.decision == "feasible")
    detail += "; final_cost=" +
              (form.final_cost.empty() ? std::to_string(before.estimated_cost) : form.final_cost);
  if (form.decision == "merge") detail += "; into=" + form.merge_into;
  return detail;
}

ImageCheck image_of(const Submission& submission, FieldErrors& errors) {
  ImageCheck image;
  if (!submission.image.empty()) {
    image = check_image(submission.image);
    if (image.error) errors["image"] = *image.error;
  }
  return image;
}

}  // namespace

ActionResult submit_proposal(store::Connection& db, const Process& process, const Account& author,
                             const Submission& submission, const std::string& now) {
  if (!accounts::allows(author.role, Permission::SubmitProposals))
    return refused(Outcome::NotAllowed);
  if (!proposals_open(phase_at(process.schedule, now))) return refused(Outcome::NotOpen);
  if (needs_verification(author) && !author.verified()) return refused(Outcome::NotVerified);
  const auto units = proposal_units(process, author);
  if (units.empty()) return refused(Outcome::NoUnit);

  ProposalValidation validation = validate_proposal(process, submission.form, units);
  const ImageCheck image = image_of(submission, validation.errors);
  if (!validation.errors.empty())
    return refused(Outcome::InvalidForm, std::move(validation.errors));

  Project project = std::move(validation.project);
  project.author_id = author.id;
  ActionResult result;
  db.transaction([&](store::Connection& tx) {
    if (!image.content_type.empty())
      project.image_id = insert_image(tx, image.content_type, submission.image);
    result.project_id = insert_project(tx, project);
    // Authors hear of their project's implementation like anyone following it.
    set_following(tx, result.project_id, author.id, true);
    audit::record(tx, {.actor = author.id,
                       .action = "budget.proposal.submit",
                       .subject = std::to_string(result.project_id),
                       .detail = "process=" + process.slug + "; unit=" + submission.form.unit +
                                 "; image=" + (submission.image.empty() ? "no" : "yes")});
  });
  return result;
}

ActionResult edit_proposal(store::Connection& db, const Process& process, const Account& author,
                           std::int64_t project_id, const Submission& submission,
                           const std::string& now) {
  if (!accounts::allows(author.role, Permission::SubmitProposals))
    return refused(Outcome::NotAllowed);
  const auto before = find_project(db, process.id, project_id);
  if (!before) return refused(Outcome::NotFound);
  if (!proposals_open(phase_at(process.schedule, now))) return refused(Outcome::NotOpen);
  if (before->author_id != author.id) return refused(Outcome::NotAuthor);
  if (before->status != ReviewStatus::Submitted) return refused(Outcome::Reviewed);

  // The project's own unit stays allowed (the author's district may have
  // changed since: moving house does not take the proposal away).
  auto units = proposal_units(process, author);
  if (const Unit* own = process.unit(before->unit_id);
      own && std::find(units.begin(), units.end(), own) == units.end())
    units.push_back(own);
  ProposalValidation validation = validate_proposal(process, submission.form, units);
  const ImageCheck image = image_of(submission, validation.errors);
  if (!validation.errors.empty())
    return refused(Outcome::InvalidForm, std::move(validation.errors));

  Project& p = validation.project;
  p.id = project_id;
  ActionResult result;
  result.project_id = project_id;
  db.transaction([&](store::Connection& tx) {
    // 0 stands for "no image" (ids start at 1): a plain integer, which GCC's
    // optimiser does not mistake for uninitialised as it does an optional.
    std::int64_t kept = submission.remove_image ? 0 : before->image_id.value_or(0);
    if (!image.content_type.empty()) kept = insert_image(tx, image.content_type, submission.image);
    const std::optional<std::int64_t> image_id =
        kept == 0 ? std::nullopt : std::optional<std::int64_t>(kept);
    p.image_id = image_id;
    if (!update_unreviewed_project(tx, author.id, p, now_iso8601())) {
      result.outcome = Outcome::Reviewed;  // reviewed meanwhile
      if (image_id && image_id != before->image_id) delete_unused_image(tx, *image_id);
      return;
    }
    if (before->image_id && before->image_id != image_id)
      delete_unused_image(tx, *before->image_id);
    audit::record(tx, {.actor = author.id,
                       .action = "budget.proposal.edit",
                       .subject = std::to_string(project_id),
                       .detail = "process=" + process.slug + "; unit=" + submission.form.unit});
  });
  return result;
}

ActionResult review_project(store::Connection& db, const Process& process, const Account& reviewer,
                            std::int64_t project_id, const ReviewForm& form,
                            const std::string& public_url, const std::string& now) {
  if (!accounts::allows(reviewer.role, Permission::ReviewProposals))
    return refused(Outcome::NotAllowed);
  const auto project = find_project(db, process.id, project_id);
  if (!project) return refused(Outcome::NotFound);
  if (!reviewable(phase_at(process.schedule, now))) return refused(Outcome::NotOpen);

  ProjectFilter same_unit;
  same_unit.unit_id = project->unit_id;
  const auto targets = merge_targets(*project, list_projects(db, process.id, same_unit));
  ReviewValidation validation = validate_review(process, *project, targets, form);
  if (!validation.errors.empty())
    return refused(Outcome::InvalidForm, std::move(validation.errors));

  const ReviewDecision& d = validation.decision;
  ActionResult result;
  result.project_id = project_id;
  db.transaction([&](store::Connection& tx) {
    record_review(tx, project_id, d, reviewer.id, now_iso8601());
    audit::record(tx, {.actor = reviewer.id,
                       .action = "budget.review",
                       .subject = std::to_string(project_id),
                       .detail = review_detail(*project, form)});
    if (!project->author_id) return;
    const auto author = accounts::find_account(tx, *project->author_id);
    if (!author) return;
    std::optional<Project> target;
    if (d.merged_into) target = find_project(tx, process.id, *d.merged_into);
    if (queue(tx, review_mail(*author, process, *project, d, target, public_url))) result.mails = 1;
  });
  return result;
}

ActionResult follow_project(store::Connection& db, const Process& process, const Account& account,
                            std::int64_t project_id, bool follow) {
  if (!accounts::allows(account.role, Permission::UseAccount)) return refused(Outcome::NotAllowed);
  if (!find_project(db, process.id, project_id)) return refused(Outcome::NotFound);
  ActionResult result;
  result.project_id = project_id;
  set_following(db, project_id, account.id, follow);
  return result;
}

ActionResult update_tracking(store::Connection& db, const Process& process, const Account& staff,
                             std::int64_t project_id, const TrackingForm& form) {
  if (!accounts::allows(staff.role, Permission::ManageBudgets)) return refused(Outcome::NotAllowed);
  const auto project = find_project(db, process.id, project_id);
  if (!project) return refused(Outcome::NotFound);
  if (!funded(*project)) return refused(Outcome::NotFunded);
  TrackingValidation validation = validate_tracking(form);
  if (!validation.errors.empty())
    return refused(Outcome::InvalidForm, std::move(validation.errors));
  ActionResult result;
  result.project_id = project_id;
  db.transaction([&](store::Connection& tx) {
    update_implementation(tx, project_id, validation.status, validation.progress, validation.spent,
                          now_iso8601());
    audit::record(tx, {.actor = staff.id,
                       .action = "budget.tracking",
                       .subject = std::to_string(project_id),
                       .detail = "status=" + form.status + "; progress=" + form.progress +
                                 "; spent=" + form.spent});
  });
  return result;
}

ActionResult post_update(store::Connection& db, const Process& process, const Account& staff,
                         std::int64_t project_id, const UpdateForm& form,
                         const std::string& public_url, const std::string& now) {
  if (!accounts::allows(staff.role, Permission::ManageBudgets)) return refused(Outcome::NotAllowed);
  const auto project = find_project(db, process.id, project_id);
  if (!project) return refused(Outcome::NotFound);
  if (!funded(*project)) return refused(Outcome::NotFunded);
  UpdateValidation validation = validate_update(form, now.substr(0, 10));
  if (!validation.errors.empty())
    return refused(Outcome::InvalidForm, std::move(validation.errors));
  ProjectUpdate& update = validation.update;
  update.project_id = project_id;
  ActionResult result;
  result.project_id = project_id;
  db.transaction([&](store::Connection& tx) {
    update.id = insert_update(tx, update, staff.id);
    for (const Account& follower : followers(tx, project_id))
      if (queue(tx, update_mail(follower, process, *project, update, public_url))) ++result.mails;
    audit::record(tx, {.actor = staff.id,
                       .action = "budget.tracking",
                       .subject = std::to_string(project_id),
                       .detail = "update; followers_mailed=" + std::to_string(result.mails)});
  });
  return result;
}

}  // namespace fabrique::budgets
