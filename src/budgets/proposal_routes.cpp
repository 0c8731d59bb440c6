// Proposals, their review, the project pages and the implementation tracking
// (route, permission, purpose):
//   GET/POST /budgets/{slug}/propose                  SubmitProposals  propose a project
//   GET      /budgets/{slug}/projects/{id}            Browse           a project's page
//   GET/POST /budgets/{slug}/projects/{id}/edit       SubmitProposals  the author edits it
//   POST     /budgets/{slug}/projects/{id}/follow     UseAccount       follow or unfollow
//   GET      /budgets/images/{id}                     Browse           a project's image
//   GET      /admin/budgets/{slug}/review             ReviewProposals  the proposals to review
//   GET/POST /admin/budgets/{slug}/projects/{id}/review    ReviewProposals  review one
//   GET/POST /admin/budgets/{slug}/projects/{id}/tracking  ManageBudgets    track a funded one
#include <algorithm>
#include <boost/json.hpp>

#include "budgets/pages.hpp"
#include "budgets/proposal_actions.hpp"
#include "budgets/proposal_repository.hpp"
#include "budgets/repository.hpp"
#include "budgets/routes.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "web/view.hpp"

namespace fabrique::budgets {

namespace json = boost::json;
using accounts::Permission;
using web::Context;

namespace {

std::string project_path(const Process& process, std::int64_t id) {
  return "/budgets/" + process.slug + "/projects/" + std::to_string(id);
}

std::string admin_project_path(const Process& process, std::int64_t id) {
  return "/admin/budgets/" + process.slug + "/projects/" + std::to_string(id);
}

void add_errors(json::object& view, const FieldErrors& errors, Lang lang) {
  web::add_errors(view, errors, lang);
  view["has_errors"] = !errors.empty();
}

// The project of the URL's {id} in `process`.
std::optional<Project> project_of(Context& ctx, const Process& process) {
  const auto id = parse_id(ctx.request.param("id"));
  if (!id) return std::nullopt;
  return find_project(ctx.db, process.id, *id);
}

// The options of a <select>, the chosen one marked.
json::array options(const std::vector<std::pair<std::string, std::string>>& choices,
                    const std::string& chosen) {
  json::array out;
  for (const auto& [value, label] : choices)
    out.push_back(json::object{{"value", value}, {"label", label}, {"selected", value == chosen}});
  return out;
}

json::object limits() {
  return {{"title_min", kTitleMin},
          {"title_max", kTitleMax},
          {"description_min", kDescriptionMin},
          {"description_max", kDescriptionMax},
          {"location_max", kLocationMax},
          {"note_min", kReviewNoteMin},
          {"note_max", kReviewNoteMax}};
}

// ---- Proposing and editing

Submission read_submission(const web::Form& form) {
  Submission s;
  s.form = {form.get("unit"), form.get("title"), form.get("description"),
            form.get("estimated_cost"), form.get("location")};
  if (const web::UploadedFile* image = form.file("image")) s.image = image->content;
  s.remove_image = form.get("remove_image") == "1";
  return s;
}

// Why a person cannot propose in this process now, if they cannot: the
// page then explains instead of showing the form.
json::object situation(Context& ctx, const Process& process) {
  const accounts::Account& me = *ctx.viewer.account;
  const Phase phase = current_phase(process);
  json::object out{{"proposals_open", display_start(process.schedule.proposals_open, ctx.lang)},
                   {"proposals_close", display_deadline(process.schedule.review_open, ctx.lang)}};
  if (phase == Phase::Upcoming)
    out["not_yet"] = true;
  else if (!proposals_open(phase))
    out["closed"] = true;
  else if (needs_verification(me) && !me.verified())
    out["unverified"] = true;
  else if (proposal_units(process, me).empty())
    out["no_unit"] = true;
  else
    out["open"] = true;
  return out;
}

http::Response proposal_page(Context& ctx, const Process& process, const Submission& submission,
                             const FieldErrors& errors, const std::optional<Project>& editing,
                             int status) {
  auto units = proposal_units(process, *ctx.viewer.account);
  if (editing)
    if (const Unit* own = process.unit(editing->unit_id);
        own && std::find(units.begin(), units.end(), own) == units.end())
      units.push_back(own);
  std::vector<std::pair<std::string, std::string>> choices;
  for (const Unit* unit : units)
    choices.emplace_back(unit->slug,
                         unit->name(ctx.lang) + " (" + format_amount(unit->amount, ctx.lang) + ")");
  // One budget only: chosen already.
  const std::string chosen = submission.form.unit.empty() && units.size() == 1
                                 ? units.front()->slug
                                 : submission.form.unit;
  json::object view{{"csrf", ctx.csrf()},
                    {"process", process_view(process, ctx.lang)},
                    {"situation", situation(ctx, process)},
                    {"units", options(choices, chosen)},
                    {"several_units", units.size() > 1},
                    {"title", submission.form.title},
                    {"description", submission.form.description},
                    {"estimated_cost", submission.form.estimated_cost},
                    {"location", submission.form.location},
                    {"limits", limits()},
                    {"editing", editing.has_value()},
                    {"action", editing ? project_path(process, editing->id) + "/edit"
                                       : "/budgets/" + process.slug + "/propose"}};
  if (editing) {
    // The edit routes checked the phase and the author: the form shows.
    view["situation"] =
        json::object{{"open", true},
                     {"proposals_close", display_deadline(process.schedule.review_open, ctx.lang)}};
    view["project_url"] = project_path(process, editing->id);
    if (editing->image_id)
      view["image_url"] = "/budgets/images/" + std::to_string(*editing->image_id);
  }
  add_errors(view, errors, ctx.lang);
  const Text title = editing ? Text{"Edit my project", "Modifier mon projet"}
                             : Text{"Propose a project", "Proposer un projet"};
  return ctx.page("budgets/propose", std::move(view), title, status);
}

// The page for an outcome that is not a form error.
http::Response refusal(Context& ctx, const Process& process, Outcome outcome) {
  switch (outcome) {
    case Outcome::NotOpen: {
      const Text from = display_start(process.schedule.proposals_open);
      const Text to = display_deadline(process.schedule.review_open);
      return ctx.error(
          409, {"Proposals are taken, and edited, only from " + from.en + " to " + to.en + ".",
                "Les propositions se déposent et se modifient seulement du " + from.fr + " au " +
                    to.fr + "."});
    }
    case Outcome::NotVerified:
      return ctx.error(422, {"Verify your residency first (My account → Verify my residency): "
                             "then you may propose projects.",
                             "Vérifiez d'abord votre résidence (Mon compte → Vérifier ma "
                             "résidence)\u202f: vous pourrez alors proposer des projets."});
    case Outcome::NoUnit:
      return ctx.error(422, {"Your district takes no part in this participatory budget.",
                             "Votre quartier ne participe pas à ce budget participatif."});
    case Outcome::NotAuthor:
      return ctx.error(403, {"Only the author of a project may edit it.",
                             "Seul l'auteur d'un projet peut le modifier."});
    case Outcome::Reviewed:
      return ctx.error(409, {"This project has been reviewed: it can no longer be edited.",
                             "Ce projet a été analysé\u202f: il ne peut plus être modifié."});
    case Outcome::NotFunded:
      return ctx.error(409, {"Only funded projects have their implementation tracked.",
                             "Seuls les projets financés ont un suivi de réalisation."});
    case Outcome::NotFound:
      return project_not_found(ctx);
    case Outcome::NotAllowed:
    case Outcome::Done:
    case Outcome::InvalidForm:
      break;
  }
  return not_allowed(ctx);
}

http::Response propose_get(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  return proposal_page(ctx, *process, {}, {}, std::nullopt, 200);
}

http::Response propose_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const Submission submission = read_submission(ctx.form);
  const ActionResult result =
      submit_proposal(ctx.db, *process, *ctx.viewer.account, submission, now_iso8601());
  switch (result.outcome) {
    case Outcome::Done:
      ctx.flash(
          {"Your project is submitted. Staff will review its feasibility; you will "
           "receive an e-mail with their decision.",
           "Votre projet est déposé. Les services vont analyser sa faisabilité\u202f; vous "
           "recevrez un e-mail avec leur décision."});
      return ctx.redirect(project_path(*process, result.project_id));
    case Outcome::InvalidForm:
      return proposal_page(ctx, *process, submission, result.errors, std::nullopt, 422);
    case Outcome::NotOpen:
    case Outcome::NotVerified:
    case Outcome::NoUnit:
      // The page explains the situation (with a way out when there is one).
      return proposal_page(ctx, *process, submission, {}, std::nullopt,
                           result.outcome == Outcome::NotOpen ? 409 : 422);
    default:
      return refusal(ctx, *process, result.outcome);
  }
}

// Why the viewer cannot edit `project` now, or nullopt when they can.
std::optional<Outcome> edit_refusal(Context& ctx, const Process& process, const Project& project) {
  if (!proposals_open(current_phase(process))) return Outcome::NotOpen;
  if (project.author_id != ctx.viewer.account->id) return Outcome::NotAuthor;
  if (project.status != ReviewStatus::Submitted) return Outcome::Reviewed;
  return std::nullopt;
}

http::Response edit_get(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  if (const auto why = edit_refusal(ctx, *process, *project)) return refusal(ctx, *process, *why);
  Submission submission;
  submission.form = proposal_form_of(*project, *process);
  return proposal_page(ctx, *process, submission, {}, project, 200);
}

http::Response edit_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  const Submission submission = read_submission(ctx.form);
  const ActionResult result =
      edit_proposal(ctx.db, *process, *ctx.viewer.account, project->id, submission, now_iso8601());
  if (result.outcome == Outcome::Done) {
    ctx.flash({"Your changes are saved.", "Vos modifications sont enregistrées."});
    return ctx.redirect(project_path(*process, project->id));
  }
  if (result.outcome == Outcome::InvalidForm)
    return proposal_page(ctx, *process, submission, result.errors, project, 422);
  return refusal(ctx, *process, result.outcome);
}

