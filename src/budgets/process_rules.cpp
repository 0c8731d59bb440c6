#include "budgets/process_rules.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

namespace fabrique::budgets {

namespace {

std::optional<int> parse_small(const std::string& text, int low, int high) {
  const std::string t = std::string(trim(text));
  int value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || value < low || value > high)
    return std::nullopt;
  return value;
}

bool valid_slug(const std::string& slug) {
  if (slug.size() < 3 || slug.size() > 60 || slug.front() == '-' || slug.back() == '-')
    return false;
  for (char c : slug)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

void check_text(FieldErrors& errors, const std::string& field, const std::string& value,
                std::size_t low, std::size_t high, const Text& what) {
  const std::size_t n = code_points(value);
  if (n < low || n > high)
    errors[field] = {what.en + " must be " + std::to_string(low) + " to " + std::to_string(high) +
                         " characters long.",
                     what.fr + " doit compter de " + std::to_string(low) + " à " +
                         std::to_string(high) + " caractères."};
}

std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

struct DateField {
  const char* field;
  std::string Schedule::*member;
  Text name;
};

const DateField kDates[] = {
    {"proposals_open",
     &Schedule::proposals_open,
     {"The opening of proposals", "L'ouverture des propositions"}},
    {"review_open", &Schedule::review_open, {"The start of the review", "Le début de l'analyse"}},
    {"vote_open", &Schedule::vote_open, {"The opening of the vote", "L'ouverture du vote"}},
    {"vote_close", &Schedule::vote_close, {"The last day of the vote", "Le dernier jour du vote"}},
    {"implementation_open",
     &Schedule::implementation_open,
     {"The start of implementation", "Le début de la réalisation"}},
};

const std::string& raw_date(const ProcessForm& form, const char* field) {
  const std::string f = field;
  if (f == "proposals_open") return form.proposals_open;
  if (f == "review_open") return form.review_open;
  if (f == "vote_open") return form.vote_open;
  if (f == "vote_close") return form.vote_close;
  return form.implementation_open;
}

}  // namespace

std::optional<std::string> parse_phase_date(const std::string& raw, bool last_day) {
  const std::string text = std::string(trim(raw));
  if (parse_iso8601(text)) return text;
  const auto typed = parse_typed_moment(text);
  if (!typed) return std::nullopt;
  namespace chr = std::chrono;
  const TimeZone& zone = installation_time_zone();
  if (!typed->time)
    return iso8601(zone.start_of(
        last_day ? chr::year_month_day{chr::sys_days(typed->date) + chr::days(1)} : typed->date));
  return iso8601(
      zone.instant(chr::local_days(chr::sys_days(typed->date).time_since_epoch()) + *typed->time));
}

std::string typed_phase_date(const std::string& stored, bool last_day) {
  namespace chr = std::chrono;
  const auto at = parse_iso8601(stored);
  if (!at) return stored;
  const TimeZone& zone = installation_time_zone();
  const auto local = zone.local(*at);
  const auto day = chr::floor<chr::days>(local);
  const auto time = chr::hh_mm_ss(chr::floor<chr::minutes>(local - day));
  chr::year_month_day date{chr::sys_days(day.time_since_epoch())};
  const bool midnight = time.hours().count() == 0 && time.minutes().count() == 0;
  if (midnight && last_day) date = chr::year_month_day{chr::sys_days(date) - chr::days(1)};
  const std::string typed = typed_date(date);
  if (midnight) return typed;
  return fmt::format("{} {:02}:{:02}", typed, time.hours().count(), time.minutes().count());
}

ProcessValidation validate_process(const ProcessForm& form,
                                   const std::vector<DistrictChoice>& districts) {
  ProcessValidation out;
  Process& p = out.process;
  FieldErrors& errors = out.errors;

  p.slug = std::string(trim(form.slug));
  if (!valid_slug(p.slug))
    errors["slug"] = {
        "The web address name must be 3 to 60 lower-case letters, digits or hyphens "
        "(for example budget-2027).",
        "Le nom dans l'adresse web doit compter de 3 à 60 lettres minuscules, chiffres ou "
        "tirets (par exemple budget-2027)."};

  p.title_fr = std::string(trim(form.title_fr));
  p.title_en = std::string(trim(form.title_en));
  p.description_fr = std::string(trim(form.description_fr));
  p.description_en = std::string(trim(form.description_en));
  check_text(errors, "title_fr", p.title_fr, 5, 150, {"The French title", "Le titre en français"});
  check_text(errors, "title_en", p.title_en, 5, 150, {"The English title", "Le titre en anglais"});
  check_text(errors, "description_fr", p.description_fr, 20, 10000,
             {"The French description", "La description en français"});
  check_text(errors, "description_en", p.description_en, 20, 10000,
             {"The English description", "La description en anglais"});

  // The budgets: each district taking part, and the city-wide one.
  Amount sum = 0;
  bool amounts_valid = true;
  for (const DistrictChoice& district : districts) {
    const auto found = form.district_amounts.find(district.slug);
    const std::string raw =
        found == form.district_amounts.end() ? "" : std::string(trim(found->second));
    if (raw.empty()) continue;
    const AmountReading reading = read_amount(raw);
    const auto& amount = reading.value;
    if (!amount) {
      errors["amount_" + district.slug] = amount_error(
          {"The amount for " + district.name_en, "Le montant pour " + district.name_fr}, reading);
      amounts_valid = false;
      continue;
    }
    Unit unit;
    unit.district_id = district.id;
    unit.slug = district.slug;
    unit.name_fr = district.name_fr;
    unit.name_en = district.name_en;
    unit.amount = *amount;
    sum += *amount;
    p.units.push_back(std::move(unit));
  }
  if (!std::string(trim(form.city_wide_amount)).empty()) {
    const AmountReading reading = read_amount(form.city_wide_amount);
    const auto& amount = reading.value;
    if (!amount) {
      errors["city_wide_amount"] =
          amount_error({"The city-wide amount (or leave it empty)",
                        "Le montant pour toute la ville (ou laissez-le vide)"},
                       reading);
      amounts_valid = false;
    } else {
      Unit unit;
      unit.slug = std::string(kCityWideSlug);
      unit.name_fr = "Toute la ville";
      unit.name_en = "City-wide";
      unit.amount = *amount;
      sum += *amount;
      p.units.push_back(std::move(unit));
    }
  }
  if (p.units.empty() && amounts_valid)
    errors["districts"] = {"Give an amount to at least one district, or a city-wide amount.",
                           "Donnez un montant à au moins un quartier, ou un montant pour toute "
                           "la ville."};

  const AmountReading total_reading = read_amount(form.total_amount);
  const auto& total = total_reading.value;
  if (!total) {
    errors["total_amount"] = amount_error({"The total amount", "Le montant total"}, total_reading);
  } else {
    p.total_amount = *total;
    if (amounts_valid && !p.units.empty() && *total != sum)
      errors["total_amount"] = {
          "The total amount (" + format_amount(*total, Lang::En) +
              ") must equal the districts' amounts plus the city-wide one (" +
              format_amount(sum, Lang::En) + ").",
          "Le montant total (" + format_amount(*total, Lang::Fr) +
              ") doit être égal à la somme des montants des quartiers et de toute la ville (" +
              format_amount(sum, Lang::Fr) + ")."};
  }

  // The dates, in order.
  const std::string* previous = nullptr;
  const Text* previous_name = nullptr;
  for (const DateField& date : kDates) {
    const bool last_day = std::string(date.field) == "vote_close";
    const auto parsed = parse_phase_date(raw_date(form, date.field), last_day);
    if (!parsed) {
      const Text hint = typed_date_hint();
      errors[date.field] = {date.name.en + " must be a date (" + hint.en + ").",
                            date.name.fr + " doit être une date (" + hint.fr + ")."};
      previous = nullptr;
      continue;
    }
    p.schedule.*date.member = *parsed;
    const bool strict = last_day;
    if (previous && (strict ? *parsed <= *previous : *parsed < *previous))
      // The last day of the vote may be its first: it closes at the end of that day.
      errors[date.field] = {
          date.name.en + " must come on or after " + lower_first(previous_name->en) + ".",
          date.name.fr + " ne peut pas précéder " + lower_first(previous_name->fr) + "."};
    previous = &(p.schedule.*date.member);
    previous_name = &date.name;
  }

  const auto scope = parse_scope(form.scope);
  if (!scope)
    errors["scope"] = {"Choose who may take part.", "Choisissez qui peut participer."};
  else
    p.scope = *scope;
  if (scope == Scope::OwnDistrictAndCityWide && !p.city_wide_unit() && amounts_valid)
    errors["city_wide_amount"] = {
        "Residents can vote on city-wide projects only if there is a city-wide amount.",
        "Les habitants ne peuvent voter pour des projets de toute la ville que s'il y a un "
        "montant pour toute la ville."};

  const auto age = parse_small(form.minimum_age, 0, 120);
  if (!age)
    errors["minimum_age"] = {"The minimum age must be a whole number from 0 to 120.",
                             "L'âge minimum doit être un nombre entier de 0 à 120."};
  else
    p.minimum_age = *age;

  const auto type = parse_ballot_type(form.ballot_type);
  if (!type) {
    errors["ballot_type"] = {"Choose the kind of ballot.", "Choisissez le type de bulletin."};
  } else {
    p.ballot_type = *type;
    if (*type == BallotType::Approval || *type == BallotType::Ranked) {
      const auto low = parse_small(form.min_choices, 1, 100);
      const auto high = parse_small(form.max_choices, 1, 100);
      if (!low)
        errors["min_choices"] = {
            "The least number of projects must be a whole number from 1 to 100.",
            "Le nombre minimum de projets doit être un nombre entier de 1 à "
            "100."};
      if (!high)
        errors["max_choices"] = {
            "The greatest number of projects must be a whole number from 1 to 100.",
            "Le nombre maximum de projets doit être un nombre entier de 1 à "
            "100."};
      if (low && high && *low > *high)
        errors["max_choices"] = {
            "The greatest number of projects must be at least the least number.",
            "Le nombre maximum de projets doit être au moins égal au nombre minimum."};
      if (low) p.min_choices = *low;
      if (high) p.max_choices = *high;
    } else {
      p.min_choices = 1;
      p.max_choices = 100;
    }
    if (*type == BallotType::Cumulative) {
      const auto points = parse_small(form.points_total, 1, 1000);
      if (!points)
        errors["points_total"] = {
            "The points each voter shares must be a whole number from 1 to 1000.",
            "Le nombre de points à répartir doit être un nombre entier de 1 à "
            "1000."};
      else
        p.points_total = *points;
    }
  }

  const auto rule = parse_rule(form.rule);
  if (!rule)
    errors["rule"] = {"Choose the counting rule.", "Choisissez la règle de dépouillement."};
  else if (*rule == CountingRule::Phragmen && type &&
           (*type == BallotType::Cumulative || *type == BallotType::Ranked))
    errors["rule"] = {
        "Sequential Phragmén counts approval and budget ballots only: choose another rule or "
        "another kind of ballot.",
        "Le Phragmén séquentiel ne dépouille que les bulletins d'approbation et de budget\u202f: "
        "choisissez une autre règle ou un autre type de bulletin."};
  else
    p.rule = *rule;
  return out;
}

ProcessValidation validate_edit(const Process& before, const ProcessForm& form,
                                const std::vector<DistrictChoice>& districts,
                                const std::string& now) {
  ProcessForm fixed = form;
  fixed.slug = before.slug;  // the address does not change: links to it are out there
  // A date sent back as the form showed it is the stored moment, to the
  // second: "07/12/2026 22:53" stands for 22:53:17 after "open the next phase
  // now", and saving the form unchanged must not move it (in the vote, it
  // would be refused as a change).
  const auto keep = [](std::string& typed, const std::string& stored, bool last_day) {
    if (std::string(trim(typed)) == typed_phase_date(stored, last_day)) typed = stored;
  };
  keep(fixed.proposals_open, before.schedule.proposals_open, false);
  keep(fixed.review_open, before.schedule.review_open, false);
  keep(fixed.vote_open, before.schedule.vote_open, false);
  keep(fixed.vote_close, before.schedule.vote_close, true);
  keep(fixed.implementation_open, before.schedule.implementation_open, false);
  ProcessValidation out = validate_process(fixed, districts);
  Process& after = out.process;
  after.id = before.id;
  after.counted_at = before.counted_at;
  after.published_at = before.published_at;
  const Phase phase = phase_at(before.schedule, now);

  // Units keep their ids; the set of districts is fixed once proposals are open.
  const auto same_units = [&] {
    if (after.units.size() != before.units.size()) return false;
    for (std::size_t i = 0; i < after.units.size(); ++i)
      if (after.units[i].slug != before.units[i].slug) return false;
    return true;
  };
  if (out.errors.empty()) {
    if (phase != Phase::Upcoming && !same_units())
      out.errors["districts"] = {
          "The districts taking part cannot change once proposals have opened; only their "
          "amounts can, until the vote opens.",
          "Les quartiers participants ne peuvent plus changer une fois les propositions "
          "ouvertes\u202f; seuls leurs montants le peuvent, jusqu'à l'ouverture du vote."};
    if (phase >= Phase::Vote) {
      const auto changed = [&](const char* field, bool differs, const Text& what) {
        if (differs)
          out.errors[field] = {what.en + " cannot change once the vote has opened.",
                               what.fr + " ne peut plus changer une fois le vote ouvert."};
      };
      bool amounts_differ = after.total_amount != before.total_amount;
      for (std::size_t i = 0; i < after.units.size() && i < before.units.size(); ++i)
        amounts_differ = amounts_differ || after.units[i].amount != before.units[i].amount;
      changed("total_amount", amounts_differ, {"The amounts", "Les montants"});
      changed("ballot_type",
              after.ballot_type != before.ballot_type || after.min_choices != before.min_choices ||
                  after.max_choices != before.max_choices ||
                  after.points_total != before.points_total,
              {"The ballot", "Le bulletin"});
      changed("rule", after.rule != before.rule,
              {"The counting rule", "La règle de dépouillement"});
      changed("scope", after.scope != before.scope, {"Who may take part", "Qui peut participer"});
      changed("minimum_age", after.minimum_age != before.minimum_age,
              {"The minimum age", "L'âge minimum"});
      changed("vote_open", after.schedule.vote_open != before.schedule.vote_open,
              {"The opening of the vote", "L'ouverture du vote"});
      changed("proposals_open",
              after.schedule.proposals_open != before.schedule.proposals_open ||
                  after.schedule.review_open != before.schedule.review_open,
              {"The proposal and review dates", "Les dates des propositions et de l'analyse"});
    }
    if (phase >= Phase::Results) {
      if (after.schedule.vote_close != before.schedule.vote_close)
        out.errors["vote_close"] = {
            "The close of the vote cannot change once the vote has closed.",
            "La clôture du vote ne peut plus changer une fois le vote clos."};
    } else if (phase == Phase::Vote && after.schedule.vote_close != before.schedule.vote_close &&
               after.schedule.vote_close < now) {
      out.errors["vote_close"] = {
          "The close of the vote cannot be moved into the past; to close it now, use "
          "\"Open the next phase now\".",
          "La clôture du vote ne peut pas être placée dans le passé\u202f; pour clore maintenant, "
          "utilisez «\u202fOuvrir la phase suivante maintenant\u202f»."};
    }
  }
  for (std::size_t i = 0; i < after.units.size() && i < before.units.size(); ++i)
    after.units[i].id = before.units[i].id;
  return out;
}

ProcessForm form_of(const Process& p) {
  ProcessForm form;
  form.slug = p.slug;
  form.title_fr = p.title_fr;
  form.title_en = p.title_en;
  form.description_fr = p.description_fr;
  form.description_en = p.description_en;
  form.total_amount = std::to_string(p.total_amount);
  for (const Unit& unit : p.units) {
    if (unit.city_wide())
      form.city_wide_amount = std::to_string(unit.amount);
    else
      form.district_amounts[unit.slug] = std::to_string(unit.amount);
  }
  // Midnight dates show as dates; a time set by "open the next phase now" shows with its time.
  form.proposals_open = typed_phase_date(p.schedule.proposals_open);
  form.review_open = typed_phase_date(p.schedule.review_open);
  form.vote_open = typed_phase_date(p.schedule.vote_open);
  form.vote_close = typed_phase_date(p.schedule.vote_close, true);
  form.implementation_open = typed_phase_date(p.schedule.implementation_open);
  form.scope = std::string(scope_name(p.scope));
  form.minimum_age = std::to_string(p.minimum_age);
  form.ballot_type = std::string(ballot_type_name(p.ballot_type));
  form.min_choices = std::to_string(p.min_choices);
  form.max_choices = std::to_string(p.max_choices);
  form.points_total = std::to_string(p.points_total);
  form.rule = std::string(rule_name(p.rule));
  return form;
}

std::optional<Schedule> open_next_phase(const Schedule& schedule, const std::string& now) {
  Schedule next = schedule;
  std::string* order[] = {&next.proposals_open, &next.review_open, &next.vote_open,
                          &next.vote_close, &next.implementation_open};
  for (std::size_t i = 0; i < std::size(order); ++i) {
    if (*order[i] <= now) continue;
    *order[i] = now;
    return next;
  }
  return std::nullopt;
}

NextPhaseEffect next_phase_effect(Phase next, const Schedule& after) {
  switch (next) {
    case Phase::Upcoming:
      break;
    case Phase::Proposals:
      return {{"Residents will be able to submit projects at once.",
               "Les habitants pourront déposer des projets dès maintenant."}};
    case Phase::Review: {
      return {{"Proposals will close: no project can be submitted or changed any more, and the "
               "review of the projects begins.",
               "Les propositions seront closes\u202f: plus aucun projet ne pourra être déposé ni "
               "modifié, et l’analyse des projets commence."},
              true};
    }
    case Phase::Vote: {
      const Text until = display_deadline(after.vote_close);
      return {{"The vote will open: the reviews can no longer change, and residents will be able "
               "to vote until " +
                   until.en + ".",
               "Le vote s’ouvrira\u202f: les analyses ne pourront plus changer, et les habitants "
               "pourront voter jusqu’au " +
                   until.fr + "."},
              true};
    }
    case Phase::Results:
      return {{"The vote will close: no ballot will be taken any more, online or at the counter, "
               "and the count will run.",
               "Le vote sera clos\u202f: plus aucun bulletin ne sera reçu, en ligne ni au guichet, "
               "et le dépouillement commencera."},
              true};
    case Phase::Implementation:
      return {{"Implementation will begin: the funded projects' tracking is shown to everyone.",
               "La réalisation commencera\u202f: le suivi des projets financés est montré à "
               "tous."}};
  }
  return {{"", ""}};
}

}  // namespace fabrique::budgets
