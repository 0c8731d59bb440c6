// The count, its publication, the results and the data of a process:
//   GET   /budgets/{slug}/results                 Browse         the published results
//   GET   /budgets/{slug}/export                  Browse         ?district=&format=pb|csv|json
//                                                                (staff before publication)
//   GET   /admin/budgets/{slug}/results           ManageBudgets  the count, rules compared
//   POST  /admin/budgets/{slug}/results/count     ManageBudgets  count (again) before publication
//   GET   /admin/budgets/{slug}/results/publish   ManageBudgets  what publishing does, to confirm
//   POST  /admin/budgets/{slug}/results/publish   ManageBudgets  make the results public
//   GET   /api/budgets                            Browse         every process (JSON)
//   GET   /api/budgets/{slug}                     Browse         a process, its districts, projects
//   GET   /api/budgets/{slug}/results             Browse         the published results (JSON)
// A vote that has closed is counted by the first of these pages to be asked
// (and by the server's periodic call to count_due_processes).
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "budgets/ballot_repository.hpp"
#include "budgets/count.hpp"
#include "budgets/export.hpp"
#include "budgets/pages.hpp"
#include "budgets/repository.hpp"
#include "budgets/results_actions.hpp"
#include "budgets/results_repository.hpp"
#include "budgets/routes.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "residency/repository.hpp"
#include "web/view.hpp"

namespace fabrique::budgets {

namespace json = boost::json;
using accounts::Permission;
using web::Context;

namespace {

// --- Counting on demand

// The process of the URL, counted first if its vote has closed. A count that
// fails leaves the process uncounted; `error` (when given) receives why.
std::optional<Process> counted_process(Context& ctx, std::optional<Text>* error = nullptr) {
  auto process = process_of(ctx);
  if (!process) return process;
  try {
    if (count_if_due(ctx.db, *process, now_iso8601()))
      process = find_process_by_id(ctx.db, process->id);
  } catch (const CountError& failure) {
    if (error) *error = failure.text();
  }
  return process;
}

http::Response not_published(Context& ctx) {
  return ctx.error(404, {"The results of this participatory budget are not published yet.",
                         "Les résultats de ce budget participatif ne sont pas encore publiés."});
}

// --- Shared pieces of the views

std::string percent(std::int64_t part, std::int64_t whole, Lang lang) {
  if (whole <= 0) return "–";
  const double value = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  std::string text = fmt::format("{:.1f}", value);
  if (lang == Lang::Fr) {
    std::replace(text.begin(), text.end(), '.', ',');
    return text + "\u00a0%";
  }
  return text + "%";
}

// At most `limit` characters (code points) of `text`, with an ellipsis when cut.
std::string shortened(const std::string& text, std::size_t limit) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars++ == limit) return text.substr(0, i) + "…";
  }
  return text;
}

std::string project_url(const Process& process, const ProjectResult& p) {
  return "/budgets/" + process.slug + "/projects/" + p.id;
}

std::int64_t measure(const ProjectResult& p) { return p.points.value_or(p.votes); }

// Who could vote in a unit, and who did: people on the roll / census entries.
struct Turnout {
  std::int64_t voters = 0;
  std::int64_t census = 0;
};

Turnout turnout_of(const Unit& unit, const std::map<std::int64_t, std::int64_t>& roll,
                   const std::map<std::int64_t, std::int64_t>& census) {
  Turnout t;
  for (const auto& [district, people] : roll)
    if (unit.city_wide() || unit.district_id == district) t.voters += people;
  for (const auto& [district, people] : census)
    if (unit.city_wide() || unit.district_id == district) t.census += people;
  return t;
}

