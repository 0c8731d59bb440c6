#include "budgets/ballot_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "core/text.hpp"
#include "residency/rules.hpp"

namespace fabrique::budgets {

namespace {

// A whole number, possibly negative; nullopt when the text is not one.
std::optional<std::int64_t> whole_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// a + b, b ≥ 0, stopping at the largest value: a tampered form or a paper
// ballot's line may give any number of points.
std::int64_t add_points(std::int64_t a, std::int64_t b) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  return b > kMax - a ? kMax : a + b;
}

// How messages name a project: its title and number.
std::string project_en(const Project& project) {
  return fmt::format("“{}” (no. {})", project.title, project.id);
}
std::string project_fr(const Project& project) {
  return fmt::format("«\u202f{}\u202f» (no {})", project.title, project.id);
}
Text named(std::int64_t id, const ProjectIndex& projects) {
  const auto found = projects.find(id);
  if (found == projects.end())
    return {fmt::format("project no. {}", id), fmt::format("projet no {}", id)};
  return {project_en(found->second), project_fr(found->second)};
}

std::string projects_en(std::int64_t n) {
  return n == 1 ? "1 project" : fmt::format("{} projects", n);
}
std::string projects_fr(std::int64_t n) {
  return n == 1 ? "1 projet" : fmt::format("{} projets", n);
}
std::string points_en(std::int64_t n) { return n == 1 ? "1 point" : fmt::format("{} points", n); }
std::string points_fr(std::int64_t n) { return n == 1 ? "1 point" : fmt::format("{} points", n); }

Text empty_ballot(BallotType type) {
  switch (type) {
    case BallotType::Cumulative:
      return {"Your ballot is empty: give points to at least one project.",
              "Votre bulletin est vide\u202f: donnez des points à au moins un projet."};
    case BallotType::Ranked:
      return {"Your ballot is empty: rank at least one project.",
              "Votre bulletin est vide\u202f: classez au moins un projet."};
    case BallotType::Approval:
    case BallotType::Knapsack:
      break;
  }
  return {"Your ballot is empty: choose at least one project.",
          "Votre bulletin est vide\u202f: choisissez au moins un projet."};
}

// Why a project cannot be on this unit's ballot, or nullopt when it can.
std::optional<Text> project_problem(std::int64_t id, const Process& process, const Unit& unit,
                                    const ProjectIndex& projects) {
  const auto found = projects.find(id);
  if (found == projects.end() || found->second.process_id != process.id)
    return Text{fmt::format("There is no project number {} in this participatory budget.", id),
                fmt::format("Il n'y a pas de projet numéro {} dans ce budget participatif.", id)};
  const Project& project = found->second;
  if (project.unit_id != unit.id) {
    const Unit* other = process.unit(project.unit_id);
    const std::string other_en = other ? other->name_en : "another budget";
    const std::string other_fr = other ? other->name_fr : "un autre budget";
    return Text{fmt::format("{} is a project of {}: it is not on the ballot of {}.",
                            project_en(project), other_en, unit.name_en),
                fmt::format("{} est un projet de {}\u202f: il ne figure pas sur le bulletin de {}.",
                            project_fr(project), other_fr, unit.name_fr)};
  }
  switch (project.status) {
    case ReviewStatus::Feasible:
      return std::nullopt;
    case ReviewStatus::Infeasible:
      return Text{
          fmt::format("{} was found not feasible: it is not on the ballot.", project_en(project)),
          fmt::format("{} a été jugé non réalisable\u202f: il ne figure pas sur le bulletin.",
                      project_fr(project))};
    case ReviewStatus::Merged:
      return Text{
          fmt::format("{} was merged with a similar project: it is not on the ballot.",
                      project_en(project)),
          fmt::format("{} a été fusionné avec un projet semblable\u202f: il ne figure pas sur "
                      "le bulletin.",
                      project_fr(project))};
    case ReviewStatus::Submitted:
      break;
  }
  return Text{fmt::format("{} was not reviewed: it is not on the ballot.", project_en(project)),
              fmt::format("{} n'a pas été analysé\u202f: il ne figure pas sur le bulletin.",
                          project_fr(project))};
}

// The rules on the ballot's size, cost and points, for choices that are all
// on the ballot.
std::vector<Text> rule_problems(const Process& process, const Unit& unit,
                                const ProjectIndex& projects, const std::vector<Choice>& choices) {
  std::vector<Text> out;
  const auto n = static_cast<std::int64_t>(choices.size());
  const std::int64_t min = process.min_choices;
  const std::int64_t max = process.max_choices;
  switch (process.ballot_type) {
    case BallotType::Approval:
      if (n < min)
        out.push_back({fmt::format("Choose at least {}; your ballot has {}.", projects_en(min), n),
                       fmt::format("Choisissez au moins {}\u202f; votre bulletin en a {}.",
                                   projects_fr(min), n)});
      if (n > max)
        out.push_back(
            {fmt::format("Choose at most {}; your ballot has {}: remove {}.", projects_en(max), n,
                         n - max),
             fmt::format(
                 "Choisissez au plus {}\u202f; votre bulletin en a {}\u202f: retirez-en {}.",
                 projects_fr(max), n, n - max)});
      break;
    case BallotType::Ranked:
      if (n < min)
        out.push_back({fmt::format("Rank at least {}; you ranked {}.", projects_en(min), n),
                       fmt::format("Classez au moins {}\u202f; vous en avez classé {}.",
                                   projects_fr(min), n)});
      if (n > max)
        out.push_back(
            {fmt::format("Rank at most {}; you ranked {}: take {} out of the ranking.",
                         projects_en(max), n, n - max),
             fmt::format("Classez au plus {}\u202f; vous en avez classé {}\u202f: retirez-en {} "
                         "du classement.",
                         projects_fr(max), n, n - max)});
      break;
    case BallotType::Knapsack: {
      const Meter meter = budget_meter(process, unit, projects, choices);
      if (meter.over)
        out.push_back(
            {fmt::format("The projects you chose cost {}, which is {} more than the budget of {} "
                         "({}). Remove projects until the total fits.",
                         format_amount(meter.total, Lang::En),
                         format_amount(meter.over_by, Lang::En), unit.name_en,
                         format_amount(meter.amount, Lang::En)),
             fmt::format(
                 "Les projets choisis coûtent {}, soit {} de plus que le budget de {} ({}). "
                 "Retirez des projets jusqu'à ce que le total tienne.",
                 format_amount(meter.total, Lang::Fr), format_amount(meter.over_by, Lang::Fr),
                 unit.name_fr, format_amount(meter.amount, Lang::Fr))});
      break;
    }
    case BallotType::Cumulative: {
      std::int64_t used = 0;
      for (const Choice& choice : choices)
        used = add_points(used, std::max<std::int64_t>(choice.points, 0));
      if (used > process.points_total)
        out.push_back(
            {fmt::format("You gave {}, but you have {}: take away {}.", points_en(used),
                         points_en(process.points_total), points_en(used - process.points_total)),
             fmt::format("Vous avez donné {}, mais vous en avez {}\u202f: retirez-en {}.",
                         points_fr(used), points_fr(process.points_total),
                         points_fr(used - process.points_total))});
      break;
    }
  }
  return out;
}

// What a form holds for one ballot, before the projects are looked at.
struct RawBallot {
  std::vector<Choice> choices;  // in ballot order (by id; by rank when ranked)
  std::map<std::int64_t, std::string> entered;
  std::vector<BallotError> errors;
};

RawBallot read_approval(const FormFields& fields, std::string_view prefix) {
  RawBallot raw;
  const std::string name = project_field(prefix);
  const std::string whole = choices_field(prefix);
  std::set<std::int64_t> ids;
  std::size_t count = 0;
  for (const auto& [field, value] : fields) {
    if (field != name) continue;
    if (++count > kMaxBallotEntries) {
      raw.errors.push_back(
          {whole, {"The ballot holds too many choices.", "Le bulletin contient trop de choix."}});
      break;
    }
    const auto id = parse_project_id(value);
    if (!id) {
      raw.errors.push_back(
          {whole,
           {fmt::format("A choice of the ballot (“{}”) is not a project number.", quotable(value)),
            fmt::format("Un choix du bulletin («\u202f{}\u202f») n'est pas un numéro de projet.",
                        quotable(value))}});
      continue;
    }
    ids.insert(*id);  // a project ticked twice is chosen once
    raw.entered[*id] = "1";
  }
  for (std::int64_t id : ids) raw.choices.push_back({id, 1});
  return raw;
}

// Cumulative points or ranks: PREFIX + stem + ID = number.
struct NumberEntry {
  std::int64_t id = 0;
  std::int64_t value = 0;
};

std::vector<NumberEntry> read_numbers(const FormFields& fields, std::string_view prefix,
                                      std::string_view stem, bool ranks,
                                      const ProjectIndex& projects, RawBallot& raw) {
  const std::string start = std::string(prefix) + std::string(stem);
  const std::string whole = choices_field(prefix);
  std::vector<NumberEntry> out;
  std::size_t count = 0;
  for (const auto& [field, value] : fields) {
    if (!field.starts_with(start)) continue;
    if (++count > kMaxBallotEntries) {
      raw.errors.push_back(
          {whole, {"The ballot holds too many choices.", "Le bulletin contient trop de choix."}});
      break;
    }
    const auto id = parse_project_id(std::string_view(field).substr(start.size()));
    if (!id) {
      raw.errors.push_back({whole,
                            {"A field of the ballot does not name a project.",
                             "Un champ du bulletin ne désigne aucun projet."}});
      continue;
    }
    if (raw.entered.contains(*id)) continue;  // the first value counts, as for any field
    raw.entered[*id] = value;
    const std::string_view text = trim(value);
    if (text.empty()) continue;
    const Text project = named(*id, projects);
    const std::string at = input_id(prefix, *id);
    const auto number = whole_number(text);
    if (!number) {
      raw.errors.push_back(
          {at, ranks ? Text{fmt::format("Rank of {}: write a whole number, 1 for your favourite "
                                        "(found “{}”).",
                                        project.en, quotable(text)),
                            fmt::format(
                                "Rang de {}\u202f: écrivez un nombre entier, 1 pour votre préféré "
                                "(«\u202f{}\u202f» trouvé).",
                                project.fr, quotable(text))}
                     : Text{fmt::format("Points for {}: write a whole number, like 2 (found “{}”).",
                                        project.en, quotable(text)),
                            fmt::format("Points pour {}\u202f: écrivez un nombre entier, comme 2 "
                                        "(«\u202f{}\u202f» "
                                        "trouvé).",
                                        project.fr, quotable(text))}});
      continue;
    }
    if (*number < 0 || (ranks && *number == 0)) {
      raw.errors.push_back(
          {at,
           ranks
               ? Text{fmt::format("Rank of {}: ranks start at 1 (your favourite).", project.en),
                      fmt::format("Rang de {}\u202f: les rangs commencent à 1 (votre préféré).",
                                  project.fr)}
               : Text{fmt::format("Points for {}: points cannot be negative.", project.en),
                      fmt::format("Points pour {}\u202f: les points ne peuvent pas être négatifs.",
                                  project.fr)}});
      continue;
    }
    if (*number == 0) continue;  // no points: not chosen
    out.push_back({*id, *number});
  }
  return out;
}

RawBallot read_cumulative(const FormFields& fields, std::string_view prefix,
                          const ProjectIndex& projects) {
  RawBallot raw;
  auto entries = read_numbers(fields, prefix, "points_", false, projects, raw);
  std::sort(entries.begin(), entries.end(),
            [](const NumberEntry& a, const NumberEntry& b) { return a.id < b.id; });
  for (const NumberEntry& e : entries) raw.choices.push_back({e.id, e.value});
  return raw;
}

RawBallot read_ranked(const FormFields& fields, std::string_view prefix,
                      const ProjectIndex& projects) {
  RawBallot raw;
  auto entries = read_numbers(fields, prefix, "rank_", true, projects, raw);
  std::sort(entries.begin(), entries.end(), [](const NumberEntry& a, const NumberEntry& b) {
    return a.value != b.value ? a.value < b.value : a.id < b.id;
  });
  const std::string whole = choices_field(prefix);
  for (std::size_t i = 0; i + 1 < entries.size(); ++i) {
    if (entries[i].value != entries[i + 1].value) continue;
    const Text a = named(entries[i].id, projects);
    const Text b = named(entries[i + 1].id, projects);
    raw.errors.push_back(
        {whole,
         {fmt::format("Rank {} is given to more than one project ({} and {}): each rank once.",
                      entries[i].value, a.en, b.en),
          fmt::format("Le rang {} est donné à plusieurs projets ({} et {})\u202f: chaque rang une "
                      "seule fois.",
                      entries[i].value, a.fr, b.fr)}});
    break;
  }
  std::int64_t expected = 1;
  for (const NumberEntry& e : entries) {
    if (e.value > expected) {
      raw.errors.push_back(
          {whole,
           {fmt::format("Ranks go 1, 2, 3… without gaps: rank {} is missing.", expected),
            fmt::format("Les rangs se suivent 1, 2, 3… sans trou\u202f: le rang {} manque.",
                        expected)}});
      break;
    }
    expected = e.value + 1;
  }
  for (const NumberEntry& e : entries) raw.choices.push_back({e.id, 1});
  return raw;
}

}  // namespace