// ---- The project page

// A text typed with line breaks, as the paragraphs (non-empty lines) it shows as.
json::array paragraphs(const std::string& text) {
  json::array out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(json::string(line));
    start = end + 1;
  }
  return out;
}

json::object project_page_view(Context& ctx, const Process& process, const Project& project) {
  const Lang lang = ctx.lang;
  json::object p = project_view(process, project, lang);
  p["paragraphs"] = paragraphs(project.description);
  p["note_paragraphs"] = paragraphs(project.review_note);
  p["has_location"] = !project.location.empty();
  p["reviewed"] = project.status != ReviewStatus::Submitted;
  p["has_author"] = !project.author_name.empty();
  p["final_cost_text"] = format_amount(project.cost(), lang);
  p["has_final_cost"] = project.status == ReviewStatus::Feasible && project.final_cost.has_value();
  p["funded"] = funded(project);
  if (project.merged_into)
    if (const auto target = find_project(ctx.db, process.id, *project.merged_into))
      p["merged_into_title"] = target->title;
  json::array merged_here;
  for (const Project& other : merged_into(ctx.db, process, project.id))
    merged_here.push_back(
        json::object{{"title", other.title}, {"url", project_path(process, other.id)}});
  p["has_merged_here"] = !merged_here.empty();
  p["merged_here"] = std::move(merged_here);
  json::array updates;
  for (const ProjectUpdate& u : list_updates(ctx.db, project.id)) {
    json::object item{{"body", u.body(lang)}, {"paragraphs", paragraphs(u.body(lang))}};
    web::add_time(item, "posted_on", u.posted_on, lang, web::TimeReading::Date);
    updates.push_back(std::move(item));
  }
  p["has_updates"] = !updates.empty();
  p["updates"] = std::move(updates);
  const std::int64_t followers = count_followers(ctx.db, project.id);
  p["followers"] = followers;
  p["followers_text"] =
      count_of(followers, lang, {"person follows this project", "people follow this project"},
               {"personne suit ce projet", "personnes suivent ce projet"});
  return p;
}

