#include "budgets/count.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <random>

#include "core/time.hpp"
#include "pb/explain.hpp"
#include "pb/pabulib.hpp"

namespace fabrique::budgets {

namespace json = boost::json;

namespace {

// "2026-03-01T00:00:00Z" → "01.03.2026", pabulib's date form. A vote
// closing at midnight ended the day before.
std::string pabulib_date(const std::string& iso, bool end_of_period) {
  auto at = parse_iso8601(iso);
  if (!at) return iso.substr(0, 10);
  if (end_of_period) *at -= std::chrono::seconds(1);
  const std::string day = iso8601(*at);
  return day.substr(8, 2) + "." + day.substr(5, 2) + "." + day.substr(0, 4);
}

pb::VoteType vote_type_of(BallotType type) {
  switch (type) {
    case BallotType::Cumulative:
      return pb::VoteType::Cumulative;
    case BallotType::Ranked:
      return pb::VoteType::Ordinal;
    case BallotType::Approval:
    case BallotType::Knapsack:
      break;
  }
  return pb::VoteType::Approval;  // a knapsack ballot approves the projects it holds
}

std::vector<const Project*> feasible_projects(const Unit& unit,
                                              const std::vector<Project>& projects) {
  std::vector<const Project*> out;
  for (const Project& p : projects)
    if (p.unit_id == unit.id && p.status == ReviewStatus::Feasible) out.push_back(&p);
  std::sort(out.begin(), out.end(),
            [](const Project* a, const Project* b) { return a->id < b->id; });
  return out;
}

void add_meta(pb::Election& e, std::string key, std::string value) {
  e.meta.push_back({std::move(key), std::move(value)});
}

void add_meta(pb::Election& e, std::string key, std::int64_t value) {
  add_meta(e, std::move(key), std::to_string(value));
}

// One stored ballot as a pabulib ballot (voter id given later). Ranked
// ballots keep the voter's order; others are sets, written in project order
// so that the order of choosing tells nothing.
pb::Ballot to_ballot(const StoredBallot& stored,
                     const std::map<std::int64_t, pb::ProjectIndex>& index, bool ranked,
                     bool with_points, const Unit& unit) {
  std::vector<std::pair<pb::ProjectIndex, std::int64_t>> entries;
  for (const Choice& choice : stored.choices) {
    const auto found = index.find(choice.project_id);
    if (found == index.end())
      throw CountError({fmt::format("A ballot of {} names project {}, which was not on its ballot.",
                                    unit.name_en, choice.project_id),
                        fmt::format("Un bulletin de {} nomme le projet {}, qui n'y figurait pas.",
                                    unit.name_fr, choice.project_id)});
    entries.emplace_back(found->second, choice.points);
  }
  if (!ranked) std::sort(entries.begin(), entries.end());
  pb::Ballot ballot;
  for (const auto& [project, points] : entries) {
    ballot.projects.push_back(project);
    if (with_points) ballot.points.push_back(points);
  }
  return ballot;
}

Text rule_failure(const Unit& unit, const Text& reason) {
  return {fmt::format("The count of {} failed: {}", unit.name_en, reason.en),
          fmt::format("Le dépouillement de {} a échoué\u202f: {}", unit.name_fr, reason.fr)};
}

std::int64_t project_id_of(const std::string& id) {
  try {
    std::size_t used = 0;
    const std::int64_t value = std::stoll(id, &used);
    if (used == id.size()) return value;
  } catch (const std::exception&) {
  }
  return 0;
}

json::object text_json(const Text& text) { return {{"fr", text.fr}, {"en", text.en}}; }

Text text_of(const json::object& object, std::string_view key) {
  const auto& t = object.at(key).as_object();
  return {std::string(t.at("en").as_string()), std::string(t.at("fr").as_string())};
}

// A .pb text read back and counted under its META `rule`, as
// `fabrique pb count --rule official` does.
struct OfficialCount {
  pb::Election election;
  pb::Outcome outcome;
};

OfficialCount count_text(const std::string& pabulib, const Unit& unit) {
  OfficialCount out;
  try {
    out.election = pb::read_pabulib(pabulib, unit.slug + ".pb").election;
    out.outcome = pb::official(out.election, pb::TieBreak::IdString, /*exact_reports=*/true);
  } catch (const pb::ParseError& error) {
    throw CountError(rule_failure(unit, error.reason_text()));
  } catch (const pb::RuleError& error) {
    throw CountError(rule_failure(unit, error.text()));
  }
  if (out.election.cost_scale != 1)  // Fabrique writes whole euros only
    throw CountError(rule_failure(unit, {"amounts are not whole euros", "montants non entiers"}));
  return out;
}

RuleOutcome rule_outcome(CountingRule rule, const pb::Election& e, const pb::Outcome& o) {
  RuleOutcome out;
  out.rule = rule;
  for (pb::ProjectIndex p : o.selected) out.funded.push_back(e.projects[p].id);
  out.total_cost = o.total_cost;
  return out;
}

// `e` under each rule a city may choose. With `counted` (the count of `e`
// under its META `rule`), that rule is not counted again: on a large vote a
// count of equal shares takes seconds.
std::vector<RuleOutcome> compare_election(pb::Election e, const pb::Outcome* counted) {
  const std::string* meta_rule = e.meta_value("rule");
  const std::string counted_rule = counted && meta_rule ? *meta_rule : std::string();
  std::vector<RuleOutcome> out;
  for (CountingRule rule :
       {CountingRule::Greedy, CountingRule::EqualShares, CountingRule::Phragmen}) {
    if (!counted_rule.empty() && pabulib_rule(rule) == counted_rule) {
      out.push_back(rule_outcome(rule, e, *counted));
      continue;
    }
    for (pb::MetaEntry& entry : e.meta)  // `e` is a copy: the official rule is the META's
      if (entry.key == "rule") entry.value = pabulib_rule(rule);
    try {
      out.push_back(rule_outcome(rule, e, pb::official(e, pb::TieBreak::IdString)));
    } catch (const pb::RuleError& error) {
      RuleOutcome refused;
      refused.rule = rule;
      refused.applies = false;
      refused.error = error.text();
      out.push_back(std::move(refused));
    }
  }
  return out;
}

// The result of an official count; `unit_projects` as for result_of_text.
UnitResult result_of_count(const OfficialCount& counted, const Unit& unit,
                           const std::vector<Project>& unit_projects) {
  const pb::Election& e = counted.election;
  const pb::Outcome& o = counted.outcome;
  const pb::Explanation fr = pb::explain(e, o, Lang::Fr);
  const pb::Explanation en = pb::explain(e, o, Lang::En);

  UnitResult r;
  r.unit_id = unit.id;
  r.unit_slug = unit.slug;
  r.rule = e.meta_value("rule") ? *e.meta_value("rule") : std::string();
  r.budget = e.budget;
  r.ballots = static_cast<std::int64_t>(e.ballots.size());
  r.total_cost = o.total_cost;
  r.summary = {en.summary, fr.summary};
  for (pb::ProjectIndex p : o.selected) r.funded.push_back(e.projects[p].id);

  std::vector<std::int64_t> points(e.projects.size(), 0);
  for (const pb::Ballot& ballot : e.ballots)
    for (std::size_t k = 0; k < ballot.points.size(); ++k)
      points[ballot.projects[k]] += ballot.points[k];
  for (pb::ProjectIndex p = 0; p < e.projects.size(); ++p) {
    const pb::ProjectReport& report = o.reports[p];
    ProjectResult project;
    project.id = e.projects[p].id;
    project.project_id = project_id_of(project.id);
    project.title = e.projects[p].name;
    project.cost = e.projects[p].cost;
    project.votes = report.supporters;
    if (e.has_points) project.points = points[p];
    project.selected = report.fate == pb::Fate::Selected;
    project.fate = fate_name(report.fate);
    project.round = report.round;
    project.explanation = {en.projects[p], fr.projects[p]};
    r.projects.push_back(std::move(project));
  }

  if (e.ballots.empty()) {
    r.summary = unit_projects.empty()
                    ? Text{"No project of this budget was found feasible: none was put to the "
                           "vote, and none is funded.",
                           "Aucun projet de ce budget n'a été jugé réalisable\u202f: aucun n'a été "
                           "soumis au vote, aucun n'est financé."}
                    : Text{"No ballot was cast for this budget: there was nothing to count, and "
                           "no project is funded.",
                           "Aucun bulletin n'a été déposé pour ce budget\u202f: il n'y avait rien à "
                           "dépouiller, et aucun projet n'est financé."};
    for (const Project& p : unit_projects) {
      if (r.project(std::to_string(p.id))) continue;
      ProjectResult project;
      project.id = std::to_string(p.id);
      project.project_id = p.id;
      project.title = p.title;
      project.cost = p.cost();
      project.fate = kNoBallotFate;
      project.explanation = {project.id + " (" + p.title + "): not funded: no ballot was cast.",
                             project.id + " (" + p.title +
                                 ")\u202f: non financé\u202f: aucun bulletin n'a été déposé."};
      r.projects.push_back(std::move(project));
    }
  }
  return r;
}

}  // namespace

const ProjectResult* UnitResult::project(const std::string& id) const {
  for (const ProjectResult& p : projects)
    if (p.id == id) return &p;
  return nullptr;
}

std::string_view fate_name(pb::Fate fate) {
  switch (fate) {
    case pb::Fate::Selected:
      return "selected";
    case pb::Fate::NoSupport:
      return "no-support";
    case pb::Fate::DidNotFit:
      return "did-not-fit";
    case pb::Fate::RanOutOfMoney:
      return "ran-out-of-money";
    case pb::Fate::StoppedBeforeTurn:
      return "stopped-before-turn";
    case pb::Fate::BelowThreshold:
      return "below-threshold";
    case pb::Fate::NotInOptimum:
      return "not-in-optimum";
    case pb::Fate::NotFeasible:
      return "not-feasible";
  }
  return "stopped-before-turn";
}

pb::Election build_election(const Process& process, const Unit& unit,
                            const std::vector<Project>& projects,
                            std::vector<StoredBallot> ballots) {
  pb::Election e;
  e.budget = unit.amount;
  e.vote_type = vote_type_of(process.ballot_type);
  e.has_points = process.ballot_type == BallotType::Cumulative;
  const bool ranked = process.ballot_type == BallotType::Ranked;
  const auto feasible =
      ballots.empty() ? std::vector<const Project*>{} : feasible_projects(unit, projects);

  std::map<std::int64_t, pb::ProjectIndex> index;
  for (const Project* p : feasible) {
    index[p->id] = static_cast<pb::ProjectIndex>(e.projects.size());
    pb::Project project;
    project.id = std::to_string(p->id);
    project.cost = p->cost();
    project.name = p->title;
    e.projects.push_back(std::move(project));
  }

  // The order of the rows says nothing either: a fresh random permutation.
  std::random_device entropy;
  std::mt19937_64 generator((static_cast<std::uint64_t>(entropy()) << 32) ^ entropy());
  std::shuffle(ballots.begin(), ballots.end(), generator);
  for (const StoredBallot& stored : ballots) {
    pb::Ballot ballot = to_ballot(stored, index, ranked, e.has_points, unit);
    ballot.voter_id = std::to_string(e.ballots.size() + 1);
    e.ballots.push_back(std::move(ballot));
  }

  add_meta(e, "description", process.title_fr);
  add_meta(e, "country", "France");
  add_meta(e, "unit", unit.name_fr);
  add_meta(e, "instance", process.slug);
  add_meta(e, "district", unit.slug);
  add_meta(e, "num_projects", static_cast<std::int64_t>(e.projects.size()));
  add_meta(e, "num_votes", static_cast<std::int64_t>(e.ballots.size()));
  add_meta(e, "budget", unit.amount);
  add_meta(e, "vote_type", pb::to_string(e.vote_type));
  add_meta(e, "rule", std::string(pabulib_rule(process.rule)));
  add_meta(e, "date_begin", pabulib_date(process.schedule.vote_open, false));
  add_meta(e, "date_end", pabulib_date(process.schedule.vote_close, true));
  switch (process.ballot_type) {
    case BallotType::Approval:
    case BallotType::Ranked:
      e.min_length = process.min_choices;
      e.max_length = process.max_choices;
      add_meta(e, "min_length", process.min_choices);
      add_meta(e, "max_length", process.max_choices);
      break;
    case BallotType::Cumulative:
      e.max_sum_points = process.points_total;
      add_meta(e, "max_sum_points", process.points_total);
      break;
    case BallotType::Knapsack:
      add_meta(e, "max_sum_cost", unit.amount);
      break;
  }
  add_meta(e, "currency", "EUR");
  return e;
}

CountedUnit count_unit(const Process& process, const Unit& unit,
                       const std::vector<Project>& projects, std::vector<StoredBallot> ballots) {
  CountedUnit counted;
  counted.pabulib = pb::write_pabulib(build_election(process, unit, projects, std::move(ballots)));
  std::vector<Project> unit_projects;
  for (const Project* p : feasible_projects(unit, projects)) unit_projects.push_back(*p);
  OfficialCount official = count_text(counted.pabulib, unit);
  counted.result = result_of_count(official, unit, unit_projects);
  counted.comparison = compare_election(std::move(official.election), &official.outcome);
  return counted;
}

UnitResult result_of_text(const std::string& pabulib, const Unit& unit,
                          const std::vector<Project>& unit_projects) {
  return result_of_count(count_text(pabulib, unit), unit, unit_projects);
}

json::value to_json(const UnitResult& r) {
  json::array funded;
  for (const std::string& id : r.funded) funded.emplace_back(id);
  json::array projects;
  for (const ProjectResult& p : r.projects) {
    json::object item{
        {"id", p.id},     {"project_id", p.project_id}, {"title", p.title},
        {"cost", p.cost}, {"votes", p.votes},           {"selected", p.selected},
        {"fate", p.fate}, {"round", p.round},           {"explanation", text_json(p.explanation)}};
    if (p.points) item["points"] = *p.points;
    projects.push_back(std::move(item));
  }
  return json::object{{"unit_id", r.unit_id},
                      {"district", r.unit_slug},
                      {"rule", r.rule},
                      {"budget", r.budget},
                      {"ballots", r.ballots},
                      {"funded", std::move(funded)},
                      {"total_cost", r.total_cost},
                      {"summary", text_json(r.summary)},
                      {"projects", std::move(projects)}};
}

UnitResult unit_result_from_json(const json::value& value) {
  try {
    const json::object& o = value.as_object();
    UnitResult r;
    r.unit_id = o.at("unit_id").to_number<std::int64_t>();
    r.unit_slug = o.at("district").as_string();
    r.rule = o.at("rule").as_string();
    r.budget = o.at("budget").to_number<std::int64_t>();
    r.ballots = o.at("ballots").to_number<std::int64_t>();
    for (const auto& id : o.at("funded").as_array()) r.funded.emplace_back(id.as_string());
    r.total_cost = o.at("total_cost").to_number<std::int64_t>();
    r.summary = text_of(o, "summary");
    for (const auto& item : o.at("projects").as_array()) {
      const json::object& p = item.as_object();
      ProjectResult project;
      project.id = p.at("id").as_string();
      project.project_id = p.at("project_id").to_number<std::int64_t>();
      project.title = p.at("title").as_string();
      project.cost = p.at("cost").to_number<std::int64_t>();
      project.votes = p.at("votes").to_number<std::int64_t>();
      if (const auto* points = p.if_contains("points"))
        project.points = points->to_number<std::int64_t>();
      project.selected = p.at("selected").as_bool();
      project.fate = p.at("fate").as_string();
      project.round = static_cast<int>(p.at("round").to_number<std::int64_t>());
      project.explanation = text_of(p, "explanation");
      r.projects.push_back(std::move(project));
    }
    return r;
  } catch (const std::exception& error) {
    throw CountError({std::string("A stored result is damaged: ") + error.what(),
                      std::string("Un résultat enregistré est endommagé\u202f: ") + error.what()});
  }
}

std::vector<RuleOutcome> compare(const std::string& pabulib) {
  try {
    return compare_election(pb::read_pabulib(pabulib, "comparison.pb").election, nullptr);
  } catch (const pb::ParseError& error) {
    throw CountError({"The stored file cannot be read: " + error.reason_text().en,
                      "Le fichier enregistré est illisible\u202f: " + error.reason_text().fr});
  }
}

json::value to_json(const std::vector<RuleOutcome>& comparison) {
  json::array out;
  for (const RuleOutcome& o : comparison) {
    json::array funded;
    for (const std::string& id : o.funded) funded.emplace_back(id);
    json::object item{{"rule", rule_name(o.rule)},
                      {"applies", o.applies},
                      {"funded", std::move(funded)},
                      {"total_cost", o.total_cost}};
    if (!o.applies) item["error"] = text_json(o.error);
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<RuleOutcome> comparison_from_json(const json::value& value) {
  try {
    std::vector<RuleOutcome> out;
    for (const auto& item : value.as_array()) {
      const json::object& o = item.as_object();
      RuleOutcome outcome;
      const auto rule = parse_rule(std::string_view(o.at("rule").as_string()));
      if (!rule) throw std::invalid_argument("unknown rule");
      outcome.rule = *rule;
      outcome.applies = o.at("applies").as_bool();
      if (!outcome.applies) outcome.error = text_of(o, "error");
      for (const auto& id : o.at("funded").as_array()) outcome.funded.emplace_back(id.as_string());
      outcome.total_cost = o.at("total_cost").to_number<std::int64_t>();
      out.push_back(std::move(outcome));
    }
    return out;
  } catch (const std::exception& error) {
    throw CountError(
        {std::string("A stored comparison is damaged: ") + error.what(),
         std::string("Une comparaison enregistrée est endommagée\u202f: ") + error.what()});
  }
}

}  // namespace fabrique::budgets