std::string choices_field(std::string_view prefix) { return std::string(prefix) + "choices"; }
std::string project_field(std::string_view prefix) { return std::string(prefix) + "project"; }
std::string points_field(std::string_view prefix, std::int64_t project_id) {
  return std::string(prefix) + "points_" + std::to_string(project_id);
}
std::string rank_field(std::string_view prefix, std::int64_t project_id) {
  return std::string(prefix) + "rank_" + std::to_string(project_id);
}
std::string input_id(std::string_view prefix, std::int64_t project_id) {
  return std::string(prefix) + "choice-" + std::to_string(project_id);
}

std::vector<std::int64_t> projects_named(const FormFields& fields, std::string_view prefix) {
  const std::string approval = project_field(prefix);
  const std::string points = std::string(prefix) + "points_";
  const std::string ranks = std::string(prefix) + "rank_";
  std::set<std::int64_t> ids;
  for (const auto& [field, value] : fields) {
    if (ids.size() == kMaxBallotEntries) break;
    std::optional<std::int64_t> id;
    if (field == approval)
      id = parse_project_id(value);
    else if (field.starts_with(points))
      id = parse_project_id(std::string_view(field).substr(points.size()));
    else if (field.starts_with(ranks))
      id = parse_project_id(std::string_view(field).substr(ranks.size()));
    if (id) ids.insert(*id);
  }
  return {ids.begin(), ids.end()};
}