http::Response project_page(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  const Phase phase = current_phase(*process);
  json::object view{{"process", process_view(*process, ctx.lang)},
                    {"project", project_page_view(ctx, *process, *project)},
                    {"signed_in", ctx.viewer.signed_in()},
                    {"sign_in_url", "/sign-in?next=" + project_path(*process, project->id)}};
  if (ctx.viewer.signed_in()) {
    const std::int64_t me = ctx.viewer.account->id;
    view["following"] = is_following(ctx.db, project->id, me);
    view["can_edit"] = project->author_id == me && editable(phase, *project) &&
                       ctx.viewer.can(Permission::SubmitProposals);
  }
  if (ctx.viewer.can(Permission::ReviewProposals))
    view["review_url"] = admin_project_path(*process, project->id) + "/review";
  if (ctx.viewer.can(Permission::ManageBudgets) && funded(*project))
    view["tracking_url"] = admin_project_path(*process, project->id) + "/tracking";
  return ctx.page("budgets/project", std::move(view), {project->title, project->title});
}

http::Response follow_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  const bool follow = ctx.form.get("follow") == "1";
  const ActionResult result =
      follow_project(ctx.db, *process, *ctx.viewer.account, project->id, follow);
  if (result.outcome != Outcome::Done) return refusal(ctx, *process, result.outcome);
  ctx.flash(follow
                ? Text{"You follow this project: each public update will reach you by e-mail.",
                       "Vous suivez ce projet\u202f: chaque nouvelle publiée vous parviendra par "
                       "e-mail."}
                : Text{"You no longer follow this project.", "Vous ne suivez plus ce projet."});
  return ctx.redirect(project_path(*process, project->id));
}