// The bar chart of a unit: one bar per project, longest for the most votes
// (points on cumulative ballots); funded bars striped and labelled.
json::object chart_view(const Unit& unit, const UnitResult& result, Lang lang) {
  constexpr int kRow = 46, kTop = 6, kBarMax = 440, kBarHeight = 18;
  std::vector<const ProjectResult*> order;
  for (const ProjectResult& p : result.projects) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const ProjectResult* a, const ProjectResult* b) {
    return measure(*a) > measure(*b);
  });
  std::int64_t top = 1;
  for (const ProjectResult* p : order) top = std::max(top, measure(*p));
  const bool points = !result.projects.empty() && result.projects.front().points.has_value();
  json::array bars;
  int y = kTop;
  for (const ProjectResult* p : order) {
    const auto width = static_cast<int>(measure(*p) * kBarMax / top);
    std::string value =
        fmt::format("{} {}", measure(*p), points ? "points" : tr(lang, En{"votes"}, Fr{"votes"}));
    if (p->selected) value += tr(lang, En{" — funded"}, Fr{" — financé"});
    bars.push_back(json::object{{"label", shortened(p->title, 70)},
                                {"label_y", y + 13},
                                {"bar_y", y + 18},
                                {"bar_width", width},
                                {"bar_height", kBarHeight},
                                {"value", value},
                                {"value_x", width + 8},
                                {"value_y", y + 32},
                                {"funded", p->selected}});
    y += kRow;
  }
  return json::object{{"id", "chart-" + unit.slug}, {"pattern", "funded-" + unit.slug},
                      {"height", y + kTop},         {"bars", std::move(bars)},
                      {"points", points},           {"count", order.size()}};
}

json::object exports_view(const Process& process, const Unit& unit) {
  const std::string base =
      "/budgets/" + process.slug + "/export?district=" + unit.slug + "&format=";
  return json::object{{"pb", base + "pb"}, {"csv", base + "csv"}, {"json", base + "json"}};
}

json::object unit_view(const Process& process, const Unit& unit, const StoredResult& stored,
                       const Turnout& turnout, Lang lang) {
  const UnitResult& r = stored.result;
  json::array funded, projects;
  for (const std::string& id : r.funded)
    if (const ProjectResult* p = r.project(id))
      funded.push_back(json::object{{"title", p->title},
                                    {"url", project_url(process, *p)},
                                    {"round", p->round},
                                    {"measure", measure(*p)},
                                    {"cost_text", format_amount(p->cost, lang)}});
  for (const ProjectResult& p : r.projects)
    projects.push_back(json::object{{"title", p.title},
                                    {"url", project_url(process, p)},
                                    {"selected", p.selected},
                                    {"measure", measure(p)},
                                    {"cost_text", format_amount(p.cost, lang)},
                                    {"explanation", p.explanation.in(lang)}});
  const bool points = !r.projects.empty() && r.projects.front().points.has_value();
  return json::object{
      {"slug", unit.slug},
      {"name", unit.name(lang)},
      {"city_wide", unit.city_wide()},
      {"budget_text", format_amount(r.budget, lang)},
      {"spent_text", format_amount(r.total_cost, lang)},
      {"left_text", format_amount(r.budget - r.total_cost, lang)},
      {"spent_percent", percent(r.total_cost, r.budget, lang)},
      {"ballots", r.ballots},
      {"ballots_text", count_of(r.ballots, lang, {"ballot", "ballots"}, {"bulletin", "bulletins"})},
      {"voters", turnout.voters},
      {"voters_text", format_count(turnout.voters, lang)},
      {"census", turnout.census},
      {"census_text",
       count_of(turnout.census, lang, {"person on the census", "people on the census"},
                {"personne du recensement", "personnes du recensement"})},
      {"turnout", percent(turnout.voters, turnout.census, lang)},
      {"summary", r.summary.in(lang)},
      {"points", points},
      {"funded", std::move(funded)},
      {"has_funded", !r.funded.empty()},
      {"projects", std::move(projects)},
      {"has_projects", !r.projects.empty()},
      {"chart", chart_view(unit, r, lang)},
      {"exports", exports_view(process, unit)},
      {"pb_sha256", pabulib_sha256(stored)},
      {"counted_at", stored.counted_at}};
}

json::array units_view(Context& ctx, const Process& process,
                       const std::vector<StoredResult>& results) {
  const auto roll = participation_by_district(ctx.db, process.id);
  const auto census = residency::census_entries_by_district(ctx.db);
  json::array units;
  for (const StoredResult& stored : results)
    if (const Unit* unit = process.unit(stored.unit_id))
      units.push_back(unit_view(process, *unit, stored, turnout_of(*unit, roll, census), ctx.lang));
  return units;
}

// --- The staff's comparison of the rules

std::string titles_of(const UnitResult& r, const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    const ProjectResult* p = r.project(id);
    if (!out.empty()) out += ", ";
    out += p ? p->title : id;
  }
  return out;
}