bool left_blank(const BallotEntry& entry) {
  return std::all_of(entry.entered.begin(), entry.entered.end(), [](const auto& item) {
    const std::string_view value = trim(item.second);
    return value.empty() || value == "0";
  });
}

bool on_ballot(const Project& project, const Unit& unit) {
  return project.unit_id == unit.id && project.status == ReviewStatus::Feasible;
}

std::vector<BallotError> check_choices(const Process& process, const Unit& unit,
                                       const ProjectIndex& projects,
                                       const std::vector<Choice>& choices) {
  std::vector<BallotError> errors;
  const std::string whole = choices_field("");
  if (choices.empty()) {
    errors.push_back({whole, empty_ballot(process.ballot_type)});
    return errors;
  }
  if (choices.size() > kMaxBallotEntries) {
    errors.push_back(
        {whole, {"The ballot holds too many choices.", "Le bulletin contient trop de choix."}});
    return errors;
  }
  std::set<std::int64_t> seen;
  for (const Choice& choice : choices) {
    if (!seen.insert(choice.project_id).second) {
      const Text project = named(choice.project_id, projects);
      errors.push_back({whole,
                        {fmt::format("{} is on the ballot more than once.", project.en),
                         fmt::format("{} figure plusieurs fois sur le bulletin.", project.fr)}});
      continue;
    }
    if (auto problem = project_problem(choice.project_id, process, unit, projects)) {
      errors.push_back({whole, std::move(*problem)});
    }
    if (choice.points < 1 ||
        (process.ballot_type != BallotType::Cumulative && choice.points != 1)) {
      const Text project = named(choice.project_id, projects);
      errors.push_back(
          {whole,
           {fmt::format("Points for {}: a whole number of at least 1.", project.en),
            fmt::format("Points pour {}\u202f: un nombre entier d'au moins 1.", project.fr)}});
    }
  }
  // The size, cost and points rules also hold when some choice is refused:
  // the voter then sees every problem at once.
  for (Text& problem : rule_problems(process, unit, projects, choices))
    errors.push_back({whole, std::move(problem)});
  return errors;
}