http::Response image_get(Context& ctx) {
  const auto id = parse_id(ctx.request.param("id"));
  const auto image = id ? find_image(ctx.db, *id) : std::nullopt;
  if (!image) return ctx.error(404, {"There is no such image.", "Cette image n'existe pas."});
  http::Response response;
  response.content_type = image->content_type;
  response.body = image->bytes;
  // An image never changes under its id (an edit stores a new one).
  response.headers.emplace_back("Cache-Control", "public, max-age=86400");
  return response;
}

// ---- Review

// The review list's status filter: any, or one status.
json::array status_filter(const std::string& chosen, Lang lang) {
  json::array out{json::object{
      {"value", ""}, {"label", Text{"Any", "Tous"}.in(lang)}, {"selected", chosen.empty()}}};
  for (ReviewStatus s : {ReviewStatus::Submitted, ReviewStatus::Feasible, ReviewStatus::Infeasible,
                         ReviewStatus::Merged})
    out.push_back(json::object{{"value", review_status_name(s)},
                               {"label", review_status_label(s).in(lang)},
                               {"selected", review_status_name(s) == chosen}});
  return out;
}

http::Response review_list(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  ProjectFilter filter;
  const std::string status = ctx.query.get("status");
  if (const auto s = parse_review_status(status)) filter.statuses = {*s};
  const std::string district = ctx.query.get("district");
  if (const Unit* unit = process->unit_by_slug(district)) filter.unit_id = unit->id;
  json::array rows;
  for (const Project& p : list_projects(ctx.db, process->id, filter)) {
    json::object row = project_view(*process, p, ctx.lang);
    row["review_url"] = admin_project_path(*process, p.id) + "/review";
    rows.push_back(std::move(row));
  }
  std::vector<std::pair<std::string, std::string>> units{{"", Text{"All", "Tous"}.in(ctx.lang)}};
  for (const Unit& unit : process->units) units.emplace_back(unit.slug, unit.name(ctx.lang));
  json::array counts;
  for (ReviewStatus s : {ReviewStatus::Submitted, ReviewStatus::Feasible, ReviewStatus::Infeasible,
                         ReviewStatus::Merged})
    counts.push_back(json::object{{"label", review_status_label(s).in(ctx.lang)},
                                  {"count", count_projects(ctx.db, process->id, s)}});
  const Phase phase = current_phase(*process);
  json::object view{{"process", process_view(*process, ctx.lang)},
                    {"projects", std::move(rows)},
                    {"statuses", status_filter(status, ctx.lang)},
                    {"units", options(units, district)},
                    {"counts", std::move(counts)},
                    {"reviewable", reviewable(phase)}};
  view["has_projects"] = !view["projects"].as_array().empty();
  return ctx.page("budgets/review_list", std::move(view),
                  {"Feasibility review: " + process->title_en,
                   "Analyse de faisabilité\u202f: " + process->title_fr});
}

