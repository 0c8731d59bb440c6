#include "budgets/proposal_rules.hpp"

#include <algorithm>
#include <charconv>

#include "accounts/permissions.hpp"
#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "residency/rules.hpp"

namespace fabrique::budgets {

namespace {

using accounts::Account;
using accounts::Permission;

// One line of clean text: no control character at all, not even a line end.
bool one_line(std::string_view text) {
  return is_clean_text(text) && text.find_first_of("\r\n\t") == std::string_view::npos;
}

std::string n(std::size_t value) { return std::to_string(value); }

// A text field's length check: nullopt when `value` (trimmed) has between
// `min` and `max` characters. `label` names the field in both languages.
std::optional<Text> length_error(const std::string& value, std::size_t min, std::size_t max,
                                 const Text& label) {
  const std::size_t length = code_points(value);
  if (length == 0)
    return Text{label.en + ": write " + n(min) + " to " + n(max) + " characters.",
                label.fr + "\u202f: écrivez de " + n(min) + " à " + n(max) + " caractères."};
  if (length < min || length > max)
    return Text{
        label.en + ": " + n(min) + " to " + n(max) + " characters (it has " + n(length) + ").",
        label.fr + "\u202f: de " + n(min) + " à " + n(max) + " caractères (il y en a " + n(length) +
            ")."};
  return std::nullopt;
}

Text control_error(const Text& label) {
  return {label.en + ": remove the control characters it contains.",
          label.fr + "\u202f: retirez les caractères de contrôle qu'il contient."};
}

// Adds to `errors` what is wrong with a single-line or multi-line text field.
void check_text(FieldErrors& errors, const std::string& field, const std::string& value,
                bool single_line, std::size_t min, std::size_t max, const Text& label) {
  if (single_line ? !one_line(value) : !is_clean_text(value)) {
    errors[field] = control_error(label);
    return;
  }
  if (auto error = length_error(value, min, max, label)) errors[field] = std::move(*error);
}

// An optional text field: at most `max` characters.
void check_optional_text(FieldErrors& errors, const std::string& field, const std::string& value,
                         bool single_line, std::size_t max, const Text& label) {
  if (single_line ? !one_line(value) : !is_clean_text(value)) {
    errors[field] = control_error(label);
    return;
  }
  if (const std::size_t length = code_points(value); length > max)
    errors[field] =
        Text{label.en + ": at most " + n(max) + " characters (it has " + n(length) + ").",
             label.fr + "\u202f: au plus " + n(max) + " caractères (il y en a " + n(length) + ")."};
}

Text amount_limit(const Unit& unit, const Text& label) {
  return {label.en + ": at most the budget of " + unit.name_en + " (" +
              format_amount(unit.amount, Lang::En) + ").",
          label.fr + "\u202f: au plus le budget de " + unit.name_fr + " (" +
              format_amount(unit.amount, Lang::Fr) + ")."};
}

}  // namespace

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
                      "Quartier\u202f: choisissez le quartier (ou le budget de toute la ville) du "
                      "projet."};
  } else if (std::find(allowed_units.begin(), allowed_units.end(), unit) == allowed_units.end()) {
    errors["unit"] = {
        "District: you may propose projects for your own district or the whole "
        "city only.",
        "Quartier\u202f: vous pouvez proposer des projets pour votre quartier ou pour "
        "toute la ville seulement."};
  } else {
    p.unit_id = unit->id;
  }

  p.title = std::string(trim(form.title));
  check_text(errors, "title", p.title, true, kTitleMin, kTitleMax, {"Title", "Titre"});
  p.description = std::string(trim(form.description));
  check_text(errors, "description", p.description, false, kDescriptionMin, kDescriptionMax,
             {"Description", "Description"});

  const Text cost_label{"Estimated cost", "Coût estimé"};
  const AmountReading cost_reading = read_amount(form.estimated_cost);
  const auto& cost = cost_reading.value;
  if (!cost) {
    errors["estimated_cost"] = amount_error(cost_label, cost_reading);
  } else {
    p.estimated_cost = *cost;
    if (unit != nullptr && *cost > unit->amount)
      errors["estimated_cost"] = amount_limit(*unit, cost_label);
  }

  p.location = std::string(trim(form.location));
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
                     "Image\u202f: au plus 700 Ko (celle-ci en fait " +
                         n((bytes.size() + 1023) / 1024) + "). Envoyez une image plus légère."}};
  const auto type = sniff_image_type(bytes);
  if (!type)
    return {"", Text{"Image: a PNG, JPEG or WebP picture only (this file is none of them).",
                     "Image\u202f: une image PNG, JPEG ou WebP seulement (ce fichier n'en est pas "
                     "une)."}};
  return {*type, std::nullopt};
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
  d.note = std::string(trim(form.note));

  if (form.decision == "feasible") {
    d.status = ReviewStatus::Feasible;
    check_optional_text(errors, "note", d.note, false, kReviewNoteMax, note_label);
    if (std::string(trim(form.final_cost)).empty()) {
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
          "Coût retenu\u202f: un montant entier en euros supérieur à zéro, ou vide pour garder "
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
          "Fusionner avec\u202f: choisissez le projet du même quartier dont celui-ci est un "
          "doublon."};
    else
      d.merged_into = *target;
    return out;
  }
  errors["decision"] = {"Decision: choose feasible, not feasible, or merge with another project.",
                        "Décision\u202f: choisissez réalisable, non réalisable, ou fusion avec un "
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
                            "État\u202f: choisissez programmé, en cours, réalisé ou abandonné."};

  std::string progress = std::string(trim(form.progress));
  if (progress.ends_with('%'))
    progress = std::string(trim(progress.substr(0, progress.size() - 1)));
  int value = -1;
  const auto [end, ec] = std::from_chars(progress.data(), progress.data() + progress.size(), value);
  if (ec != std::errc() || end != progress.data() + progress.size() || value < 0 || value > 100)
    out.errors["progress"] = {"Progress: a whole percentage from 0 to 100.",
                              "Avancement\u202f: un pourcentage entier de 0 à 100."};
  else
    out.progress = value;
  if (!out.errors.contains("progress") && !out.errors.contains("status") &&
      out.status == ImplementationStatus::Done && out.progress != 100)
    out.errors["progress"] = {"Progress: a done project is at 100 %.",
                              "Avancement\u202f: un projet réalisé est à 100 %."};

  if (!std::string(trim(form.spent)).empty()) {
    const AmountReading spent = read_amount(form.spent, true);
    if (spent.value)
      out.spent = *spent.value;
    else
      out.errors["spent"] = amount_error({"Amount spent (empty while unknown)",
                                          "Montant dépensé (vide tant qu'il n'est pas connu)"},
                                         spent);
  }
  return out;
}

UpdateValidation validate_update(const UpdateForm& form, const std::string& today) {
  UpdateValidation out;
  const std::string typed = std::string(trim(form.posted_on));
  const auto day = parse_typed_date(typed);
  const std::string date = day ? format_date(*day) : std::string();
  if (typed.empty()) {
    out.update.posted_on = today;
  } else if (!day) {
    const Text hint = typed_date_hint();
    out.errors["posted_on"] = {"Date: " + hint.en + ".", "Date\u202f: " + hint.fr + "."};
  } else if (date > today) {
    out.errors["posted_on"] = {"Date: today or earlier.", "Date\u202f: aujourd'hui ou avant."};
  } else {
    out.update.posted_on = date;
  }
  out.update.body_fr = std::string(trim(form.body_fr));
  out.update.body_en = std::string(trim(form.body_en));
  check_text(out.errors, "body_fr", out.update.body_fr, false, 1, kUpdateBodyMax,
             {"Update in French", "Nouvelle en français"});
  check_text(out.errors, "body_en", out.update.body_en, false, 1, kUpdateBodyMax,
             {"Update in English", "Nouvelle en anglais"});
  return out;
}

}  // namespace fabrique::budgets