BallotEntry check_ballot(const Process& process, const Unit& unit, const ProjectIndex& projects,
                         const FormFields& fields, std::string_view prefix) {
  RawBallot raw;
  switch (process.ballot_type) {
    case BallotType::Approval:
    case BallotType::Knapsack:
      raw = read_approval(fields, prefix);
      break;
    case BallotType::Cumulative:
      raw = read_cumulative(fields, prefix, projects);
      break;
    case BallotType::Ranked:
      raw = read_ranked(fields, prefix, projects);
      break;
  }
  BallotEntry entry;
  entry.entered = std::move(raw.entered);
  entry.errors = std::move(raw.errors);
  const std::string whole = choices_field(prefix);
  if (raw.choices.empty() && !entry.errors.empty()) return entry;  // the reading says why
  for (BallotError& error : check_choices(process, unit, projects, raw.choices)) {
    error.field = whole;
    entry.errors.push_back(std::move(error));
  }
  for (const Choice& choice : raw.choices) {
    const auto found = projects.find(choice.project_id);
    if (found != projects.end() && on_ballot(found->second, unit)) entry.choices.push_back(choice);
  }
  return entry;
}

Text ballot_instructions(const Process& process, const Unit& unit) {
  const int min = process.min_choices;
  const int max = process.max_choices;
  switch (process.ballot_type) {
    case BallotType::Approval:
      if (min == max)
        return {fmt::format("Choose {}.", projects_en(min)),
                fmt::format("Choisissez {}.", projects_fr(min))};
      return {fmt::format("Choose {} to {} projects.", min, max),
              fmt::format("Choisissez de {} à {} projets.", min, max)};
    case BallotType::Knapsack:
      return {fmt::format("Choose the projects you want, as long as their total cost stays within "
                          "the budget of {}: {}.",
                          unit.name_en, format_amount(unit.amount, Lang::En)),
              fmt::format("Choisissez les projets que vous voulez, tant que leur coût total reste "
                          "dans le budget de {}\u202f: {}.",
                          unit.name_fr, format_amount(unit.amount, Lang::Fr))};
    case BallotType::Cumulative:
      return {
          fmt::format("Share up to {} among the projects: more points for those you like "
                      "most. Leave a project empty to give it none.",
                      points_en(process.points_total)),
          fmt::format("Répartissez jusqu'à {} entre les projets\u202f: plus de points pour ceux "
                      "que vous préférez. Laissez un projet vide pour ne rien lui donner.",
                      points_fr(process.points_total))};
    case BallotType::Ranked:
      if (min == max)
        return {
            fmt::format("Rank {}: 1 for your favourite, then 2, 3…", projects_en(min)),
            fmt::format("Classez {}\u202f: 1 pour votre préféré, puis 2, 3…", projects_fr(min))};
      return {fmt::format("Rank {} to {} projects: 1 for your favourite, then 2, 3…", min, max),
              fmt::format("Classez de {} à {} projets\u202f: 1 pour votre préféré, puis 2, 3…", min,
                          max)};
  }
  return {"", ""};
}

