// The ballot, receipts and counter ballots:
//   GET/POST  /budgets/{slug}/vote                   Vote                 the resident's ballot
//   GET/POST  /budgets/{slug}/receipt                Browse               was this receipt issued
//                                                                         for a ballot in the box?
//   GET/POST  /admin/budgets/{slug}/counter          EnterCounterBallots  paper, assisted ballots
//   GET/POST  /admin/budgets/{slug}/counter/import   EnterCounterBallots  a file of paper ballots
//
// The ballot works without JavaScript: every button posts the whole form
// back with an `action` (update: the server recomputes the meter and applies
// the filters; review; confirm; edit), and the choices a filter hides travel
// as hidden inputs.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "accounts/repository.hpp"
#include "budgets/ballot.hpp"
#include "budgets/pages.hpp"
#include "budgets/repository.hpp"
#include "budgets/routes.hpp"
#include "budgets/voting.hpp"
#include "core/time.hpp"
#include "residency/repository.hpp"
#include "web/view.hpp"

namespace fabrique::budgets {

namespace json = boost::json;
using accounts::Permission;
using web::Context;

namespace {

constexpr std::size_t kDescriptionShown = 240;  // bytes of a description on the ballot

std::string vote_url(const Process& process, const Unit& unit) {
  return "/budgets/" + process.slug + "/vote?district=" + unit.slug;
}

Text moment_of(const std::string& iso) {
  const std::string date = iso.substr(0, 10);
  const std::string time = iso.size() >= 16 ? iso.substr(11, 5) : "00:00";
  return {fmt::format("{} at {} UTC", date, time), fmt::format("{} à {} UTC", date, time)};
}

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

// What a ballot form shows: the candidates (filtered), what the voter
// entered, the errors next to their inputs, the meter.
struct BallotState {
  const Process* process = nullptr;
  const Unit* unit = nullptr;
  const ProjectIndex* projects = nullptr;
  std::vector<Choice> choices;
  std::map<std::int64_t, std::string> entered;
  std::vector<BallotError> errors;
  std::string prefix;
  std::string search;
  std::optional<Amount> max_cost;
};

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
json::array summary(const std::vector<BallotError>& errors, Lang lang) {
  json::array out;
  for (const BallotError& e : errors)
    out.push_back(json::object{{"field", e.field}, {"message", e.message.in(lang)}});
  return out;
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
                     "Coût maximal : écrivez un montant en euros, comme 50000."};
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
      {"close", moment_of(process.schedule.vote_close).in(ctx.lang)},
      {"q", filters.search},
      {"max_cost", filters.max_cost_text},
      {"ballots", json::array{ballot_fields_view(state, ctx.lang)}}};
  json::array listed = summary(errors, ctx.lang);
  if (filters.error) {
    listed.push_back(json::object{{"field", "max_cost"}, {"message", filters.error->in(ctx.lang)}});
    view["max_cost_error"] = filters.error->in(ctx.lang);
  }
  view["has_errors"] = !listed.empty();
  view["errors"] = std::move(listed);
  return ctx.page("budgets/ballot", std::move(view),
                  {"My ballot: " + r.unit->name_en, "Mon bulletin : " + r.unit->name_fr}, status);
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
    if (process.ballot_type == BallotType::Cumulative) item["points"] = choice.points;
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
      {"close", moment_of(process.schedule.vote_close).in(ctx.lang)},
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
    return refusal_page(ctx, process,
                        {"You voted at the town hall counter (on paper or with a clerk's help): "
                         "that ballot is final and cannot be replaced online.",
                         "Vous avez voté au guichet de la mairie (sur papier ou avec l'aide d'un "
                         "agent) : ce bulletin est définitif et ne peut pas être remplacé en "
                         "ligne."},
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
      cast_online(ctx.db, key, *process, *r.voter, {r.unit->id, entry.choices}, now_iso8601(),
                  ctx.app.group_commit.get());
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
         "dans des historiques et des journaux : saisissez votre code dans le formulaire "
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

// ---- /admin/budgets/{slug}/counter

// The person a clerk identified, carried from page to page: the census
// entry and birth date, signed for this clerk so that no one edits them.
std::string voter_token(Context& ctx, const Voter& voter) {
  const std::string data = fmt::format("{}.{}", voter.census_entry_id, voter.birth_date);
  return data + "." +
         crypto::keyed_hash_hex(ctx.app.secrets.forms,
                                fmt::format("counter-voter:{}:{}", data, ctx.viewer.account->id));
}

std::optional<Voter> voter_of_token(Context& ctx, const std::string& token) {
  const std::size_t last = token.rfind('.');
  if (last == std::string::npos) return std::nullopt;
  const std::string data = token.substr(0, last);
  const std::string expected = crypto::keyed_hash_hex(
      ctx.app.secrets.forms, fmt::format("counter-voter:{}:{}", data, ctx.viewer.account->id));
  if (!crypto::equal_constant_time(token.substr(last + 1), expected)) return std::nullopt;
  const std::size_t dot = data.find('.');
  const auto entry = parse_id(data.substr(0, dot));
  if (!entry || dot == std::string::npos) return std::nullopt;
  return voter_of_entry(ctx.db, *entry, data.substr(dot + 1));
}

std::string counter_url(const Process& process) {
  return "/admin/budgets/" + process.slug + "/counter";
}

std::string unit_prefix(const Unit& unit) { return "u" + std::to_string(unit.id) + "-"; }

struct CounterState {
  residency::IdentityForm identity;
  FieldErrors identity_errors;
  std::optional<Text> lookup_problem;
  std::optional<Voter> voter;
  std::optional<accounts::Account> account;  // the person's account, when found by it
  Channel channel = Channel::Paper;
  const web::Form* ballot_form = nullptr;  // what the clerk entered, to show again
  std::vector<BallotError> errors;
  std::optional<Text> problem;  // a refusal of the person's ballot
};

json::object person_view(Context& ctx, const Process& process, CounterState& s) {
  const Voter& voter = *s.voter;
  json::object person{{"district", voter.district_name.in(ctx.lang)},
                      {"token", voter_token(ctx, voter)}};
  if (!s.account)
    if (const auto id = residency::account_of_census_entry(ctx.db, voter.census_entry_id))
      s.account = accounts::find_account(ctx.db, *id);
  if (s.account) {
    person["person_name"] = s.account->display_name;
    person["person_email"] = s.account->email;
  }
  const auto channel = roll_channel(ctx.db, process.id, voter.census_entry_id);
  person["voted"] = channel.has_value();
  if (channel) person["voted_how"] = channel_label(*channel).in(ctx.lang);
  std::optional<Text> refusal = s.problem;
  if (!refusal && !channel) refusal = age_refusal(process, voter);
  const auto units = voter_units(process, voter);
  if (!refusal && !channel && units.empty())
    refusal = Text{"This person's district has no budget in this participatory budget.",
                   "Le quartier de cette personne n'a pas de budget dans ce budget participatif."};
  if (refusal) person["problem"] = refusal->in(ctx.lang);
  const bool can_vote = !channel && units.size() > 0 && !age_refusal(process, voter);
  person["can_vote"] = can_vote;
  if (!can_vote) return person;

  json::array ballots;
  for (const Unit* unit : units) {
    const std::string prefix = unit_prefix(*unit);
    const web::Form empty;
    const web::Form& form = s.ballot_form ? *s.ballot_form : empty;
    const ProjectIndex projects =
        ballot_projects(ctx.db, process, *unit, projects_named(form.fields, prefix));
    const BallotEntry entry = check_ballot(process, *unit, projects, form.fields, prefix);
    BallotState state{&process, unit,   &projects, entry.choices, entry.entered,
                      {},       prefix, "",        std::nullopt};
    for (const BallotError& e : s.errors)
      if (e.field.starts_with(prefix)) state.errors.push_back(e);
    ballots.push_back(ballot_fields_view(state, ctx.lang));
  }
  person["ballots"] = std::move(ballots);
  person["paper"] = s.channel == Channel::Paper;
  person["assisted"] = s.channel == Channel::Assisted;
  return person;
}

http::Response counter_page(Context& ctx, const Process& process, CounterState& s, int status) {
  json::object view{{"process", process_view(process, ctx.lang)},
                    {"csrf", ctx.csrf()},
                    {"action", counter_url(process)},
                    {"import_url", counter_url(process) + "/import"},
                    {"document_number", s.identity.document_number},
                    {"birth_date", s.identity.birth_date},
                    {"postal_code", s.identity.postal_code}};
  if (auto why = counter_phase_refusal(process, Channel::Paper, now_iso8601()))
    view["phase_problem"] = why->in(ctx.lang);
  web::add_errors(view, s.identity_errors, ctx.lang);
  json::array listed = view["errors"].as_array();
  for (const BallotError& e : s.errors)
    listed.push_back(json::object{{"field", e.field}, {"message", e.message.in(ctx.lang)}});
  view["has_errors"] = !listed.empty();
  view["errors"] = std::move(listed);
  if (s.lookup_problem) view["lookup_problem"] = s.lookup_problem->in(ctx.lang);
  if (s.voter) view["person"] = person_view(ctx, process, s);
  return ctx.page(
      "budgets/counter", std::move(view),
      {"Counter ballots: " + process.title_en, "Bulletins au guichet : " + process.title_fr},
      status);
}

// The person is identified by their census identity only (read from their
// identity document): an e-mail address, which anyone may know, never
// identifies a voter at the counter.
http::Response counter_get(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  CounterState s;
  return counter_page(ctx, *process, s, 200);
}

http::Response counter_done(Context& ctx, const Process& process, const CastResult& result,
                            Channel channel) {
  json::array receipts;
  for (const std::string& code : result.receipts) receipts.push_back(json::value(code));
  json::object view{{"process", process_view(process, ctx.lang)},
                    {"counter_url", counter_url(process)},
                    {"assisted", channel == Channel::Assisted},
                    {"receipts", std::move(receipts)}};
  return ctx.page("budgets/counter_done", std::move(view),
                  {"Ballot entered", "Bulletin enregistré"});
}

http::Response counter_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  CounterState s;
  const std::string action = ctx.form.get("action");
  if (action == "identify") {
    s.identity = {ctx.form.get("document_number"), ctx.form.get("birth_date"),
                  ctx.form.get("postal_code")};
    VoterLookup who = voter_of_identity(ctx.db, ctx.app.secrets.census, s.identity, today_utc());
    // Every census lookup a clerk makes is on record, found or not.
    if (who.errors.empty())
      ctx.audit("budget.counter.lookup", std::to_string(process->id),
                fmt::format("process={}; found={}", process->slug,
                            who.voter ? "census entry " + std::to_string(who.voter->census_entry_id)
                                      : std::string("none")));
    s.identity_errors = std::move(who.errors);
    s.lookup_problem = std::move(who.refusal);
    s.voter = std::move(who.voter);
    if (!s.voter) return counter_page(ctx, *process, s, 422);
    s.identity = {};  // found: the identity is not shown again
    return counter_page(ctx, *process, s, 200);
  }

  s.voter = voter_of_token(ctx, ctx.form.get("voter"));
  if (!s.voter)
    return ctx.error(400, {"The person's identification is missing or altered: find them again.",
                           "L'identification de la personne manque ou a été modifiée : "
                           "recherchez-la à nouveau."});
  s.channel = ctx.form.get("channel") == "assisted" ? Channel::Assisted : Channel::Paper;
  s.ballot_form = &ctx.form;
  if (action != "confirm") return counter_page(ctx, *process, s, 200);

  const auto units = voter_units(*process, *s.voter);
  std::vector<UnitBallot> ballots;
  for (const Unit* unit : units) {
    const std::string prefix = unit_prefix(*unit);
    const ProjectIndex projects =
        ballot_projects(ctx.db, *process, *unit, projects_named(ctx.form.fields, prefix));
    BallotEntry entry = check_ballot(*process, *unit, projects, ctx.form.fields, prefix);
    // With two budgets, the person may leave one aside.
    if (left_blank(entry) && units.size() > 1) continue;
    for (BallotError& e : entry.errors) s.errors.push_back(std::move(e));
    ballots.push_back({unit->id, entry.choices});
  }
  if (ballots.empty() && !units.empty())
    s.errors.push_back({choices_field(unit_prefix(*units.front())),
                        {"The ballot is empty: enter the person's choices in at least one budget.",
                         "Le bulletin est vide : saisissez les choix de la personne dans au moins "
                         "un budget."}});
  if (!s.errors.empty()) return counter_page(ctx, *process, s, 422);
  const CastResult result =
      cast_at_counter(ctx.db, ctx.app.secrets.ballots, *process, *s.voter, s.channel,
                      ctx.viewer.account->id, ballots, now_iso8601());
  if (result.ok()) return counter_done(ctx, *process, result, s.channel);
  if (result.status == CastStatus::Invalid) {
    s.errors = result.errors;
    return counter_page(ctx, *process, s, 422);
  }
  s.problem = result.refusal;
  s.ballot_form = nullptr;
  return counter_page(ctx, *process, s, 409);
}

// ---- /admin/budgets/{slug}/counter/import

http::Response import_page(Context& ctx, const Process& process,
                           const std::optional<PaperImportReport>& report,
                           const std::optional<Text>& file_error, bool skip, int status) {
  json::object view{{"process", process_view(process, ctx.lang)},
                    {"csrf", ctx.csrf()},
                    {"action", counter_url(process) + "/import"},
                    {"counter_url", counter_url(process)},
                    {"skip_bad_rows", skip},
                    {"cumulative", process.ballot_type == BallotType::Cumulative},
                    {"ranked", process.ballot_type == BallotType::Ranked}};
  json::array units;
  for (const Unit& u : process.units)
    units.push_back(json::object{{"slug", u.slug}, {"name", u.name(ctx.lang)}});
  view["units"] = std::move(units);
  if (file_error) {
    view["has_errors"] = true;
    view["error"] = json::object{{"ballots", file_error->in(ctx.lang)}};
    view["errors"] =
        json::array{json::object{{"field", "ballots"}, {"message", file_error->in(ctx.lang)}}};
  }
  if (report) {
    json::array lines;
    for (const residency::RowError& e : report->errors)
      lines.push_back(json::object{{"line", static_cast<std::int64_t>(e.line)},
                                   {"message", e.message.in(ctx.lang)}});
    json::object outcome{
        {"lines", report->lines},
        {"entered", report->entered},
        {"people", report->people},
        {"error_count", report->error_count},
        {"has_line_errors", !lines.empty()},
        {"line_errors", std::move(lines)},
        {"not_listed", report->error_count - static_cast<std::int64_t>(report->errors.size())},
        {"nothing_entered", report->entered == 0 && report->error_count > 0}};
    view["report"] = std::move(outcome);
  }
  return ctx.page("budgets/counter_import", std::move(view),
                  {"Paper ballots from a file", "Bulletins papier depuis un fichier"}, status);
}

http::Response import_post(Context& ctx) {
  const auto process = process_of(ctx);
  if (!process) return process_not_found(ctx);
  const bool skip = ctx.form.get("skip_bad_rows") == "1";
  const web::UploadedFile* file = ctx.form.file("ballots");
  if (file == nullptr || file->content.empty())
    return import_page(ctx, *process, std::nullopt,
                       Text{"Ballot file: choose a CSV file (it is missing or empty).",
                            "Fichier des bulletins : choisissez un fichier CSV (il manque ou est "
                            "vide)."},
                       skip, 422);
  PaperImportOptions options;
  options.skip_bad_lines = skip;
  const PaperImportReport report =
      import_paper_ballots(ctx.db, ctx.app.secrets.ballots, ctx.app.secrets.census, *process,
                           ctx.viewer.account->id, file->content, options, now_iso8601());
  if (report.refusal) return import_page(ctx, *process, std::nullopt, report.refusal, skip, 422);
  return import_page(ctx, *process, report, std::nullopt, skip,
                     report.entered == 0 && report.error_count > 0 ? 422 : 200);
}

}  // namespace

void register_voting_routes(web::Site& site) {
  site.get("/budgets/{slug}/vote", Permission::Vote, vote);
  site.post("/budgets/{slug}/vote", Permission::Vote, vote);
  site.get("/budgets/{slug}/receipt", Permission::Browse, receipt_get);
  site.post("/budgets/{slug}/receipt", Permission::Browse, receipt_post);
  site.get("/admin/budgets/{slug}/counter", Permission::EnterCounterBallots, counter_get);
  site.post("/admin/budgets/{slug}/counter", Permission::EnterCounterBallots, counter_post);
  site.get("/admin/budgets/{slug}/counter/import", Permission::EnterCounterBallots,
           [](Context& ctx) {
             const auto process = process_of(ctx);
             if (!process) return process_not_found(ctx);
             return import_page(ctx, *process, std::nullopt, std::nullopt, false, 200);
           });
  site.post("/admin/budgets/{slug}/counter/import", Permission::EnterCounterBallots, import_post,
            web::Body::Upload);
}

}  // namespace fabrique::budgets