json::object comparison_view(const Process& process, const StoredResult& stored, Lang lang) {
  const UnitResult& r = stored.result;
  // Counted with the result; counted here only for a result stored without it.
  const std::vector<RuleOutcome> outcomes =
      stored.comparison ? *stored.comparison : compare(stored.pabulib);
  const std::set<std::string> chosen(r.funded.begin(), r.funded.end());
  json::array rules;
  for (const RuleOutcome& o : outcomes) {
    json::object rule{{"label", rule_label(o.rule).in(lang)},
                      {"chosen", o.rule == process.rule},
                      {"applies", o.applies}};
    if (!o.applies) {
      rule["error"] = o.error.in(lang);
    } else {
      std::vector<std::string> more, fewer;
      const std::set<std::string> funded(o.funded.begin(), o.funded.end());
      for (const std::string& id : o.funded)
        if (!chosen.count(id)) more.push_back(id);
      for (const std::string& id : r.funded)
        if (!funded.count(id)) fewer.push_back(id);
      rule["total_text"] = format_amount(o.total_cost, lang);
      rule["funded_count"] = o.funded.size();
      rule["funded_text"] =
          count_of(static_cast<std::int64_t>(o.funded.size()), lang,
                   {"project funded", "projects funded"}, {"projet financé", "projets financés"});
      rule["same"] = more.empty() && fewer.empty();
      if (!more.empty()) rule["more"] = titles_of(r, more);
      if (!fewer.empty()) rule["fewer"] = titles_of(r, fewer);
    }
    rules.push_back(std::move(rule));
  }
  json::array rows;
  for (const ProjectResult& p : r.projects) {
    json::array cells;
    for (const RuleOutcome& o : outcomes) {
      const auto at = std::find(o.funded.begin(), o.funded.end(), p.id);
      const bool funded = at != o.funded.end();
      json::object cell{{"applies", o.applies},
                        {"funded", funded},
                        {"differs", o.applies && funded != p.selected}};
      if (funded) cell["round"] = at - o.funded.begin() + 1;
      cells.push_back(std::move(cell));
    }
    rows.push_back(json::object{{"title", p.title},
                                {"measure", measure(p)},
                                {"cost_text", format_amount(p.cost, lang)},
                                {"cells", std::move(cells)}});
  }
  return json::object{{"rules", std::move(rules)}, {"rows", std::move(rows)}};
}

// --- JSON API

json::array unit_slugs(const Process& process) {
  json::array out;
  for (const Unit& unit : process.units) out.emplace_back(unit.slug);
  return out;
}

