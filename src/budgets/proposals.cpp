#include "budgets/proposals.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>

#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "budgets/pages.hpp"
#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "mail/mail.hpp"
#include "store/values.hpp"
#include "web/form.hpp"

namespace fabrique::budgets {

namespace {

using accounts::Account;
using accounts::Permission;
using store::integer;
using store::nullable;
using store::Row;
using store::text;

std::string trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

// One line of clean text: no control character at all, not even a line end.
bool one_line(std::string_view text) {
  return web::is_clean_text(text) && text.find_first_of("\r\n\t") == std::string_view::npos;
}

std::string n(std::size_t value) { return std::to_string(value); }

// A text field's length check: nullopt when `value` (trimmed) has between
// `min` and `max` characters. `label` names the field in both languages.
std::optional<Text> length_error(const std::string& value, std::size_t min, std::size_t max,
                                 const Text& label) {
  const std::size_t length = text_length(value);
  if (length == 0)
    return Text{label.en + ": write " + n(min) + " to " + n(max) + " characters.",
                label.fr + " : écrivez de " + n(min) + " à " + n(max) + " caractères."};
  if (length < min || length > max)
    return Text{
        label.en + ": " + n(min) + " to " + n(max) + " characters (it has " + n(length) + ").",
        label.fr + " : de " + n(min) + " à " + n(max) + " caractères (il y en a " + n(length) +
            ")."};
  return std::nullopt;
}

Text control_error(const Text& label) {
  return {label.en + ": remove the control characters it contains.",
          label.fr + " : retirez les caractères de contrôle qu'il contient."};
}

// Adds to `errors` what is wrong with a single-line or multi-line text field.
void check_text(FieldErrors& errors, const std::string& field, const std::string& value,
                bool single_line, std::size_t min, std::size_t max, const Text& label) {
  if (single_line ? !one_line(value) : !web::is_clean_text(value)) {
    errors[field] = control_error(label);
    return;
  }
  if (auto error = length_error(value, min, max, label)) errors[field] = std::move(*error);
}

// An optional text field: at most `max` characters.
void check_optional_text(FieldErrors& errors, const std::string& field, const std::string& value,
                         bool single_line, std::size_t max, const Text& label) {
  if (single_line ? !one_line(value) : !web::is_clean_text(value)) {
    errors[field] = control_error(label);
    return;
  }
  if (const std::size_t length = text_length(value); length > max)
    errors[field] =
        Text{label.en + ": at most " + n(max) + " characters (it has " + n(length) + ").",
             label.fr + " : au plus " + n(max) + " caractères (il y en a " + n(length) + ")."};
}

Text amount_limit(const Unit& unit, const Text& label) {
  return {label.en + ": at most the budget of " + unit.name_en + " (" +
              format_amount(unit.amount, Lang::En) + ").",
          label.fr + " : au plus le budget de " + unit.name_fr + " (" +
              format_amount(unit.amount, Lang::Fr) + ")."};
}

std::string date_of(const std::string& iso) { return iso.substr(0, 10); }

// ---- Storage helpers

std::string base64_of(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> bytes_of(const std::string& base64) {
  std::string out(base64.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), base64.data(),
                        base64.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  out.resize(length);
  return out;
}

// Drops an image no project uses any more.
void delete_unused_image(store::Connection& db, std::int64_t image_id) {
  db.execute(
      "DELETE FROM budget_images WHERE id = $1 AND NOT EXISTS "
      "(SELECT 1 FROM budget_projects WHERE image_id = $1)",
      {image_id});
}

std::vector<Account> followers(store::Connection& db, std::int64_t project_id) {
  std::vector<Account> out;
  for (const Row& row : db.query("SELECT " + accounts::account_columns("a") +
                                     " FROM budget_follows f JOIN accounts a ON a.id = "
                                     "f.account_id WHERE f.project_id = $1 ORDER BY a.id",
                                 {project_id}))
    out.push_back(accounts::account_from_row(row));
  return out;
}

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
  std::string body = fr ? "Bonjour " + author.display_name + ",\n\nVotre projet « " +
                              project.title + " », proposé au budget participatif « " +
                              process.title_fr + " », a été analysé.\n\nDécision : "
                        : "Hello " + author.display_name + ",\n\nYour project “" + project.title +
                              "”, proposed to the participatory budget “" + process.title_en +
                              "”, has been reviewed.\n\nDecision: ";
  body += review_status_label(decision.status).in(lang) + "\n";
  if (decision.status == ReviewStatus::Feasible && decision.final_cost)
    body += (fr ? "Coût retenu : " : "Cost retained: ") +
            format_amount(*decision.final_cost, lang) + "\n";
  if (target)
    body += (fr ? "Fusionné avec : « " + target->title + " » "
                : "Merged with: “" + target->title + "” ") +
            project_url(public_url, process, target->id) + "\n";
  if (!decision.note.empty())
    body += (fr ? "\nExplication :\n" : "\nExplanation:\n") + decision.note + "\n";
  body += fr ? "\nVoir votre projet : " + url + "\n" : "\nSee your project: " + url + "\n";
  if (decision.status == ReviewStatus::Feasible)
    body +=
        fr ? "\nIl sera soumis au vote à partir du " + date_of(process.schedule.vote_open) + ".\n"
           : "\nIt will be put to the vote from " + date_of(process.schedule.vote_open) + ".\n";
  return {author.email,
          fr ? "Votre projet « " + project.title + " » : analyse de faisabilité"
             : "Your project “" + project.title + "”: feasibility review",
          body};
}

mail::Mail update_mail(const Account& follower, const Process& process, const Project& project,
                       const ProjectUpdate& update, const std::string& public_url) {
  const bool fr = follower.language == Lang::Fr;
  const std::string url = project_url(public_url, process, project.id);
  const std::string body =
      fr ? "Bonjour " + follower.display_name + ",\n\nDu nouveau sur le projet « " + project.title +
               " » (" + process.title_fr + "), le " + update.posted_on + " :\n\n" + update.body_fr +
               "\n\nVoir le projet : " + url +
               "\n\nVous recevez ce message parce que vous suivez ce projet. Pour ne plus le "
               "suivre, ouvrez sa page et choisissez « Ne plus suivre ».\n"
         : "Hello " + follower.display_name + ",\n\nNews of the project “" + project.title + "” (" +
               process.title_en + "), on " + update.posted_on + ":\n\n" + update.body_en +
               "\n\nSee the project: " + url +
               "\n\nYou receive this message because you follow this project. To stop, open "
               "its page and choose “Unfollow”.\n";
  return {follower.email,
          fr ? "Du nouveau sur le projet « " + project.title + " »"
             : "News of the project “" + project.title + "”",
          body};
}

ActionResult refused(Outcome outcome, FieldErrors errors = {}) {
  ActionResult result;
  result.outcome = outcome;
  result.errors = std::move(errors);
  return result;
}

}  // namespace

std::size_t text_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// ---- Who may propose where

bool needs_verification(const Account& account) {
  return account.role == accounts::Role::Resident || account.role == accounts::Role::Elected;
}

std::vector<const Unit*> proposal_units(const Process& process, const Account& account) {
  std::vector<const Unit*> out;
  if (!accounts::allows(account.role, Permission::SubmitProposals)) return out;
  if (account.role == accounts::Role::Organisation) {
    for (const Unit& unit : process.units) out.push_back(&unit);
    return out;
  }
  if (!account.verified() || !account.district_id) return out;
  if (const Unit* own = process.unit_of_district(*account.district_id)) out.push_back(own);
  if (const Unit* city = process.city_wide_unit()) out.push_back(city);
  return out;
}

// ---- The proposal form

ProposalValidation validate_proposal(const Process& process, const ProposalForm& form,
                                     const std::vector<const Unit*>& allowed_units) {
  ProposalValidation out;
  Project& p = out.project;
  FieldErrors& errors = out.errors;
  p.process_id = process.id;

  const Unit* unit = process.unit_by_slug(form.unit);
  if (unit == nullptr) {
    errors["unit"] = {"District: choose the district (or the city-wide budget) of the project.",
                      "Quartier : choisissez le quartier (ou le budget de toute la ville) du "
                      "projet."};
  } else if (std::find(allowed_units.begin(), allowed_units.end(), unit) == allowed_units.end()) {
    errors["unit"] = {
        "District: you may propose projects for your own district or the whole "
        "city only.",
        "Quartier : vous pouvez proposer des projets pour votre quartier ou pour "
        "toute la ville seulement."};
  } else {
    p.unit_id = unit->id;
  }

  p.title = trimmed(form.title);
  check_text(errors, "title", p.title, true, kTitleMin, kTitleMax, {"Title", "Titre"});
  p.description = trimmed(form.description);
  check_text(errors, "description", p.description, false, kDescriptionMin, kDescriptionMax,
             {"Description", "Description"});

  const Text cost_label{"Estimated cost", "Coût estimé"};
  const auto cost = parse_amount(form.estimated_cost);
  if (!cost) {
    errors["estimated_cost"] = {
        "Estimated cost: a whole amount in euros greater than zero, for example 12500.",
        "Coût estimé : un montant entier en euros supérieur à zéro, par exemple 12500."};
  } else {
    p.estimated_cost = *cost;
    if (unit != nullptr && *cost > unit->amount)
      errors["estimated_cost"] = amount_limit(*unit, cost_label);
  }

  p.location = trimmed(form.location);
  check_optional_text(errors, "location", p.location, true, kLocationMax, {"Location", "Lieu"});
  return out;
}

ProposalForm proposal_form_of(const Project& project, const Process& process) {
  const Unit* unit = process.unit(project.unit_id);
  return {unit ? unit->slug : std::string(), project.title, project.description,
          std::to_string(project.estimated_cost), project.location};
}

// ---- Images

std::optional<std::string> sniff_image_type(std::string_view bytes) {
  if (bytes.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8))) return "image/png";
  if (bytes.starts_with("\xFF\xD8\xFF")) return "image/jpeg";
  if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP")
    return "image/webp";
  return std::nullopt;
}