http::Response review_page(Context& ctx, const Process& process, const Project& project,
                           const ReviewForm& form, const FieldErrors& errors, int status) {
  ProjectFilter same_unit;
  same_unit.unit_id = project.unit_id;
  std::vector<std::pair<std::string, std::string>> targets{
      {"", Text{"Choose a project", "Choisissez un projet"}.in(ctx.lang)}};
  for (const Project& t : merge_targets(project, list_projects(ctx.db, process.id, same_unit)))
    targets.emplace_back(std::to_string(t.id), "#" + std::to_string(t.id) + " " + t.title);
  json::object view{{"csrf", ctx.csrf()},
                    {"process", process_view(process, ctx.lang)},
                    {"project", project_page_view(ctx, process, project)},
                    {"reviewable", reviewable(current_phase(process))},
                    {"action", admin_project_path(process, project.id) + "/review"},
                    {"list_url", "/admin/budgets/" + process.slug + "/review"},
                    {"feasible", form.decision == "feasible"},
                    {"infeasible", form.decision == "infeasible"},
                    {"merge", form.decision == "merge"},
                    {"final_cost", form.final_cost},
                    {"note", form.note},
                    {"targets", options(targets, form.merge_into)},
                    {"has_targets", targets.size() > 1},
                    {"limits", limits()}};
  add_errors(view, errors, ctx.lang);
  return ctx.page("budgets/review", std::move(view),
                  {"Review: " + project.title, "Analyse\u202f: " + project.title}, status);
}

http::Response review_get(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  return review_page(ctx, *process, *project, review_form_of(*project), {}, 200);
}

http::Response review_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  const ReviewForm form{ctx.form.get("decision"), ctx.form.get("final_cost"), ctx.form.get("note"),
                        ctx.form.get("merge_into")};
  const ActionResult result = review_project(ctx.db, *process, *ctx.viewer.account, project->id,
                                             form, ctx.app.config.public_url, now_iso8601());
  if (result.mails > 0) ctx.app.mail_queued();
  switch (result.outcome) {
    case Outcome::Done:
      ctx.flash(result.mails > 0
                    ? Text{"The review is saved and the author is notified by e-mail.",
                           "L'analyse est enregistrée et l'auteur est prévenu par e-mail."}
                    : Text{"The review is saved.", "L'analyse est enregistrée."});
      return ctx.redirect("/admin/budgets/" + process->slug + "/review");
    case Outcome::InvalidForm:
      return review_page(ctx, *process, *project, form, result.errors, 422);
    case Outcome::NotOpen:
      if (current_phase(*process) == Phase::Upcoming)
        return ctx.error(
            409, {"Proposals open on " + display_start(process->schedule.proposals_open, Lang::En) +
                      ": there is nothing to review yet.",
                  "Les propositions ouvrent le " +
                      display_start(process->schedule.proposals_open, Lang::Fr) +
                      "\u202f: il n'y a encore rien à analyser."});
      return ctx.error(
          409,
          {"The vote opened on " + display_start(process->schedule.vote_open, Lang::En) +
               ": reviews can no longer change, since ballots depend on them.",
           "Le vote est ouvert depuis le " + display_start(process->schedule.vote_open, Lang::Fr) +
               "\u202f: les analyses ne peuvent plus changer, les bulletins en "
               "dépendent."});
    default:
      return refusal(ctx, *process, result.outcome);
  }
}

// ---- Implementation tracking

http::Response tracking_page(Context& ctx, const Process& process, const Project& project,
                             const TrackingForm& tracking, const UpdateForm& update,
                             const FieldErrors& errors, int status) {
  std::vector<std::pair<std::string, std::string>> statuses;
  for (ImplementationStatus s : {ImplementationStatus::Planned, ImplementationStatus::InProgress,
                                 ImplementationStatus::Done, ImplementationStatus::Abandoned})
    statuses.emplace_back(std::string(implementation_status_name(s)),
                          implementation_status_label(s).in(ctx.lang));
  json::object view{{"csrf", ctx.csrf()},
                    {"process", process_view(process, ctx.lang)},
                    {"project", project_page_view(ctx, process, project)},
                    {"action", admin_project_path(process, project.id) + "/tracking"},
                    {"statuses", options(statuses, tracking.status)},
                    {"progress_value", tracking.progress},
                    {"spent", tracking.spent},
                    {"posted_on", update.posted_on},
                    {"body_fr", update.body_fr},
                    {"body_en", update.body_en},
                    {"today", date_in_words(today_local(), ctx.lang)},
                    {"today_iso", format_date(today_local())}};
  add_errors(view, errors, ctx.lang);
  return ctx.page("budgets/tracking", std::move(view),
                  {"Implementation: " + project.title, "Réalisation\u202f: " + project.title},
                  status);
}

