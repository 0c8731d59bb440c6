#include "budgets/pages.hpp"

#include <boost/json.hpp>

#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "web/view.hpp"

namespace fabrique::budgets {

namespace json = boost::json;

namespace {

constexpr std::size_t kDescriptionShown = 240;  // bytes of a description on the ballot

std::string shortened(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// The ballot's candidates in the order the page lists them (title, id).
std::vector<const Project*> candidates(const ProjectIndex& projects, const Unit& unit) {
  std::vector<const Project*> out;
  for (const auto& [id, project] : projects)
    if (on_ballot(project, unit)) out.push_back(&project);
  std::sort(out.begin(), out.end(), [](const Project* a, const Project* b) {
    return a->title != b->title ? a->title < b->title : a->id < b->id;
  });
  return out;
}

// The hidden inputs that carry a choice the page does not show.
void add_hidden(json::array& hidden, const Process& process, const std::string& prefix,
                std::int64_t id, const std::string& value, Amount cost) {
  std::string name;
  switch (process.ballot_type) {
    case BallotType::Approval:
    case BallotType::Knapsack:
      hidden.push_back(json::object{
          {"name", project_field(prefix)}, {"value", std::to_string(id)}, {"cost", cost}});
      return;
    case BallotType::Cumulative:
      name = points_field(prefix, id);
      break;
    case BallotType::Ranked:
      name = rank_field(prefix, id);
      break;
  }
  hidden.push_back(json::object{{"name", name}, {"value", value}, {"cost", cost}});
}

}  // namespace

std::optional<Process> process_of(web::Context& ctx) {
  const auto slug = ctx.request.params.find("slug");
  if (slug == ctx.request.params.end()) return std::nullopt;
  return find_process(ctx.db, slug->second);
}

http::Response process_not_found(web::Context& ctx) {
  return ctx.error(
      404, {"There is no such participatory budget.", "Ce budget participatif n'existe pas."});
}

http::Response project_not_found(web::Context& ctx) {
  return ctx.error(404, {"There is no such project in this participatory budget.",
                         "Ce projet n'existe pas dans ce budget participatif."});
}

http::Response not_allowed(web::Context& ctx) {
  return ctx.error(403, {"Your account does not give access to this page.",
                         "Votre compte ne donne pas accès à cette page."});
}

Phase current_phase(const Process& process) { return phase_at(process.schedule, now_iso8601()); }

json::object process_view(const Process& process, Lang lang) {
  const Phase phase = current_phase(process);
  json::object phase_view{{"name", phase_name(phase)},
                          {"label", phase_label(phase).in(lang)},
                          {"explanation", phase_explanation(phase).in(lang)}};
  for (Phase p : {Phase::Upcoming, Phase::Proposals, Phase::Review, Phase::Vote, Phase::Results,
                  Phase::Implementation})
    phase_view[std::string("in_") + std::string(phase_name(p))] = p == phase;
  json::array units;
  for (const Unit& unit : process.units)
    units.push_back(json::object{{"id", unit.id},
                                 {"slug", unit.slug},
                                 {"name", unit.name(lang)},
                                 {"city_wide", unit.city_wide()},
                                 {"amount", unit.amount},
                                 {"amount_text", format_amount(unit.amount, lang)}});
  const Schedule& s = process.schedule;
  json::array timeline;
  const struct {
    Phase phase;
    const std::string& start;
    const std::string* end;
  } steps[] = {{Phase::Proposals, s.proposals_open, &s.review_open},
               {Phase::Review, s.review_open, &s.vote_open},
               {Phase::Vote, s.vote_open, &s.vote_close},
               {Phase::Results, s.vote_close, &s.implementation_open},
               {Phase::Implementation, s.implementation_open, nullptr}};
  for (const auto& step : steps) {
    json::object item{{"label", phase_label(step.phase).in(lang)},
                      {"start", display_start(step.start, lang)},
                      {"start_iso", step.start},
                      {"current", step.phase == phase}};
    if (step.end) {
      item["end"] = display_deadline(*step.end, lang);
      item["end_iso"] = *step.end;
    }
    timeline.push_back(std::move(item));
  }
  json::object view{{"id", process.id},
                    {"slug", process.slug},
                    {"url", "/budgets/" + process.slug},
                    {"title", process.title(lang)},
                    {"description", process.description(lang)},
                    {"phase", std::move(phase_view)},
                    {"total_amount", process.total_amount},
                    {"total_amount_text", format_amount(process.total_amount, lang)},
                    {"units", std::move(units)},
                    {"timeline", std::move(timeline)},
                    {"ballot_type", ballot_type_name(process.ballot_type)},
                    {"ballot_type_label", ballot_type_label(process.ballot_type).in(lang)},
                    {"rule", rule_name(process.rule)},
                    {"rule_label", rule_label(process.rule).in(lang)},
                    {"rule_explanation", rule_explanation(process.rule).in(lang)},
                    {"minimum_age", process.minimum_age},
                    {"city_wide_scope", process.scope == Scope::OwnDistrictAndCityWide},
                    {"min_choices", process.min_choices},
                    {"max_choices", process.max_choices},
                    {"points_total", process.points_total},
                    {"published", process.published_at.has_value()},
                    {"vote_open", display_start(s.vote_open, lang)},
                    {"vote_close", display_deadline(s.vote_close, lang)}};
  return view;
}

json::object project_view(const Process& process, const Project& project, Lang lang) {
  const Unit* unit = process.unit(project.unit_id);
  json::object view{
      {"id", project.id},
      {"url", "/budgets/" + process.slug + "/projects/" + std::to_string(project.id)},
      {"title", project.title},
      {"description", project.description},
      {"cost", project.cost()},
      {"cost_text", format_amount(project.cost(), lang)},
      {"estimated_cost_text", format_amount(project.estimated_cost, lang)},
      {"cost_revised", project.final_cost && *project.final_cost != project.estimated_cost},
      {"unit", unit ? unit->name(lang) : std::string()},
      {"unit_slug", unit ? unit->slug : std::string()},
      {"status", review_status_name(project.status)},
      {"status_label", review_status_label(project.status).in(lang)},
      {"status_explanation", review_status_explanation(project.status).in(lang)},
      {"submitted", project.status == ReviewStatus::Submitted},
      {"feasible", project.status == ReviewStatus::Feasible},
      {"infeasible", project.status == ReviewStatus::Infeasible},
      {"merged", project.status == ReviewStatus::Merged},
      {"review_note", project.review_note},
      {"author", project.author_name},
      {"location", project.location},
      {"progress", project.progress}};
  web::add_time(view, "created_on", project.created_at, lang, web::TimeReading::Date);
  if (project.merged_into)
    view["merged_into_url"] =
        "/budgets/" + process.slug + "/projects/" + std::to_string(*project.merged_into);
  if (project.image_id) view["image_url"] = "/budgets/images/" + std::to_string(*project.image_id);
  if (project.implementation) {
    view["implementation"] = implementation_status_name(*project.implementation);
    view["implementation_label"] = implementation_status_label(*project.implementation).in(lang);
    view["implementation_explanation"] =
        implementation_status_explanation(*project.implementation).in(lang);
  }
  if (project.spent) view["spent_text"] = format_amount(*project.spent, lang);
  return view;
}

// ---- The ballot form, shared by the resident's ballot and the counter

json::object meter_view(const Process& process, const Meter& meter, Lang lang) {
  return json::object{{"total", meter.total},
                      {"amount", meter.amount},
                      {"shown_value", std::min(meter.total, meter.amount)},
                      {"total_text", format_amount(meter.total, lang)},
                      {"amount_text", format_amount(meter.amount, lang)},
                      {"remaining_text", format_amount(meter.remaining, lang)},
                      {"over_by_text", format_amount(meter.over_by, lang)},
                      {"percent", meter.percent},
                      {"over", meter.over},
                      {"knapsack", process.ballot_type == BallotType::Knapsack},
                      {"chosen", meter.chosen},
                      {"cumulative", process.ballot_type == BallotType::Cumulative},
                      {"points_used", meter.points_used},
                      {"points_total", meter.points_total},
                      {"points_left", meter.points_left},
                      {"points_over", meter.points_used > meter.points_total}};
}

json::object ballot_fields_view(const BallotState& s, Lang lang) {
  const Process& process = *s.process;
  const Unit& unit = *s.unit;
  const bool approval =
      process.ballot_type == BallotType::Approval || process.ballot_type == BallotType::Knapsack;
  std::map<std::string, std::vector<std::string>> by_field;
  for (const BallotError& e : s.errors) by_field[e.field].push_back(e.message.in(lang));
  const std::string whole = choices_field(s.prefix);

  json::array shown, hidden;
  std::int64_t total = 0;
  for (const Project* project : candidates(*s.projects, unit)) {
    ++total;
    const auto entered = s.entered.find(project->id);
    const std::string value = entered == s.entered.end() ? std::string() : entered->second;
    if (!matches_filter(*project, s.search, s.max_cost)) {
      if (!value.empty())
        add_hidden(hidden, process, s.prefix, project->id, value, project->cost());
      continue;
    }
    const std::string id = input_id(s.prefix, project->id);
    std::string name = project_field(s.prefix);
    if (process.ballot_type == BallotType::Cumulative) name = points_field(s.prefix, project->id);
    if (process.ballot_type == BallotType::Ranked) name = rank_field(s.prefix, project->id);
    json::object item{
        {"id", project->id},
        {"input_id", id},
        {"name", name},
        {"title", project->title},
        {"description", shortened(project->description, kDescriptionShown)},
        {"url", "/budgets/" + process.slug + "/projects/" + std::to_string(project->id)},
        {"cost", project->cost()},
        {"cost_text", format_amount(project->cost(), lang)},
        {"checked", !value.empty()},
        {"value", value}};
    if (const auto error = by_field.find(id); error != by_field.end()) {
      std::string message;
      for (const std::string& m : error->second) message += (message.empty() ? "" : " ") + m;
      item["input_error"] = message;
    }
    shown.push_back(std::move(item));
  }
  json::array choice_errors;
  if (const auto found = by_field.find(whole); found != by_field.end())
    for (const std::string& m : found->second) choice_errors.push_back(json::value(m));
  const Meter meter = budget_meter(process, unit, *s.projects, s.choices);
  json::object view{{"prefix", s.prefix},
                    {"choices_id", whole},
                    {"legend", unit.name(lang)},
                    {"instructions", ballot_instructions(process, unit).in(lang)},
                    {"type", ballot_type_name(process.ballot_type)},
                    {"approval", approval},
                    {"numeric", !approval},
                    {"points", process.ballot_type == BallotType::Cumulative},
                    {"rank", process.ballot_type == BallotType::Ranked},
                    {"points_total", process.points_total},
                    {"max_rank", std::max<std::int64_t>(process.max_choices, 1)},
                    {"projects", std::move(shown)},
                    {"has_projects", total > 0},
                    {"none_shown", total > 0 && shown.empty()},
                    {"total_count", total},
                    {"hidden", std::move(hidden)},
                    {"has_choice_errors", !choice_errors.empty()},
                    {"choice_errors", std::move(choice_errors)},
                    {"meter", meter_view(process, meter, lang)}};
  view["hidden_count"] = static_cast<std::int64_t>(view["hidden"].as_array().size());
  view["has_hidden"] = !view["hidden"].as_array().empty();
  return view;
}

// Errors for the summary at the top of a page, each linking to its input.
json::array ballot_errors_summary(const std::vector<BallotError>& errors, Lang lang) {
  json::array out;
  for (const BallotError& e : errors)
    out.push_back(json::object{{"field", e.field}, {"message", e.message.in(lang)}});
  return out;
}

}  // namespace fabrique::budgets