ImageCheck check_image(std::string_view bytes) {
  if (bytes.size() > kImageMaxBytes)
    return {"", Text{"Image: at most 700 KB (this one has " + n((bytes.size() + 1023) / 1024) +
                         " KB). Send a smaller picture.",
                     "Image : au plus 700 Ko (celle-ci en fait " + n((bytes.size() + 1023) / 1024) +
                         "). Envoyez une image plus légère."}};
  const auto type = sniff_image_type(bytes);
  if (!type)
    return {"", Text{"Image: a PNG, JPEG or WebP picture only (this file is none of them).",
                     "Image : une image PNG, JPEG ou WebP seulement (ce fichier n'en est pas "
                     "une)."}};
  return {*type, std::nullopt};
}

std::int64_t insert_image(store::Connection& db, const std::string& content_type,
                          std::string_view bytes) {
  return integer(db.query("INSERT INTO budget_images (content_type, data_base64) VALUES ($1, $2) "
                          "RETURNING id",
                          {content_type, base64_of(bytes)})
                     .at(0)
                     .at(0));
}

std::optional<StoredImage> find_image(store::Connection& db, std::int64_t id) {
  const auto rows =
      db.query("SELECT content_type, data_base64 FROM budget_images WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  auto bytes = bytes_of(text(rows.front().at(1)));
  if (!bytes) return std::nullopt;
  return StoredImage{text(rows.front().at(0)), std::move(*bytes)};
}

// ---- Editing rules

bool proposals_open(Phase phase) { return phase == Phase::Proposals; }

bool editable(Phase phase, const Project& project) {
  return phase == Phase::Proposals && project.status == ReviewStatus::Submitted;
}

bool reviewable(Phase phase) { return phase == Phase::Proposals || phase == Phase::Review; }

// ---- The review form

std::vector<Project> merge_targets(const Project& project, const std::vector<Project>& projects) {
  std::vector<Project> out;
  for (const Project& other : projects)
    if (other.id != project.id && other.process_id == project.process_id &&
        other.unit_id == project.unit_id && other.status != ReviewStatus::Merged)
      out.push_back(other);
  return out;
}

ReviewValidation validate_review(const Process& process, const Project& project,
                                 const std::vector<Project>& targets, const ReviewForm& form) {
  ReviewValidation out;
  ReviewDecision& d = out.decision;
  FieldErrors& errors = out.errors;
  const Text note_label{"Public explanation", "Explication publique"};
  d.note = trimmed(form.note);

  if (form.decision == "feasible") {
    d.status = ReviewStatus::Feasible;
    check_optional_text(errors, "note", d.note, false, kReviewNoteMax, note_label);
    if (trimmed(form.final_cost).empty()) {
      d.final_cost = project.estimated_cost;
    } else if (const auto cost = parse_amount(form.final_cost)) {
      d.final_cost = *cost;
      const Unit* unit = process.unit(project.unit_id);
      if (unit != nullptr && *cost > unit->amount)
        errors["final_cost"] = amount_limit(*unit, {"Final cost", "Coût retenu"});
    } else {
      errors["final_cost"] = {
          "Final cost: a whole amount in euros greater than zero, or empty to keep the "
          "estimate.",
          "Coût retenu : un montant entier en euros supérieur à zéro, ou vide pour garder "
          "l'estimation."};
    }
    return out;
  }
  if (form.decision == "infeasible" || form.decision == "merge") {
    check_text(errors, "note", d.note, false, kReviewNoteMin, kReviewNoteMax, note_label);
    if (form.decision == "infeasible") {
      d.status = ReviewStatus::Infeasible;
      return out;
    }
    d.status = ReviewStatus::Merged;
    const auto target = parse_id(form.merge_into);
    const bool known = target && std::any_of(targets.begin(), targets.end(),
                                             [&](const Project& p) { return p.id == *target; });
    if (!known)
      errors["merge_into"] = {
          "Merge into: choose the project of the same district that this one duplicates.",
          "Fusionner avec : choisissez le projet du même quartier dont celui-ci est un "
          "doublon."};
    else
      d.merged_into = *target;
    return out;
  }
  errors["decision"] = {"Decision: choose feasible, not feasible, or merge with another project.",
                        "Décision : choisissez réalisable, non réalisable, ou fusion avec un "
                        "autre projet."};
  return out;
}

ReviewForm review_form_of(const Project& project) {
  ReviewForm form;
  switch (project.status) {
    case ReviewStatus::Feasible:
      form.decision = "feasible";
      break;
    case ReviewStatus::Infeasible:
      form.decision = "infeasible";
      break;
    case ReviewStatus::Merged:
      form.decision = "merge";
      break;
    case ReviewStatus::Submitted:
      break;
  }
  if (project.final_cost) form.final_cost = std::to_string(*project.final_cost);
  form.note = project.review_note;
  if (project.merged_into) form.merge_into = std::to_string(*project.merged_into);
  return form;
}

// ---- Implementation tracking

TrackingValidation validate_tracking(const TrackingForm& form) {
  TrackingValidation out;
  if (const auto status = parse_implementation_status(form.status))
    out.status = *status;
  else
    out.errors["status"] = {"Status: choose planned, in progress, done or abandoned.",
                            "État : choisissez programmé, en cours, réalisé ou abandonné."};

  std::string progress = trimmed(form.progress);
  if (progress.ends_with('%')) progress = trimmed(progress.substr(0, progress.size() - 1));
  int value = -1;
  const auto [end, ec] = std::from_chars(progress.data(), progress.data() + progress.size(), value);
  if (ec != std::errc() || end != progress.data() + progress.size() || value < 0 || value > 100)
    out.errors["progress"] = {"Progress: a whole percentage from 0 to 100.",
                              "Avancement : un pourcentage entier de 0 à 100."};
  else
    out.progress = value;
  if (!out.errors.contains("progress") && !out.errors.contains("status") &&
      out.status == ImplementationStatus::Done && out.progress != 100)
    out.errors["progress"] = {"Progress: a done project is at 100 %.",
                              "Avancement : un projet réalisé est à 100 %."};

  if (!trimmed(form.spent).empty()) {
    if (const auto spent = parse_amount(form.spent, true))
      out.spent = *spent;
    else
      out.errors["spent"] = {"Amount spent: a whole amount in euros, or empty while unknown.",
                             "Montant dépensé : un montant entier en euros, ou vide tant qu'il "
                             "n'est pas connu."};
  }
  return out;
}

UpdateValidation validate_update(const UpdateForm& form, const std::string& today) {
  UpdateValidation out;
  const std::string date = trimmed(form.posted_on);
  if (date.empty()) {
    out.update.posted_on = today;
  } else if (!parse_date(date)) {
    out.errors["posted_on"] = {"Date: a date such as 2026-05-31.",
                               "Date : une date comme 2026-05-31."};
  } else if (date > today) {
    out.errors["posted_on"] = {"Date: today or earlier.", "Date : aujourd'hui ou avant."};
  } else {
    out.update.posted_on = date;
  }
  out.update.body_fr = trimmed(form.body_fr);
  out.update.body_en = trimmed(form.body_en);
  check_text(out.errors, "body_fr", out.update.body_fr, false, 1, kUpdateBodyMax,
             {"Update in French", "Nouvelle en français"});
  check_text(out.errors, "body_en", out.update.body_en, false, 1, kUpdateBodyMax,
             {"Update in English", "Nouvelle en anglais"});
  return out;
}

// ---- Storage beyond repository.hpp

std::vector<ProjectUpdate> list_updates(store::Connection& db, std::int64_t project_id) {
  std::vector<ProjectUpdate> out;
  for (const Row& row : db.query("SELECT id, project_id, posted_on, body_fr, body_en FROM "
                                 "budget_project_updates WHERE project_id = $1 "
                                 "ORDER BY posted_on DESC, id DESC",
                                 {project_id}))
    out.push_back({integer(row.at(0)), integer(row.at(1)), text(row.at(2)), text(row.at(3)),
                   text(row.at(4))});
  return out;
}

bool is_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id) {
  return !db.query("SELECT 1 FROM budget_follows WHERE project_id = $1 AND account_id = $2",
                   {project_id, account_id})
              .empty();
}