TrackingForm tracking_form_of(const Project& project) {
  return {project.implementation ? std::string(implementation_status_name(*project.implementation))
                                 : "planned",
          std::to_string(project.progress), project.spent ? std::to_string(*project.spent) : ""};
}

http::Response tracking_get(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  if (!funded(*project)) return refusal(ctx, *process, Outcome::NotFunded);
  return tracking_page(ctx, *process, *project, tracking_form_of(*project), {}, {}, 200);
}

http::Response tracking_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const auto project = project_of(ctx, *process);
  if (!project) return project_not_found(ctx);
  const bool posting_update = ctx.form.get("form") == "update";
  const TrackingForm tracking{ctx.form.get("status"), ctx.form.get("progress"),
                              ctx.form.get("spent")};
  const UpdateForm update{ctx.form.get("posted_on"), ctx.form.get("body_fr"),
                          ctx.form.get("body_en")};
  const accounts::Account& me = *ctx.viewer.account;
  const ActionResult result = posting_update
                                  ? post_update(ctx.db, *process, me, project->id, update,
                                                ctx.app.config.public_url, now_iso8601())
                                  : update_tracking(ctx.db, *process, me, project->id, tracking);
  if (result.mails > 0) ctx.app.mail_queued();
  switch (result.outcome) {
    case Outcome::Done:
      ctx.flash(posting_update ? Text{"The update is published; " +
                                          count_of(result.mails, Lang::En,
                                                   {"follower", "followers"}, {"", ""}) +
                                          " notified by e-mail.",
                                      "La nouvelle est publiée\u202f; " +
                                          count_of(result.mails, Lang::Fr, {"", ""},
                                                   {"abonné prévenu", "abonnés prévenus"}) +
                                          " par e-mail."}
                               : Text{"The implementation status is saved.",
                                      "L'état de la réalisation est enregistré."});
      return ctx.redirect(admin_project_path(*process, project->id) + "/tracking");
    case Outcome::InvalidForm:
      return tracking_page(ctx, *process, *project,
                           posting_update ? tracking_form_of(*project) : tracking,
                           posting_update ? update : UpdateForm{}, result.errors, 422);
    default:
      return refusal(ctx, *process, result.outcome);
  }
}

}  // namespace

void register_proposal_routes(web::Site& site) {
  site.get("/budgets/{slug}/propose", Permission::SubmitProposals, propose_get);
  site.post("/budgets/{slug}/propose", Permission::SubmitProposals, propose_post);
  site.get("/budgets/{slug}/projects/{id}", Permission::Browse, project_page);
  site.get("/budgets/{slug}/projects/{id}/edit", Permission::SubmitProposals, edit_get);
  site.post("/budgets/{slug}/projects/{id}/edit", Permission::SubmitProposals, edit_post);
  site.post("/budgets/{slug}/projects/{id}/follow", Permission::UseAccount, follow_post);
  site.get("/budgets/images/{id}", Permission::Browse, image_get);
  site.get("/admin/budgets/{slug}/review", Permission::ReviewProposals, review_list);
  site.get("/admin/budgets/{slug}/projects/{id}/review", Permission::ReviewProposals, review_get);
  site.post("/admin/budgets/{slug}/projects/{id}/review", Permission::ReviewProposals, review_post);
  site.get("/admin/budgets/{slug}/projects/{id}/tracking", Permission::ManageBudgets, tracking_get);
  site.post("/admin/budgets/{slug}/projects/{id}/tracking", Permission::ManageBudgets,
            tracking_post);
}

}  // namespace fabrique::budgets
