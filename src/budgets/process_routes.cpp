// The processes themselves:
//   GET       /budgets                          Browse         every process, by phase
//   GET       /budgets/{slug}                   Browse         a process and its projects
//   GET       /admin/budgets                    EnterAdminArea the staff's list and tools
//   GET/POST  /admin/budgets/new                ManageBudgets  set up a process
//   GET/POST  /admin/budgets/{slug}/edit        ManageBudgets  change it, within the rules
//   GET/POST  /admin/budgets/{slug}/next-phase  ManageBudgets  open the next phase now, once
//                                                               confirmed
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "budgets/ballot_repository.hpp"
#include "budgets/pages.hpp"
#include "budgets/process_actions.hpp"
#include "budgets/repository.hpp"
#include "budgets/routes.hpp"
#include "budgets/voting_actions.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "web/view.hpp"

namespace fabrique::budgets {

namespace json = boost::json;
using accounts::Permission;
using web::Context;

namespace {

constexpr std::size_t kProjectsPerPage = 100;

ProcessForm read_form(const web::Form& form, const std::vector<DistrictChoice>& districts) {
  ProcessForm f;
  f.slug = form.get("slug");
  f.title_fr = form.get("title_fr");
  f.title_en = form.get("title_en");
  f.description_fr = form.get("description_fr");
  f.description_en = form.get("description_en");
  f.total_amount = form.get("total_amount");
  for (const DistrictChoice& d : districts)
    f.district_amounts[d.slug] = form.get("amount_" + d.slug);
  f.city_wide_amount = form.get("city_wide_amount");
  f.proposals_open = form.get("proposals_open");
  f.review_open = form.get("review_open");
  f.vote_open = form.get("vote_open");
  f.vote_close = form.get("vote_close");
  f.implementation_open = form.get("implementation_open");
  f.scope = form.get("scope");
  f.minimum_age = form.get("minimum_age");
  f.ballot_type = form.get("ballot_type");
  f.min_choices = form.get("min_choices");
  f.max_choices = form.get("max_choices");
  f.points_total = form.get("points_total");
  f.rule = form.get("rule");
  return f;
}

// The options of a <select> or radio group with the chosen one marked.
json::array options(const std::vector<std::pair<std::string, Text>>& choices,
                    const std::string& chosen, Lang lang) {
  json::array out;
  for (const auto& [value, label] : choices)
    out.push_back(
        json::object{{"value", value}, {"label", label.in(lang)}, {"selected", value == chosen}});
  return out;
}

http::Response form_page(Context& ctx, const ProcessForm& form, const FieldErrors& errors,
                         const std::optional<Process>& existing, int status) {
  const auto districts = district_choices(ctx.db);
  json::array district_rows;
  for (const DistrictChoice& d : districts) {
    const auto found = form.district_amounts.find(d.slug);
    json::object row{{"slug", d.slug},
                     {"name", ctx.lang == Lang::Fr ? d.name_fr : d.name_en},
                     {"amount", found == form.district_amounts.end() ? "" : found->second}};
    // Its own key, always set: a row without "amount_error" would let the
    // template find the page's "error" map instead, and mark every amount invalid.
    const auto error = errors.find("amount_" + d.slug);
    row["amount_error"] = error != errors.end() ? json::value(error->second.in(ctx.lang)) : false;
    district_rows.push_back(std::move(row));
  }
  std::vector<std::pair<std::string, Text>> types, rules;
  for (BallotType t :
       {BallotType::Approval, BallotType::Knapsack, BallotType::Cumulative, BallotType::Ranked})
    types.emplace_back(std::string(ballot_type_name(t)), ballot_type_label(t));
  for (CountingRule r : {CountingRule::Greedy, CountingRule::EqualShares, CountingRule::Phragmen})
    rules.emplace_back(std::string(rule_name(r)), rule_label(r));
  json::object view{
      {"csrf", ctx.csrf()},
      {"editing", existing.has_value()},
      {"action", existing ? "/admin/budgets/" + existing->slug + "/edit" : "/admin/budgets/new"},
      {"slug", form.slug},
      {"title_fr", form.title_fr},
      {"title_en", form.title_en},
      {"description_fr", form.description_fr},
      {"description_en", form.description_en},
      {"total_amount", form.total_amount},
      {"districts", std::move(district_rows)},
      {"has_districts", !districts.empty()},
      {"city_wide_amount", form.city_wide_amount},
      {"proposals_open", form.proposals_open},
      {"review_open", form.review_open},
      {"vote_open", form.vote_open},
      {"vote_close", form.vote_close},
      {"time_zone", installation_time_zone().name()},
      {"implementation_open", form.implementation_open},
      {"scope_district", form.scope != "district-and-city"},
      {"scope_city", form.scope == "district-and-city"},
      {"minimum_age", form.minimum_age},
      {"ballot_types", options(types, form.ballot_type, ctx.lang)},
      {"min_choices", form.min_choices},
      {"max_choices", form.max_choices},
      {"points_total", form.points_total},
      {"rules", options(rules, form.rule, ctx.lang)}};
  web::add_errors(view, errors, ctx.lang);
  view["has_errors"] = !errors.empty();
  if (existing) {
    view["process"] = process_view(*existing, ctx.lang);
    view["has_next_phase"] = current_phase(*existing) != Phase::Implementation;
  }
  const Text title = existing
                         ? Text{"Edit the participatory budget", "Modifier le budget participatif"}
                         : Text{"New participatory budget", "Nouveau budget participatif"};
  return ctx.page("budgets/process_form", std::move(view), title, status);
}

// A new process starts with sensible dates: proposals from today for a month,
// a month of review, three weeks of vote, implementation a month later.
ProcessForm blank_form() {
  ProcessForm form;
  const auto day = [](int days_from_today) {
    const std::chrono::year_month_day date{std::chrono::sys_days(today_local()) +
                                           std::chrono::days(days_from_today)};
    return typed_date(date);
  };
  form.proposals_open = day(0);
  form.review_open = day(30);
  form.vote_open = day(60);
  form.vote_close = day(80);  // the last day: the vote closes when it ends
  form.implementation_open = day(111);
  form.scope = "district";
  form.minimum_age = "16";
  form.ballot_type = "approval";
  form.min_choices = "1";
  form.max_choices = "5";
  form.points_total = "10";
  form.rule = "greedy";
  return form;
}

std::string encoded(const std::string& value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

// The process page's project list: the filters it was asked for, and one page.
json::object project_listing(Context& ctx, const Process& process) {
  const Phase phase = current_phase(process);
  ProjectFilter filter;
  const std::string district = ctx.query.get("district");
  if (const Unit* unit = process.unit_by_slug(district)) filter.unit_id = unit->id;
  filter.search = ctx.query.get("q").substr(0, 100);
  // Before the vote every proposal shows with its review status; from the
  // vote on, the ballot's projects unless another status is asked for.
  std::string status = ctx.query.get("status");
  if (status.empty() && phase >= Phase::Vote) status = "feasible";
  if (const auto chosen = parse_review_status(status))
    filter.statuses = {*chosen};
  else
    filter.statuses = {ReviewStatus::Submitted, ReviewStatus::Feasible, ReviewStatus::Infeasible};
  std::int64_t page = 1;
  if (const auto asked = parse_id(ctx.query.get("page")))
    page = std::min<std::int64_t>(*asked, 100000);

  const std::int64_t matching = count_matching_projects(ctx.db, process.id, filter);
  filter.limit = kProjectsPerPage;
  filter.offset = static_cast<std::size_t>(page - 1) * kProjectsPerPage;
  json::array items;
  for (const Project& project : list_projects(ctx.db, process.id, filter))
    items.push_back(project_view(process, project, ctx.lang));

  json::array units;
  for (const Unit& unit : process.units)
    units.push_back(json::object{
        {"slug", unit.slug}, {"name", unit.name(ctx.lang)}, {"selected", unit.slug == district}});
  std::vector<std::pair<std::string, Text>> statuses{{"", {"Any", "Tous"}}};
  for (ReviewStatus s : {ReviewStatus::Submitted, ReviewStatus::Feasible, ReviewStatus::Infeasible})
    statuses.emplace_back(std::string(review_status_name(s)), review_status_label(s));
  const std::string base = "/budgets/" + process.slug + "?district=" + encoded(district) +
                           "&q=" + encoded(filter.search) + "&status=" + encoded(status) + "&page=";
  json::object listing{
      {"projects", std::move(items)},
      {"count", matching},
      {"count_text", count_of(matching, ctx.lang, {"project", "projects"}, {"projet", "projets"})},
      {"has_projects", matching > 0},
      {"units", std::move(units)},
      {"q", filter.search},
      {"statuses", options(statuses, status, ctx.lang)},
      {"page", page}};
  if (page > 1) listing["previous_url"] = base + std::to_string(page - 1);
  if (static_cast<std::int64_t>(filter.offset + kProjectsPerPage) < matching)
    listing["next_url"] = base + std::to_string(page + 1);
  return listing;
}

http::Response process_page(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const Phase phase = current_phase(*process);
  json::object view{{"process", process_view(*process, ctx.lang)},
                    {"listing", project_listing(ctx, *process)},
                    {"can_propose", phase == Phase::Proposals},
                    {"can_vote", phase == Phase::Vote},
                    {"has_results", process->published_at.has_value()},
                    {"staff", ctx.viewer.can(Permission::EnterAdminArea)}};
  // During the vote, a person who may vote reads whether they have, and until when.
  if (phase == Phase::Vote && ctx.viewer.signed_in()) {
    const VoterLookup lookup = voter_of_account(ctx.db, *ctx.viewer.account);
    if (lookup.voter) {
      const auto channel = roll_channel(ctx.db, process->id, lookup.voter->census_entry_id);
      view["my_vote"] =
          json::object{{"voted", channel.has_value()},
                       {"online", channel == Channel::Online},
                       {"how", channel ? channel_label(*channel).in(ctx.lang) : ""},
                       {"until", display_deadline(process->schedule.vote_close, ctx.lang)}};
    }
  }
  return ctx.page("budgets/process", std::move(view), {process->title_en, process->title_fr});
}

json::array process_cards(Context& ctx) {
  json::array out;
  for (const Process& p : list_processes(ctx.db)) {
    json::object card = process_view(p, ctx.lang);
    const std::int64_t projects = count_projects(ctx.db, p.id);
    card["projects"] = projects;
    card["projects_text"] =
        count_of(projects, ctx.lang, {"project", "projects"}, {"projet", "projets"});
    out.push_back(std::move(card));
  }
  return out;
}

}  // namespace

void register_process_routes(web::Site& site) {
  site.add_home_listing([](Context& ctx, json::array& items) {
    for (const Process& p : list_processes(ctx.db)) {
      const Phase phase = current_phase(p);
      if (phase == Phase::Upcoming) continue;
      items.push_back(json::object{{"url", "/budgets/" + p.slug},
                                   {"title", p.title(ctx.lang)},
                                   {"phase", phase_label(phase).in(ctx.lang)}});
    }
  });

  site.get("/budgets", Permission::Browse, [](Context& ctx) {
    json::array cards = process_cards(ctx);
    const bool any = !cards.empty();
    return ctx.page("budgets/list", {{"processes", std::move(cards)}, {"has_processes", any}},
                    {"Participatory budgets", "Budgets participatifs"});
  });

  site.get("/budgets/{slug}", Permission::Browse, process_page);

  site.get("/admin/budgets", Permission::EnterAdminArea, [](Context& ctx) {
    json::array cards = process_cards(ctx);
    const bool any = !cards.empty();
    json::object can{{"manage", ctx.viewer.can(Permission::ManageBudgets)},
                     {"review", ctx.viewer.can(Permission::ReviewProposals)},
                     {"counter", ctx.viewer.can(Permission::EnterCounterBallots)}};
    return ctx.page(
        "budgets/admin_list",
        {{"processes", std::move(cards)}, {"has_processes", any}, {"can", std::move(can)}},
        {"Participatory budgets", "Budgets participatifs"});
  });

  site.get("/admin/budgets/new", Permission::ManageBudgets,
           [](Context& ctx) { return form_page(ctx, blank_form(), {}, std::nullopt, 200); });

  site.post("/admin/budgets/new", Permission::ManageBudgets, [](Context& ctx) {
    const ProcessForm form = read_form(ctx.form, district_choices(ctx.db));
    const ProcessResult result = create_process(ctx.db, *ctx.viewer.account, form);
    if (result.outcome == ProcessOutcome::InvalidForm)
      return form_page(ctx, form, result.errors, std::nullopt, 422);
    if (result.outcome != ProcessOutcome::Done) return not_allowed(ctx);
    ctx.flash({"The participatory budget is set up.", "Le budget participatif est créé."});
    return ctx.redirect("/admin/budgets/" + result.process.slug + "/edit");
  });

  site.get("/admin/budgets/{slug}/edit", Permission::ManageBudgets, [](Context& ctx) {
    const auto process = process_of(ctx);
    if (!process) return process_not_found(ctx);
    return form_page(ctx, form_of(*process), {}, process, 200);
  });

  site.post("/admin/budgets/{slug}/edit", Permission::ManageBudgets, [](Context& ctx) {
    const auto process = process_of(ctx);
    if (!process) return process_not_found(ctx);
    const ProcessForm form = read_form(ctx.form, district_choices(ctx.db));
    const ProcessResult result =
        edit_process(ctx.db, *ctx.viewer.account, *process, form, now_iso8601());
    if (result.outcome == ProcessOutcome::InvalidForm)
      return form_page(ctx, form, result.errors, process, 422);
    if (result.outcome != ProcessOutcome::Done) return not_allowed(ctx);
    ctx.flash({"The changes are saved.", "Les modifications sont enregistrées."});
    return ctx.redirect("/admin/budgets/" + process->slug + "/edit");
  });

  // Opening a phase changes what residents can do, and most cannot be undone:
  // staff first read what will happen, and confirm.
  site.get("/admin/budgets/{slug}/next-phase", Permission::ManageBudgets, [](Context& ctx) {
    const auto process = process_of(ctx);
    if (!process) return process_not_found(ctx);
    const std::string now = now_iso8601();
    const auto after = open_next_phase(process->schedule, now);
    if (!after)
      return ctx.error(409, {"This participatory budget is in its last phase.",
                             "Ce budget participatif est dans sa dernière phase."});
    const Phase next = phase_at(*after, now);
    const NextPhaseEffect effect = next_phase_effect(next, *after);
    json::object view{{"process", process_view(*process, ctx.lang)},
                      {"csrf", ctx.csrf()},
                      {"next", phase_label(next).in(ctx.lang)},
                      {"what", effect.what.in(ctx.lang)},
                      {"final", effect.final},
                      {"edit_url", "/admin/budgets/" + process->slug + "/edit"}};
    return ctx.page(
        "budgets/next_phase", std::move(view),
        {"Open the phase “" + phase_label(next).en + "” now?",
         "Ouvrir la phase «\u202f" + phase_label(next).fr + "\u202f» maintenant\u202f?"});
  });

  site.post("/admin/budgets/{slug}/next-phase", Permission::ManageBudgets, [](Context& ctx) {
    const auto process = process_of(ctx);
    if (!process) return process_not_found(ctx);
    // Without the confirmation page's answer, nothing changes: the page is shown.
    if (ctx.form.get("confirm") != "yes")
      return ctx.redirect("/admin/budgets/" + process->slug + "/next-phase");
    const std::string now = now_iso8601();
    const ProcessResult result = open_next_phase_now(ctx.db, *ctx.viewer.account, *process, now);
    if (result.outcome == ProcessOutcome::LastPhase)
      return ctx.error(409, {"This participatory budget is in its last phase.",
                             "Ce budget participatif est dans sa dernière phase."});
    if (result.outcome != ProcessOutcome::Done) return not_allowed(ctx);
    const Phase phase = phase_at(result.process.schedule, now);
    ctx.flash({"Phase opened: " + phase_label(phase).en + ".",
               "Phase ouverte\u202f: " + phase_label(phase).fr + "."});
    return ctx.redirect("/admin/budgets/" + process->slug + "/edit");
  });
}

}  // namespace fabrique::budgets
