// The resident's ballot and receipts (the counter's pages: counter_routes.cpp):
//   GET/POST  /budgets/{slug}/vote                   Vote                 the resident's ballot
//   GET/POST  /budgets/{slug}/receipt                Browse               was this receipt issued
//                                                                         for a ballot in the box?
//
// The ballot works without JavaScript: every button posts the whole form
// back with an `action` (update: the server recomputes the meter and applies
// the filters; review; confirm; edit), and the choices a filter hides travel
// as hidden inputs.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "budgets/ballot_repository.hpp"
#include "budgets/ballot_rules.hpp"
#include "budgets/pages.hpp"
#include "budgets/repository.hpp"
#include "budgets/routes.hpp"
#include "budgets/voting_actions.hpp"
#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

namespace fabrique::budgets {

namespace json = boost::json;
using accounts::Permission;
using web::Context;

namespace {

std::string vote_url(const Process& process, const Unit& unit) {
  return "/budgets/" + process.slug + "/vote?district=" + unit.slug;
}

// ---- /budgets/{slug}/vote

struct VoteRequest {
  const Process* process = nullptr;
  const Voter* voter = nullptr;
  const Unit* unit = nullptr;
  std::vector<const Unit*> units;  // the voter's
};

json::array units_nav(Context& ctx, const VoteRequest& r) {
  json::array out;
  for (const Unit* u : r.units)
    out.push_back(json::object{
        {"name", u->name(ctx.lang)},
        {"url", vote_url(*r.process, *u)},
        {"current", u == r.unit},
        {"voted",
         current_ballot(ctx.db, ctx.app.secrets.ballots, *r.process, *u, *r.voter).has_value()}});
  return out;
}

http::Response refusal_page(Context& ctx, const Process& process, const Text& message,
                            json::object extra, int status) {
  extra["process"] = process_view(process, ctx.lang);
  extra["message"] = message.in(ctx.lang);
  return ctx.page("budgets/vote_refused", std::move(extra),
                  {"You cannot vote here", "Vous ne pouvez pas voter ici"}, status);
}

struct Filters {
  std::string search;
  std::string max_cost_text;
  std::optional<Amount> max_cost;
  std::optional<Text> error;
};

Filters filters_of(const web::Form& form) {
  Filters f;
  f.search = form.get("q").substr(0, 100);
  f.max_cost_text = form.get("max_cost").substr(0, 30);
  if (!f.max_cost_text.empty()) {
    f.max_cost = parse_amount(f.max_cost_text, true);
    if (!f.max_cost)
      f.error = Text{"Highest cost: write an amount in euros, like 50000.",
                     "Coût maximal\u202f: écrivez un montant en euros, comme 50000."};
  }
  return f;
}

http::Response ballot_page(Context& ctx, const VoteRequest& r, const BallotState& state,
                           const Filters& filters, const std::vector<BallotError>& errors,
                           bool voted, int status) {
  const Process& process = *r.process;
  json::array nav = units_nav(ctx, r);
  json::object view{
      {"process", process_view(process, ctx.lang)},
      {"csrf", ctx.csrf()},
      {"action", "/budgets/" + process.slug + "/vote"},
      {"unit", json::object{{"slug", r.unit->slug}, {"name", r.unit->name(ctx.lang)}}},
      {"has_units_nav", nav.size() > 1},
      {"units_nav", std::move(nav)},
      {"voted", voted},
      {"close", display_deadline(process.schedule.vote_close, ctx.lang)},
      {"q", filters.search},
      {"max_cost", filters.max_cost_text},
      {"ballots", json::array{ballot_fields_view(state, ctx.lang)}}};
  json::array listed = ballot_errors_summary(errors, ctx.lang);
  if (filters.error) {
    listed.push_back(json::object{{"field", "max_cost"}, {"message", filters.error->in(ctx.lang)}});
    view["max_cost_error"] = filters.error->in(ctx.lang);
  }
  view["has_errors"] = !listed.empty();
  view["errors"] = std::move(listed);
  return ctx.page("budgets/ballot", std::move(view),
                  {"My ballot: " + r.unit->name_en, "Mon bulletin\u202f: " + r.unit->name_fr},
                  status);
}

// The choices as the review and done pages list them.
json::array choices_view(const Process& process, const ProjectIndex& projects,
                         const std::vector<Choice>& choices, Lang lang) {
  json::array out;
  for (const Choice& choice : choices) {
    const auto found = projects.find(choice.project_id);
    if (found == projects.end()) continue;
    json::object item{
        {"title", found->second.title},
        {"cost_text", format_amount(found->second.cost(), lang)},
        {"url", "/budgets/" + process.slug + "/projects/" + std::to_string(found->second.id)}};
    if (process.ballot_type == BallotType::Cumulative) {
      item["points"] = choice.points;
      item["points_text"] = count_of(choice.points, lang, {"point", "points"}, {"point", "points"});
    }
    out.push_back(std::move(item));
  }
  return out;
}

// Hidden inputs that post the choices back (review → confirm or edit).
json::array carried(const Process& process, const std::vector<Choice>& choices) {
  json::array out;
  const auto entered = entered_of(process.ballot_type, choices);
  for (const Choice& choice : choices) {
    std::string name = project_field("");
    if (process.ballot_type == BallotType::Cumulative) name = points_field("", choice.project_id);
    if (process.ballot_type == BallotType::Ranked) name = rank_field("", choice.project_id);
    const std::string value =
        process.ballot_type == BallotType::Approval || process.ballot_type == BallotType::Knapsack
            ? std::to_string(choice.project_id)
            : entered.at(choice.project_id);
    out.push_back(json::object{{"name", name}, {"value", value}});
  }
  return out;
}

http::Response review_page(Context& ctx, const VoteRequest& r, const ProjectIndex& projects,
                           const std::vector<Choice>& choices, const Filters& filters) {
  const Process& process = *r.process;
  const Meter meter = budget_meter(process, *r.unit, projects, choices);
  json::object view{
      {"process", process_view(process, ctx.lang)},
      {"csrf", ctx.csrf()},
      {"action", "/budgets/" + process.slug + "/vote"},
      {"unit", json::object{{"slug", r.unit->slug}, {"name", r.unit->name(ctx.lang)}}},
      {"ranked", process.ballot_type == BallotType::Ranked},
      {"choices", choices_view(process, projects, choices, ctx.lang)},
      {"carried", carried(process, choices)},
      {"meter", meter_view(process, meter, ctx.lang)},
      {"q", filters.search},
      {"max_cost", filters.max_cost_text}};
  return ctx.page("budgets/ballot_review", std::move(view),
                  {"Check your ballot", "Vérifiez votre bulletin"});
}

http::Response done_page(Context& ctx, const VoteRequest& r, const CastResult& result) {
  const Process& process = *r.process;
  json::array others;
  for (const Unit* u : r.units)
    if (u != r.unit &&
        !current_ballot(ctx.db, ctx.app.secrets.ballots, process, *u, *r.voter).has_value())
      others.push_back(json::object{{"name", u->name(ctx.lang)}, {"url", vote_url(process, *u)}});
  json::object view{
      {"process", process_view(process, ctx.lang)},
      {"unit", json::object{{"name", r.unit->name(ctx.lang)}, {"url", vote_url(process, *r.unit)}}},
      {"receipt", result.receipts.empty() ? "" : result.receipts.front()},
      {"replaced", result.status == CastStatus::Replaced},
      {"close", display_deadline(process.schedule.vote_close, ctx.lang)},
      {"receipt_url", "/budgets/" + process.slug + "/receipt"},
      {"has_others", !others.empty()},
      {"others", std::move(others)}};
  return ctx.page("budgets/ballot_done", std::move(view),
                  {"Your ballot is in the ballot box", "Votre bulletin est dans l'urne"});
}

// Who is asking, where: the refusal page when they cannot vote here.
std::optional<http::Response> resolve(Context& ctx, const Process& process, const VoterLookup& who,
                                      VoteRequest& r, bool post) {
  const int status = post ? 422 : 200;
  const auto now = now_iso8601();
  if (auto why = online_phase_refusal(process, now)) {
    json::object extra{{"closed", true},
                       {"before", phase_at(process.schedule, now) < Phase::Vote},
                       {"has_results", process.published_at.has_value()}};
    return refusal_page(ctx, process, *why, std::move(extra), post ? 409 : 200);
  }
  if (!who.voter) {
    const bool verify = ctx.viewer.account && !ctx.viewer.account->verified();
    return refusal_page(ctx, process, who.refusal.value_or(Text{}),
                        json::object{{"verify", verify}}, status);
  }
  r.process = &process;
  r.voter = &*who.voter;
  if (auto why = age_refusal(process, *who.voter))
    return refusal_page(ctx, process, *why, {}, status);
  if (const auto channel = roll_channel(ctx.db, process.id, who.voter->census_entry_id);
      channel && *channel != Channel::Online)
    return refusal_page(ctx, process, counter_ballot_is_final(),
                        json::object{{"voted_at_counter", true}}, post ? 409 : 200);
  r.units = voter_units(process, *who.voter);
  const std::string slug = post ? ctx.form.get("district") : ctx.query.get("district");
  r.unit =
      slug.empty() ? (r.units.empty() ? nullptr : r.units.front()) : process.unit_by_slug(slug);
  const auto own_links = [&] {
    json::array links;
    for (const Unit* u : r.units)
      links.push_back(json::object{{"name", u->name(ctx.lang)}, {"url", vote_url(process, *u)}});
    return json::object{{"has_own", !links.empty()}, {"own", std::move(links)}};
  };
  if (!r.unit && !slug.empty())
    return refusal_page(ctx, process,
                        {"This participatory budget has no budget by that name.",
                         "Ce budget participatif n'a pas de budget de ce nom."},
                        own_links(), 404);
  if (!r.unit)
    return refusal_page(
        ctx, process,
        {fmt::format("You live in {}, which has no budget in this participatory budget.",
                     who.voter->district_name.en),
         fmt::format("Vous habitez {}, qui n'a pas de budget dans ce budget participatif.",
                     who.voter->district_name.fr)},
        {}, status);
  if (auto why = unit_refusal(process, *who.voter, *r.unit))
    return refusal_page(ctx, process, *why, own_links(), status);
  return std::nullopt;
}

http::Response vote(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const bool post = ctx.request.method == "POST";
  const VoterLookup who = voter_of_account(ctx.db, *ctx.viewer.account);
  VoteRequest r;
  if (auto refusal = resolve(ctx, *process, who, r, post)) return std::move(*refusal);
  const crypto::Key& key = ctx.app.secrets.ballots;

  if (!post) {
    BallotState state{&*process, r.unit, nullptr, {}, {}, {}, "", "", std::nullopt};
    const Filters filters = filters_of(ctx.query);
    const auto current = current_ballot(ctx.db, key, *process, *r.unit, *r.voter);
    std::vector<std::int64_t> named;
    if (current)
      for (const Choice& c : *current) named.push_back(c.project_id);
    const ProjectIndex projects = ballot_projects(ctx.db, *process, *r.unit, named);
    state.projects = &projects;
    if (current) {
      state.choices = *current;
      state.entered = entered_of(process->ballot_type, *current);
    }
    state.search = filters.search;
    state.max_cost = filters.max_cost;
    return ballot_page(ctx, r, state, filters, {}, current.has_value(), 200);
  }

  const Filters filters = filters_of(ctx.form);
  const std::string action = ctx.form.get("action");
  const bool judging = action == "review" || action == "confirm";
  const std::vector<std::int64_t> named = projects_named(ctx.form.fields);
  // Judging a ballot takes only the projects it names (one query, whatever
  // the number of projects); showing the ballot again takes them all.
  const ProjectIndex chosen = chosen_projects(ctx.db, process->id, named);
  const BallotEntry entry = check_ballot(*process, *r.unit, chosen, ctx.form.fields);
  const auto ballot_again = [&](const std::vector<BallotError>& errors, int status) {
    const ProjectIndex projects = ballot_projects(ctx.db, *process, *r.unit, named);
    BallotState state{&*process, r.unit, &projects,      entry.choices,   entry.entered,
                      errors,    "",     filters.search, filters.max_cost};
    const bool voted = current_ballot(ctx.db, key, *process, *r.unit, *r.voter).has_value();
    return ballot_page(ctx, r, state, filters, errors, voted, status);
  };

  if (!judging) {
    // update, edit: the same ballot again, its meter recomputed. Only the
    // errors of single inputs (a number that is not one) show while choosing.
    std::vector<BallotError> errors;
    for (const BallotError& e : entry.errors)
      if (e.field != choices_field("")) errors.push_back(e);
    return ballot_again(errors, errors.empty() ? 200 : 422);
  }
  if (!entry.errors.empty()) return ballot_again(entry.errors, 422);
  if (action == "review") return review_page(ctx, r, chosen, entry.choices, filters);
  const CastResult result =
      vote_online(ctx.db, key, *ctx.viewer.account, *process, {r.unit->id, entry.choices},
                  now_iso8601(), ctx.app.group_commit.get());
  if (result.ok()) return done_page(ctx, r, result);
  if (result.status == CastStatus::Invalid) return ballot_again(result.errors, 422);
  return refusal_page(ctx, *process, result.refusal.value_or(Text{}), {}, 409);
}

// ---- /budgets/{slug}/receipt
//
// A code is checked only when posted (with the form's CSRF token), never
// from the address: a code in a URL would end up in proxy logs and browser
// histories. The answer is the same for a receipt of the current ballot and
// for one of a ballot replaced since, during the vote and after it, so that
// someone who saw a voter's receipt cannot learn that they voted again; it
// never echoes a well-formed code, so the two answers are the same bytes.

http::Response receipt_page(Context& ctx, const Process& process, json::object extra, int status) {
  json::object view{{"process", process_view(process, ctx.lang)},
                    {"csrf", ctx.csrf()},
                    {"action", "/budgets/" + process.slug + "/receipt"},
                    {"counted", process.counted_at.has_value()}};
  for (auto& [key, value] : extra) view[key] = std::move(value);
  return ctx.page("budgets/receipt", std::move(view),
                  {"Check a ballot receipt", "Vérifier un reçu de vote"}, status);
}

http::Response receipt_get(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  if (!ctx.query.get("code").empty()) {
    // An old link or bookmark with ?code=: not checked, and sent on to the
    // address without it, so that no page (nor its language link) repeats it.
    ctx.flash(
        {"Codes are not checked from the page's address, where they would stay in "
         "histories and logs: enter your code in the form below.",
         "Les codes ne sont pas vérifiés depuis l'adresse de la page, où ils resteraient "
         "dans des historiques et des journaux\u202f: saisissez votre code dans le formulaire "
         "ci-dessous."});
    return ctx.redirect("/budgets/" + process->slug + "/receipt");
  }
  return receipt_page(ctx, *process, {}, 200);
}

http::Response receipt_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const std::string code = ctx.form.get("code").substr(0, 40);
  const auto normalized = normalize_receipt_code(code);
  if (!normalized) return receipt_page(ctx, *process, {{"code", code}, {"malformed", true}}, 422);
  const bool found =
      receipt_in_ballot_box(ctx.db, ctx.app.secrets.ballots, process->id, *normalized);
  return receipt_page(ctx, *process, {{"checked", true}, {"found", found}}, 200);
}

}  // namespace

void register_voting_routes(web::Site& site) {
  site.get("/budgets/{slug}/vote", Permission::Vote, vote);
  site.post("/budgets/{slug}/vote", Permission::Vote, vote);
  site.get("/budgets/{slug}/receipt", Permission::Browse, receipt_get);
  site.post("/budgets/{slug}/receipt", Permission::Browse, receipt_post);
}

}  // namespace fabrique::budgets