json::value optional_value(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object api_process(const Process& p) {
  const Schedule& s = p.schedule;
  return json::object{
      {"slug", p.slug},
      {"title_fr", p.title_fr},
      {"title_en", p.title_en},
      {"description_fr", p.description_fr},
      {"description_en", p.description_en},
      {"phase", phase_name(current_phase(p))},
      {"dates", json::object{{"proposals_open", s.proposals_open},
                             {"review_open", s.review_open},
                             {"vote_open", s.vote_open},
                             {"vote_close", s.vote_close},
                             {"implementation_open", s.implementation_open}}},
      {"ballot_type", ballot_type_name(p.ballot_type)},
      {"min_choices", p.min_choices},
      {"max_choices", p.max_choices},
      {"points_total", p.points_total},
      {"rule", rule_name(p.rule)},
      {"rule_pabulib", pabulib_rule(p.rule)},
      {"scope", scope_name(p.scope)},
      {"minimum_age", p.minimum_age},
      {"total_amount", p.total_amount},
      {"counted", p.counted_at.has_value()},
      {"published_at", p.published_at ? json::value(*p.published_at) : json::value(nullptr)}};
}

json::object api_project(const Process& process, const Project& p) {
  const Unit* unit = process.unit(p.unit_id);
  return json::object{{"id", p.id},
                      {"title", p.title},
                      {"description", p.description},
                      {"district", unit ? unit->slug : std::string()},
                      {"location", p.location},
                      {"estimated_cost", p.estimated_cost},
                      {"final_cost", optional_value(p.final_cost)},
                      {"status", review_status_name(p.status)},
                      {"review_note", p.review_note},
                      {"merged_into", optional_value(p.merged_into)},
                      {"implementation",
                       p.implementation ? json::value(implementation_status_name(*p.implementation))
                                        : json::value(nullptr)},
                      {"progress", p.progress}};
}

json::object api_unit_result(const StoredResult& stored) {
  const UnitResult& r = stored.result;
  json::array funded, projects;
  for (const std::string& id : r.funded) funded.emplace_back(id);
  for (const ProjectResult& p : r.projects) {
    json::object item{{"id", p.id}, {"votes", p.votes}, {"cost", p.cost}, {"selected", p.selected}};
    if (p.points) item["points"] = *p.points;
    projects.push_back(std::move(item));
  }
  return json::object{{"district", r.unit_slug},
                      {"rule", r.rule},
                      {"budget", r.budget},
                      {"ballots", r.ballots},
                      {"funded", std::move(funded)},
                      {"total_cost", r.total_cost},
                      {"projects", std::move(projects)},
                      {"pabulib_sha256", pabulib_sha256(stored)}};
}

// --- Handlers

http::Response results_page(Context& ctx) {
  const auto process = counted_process(ctx);
  if (!process) return process_not_found(ctx);
  json::object view{{"process", process_view(*process, ctx.lang)},
                    {"published", process->published_at.has_value()},
                    {"staff", ctx.viewer.can(Permission::ManageBudgets)},
                    {"admin_url", "/admin/budgets/" + process->slug + "/results"}};
  const Text title{"Results — " + process->title_en, "Résultats — " + process->title_fr};
  if (!process->published_at) {
    view["vote_closed"] = now_iso8601() >= process->schedule.vote_close;
    return ctx.page("budgets/results", std::move(view), title);
  }
  view["units"] = units_view(ctx, *process, results_of(ctx.db, *process));
  web::add_time(view, "published_on", *process->published_at, ctx.lang, web::TimeReading::Date);
  return ctx.page("budgets/results", std::move(view), title);
}

http::Response admin_results_page(Context& ctx) {
  std::optional<Text> failure;
  const auto process = counted_process(ctx, &failure);
  if (!process) return process_not_found(ctx);
  const bool closed = now_iso8601() >= process->schedule.vote_close;
  const bool counted = process->counted_at.has_value();
  const bool published = process->published_at.has_value();
  json::object view{{"process", process_view(*process, ctx.lang)},
                    {"csrf", ctx.csrf()},
                    {"closed", closed},
                    {"counted", counted},
                    {"published", published},
                    {"can_count", closed && !published},
                    {"can_publish", counted && !published},
                    {"public_url", "/budgets/" + process->slug + "/results"}};
  if (failure) view["failure"] = failure->in(ctx.lang);
  if (counted) {
    const auto results = results_of(ctx.db, *process);
    json::array units = units_view(ctx, *process, results);
    for (std::size_t i = 0; i < results.size() && i < units.size(); ++i) {
      try {
        units[i].as_object()["comparison"] = comparison_view(*process, results[i], ctx.lang);
      } catch (const CountError& error) {
        units[i].as_object()["comparison_error"] = error.text().in(ctx.lang);
      }
    }
    view["units"] = std::move(units);
    web::add_time(view, "counted_at", *process->counted_at, ctx.lang, web::TimeReading::Moment);
  }
  return ctx.page("budgets/admin_results", std::move(view),
                  {"Count and results — " + process->title_en,
                   "Dépouillement et résultats — " + process->title_fr});
}

http::Response count_action(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  try {
    count_by_staff(ctx.db, *ctx.viewer.account, *process, now_iso8601());
  } catch (const CountError& error) {
    return ctx.error(409, error.text());
  }
  ctx.flash({"The vote is counted. Check the results, then publish them.",
             "Le vote est dépouillé. Vérifiez les résultats, puis publiez-les."});
  return ctx.redirect("/admin/budgets/" + process->slug + "/results");
}

// Publication cannot be undone: staff first read what it does, and confirm.
http::Response publish_page(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  if (process->published_at)
    return ctx.error(409,
                     {"The results are already published.", "Les résultats sont déjà publiés."});
  if (!process->counted_at)
    return ctx.error(409, {"The vote is not counted yet: there is nothing to publish.",
                           "Le vote n’est pas encore dépouillé\u202f: il n’y a rien à publier."});
  json::object view{{"process", process_view(*process, ctx.lang)},
                    {"csrf", ctx.csrf()},
                    {"results_url", "/admin/budgets/" + process->slug + "/results"}};
  return ctx.page("budgets/publish", std::move(view),
                  {"Publish the results of " + process->title_en + "?",
                   "Publier les résultats de «\u202f" + process->title_fr + "\u202f»\u202f?"});
}

http::Response publish_action(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  // Without the confirmation page's answer, nothing changes: the page is shown.
  if (ctx.form.get("confirm") != "yes")
    return ctx.redirect("/admin/budgets/" + process->slug + "/results/publish");
  try {
    publish_by_staff(ctx.db, *ctx.viewer.account, *process, now_iso8601());
  } catch (const CountError& error) {
    return ctx.error(409, error.text());
  }
  ctx.flash({"The results are published.", "Les résultats sont publiés."});
  return ctx.redirect("/admin/budgets/" + process->slug + "/results");
}

http::Response export_action(Context& ctx) {
  const auto process = counted_process(ctx);
  if (!process) return process_not_found(ctx);
  if (!process->published_at && !ctx.viewer.can(Permission::ManageBudgets))
    return not_published(ctx);
  const auto format = parse_export_format(ctx.query.get("format"));
  if (!format)
    return ctx.error(400, {"Choose the format: pb, csv or json.",
                           "Choisissez le format\u202f: pb, csv ou json."});
  const Unit* unit = process->unit_by_slug(ctx.query.get("district"));
  if (!unit)
    return ctx.error(404, {"This participatory budget has no such district.",
                           "Ce budget participatif n'a pas ce quartier."});
  const auto stored = result_of(ctx.db, process->id, unit->id);
  if (!stored)
    return ctx.error(
        404, {"This vote has not been counted yet.", "Ce vote n'a pas encore été dépouillé."});
  const Export file = export_unit(*process, *unit, *stored, *format);
  http::Response response;
  response.content_type = file.content_type;
  response.body = file.body;
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + file.file_name + "\"");
  return response;
}

