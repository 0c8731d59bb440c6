#include "accounts/routes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <vector>

#include "accounts/actions.hpp"
#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "core/time.hpp"
#include "web/view.hpp"

namespace fabrique::accounts {

namespace json = boost::json;
using std::chrono::seconds;
using web::Context;

namespace {

// The windows of the rate limits (the numbers are in web::Config).
constexpr std::chrono::minutes kSignInWindow{15};
constexpr std::chrono::hours kAddressWindow{1};  // sign-ups and resets per client address
constexpr std::chrono::minutes kEveryoneWindow{1};
constexpr std::chrono::seconds kEveryoneBurstWindow{10};
// What a 503 asks to wait when the hashing queue is full.
constexpr seconds kBusyRetry{5};

// Every sign-in failure says it: an unconfirmed account fails like a wrong
// password, so that signing in does not tell who has an account here.
const Text kConfirmFirst{
    " If you have just created your account, first follow the link in the message we sent you.",
    " Si vous venez de créer votre compte, suivez d'abord le lien du message que nous vous avons "
    "envoyé."};

const Text kBusy{"The site is very busy: try again in a few seconds.",
                 "Le site est très chargé\u202f: réessayez dans quelques secondes."};
const Text kEveryoneBusy{"The site receives many requests of this kind: try again in a minute.",
                         "Le site reçoit beaucoup de demandes de ce type\u202f: réessayez dans "
                         "une minute."};

Text operator+(const Text& a, const Text& b) { return {a.en + b.en, a.fr + b.fr}; }

// A refusal of a rate limit or of the hashing queue.
struct Refusal {
  int status;  // 429 for one client address, 503 for everyone
  seconds retry_after;
  Text message;
};

http::Response with_retry_after(http::Response response, seconds wait) {
  response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return response;
}

// The limits per client address, then for everyone, of a form that costs a
// password hash or a mail. An attempt refused for its address is not counted
// for everyone: one client alone cannot use up everyone's allowance. While
// everyone's allowance is used up, a request is refused before anything is
// written: a flood then costs one read per request, and the database stays
// free for the rest of the site (ballots).
std::optional<Refusal> over_limits(Context& ctx, const std::string& action, int per_address,
                                   seconds address_window, int per_minute,
                                   const Text& address_message) {
  const std::string everyone = action + "-everyone";
  // Spread over the minute: a sixth of it in any 10 seconds (10 at least),
  // so that a burst does not take the whole minute's hashes at once.
  const std::vector<Limit> everyone_limits{
      {per_minute, kEveryoneWindow},
      {std::max(per_minute / 6, std::min(per_minute, 10)), kEveryoneBurstWindow}};
  const Refusal crowded{503, kEveryoneWindow, kEveryoneBusy};
  for (const Limit& limit : everyone_limits)
    if (recent_login_failures(ctx.db, everyone, limit.window) >= limit.max) return crowded;
  if (!admit_attempt(ctx.db, action + "-address:" + ctx.client_address(),
                     {{per_address, address_window}}))
    return Refusal{429, address_window, address_message};
  if (!admit_attempt(ctx.db, everyone, everyone_limits)) return crowded;
  return std::nullopt;
}

MailSite mail_site(const Context& ctx) {
  return {ctx.app.config.public_url, ctx.app.config.city_name};
}

http::Response sign_up_page(Context& ctx, const SignUp& form, const FieldErrors& errors,
                            const std::optional<Refusal>& refusal = std::nullopt) {
  json::object view{
      {"csrf", ctx.csrf()}, {"display_name", form.display_name}, {"email", form.email}};
  web::add_errors(view, errors, ctx.lang);
  if (refusal) view["problem"] = refusal->message.in(ctx.lang);
  http::Response page =
      ctx.page("accounts/sign_up", std::move(view), {"Create an account", "Créer un compte"},
               refusal          ? refusal->status
               : errors.empty() ? 200
                                : 422);
  return refusal ? with_retry_after(std::move(page), refusal->retry_after) : page;
}

http::Response sign_in_page(Context& ctx, const std::string& email, const std::string& next,
                            const std::optional<Text>& problem, int status) {
  // No `next`: after signing in, the account page (the POST's default).
  json::object view{{"csrf", ctx.csrf()},
                    {"email", email},
                    {"next", next.empty() ? std::string() : web::safe_local_path(next)}};
  if (problem) view["problem"] = problem->in(ctx.lang);
  return ctx.page("accounts/sign_in", std::move(view), {"Sign in", "Se connecter"}, status);
}

http::Response sign_in_refused(Context& ctx, const std::string& email, const std::string& next,
                               const Refusal& refusal) {
  return with_retry_after(
      sign_in_page(ctx, email, next, refusal.message + kConfirmFirst, refusal.status),
      refusal.retry_after);
}

http::Response forgot_page(Context& ctx, const std::string& email, const Text& problem,
                           int status) {
  return ctx.page("accounts/forgot",
                  {{"csrf", ctx.csrf()}, {"email", email}, {"problem", problem.in(ctx.lang)}},
                  {"Forgot your password", "Mot de passe oublié"}, status);
}

const Text kResetTitle{"Choose a new password", "Choisir un nouveau mot de passe"};

http::Response reset_invalid(Context& ctx) {
  return ctx.page("accounts/reset", {{"invalid", true}}, kResetTitle, 410);
}

std::string district_name(store::Connection& db, std::int64_t id, Lang lang) {
  const auto rows = db.query("SELECT name_fr, name_en FROM districts WHERE id = $1", {id});
  if (rows.empty()) return {};
  return std::get<std::string>(rows[0].at(lang == Lang::Fr ? 0 : 1));
}

http::Response account_page(Context& ctx, const FieldErrors& errors, int status) {
  const Account& account = *ctx.viewer.account;
  json::object who{{"display_name", account.display_name},
                   {"email", account.email},
                   {"role", std::string(role_name(account.role))},
                   {"role_label", role_label(account.role).in(ctx.lang)},
                   {"language_fr", account.language == Lang::Fr},
                   {"verified", account.verified()}};
  if (account.district_id) {
    who["district_name"] = district_name(ctx.db, *account.district_id, ctx.lang);
  }
  json::object view{{"account", std::move(who)},
                    {"can_verify", ctx.viewer.can(Permission::VerifyOwnResidency)}};
  web::add_errors(view, errors, ctx.lang);
  return ctx.page("accounts/account", std::move(view), {"My account", "Mon compte"}, status);
}

// The failures of one account from one client address: what locks out a
// guesser but never the owner elsewhere (docs/operating.md, "Accounts").
std::string sign_in_failures(const std::string& email, const std::string& address) {
  return "sign-in:" + email + " from " + address;
}

}  // namespace

void register_routes(web::Site& site) {
  site.get("/sign-up", Permission::Browse, [](Context& ctx) {
    if (ctx.viewer.signed_in()) return ctx.redirect("/account");
    return sign_up_page(ctx, {}, {});
  });

  // The same page whether the address is new, awaiting confirmation or
  // registered: the mail to the address says which (actions.hpp).
  site.post("/sign-up", Permission::Browse, [](Context& ctx) {
    if (ctx.viewer.signed_in()) return ctx.redirect("/account");
    const web::Config& config = ctx.app.config;
    SignUp form{ctx.form.get("display_name"), ctx.form.get("email"), ctx.form.get("password"),
                ctx.lang};
    if (const FieldErrors errors = check_sign_up(form); !errors.empty())
      return sign_up_page(ctx, form, errors);
    if (const auto refusal = over_limits(
            ctx, "sign-up", config.signups_per_address, kAddressWindow, config.signups_per_minute,
            {"Too many accounts were asked for from your connection: try again in "
             "an hour.",
             "Trop de comptes ont été demandés depuis votre connexion\u202f: "
             "réessayez dans une heure."}))
      return sign_up_page(ctx, form, {}, refusal);
    // The hash, with no connection held; whatever the address, so that every
    // sign-up takes as long.
    ctx.release_db();
    const auto hash = ctx.app.hashing.hash(form.password);
    if (!hash) return sign_up_page(ctx, form, {}, Refusal{503, kBusyRetry, kBusy});
    const SignUpResult result = sign_up(ctx.db, form, *hash, mail_site(ctx));
    if (!result.errors.empty()) return sign_up_page(ctx, form, result.errors);
    if (result.outcome != SignUpOutcome::NothingSent) ctx.app.mail_queued();
    return ctx.page("accounts/sign_up_sent", {{"email", normalize_email(form.email)}},
                    {"Confirm your address", "Confirmez votre adresse"});
  });

  // A page with a button: a mail scanner that follows the link confirms nothing.
  site.get("/sign-up/confirm", Permission::Browse, [](Context& ctx) {
    const std::string token = ctx.query.get("token");
    const auto account_id = confirmation_token_account(ctx.db, token);
    const auto account = account_id ? find_account(ctx.db, *account_id) : std::nullopt;
    json::object view{{"invalid", !account}};
    if (account) {
      view["csrf"] = ctx.csrf();
      view["token"] = token;
      view["email"] = account->email;
      view["display_name"] = account->display_name;
    }
    return ctx.page("accounts/confirm", std::move(view),
                    {"Confirm your address", "Confirmer votre adresse"}, account ? 200 : 410);
  });

  site.post("/sign-up/confirm", Permission::Browse, [](Context& ctx) {
    const auto account_id = confirm_address(ctx.db, ctx.form.get("token"));
    if (!account_id)
      return ctx.page("accounts/confirm", {{"invalid", true}},
                      {"Confirm your address", "Confirmer votre adresse"}, 410);
    if (ctx.viewer.signed_in()) close_session(ctx.db, ctx.viewer.session_token);
    ctx.viewer.account = find_account(ctx.db, *account_id);
    ctx.set_session(open_session(ctx.db, *account_id));
    ctx.set_language_cookie(ctx.viewer.account->language);
    ctx.flash(
        {"Your address is confirmed and your account is ready. Verify your residency to "
         "propose and vote.",
         "Votre adresse est confirmée et votre compte est prêt. Vérifiez votre résidence "
         "pour proposer et voter."});
    return ctx.redirect("/account");
  });

  site.get("/sign-in", Permission::Browse, [](Context& ctx) {
    if (ctx.viewer.signed_in()) {
      const std::string next = ctx.query.get("next");
      return ctx.redirect(next.empty() ? "/account" : web::safe_local_path(next));
    }
    return sign_in_page(ctx, "", ctx.query.get("next"), std::nullopt, 200);
  });

  // Limited per client address, for everyone, and per account and client
  // address (failures): a guesser is stopped without locking the owner out.
  site.post("/sign-in", Permission::Browse, [](Context& ctx) {
    const web::Config& config = ctx.app.config;
    const std::string email = normalize_email(ctx.form.get("email"));
    const std::string next = ctx.form.get("next");
    const std::string address = ctx.client_address();
    if (const auto refusal = over_limits(
            ctx, "sign-in", config.login_attempts_per_address, kSignInWindow,
            config.login_attempts_per_minute,
            {"Too many sign-in attempts from your connection. Wait 15 minutes.",
             "Trop de tentatives de connexion depuis votre connexion. Attendez 15 minutes."}))
      return sign_in_refused(ctx, email, next, *refusal);
    // Recorded as a failure now, counted, and cleared if the password is right.
    const std::string failures = sign_in_failures(email, address);
    const auto attempt =
        admit_attempt(ctx.db, failures, {{config.login_attempts_per_account, kSignInWindow}});
    if (!attempt)
      return sign_in_refused(
          ctx, email, next,
          {429,
           kSignInWindow,
           {"Too many failed attempts. Wait 15 minutes, or reset your password.",
            "Trop de tentatives échouées. Attendez 15 minutes ou réinitialisez votre mot de "
            "passe."}});
    const auto account = find_account_by_email(ctx.db, email);
    const auto hash = account ? password_hash_of(ctx.db, account->id) : std::nullopt;
    ctx.release_db();
    // Without an account, a hash is still verified so both cases take as long.
    static const std::string decoy = hash_password("decoy password, never matches");
    const auto matches = ctx.app.hashing.verify(ctx.form.get("password"), hash ? *hash : decoy);
    if (!matches) {
      forget_attempt(ctx.db, *attempt);  // not a failure: nothing was checked
      return sign_in_refused(ctx, email, next, {503, kBusyRetry, kBusy});
    }
    // An unconfirmed account fails exactly like a wrong password.
    if (!*matches || !hash || !account->email_confirmed())
      return sign_in_page(ctx, email, next,
                          Text{"Email address or password incorrect.",
                               "Adresse e-mail ou mot de passe incorrect."} +
                              kConfirmFirst,
                          422);
    clear_login_failures(ctx.db, failures);
    ctx.viewer.account = account;
    ctx.set_session(open_session(ctx.db, account->id));
    ctx.set_language_cookie(account->language);
    return ctx.redirect(web::safe_local_path(next.empty() ? "/account" : next));
  });

  site.post("/sign-out", Permission::UseAccount, [](Context& ctx) {
    close_session(ctx.db, ctx.viewer.session_token);
    ctx.clear_session();
    ctx.flash({"You are signed out.", "Vous êtes déconnecté."});
    return ctx.redirect("/");
  });

  site.get("/password/forgot", Permission::Browse, [](Context& ctx) {
    return ctx.page("accounts/forgot", {{"csrf", ctx.csrf()}},
                    {"Forgot your password", "Mot de passe oublié"});
  });

  site.post("/password/forgot", Permission::Browse, [](Context& ctx) {
    const web::Config& config = ctx.app.config;
    const std::string email = normalize_email(ctx.form.get("email"));
    if (!plausible_email(email))
      return forgot_page(ctx, ctx.form.get("email"),
                         {"Enter a valid email address.", "Indiquez une adresse e-mail valide."},
                         422);
    if (const auto refusal =
            over_limits(ctx, "password-reset", config.password_resets_per_address, kAddressWindow,
                        config.password_resets_per_minute,
                        {"Too many links were asked for from your connection: try again in an "
                         "hour.",
                         "Trop de liens ont été demandés depuis votre connexion\u202f: réessayez "
                         "dans une heure."}))
      return with_retry_after(
          forgot_page(ctx, ctx.form.get("email"), refusal->message, refusal->status),
          refusal->retry_after);
    // The same answer whether or not the account exists, and whether or not
    // a mail went there moments ago: no one learns who has an account here.
    if (request_password_reset(ctx.db, email, mail_site(ctx))) ctx.app.mail_queued();
    return ctx.page("accounts/forgot", {{"sent", true}},
                    {"Forgot your password", "Mot de passe oublié"});
  });

  site.get("/password/reset", Permission::Browse, [](Context& ctx) {
    const std::string token = ctx.query.get("token");
    const bool valid = reset_token_account(ctx.db, token).has_value();
    return ctx.page("accounts/reset", {{"csrf", ctx.csrf()}, {"token", token}, {"invalid", !valid}},
                    kResetTitle, valid ? 200 : 410);
  });

  site.post("/password/reset", Permission::Browse, [](Context& ctx) {
    const std::string token = ctx.form.get("token");
    const std::string password = ctx.form.get("password");
    if (!reset_token_account(ctx.db, token)) return reset_invalid(ctx);
    json::object view{{"csrf", ctx.csrf()}, {"token", token}, {"invalid", false}};
    if (auto problem = check_new_password(password)) {
      web::add_errors(view, {{"password", *problem}}, ctx.lang);
      return ctx.page("accounts/reset", std::move(view), kResetTitle, 422);
    }
    ctx.release_db();
    const auto hash = ctx.app.hashing.hash(password);
    if (!hash) {
      view["problem"] = kBusy.in(ctx.lang);
      return with_retry_after(ctx.page("accounts/reset", std::move(view), kResetTitle, 503),
                              kBusyRetry);
    }
    const auto account_id = reset_password(ctx.db, token, *hash);
    if (!account_id) return reset_invalid(ctx);
    if (const auto account = find_account(ctx.db, *account_id))
      clear_login_failures(ctx.db, sign_in_failures(account->email, ctx.client_address()));
    ctx.flash({"Your password is changed. Sign in with it.",
               "Votre mot de passe est changé. Connectez-vous avec."});
    return ctx.redirect("/sign-in");
  });

  site.get("/account", Permission::UseAccount,
           [](Context& ctx) { return account_page(ctx, {}, 200); });

  site.post("/account/language", Permission::UseAccount, [](Context& ctx) {
    const auto language = parse_lang(ctx.form.get("language"));
    if (!language)
      return ctx.error(422, {"Choose French or English.", "Choisissez le français ou l'anglais."});
    set_language(ctx.db, ctx.viewer.account->id, *language);
    ctx.set_language_cookie(*language);
    ctx.flash({"Language saved.", "Langue enregistrée."});
    return ctx.redirect("/account");
  });

  site.post("/account/password", Permission::UseAccount, [](Context& ctx) {
    const Account& account = *ctx.viewer.account;
    FieldErrors errors;
    if (auto problem = check_new_password(ctx.form.get("new_password")))
      errors["new_password"] = *problem;
    const auto hash = password_hash_of(ctx.db, account.id);
    // Both hashes in one turn of the queue, with no connection held.
    ctx.release_db();
    std::string new_hash;
    {
      const auto turn = ctx.app.hashing.enter();
      if (!turn) return with_retry_after(ctx.error(503, kBusy), kBusyRetry);
      if (!hash || !verify_password(ctx.form.get("current_password"), *hash))
        errors["current_password"] = {"The current password is not this one.",
                                      "Le mot de passe actuel n'est pas celui-ci."};
      if (errors.empty()) new_hash = hash_password(ctx.form.get("new_password"));
    }
    if (!errors.empty()) return account_page(ctx, errors, 422);
    change_password(ctx.db, account.id, new_hash, ctx.viewer.session_token);
    ctx.audit("account.password_changed", std::to_string(account.id));
    ctx.flash({"Password changed.", "Mot de passe changé."});
    return ctx.redirect("/account");
  });
}

}  // namespace fabrique::accounts
