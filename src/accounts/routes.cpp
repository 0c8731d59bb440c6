#include "accounts/routes.hpp"

#include <boost/json.hpp>

#include "accounts/actions.hpp"
#include "accounts/repository.hpp"
#include "residency/repository.hpp"
#include "web/view.hpp"

namespace fabrique::accounts {

namespace json = boost::json;
using std::chrono::seconds;
using web::Context;

namespace {

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

// A refusal as the page shows it.
struct Shown {
  int status;  // 429 for one client address, 503 for everyone
  seconds retry_after;
  Text message;
};

// `address_message` and `address_window`: what a refusal for the client's
// address says and asks to wait, which depends on the form.
Shown shown(Refusal refusal, seconds address_window, const Text& address_message) {
  switch (refusal) {
    case Refusal::FromAddress:
      return {429, address_window, address_message};
    case Refusal::FromEveryone:
      return {503, kEveryoneWindow, kEveryoneBusy};
    case Refusal::TooManyFailures:
      return {429,
              kSignInWindow,
              {"Too many failed attempts. Wait 15 minutes, or reset your password.",
               "Trop de tentatives échouées. Attendez 15 minutes ou réinitialisez votre mot de "
               "passe."}};
    case Refusal::HashingBusy:
      break;
  }
  return {503, kBusyRetry, kBusy};
}

http::Response with_retry_after(http::Response response, seconds wait) {
  response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return response;
}

Caller caller(Context& ctx) {
  return {ctx.db, ctx.app.hashing, [&ctx] { ctx.release_db(); }, ctx.client_address()};
}

MailSite mail_site(const Context& ctx) {
  return {ctx.app.config.public_url, ctx.app.config.city_name};
}

http::Response sign_up_page(Context& ctx, const SignUp& form, const FieldErrors& errors,
                            const std::optional<Shown>& refusal = std::nullopt) {
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
                               const Shown& refusal) {
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

http::Response account_page(Context& ctx, const FieldErrors& errors, int status) {
  const Account& account = *ctx.viewer.account;
  json::object who{{"display_name", account.display_name},
                   {"email", account.email},
                   {"role", std::string(role_name(account.role))},
                   {"role_label", role_label(account.role).in(ctx.lang)},
                   {"language_fr", account.language == Lang::Fr},
                   {"verified", account.verified()}};
  if (account.district_id) {
    const auto district = residency::find_district(ctx.db, *account.district_id);
    who["district_name"] = district ? district->name(ctx.lang) : std::string();
  }
  json::object view{{"account", std::move(who)},
                    {"can_verify", ctx.viewer.can(Permission::VerifyOwnResidency)}};
  web::add_errors(view, errors, ctx.lang);
  return ctx.page("accounts/account", std::move(view), {"My account", "Mon compte"}, status);
}

void open_session_cookies(Context& ctx, SignedIn signed_in) {
  ctx.viewer.account = std::move(signed_in.account);
  ctx.set_session(signed_in.session_token);
  ctx.set_language_cookie(ctx.viewer.account->language);
}

// What Site answers when a route's permission is missing; an action that
// asks allows() again says the same.
const Text kNotAllowed{"Your account does not give access to this page.",
                       "Votre compte ne donne pas accès à cette page."};

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
    const SignUp form{ctx.form.get("display_name"), ctx.form.get("email"), ctx.form.get("password"),
                      ctx.lang};
    Caller who = caller(ctx);
    const SignUpRequest done =
        sign_up(who, form, {config.signups_per_address, kAddressWindow, config.signups_per_minute},
                mail_site(ctx));
    if (done.refusal)
      return sign_up_page(
          ctx, form, {},
          shown(*done.refusal, kAddressWindow,
                {"Too many accounts were asked for from your connection: try again in "
                 "an hour.",
                 "Trop de comptes ont été demandés depuis votre connexion\u202f: "
                 "réessayez dans une heure."}));
    if (!done.errors.empty()) return sign_up_page(ctx, form, done.errors);
    if (done.outcome != SignUpOutcome::NothingSent) ctx.app.mail_queued();
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
    auto signed_in = confirm_and_sign_in(ctx.db, ctx.form.get("token"), ctx.viewer.session_token);
    if (!signed_in)
      return ctx.page("accounts/confirm", {{"invalid", true}},
                      {"Confirm your address", "Confirmer votre adresse"}, 410);
    open_session_cookies(ctx, std::move(*signed_in));
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

  site.post("/sign-in", Permission::Browse, [](Context& ctx) {
    const web::Config& config = ctx.app.config;
    const std::string email = normalize_email(ctx.form.get("email"));
    const std::string next = ctx.form.get("next");
    Caller who = caller(ctx);
    SignInResult done = sign_in(
        who, email, ctx.form.get("password"),
        {config.login_attempts_per_address, kSignInWindow, config.login_attempts_per_minute},
        config.login_attempts_per_account);
    if (done.refusal)
      return sign_in_refused(
          ctx, email, next,
          shown(*done.refusal, kSignInWindow,
                {"Too many sign-in attempts from your connection. Wait 15 minutes.",
                 "Trop de tentatives de connexion depuis votre connexion. Attendez 15 minutes."}));
    if (!done.signed_in)
      return sign_in_page(ctx, email, next,
                          Text{"Email address or password incorrect.",
                               "Adresse e-mail ou mot de passe incorrect."} +
                              kConfirmFirst,
                          422);
    open_session_cookies(ctx, std::move(*done.signed_in));
    return ctx.redirect(web::safe_local_path(next.empty() ? "/account" : next));
  });

  site.post("/sign-out", Permission::UseAccount, [](Context& ctx) {
    if (!sign_out(ctx.db, *ctx.viewer.account, ctx.viewer.session_token))
      return ctx.error(403, kNotAllowed);
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
    Caller who = caller(ctx);
    const ResetRequest done = ask_password_reset(
        who, ctx.form.get("email"),
        {config.password_resets_per_address, kAddressWindow, config.password_resets_per_minute},
        mail_site(ctx));
    if (done.invalid_email)
      return forgot_page(ctx, ctx.form.get("email"),
                         {"Enter a valid email address.", "Indiquez une adresse e-mail valide."},
                         422);
    if (done.refusal) {
      const Shown refusal =
          shown(*done.refusal, kAddressWindow,
                {"Too many links were asked for from your connection: try again in an "
                 "hour.",
                 "Trop de liens ont été demandés depuis votre connexion\u202f: réessayez "
                 "dans une heure."});
      return with_retry_after(
          forgot_page(ctx, ctx.form.get("email"), refusal.message, refusal.status),
          refusal.retry_after);
    }
    // The same answer whether or not the account exists, and whether or not
    // a mail went there moments ago: no one learns who has an account here.
    if (done.mailed) ctx.app.mail_queued();
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
    Caller who = caller(ctx);
    const NewPasswordResult done = reset_password(who, token, ctx.form.get("password"));
    if (done.link_invalid) return reset_invalid(ctx);
    json::object view{{"csrf", ctx.csrf()}, {"token", token}, {"invalid", false}};
    if (done.problem) {
      web::add_errors(view, {{"password", *done.problem}}, ctx.lang);
      return ctx.page("accounts/reset", std::move(view), kResetTitle, 422);
    }
    if (done.refusal) {
      view["problem"] = kBusy.in(ctx.lang);
      return with_retry_after(ctx.page("accounts/reset", std::move(view), kResetTitle, 503),
                              kBusyRetry);
    }
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
    if (!choose_language(ctx.db, *ctx.viewer.account, *language))
      return ctx.error(403, kNotAllowed);
    ctx.set_language_cookie(*language);
    ctx.flash({"Language saved.", "Langue enregistrée."});
    return ctx.redirect("/account");
  });

  site.post("/account/password", Permission::UseAccount, [](Context& ctx) {
    Caller who = caller(ctx);
    const PasswordChange done =
        change_password(who, *ctx.viewer.account, ctx.viewer.session_token,
                        ctx.form.get("current_password"), ctx.form.get("new_password"));
    if (!done.allowed) return ctx.error(403, kNotAllowed);
    if (done.refusal) return with_retry_after(ctx.error(503, kBusy), kBusyRetry);
    if (!done.errors.empty()) return account_page(ctx, done.errors, 422);
    ctx.flash({"Password changed.", "Mot de passe changé."});
    return ctx.redirect("/account");
  });
}

}  // namespace fabrique::accounts
