// The town hall counter: a clerk finds a person on the census, then enters
// their paper ballot or helps them vote; or uploads a file of paper ballots.
//   GET/POST  /admin/budgets/{slug}/counter          EnterCounterBallots  paper, assisted ballots
//   GET/POST  /admin/budgets/{slug}/counter/import   EnterCounterBallots  a file of paper ballots
#include <fmt/format.h>

#include <boost/json.hpp>

#include "accounts/repository.hpp"
#include "budgets/ballot_repository.hpp"
#include "budgets/ballot_rules.hpp"
#include "budgets/counter_actions.hpp"
#include "budgets/pages.hpp"
#include "budgets/repository.hpp"
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
      {"Counter ballots: " + process.title_en, "Bulletins au guichet\u202f: " + process.title_fr},
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
                    {"one_receipt", result.receipts.size() == 1},
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
    CounterLookup lookup = identify_at_counter(ctx.db, ctx.app.secrets.census, *ctx.viewer.account,
                                               *process, s.identity, today_utc());
    if (!lookup.allowed) return not_allowed(ctx);
    VoterLookup& who = lookup.who;
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
                           "L'identification de la personne manque ou a été modifiée\u202f: "
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
    s.errors.push_back(
        {choices_field(unit_prefix(*units.front())),
         {"The ballot is empty: enter the person's choices in at least one budget.",
          "Le bulletin est vide\u202f: saisissez les choix de la personne dans au moins "
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
        {"lines_text", count_of(report->lines, ctx.lang, {"line read", "lines read"},
                                {"ligne lue", "lignes lues"})},
        {"entered_text", count_of(report->entered, ctx.lang, {"ballot entered", "ballots entered"},
                                  {"bulletin saisi", "bulletins saisis"})},
        {"people_text",
         count_of(report->people, ctx.lang, {"person", "people"}, {"personne", "personnes"})},
        {"errors_text", count_of(report->error_count, ctx.lang, {"bad line", "bad lines"},
                                 {"ligne en erreur", "lignes en erreur"})},
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
    return import_page(
        ctx, *process, std::nullopt,
        Text{"Ballot file: choose a CSV file (it is missing or empty).",
             "Fichier des bulletins\u202f: choisissez un fichier CSV (il manque ou est "
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

void register_counter_routes(web::Site& site) {
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