std::int64_t count_followers(store::Connection& db, std::int64_t project_id) {
  return integer(db.query("SELECT COUNT(*) FROM budget_follows WHERE project_id = $1", {project_id})
                     .at(0)
                     .at(0));
}

std::vector<Project> merged_into(store::Connection& db, const Process& process,
                                 std::int64_t project_id) {
  std::vector<Project> out;
  ProjectFilter filter;
  filter.statuses = {ReviewStatus::Merged};
  for (Project& p : list_projects(db, process.id, filter))
    if (p.merged_into == project_id) out.push_back(std::move(p));
  return out;
}

void set_following(store::Connection& db, std::int64_t project_id, std::int64_t account_id,
                   bool follow) {
  if (follow)
    db.execute(
        "INSERT INTO budget_follows (project_id, account_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING",
        {project_id, account_id});
  else
    db.execute("DELETE FROM budget_follows WHERE project_id = $1 AND account_id = $2",
               {project_id, account_id});
}

// ---- Actions

ActionResult submit_proposal(store::Connection& db, const Process& process, const Account& author,
                             const Submission& submission, const std::string& now) {
  if (!accounts::allows(author.role, Permission::SubmitProposals))
    return refused(Outcome::NotAllowed);
  if (!proposals_open(phase_at(process.schedule, now))) return refused(Outcome::NotOpen);
  if (needs_verification(author) && !author.verified()) return refused(Outcome::NotVerified);
  const auto units = proposal_units(process, author);
  if (units.empty()) return refused(Outcome::NoUnit);

  ProposalValidation validation = validate_proposal(process, submission.form, units);
  ImageCheck image;
  if (!submission.image.empty()) {
    image = check_image(submission.image);
    if (image.error) validation.errors["image"] = *image.error;
  }
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
  ImageCheck image;
  if (!submission.image.empty()) {
    image = check_image(submission.image);
    if (image.error) validation.errors["image"] = *image.error;
  }
  if (!validation.errors.empty())
    return refused(Outcome::InvalidForm, std::move(validation.errors));

  const Project& p = validation.project;
  ActionResult result;
  result.project_id = project_id;
  db.transaction([&](store::Connection& tx) {
    // 0 stands for "no image" (ids start at 1): a plain integer, which GCC's
    // optimiser does not mistake for uninitialised as it does an optional.
    std::int64_t kept = submission.remove_image ? 0 : before->image_id.value_or(0);
    if (!image.content_type.empty()) kept = insert_image(tx, image.content_type, submission.image);
    const std::optional<std::int64_t> image_id =
        kept == 0 ? std::nullopt : std::optional<std::int64_t>(kept);
    // Only the author's fields, and only while unreviewed: a review that
    // lands meanwhile is never overwritten.
    const std::int64_t changed = tx.execute(
        "UPDATE budget_projects SET unit_id = $3, title = $4, description = $5, "
        "estimated_cost = $6, location = $7, image_id = $8, updated_at = $9 "
        "WHERE id = $1 AND author_id = $2 AND status = 'submitted'",
        {project_id, author.id, p.unit_id, p.title, p.description, p.estimated_cost, p.location,
         nullable(image_id), now_iso8601()});
    if (changed == 0) {
      result.outcome = Outcome::Reviewed;
      if (image_id && image_id != before->image_id) delete_unused_image(tx, *image_id);
      return;
    }
    if (before->image_id && before->image_id != image_id)
      delete_unused_image(tx, *before->image_id);
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
    tx.execute(
        "UPDATE budget_projects SET status = $2, review_note = $3, final_cost = $4, "
        "merged_into = $5, reviewed_by = $6, reviewed_at = $7, updated_at = $7 WHERE id = $1",
        {project_id, std::string(review_status_name(d.status)), d.note, nullable(d.final_cost),
         nullable(d.merged_into), reviewer.id, now_iso8601()});
    if (!project->author_id) return;
    const auto author = accounts::find_account(tx, *project->author_id);
    if (!author) return;
    std::optional<Project> target;
    if (d.merged_into) target = find_project(tx, process.id, *d.merged_into);
    if (queue(tx, review_mail(*author, process, *project, d, target, public_url))) result.mails = 1;
  });
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
    tx.execute(
        "UPDATE budget_projects SET implementation = $2, progress = $3, spent = $4, "
        "updated_at = $5 WHERE id = $1 AND implementation IS NOT NULL",
        {project_id, std::string(implementation_status_name(validation.status)),
         std::int64_t{validation.progress}, nullable(validation.spent), now_iso8601()});
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
    update.id = integer(
        tx.query("INSERT INTO budget_project_updates (project_id, posted_on, body_fr, body_en, "
                 "posted_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                 {project_id, update.posted_on, update.body_fr, update.body_en, staff.id})
            .at(0)
            .at(0));
    for (const Account& follower : followers(tx, project_id))
      if (queue(tx, update_mail(follower, process, *project, update, public_url))) ++result.mails;
  });
  return result;
}

}  // namespace fabrique::budgets
