#include "accounts/routes.hpp"

#include <boost/json.hpp>

#include "accounts/actions.hpp"
#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "core/time.hpp"
#include "mail/mail.hpp"
#include "web/view.hpp"

namespace fabrique::accounts {

namespace json = boost::json;
using web::Context;

namespace {

constexpr std::chrono::minutes kRateWindow{15};

http::Response sign_up_page(Context& ctx, const SignUp& form, const FieldErrors& errors) {
  json::object view{
      {"csrf", ctx.csrf()}, {"display_name", form.display_name}, {"email", form.email}};
  web::add_errors(view, errors, ctx.lang);
  return ctx.page("accounts/sign_up", std::move(view), {"Create an account", "Créer un compte"},
                  errors.empty() ? 200 : 422);
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

}  // namespace

void register_routes(web::Site& site) {
  site.get("/sign-up", Permission::Browse, [](Context& ctx) {
    if (ctx.viewer.signed_in()) return ctx.redirect("/account");
    return sign_up_page(ctx, {}, {});
  });

  site.post("/sign-up", Permission::Browse, [](Context& ctx) {
    if (ctx.viewer.signed_in()) return ctx.redirect("/account");
    SignUp form{ctx.form.get("display_name"), ctx.form.get("email"), ctx.form.get("password"),
                ctx.lang};
    const SignUpResult result = sign_up(ctx.db, form);
    if (!result.errors.empty()) return sign_up_page(ctx, form, result.errors);
    ctx.viewer.account = find_account(ctx.db, result.account_id);
    ctx.set_session(open_session(ctx.db, result.account_id));
    ctx.flash({"Your account is ready. Verify your residency to propose and vote.",
               "Votre compte est prêt. Vérifiez votre résidence pour proposer et voter."});
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
    const std::string email = normalize_email(ctx.form.get("email"));
    const std::string next = ctx.form.get("next");
    const std::string by_account = "email:" + email;
    const std::string by_address = "address:" + ctx.client_address();
    // Checked before the password, so that guessing costs nothing but time.
    if (recent_login_failures(ctx.db, by_account, kRateWindow) >=
            ctx.app.config.login_attempts_per_account ||
        recent_login_failures(ctx.db, by_address, kRateWindow) >=
            ctx.app.config.login_attempts_per_address) {
      return sign_in_page(ctx, email, next,
                          Text{"Too many failed attempts. Wait 15 minutes, or reset your password.",
                               "Trop de tentatives échouées. Attendez 15 minutes ou "
                               "réinitialisez votre mot de passe."},
                          429);
    }
    const auto account = find_account_by_email(ctx.db, email);
    const auto hash = account ? password_hash_of(ctx.db, account->id) : std::nullopt;
    // Without an account, a hash is still verified so both cases take as long.
    static const std::string decoy = hash_password("decoy password, never matches");
    const bool good = verify_password(ctx.form.get("password"), hash ? *hash : decoy) && hash;
    if (!good) {
      record_login_failure(ctx.db, by_account);
      record_login_failure(ctx.db, by_address);
      return sign_in_page(
          ctx, email, next,
          Text{"Email address or password incorrect.", "Adresse e-mail ou mot de passe incorrect."},
          422);
    }
    clear_login_failures(ctx.db, by_account);
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
    const std::string email = normalize_email(ctx.form.get("email"));
    if (!plausible_email(email)) {
      return ctx.page("accounts/forgot",
                      {{"csrf", ctx.csrf()},
                       {"email", ctx.form.get("email")},
                       {"problem", tr(ctx.lang, "Indiquez une adresse e-mail valide.",
                                      "Enter a valid email address.")}},
                      {"Forgot your password", "Mot de passe oublié"}, 422);
    }
    // The same answer whether or not the account exists: no one learns
    // who has an account here.
    if (const auto account = find_account_by_email(ctx.db, email)) {
      ctx.db.transaction([&](store::Connection& tx) {
        const std::string token = create_reset_token(tx, account->id);
        const std::string link = ctx.app.config.public_url + "/password/reset?token=" + token;
        const bool fr = account->language == Lang::Fr;
        mail::enqueue(
            tx, mail::Mail{account->email,
                           fr ? "Choisir un nouveau mot de passe" : "Choose a new password",
                           fr ? "Bonjour " + account->display_name +
                                    ",\n\nPour choisir un nouveau mot de passe, ouvrez ce lien "
                                    "(valable une heure, une seule fois) :\n\n" +
                                    link +
                                    "\n\nSi vous n'avez rien demandé, ignorez ce message : votre "
                                    "mot de passe ne change pas.\n"
                              : "Hello " + account->display_name +
                                    ",\n\nTo choose a new password, open this link (valid for one "
                                    "hour, once):\n\n" +
                                    link +
                                    "\n\nIf you did not ask for it, ignore this message: your "
                                    "password does not change.\n"});
      });
      ctx.app.mail_queued();
    }
    return ctx.page("accounts/forgot", {{"sent", true}},
                    {"Forgot your password", "Mot de passe oublié"});
  });

  site.get("/password/reset", Permission::Browse, [](Context& ctx) {
    const std::string token = ctx.query.get("token");
    const bool valid = reset_token_account(ctx.db, token).has_value();
    return ctx.page("accounts/reset", {{"csrf", ctx.csrf()}, {"token", token}, {"invalid", !valid}},
                    {"Choose a new password", "Choisir un nouveau mot de passe"},
                    valid ? 200 : 410);
  });

  site.post("/password/reset", Permission::Browse, [](Context& ctx) {
    const std::string token = ctx.form.get("token");
    const std::string password = ctx.form.get("password");
    const auto account_id = reset_token_account(ctx.db, token);
    if (!account_id)
      return ctx.page("accounts/reset", {{"invalid", true}},
                      {"Choose a new password", "Choisir un nouveau mot de passe"}, 410);
    if (auto problem = check_new_password(password)) {
      json::object view{{"csrf", ctx.csrf()}, {"token", token}, {"invalid", false}};
      web::add_errors(view, {{"password", *problem}}, ctx.lang);
      return ctx.page("accounts/reset", std::move(view),
                      {"Choose a new password", "Choisir un nouveau mot de passe"}, 422);
    }
    const std::string hash = hash_password(password);
    bool used = false;
    ctx.db.transaction([&](store::Connection& tx) {
      // Checked again inside the transaction: a token works once.
      if (!reset_token_account(tx, token)) return;
      use_reset_token(tx, token);
      set_password_hash(tx, *account_id, hash);
      close_all_sessions(tx, *account_id);
      clear_login_failures(tx, "email:" + find_account(tx, *account_id)->email);
      tx.execute(
          "INSERT INTO audit_log (at, actor_account_id, action, subject) VALUES ($1, $2, $3, $4)",
          {now_iso8601(), *account_id, std::string("account.password_reset"),
           std::to_string(*account_id)});
      used = true;
    });
    if (!used)
      return ctx.page("accounts/reset", {{"invalid", true}},
                      {"Choose a new password", "Choisir un nouveau mot de passe"}, 410);
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
    const auto hash = password_hash_of(ctx.db, account.id);
    if (!hash || !verify_password(ctx.form.get("current_password"), *hash))
      errors["current_password"] = {"The current password is not this one.",
                                    "Le mot de passe actuel n'est pas celui-ci."};
    if (auto problem = check_new_password(ctx.form.get("new_password")))
      errors["new_password"] = *problem;
    if (!errors.empty()) return account_page(ctx, errors, 422);
    const std::string new_hash = hash_password(ctx.form.get("new_password"));
    ctx.db.transaction([&](store::Connection& tx) {
      set_password_hash(tx, account.id, new_hash);
      // Whoever else holds a session (the reason to change it, often) is out.
      close_other_sessions(tx, account.id, ctx.viewer.session_token);
    });
    ctx.audit("account.password_changed", std::to_string(account.id));
    ctx.flash({"Password changed.", "Mot de passe changé."});
    return ctx.redirect("/account");
  });
}

}  // namespace fabrique::accounts