http::Response api_list(Context& ctx) {
  json::array out;
  for (const Process& p : list_processes(ctx.db))
    out.push_back(json::object{{"slug", p.slug},
                               {"title_fr", p.title_fr},
                               {"title_en", p.title_en},
                               {"phase", phase_name(current_phase(p))},
                               {"total_amount", p.total_amount},
                               {"districts", unit_slugs(p)}});
  return ctx.json(out);
}

http::Response api_process_data(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  json::array districts, projects;
  for (const Unit& unit : process->units)
    districts.push_back(json::object{{"slug", unit.slug},
                                     {"name_fr", unit.name_fr},
                                     {"name_en", unit.name_en},
                                     {"city_wide", unit.city_wide()},
                                     {"amount", unit.amount}});
  for (const Project& p : list_projects(ctx.db, process->id))
    projects.push_back(api_project(*process, p));
  return ctx.json(json::object{{"process", api_process(*process)},
                               {"districts", std::move(districts)},
                               {"projects", std::move(projects)}});
}

http::Response api_results(Context& ctx) {
  const auto process = counted_process(ctx);
  if (!process) return process_not_found(ctx);
  if (!process->published_at) return not_published(ctx);
  json::array districts;
  for (const StoredResult& stored : results_of(ctx.db, *process))
    districts.push_back(api_unit_result(stored));
  return ctx.json(json::object{{"process", process->slug},
                               {"published_at", *process->published_at},
                               {"districts", std::move(districts)}});
}

}  // namespace

void register_results_routes(web::Site& site) {
  site.get("/budgets/{slug}/results", Permission::Browse, results_page);
  site.get("/budgets/{slug}/export", Permission::Browse, export_action);
  site.get("/admin/budgets/{slug}/results", Permission::ManageBudgets, admin_results_page);
  site.post("/admin/budgets/{slug}/results/count", Permission::ManageBudgets, count_action);
  site.get("/admin/budgets/{slug}/results/publish", Permission::ManageBudgets, publish_page);
  site.post("/admin/budgets/{slug}/results/publish", Permission::ManageBudgets, publish_action);
  site.get("/api/budgets", Permission::Browse, api_list);
  site.get("/api/budgets/{slug}", Permission::Browse, api_process_data);
  site.get("/api/budgets/{slug}/results", Permission::Browse, api_results);
}

}  // namespace fabrique::budgets