Meter budget_meter(const Process& process, const Unit& unit, const ProjectIndex& projects,
                   const std::vector<Choice>& choices) {
  Meter meter;
  meter.amount = unit.amount;
  meter.points_total = process.points_total;
  std::set<std::int64_t> counted;
  for (const Choice& choice : choices) {
    const auto found = projects.find(choice.project_id);
    if (found == projects.end() || !on_ballot(found->second, unit)) continue;
    if (!counted.insert(choice.project_id).second) continue;
    meter.total += found->second.cost();
    ++meter.chosen;
    meter.points_used = add_points(meter.points_used, std::max<std::int64_t>(choice.points, 0));
  }
  meter.remaining = std::max<Amount>(meter.amount - meter.total, 0);
  meter.over_by = std::max<Amount>(meter.total - meter.amount, 0);
  meter.over = meter.total > meter.amount;
  meter.percent = meter.amount > 0
                      ? static_cast<int>(std::min<Amount>(meter.total * 100 / meter.amount, 999))
                      : 0;
  meter.points_left = std::max<std::int64_t>(meter.points_total - meter.points_used, 0);
  return meter;
}

bool matches_filter(const Project& project, std::string_view search,
                    std::optional<Amount> max_cost) {
  if (max_cost && project.cost() > *max_cost) return false;
  const std::string words = ascii_lower(trim(search));
  if (words.empty()) return true;
  return ascii_lower(project.title).find(words) != std::string::npos ||
         ascii_lower(project.description).find(words) != std::string::npos;
}

std::map<std::int64_t, std::string> entered_of(BallotType type,
                                               const std::vector<Choice>& choices) {
  std::map<std::int64_t, std::string> out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const Choice& choice = choices[i];
    switch (type) {
      case BallotType::Approval:
      case BallotType::Knapsack:
        out[choice.project_id] = "1";
        break;
      case BallotType::Cumulative:
        out[choice.project_id] = std::to_string(choice.points);
        break;
      case BallotType::Ranked:
        out[choice.project_id] = std::to_string(i + 1);
        break;
    }
  }
  return out;
}

std::optional<std::int64_t> parse_project_id(std::string_view text) {
  const auto value = whole_number(trim(text));
  if (!value || *value <= 0) return std::nullopt;
  return value;
}

}  // namespace fabrique::budgets
