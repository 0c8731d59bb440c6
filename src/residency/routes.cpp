#include "residency/routes.hpp"

#include <boost/json.hpp>
#include <charconv>

#include <fmt/format.h>

#include "accounts/repository.hpp"
#include "core/crypto.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "residency/repository.hpp"
#include "residency/rules.hpp"
#include "web/view.hpp"

namespace fabrique::residency {

namespace json = boost::json;
using accounts::Permission;
using web::Context;

namespace {

constexpr int kImportsListed = 50;
constexpr std::size_t kFileNameLimit = 200;

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// The name an upload is listed under: its last path component, shortened.
std::string upload_name(const std::string& raw) {
  const std::size_t slash = raw.find_last_of("/\\");
  std::string name = slash == std::string::npos ? raw : raw.substr(slash + 1);
  if (name.size() > kFileNameLimit) {
    std::size_t cut = kFileNameLimit;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name = name.substr(0, cut) + "…";
  }
  return name.empty() ? std::string("census.csv") : name;
}

// web::add_errors, and "has_errors" for the summary (mustache cannot test
// a list's first item).
void add_errors(json::object& view, const FieldErrors& errors, Lang lang) {
  web::add_errors(view, errors, lang);
  view["has_errors"] = !errors.empty();
}

// What the pages show of an account's residency.
json::object residency_of(store::Connection& db, const accounts::Account& account, Lang lang) {
  json::object out{{"verified", account.verified()},
                   {"eligible", accounts::allows(account.role, Permission::VerifyOwnResidency)},
                   {"online", account.verification_method == "online"},
                   {"counter", account.verification_method == "counter"}};
  if (account.verified_at)
    web::add_time(out, "verified_on", *account.verified_at, lang, web::TimeReading::Date);
  if (account.district_id)
    if (const auto district = find_district(db, *account.district_id))
      out["district"] = district->name(lang);
  return out;
}

// ---- /account/residency

http::Response verify_page(Context& ctx, const IdentityForm& form, const FieldErrors& errors,
                           const std::optional<Text>& problem, int status) {
  const accounts::Account& account = *ctx.viewer.account;
  json::object view{{"csrf", ctx.csrf()},
                    {"residency", residency_of(ctx.db, account, ctx.lang)},
                    {"minimum_age", ctx.app.config.minimum_age},
                    {"document_number", form.document_number},
                    {"birth_date", form.birth_date},
                    {"postal_code", form.postal_code}};
  add_errors(view, errors, ctx.lang);
  if (problem) view["problem"] = problem->in(ctx.lang);
  return ctx.page("residency/verify", std::move(view),
                  {"Verify my residency", "Vérifier ma résidence"}, status);
}

int status_of(VerificationOutcome outcome) {
  switch (outcome) {
    case VerificationOutcome::Verified:
      return 200;
    // 422 rather than 403 for the person's own situation: 403 means the
    // route's permission is missing.
    case VerificationOutcome::InvalidForm:
    case VerificationOutcome::NoMatch:
    case VerificationOutcome::UnderAge:
    case VerificationOutcome::NotEligible:
    case VerificationOutcome::EmailNotConfirmed:
      return 422;
    case VerificationOutcome::TakenByAnother:
    case VerificationOutcome::AlreadyVerified:
      return 409;
    case VerificationOutcome::TooManyAttempts:
      return 429;
  }
  return 422;
}

IdentityForm identity_from(const web::Form& form) {
  return {form.get("document_number"), form.get("birth_date"), form.get("postal_code")};
}

// ---- /admin/census

json::object import_view(const CensusImport& job, Lang lang) {
  json::object view{{"id", job.id},
                    {"url", "/admin/census/imports/" + std::to_string(job.id)},
                    {"status", std::string(import_status_name(job.status))},
                    {"status_label", import_status_label(job.status).in(lang)},
                    {"running", job.status == ImportStatus::Running},
                    {"done", job.status == ImportStatus::Done},
                    {"rejected", job.status == ImportStatus::Rejected},
                    {"failed", job.status == ImportStatus::Failed},
                    {"file_name", job.file_name},
                    {"started_by_name", job.started_by_name},
                    {"total_lines", job.total_lines},
                    {"processed_lines", job.processed_lines},
                    {"counted", job.total_lines > 0},
                    {"imported", job.imported},
                    {"already_present", job.already_present},
                    {"updated", job.updated},
                    {"retired", job.retired},
                    {"full_census", job.full_census}};
  web::add_time(view, "started_at", job.started_at, lang, web::TimeReading::Moment);
  if (job.finished_at)
    web::add_time(view, "finished_at", *job.finished_at, lang, web::TimeReading::Moment);
  return view;
}

http::Response census_page(Context& ctx, const FieldErrors& errors, int status) {
  json::array imports;
  for (const CensusImport& job : list_imports(ctx.db, kImportsListed))
    imports.push_back(import_view(job, ctx.lang));
  const auto districts = list_districts(ctx.db);
  json::object view{{"csrf", ctx.csrf()},
                    {"imports", std::move(imports)},
                    {"has_districts", !districts.empty()},
                    {"district_count", static_cast<std::int64_t>(districts.size())},
                    {"census_size", census_size(ctx.db)},
                    {"skip_bad_rows", ctx.form.get("skip_bad_rows") == "1"},
                    {"full_census", ctx.form.get("mode") == "full"}};
  view["has_imports"] = !view["imports"].as_array().empty();
  add_errors(view, errors, ctx.lang);
  return ctx.page("residency/census", std::move(view), {"Census import", "Import du recensement"},
                  status);
}

http::Response start_import(Context& ctx) {
  web::UploadedFile* file = nullptr;
  for (auto& candidate : ctx.form.files)
    if (candidate.field == "census") file = &candidate;
  if (file == nullptr || file->content.empty())
    return census_page(
        ctx,
        {{"census",
          {"Census file: choose a CSV file (it is missing or empty).",
           "Fichier du recensement\u202f: choisissez un fichier CSV (il manque ou est "
           "vide)."}}},
        422);
  if (const std::string mode = ctx.form.get("mode");
      !mode.empty() && mode != "update" && mode != "full")
    return census_page(ctx,
                       {{"mode-update",
                         {"Kind of file: choose an update or the whole census.",
                          "Nature du fichier\u202f: choisissez une mise à jour ou le recensement "
                          "complet."}}},
                       422);
  if (list_districts(ctx.db).empty())
    return census_page(
        ctx,
        {{"census",
          {"Census file: add the city's districts first: every line names one.",
           "Fichier du recensement\u202f: ajoutez d'abord les quartiers de la ville\u202f: "
           "chaque ligne en nomme un."}}},
        422);
  auto slot = ImportSlot::take();
  if (!slot)
    return census_page(
        ctx,
        {{"census",
          {"Census file: another import is running; send this one when it is "
           "finished.",
           "Fichier du recensement\u202f: un autre import est en cours\u202f; envoyez "
           "celui-ci quand il sera terminé."}}},
        409);
  // The job's own connection, opened before the job row exists, so that a
  // failure to open leaves no job "running" for ever.
  std::unique_ptr<store::Connection> connection = ctx.app.pool.database().connect();
  ImportOptions options;
  options.skip_bad_rows = ctx.form.get("skip_bad_rows") == "1";
  options.full_census = ctx.form.get("mode") == "full";
  const std::string file_name = upload_name(file->filename);
  const std::int64_t id =
      create_import_job(ctx.db, file_name, ctx.viewer.account->id, options.full_census);
  ctx.audit("census.import_started", std::to_string(id),
            "file=" + file_name + "; bytes=" + std::to_string(file->content.size()) +
                "; mode=" + (options.full_census ? "full" : "update") +
                "; skip_bad_rows=" + (options.skip_bad_rows ? "yes" : "no"));
  start_import_job(std::move(*slot), std::move(connection), ctx.app.secrets.census, id,
                   std::move(file->content), options);
  return ctx.redirect("/admin/census/imports/" + std::to_string(id));
}

http::Response import_page(Context& ctx) {
  const auto id = parse_id(ctx.request.param("id"));
  const auto job = id ? find_import(ctx.db, *id) : std::nullopt;
  if (!job) return ctx.error(404, {"No such census import.", "Cet import n'existe pas."});
  // status, total_lines and processed_lines are top-level: fabrique.js polls
  // this same URL as JSON.
  json::object view = import_view(*job, ctx.lang);
  json::array errors;
  for (const RowError& error : job->errors)
    errors.push_back(json::object{{"line", static_cast<std::int64_t>(error.line)},
                                  {"has_line", error.line > 0},
                                  {"message", error.message.in(ctx.lang)}});
  view["has_errors"] = !errors.empty();
  view["error_count"] = static_cast<std::int64_t>(job->errors.size()) + job->errors_not_listed;
  view["errors"] = std::move(errors);
  view["errors_not_listed"] = job->errors_not_listed;
  view["has_errors_not_listed"] = job->errors_not_listed > 0;
  return ctx.page("residency/import", std::move(view),
                  {"Census import #" + std::to_string(job->id),
                   "Import du recensement no " + std::to_string(job->id)});
}

// ---- /admin/districts

http::Response districts_page(Context& ctx, const NewDistrict& form, const FieldErrors& errors,
                              int status) {
  const auto census = census_entries_by_district(ctx.db);
  const auto verified = verified_accounts_by_district(ctx.db);
  json::array list;
  for (const District& district : list_districts(ctx.db)) {
    const auto count = [&](const std::map<std::int64_t, std::int64_t>& counts) {
      const auto found = counts.find(district.id);
      return found == counts.end() ? std::int64_t{0} : found->second;
    };
    list.push_back(json::object{{"slug", district.slug},
                                {"name_fr", district.name_fr},
                                {"name_en", district.name_en},
                                {"census", count(census)},
                                {"verified", count(verified)}});
  }
  json::object view{{"csrf", ctx.csrf()},           {"has_districts", !list.empty()},
                    {"districts", std::move(list)}, {"slug", form.slug},
                    {"name_fr", form.name_fr},      {"name_en", form.name_en}};
  add_errors(view, errors, ctx.lang);
  return ctx.page("residency/districts", std::move(view), {"Districts", "Quartiers"}, status);
}

// ---- /admin/counter

// The account a clerk found by its e-mail address, carried to the
// verification form, signed for this clerk: a form cannot name another
// account by its id (no enumeration of accounts by id).
std::string account_token(Context& ctx, std::int64_t account_id) {
  const std::string id = std::to_string(account_id);
  return id + "." +
         crypto::keyed_hash_hex(ctx.app.secrets.forms,
                                fmt::format("counter-account:{}:{}", id, ctx.viewer.account->id));
}

std::optional<std::int64_t> account_of_token(Context& ctx, const std::string& token) {
  const std::size_t dot = token.find('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string id = token.substr(0, dot);
  const std::string expected = crypto::keyed_hash_hex(
      ctx.app.secrets.forms, fmt::format("counter-account:{}:{}", id, ctx.viewer.account->id));
  if (!crypto::equal_constant_time(token.substr(dot + 1), expected)) return std::nullopt;
  return parse_id(id);
}

http::Response counter_page(Context& ctx, const std::string& email,
                            const std::optional<accounts::Account>& account,
                            const IdentityForm& form, const FieldErrors& errors,
                            const std::optional<Text>& problem, int status) {
  json::object view{{"csrf", ctx.csrf()},
                    {"email", email},
                    {"not_found", status == 404},
                    {"minimum_age", ctx.app.config.minimum_age},
                    {"document_number", form.document_number},
                    {"birth_date", form.birth_date},
                    {"postal_code", form.postal_code}};
  if (account) {
    json::object who{{"token", account_token(ctx, account->id)},
                     {"display_name", account->display_name},
                     {"email", account->email},
                     {"role_label", accounts::role_label(account->role).in(ctx.lang)},
                     {"residency", residency_of(ctx.db, *account, ctx.lang)}};
    view["account"] = std::move(who);
  }
  add_errors(view, errors, ctx.lang);
  if (problem) view["problem"] = problem->in(ctx.lang);
  return ctx.page("residency/counter", std::move(view),
                  {"Counter verification", "Vérification au guichet"}, status);
}

}  // namespace

void register_routes(web::Site& site) {
  site.get("/account/residency", Permission::VerifyOwnResidency,
           [](Context& ctx) { return verify_page(ctx, {}, {}, std::nullopt, 200); });

  site.post("/account/residency", Permission::VerifyOwnResidency, [](Context& ctx) {
    const IdentityForm form = identity_from(ctx.form);
    VerifyOptions options;
    options.method = VerificationMethod::Online;
    options.minimum_age = ctx.app.config.minimum_age;
    options.client_address = ctx.client_address();
    VerifyResult result =
        verify_residency(ctx.db, ctx.app.secrets.census, ctx.viewer.account->id, form, options);
    // To the person, an identity that verifies another account is a wrong
    // guess: same words, same status (the administrators were alerted).
    if (result.outcome == VerificationOutcome::TakenByAnother)
      result.outcome = VerificationOutcome::NoMatch;
    const Text message =
        outcome_message(result.outcome, VerificationMethod::Online, options.minimum_age);
    if (result.outcome == VerificationOutcome::Verified ||
        result.outcome == VerificationOutcome::AlreadyVerified) {
      ctx.flash(message);
      return ctx.redirect("/account");
    }
    if (result.outcome == VerificationOutcome::InvalidForm)
      return verify_page(ctx, form, result.errors, std::nullopt, 422);
    return verify_page(ctx, form, {}, message, status_of(result.outcome));
  });

  site.get("/admin/census", Permission::ImportCensus,
           [](Context& ctx) { return census_page(ctx, {}, 200); });
  site.post("/admin/census", Permission::ImportCensus, start_import, web::Body::Upload);
  site.get("/admin/census/imports/{id}", Permission::ImportCensus, import_page);

  site.get("/admin/districts", Permission::ImportCensus,
           [](Context& ctx) { return districts_page(ctx, {}, {}, 200); });

  site.post("/admin/districts", Permission::ImportCensus, [](Context& ctx) {
    const NewDistrict form{ctx.form.get("slug"), ctx.form.get("name_fr"), ctx.form.get("name_en")};
    const AddDistrictResult result = add_district(ctx.db, form);
    if (!result.errors.empty()) return districts_page(ctx, form, result.errors, 422);
    const NewDistrict added = normalize_district(form);
    ctx.audit("district.added", std::to_string(result.id), "slug=" + added.slug);
    ctx.flash({"District " + added.name_en + " added.", "Quartier " + added.name_fr + " ajouté."});
    return ctx.redirect("/admin/districts");
  });

  site.get("/admin/counter", Permission::VerifyAtCounter, [](Context& ctx) {
    const std::string email = accounts::normalize_email(ctx.query.get("email"));
    if (email.empty()) return counter_page(ctx, email, std::nullopt, {}, {}, std::nullopt, 200);
    const auto account = accounts::find_account_by_email(ctx.db, email);
    // Every lookup a clerk makes is on record, found or not.
    ctx.audit("residency.counter_lookup", account ? std::to_string(account->id) : "",
              account ? fmt::format("found=account {}", account->id) : "found=none");
    return counter_page(ctx, email, account, {}, {}, std::nullopt, account ? 200 : 404);
  });

  site.post("/admin/counter", Permission::VerifyAtCounter, [](Context& ctx) {
    const auto id = account_of_token(ctx, ctx.form.get("account"));
    const auto account = id ? accounts::find_account(ctx.db, *id) : std::nullopt;
    if (!account)
      return ctx.error(400,
                       {"The account is missing or altered: find it again by its e-mail "
                        "address.",
                        "Le compte manque ou a été modifié\u202f: retrouvez-le par son adresse "
                        "e-mail."});
    const IdentityForm form = identity_from(ctx.form);
    VerifyOptions options;
    options.method = VerificationMethod::Counter;
    options.clerk_id = ctx.viewer.account->id;
    options.minimum_age = ctx.app.config.minimum_age;
    options.attempts_per_hour = 0;  // the clerk is accountable: every attempt is audited
    const VerifyResult result =
        verify_residency(ctx.db, ctx.app.secrets.census, account->id, form, options);
    const Text message =
        outcome_message(result.outcome, VerificationMethod::Counter, options.minimum_age);
    if (result.outcome == VerificationOutcome::Verified) {
      const std::string district_fr = result.district ? result.district->name_fr : "";
      const std::string district_en = result.district ? result.district->name_en : "";
      ctx.flash({"The account of " + account->display_name + " is verified (" + district_en + ").",
                 "Le compte de " + account->display_name + " est vérifié (" + district_fr + ")."});
      return ctx.redirect("/admin/counter");
    }
    // The account as it is now (it may have been verified meanwhile).
    auto now = accounts::find_account(ctx.db, account->id);
    if (!now) now = account;
    if (result.outcome == VerificationOutcome::InvalidForm)
      return counter_page(ctx, now->email, now, form, result.errors, std::nullopt, 422);
    return counter_page(ctx, now->email, now, form, {}, message, status_of(result.outcome));
  });
}

}  // namespace fabrique::residency
